use super::super::{Finish, NewCall, LEDGER_FILE};
use super::*;

fn call<'a>(e164: &'a str, agent: &'a str, caller_id: Option<&'a str>) -> NewCall<'a> {
    NewCall {
        account: "acme",
        e164,
        ext: None,
        agent,
        caller_id,
        source: Source::Window,
        custom_identifier: "cid",
    }
}

fn placed(ledger: &Ledger, c: &NewCall<'_>, at_ms: i64) -> i64 {
    let id = ledger.begin(c, at_ms).unwrap();
    ledger
        .finish(id, Finish::NotPlaced { reason: "test" }, at_ms)
        .unwrap();
    id
}

fn numbers(rows: &[CallRow]) -> Vec<&str> {
    rows.iter().map(|r| r.e164.as_str()).collect()
}

/// A search matches a number's digits, or an agent, or a caller ID: any of them.
#[test]
fn a_search_matches_digits_or_agents_or_caller_ids() {
    let dir = tempfile::tempdir().unwrap();
    let (ledger, _) = Ledger::open(&dir.path().join(LEDGER_FILE)).unwrap();
    placed(&ledger, &call("+919876543210", "1001", None), 1_000);
    placed(
        &ledger,
        &call("+919811111111", "1002", Some("918065000101")),
        20_000,
    );
    placed(
        &ledger,
        &call("+912223456789", "1003", Some("918065000102")),
        40_000,
    );
    let q = |digits: Option<&str>, agents: &[&str], callers: &[&str]| HistoryQuery {
        digits: digits.map(str::to_string),
        agents: agents.iter().map(|s| s.to_string()).collect(),
        caller_ids: callers.iter().map(|s| s.to_string()).collect(),
        limit: 50,
        ..HistoryQuery::default()
    };
    let all = ledger.history(&q(None, &[], &[]), 50_000).unwrap();
    assert_eq!(all.len(), 3);
    let found = ledger.history(&q(Some("98765"), &[], &[]), 50_000).unwrap();
    assert_eq!(numbers(&found), ["+919876543210"]);
    let found = ledger.history(&q(None, &["1002"], &[]), 50_000).unwrap();
    assert_eq!(numbers(&found), ["+919811111111"]);
    let found = ledger
        .history(&q(None, &[], &["918065000102"]), 50_000)
        .unwrap();
    assert_eq!(numbers(&found), ["+912223456789"]);
    // Either matching, newest first, each call once.
    let found = ledger
        .history(
            &q(Some("98765"), &["1002", "1001"], &["918065000102"]),
            50_000,
        )
        .unwrap();
    assert_eq!(
        numbers(&found),
        ["+912223456789", "+919811111111", "+919876543210"]
    );
    // Paged and within dates like any history.
    let page = HistoryQuery {
        limit: 1,
        ..q(Some("98765"), &["1002"], &[])
    };
    let first = ledger.history(&page, 50_000).unwrap();
    assert_eq!(numbers(&first), ["+919811111111"]);
    let next = HistoryQuery {
        before_id: Some(first[0].id),
        ..page.clone()
    };
    assert_eq!(
        numbers(&ledger.history(&next, 50_000).unwrap()),
        ["+919876543210"]
    );
    let day = HistoryQuery {
        since_ms: Some(10_000),
        until_ms: Some(30_000),
        ..q(Some("98765"), &["1002"], &[])
    };
    assert_eq!(
        numbers(&ledger.history(&day, 50_000).unwrap()),
        ["+919811111111"]
    );
    // A name that stands for nobody here finds nothing.
    let none = ledger.history(&q(None, &["9999"], &[]), 50_000).unwrap();
    assert!(none.is_empty());
}

/// A search's words also find calls by their wrap-up: the disposition or the note, in any
/// case, besides the agents and caller IDs they name; paged like any search.
#[test]
fn a_search_matches_the_wrap_up_disposition_or_note() {
    let dir = tempfile::tempdir().unwrap();
    let (ledger, _) = Ledger::open(&dir.path().join(LEDGER_FILE)).unwrap();
    let a = placed(&ledger, &call("+919876543210", "1001", None), 1_000);
    let b = placed(&ledger, &call("+919811111111", "1002", None), 20_000);
    placed(&ledger, &call("+912223456789", "1003", None), 40_000);
    ledger
        .wrap_up(
            a,
            Some("Call back"),
            Some("Thursday 4 pm, ask for Ravi"),
            2_000,
        )
        .unwrap();
    ledger.wrap_up(b, Some("Interested"), None, 21_000).unwrap();
    let q = |words: &str, agents: &[&str]| HistoryQuery {
        wrap_up_text: Some(words.to_string()),
        agents: agents.iter().map(|s| s.to_string()).collect(),
        limit: 50,
        ..HistoryQuery::default()
    };
    let found = |query: &HistoryQuery| {
        numbers(&ledger.history(query, 50_000).unwrap())
            .into_iter()
            .map(str::to_string)
            .collect::<Vec<_>>()
    };
    assert_eq!(
        found(&q("thursday", &[])),
        ["+919876543210"],
        "a word of the note"
    );
    assert_eq!(found(&q("RAVI", &[])), ["+919876543210"], "any case");
    assert_eq!(
        found(&q("call back", &[])),
        ["+919876543210"],
        "the disposition"
    );
    assert_eq!(found(&q("interest", &[])), ["+919811111111"], "part of it");
    // Either the wrap-up or a name matching, newest first.
    assert_eq!(
        found(&q("interested", &["1003"])),
        ["+912223456789", "+919811111111"]
    );
    assert!(found(&q("friday", &[])).is_empty());
    // Text that looks like a pattern is only text.
    assert!(found(&q("%", &[])).is_empty());
    assert!(found(&q("_", &[])).is_empty());
    let page = HistoryQuery {
        limit: 1,
        ..q("i", &[])
    };
    assert_eq!(found(&page), ["+919811111111"]);
}

/// Another connection's commit (another process) changes the stamp, and so does our own;
/// reading does not.
#[test]
fn the_change_stamp_moves_with_every_commit_from_anywhere() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join(LEDGER_FILE);
    let (ours, _) = Ledger::open(&path).unwrap();
    let (theirs, _) = Ledger::open(&path).unwrap();
    let a = ours.change_stamp().unwrap();
    assert_eq!(ours.change_stamp().unwrap(), a, "nothing changed");
    ours.recent(10, 0).unwrap();
    assert_eq!(ours.change_stamp().unwrap(), a, "a read is no change");
    // The retention rule runs before every read of history: deleting nothing, from either
    // connection, must not move the stamp (the open list would read itself again forever).
    assert_eq!(ours.prune(0).unwrap(), 0);
    assert_eq!(theirs.prune(0).unwrap(), 0);
    assert_eq!(
        ours.change_stamp().unwrap(),
        a,
        "nothing deleted is no change"
    );
    placed(&theirs, &call("+919876543210", "1001", None), 1_000);
    let b = ours.change_stamp().unwrap();
    assert_ne!(b, a, "another connection's call");
    placed(&ours, &call("+919811111111", "1001", None), 20_000);
    let c = ours.change_stamp().unwrap();
    assert_ne!(c, b, "our own call");
    assert_eq!(ours.change_stamp().unwrap(), c);
}
