//! The window's wrap-up through IPC (issue 27, item 1): the dispositions in the status, and a
//! wrap-up saved on the ledger row the call bar knows, shown in Recent calls.

use std::sync::Arc;

use clickdial_services::secrets::MemoryStore;
use serde_json::json;

use super::{dial_args, Harness};

#[test]
fn a_wrap_up_lands_on_the_call_the_bar_shows() {
    let dir = tempfile::tempdir().unwrap();
    let h = Harness::new(
        Arc::new(MemoryStore::default()),
        &dir.path().join("settings.json"),
    );
    let status = h.ok("start_demo", json!({}));
    assert_eq!(
        status["dispositions"],
        json!([
            "Interested",
            "Call back",
            "Not interested",
            "Wrong number",
            "No answer"
        ])
    );
    h.ok("dial", dial_args("0506123456781", "98765 43210"));
    h.ok("dial", dial_args("0506123456782", "98765 11111"));
    let calls = h.ok("calls", json!({}));
    // The older call, not the last one: the wrap-up goes where the bar says.
    let older = calls[1]["id"].clone();
    assert_eq!(calls[1]["international"], "+91 98765 43210");

    let row = h.ok(
        "wrap_up",
        json!({"id": older, "disposition": "2", "note": "  Thursday 4pm "}),
    );
    assert_eq!(row["id"], older);
    assert_eq!(row["disposition"], "Call back");
    assert_eq!(row["note"], "Thursday 4pm");
    let rows = h.ok("history", json!({}));
    assert_eq!(
        rows[0]["disposition"],
        json!(null),
        "the newest call keeps none"
    );
    assert_eq!(rows[1]["id"], older);
    assert_eq!(rows[1]["disposition"], "Call back");
    assert_eq!(rows[1]["note"], "Thursday 4pm");

    // Refused plainly, as data: a disposition not offered, nothing at all, an unknown row.
    let e = h.err(
        "wrap_up",
        json!({"id": older, "disposition": "7", "note": null}),
    );
    assert_eq!(e["code"], "invalidInput");
    assert!(
        e["message"].as_str().unwrap().contains("2 Call back"),
        "{e}"
    );
    let e = h.err(
        "wrap_up",
        json!({"id": older, "disposition": null, "note": " "}),
    );
    assert_eq!(e["code"], "invalidInput");
    let e = h.err(
        "wrap_up",
        json!({"id": 999_999, "disposition": "1", "note": null}),
    );
    assert_eq!(e["code"], "invalidInput");
    assert_eq!(h.ok("history", json!({}))[1]["disposition"], "Call back");
}

/// The after-call hand-off through IPC (issue 27, item 3): Settings' preview of what a sample
/// call would send, the setting saved through `save_preferences` and refused when it is not
/// https, nothing saved then; the status carries it back.
#[test]
fn the_after_call_setting_is_previewed_checked_and_saved() {
    let dir = tempfile::tempdir().unwrap();
    let h = Harness::new(
        Arc::new(MemoryStore::default()),
        &dir.path().join("settings.json"),
    );
    h.ok("start_demo", json!({}));
    let link = h.ok(
        "preview_after_call",
        json!({"kind": "open", "url": "https://crm.example.com/log?p={e164}&n={note}"}),
    );
    assert_eq!(
        link,
        "https://crm.example.com/log?p=%2B919876543210&n=Call%20back%20Thursday%204%20pm"
    );
    let body = h.ok(
        "preview_after_call",
        json!({"kind": "post", "url": "https://crm.example.com/hook"}),
    );
    let body: serde_json::Value = serde_json::from_str(body.as_str().unwrap()).unwrap();
    assert_eq!(body["type"], "wrapup");
    let e = h.err(
        "preview_after_call",
        json!({"kind": "post", "url": "http://crm.example.com/hook"}),
    );
    assert_eq!(e["code"], "invalidInput");
    assert!(e["message"].as_str().unwrap().contains("https://"), "{e}");

    let e = h.err(
        "save_preferences",
        json!({"region": "IN", "afterCallKind": "open", "afterCallUrl": "https://crm.example.com/?p={phone}"}),
    );
    assert!(e["message"].as_str().unwrap().contains("{phone}"), "{e}");
    assert_eq!(h.ok("get_status", json!({}))["afterCall"], json!(null));
    let status = h.ok(
        "save_preferences",
        json!({"region": "IN", "afterCallKind": "post", "afterCallUrl": "https://crm.example.com/hook"}),
    );
    assert_eq!(
        status["afterCall"],
        json!({"kind": "post", "url": "https://crm.example.com/hook"})
    );
    let status = h.ok(
        "save_preferences",
        json!({"region": "IN", "afterCallKind": "off"}),
    );
    assert_eq!(status["afterCall"], json!(null));
}

/// Issue 27: the agent's dispositions, saved through IPC, are the ones offered and picked by
/// number; an edit from Recent calls (`replace`) replaces the note and keeps a disposition no
/// longer offered; a call pruned meanwhile gets the plain message.
#[test]
fn the_dispositions_setting_and_an_edit_from_recent_calls() {
    let dir = tempfile::tempdir().unwrap();
    let h = Harness::new(
        Arc::new(MemoryStore::default()),
        &dir.path().join("settings.json"),
    );
    h.ok("start_demo", json!({}));
    let status = h.ok("set_dispositions", json!({"names": ["Sale", " Lost "]}));
    assert_eq!(status["dispositions"], json!(["Sale", "Lost"]));
    assert_eq!(status["dispositionSetting"], json!(["Sale", "Lost"]));
    h.ok("dial", dial_args("0506123456781", "98765 43210"));
    let id = h.ok("calls", json!({}))[0]["id"].clone();
    let row = h.ok(
        "wrap_up",
        json!({"id": id, "disposition": "1", "note": "brochure"}),
    );
    assert_eq!(row["disposition"], "Sale");
    let e = h.err(
        "set_dispositions",
        json!({"names": (1..=10).map(|n| format!("D{n}")).collect::<Vec<_>>()}),
    );
    assert_eq!(e["code"], "invalidInput");
    let status = h.ok("set_dispositions", json!({"names": []}));
    assert_eq!(status["dispositions"][1], "Call back", "the defaults");
    let row = h.ok(
        "wrap_up",
        json!({"id": id, "disposition": null, "note": "brochure sent", "replace": true}),
    );
    assert_eq!(row["disposition"], "Sale", "kept, though no longer offered");
    assert_eq!(row["note"], "brochure sent");
    let row = h.ok(
        "wrap_up",
        json!({"id": id, "disposition": "2", "note": null, "replace": true}),
    );
    assert_eq!(row["disposition"], "Call back");
    assert_eq!(row["note"], json!(null), "the note edited away");
    assert_eq!(h.ok("history", json!({}))[0]["disposition"], "Call back");
    let e = h.err(
        "wrap_up",
        json!({"id": 999_999, "disposition": "1", "note": null, "replace": true}),
    );
    assert_eq!(e["code"], "invalidInput");
    assert!(
        e["message"]
            .as_str()
            .unwrap()
            .contains("no longer in this computer's history"),
        "{e}"
    );
}
