//! `clickdial call`: the application's dial, with the agent and the caller ID found first.

use clickdial_core::{Number, Region};
use clickdial_services::dialer::DialInput;
use clickdial_services::error::not_placed;
use clickdial_services::ledger::Source;
use clickdial_services::Error;
use serde_json::json;

use crate::agents::{find_agent, find_caller_id};
use crate::app::{files, open_app, session, tell_notices};
use crate::words::{agent_words, naming_the_agent, typed_agent};
use crate::{invalid, Failure};

pub(crate) async fn call(
    number: String,
    agent: Option<String>,
    caller_id: Option<String>,
    call_timeout: Option<u32>,
    region: Option<String>,
    json: bool,
) -> Result<String, Failure> {
    let files = files()?;
    let app = open_app(&files);
    tell_notices(&app);
    let session = session(&app).await?;
    // A number that cannot be dialled is refused before anything is asked of the server.
    let dial_region = match &region {
        Some(code) => Region::parse(code).map_err(invalid)?,
        None => app.region(),
    };
    // Text around the number is read as the window reads it; text with several numbers is
    // never guessed from: the agent says which.
    let found = clickdial_core::phone::numbers_in(&number, dial_region).map_err(Error::from)?;
    let number = match found.as_slice() {
        [_] if Number::parse(&number, dial_region).is_ok() => number,
        // One number found, and no other digits it could have been meant instead of.
        [one] if clickdial_core::phone::unread_digit_runs(&number, dial_region) == 0 => {
            match one.ext() {
                Some(ext) => format!("tel:{};ext={ext}", one.e164()),
                None => one.e164().to_string(),
            }
        }
        [_] => {
            return Err(invalid(
                "The text has other digits besides the number found; give the number to call \
                 alone.",
            ))
        }
        several => return Err(invalid(several_numbers(several))),
    };
    let agent = match agent {
        Some(a) => a,
        None => app
            .settings()
            .default_agent()
            .map(str::to_string)
            .ok_or_else(|| {
                invalid(
                    "Which agent's phone rings first? Say who you are once with \
                     `clickdial me AGENT`, or give --agent (ID, name or mobile).",
                )
            })?,
    };
    // The agent and the caller ID, as the account lists them; a failure here is a call not
    // placed, for the agent as typed or as found.
    let (agent_id, agent_name) = find_agent(&session, &agent, not_placed)
        .await
        .map_err(|e| naming_the_agent(e, &typed_agent(&agent)))?;
    let who = agent_words(&agent_id, agent_name.as_deref());
    let caller_id = find_caller_id(&session, caller_id)
        .await
        .map_err(|e| naming_the_agent(e, &who))?;
    let input = DialInput {
        caller_id,
        call_timeout,
        region,
        ..DialInput::new(number, agent_id, Source::Cli)
    };
    let dialled = app.dial(input).await;
    // The history the agent keeps, as the window keeps it: after the request, so the dial
    // waits for nothing more (one indexed DELETE).
    app.apply_retention();
    let q = dialled.map_err(|e| naming_the_agent(e, &who))?;
    Ok(if json {
        json!({"status": "queued", "e164": q.e164, "ext": q.ext, "refId": q.ref_id,
               "callId": q.call_id, "customIdentifier": q.custom_identifier,
               "agent": q.agent, "agentName": agent_name, "callerId": q.caller_id,
               "message": q.message})
        .to_string()
    } else {
        let who = match &agent_name {
            Some(name) => format!("{name}'s phone"),
            None => format!("agent {}", q.agent),
        };
        format!(
            "Call queued: {who} rings first, then {}. Reference {}.",
            q.international,
            q.ref_id.as_deref().unwrap_or("none given")
        )
    })
}

/// The refusal for text that holds several numbers.
pub(crate) fn several_numbers(found: &[Number]) -> String {
    let listed: Vec<&str> = found.iter().map(Number::international).collect();
    format!(
        "The text has {} numbers: {}. Give the one to call.",
        found.len(),
        listed.join(", ")
    )
}
