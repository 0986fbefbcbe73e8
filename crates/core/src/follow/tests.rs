//! Unit tests of `follow`.

use super::*;
use serde_json::{json, Value};

const T0: i64 = 1_764_300_000_000; // Unix ms
const CUSTOMER: &str = "919876543210";

fn ist(unix_s: i64) -> String {
    crate::clock::format_ist(unix_s)
}

fn live(rows: Value) -> Vec<LiveCall> {
    rows.as_array()
        .unwrap()
        .iter()
        .filter_map(LiveCall::from_row)
        .collect()
}

fn row(call_id: Value, state: &str, destination: &str, created_s: i64) -> Value {
    json!({"id": 793133114, "call_id": call_id, "direction": 2, "state": state,
           "destination": destination, "customer_number": "9876543210",
           "created_at": ist(created_s), "call_time": "00:00:05", "agent_name": "Asha"})
}

/// Asha: dialled by EID, her mobile known from the agents' list.
fn owner() -> Owner {
    Owner::agent("0506123456781").with_phone("+919810000001")
}

fn none_taken(_: &str) -> bool {
    false
}

#[test]
fn a_call_moves_through_every_stage_and_ends_answered() {
    let mut t = Tracker::new(CUSTOMER, T0, owner());
    assert_eq!(t.stage(), Stage::Queued);
    assert_eq!(t.next(), Next::Live(POLL_EVERY));
    assert!(!t.view(T0).can_hang_up);
    let s = T0 / 1000;

    // An empty array: not listed yet, still queued.
    assert!(!t.observe_live(T0 + 1000, &live(json!([])), &none_taken));
    assert_eq!(t.stage(), Stage::Queued);

    let agent_leg = live(json!([row(
        json!("1714657799.11930963"),
        "Ringing",
        "+919810000001",
        s
    )]));
    assert!(t.observe_live(T0 + 2500, &agent_leg, &none_taken));
    assert_eq!(t.stage(), Stage::RingingAgent);
    assert_eq!(t.call_id(), Some("1714657799.11930963"));
    assert!(t.view(T0 + 2500).can_hang_up);

    let customer_leg = live(json!([row(
        json!("1714657799.11930963"),
        "Ringing",
        "+919810000001,+919876543210",
        s
    )]));
    assert!(t.observe_live(T0 + 5000, &customer_leg, &none_taken));
    assert_eq!(t.stage(), Stage::Ringing);

    // Numbers as numbers, state in capitals: still read.
    let answered = live(
        json!([{"call_id": "1714657799.11930963", "state": "ANSWERED",
                                "customer_number": 9876543210u64, "direction": "2"}]),
    );
    assert!(t.observe_live(T0 + 7500, &answered, &none_taken));
    assert_eq!(t.stage(), Stage::Connected);
    assert_eq!(t.view(T0 + 17_500).talk_s, Some(10));
    // The same reply again changes nothing.
    assert!(!t.observe_live(T0 + 10_000, &answered, &none_taken));

    // Gone from the list twice in a row: ended when first missed, answered (inferred)
    // until the record says more.
    assert!(!t.observe_live(T0 + 47_500, &live(json!([])), &none_taken));
    assert!(t.observe_live(T0 + 50_000, &live(json!([])), &none_taken));
    assert_eq!(t.stage(), Stage::Ended);
    assert_eq!(t.outcome(), Some(Outcome::Answered));
    assert_eq!(t.talk_s(), Some(40));
    assert_eq!(t.next(), Next::Records(Duration::from_secs(2)));
    let v = t.view(T0 + 99_000);
    assert_eq!(v.elapsed_s, 47, "elapsed stops at the end");
    assert!(!v.can_hang_up);

    // No record yet: try again later, longer.
    assert!(!t.observe_records(&[]));
    assert_eq!(t.next(), Next::Records(Duration::from_secs(4)));
    let record = CallRecord::from_row(&json!({
        "call_id": "1714657799.11930963", "status": "answered", "answered_seconds": "38",
        "call_duration": 45, "client_number": "+919876543210",
        "description": "Call answered by customer"}))
    .unwrap();
    assert!(t.observe_records(&[record]));
    assert_eq!(t.outcome(), Some(Outcome::Answered));
    assert_eq!(t.talk_s(), Some(38), "the record's talk time wins");
    assert_eq!(
        t.view(T0 + 99_000).detail.as_deref(),
        Some("Call answered by customer")
    );
    assert_eq!(t.next(), Next::Done);
    assert!(!t.view(T0 + 99_000).following);
}

