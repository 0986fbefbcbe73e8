//! Calls another process placed (the CLI, a window that closed): the window's follower takes
//! them on when it reads them in history, so their rows, and the call bar, show where they
//! stand instead of "Queued" until the call record comes.

use std::time::Duration;

use clickdial_core::api::Agent;

use super::{owner_of, ClientRef, Follower};
use crate::ledger::{CallRow, CallState};

/// How recent a call must be to be taken on: older ones have ended, and backfill reads how.
pub const ADOPT_WITHIN: Duration = Duration::from_secs(10 * 60);

impl Follower {
    /// Follows the calls among `rows` that are queued on `client`'s account, started within
    /// [`ADOPT_WITHIN`], with no outcome yet, and not followed already. Returns how many.
    pub fn adopt(&self, rows: &[CallRow], client: &ClientRef, agents: &[Agent]) -> usize {
        let now = (self.now_ms)();
        let account = crate::dialer::server_of((**client).as_ref());
        let within = i64::try_from(ADOPT_WITHIN.as_millis()).unwrap_or(i64::MAX);
        let followed: Vec<i64> = self.lock().calls.iter().map(|c| c.id).collect();
        let mut adopted = 0;
        // Oldest first, so the newest ends up first, as a dial would leave it.
        for row in rows.iter().rev().filter(|r| {
            r.state == CallState::Queued
                && r.outcome.is_none()
                && r.ended_at_ms.is_none()
                && r.account == account
                && (0..within).contains(&(now - r.created_at_ms))
                && !followed.contains(&r.id)
        }) {
            self.follow_row(
                row.id,
                &row.e164,
                &row.agent,
                owner_of(row, agents),
                row.call_id.as_deref(),
                client.clone(),
                row.created_at_ms,
                false,
            );
            adopted += 1;
        }
        adopted
    }
}
