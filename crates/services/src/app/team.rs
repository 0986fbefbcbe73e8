//! Team awareness through the platform: before a confirm sheet (a link, the tray, the hotkey:
//! a human is about to confirm anyway), one `live_calls` read tells whether a colleague is
//! already on a call with that customer, and the sheet says so. It never blocks a dial, and a
//! burst of sheets costs one read: the answer is kept for [`TEAM_FRESH_FOR`], and lookups wait
//! for a read under way rather than making their own.

use std::time::{Duration, Instant};

use clickdial_core::api::{last10, LiveCall};
use serde::Serialize;

use super::{lock, Clickdial};
use crate::ledger::display_number;

/// How long one read of the account's live calls answers for.
pub const TEAM_FRESH_FOR: Duration = Duration::from_secs(5);

/// The longest the window's Call waits for the team check: past it, the check says nobody (a
/// slow platform must not hold up, then surprise, the agent's dial).
pub const TEAM_CHECK_WAIT: Duration = Duration::from_millis(1500);

/// A colleague on a call with the customer the sheet is about to dial.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ColleagueCall {
    /// The colleague as the platform names them ("Vikram Das"), or "A colleague".
    pub agent: String,
    /// The customer's number as people read it.
    pub number: String,
    /// How long the call has lasted, in seconds, when the platform says.
    pub elapsed_s: Option<u64>,
    /// "Vikram Das is on a call with +91 98765 43210 (2:14)."
    pub message: String,
}

/// The last read of the account's live calls: for which server, when, what it said.
pub(super) struct TeamRead {
    server: String,
    at: Instant,
    rows: Vec<LiveCall>,
}

/// The team cache, held across the read so a burst waits for one answer.
pub(super) type TeamCache = tokio::sync::Mutex<Option<TeamRead>>;

/// The colleague on a call with `e164` among `rows`, unless the row is the agent's own (`mine`).
fn colleague_in(
    rows: &[LiveCall],
    e164: &str,
    mine: &dyn Fn(&LiveCall) -> bool,
) -> Option<ColleagueCall> {
    let want: String = e164.chars().filter(char::is_ascii_digit).collect();
    let row = rows.iter().find(|r| {
        r.customer
            .as_deref()
            .is_some_and(|c| c.len() >= 10 && last10(c) == last10(&want))
            && !mine(r)
    })?;
    let agent = row
        .agent_name
        .clone()
        .filter(|n| !n.trim().is_empty())
        .unwrap_or_else(|| "A colleague".to_string());
    let number = display_number(e164);
    let time = row
        .elapsed_s
        .map(|s| format!(" ({}:{:02})", s / 60, s % 60))
        .unwrap_or_default();
    Some(ColleagueCall {
        message: format!("{agent} is on a call with {number}{time}."),
        agent,
        number,
        elapsed_s: row.elapsed_s,
    })
}

impl Clickdial {
    /// Whether a colleague is on a call with `e164` now: one `live_calls` read at most every
    /// [`TEAM_FRESH_FOR`] for the account in use. `None` when nobody is, or it cannot be told
    /// (no account, the demo's own calls, a failed read): never an error, never a wait on the
    /// dial.
    pub async fn colleague_on_call(&self, e164: &str) -> Option<ColleagueCall> {
        let session = self.session().await.ok()?;
        let server = crate::dialer::server_of(session.client());
        let rows = {
            let mut cache = self.team.lock().await;
            let fresh = cache
                .as_ref()
                .filter(|r| r.server == server && r.at.elapsed() < TEAM_FRESH_FOR);
            match fresh {
                Some(read) => read.rows.clone(),
                None => {
                    let rows = session.client().live_calls(None).await.ok()?;
                    *cache = Some(TeamRead {
                        server,
                        at: Instant::now(),
                        rows: rows.clone(),
                    });
                    rows
                }
            }
        };
        // The agent's own calls are not a colleague's: rows name them by ID, mobile or
        // extension, as far as this session knows them.
        let me = self.settings().me;
        let owner = match &me {
            Some(id) => Some(session.owner_listed(id).await),
            None => None,
        };
        let digits: String = e164.chars().filter(char::is_ascii_digit).collect();
        colleague_in(&rows, e164, &|r| {
            owner.as_ref().is_some_and(|o| o.owns_live(r, &digits))
        })
    }

    /// Before the window's own Call, when the agent turned the team check on: whether a
    /// colleague is on a call with the number typed. Off (the default), or text that is not a
    /// number, it sends nothing and answers `None`: the plain dial costs no extra request.
    /// Never longer than [`TEAM_CHECK_WAIT`].
    pub async fn colleague_before_dial(
        &self,
        text: &str,
        region: Option<&str>,
    ) -> Option<ColleagueCall> {
        let settings = self.settings();
        if !settings.team_check {
            return None;
        }
        let region = region
            .and_then(|r| clickdial_core::Region::parse(r).ok())
            .unwrap_or_else(|| settings.region());
        let number = clickdial_core::Number::parse(text, region).ok()?;
        tokio::time::timeout(TEAM_CHECK_WAIT, self.colleague_on_call(number.e164()))
            .await
            .ok()
            .flatten()
    }

    /// Looks for a colleague on a call with the number on the sheet; whether the sheet has
    /// something new to say (the window then reads [`Clickdial::link_state`] again).
    pub async fn check_colleagues(&self) -> bool {
        let Some(request) = self.inbox.current() else {
            return false;
        };
        let Some(number) = &request.number else {
            return false;
        };
        let found = self.colleague_on_call(&number.e164).await;
        let mut kept = lock(&self.colleague);
        let new =
            found.is_some() && kept.as_ref().map(|(id, c)| (*id, c)) != Some((request.id, &found));
        *kept = Some((request.id, found));
        new
    }

    /// The colleague on a call with the sheet's number, if one was found for this request.
    pub(super) fn colleague_for(&self, request_id: u64) -> Option<ColleagueCall> {
        lock(&self.colleague)
            .as_ref()
            .filter(|(id, _)| *id == request_id)
            .and_then(|(_, c)| c.clone())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(customer: &str, agent: &str, elapsed: u64) -> LiveCall {
        LiveCall::from_row(&serde_json::json!({
            "state": "Answered", "customer_number": customer, "agent_name": agent,
            "call_time": elapsed, "source": "+919810000002",
        }))
        .unwrap()
    }

    #[test]
    fn names_the_colleague_and_the_time() {
        let rows = [
            row("9876500000", "Asha Rao", 5),
            row("919876543210", "Vikram Das", 134),
        ];
        let c = colleague_in(&rows, "+919876543210", &|_| false).unwrap();
        assert_eq!(c.agent, "Vikram Das");
        assert_eq!(
            c.message,
            "Vikram Das is on a call with +91 98765 43210 (2:14)."
        );
        // The agent's own call is not a colleague's.
        assert_eq!(colleague_in(&rows, "+919876543210", &|_| true), None);
        assert_eq!(colleague_in(&rows, "+919876500001", &|_| false), None);
    }
}