#[test]
fn a_resumed_call_is_followed_by_its_id() {
    let s = T0 / 1000;
    // Another process saw it live as 3.3: its absence now means it ended.
    let mut gone = Tracker::new(CUSTOMER, T0, owner()).resumed("3.3");
    assert_eq!(gone.call_id(), Some("3.3"));
    assert!(gone.view(T0).can_hang_up);
    let other = live(json!([row(json!("3.4"), "Ringing", "+919810000001", s)]));
    gone.observe_live(T0 + 1000, &other, &none_taken);
    gone.observe_live(T0 + 3500, &other, &none_taken);
    assert_eq!(
        gone.stage(),
        Stage::Ended,
        "another call to the number is not ours"
    );
    let mut still = Tracker::new(CUSTOMER, T0, owner()).resumed("3.3");
    still.observe_live(
        T0 + 1000,
        &live(json!([row(
            json!("3.3"),
            "Answered",
            "+919810000001,+919876543210",
            s
        )])),
        &none_taken,
    );
    assert_eq!(still.stage(), Stage::Connected);
    assert_eq!(Stage::RingingAgent.describe(), "Ringing your phone");
    assert_eq!(Stage::Ringing.describe(), "Ringing");
}

#[test]
fn old_rows_never_match_and_two_that_could_be_ours_wait() {
    let s = T0 / 1000;
    // Only a call from an hour ago to this number: not ours, keep waiting.
    let mut t = Tracker::new(CUSTOMER, T0, owner());
    t.observe_live(
        T0 + 1000,
        &live(json!([row(
            json!("4.0"),
            "Ringing",
            "+919810000001",
            s - 3600
        )])),
        &none_taken,
    );
    assert_eq!((t.stage(), t.call_id()), (Stage::Queued, None));
    assert!(t.is_live());
    // One stamped 100 s early (clock skew) and one 2 s late: either could be ours, so
    // neither is taken until one is gone.
    let rows = live(json!([
        row(json!("4.1"), "Ringing", "+919810000001", s - 100),
        row(json!("4.2"), "Ringing", "+919810000001", s + 2),
    ]));
    t.observe_live(T0 + 2000, &rows, &none_taken);
    assert_eq!((t.stage(), t.call_id()), (Stage::Queued, None));
    t.observe_live(T0 + 3000, &rows[1..], &none_taken);
    assert_eq!(t.call_id(), Some("4.2"));
    assert_eq!(t.ended_at_ms(), None);
    // Records are not read while the call is live, and ending sets the end time.
    let rec = CallRecord::from_row(&json!({"call_id": "4.2", "status": "answered"})).unwrap();
    assert!(!t.observe_records(std::slice::from_ref(&rec)));
    assert_eq!(t.outcome(), None);
    t.observe_live(T0 + 9000, &[], &none_taken);
    assert!(
        t.missing() && t.is_live(),
        "one empty reply does not end a call"
    );
    t.observe_live(T0 + 11_500, &[], &none_taken);
    assert_eq!(t.ended_at_ms(), Some(T0 + 9000), "ended when first missed");
    assert!(!t.missing());
    assert!(!t.is_live());
    assert!(t.observe_records(std::slice::from_ref(&rec)));
    assert!(!t.observe_records(&[rec]), "the record is read once");
}

