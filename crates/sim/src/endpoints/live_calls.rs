//! `GET /v1/live_calls`: the calls not yet ended, newest first, with the platform's fields.

use std::time::{Duration, Instant};

use axum::http::StatusCode;
use axum::response::Response;
use serde_json::{json, Value};

use super::{digits, reply};
use crate::date;
use crate::lifecycle::{SimCall, Stage};
use crate::server::{lock, Shared};

pub(crate) fn live_calls(shared: &Shared, param: &dyn Fn(&str) -> Option<String>) -> Response {
    let now = Instant::now();
    let agent = param("agent_number")
        .map(|a| digits(&a))
        .filter(|a| !a.is_empty());
    let call_id = param("call_id");
    let did = param("did_number")
        .map(|d| digits(&d))
        .filter(|d| !d.is_empty());
    let calls = lock(&shared.calls);
    let rows: Vec<Value> = calls
        .iter()
        .rev()
        .filter(|c| {
            agent.as_ref().is_none_or(|a| {
                digits(&c.agent.eid) == *a || digits(&c.agent.follow_me_number) == *a
            })
        })
        .filter(|c| call_id.as_ref().is_none_or(|id| *id == c.call_id))
        .filter(|c| did.as_ref().is_none_or(|d| *d == c.did))
        .filter_map(|c| match c.stage_at(now) {
            Stage::Ended(_) => None,
            stage => Some(c.live_row(stage, now)),
        })
        .collect();
    reply(StatusCode::OK, Value::Array(rows))
}

impl SimCall {
    /// A `/v1/live_calls` row, with the platform's field names and types.
    ///
    /// The simulator's documented assumption (the docs show only a two-number sample): while
    /// only the agent's phone rings, `destination` is the agent's number alone; from the
    /// customer's leg on it is `"<agent>,+<customer>"`. A client tells the legs apart by
    /// whether `destination` holds the customer's number; `state` is `Ringing` for both
    /// ringing legs and `Answered` once connected.
    pub(crate) fn live_row(&self, stage: Stage, now: Instant) -> Value {
        let elapsed = now.saturating_duration_since(self.queued_at).as_secs();
        let agent_leg = self.agent.follow_me_number.clone();
        let destination = match stage {
            Stage::AgentRinging => agent_leg.clone(),
            _ => format!("{agent_leg},+{}", self.customer),
        };
        json!({
            "id": 793_133_114u64 + self.seq,
            "user_id": self.agent.user_id,
            "client_id": null,
            "call_id": self.call_id,
            "direction": 2,
            "source": format!("+{}", self.did),
            "type": "click-to-call",
            "did": format!("+{}", self.did),
            "multiple_destination_type": "c2c",
            "multiple_destination_name": format!("SIP/{agent_leg}"),
            "destination": destination,
            "state": if stage == Stage::Connected { "Answered" } else { "Ringing" },
            "queue_state": null,
            "channel_id": format!("SIP/sim-{:08x}", self.seq),
            "created_at": date::format_ist(self.unix_at(Duration::ZERO)),
            "sip_domain": "10.0.0.1",
            "broadcast_id": null,
            "broadcast_no": null,
            "call_time": format!("{:02}:{:02}:{:02}", elapsed / 3600, elapsed / 60 % 60, elapsed % 60),
            "agent_name": self.agent.name,
            "customer_number": &self.customer[self.customer.len().saturating_sub(10)..],
        })
    }
}
