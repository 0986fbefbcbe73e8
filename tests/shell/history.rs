//! Recent calls through IPC (issue 25, item 10 and 11): found by number, agent name and caller
//! ID name; a live call's row names its stage; a stamp that moves when another process adds a
//! call; the list's open state kept; the CSV written where the Save dialog chose.

use std::sync::Arc;

use clickdial_app::state::AppState;
use clickdial_services::secrets::MemoryStore;
use serde_json::{json, Value};
use tauri::Manager;

use super::{dial_args, Harness};

fn numbers(rows: &Value) -> Vec<String> {
    rows.as_array()
        .unwrap()
        .iter()
        .map(|r| r["international"].as_str().unwrap().to_string())
        .collect()
}

#[test]
fn recent_calls_are_found_by_name_and_show_their_stage() {
    let dir = tempfile::tempdir().unwrap();
    let settings = dir.path().join("settings.json");
    let h = Harness::new(Arc::new(MemoryStore::default()), &settings);
    h.ok("start_demo", json!({}));
    // The names the window lists are the names a search finds.
    h.ok("list_agents", json!({}));
    h.ok("list_caller_ids", json!({}));
    h.ok("dial", dial_args("0506123456781", "98765 43210"));
    h.ok(
        "dial",
        json!({"agent": "0506123456782", "callerId": "918065000102", "number": "98765 11111"}),
    );

    let find = |text: &str| numbers(&h.ok("history", json!({ "text": text })));
    assert_eq!(find(""), ["+91 98765 11111", "+91 98765 43210"]);
    assert_eq!(find("Vikram"), ["+91 98765 11111"], "an agent's name");
    assert_eq!(find("asha rao"), ["+91 98765 43210"]);
    assert_eq!(find("Sales"), ["+91 98765 43210"], "a caller ID's name");
    assert_eq!(
        find("80650 00102"),
        ["+91 98765 11111"],
        "a caller ID's number"
    );
    assert_eq!(find("432 10"), ["+91 98765 43210"], "a customer's number");
    assert!(find("xyz").is_empty(), "nobody's name finds no call");
    assert!(find("Vikram").len() == 1 && find("0506123456782").len() == 1);

    // The demo rings the agent, then the customer: once connected, the row says so, though
    // the ledger's state is still "queued" (the outcome comes at the end).
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
    let connected = loop {
        let calls = h.ok("calls", json!({}));
        if let Some(c) = calls
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["stage"] == "connected")
        {
            break c["id"].clone();
        }
        assert!(std::time::Instant::now() < deadline, "never connected");
        std::thread::sleep(std::time::Duration::from_millis(100));
    };
    let rows = h.ok("history", json!({}));
    let row = rows
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["id"] == connected)
        .unwrap();
    assert_eq!(row["state"], "queued");
    assert_eq!(row["stage"], "connected", "{row}");

    // Another process (the CLI) writes a call: the stamp moves.
    let before = h.ok("history_stamp", json!({}));
    let (other, _) = clickdial_services::ledger::Ledger::open(
        &dir.path().join(clickdial_services::ledger::LEDGER_FILE),
    )
    .unwrap();
    let now = clickdial_services::ledger::wall_clock_ms();
    let id = other
        .begin(
            &clickdial_services::ledger::NewCall {
                // The window is in the demo, which shows only the demo's calls.
                account: "demo x",
                e164: "+912223456789",
                ext: None,
                agent: "0506123456783",
                caller_id: None,
                source: clickdial_services::ledger::Source::Cli,
                custom_identifier: "cli",
            },
            now,
        )
        .unwrap();
    other
        .finish(
            id,
            clickdial_services::ledger::Finish::NotPlaced { reason: "test" },
            now,
        )
        .unwrap();
    assert_ne!(h.ok("history_stamp", json!({})), before);
    assert_eq!(find("Meera"), ["+91 22 2345 6789"]);

    // The list's open state is kept in the settings file, for the next start.
    assert_eq!(h.ok("get_status", json!({}))["historyOpen"], false);
    h.ok("set_history_open", json!({"open": true}));
    assert_eq!(h.ok("get_status", json!({}))["historyOpen"], true);
    let file: Value = serde_json::from_str(&std::fs::read_to_string(&settings).unwrap()).unwrap();
    assert_eq!(file["settings"]["historyOpen"], true, "{file}");
    drop(h);
    let again = Harness::new(Arc::new(MemoryStore::default()), &settings);
    assert_eq!(again.ok("get_status", json!({}))["historyOpen"], true);
    again.ok("set_history_open", json!({"open": false}));
    assert_eq!(again.ok("get_status", json!({}))["historyOpen"], false);
}