#[test]
fn a_record_without_talk_time_keeps_what_was_seen() {
    let s = T0 / 1000;
    let mut t = Tracker::new(CUSTOMER, T0, owner());
    t.observe_live(
        T0,
        &live(json!([row(
            json!("5.1"),
            "Answered",
            "+919810000001,+919876543210",
            s
        )])),
        &none_taken,
    );
    t.observe_live(T0 + 30_000, &[], &none_taken);
    t.observe_live(T0 + 32_500, &[], &none_taken);
    assert_eq!(t.talk_s(), Some(30));
    let bare = CallRecord::from_row(&json!({"call_id": "5.1", "status": "answered"})).unwrap();
    assert!(t.observe_records(&[bare]));
    assert_eq!(
        (t.outcome(), t.talk_s()),
        (Some(Outcome::Answered), Some(30))
    );
    // A record that says it was missed clears the talk time.
    let mut u = Tracker::new(CUSTOMER, T0, owner());
    u.observe_live(
        T0,
        &live(json!([row(
            json!("5.2"),
            "Answered",
            "+919810000001,+919876543210",
            s
        )])),
        &none_taken,
    );
    u.observe_live(T0 + 30_000, &[], &none_taken);
    u.assume_ended(T0 + 40_000);
    assert_eq!(u.ended_at_ms(), Some(T0 + 30_000));
    let missed = CallRecord::from_row(&json!({"call_id": "5.2", "status": "missed"})).unwrap();
    assert!(u.observe_records(&[missed]));
    assert_eq!((u.outcome(), u.talk_s()), (Some(Outcome::Missed), None));
}

#[test]
fn a_call_missing_from_one_reply_is_kept() {
    let s = T0 / 1000;
    let answered = live(json!([row(
        json!("6.1"),
        "Answered",
        "+919810000001,+919876543210",
        s
    )]));
    let mut t = Tracker::new(CUSTOMER, T0, owner());
    t.observe_live(T0, &answered, &none_taken);
    // A reply that lists only somebody else's call, then ours again: still connected,
    // and the next absence starts counting afresh.
    let other = live(json!([row(
        json!("6.9"),
        "Answered",
        "+919810000001,+911111111111",
        s
    )]));
    assert!(
        !t.observe_live(T0 + 2500, &other, &none_taken),
        "nothing seen changes"
    );
    assert!(t.missing());
    assert_eq!(t.view(T0 + 2500).stage, Stage::Connected);
    t.observe_live(T0 + 5000, &answered, &none_taken);
    assert!(!t.missing());
    t.observe_live(T0 + 7500, &[], &none_taken);
    assert_eq!(t.stage(), Stage::Connected);
    assert!(t.observe_live(T0 + 10_000, &[], &none_taken));
    assert_eq!(
        (t.stage(), t.ended_at_ms(), t.talk_s()),
        (Stage::Ended, Some(T0 + 7500), Some(7))
    );
    // Ending is final: a late row that lists it again changes nothing.
    assert!(!t.observe_live(T0 + 12_500, &answered, &none_taken));
    assert_eq!(t.stage(), Stage::Ended);
    // A one-shot look that found it missing once ends it at that read.
    let mut u = Tracker::new(CUSTOMER, T0, owner()).resumed("6.1");
    u.observe_live(T0 + 60_000, &other, &none_taken);
    assert!(u.missing());
    u.assume_ended(T0 + 61_000);
    assert_eq!(u.ended_at_ms(), Some(T0 + 60_000));
    // A queued call never listed is not "missing": the 45 s limit decides.
    let mut q = Tracker::new(CUSTOMER, T0, owner());
    q.observe_live(T0 + 1000, &[], &none_taken);
    assert!(!q.missing() && q.is_live());
}

#[test]
fn by_number_the_record_nearest_our_start_is_ours() {
    let mut t = Tracker::new(CUSTOMER, T0, owner());
    t.observe_live(T0 + ms(NEVER_LISTED) + 1, &[], &none_taken);
    let at = |offset_s: i64, id: &str, status: &str| {
        let when = ist(T0 / 1000 + offset_s);
        CallRecord::from_row(&json!({"client_number": "9876543210", "status": status,
            "date": &when[..10], "time": &when[11..], "call_id": id,
            "agent_number": "919810000001"}))
        .unwrap()
    };
    // A later call to the same number (5 minutes on), ours, and a colleague's at the
    // same time as ours: in no particular order.
    let colleague = CallRecord {
        agent: Some("919810000002".into()),
        ..at(1, "theirs", "answered")
    };
    assert!(t.observe_records(&[
        at(300, "later", "answered"),
        colleague,
        at(-60, "earlier", "answered"),
        at(2, "ours", "missed")
    ]));
    assert_eq!(
        (t.call_id(), t.outcome()),
        (Some("ours"), Some(Outcome::Missed)),
        "of our agent's two records in the window, the one nearest our start"
    );
}

