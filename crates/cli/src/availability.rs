//! `clickdial available` and `clickdial break`: whether the platform sends the agent calls.

use clickdial_services::Error;

use crate::agents::find_agent;
use crate::app::{files, open_app, saved_settings, session};
use crate::{invalid, Failure};

pub(crate) async fn availability(
    agent: Option<String>,
    available: bool,
) -> Result<String, Failure> {
    let files = files()?;
    let app = open_app(&files);
    let session = session(&app).await?;
    let wanted = match agent {
        Some(a) => a,
        None => saved_settings(&files)
            .default_agent()
            .map(str::to_string)
            .ok_or_else(|| {
                invalid("Which agent? Give --agent (ID, name or mobile), or choose who you are in the app once.")
            })?,
    };
    let (eid, name) = find_agent(&session, &wanted, Error::from).await?;
    app.set_availability(&eid, available).await?;
    let who = name.unwrap_or_else(|| format!("Agent {eid}"));
    Ok(if available {
        format!("{who} is available: calls come through again.")
    } else {
        format!("{who} is on a break: the platform sends no calls until `clickdial available`.")
    })
}
