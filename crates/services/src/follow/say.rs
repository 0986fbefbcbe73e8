//! What a followed call says: its one-line summary, and the desktop notifications worth
//! showing.

use clickdial_core::api::Outcome;
use clickdial_core::follow::{CallView, Stage};

use super::FollowedCall;

/// A desktop notification worth showing for a call that changed from `before` to `after`
/// (title, body): the customer answered, or the call ended without talk (not answered, busy,
/// failed). The agent's own phone rings anyway, so nothing else is announced; a hang-up by the
/// agent is not news to them either.
pub fn notification(
    before: Option<&FollowedCall>,
    after: &FollowedCall,
) -> Option<(String, String)> {
    let was = before.map(|b| (b.view.stage, b.view.outcome));
    let number = &after.international;
    match (after.view.stage, after.view.outcome) {
        (Stage::Connected, _) if was.is_none_or(|(s, _)| s != Stage::Connected) => Some((
            "The customer answered".into(),
            format!("{number} is on the line."),
        )),
        (Stage::Ended, Some(o)) if was != Some((Stage::Ended, Some(o))) => {
            let (title, body) = match o {
                Outcome::Missed => (
                    "The customer did not answer",
                    format!("{number} did not pick up."),
                ),
                Outcome::AgentMissed => (
                    "Your phone was not answered",
                    format!("The call to {number} was not placed."),
                ),
                Outcome::Busy => (
                    "The line was busy",
                    format!("The call to {number} did not connect."),
                ),
                Outcome::Failed => ("The call failed", format!("{number} could not be reached.")),
                Outcome::Answered | Outcome::Cancelled | Outcome::Ended => return None,
            };
            Some((title.into(), body))
        }
        _ => None,
    }
}

/// "Ringing your phone · 0:04", "Answered · talked 1:02", "Busy".
pub fn summary(v: &CallView) -> String {
    let clock = |s: u64| format!("{}:{:02}", s / 60, s % 60);
    match (v.stage, v.outcome) {
        (Stage::Ended, Some(Outcome::Answered)) => match v.talk_s {
            Some(t) => format!("Answered · talked {}", clock(t)),
            None => "Answered".to_string(),
        },
        (Stage::Ended, Some(o)) => o.describe().to_string(),
        (Stage::Ended, None) => "Ended".to_string(),
        (stage, _) if v.unreachable && stage != Stage::Ended => {
            "Cannot reach the server; the call may still be going on".to_string()
        }
        (Stage::Connected, _) => format!("Connected · {}", clock(v.talk_s.unwrap_or(0))),
        (stage, _) => format!("{} · {}", stage.describe(), clock(v.elapsed_s)),
    }
}
