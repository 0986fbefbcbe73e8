//! The event log other programs read (`clickdial events`): every dial's result, every stage a
//! follower saw, each call's end and each wrap-up, from every Clickdial process on this
//! computer, in the order they were written. The rows are written by the ledger's triggers
//! (schema v4), in the same write as the change they record; here they are read and put in
//! their published JSON form ([`EVENT_SCHEMA`]), and wrap-ups are saved.

use std::collections::HashMap;

use rusqlite::params;
use serde_json::{json, Value};

use super::history::SELECT_ROW;
use super::{storage, CallRow, Ledger, LedgerError};

/// The version of the events' JSON form. Fields may be added within a version; none is
/// renamed, removed or given another meaning without a new one.
pub const EVENT_SCHEMA: u32 = 1;

/// The most characters of a wrap-up note kept.
pub const MAX_NOTE: usize = 500;

/// What came of handing a call's wrap-up to the CRM (the after-call hand-off).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Handoff {
    /// The CRM took it (a 2xx answer), or the link was handed to the browser.
    pub delivered: bool,
    /// Why not, in a few words (never the address's query, which may hold a token).
    pub reason: Option<String>,
    /// When it was tried last (Unix ms).
    pub at_ms: i64,
}

/// What happened.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EventKind {
    /// The dial's result: `queued`, `notPlaced` or `unknown` (may have been placed).
    Dial(String),
    /// A follower saw the call reach a stage (`ringingAgent`, `ringing`, `connected`, `ended`).
    Stage(String),
    /// The call ended; its outcome (`answered`, `missed`, `busy`…).
    End(String),
    /// The agent's wrap-up: the disposition, and the note.
    Wrapup {
        disposition: Option<String>,
        note: Option<String>,
    },
}

/// A page of events, and where reading stopped: events this version cannot describe (a newer
/// Clickdial's kinds) are passed over, so `last_seq` and `full` say where to go on from.
#[derive(Debug, Clone)]
pub struct EventPage {
    pub events: Vec<CallEvent>,
    /// The last event read (described or passed over); the `seq` given when none was.
    pub last_seq: i64,
    /// The page was full: there may be more to read at once.
    pub full: bool,
}

/// One event with its call as it stands now.
#[derive(Debug, Clone)]
pub struct CallEvent {
    pub seq: i64,
    pub at_ms: i64,
    pub kind: EventKind,
    pub call: CallRow,
}

impl CallEvent {
    /// The published form: one JSON object, the same for every reader (the CLI's `events`, a
    /// CRM hand-off). Times as Unix ms and as ISO 8601 in India time; numbers in E.164. Never a
    /// secret or a recording's address: only whether there is one.
    pub fn to_json(&self, names: &HashMap<String, String>) -> Value {
        let c = &self.call;
        let mut call = json!({
            "id": c.id,
            "number": c.e164,
            "agent": c.agent,
            "agentName": names.get(&c.agent),
            "callerId": c.caller_id,
            "source": c.source.as_str(),
            "reference": c.ref_id,
            "callId": c.call_id,
            "customIdentifier": c.custom_identifier,
            "placedAtMs": c.created_at_ms,
            "talkSeconds": c.talk_s,
            "recording": c.has_recording,
        });
        let mut event = json!({
            "schema": EVENT_SCHEMA,
            "seq": self.seq,
            "atMs": self.at_ms,
            "at": iso_ist(self.at_ms),
        });
        match &self.kind {
            EventKind::Dial(state) => {
                event["type"] = json!("dial");
                event["state"] = json!(state);
                if state != "queued" {
                    event["reason"] = json!(c.reason);
                }
            }
            EventKind::Stage(stage) => {
                event["type"] = json!("stage");
                event["stage"] = json!(stage);
            }
            EventKind::End(outcome) => {
                event["type"] = json!("end");
                event["outcome"] = json!(outcome);
                event["talkSeconds"] = json!(c.talk_s);
                event["recording"] = json!(c.has_recording);
            }
            EventKind::Wrapup { disposition, note } => {
                event["type"] = json!("wrapup");
                event["disposition"] = json!(disposition);
                event["note"] = json!(note);
            }
        }
        call["outcome"] = json!(c.outcome.map(|o| o.as_str()));
        event["call"] = call;
        event
    }
}

/// `2026-12-08T10:15:02.123+05:30`.
fn iso_ist(ms: i64) -> String {
    let text = clickdial_core::clock::format_ist(ms.div_euclid(1000));
    format!(
        "{}T{}.{:03}+05:30",
        &text[..10],
        &text[11..19],
        ms.rem_euclid(1000)
    )
}

