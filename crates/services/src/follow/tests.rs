//! Unit tests of `follow`.

use super::*;

#[test]
fn a_call_is_hung_up_by_its_live_id_only_while_live() {
    assert_eq!(hang_up_target(true, Some("1.2")), Ok("1.2"));
    assert_eq!(hang_up_target(true, None), Err(NotYet::SettingUp));
    assert_eq!(hang_up_target(false, Some("1.2")), Err(NotYet::Ended));
    assert_eq!(hang_up_target(false, None), Err(NotYet::Ended));
    assert!(NotYet::SettingUp
        .error()
        .message
        .contains("still being set up"));
    assert_eq!(NotYet::Ended.error().code, Code::InvalidInput);
}

fn call(stage: Stage, outcome: Option<Outcome>) -> FollowedCall {
    let view = CallView {
        stage,
        elapsed_s: 5,
        talk_s: None,
        call_id: Some("1.1".into()),
        outcome,
        detail: None,
        can_hang_up: stage != Stage::Ended,
        unreachable: false,
        recording: false,
        following: false,
    };
    FollowedCall {
        id: 7,
        international: "+91 98765 43210".into(),
        agent: "A".into(),
        summary: summary(&view),
        unknown: false,
        view,
    }
}

#[test]
fn notifications_only_for_an_answer_and_a_failure_and_only_once() {
    let ringing = call(Stage::Ringing, None);
    let connected = call(Stage::Connected, None);
    assert_eq!(notification(None, &ringing), None);
    assert_eq!(
        notification(Some(&ringing), &connected),
        Some((
            "The customer answered".into(),
            "+91 98765 43210 is on the line.".into()
        ))
    );
    assert_eq!(
        notification(Some(&connected), &connected),
        None,
        "said once"
    );
    for (outcome, title) in [
        (Outcome::Missed, Some("The customer did not answer")),
        (Outcome::AgentMissed, Some("Your phone was not answered")),
        (Outcome::Busy, Some("The line was busy")),
        (Outcome::Failed, Some("The call failed")),
        (Outcome::Answered, None),
        (Outcome::Cancelled, None),
        (Outcome::Ended, None),
    ] {
        let ended = call(Stage::Ended, Some(outcome));
        assert_eq!(
            notification(Some(&ringing), &ended).map(|(t, _)| t),
            title.map(str::to_string),
            "{outcome:?}"
        );
        assert_eq!(
            notification(Some(&ended), &ended),
            None,
            "{outcome:?} said once"
        );
    }
    // The record changes an inferred "ended" into "busy": that is news.
    let inferred = call(Stage::Ended, Some(Outcome::Ended));
    let busy = call(Stage::Ended, Some(Outcome::Busy));
    assert!(notification(Some(&inferred), &busy).is_some());
}

#[test]
fn summaries() {
    assert_eq!(
        call(Stage::RingingAgent, None).summary,
        "Ringing your phone · 0:05"
    );
    let mut answered = call(Stage::Ended, Some(Outcome::Answered));
    answered.view.talk_s = Some(62);
    assert_eq!(summary(&answered.view), "Answered · talked 1:02");
    assert_eq!(call(Stage::Ended, Some(Outcome::Busy)).summary, "Busy");
    assert_eq!(call(Stage::Ended, None).summary, "Ended");
    assert_eq!(call(Stage::Connected, None).summary, "Connected · 0:00");
    assert_eq!(call(Stage::Ringing, None).summary, "Ringing · 0:05");
    let mut lost = call(Stage::Connected, None);
    lost.view.unreachable = true;
    assert_eq!(
        summary(&lost.view),
        "Cannot reach the server; the call may still be going on"
    );
    lost.view.stage = Stage::Ended;
    assert_eq!(summary(&lost.view), "Ended", "an end is an end");
}
