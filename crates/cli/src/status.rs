//! `clickdial status` and `clickdial hangup`: the last call (or the one named), looked up live.

use clickdial_services::follow::{hang_up_target, hang_up_with, look_up, summary, NotYet};
use clickdial_services::ledger::{wall_clock_ms, CallRow, CallState};
use clickdial_services::Error;
use serde_json::json;

use crate::app::{files, open_app, open_ledger, pick_call, session};
use crate::words::international;
use crate::{invalid, Failure};

pub(crate) async fn status(reference: Option<String>, json: bool) -> Result<String, Failure> {
    let files = files()?;
    let ledger = open_ledger(&files)?;
    let row = pick_call(&ledger, reference.as_deref())?;
    if row.state != CallState::Queued {
        let words = match row.state {
            CallState::NotPlaced => "Not placed",
            CallState::Pending => "Being placed",
            _ => "May have been placed",
        };
        return Ok(if json {
            json!({"id": row.id, "e164": row.e164, "state": row.state, "reason": row.reason})
                .to_string()
        } else {
            format!(
                "{}: {words}.{}",
                international(&row.e164),
                row.reason
                    .as_deref()
                    .map(|r| format!(" {r}"))
                    .unwrap_or_default()
            )
        });
    }
    let session = session(&open_app(&files)).await?;
    let agents = session.agents(false).await.unwrap_or_default();
    let view = look_up(session.client(), &ledger, &row, &agents, wall_clock_ms()).await?;
    Ok(if json {
        json!({"id": row.id, "e164": row.e164, "agent": row.agent, "refId": row.ref_id,
               "stage": view.stage, "outcome": view.outcome, "talkS": view.talk_s,
               "elapsedS": view.elapsed_s, "callId": view.call_id, "detail": view.detail})
        .to_string()
    } else {
        let mut out = format!("{}: {}", international(&row.e164), summary(&view));
        if let Some(id) = &view.call_id {
            out.push_str(&format!("\nCall ID {id}"));
        }
        if let Some(r) = &row.ref_id {
            out.push_str(&format!("\nReference {r}"));
        }
        out
    })
}

pub(crate) async fn hangup(call_id: Option<String>) -> Result<String, Failure> {
    let files = files()?;
    let session = session(&open_app(&files)).await?;
    let ledger = open_ledger(&files)?;
    // A reference or nothing: the call from history, looked up live.
    let known = call_id
        .as_deref()
        .map(|c| ledger.find(c.trim(), wall_clock_ms()))
        .transpose()
        .map_err(Error::from)?
        .flatten();
    // A reference found in history, or the last call; else a bare live call id as given.
    let (live_id, who) = match (known, call_id) {
        (None, Some(id)) => (id.trim().to_string(), format!("call {}", id.trim())),
        (known, _) => {
            let row = match known {
                Some(row) => row,
                None => pick_call(&ledger, None)?,
            };
            placed(&row)?;
            let agents = session.agents(false).await.unwrap_or_default();
            let view = look_up(session.client(), &ledger, &row, &agents, wall_clock_ms()).await?;
            let live = view.stage != clickdial_core::follow::Stage::Ended;
            let id = match hang_up_target(live, view.call_id.as_deref()) {
                Ok(id) => id.to_string(),
                Err(NotYet::Ended) => {
                    return Err(invalid(format!(
                        "The call to {} has already ended ({}).",
                        international(&row.e164),
                        summary(&view)
                    )))
                }
                Err(not_yet) => return Err(not_yet.error().into()),
            };
            (id, international(&row.e164))
        }
    };
    let message = hang_up_with(session.client(), &live_id).await?;
    Ok(format!("Ended the call to {who}. ({message})"))
}

/// Only a queued call can be hung up: one never placed has nothing to end.
fn placed(row: &CallRow) -> Result<(), Failure> {
    if row.state == CallState::Queued {
        return Ok(());
    }
    Err(invalid(format!(
        "The last call, to {}, was not placed, so there is nothing to hang up.",
        international(&row.e164)
    )))
}
