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

/// Another process's calls are taken on only when queued on this account, recent, with no
/// outcome, and not followed already; the newest first.
#[test]
fn only_recent_unended_calls_of_this_account_are_adopted() {
    use crate::ledger::{CallState, Finish, NewCall, Source, LEDGER_FILE};
    let dir = tempfile::tempdir().unwrap();
    let (ledger, _) = Ledger::open(&dir.path().join(LEDGER_FILE)).unwrap();
    let ledger = Arc::new(ledger);
    let now = 10 * 3_600_000;
    let follower = Follower::new(ledger.clone(), Arc::new(move || now));
    struct Account(Client);
    impl AsRef<Client> for Account {
        fn as_ref(&self) -> &Client {
            &self.0
        }
    }
    let client: ClientRef = Arc::new(Account(
        Client::new(
            "https://api.servetel.in/v1",
            clickdial_core::Secret::new("t"),
        )
        .unwrap(),
    ));
    let account = crate::dialer::server_of((*client).as_ref());
    let queued = |e164: &str, account: &str, at_ms: i64| {
        let id = ledger
            .begin(
                &NewCall {
                    account,
                    e164,
                    ext: None,
                    agent: "1001",
                    caller_id: None,
                    source: Source::Cli,
                    custom_identifier: "c",
                },
                at_ms,
            )
            .unwrap();
        ledger
            .finish(
                id,
                Finish::Queued {
                    ref_id: Some("r"),
                    call_id: None,
                    message: "ok",
                },
                at_ms,
            )
            .unwrap();
        id
    };
    let older = queued("+919876500001", &account, now - 60_000);
    let newest = queued("+919876500002", &account, now - 30_000);
    let elsewhere = queued("+919876500003", "https://api.acefone.in", now - 20_000);
    let stale = queued("+919876500004", &account, now - 11 * 60_000);
    let ended = queued("+919876500005", &account, now - 10_000);
    ledger
        .record_progress(
            ended,
            &Progress {
                outcome: Some(Outcome::Busy),
                ..Progress::default()
            },
        )
        .unwrap();
    let rows = ledger
        .history(
            &crate::ledger::HistoryQuery {
                limit: 10,
                ..Default::default()
            },
            now,
        )
        .unwrap();
    assert!(rows.iter().all(|r| r.state == CallState::Queued));
    assert_eq!(follower.adopt(&rows, &client, &[]), 2);
    let ids: Vec<i64> = follower.calls().iter().map(|c| c.id).collect();
    assert_eq!(ids, [newest, older], "newest first");
    assert!(!ids.contains(&elsewhere) && !ids.contains(&stale) && !ids.contains(&ended));
    assert_eq!(follower.adopt(&rows, &client, &[]), 0, "each call once");
}
