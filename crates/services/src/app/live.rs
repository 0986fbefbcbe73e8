//! The live-call rules, for every entry point whichever process placed the earlier call:
//! a number whose call may still be live is not dialled again, and an agent on a call is not
//! rung for another one (a supervisor dialling for others is held up only by that agent's own
//! call).
//!
//! Decided from this process's follower first, then from the ledger (every process's calls);
//! only when the ledger holds a call whose end is not known does it cost one `live_calls` read,
//! so a dial after a finished call costs no extra request. A row proves our call live only by
//! the `call_id` our dial got back, or, when there is none, by being tied to that dial (our
//! reference, or our agent as the row names them) with the customer's number and a start near
//! ours: a colleague's call to the same customer proves nothing (servetel-api.md §5.6).

use clickdial_core::api::LiveCall;
use clickdial_core::follow::Owner;
use clickdial_core::settings::Settings;

use super::session::AppSession;
use super::Clickdial;
use crate::error::Detail;
use crate::ledger::{display_number, CallRow, Party, BOUNCE_WINDOW};
use crate::{Code, Error};

/// How long after its dial a call whose end is unknown may still be live, when the agent set
/// no longest call time.
const DEFAULT_LONGEST_CALL_S: i64 = 3600;

/// Ringing before talk starts, and the two clocks' disagreement.
const RING_SLACK_S: i64 = 120;

impl Clickdial {
    /// Refuses a dial to `e164` for `agent` while a call to that number, or the agent's call to
    /// another, placed at least the bounce window ago (the guard speaks for younger ones) and
    /// at most the longest call time (and the ring slack) ago, may be live. Sends nothing when
    /// it refuses.
    pub(super) async fn refuse_if_live(
        &self,
        session: &AppSession,
        settings: &Settings,
        e164: &str,
        agent: &str,
    ) -> Result<(), Error> {
        if let Some(follower) = &self.follower {
            follower.refuse_if_live(e164, BOUNCE_WINDOW)?;
            if let Some(call) = follower.agent_on_call(agent, e164) {
                return Err(agent_busy(settings, agent, call.international));
            }
        }
        let Ok(dialer) = self.dialer() else {
            return Ok(());
        };
        let now = self.now_ms();
        let longest = settings
            .call_timeout
            .map_or(DEFAULT_LONGEST_CALL_S, i64::from)
            + RING_SLACK_S;
        let account = session.session.ledger_account();
        let bounce = i64::try_from(BOUNCE_WINDOW.as_millis()).unwrap_or(i64::MAX);
        // Placed from the longest call time ago up to the bounce window ago, both included: the
        // guard counts its window from the reply, so at its end it may just have stopped
        // speaking for a call answered within the millisecond it was placed. Saturating: the
        // clock and the ledger's times are not trusted to be sane.
        let from = now.saturating_sub(longest.saturating_mul(1000));
        let to = now.saturating_sub(bounce).saturating_add(1);
        let open = |party| {
            dialer
                .ledger()
                .unended_calls(&account, party, from, to, now)
        };
        let to_number = open(Party::Number(e164))?;
        let of_agent: Vec<CallRow> = open(Party::Agent(agent))?
            .into_iter()
            .filter(|c| c.e164 != e164)
            .collect();
        if to_number.is_empty() && of_agent.is_empty() {
            return Ok(());
        }
        // One read for every candidate; if the server cannot tell, the dial goes ahead (the
        // ledger's guard still refuses a repeat within its window).
        let same_agent = to_number.iter().all(|c| c.agent == agent);
        let filter = same_agent.then_some(agent);
        let Ok(rows) = session.client().live_calls(filter).await else {
            return Ok(());
        };
        // What ties a row to each candidate: its references, and its agent as rows may name them.
        let mut owners: Vec<(i64, Owner)> = Vec::new();
        let mut by_agent: Vec<(String, Owner)> = Vec::new();
        for call in to_number.iter().chain(&of_agent) {
            let known = by_agent
                .iter()
                .find(|(a, _)| *a == call.agent)
                .map(|(_, o)| o.clone());
            let agent_owner = match known {
                Some(o) => o,
                None => {
                    let o = session.owner_listed(&call.agent).await;
                    by_agent.push((call.agent.clone(), o.clone()));
                    o
                }
            };
            let mut owner = agent_owner.with_ref(&call.custom_identifier);
            if let Some(r) = &call.ref_id {
                owner = owner.with_ref(r);
            }
            owners.push((call.id, owner));
        }
        let owner_of = |id: i64| owners.iter().find(|(i, _)| *i == id).map(|(_, o)| o);
        let live = |call: &&CallRow| {
            owner_of(call.id).is_some_and(|o| rows.iter().any(|r| proves_live(r, call, o)))
        };
        if let Some(call) = to_number.iter().find(live) {
            return Err(live_call_error(call));
        }
        match of_agent.iter().find(live) {
            Some(call) => Err(agent_busy(settings, agent, display_number(&call.e164))),
            None => Ok(()),
        }
    }
}

