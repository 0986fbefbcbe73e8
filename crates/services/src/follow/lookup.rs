//! Looking a call up in the call records, and one-shot looks for a process that does not
//! stay to follow (the CLI's `status`, Play recording).

use std::sync::Arc;

use clickdial_core::api::{Agent, ApiError, CallRecord, RecordQuery};
use clickdial_core::follow::{CallView, Owner, Stage, Tracker, RECORD_PAGES, RECORD_PAGE_SIZE};
use clickdial_core::Client;

use super::progress_of;
use crate::blocking;
use crate::error::{Code, Error};
use crate::ledger::{CallRow, Ledger};

/// One look at the call records for `tracker`'s call: the documented date filters only, a
/// window around when it started, in pages of [`RECORD_PAGE_SIZE`] until its record is found
/// or a page is not full, at most [`RECORD_PAGES`] pages (bounded on an account with hundreds
/// of agents calling at once). No order and no other filter is assumed (servetel-api.md §5.6).
pub async fn read_records(client: &Client, tracker: &Tracker) -> Result<Vec<CallRecord>, ApiError> {
    let (from, to) = tracker.window_s();
    let mut rows = Vec::new();
    for page in 1..=RECORD_PAGES {
        let reply = client
            .call_records(&RecordQuery {
                from_unix: Some(from),
                to_unix: Some(to),
                page,
                limit: RECORD_PAGE_SIZE,
                ..RecordQuery::default()
            })
            .await;
        let records = match reply {
            Ok(r) => r.records,
            // A later page failing keeps what the earlier ones gave.
            Err(_) if page > 1 => break,
            Err(e) => return Err(e),
        };
        let full = records.len() >= RECORD_PAGE_SIZE as usize;
        rows.extend(records);
        if !full || tracker.finds_record(&rows) {
            break;
        }
    }
    Ok(rows)
}

/// The recording of the call in `row`, read afresh from its call record: the address carries
/// an access token, so it is never kept, only opened.
pub async fn recording_of(
    client: &Client,
    row: &CallRow,
    agents: &[Agent],
    now_ms: i64,
) -> Result<clickdial_core::Secret, Error> {
    let mut tracker = tracker_of(row, agents);
    tracker.assume_ended(now_ms);
    let records = read_records(client, &tracker).await.map_err(Error::from)?;
    tracker.recording_in(&records).ok_or_else(|| {
        Error::new(
            Code::InvalidInput,
            "The server no longer has a recording of this call.",
        )
    })
}

/// What ties a ledger row's call to us: its agent (with their mobile from the agents' list,
/// when known), and the references the dial was known by.
pub fn owner_of(row: &CallRow, agents: &[Agent]) -> Owner {
    let mut owner = Owner::agent(&row.agent).with_ref(&row.custom_identifier);
    if let Some(r) = &row.ref_id {
        owner = owner.with_ref(r);
    }
    if let Some(phone) = agents
        .iter()
        .find(|a| a.id == row.agent)
        .and_then(|a| a.follow_me_number.as_deref())
    {
        owner = owner.with_phone(phone);
    }
    owner
}

/// A tracker for a ledger row's call, resumed under its live call id when one was seen.
pub(super) fn tracker_of(row: &CallRow, agents: &[Agent]) -> Tracker {
    let t = Tracker::new(&row.e164, row.created_at_ms, owner_of(row, agents));
    match &row.call_id {
        Some(id) => t.resumed(id),
        None => t,
    }
}

/// One look at a call from history, for a command line that does not stay running: live calls
/// once, and the call records if it has ended. What it learns goes to the ledger too.
pub async fn look_up(
    client: &Client,
    ledger: &Arc<Ledger>,
    row: &CallRow,
    agents: &[Agent],
    now_ms: i64,
) -> Result<CallView, Error> {
    let mut tracker = tracker_of(row, agents);
    // A call never seen live that is older than any call can ring unseen has ended: reading
    // live calls could only match somebody else's call to the same number.
    let old_unseen = row.call_id.is_none()
        && now_ms - row.created_at_ms > clickdial_core::follow::NEVER_LISTED.as_millis() as i64;
    let live = if old_unseen {
        Vec::new()
    } else {
        client.live_calls(None).await.map_err(Error::from)?
    };
    tracker.observe_live(now_ms, &live, &|_| false);
    if tracker.missing() {
        // Seen live before, missing now: a follower would read once more to be sure; a
        // one-shot look takes it as ended, and keeps only what a call record confirms.
        tracker.assume_ended(now_ms);
    }
    if tracker.stage() == Stage::Ended {
        if let Some(outcome) = row.outcome {
            // Already known: no need to ask again.
            let mut view = tracker.view(now_ms);
            view.outcome = Some(outcome);
            view.talk_s = row.talk_s.and_then(|t| u64::try_from(t).ok());
            view.elapsed_s = row.ended_at_ms.map_or(view.elapsed_s, |e| {
                u64::try_from((e - row.created_at_ms).max(0) / 1000).unwrap_or(0)
            });
            view.detail = row.detail.clone();
            view.following = false;
            return Ok(view);
        }
        match read_records(client, &tracker).await {
            Ok(records) => {
                tracker.observe_records(&records);
            }
            Err(ApiError::Forbidden { .. }) => {
                tracker.records_failed(now_ms, true);
            }
            Err(_) => {
                tracker.records_failed(now_ms, false);
            }
        }
    }
    let mut p = progress_of(&tracker, now_ms);
    if !tracker.settled() {
        // Only a record's outcome is kept: a guess now would stop a later, better look.
        p.outcome = None;
        p.talk_s = None;
        p.ended_at_ms = None;
    }
    let ledger = ledger.clone();
    let id = row.id;
    let _ = blocking(move || p.write(&ledger, id).map_err(Error::from)).await;
    let mut view = tracker.view(now_ms);
    view.following = false;
    Ok(view)
}
