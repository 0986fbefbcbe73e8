//! `POST /v1/click_to_call`: validation with the platform's own error shapes, then a queued call.

use std::sync::atomic::Ordering;
use std::time::{Instant, SystemTime};

use axum::http::StatusCode;
use axum::response::Response;
use serde_json::{json, Value};

use super::{digits, reply, text};
use crate::account::SimAgent;
use crate::date;
use crate::lifecycle::{Answer, SimCall};
use crate::server::{lock, Shared};
use crate::shapes::Legs;

pub(crate) fn click_to_call(shared: &Shared, body: &Value) -> Response {
    let account = &shared.account;
    if !body.is_object() {
        return reply(
            StatusCode::UNPROCESSABLE_ENTITY,
            json!({"success": false, "message": "Invalid request body."}),
        );
    }
    let Some(agent_number) = text(body.get("agent_number")).filter(|s| !s.is_empty()) else {
        return reply(
            StatusCode::UNPROCESSABLE_ENTITY,
            json!({"agent_number": "The agent number field is required."}),
        );
    };
    let destination = text(body.get("destination_number")).unwrap_or_default();
    let dest_digits = destination.strip_prefix('+').unwrap_or(&destination);
    if !(10..=15).contains(&dest_digits.len()) || !dest_digits.bytes().all(|b| b.is_ascii_digit()) {
        return reply(
            StatusCode::UNPROCESSABLE_ENTITY,
            json!({"destination_number": "The destination number must be between 10 and 15 digits."}),
        );
    }
    // By EID, or by the agent's mobile with or without `+`.
    let agent = lock(&shared.agents)
        .iter()
        .find(|a| {
            a.eid == agent_number
                || a.follow_me_number.trim_start_matches('+')
                    == agent_number.trim_start_matches('+')
        })
        .cloned();
    let Some(agent) = agent else {
        // Seen with HTTP status unknown; the platform signals many refusals inside a 200.
        return reply(
            StatusCode::OK,
            json!({"success": false, "message": "This agent_number doesn't belong to your associated agent."}),
        );
    };
    if let Some(caller_id) = text(body.get("caller_id")) {
        // The DID's digits (`918065000101`) or the DID itself (`+918065000101`); an alias that
        // is a label is not a number the platform can show.
        let ok = account
            .dids
            .iter()
            .any(|d| d.did == caller_id || d.did.trim_start_matches('+') == caller_id);
        if !ok {
            // Sic: the platform's own spelling.
            return reply(
                StatusCode::UNPROCESSABLE_ENTITY,
                json!({"caller_id": "Provide a vaild caller_id."}),
            );
        }
    }
    // A blocked agent receives no calls (servetel-api.md §5.4); the wording is ours.
    if agent.status == 1 {
        return reply(
            StatusCode::OK,
            json!({"success": false, "message": "Agent is blocked"}),
        );
    }
    let did = text(body.get("caller_id"))
        .map(|c| digits(&c))
        .or_else(|| account.dids.first().map(|d| digits(&d.did)))
        .unwrap_or_default();
    let call = queue_call(
        shared,
        agent,
        dest_digits,
        did,
        body.get("custom_identifier").cloned(),
    );
    // With `async=1` the platform answers before the agent picks up, so it has no call id yet:
    // `call_id` is null (servetel-api.md §2.2). Only a synchronous dial that asked for it
    // (`async` 0 or absent, `get_call_id=1`) gets one.
    let asynchronous = text(body.get("async")).as_deref() == Some("1");
    let sync_id = !asynchronous && text(body.get("get_call_id")).as_deref() == Some("1");
    let out = json!({
        "success": true,
        "message": "Originate successfully queued",
        "ref_id": call.ref_id,
        "call_id": if sync_id { json!(call.call_id) } else { Value::Null },
    });
    reply(StatusCode::OK, out)
}

/// Queues a call of `agent` to `customer` (digits) shown from `did`, now: its ids in the shape
/// served (a UUID call id on real rows, `epoch.seq` in the docs sample's).
pub(crate) fn queue_call(
    shared: &Shared,
    agent: SimAgent,
    customer: &str,
    did: String,
    custom_identifier: Option<Value>,
) -> SimCall {
    let seq = shared.call_seq.fetch_add(1, Ordering::Relaxed);
    let uuid = uuid::Uuid::new_v4().to_string();
    let call_id = match lock(&shared.shapes).legs {
        Legs::Real | Legs::Extension => uuid.clone(),
        Legs::DocsSample => format!("{}.{seq}", date::unix(SystemTime::now())),
    };
    let call = SimCall {
        seq,
        call_id,
        ref_id: uuid::Uuid::new_v4().to_string(),
        uuid,
        custom_identifier: custom_identifier.unwrap_or(Value::Null),
        customer_answer: Answer::of_customer(customer),
        customer: customer.to_string(),
        agent_answer: agent.answer,
        agent,
        did,
        queued_at: Instant::now(),
        queued_wall: SystemTime::now(),
        timings: *lock(&shared.timings),
        hung_up_at: None,
    };
    lock(&shared.calls).push(call.clone());
    call
}
