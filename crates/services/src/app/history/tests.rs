use super::*;

fn names(pairs: &[(&str, &str)]) -> HashMap<String, String> {
    pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

fn page() -> HistoryQuery {
    HistoryQuery {
        limit: 30,
        before_id: Some(9),
        ..HistoryQuery::default()
    }
}

#[test]
fn a_search_by_name_finds_agents_and_caller_ids() {
    let agents = names(&[("1001", "Asha Rao"), ("1002", "Vikram Singh")]);
    let callers = names(&[
        ("918065000101", "Sales line"),
        ("918065000102", "Support line"),
    ]);
    let q = search("  vikram ", page(), &agents, &callers);
    assert_eq!(q.agents, ["1002"]);
    assert!(q.caller_ids.is_empty());
    assert_eq!(q.digits, None);
    assert_eq!((q.limit, q.before_id), (30, Some(9)), "the page is kept");
    let q = search("Sales", page(), &agents, &callers);
    assert_eq!(q.caller_ids, ["918065000101"]);
    assert!(q.agents.is_empty());
    let q = search("line", page(), &agents, &callers);
    assert_eq!(q.caller_ids, ["918065000101", "918065000102"]);
    let q = search("VIKRAM   singh", page(), &agents, &callers);
    assert_eq!(q.agents, ["1002"], "case and spacing do not matter");
    let q = search("xyz", page(), &agents, &callers);
    assert!(
        q.agents.is_empty() && q.caller_ids.is_empty(),
        "nobody's name"
    );
    let q = search("Vikram", page(), &HashMap::new(), &HashMap::new());
    assert!(q.agents.is_empty(), "no names known: no call is by Vikram");
}

/// Words also look in the wrap-ups (disposition and note), folded like names; digits alone
/// stay a number search.
#[test]
fn a_search_by_words_looks_in_the_wrap_ups_too() {
    let agents = names(&[("1001", "Asha Rao")]);
    let q = search("  Call   BACK ", page(), &agents, &HashMap::new());
    assert_eq!(q.wrap_up_text.as_deref(), Some("call back"));
    assert!(q.agents.is_empty());
    assert_eq!((q.limit, q.before_id), (30, Some(9)), "the page is kept");
    let q = search("asha", page(), &agents, &HashMap::new());
    assert_eq!(q.agents, ["1001"]);
    assert_eq!(q.wrap_up_text.as_deref(), Some("asha"));
    let q = search("98765", page(), &agents, &HashMap::new());
    assert_eq!(q.wrap_up_text, None);
    // Folded as SQLite folds the notes: ASCII letters only.
    let q = search("Call ÉLODIE", page(), &agents, &HashMap::new());
    assert_eq!(q.wrap_up_text.as_deref(), Some("call Élodie"));
}

#[test]
fn a_search_by_digits_finds_numbers_caller_ids_and_agent_ids() {
    let agents = names(&[("1001", "Asha Rao")]);
    let callers = names(&[("918065000101", "Sales line")]);
    let q = search("+91 98765-43", page(), &agents, &callers);
    assert_eq!(q.digits.as_deref(), Some("919876543"));
    assert!(q.agents.is_empty() && q.caller_ids.is_empty());
    let q = search("80650 00101", page(), &agents, &callers);
    assert_eq!(q.caller_ids, ["918065000101"]);
    let q = search("1001", page(), &agents, &callers);
    assert_eq!(q.agents, ["1001"], "an agent ID, whole");
    let q = search("100", page(), &agents, &callers);
    assert!(q.agents.is_empty(), "part of an ID is no agent");
    assert_eq!(search("", page(), &agents, &callers), page());
    assert_eq!(search(" - ", page(), &agents, &callers), page());
}

#[test]
fn the_chosen_file_is_always_a_csv_file() {
    // An absolute folder on every platform (Windows' paths start with a drive).
    let home = std::env::temp_dir().join("a");
    let csv = |name: &str| csv_path(&home.join(name)).unwrap();
    assert_eq!(csv("calls.csv"), home.join("calls.csv"));
    assert_eq!(csv("Calls.CSV"), home.join("Calls.CSV"));
    assert_eq!(csv("calls"), home.join("calls.csv"));
    assert_eq!(
        csv(".bashrc"),
        home.join(".bashrc.csv"),
        "never anything but a CSV file"
    );
    for bad in ["", "calls.csv", "/"] {
        assert_eq!(
            csv_path(Path::new(bad)).unwrap_err().code,
            Code::InvalidInput,
            "{bad:?}"
        );
    }
}