/// "You are on a call with …" when `agent` is who this user is, else the agent by ID.
fn agent_busy(settings: &Settings, agent: &str, number: String) -> Error {
    let me = settings.default_agent();
    let message = if me == Some(agent) {
        format!("You are on a call with {number}: hang up first.")
    } else {
        format!(
            "Agent {agent} is on a call with {number}: hang up first, or choose another \
             agent."
        )
    };
    Error::new(Code::Busy, message).with_detail(Detail::AgentBusy {
        agent: agent.to_string(),
        number,
    })
}

/// Whether the live row is this call: by the call id our dial got back, else (no id) by being
/// tied to it (`owner`), to the customer's number, with a start no earlier than our dial.
fn proves_live(row: &LiveCall, call: &CallRow, owner: &Owner) -> bool {
    match (&call.call_id, &row.call_id) {
        (Some(ours), Some(theirs)) => ours == theirs,
        (Some(_), None) => false,
        (None, _) => {
            row.direction != Some(1)
                && row.is_to(&call.e164)
                && row.created_at.is_none_or(|t| {
                    t.saturating_mul(1000) >= call.created_at_ms.saturating_sub(RING_SLACK_S * 1000)
                })
                && owner.owns_live(row, &call.e164)
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ledger::{CallState, Source};

    fn call(call_id: Option<&str>) -> CallRow {
        CallRow {
            id: 1,
            account: "x".into(),
            e164: "+919876543210".into(),
            ext: None,
            agent: "0506123456781".into(),
            caller_id: None,
            source: Source::Cli,
            state: CallState::Queued,
            reason: None,
            ref_id: None,
            call_id: call_id.map(str::to_string),
            custom_identifier: "c".into(),
            message: None,
            created_at_ms: 1_700_000_000_000,
            finished_at_ms: None,
            outcome: None,
            talk_s: None,
            ended_at_ms: None,
            detail: None,
            has_recording: false,
            stage: None,
            disposition: None,
            note: None,
            handoff: None,
        }
    }

    fn row(json: serde_json::Value) -> LiveCall {
        LiveCall::from_row(&json).unwrap()
    }

    fn asha() -> Owner {
        Owner::agent("0506123456781").with_phone("+919810000001")
    }

    #[test]
    fn a_row_proves_our_call_live_by_its_id_else_by_our_agent_number_and_time() {
        let listed = row(serde_json::json!({"call_id": "7.1", "state": "Answered",
            "source": "+919810000001", "customer_number": "919876543210",
            "destination": "+919876543210"}));
        assert!(proves_live(&listed, &call(Some("7.1")), &asha()));
        assert!(
            !proves_live(&listed, &call(Some("7.2")), &asha()),
            "another call"
        );
        assert!(proves_live(&listed, &call(None), &asha()));
        // A colleague on a call with the same customer proves nothing about ours.
        let colleague = Owner::agent("0506123456782").with_phone("+919810000002");
        assert!(!proves_live(&listed, &call(None), &colleague));
        let other = row(serde_json::json!({"call_id": "7.3", "state": "Answered",
            "source": "+919810000001", "customer_number": "9876500000"}));
        assert!(!proves_live(&other, &call(None), &asha()));
    }

    /// A server's start time is untrusted: an absurd one must neither panic nor prove a call.
    #[test]
    fn an_absurd_start_time_does_not_panic() {
        for created in [i64::MAX, i64::MIN] {
            let mut listed = row(serde_json::json!({"state": "Ringing",
                "source": "+919810000001", "customer_number": "9876543210"}));
            listed.created_at = Some(created);
            let _ = proves_live(&listed, &call(None), &asha());
            // Nor an absurd time of ours, from a ledger another version wrote.
            let mut ours = call(None);
            ours.created_at_ms = created;
            let _ = proves_live(&listed, &ours, &asha());
        }
    }
}
