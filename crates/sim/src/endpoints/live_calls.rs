//! `GET /v1/live_calls`: the account's calls not yet ended (colleagues' too), newest first,
//! with the platform's fields, in the shape served ([`Shapes`]).

use std::time::{Duration, Instant};

use axum::http::StatusCode;
use axum::response::Response;
use serde_json::{json, Value};

use super::{digits, reply};
use crate::date;
use crate::lifecycle::{SimCall, Stage};
use crate::server::{lock, Shared};
use crate::shapes::{Legs, Shapes};

pub(crate) fn live_calls(shared: &Shared, param: &dyn Fn(&str) -> Option<String>) -> Response {
    let now = Instant::now();
    let agent = param("agent_number")
        .map(|a| digits(&a))
        .filter(|a| !a.is_empty());
    let call_id = param("call_id");
    let did = param("did_number")
        .map(|d| digits(&d))
        .filter(|d| !d.is_empty());
    let shapes = *lock(&shared.shapes);
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
            Stage::AgentRinging if shapes.listed_once_agent_answers => None,
            stage => Some(c.live_row(stage, now, shapes)),
        })
        .collect();
    reply(StatusCode::OK, Value::Array(rows))
}

impl SimCall {
    /// A `/v1/live_calls` row, with the platform's field names and types. `state` is
    /// `Ringing` while either phone rings and `Answered` once connected.
    ///
    /// Real rows ([`Legs::Real`]) put the agent's mobile in `source` and the customer alone in
    /// `destination` in every state, so they never tell which phone rings. The docs sample's
    /// shape ([`Legs::DocsSample`]) has the DID in `source` and, while only the agent's phone
    /// rings, the agent's number alone in `destination`; from the customer's leg on it is
    /// `"<agent>,+<customer>"` (our first guess, kept for clients that read it).
    pub(crate) fn live_row(&self, stage: Stage, now: Instant, shapes: Shapes) -> Value {
        let elapsed = now.saturating_duration_since(self.queued_at).as_secs();
        let agent_leg = self.agent.follow_me_number.clone();
        let (source, destination, leg, channel) = match shapes.legs {
            Legs::Real | Legs::Extension => (
                if shapes.legs == Legs::Extension {
                    crate::account::extension(&self.agent)
                } else {
                    agent_leg.clone()
                },
                format!("+{}", self.customer),
                format!("PJSIP/{}", self.customer),
                self.call_id.clone(),
            ),
            Legs::DocsSample => (
                format!("+{}", self.did),
                match stage {
                    Stage::AgentRinging => agent_leg.clone(),
                    _ => format!("{agent_leg},+{}", self.customer),
                },
                format!("SIP/{agent_leg}"),
                format!("SIP/sim-{:08x}", self.seq),
            ),
        };
        json!({
            "id": 793_133_114u64 + self.seq,
            "user_id": self.agent.user_id,
            "client_id": null,
            "call_id": self.call_id,
            "direction": 2,
            "source": source,
            "type": "click-to-call",
            "did": format!("+{}", self.did),
            "multiple_destination_type": "c2c",
            "multiple_destination_name": leg,
            "destination": destination,
            "state": if stage == Stage::Connected { "Answered" } else { "Ringing" },
            "queue_state": null,
            "channel_id": channel,
            "created_at": date::format_ist(self.unix_at(Duration::ZERO)),
            "sip_domain": "10.0.0.1",
            "broadcast_id": null,
            "broadcast_no": null,
            "call_time": format!("{:02}:{:02}:{:02}", elapsed / 3600, elapsed / 60 % 60, elapsed % 60),
            "agent_name": self.agent.name,
            "customer_number": shapes.customer_number.write(&self.customer),
        })
    }
}
