//! `clickdial agents` and `clickdial numbers`, and how a command names an agent or a caller ID.

use clickdial_core::api::{Agent, ApiError, ErrorCode};
use clickdial_core::sanitize::clean_text;
use clickdial_services::app::AppSession;
use clickdial_services::error::not_placed;
use clickdial_services::Error;

use crate::app::{files, open_app, session, tell_notices};
use crate::words::{agent_words, table, typed_agent};
use crate::Failure;

pub(crate) async fn agents(json: bool) -> Result<String, Failure> {
    let app = open_app(&files()?);
    let agents = session(&app)
        .await?
        .client()
        .users()
        .await
        .map_err(Error::from)?;
    if json {
        return Ok(serde_json::to_string_pretty(&agents).unwrap_or_default());
    }
    let rows = agents
        .iter()
        .map(|a| {
            [
                a.id.clone(),
                a.name.clone(),
                format!("{:?}", a.status).to_lowercase(),
                a.follow_me_number.clone().unwrap_or_default(),
            ]
        })
        .collect::<Vec<_>>();
    Ok(table(["AGENT ID", "NAME", "STATUS", "MOBILE"], &rows))
}

pub(crate) async fn numbers(json: bool) -> Result<String, Failure> {
    let app = open_app(&files()?);
    let listed = session(&app)
        .await?
        .client()
        .my_numbers()
        .await
        .map_err(Error::from)?;
    // Only the caller IDs the organization's policy allows.
    let numbers = app.allowed_caller_ids(listed);
    if json {
        return Ok(serde_json::to_string_pretty(&numbers).unwrap_or_default());
    }
    let rows = numbers
        .iter()
        .map(|d| [d.value.clone(), d.did.clone(), d.name.clone()])
        .collect::<Vec<_>>();
    Ok(table(["CALLER ID", "DID", "NAME"], &rows))
}

/// `clickdial me`: who you are (the agent whose phone rings for your calls), shown, set or
/// forgotten; the same setting as the window's "This is me".
pub(crate) async fn me(agent: Option<String>, forget: bool) -> Result<String, Failure> {
    let app = open_app(&files()?);
    tell_notices(&app);
    if forget {
        app.set_me(None)?;
        return Ok("Forgotten: give --agent with each call, or say who you are again.".into());
    }
    let Some(query) = agent else {
        let settings = app.settings();
        let Some(id) = settings.me.as_deref() else {
            return Ok(
                "You have not said who you are: `clickdial me AGENT` (ID, name or mobile, \
                 as `clickdial agents` lists), or choose in the app."
                    .into(),
            );
        };
        let names = app.agent_names();
        return Ok(format!(
            "You are {}.",
            agent_words(id, names.get(id).map(String::as_str))
        ));
    };
    let session = session(&app).await?;
    let (id, name) = find_agent(&session, &query, Error::from).await?;
    if name.is_none() && session.known_agents().is_some_and(|a| !a.is_empty()) {
        return Err(crate::invalid(format!(
            "No agent on this account is {}: `clickdial agents` lists them.",
            typed_agent(&query)
        )));
    }
    app.set_me(Some(id.clone()))?;
    Ok(format!(
        "You are {}: your calls ring this phone first.",
        agent_words(&id, name.as_deref())
    ))
}

/// The agent `query` names, from the account's agents: the ID to send, and their name when
/// known. A query of digits only that matches no agent's ID or mobile goes as typed (an
/// intercom or an extension); so does it when the agents cannot be listed, unless the server
/// refused the sign-in or could not be reached (the dial would fail the same way, and a
/// second refused password counts towards the lockout). `fail` says what a server's failure
/// means: [`Error::from`], or [`not_placed`] before a dial.
pub(crate) async fn find_agent(
    session: &AppSession,
    query: &str,
    fail: fn(ApiError) -> Error,
) -> Result<(String, Option<String>), Error> {
    let q = query.trim();
    if q.is_empty() {
        return Err(Error::invalid("Pick an agent first."));
    }
    // Listed minutes ago by this or another Clickdial: no request, when it names one agent.
    if let Some(Ok(Some(a))) = session
        .known_agents()
        .map(|known| clickdial_services::agents::find(q, &known).map(|a| a.cloned()))
    {
        return Ok(named(&a));
    }
    let agents = match session.client().users().await {
        Ok(agents) => {
            session.keep_agents(&agents);
            agents
        }
        Err(e) if clickdial_services::agents::digits_only(q) && !stops_here(&e) => {
            return Ok((q.to_string(), None))
        }
        Err(e) => return Err(fail(e)),
    };
    Ok(match clickdial_services::agents::find(q, &agents)? {
        Some(a) => named(a),
        None => (q.to_string(), None),
    })
}

/// An agent's ID, and their name when they have one.
fn named(a: &Agent) -> (String, Option<String>) {
    (
        a.id.clone(),
        Some(clean_text(&a.name, 80)).filter(|n| !n.is_empty()),
    )
}

/// The caller ID to send for `typed` in a dial: the account's DID that it is a written form
/// of, exactly as the account lists it. As typed when the account cannot list its caller IDs
/// (a token without that permission) or lists none. A server's failure here means the call was
/// not placed.
pub(crate) async fn find_caller_id(
    session: &AppSession,
    typed: Option<String>,
) -> Result<Option<String>, Error> {
    let Some(typed) = typed.filter(|t| !t.trim().is_empty()) else {
        return Ok(None);
    };
    if let Some(Ok(found)) = session
        .known_caller_ids()
        .filter(|known| !known.is_empty())
        .map(|known| clickdial_services::agents::resolve_caller_id(&typed, &known).cloned())
    {
        return Ok(Some(found.value));
    }
    let listed = session.client().my_numbers().await;
    if let Ok(numbers) = &listed {
        session.keep_caller_ids(numbers);
    }
    match listed {
        Ok(numbers) if !numbers.is_empty() => {
            let found = clickdial_services::agents::resolve_caller_id(&typed, &numbers)?;
            Ok(Some(found.value.clone()))
        }
        Ok(_) => Ok(Some(typed)),
        Err(e) if stops_here(&e) => Err(not_placed(e)),
        Err(_) => Ok(Some(typed)),
    }
}

/// A failure of a look-up before the dial that the dial itself would meet: the server refused
/// the sign-in, or could not be reached.
fn stops_here(e: &ApiError) -> bool {
    matches!(e.code(), ErrorCode::Unauthorized | ErrorCode::Unreachable)
}
