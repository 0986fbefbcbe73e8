//! The live-call rule: a number whose call may still be live is not dialled again, whichever
//! process placed that call and whichever entry point asks now.
//!
//! Decided from this process's follower first, then from the ledger (every process's calls);
//! only when the ledger holds a call to the number whose end is not known does it cost one
//! `live_calls` read, so a dial after a finished call costs no extra request. A row proves our
//! call live only by the `call_id` our dial got back, or, when there is none, by the customer's
//! number and a start near ours.

use clickdial_core::api::LiveCall;

use super::session::AppSession;
use super::Clickdial;
use crate::error::Detail;
use crate::ledger::{display_number, CallRow, BOUNCE_WINDOW};
use crate::{Code, Error};

/// How long after its dial a call whose end is unknown may still be live, when the agent set
/// no longest call time.
const DEFAULT_LONGEST_CALL_S: i64 = 3600;

/// Ringing before talk starts, and the two clocks' disagreement.
const RING_SLACK_S: i64 = 120;

impl Clickdial {
    /// Refuses a dial to `e164` while a call to it, placed at least the bounce window ago (the
    /// guard speaks for younger ones), may be live. Sends nothing when it refuses.
    pub(super) async fn refuse_if_live(
        &self,
        session: &AppSession,
        e164: &str,
    ) -> Result<(), Error> {
        if let Some(follower) = &self.follower {
            follower.refuse_if_live(e164, BOUNCE_WINDOW)?;
        }
        let Ok(dialer) = self.dialer() else {
            return Ok(());
        };
        let now = crate::ledger::wall_clock_ms();
        let longest = self
            .settings()
            .call_timeout
            .map_or(DEFAULT_LONGEST_CALL_S, i64::from)
            + RING_SLACK_S;
        let account = crate::dialer::server_of(session.client());
        let bounce = i64::try_from(BOUNCE_WINDOW.as_millis()).unwrap_or(i64::MAX);
        let open = dialer.ledger().unended_calls_to(
            &account,
            e164,
            now - longest * 1000,
            now - bounce,
            now,
        )?;
        let Some(newest) = open.first() else {
            return Ok(());
        };
        // One read for every candidate; if the server cannot tell, the dial goes ahead (the
        // ledger's guard still refuses a repeat within its window).
        let Ok(rows) = session.client().live_calls(Some(&newest.agent)).await else {
            return Ok(());
        };
        match open
            .iter()
            .find(|call| rows.iter().any(|r| proves_live(r, call)))
        {
            Some(call) => Err(live_call_error(call)),
            None => Ok(()),
        }
    }
}

/// Whether the live row is this call: by the call id our dial got back, else (no id) by the
/// customer's number and a start no earlier than our dial.
fn proves_live(row: &LiveCall, call: &CallRow) -> bool {
    match (&call.call_id, &row.call_id) {
        (Some(ours), Some(theirs)) => ours == theirs,
        (Some(_), None) => false,
        (None, _) => {
            row.direction != Some(1)
                && row.is_to(&call.e164)
                && row
                    .created_at
                    .is_none_or(|t| t * 1000 >= call.created_at_ms - RING_SLACK_S * 1000)
        }
    }
}

fn live_call_error(call: &CallRow) -> Error {
    let number = display_number(&call.e164);
    Error::new(
        Code::Busy,
        format!("A call to {number} is in progress. Hang up first, or wait for it to end."),
    )
    .with_detail(Detail::LiveCall {
        e164: call.e164.clone(),
    })
}