#[test]
fn a_call_id_from_the_dial_is_the_only_row_that_counts() {
    let s = T0 / 1000;
    // Our agent, our customer, started with ours: but another call id than our dial's.
    let rows = live(json!([row(json!("9.8"), "Answered", "+919810000001", s)]));
    let mut t = Tracker::new(CUSTOMER, T0, owner()).with_call_id("9.9");
    assert_eq!(t.call_id(), Some("9.9"));
    t.observe_live(T0 + 2000, &rows, &none_taken);
    assert_eq!((t.stage(), t.call_id()), (Stage::Queued, Some("9.9")));
    let ours = live(json!([row(json!("9.9"), "Answered", "+919810000001", s)]));
    t.observe_live(T0 + 4500, &ours, &none_taken);
    assert_eq!(t.stage(), Stage::Connected);
}

#[test]
fn stages_never_move_back() {
    let mut t = Tracker::new(CUSTOMER, T0, owner());
    let s = T0 / 1000;
    t.observe_live(
        T0,
        &live(json!([row(
            json!("1.1"),
            "Answered",
            "+919810000001,+919876543210",
            s
        )])),
        &none_taken,
    );
    assert_eq!(t.stage(), Stage::Connected);
    t.observe_live(
        T0 + 1,
        &live(json!([row(json!("1.1"), "Ringing", "+919810000001", s)])),
        &none_taken,
    );
    assert_eq!(t.stage(), Stage::Connected);
    // An unknown state on a listed call is "ringing", without saying which phone.
    let mut u = Tracker::new(CUSTOMER, T0, owner());
    u.observe_live(
        T0,
        &live(json!([row(json!("1.2"), "Dialing", "+919810000001", s)])),
        &none_taken,
    );
    assert_eq!(u.stage(), Stage::Ringing);
}

#[test]
fn matching_keeps_each_call_to_its_own_row() {
    let s = T0 / 1000;
    let rows = live(json!([
        // An inbound call from the same number is not ours.
        {"call_id": "9.0", "direction": 1, "state": "Ringing", "customer_number": "9876543210",
         "created_at": ist(s)},
        // Another number.
        row(json!("9.1"), "Ringing", "+919810000001", s).as_object().unwrap().clone()
            .into_iter().chain([("customer_number".to_string(), json!("9999999999"))]).collect::<serde_json::Map<_,_>>(),
        // An old call to the same number (hours ago) is not ours.
        row(json!("9.2"), "Answered", "+919810000001,+919876543210", s - 3 * 3600),
        // Ours, and one queued later by someone else at this agent.
        row(json!("9.3"), "Ringing", "+919810000001", s + 1),
        row(json!("9.4"), "Ringing", "+919810000001", s + 200),
    ]));
    let mut t = Tracker::new(CUSTOMER, T0, owner());
    t.observe_live(T0 + 2000, &rows, &none_taken);
    assert_eq!(t.call_id(), Some("9.3"));
    // A second call to the same number, while 9.3 is followed, takes the other row.
    let mut second = Tracker::new(CUSTOMER, T0 + 200_000, owner());
    second.observe_live(T0 + 202_000, &rows, &|id| id == "9.3");
    assert_eq!(second.call_id(), Some("9.4"));
    // Once matched, only that id counts: its absence ends the call even if others remain.
    let others = live(json!([row(
        json!("9.4"),
        "Ringing",
        "+919810000001",
        s + 200
    )]));
    t.observe_live(T0 + 4000, &others, &none_taken);
    t.observe_live(T0 + 6500, &others, &none_taken);
    assert_eq!(t.stage(), Stage::Ended);
}

