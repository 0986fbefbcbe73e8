//! Test controls under `/__sim/`, for processes that cannot reach [`Sim`](crate::Sim)'s
//! methods (the app's demo, driven by the end-to-end tests). They are not recorded as requests
//! and no fault applies to them.

use std::time::{Duration, Instant};

use axum::body::Bytes;
use axum::http::{Method, StatusCode};
use axum::response::Response;
use serde_json::{json, Value};

use crate::account::team_member;
use crate::endpoints::reply;
use crate::fault::Fault;
use crate::lifecycle::{Answer, CallInfo};
use crate::server::{lock, Shared};

/// The reply to a `/__sim/*` control, or `None` when `path` is not one.
pub(crate) fn handle(
    shared: &Shared,
    method: &Method,
    path: &str,
    token: Option<&str>,
    body: &Bytes,
) -> Option<Response> {
    if !path.starts_with("/__sim/") {
        return None;
    }
    if shared
        .control_token
        .as_deref()
        .is_some_and(|t| token != Some(t))
    {
        return Some(reply(
            StatusCode::FORBIDDEN,
            json!({"error": "this simulator's controls need its control token"}),
        ));
    }
    if path == "/__sim/requests" {
        return Some(reply(StatusCode::OK, json!(*lock(&shared.requests))));
    }
    if path == "/__sim/calls" {
        let now = Instant::now();
        let calls: Vec<CallInfo> = lock(&shared.calls).iter().map(|c| c.info(now)).collect();
        return Some(reply(StatusCode::OK, json!(calls)));
    }
    if *method != Method::POST {
        return None;
    }
    let spec = || serde_json::from_slice::<Value>(body).unwrap_or(Value::Null);
    match path {
        "/__sim/timings" => Some(timings(shared, &spec())),
        "/__sim/team" => Some(team(shared, &spec())),
        "/__sim/agent" => Some(agent(shared, &spec())),
        "/__sim/fault" => Some(fault(shared, &spec())),
        "/__sim/place" => Some(place(shared, &spec())),
        "/__sim/outage" => {
            let ms = spec()["ms"].as_u64().unwrap_or(0).min(3_600_000);
            outage(shared, Duration::from_millis(ms));
            Some(reply(StatusCode::OK, json!({"ok": true})))
        }
        _ => None,
    }
}

/// `POST /__sim/timings {"agent_ring_ms": 1500, "talk_ms": 60000, ...}` (any subset): stage
/// lengths for calls queued afterwards.
fn timings(shared: &Shared, spec: &Value) -> Response {
    let ms = |k: &str| {
        spec[k]
            .as_u64()
            .map(|v| Duration::from_millis(v.min(86_400_000)))
    };
    let mut t = lock(&shared.timings);
    t.agent_ring = ms("agent_ring_ms").unwrap_or(t.agent_ring);
    t.customer_ring = ms("customer_ring_ms").unwrap_or(t.customer_ring);
    t.talk = ms("talk_ms").unwrap_or(t.talk);
    t.cdr_delay = ms("cdr_delay_ms").unwrap_or(t.cdr_delay);
    reply(StatusCode::OK, json!({"ok": true}))
}

/// `POST /__sim/team {"extra": 300}`: that many more agents (at most 5,000 in all).
fn team(shared: &Shared, spec: &Value) -> Response {
    let extra = spec["extra"].as_u64().unwrap_or(0).min(5_000) as usize;
    add_team(shared, extra);
    reply(
        StatusCode::OK,
        json!({"agents": lock(&shared.agents).len()}),
    )
}

/// `POST /__sim/agent {"eid": "...", "answer": "answers|no_answer|busy|offline"}`.
fn agent(shared: &Shared, spec: &Value) -> Response {
    let (Some(eid), Some(answer)) = (
        spec["eid"].as_str(),
        spec["answer"].as_str().and_then(Answer::parse),
    ) else {
        return reply(
            StatusCode::BAD_REQUEST,
            json!({"error": "eid and answer (answers, no_answer, busy, offline) needed"}),
        );
    };
    if !set_answer(shared, eid, answer) {
        return reply(
            StatusCode::NOT_FOUND,
            json!({"error": format!("no agent {eid}")}),
        );
    }
    reply(StatusCode::OK, json!({"ok": true}))
}

/// `POST /__sim/fault {"path": "/users", "status": 503, "times": 2}` answers the next matching
/// requests with that status.
fn fault(shared: &Shared, spec: &Value) -> Response {
    let status = spec["status"].as_u64().and_then(|s| u16::try_from(s).ok());
    let Some(status) = status.filter(|s| (100..600).contains(s)) else {
        return reply(
            StatusCode::BAD_REQUEST,
            json!({"error": "status 100-599 needed"}),
        );
    };
    let mut fault = Fault::respond(status, r#"{"success":false,"message":"Simulated fault"}"#)
        .times(spec["times"].as_u64().map_or(1, |t| t.min(1000) as usize));
    if let Some(on) = spec["path"].as_str() {
        fault = fault.on(on);
    }
    lock(&shared.faults).push_back(fault);
    reply(StatusCode::OK, json!({"ok": true}))
}

/// `POST /__sim/outage {"ms": 20000}`: every API request fails for that long.
pub(crate) fn outage(shared: &Shared, d: Duration) {
    *lock(&shared.outage_until) = Some(Instant::now() + d);
}

/// How the agent `eid` answers calls queued from now on; `false` for an unknown agent.
/// `POST /__sim/place {"eid": "...", "customer": "919876543210"}`: a call placed from another
/// desk (a colleague dialling from the portal), listed account-wide like any other.
fn place(shared: &Shared, spec: &Value) -> Response {
    let (Some(eid), Some(customer)) = (spec["eid"].as_str(), spec["customer"].as_str()) else {
        return reply(
            StatusCode::BAD_REQUEST,
            json!({"error": "eid and customer (digits with the country code) needed"}),
        );
    };
    match place_call(shared, eid, customer) {
        Some(call) => reply(StatusCode::OK, json!(call)),
        None => reply(
            StatusCode::NOT_FOUND,
            json!({"error": format!("no agent {eid}")}),
        ),
    }
}

/// A call from agent `eid` to `customer`, queued now from another desk; `None` for an unknown
/// agent.
pub(crate) fn place_call(shared: &Shared, eid: &str, customer: &str) -> Option<CallInfo> {
    let agent = lock(&shared.agents)
        .iter()
        .find(|a| a.eid == eid)
        .cloned()?;
    let did = shared
        .account
        .dids
        .first()
        .map(|d| d.did.trim_start_matches('+').to_string())
        .unwrap_or_default();
    let call = crate::endpoints::queue_call(shared, agent, customer, did, None);
    Some(call.info(Instant::now()))
}

pub(crate) fn set_answer(shared: &Shared, eid: &str, answer: Answer) -> bool {
    let mut agents = lock(&shared.agents);
    let Some(agent) = agents.iter_mut().find(|a| a.eid == eid) else {
        return false;
    };
    agent.answer = answer;
    true
}

/// Appends `extra` generated agents, numbered after those already there.
pub(crate) fn add_team(shared: &Shared, extra: usize) {
    let mut agents = lock(&shared.agents);
    let extra = extra.min(5_000usize.saturating_sub(agents.len()));
    let first = agents.len();
    for i in first..first + extra {
        agents.push(team_member(i));
    }
}