impl Ledger {
    /// Events after `seq` (0: from the first), oldest first, at most `limit`; only those at or
    /// after `since_ms` when given.
    pub fn events_after(
        &self,
        seq: i64,
        since_ms: Option<i64>,
        limit: usize,
        now_ms: i64,
    ) -> Result<EventPage, LedgerError> {
        let conn = self.conn();
        let mut stmt = conn
            .prepare_cached(
                "SELECT seq, call, at_ms, kind, value, note FROM events
                 WHERE seq > ?1 AND (?2 IS NULL OR at_ms >= ?2)
                 ORDER BY seq LIMIT ?3",
            )
            .map_err(storage)?;
        let limit = i64::try_from(limit.max(1)).unwrap_or(i64::MAX);
        let raw = stmt
            .query_map(params![seq, since_ms, limit], |r| {
                Ok((
                    r.get::<_, i64>(0)?,
                    r.get::<_, i64>(1)?,
                    r.get::<_, i64>(2)?,
                    r.get::<_, String>(3)?,
                    r.get::<_, Option<String>>(4)?,
                    r.get::<_, Option<String>>(5)?,
                ))
            })
            .map_err(storage)?
            .collect::<Result<Vec<_>, _>>()
            .map_err(storage)?;
        let mut row = conn
            .prepare_cached(&format!("{SELECT_ROW} WHERE id = ?1"))
            .map_err(storage)?;
        let full = raw.len() == usize::try_from(limit).unwrap_or(usize::MAX);
        let last_seq = raw.last().map_or(seq, |r| r.0);
        let mut out = Vec::with_capacity(raw.len());
        for (seq, call, at_ms, kind, value, note) in raw {
            let kind = match (kind.as_str(), value) {
                ("dial", Some(v)) => EventKind::Dial(v),
                ("stage", Some(v)) => EventKind::Stage(v),
                ("end", Some(v)) => EventKind::End(v),
                ("wrapup", disposition) => EventKind::Wrapup { disposition, note },
                // A kind a newer Clickdial writes: not ours to describe.
                _ => continue,
            };
            let Some(call) = row
                .query_row([call], |r| super::history::read_row(r, now_ms))
                .ok()
            else {
                continue;
            };
            out.push(CallEvent {
                seq,
                at_ms,
                kind,
                call,
            });
        }
        Ok(EventPage {
            events: out,
            last_seq,
            full,
        })
    }

    /// The newest event's number (0 when there is none): where `--follow` starts.
    pub fn last_event(&self) -> Result<i64, LedgerError> {
        self.conn()
            .query_row("SELECT COALESCE(MAX(seq), 0) FROM events", [], |r| r.get(0))
            .map_err(storage)
    }

    /// The number just before the first event of call `id`, so reading after it starts with
    /// that call; `None` when the call has no event.
    pub fn before_events_of(&self, id: i64) -> Result<Option<i64>, LedgerError> {
        self.conn()
            .query_row(
                "SELECT MIN(seq) - 1 FROM events WHERE call = ?1",
                [id],
                |r| r.get::<_, Option<i64>>(0),
            )
            .map_err(storage)
    }

    /// Saves the agent's wrap-up of call `id` (editing an earlier one: what is given replaces
    /// it, what is `None` is kept, so a note added later keeps the disposition), which logs a
    /// `wrapup` event. `false` when there is no such call.
    pub fn wrap_up(
        &self,
        id: i64,
        disposition: Option<&str>,
        note: Option<&str>,
        now_ms: i64,
    ) -> Result<bool, LedgerError> {
        self.save_wrap_up(id, disposition, note, true, now_ms)
    }

    /// The agent's edit of the wrap-up of call `id` (the form shows both, prefilled): the note
    /// replaces the saved one (`None` or empty clears it); the disposition replaces it when
    /// given, else the saved one is kept (even one the list no longer offers). Logs a
    /// `wrapup` event like [`Ledger::wrap_up`]. `false` when there is no such call.
    pub fn edit_wrap_up(
        &self,
        id: i64,
        disposition: Option<&str>,
        note: Option<&str>,
        now_ms: i64,
    ) -> Result<bool, LedgerError> {
        self.save_wrap_up(id, disposition, note, false, now_ms)
    }

    fn save_wrap_up(
        &self,
        id: i64,
        disposition: Option<&str>,
        note: Option<&str>,
        keep_note: bool,
        now_ms: i64,
    ) -> Result<bool, LedgerError> {
        let note = note
            .map(|n| clickdial_core::sanitize::clean_text(n, MAX_NOTE))
            .filter(|n| !n.is_empty());
        let changed = self
            .conn()
            .prepare_cached(
                "UPDATE calls SET disposition = COALESCE(?2, disposition),
                                  note = CASE WHEN ?5 THEN COALESCE(?3, note) ELSE ?3 END,
                                  wrapped_at_ms = ?4
                 WHERE id = ?1",
            )
            .and_then(|mut s| s.execute(params![id, disposition, note, now_ms, keep_note]))
            .map_err(storage)?;
        Ok(changed == 1)
    }

    /// The last wrap-up event of call `id` (what `clickdial events` printed for it), read as
    /// the call stands now; `None` when the call has no wrap-up.
    pub fn wrapup_event(&self, id: i64, now_ms: i64) -> Result<Option<CallEvent>, LedgerError> {
        let Some(seq) = self.last_wrapup_seq(id)? else {
            return Ok(None);
        };
        Ok(self
            .events_after(seq - 1, None, 1, now_ms)?
            .events
            .into_iter()
            .find(|e| e.seq == seq))
    }

    /// The `seq` of call `id`'s last wrap-up event; `None` when it has none.
    pub fn last_wrapup_seq(&self, id: i64) -> Result<Option<i64>, LedgerError> {
        self.conn()
            .query_row(
                "SELECT MAX(seq) FROM events WHERE call = ?1 AND kind = 'wrapup'",
                [id],
                |r| r.get(0),
            )
            .map_err(storage)
    }

    /// Records what came of handing call `id`'s wrap-up to the CRM (`reason`: why not, in a
    /// few words). Bookkeeping only: no trigger watches these columns, so no event is logged.
    pub fn set_handoff(
        &self,
        id: i64,
        delivered: bool,
        reason: Option<&str>,
        at_ms: i64,
    ) -> Result<(), LedgerError> {
        self.conn()
            .prepare_cached(
                "UPDATE calls SET handoff = ?2, handoff_reason = ?3, handoff_at_ms = ?4
                 WHERE id = ?1",
            )
            .and_then(|mut s| {
                s.execute(params![
                    id,
                    if delivered {
                        "delivered"
                    } else {
                        "notDelivered"
                    },
                    reason,
                    at_ms
                ])
            })
            .map_err(storage)?;
        Ok(())
    }
}