#[test]
fn a_row_without_call_id_is_followed_until_it_has_one() {
    let s = T0 / 1000;
    let mut t = Tracker::new(CUSTOMER, T0, owner());
    t.observe_live(
        T0,
        &live(json!([row(Value::Null, "Ringing", "+919810000001", s)])),
        &none_taken,
    );
    assert_eq!(t.stage(), Stage::RingingAgent);
    assert_eq!(t.call_id(), None);
    assert!(!t.view(T0).can_hang_up, "no id, no hang-up");
    t.observe_live(
        T0 + 2500,
        &live(json!([row(
            json!(17146577),
            "Answered",
            "+919810000001,+919876543210",
            s
        )])),
        &none_taken,
    );
    assert_eq!(t.call_id(), Some("17146577"), "a number id is read as text");
    assert!(t.view(T0 + 2500).can_hang_up);
}

#[test]
fn never_listed_ends_after_the_limit_and_records_decide() {
    let mut t = Tracker::new(CUSTOMER, T0, owner());
    let limit = ms(NEVER_LISTED);
    t.observe_live(T0 + limit, &[], &none_taken);
    assert_eq!(
        t.stage(),
        Stage::Queued,
        "exactly at the limit it still waits"
    );
    t.observe_live(T0 + limit + 1, &[], &none_taken);
    assert_eq!(t.stage(), Stage::Ended);
    assert_eq!(t.outcome(), Some(Outcome::Ended));
    // A record found by number and time (no call id known) tells what happened.
    let old = CallRecord::from_row(&json!({"client_number": "9876543210", "status": "answered",
        "date": "2020-01-01", "time": "10:00:00", "call_id": "0.1",
        "agent_number": "0506123456781"}))
    .unwrap();
    let ours = CallRecord::from_row(&json!({"client_number": "9876543210", "status": "missed",
        "description": "Call missed by agent", "date": ist(T0 / 1000)[..10].to_string(),
        "time": ist(T0 / 1000)[11..].to_string(), "call_id": "5.5",
        "agent_number": "0506123456781"}))
    .unwrap();
    assert!(
        !t.observe_records(std::slice::from_ref(&old)),
        "a years-old record is not ours"
    );
    assert!(t.observe_records(&[ours, old]));
    assert_eq!(t.outcome(), Some(Outcome::AgentMissed));
    assert_eq!(t.call_id(), Some("5.5"));
    assert_eq!(t.talk_s(), None);
}

#[test]
fn hang_up_before_connect_is_cancelled_and_after_is_answered() {
    let s = T0 / 1000;
    let mut t = Tracker::new(CUSTOMER, T0, owner());
    t.observe_live(
        T0,
        &live(json!([row(json!("2.1"), "Ringing", "+919810000001", s)])),
        &none_taken,
    );
    t.hung_up(T0 + 3000);
    assert_eq!(
        (t.stage(), t.outcome()),
        (Stage::Ended, Some(Outcome::Cancelled))
    );
    let mut c = Tracker::new(CUSTOMER, T0, owner());
    c.observe_live(
        T0,
        &live(json!([row(
            json!("2.2"),
            "Answered",
            "+919810000001,+919876543210",
            s
        )])),
        &none_taken,
    );
    c.hung_up(T0 + 9000);
    assert_eq!(
        (c.stage(), c.outcome(), c.talk_s()),
        (Stage::Ended, Some(Outcome::Answered), Some(9))
    );
    // Later replies do not revive it.
    assert!(!c.observe_live(
        T0 + 9500,
        &live(json!([row(json!("2.2"), "Answered", "", s)])),
        &none_taken
    ));
}