#[test]
fn the_csv_is_written_where_the_save_dialog_chose() {
    let dir = tempfile::tempdir().unwrap();
    let h = Harness::new(
        Arc::new(MemoryStore::default()),
        &dir.path().join("settings.json"),
    );
    h.ok("start_demo", json!({}));
    h.ok("list_agents", json!({}));
    h.ok("dial", dial_args("0506123456781", "98765 43210"));
    h.ok("dial", dial_args("0506123456782", "98765 11111"));
    let out = tempfile::tempdir().unwrap();

    // A name without .csv gets it; the reply names the file and counts the calls.
    let chosen = out.path().join("Vikram's calls");
    let saved = h.ok(
        "export_history",
        json!({"text": "Vikram", "path": chosen.display().to_string()}),
    );
    let written = out.path().join("Vikram's calls.csv");
    assert_eq!(saved["path"], written.display().to_string());
    assert_eq!(saved["name"], "Vikram's calls.csv");
    assert_eq!(saved["calls"], 1);
    let text = std::fs::read_to_string(&written).unwrap();
    let lines: Vec<&str> = text.trim_end().lines().collect();
    assert_eq!(lines.len(), 2, "{text}");
    assert!(lines[1].contains(",Vikram Singh,"), "{text}");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&written).unwrap().permissions().mode();
        assert_eq!(mode & 0o077, 0, "readable by its owner only");
    }

    // The dialog asked before replacing a file: every call now, in the same file.
    let all = h.ok(
        "export_history",
        json!({"text": null, "path": written.display().to_string()}),
    );
    assert_eq!(all["calls"], 2);
    assert_eq!(
        std::fs::read_to_string(&written)
            .unwrap()
            .trim_end()
            .lines()
            .count(),
        3
    );

    // No file chosen, or a relative one: said plainly, nothing written.
    let e = h.err("export_history", json!({"path": "calls.csv"}));
    assert_eq!(e["code"], "invalidInput");
    assert!(
        e["message"].as_str().unwrap().starts_with("Choose a file"),
        "{e}"
    );
    let e = h.err(
        "export_history",
        json!({"path": out.path().join("missing").join("calls.csv").display().to_string()}),
    );
    assert_eq!(e["code"], "storage", "{e}");

    // The retention rule holds for the window's history too (it used to read the ledger
    // directly): a call older than kept goes before it is shown.
    let state = h.app.state::<AppState>();
    let ledger = state.dialer().unwrap().ledger().clone();
    let old_ms = clickdial_services::ledger::wall_clock_ms() - 400 * 86_400_000;
    let old = ledger
        .begin(
            &clickdial_services::ledger::NewCall {
                // The window is in the demo, which shows only the demo's calls.
                account: "demo x",
                e164: "+919876500000",
                ext: None,
                agent: "0506123456781",
                caller_id: None,
                source: clickdial_services::ledger::Source::Cli,
                custom_identifier: "old",
            },
            old_ms,
        )
        .unwrap();
    ledger
        .finish(
            old,
            clickdial_services::ledger::Finish::NotPlaced { reason: "test" },
            old_ms,
        )
        .unwrap();
    assert_eq!(h.ok("history", json!({})).as_array().unwrap().len(), 2);
    let csv = h.ok(
        "export_history",
        json!({"path": out.path().join("all.csv").display().to_string()}),
    );
    assert_eq!(csv["calls"], 2, "the old call is not exported either");
}
