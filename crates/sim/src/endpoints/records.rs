//! `GET /v1/call/records`: a record (CDR) for each ended call, a moment after its end; paged,
//! filtered and ordered as the shapes served say ([`Shapes`]: by default no filter applies,
//! newest first).

use std::time::{Duration, Instant};

use axum::http::StatusCode;
use axum::response::Response;
use serde_json::{json, Value};

use super::{digits, reply};
use crate::date;
use crate::lifecycle::{End, SimCall, Stage};
use crate::server::{lock, Shared};
use crate::shapes::{Legs, RecordFilters, Shapes};

pub(crate) fn call_records(shared: &Shared, param: &dyn Fn(&str) -> Option<String>) -> Response {
    let now = Instant::now();
    let bound = |name: &str| param(name).and_then(|d| date::parse_ist(d.trim()));
    let (from, to) = (bound("from_date"), bound("to_date"));
    let page: usize = param("page")
        .and_then(|p| p.parse().ok())
        .filter(|&p| p > 0)
        .unwrap_or(1);
    let limit: usize = param("limit")
        .and_then(|l| l.parse().ok())
        .filter(|&l| l > 0)
        .unwrap_or(20)
        .min(1000);
    let call_id = param("call_id");
    let caller = param("callerid")
        .map(|c| digits(&c))
        .filter(|c| !c.is_empty());
    let shapes = *lock(&shared.shapes);
    let (dates, others) = match shapes.record_filters {
        RecordFilters::Ignored => (false, false),
        RecordFilters::Dates => (true, false),
        RecordFilters::All => (true, true),
    };
    let (from, to) = if dates { (from, to) } else { (None, None) };
    let (call_id, caller) = if others {
        (call_id, caller)
    } else {
        (None, None)
    };
    let calls = lock(&shared.calls);
    let mut matching: Vec<Value> = calls
        .iter()
        .rev()
        .filter(|c| {
            let start = c.unix_at(Duration::ZERO);
            from.is_none_or(|f| start >= f) && to.is_none_or(|t| start <= t)
        })
        .filter(|c| call_id.as_ref().is_none_or(|id| *id == c.call_id))
        .filter(|c| {
            caller
                .as_ref()
                .is_none_or(|n| c.customer.ends_with(&n[n.len().saturating_sub(10)..]))
        })
        .filter_map(|c| match c.stage_at(now) {
            Stage::Ended(end)
                if now.saturating_duration_since(c.queued_at)
                    >= end.after + c.timings.cdr_delay =>
            {
                Some(c.record_row(end, shapes))
            }
            _ => None,
        })
        .collect();
    if shapes.records_oldest_first {
        matching.reverse();
    }
    let rows: Vec<Value> = matching
        .iter()
        .skip((page - 1).saturating_mul(limit))
        .take(limit)
        .cloned()
        .collect();
    reply(
        StatusCode::OK,
        json!({"count": matching.len(), "limit": limit, "size": rows.len(), "page": page,
               "results": rows}),
    )
}

impl SimCall {
    /// A `/v1/call/records` row (CDR), with the platform's quirks (numbers as strings).
    pub(crate) fn record_row(&self, end: End, shapes: Shapes) -> Value {
        let start = date::format_ist(self.unix_at(Duration::ZERO));
        json!({
            "id": format!("{:024x}", 0x5f3a_0000_0000u64 + self.seq),
            "call_id": self.call_id,
            "uuid": self.uuid,
            "direction": "outbound",
            "description": end.description,
            "detailed_description": format!("{} ({})", end.description, end.cause),
            "status": if end.answered { "answered" } else { "missed" },
            "recording_url": end.answered.then(|| format!(
                "https://customer.servetel.in/file/recording?callId={}&type=rec&token=sim",
                self.call_id
            )),
            "service": "Click to Call",
            "date": &start[..10],
            "time": &start[11..],
            "end_stamp": date::format_ist(self.unix_at(end.after)),
            "call_duration": end.after.as_secs(),
            "answered_seconds": end.talk.as_secs().to_string(),
            // The agent's mobile on real records; the docs sample's shape names the EID.
            "agent_number": match shapes.legs {
                Legs::Real => self.agent.follow_me_number.clone(),
                Legs::Extension => crate::account::extension(&self.agent),
                Legs::DocsSample => self.agent.eid.clone(),
            },
            "agent_name": self.agent.name,
            "client_number": format!("+{}", self.customer),
            "did_number": format!("+{}", self.did),
            "hangup_cause": end.cause,
            "hangup_cause_code": end.code.to_string(),
            "reason": end.reason,
            "agent_ring_time": end.agent_rang.map_or("N.A.".to_string(), |d| d.as_secs().to_string()),
            "ref_id": self.ref_id,
            "custom_identifier": self.custom_identifier,
        })
    }
}