#[test]
fn errors_back_off_and_recover() {
    let mut t = Tracker::new(CUSTOMER, T0, owner());
    let waits: Vec<Next> = (0..7)
        .map(|_| {
            t.live_failed(T0, false);
            t.next()
        })
        .collect();
    assert_eq!(waits[0], Next::Live(Duration::from_secs(5)));
    assert_eq!(waits[1], Next::Live(Duration::from_secs(10)));
    assert_eq!(waits[2], Next::Live(Duration::from_secs(20)));
    assert_eq!(waits[6], Next::Live(MAX_BACKOFF));
    t.observe_live(T0 + 1, &[], &none_taken);
    assert_eq!(
        t.next(),
        Next::Live(POLL_EVERY),
        "a good reply resets the backoff"
    );
    // Two failures in a row: the server is lost, the call may still be going on.
    let mut down = Tracker::new(CUSTOMER, T0, owner());
    assert!(!down.live_failed(T0, false), "one failure is not news");
    assert!(!down.view(T0).unreachable);
    assert!(down.live_failed(T0 + 5000, false), "the second is");
    assert!(down.view(T0).unreachable && down.is_live());
    // Back: following goes on, and says so.
    assert!(down.observe_live(T0 + 9000, &[], &none_taken));
    assert!(!down.view(T0).unreachable);
    // Failing for as long as any call lasts, or one reply that says the account may not
    // read live calls: the call is no longer followed, and no more requests are made.
    let limit = ms(GIVE_UP_AFTER);
    down.live_failed(T0 + 10_000, false);
    down.live_failed(T0 + 10_000 + limit - 1, false);
    assert!(down.is_live());
    assert!(down.live_failed(T0 + 10_000 + limit, false));
    assert_eq!((down.stage(), down.next()), (Stage::Ended, Next::Done));
    assert!(
        !down.view(T0).unreachable,
        "not following: nothing to wait for"
    );
    assert!(down.view(T0).detail.unwrap().contains("stopped following"));
    let mut forbidden = Tracker::new(CUSTOMER, T0, owner());
    forbidden.live_failed(T0, true);
    assert_eq!(
        (forbidden.stage(), forbidden.next()),
        (Stage::Ended, Next::Done)
    );
    assert!(forbidden.settled());
}

#[test]
fn records_give_up_after_tries_or_at_once_when_forbidden() {
    let mut t = Tracker::new(CUSTOMER, T0, owner());
    t.hung_up(T0);
    // A server that does not answer uses up no try: it is asked again, backing off.
    for i in 0..20 {
        t.records_failed(T0 + i * 30_000, false);
    }
    assert_eq!(t.next(), Next::Records(MAX_BACKOFF));
    assert!(t.view(T0).unreachable && t.view(T0).following);
    // Replies without our record do.
    for _ in 0..RECORD_TRIES {
        assert!(matches!(t.next(), Next::Records(_)));
        t.observe_records(&[]);
    }
    assert_eq!(t.next(), Next::Done);
    assert!(!t.view(T0).unreachable);
    // Failing for as long as any call lasts ends the look too.
    let mut g = Tracker::new(CUSTOMER, T0, owner());
    g.hung_up(T0);
    g.records_failed(T0, false);
    g.records_failed(T0 + ms(GIVE_UP_AFTER), false);
    assert_eq!(g.next(), Next::Done);
    let mut f = Tracker::new(CUSTOMER, T0, owner());
    f.hung_up(T0);
    f.records_failed(T0, true);
    assert_eq!(f.next(), Next::Done);
}

#[test]
fn outcomes_from_real_record_shapes() {
    let o = |v: Value| CallRecord::from_row(&v).unwrap().outcome;
    assert_eq!(
        o(json!({"status": "answered", "answered_seconds": 12})),
        Outcome::Answered
    );
    assert_eq!(
        o(json!({"status": "missed", "answered_seconds": "12"})),
        Outcome::Answered
    );
    assert_eq!(
        o(json!({"status": "missed", "hangup_cause_code": "17"})),
        Outcome::Busy
    );
    assert_eq!(
        o(json!({"status": "missed", "hangup_cause": "USER_BUSY"})),
        Outcome::Busy
    );
    assert_eq!(
        o(
            json!({"status": "missed", "hangup_cause_code": "20", "hangup_cause": "SUBSCRIBER_ABSENT"})
        ),
        Outcome::Failed
    );
    assert_eq!(
        o(json!({"status": "missed", "description": "Call missed by agent"})),
        Outcome::AgentMissed
    );
    assert_eq!(
        o(
            json!({"status": "missed", "reason": "noanswer", "description": "Call missed by customer"})
        ),
        Outcome::Missed
    );
    assert_eq!(
        o(
            json!({"status": "missed", "reason": "Call Disconnected By Caller", "description": "Call cancelled by agent"})
        ),
        Outcome::Cancelled
    );
    assert_eq!(o(json!({"status": "MISSED"})), Outcome::Missed);
    assert_eq!(o(json!({})), Outcome::Ended);
    assert_eq!(
        o(json!({"status": "contacted", "answered_seconds": "N.A."})),
        Outcome::Ended
    );
    assert!(CallRecord::from_row(&json!("text")).is_none());
}

#[test]
fn seconds_in_every_shape() {
    use crate::api::LiveCall;
    let e = |v: Value| {
        LiveCall::from_row(&json!({"call_time": v}))
            .unwrap()
            .elapsed_s
    };
    assert_eq!(e(json!("00:00:33")), Some(33));
    assert_eq!(e(json!("01:02:03")), Some(3723));
    assert_eq!(e(json!("02:03")), Some(123));
    assert_eq!(e(json!(45)), Some(45));
    assert_eq!(e(json!("45")), Some(45));
    assert_eq!(e(json!("4.7")), Some(4));
    for bad in [
        json!("N.A."),
        json!(-3),
        json!("1:2:3:4"),
        json!("::"),
        json!("99999999:00:00"),
        json!(true),
        json!(null),
    ] {
        assert_eq!(e(bad.clone()), None, "{bad}");
    }
}
fn fixture(name: &str) -> Value {
    let path = format!(
        "{}/../../tests/fixtures/real-shapes/{name}",
        env!("CARGO_MANIFEST_DIR")
    );
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

#[test]
fn an_owner_knows_its_agent_in_any_field_and_form() {
    let by_eid = Owner::agent("0506123456781");
    assert!(by_eid.is_agent("0506123456781"));
    assert!(!by_eid.is_agent("506123456781"), "an id is compared whole");
    assert!(!by_eid.is_agent("+919810000001"), "no phone known yet");
    let asha = owner();
    for form in ["+919810000001", "919810000001", "9810000001", "09810000001"] {
        assert!(asha.is_agent(form), "{form}");
    }
    assert!(!asha.is_agent("+919810000002"));
    assert!(
        !asha.is_agent("10000001"),
        "too short to compare as a phone"
    );
    assert!(!asha.is_agent(""));
    // Dialled by mobile: that is the agent's phone too; a leading 0 makes it an id.
    assert!(Owner::agent("+919810000001").is_agent("9810000001"));
    assert!(Owner::agent("9810000001").is_agent("+919810000001"));
    assert!(!Owner::agent("0600000000054").is_agent("+91600000000054"));
    // Eleven digits with a leading 0: an id, not a phone.
    assert!(!Owner::agent("09810000001").is_agent("+919810000001"));
    assert!(Owner::agent("09810000001").is_agent("09810000001"));
    // Ten digits are a phone; fewer cannot be compared as one.
    assert!(Owner::default()
        .with_phone("9810000001")
        .is_agent("+919810000001"));
    assert!(!Owner::default()
        .with_phone("810000001")
        .is_agent("810000001"));
    // What another owner ties, a merge ties too.
    let merged = Owner::agent("0506123456781").merge(
        Owner::default()
            .with_phone("+919810000001")
            .with_id("0600000000054")
            .with_ref("ref-1"),
    );
    assert!(merged.is_agent("0506123456781") && merged.is_agent("9810000001"));
    assert!(merged.is_agent("0600000000054") && merged.knows_ref("ref-1"));
    assert!(!Owner::agent("0506123456781").knows_ref("ref-1"));
    let ext = Owner::agent("0506123456781").with_id("0600000000054");
    assert!(ext.is_agent("0600000000054"));
    let r = Owner::default().with_ref(" abc ");
    assert!(r.knows_ref("abc") && !r.knows_ref("ab"));
    assert!(!Owner::default().with_ref("  ").knows_ref(""));
}

/// The captured Smartflo row: the agent's mobile in `source`, the customer alone (12
/// digits) in `destination`, a UUID call id. Ours only for the agent whose mobile it is.
#[test]
fn a_real_smartflo_row_is_tied_by_the_agent_in_source() {
    let rows = live(fixture("live_calls-smartflo-answered.json"));
    let created = rows[0].created_at.unwrap() * 1000;
    let ours = Owner::agent("0506123456781").with_phone("+919800000001");
    let mut t = Tracker::new("+919876543210", created, ours);
    assert!(t.observe_live(created + 20_000, &rows, &none_taken));
    assert_eq!(t.stage(), Stage::Connected);
    assert_eq!(t.call_id(), Some("8a00c000-0000-4000-8000-000000000001"));
    // A colleague (another mobile) dialling the same customer at the same time.
    let mut theirs = Tracker::new("+919876543210", created, owner());
    assert!(!theirs.observe_live(created + 20_000, &rows, &none_taken));
    assert_eq!((theirs.stage(), theirs.call_id()), (Stage::Queued, None));
}

/// Another client's fixture: a ringing row whose `source` is the agent's extension and
/// whose customer has a trunk `0`. It is ours by the extension; which phone rings it does
/// not say, so it reads "Ringing". The answered row names no agent: never ours.
#[test]
fn a_ringing_row_from_an_extension_is_ringing_not_a_guess() {
    let rows = live(fixture("live_calls-ringing-extension.json"));
    let ours = Owner::agent("0506123456781").with_id("0600000000054");
    let mut t = Tracker::new("+919876543210", T0, ours.clone());
    assert!(t.observe_live(T0 + 1000, &rows, &none_taken));
    assert_eq!(t.stage(), Stage::Ringing);
    let mut other = Tracker::new("+919876500000", T0, ours);
    assert!(!other.observe_live(T0 + 1000, &rows, &none_taken));
    assert_eq!(
        other.stage(),
        Stage::Queued,
        "no agent on the row: not tied"
    );
}

#[test]
fn two_rows_that_could_be_ours_are_never_adopted_but_a_reference_is() {
    let s = T0 / 1000;
    let real = |id: &str, source: &str, refs: Value| {
        json!({"call_id": id, "state": "Answered", "source": source, "direction": 2,
               "destination": "+919876543210", "customer_number": "919876543210",
               "created_at": ist(s), "ref_id": refs})
    };
    // Asha twice (her desk phone and this app): which one is ours is not known.
    let twice = live(json!([
        real("a", "+919810000001", json!(null)),
        real("b", "+919810000001", json!(null))
    ]));
    let mut t = Tracker::new(CUSTOMER, T0, owner());
    t.observe_live(T0 + 1000, &twice, &none_taken);
    assert_eq!((t.stage(), t.call_id()), (Stage::Queued, None));
    // A row carrying our ref_id is ours, whoever it names.
    let tied = live(json!([
        real("a", "+919810000001", json!(null)),
        real("c", "+919810000009", json!("our-ref"))
    ]));
    let mut r = Tracker::new(CUSTOMER, T0, owner().with_ref("our-ref"));
    r.observe_live(T0 + 1000, &tied, &none_taken);
    assert_eq!(r.call_id(), Some("c"));
}

#[test]
fn real_call_records_are_matched_by_ref_id_first() {
    let records: Vec<CallRecord> = fixture("call_records-rows.json")
        .as_array()
        .unwrap()
        .iter()
        .filter_map(CallRecord::from_row)
        .collect();
    let ours = owner().with_ref("b4000000-0000-4000-8000-000000000362");
    let mut t = Tracker::new("+919811111111", T0, ours);
    t.observe_live(T0 + ms(NEVER_LISTED) + 1, &[], &none_taken);
    assert!(t.finds_record(&records));
    assert!(t.observe_records(&records));
    // Not ours: rows with no reference of ours, no agent, or another customer.
    let mut none = Tracker::new("+919876543210", T0, owner().with_ref("x"));
    none.observe_live(T0 + ms(NEVER_LISTED) + 1, &[], &none_taken);
    assert!(!none.finds_record(&records));
    for _ in 1..RECORD_TRIES {
        assert!(!none.observe_records(&records));
        assert_eq!(none.view(T0).detail, None);
    }
    assert!(!none.observe_records(&records));
    assert_eq!(none.view(T0).detail.as_deref(), Some(NO_RECORD));
    assert_eq!(none.next(), Next::Done);
}
