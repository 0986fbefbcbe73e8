use super::*;
use serde_json::json;

/// A wrap-up event as `clickdial events` prints it, with `note`.
fn event(note: &str) -> Value {
    json!({
        "schema": 1, "seq": 9, "type": "wrapup", "atMs": 1765169709000_i64,
        "disposition": "Call back", "note": note,
        "call": {
            "id": 7, "number": "+919876543210", "agent": "0506123456781",
            "agentName": "Asha Rao", "callerId": "918065000101", "source": "window",
            "reference": "ref-1", "callId": "c/1", "customIdentifier": "clickdial-1",
            "placedAtMs": 1765169630000_i64, "outcome": "answered", "talkSeconds": 75,
            "recording": true
        }
    })
}

#[test]
fn a_hostile_note_is_encoded_and_adds_no_parameter() {
    let template = "https://crm.example.com/log?phone={e164}&ref={ref_id}&note={note}&o={outcome}";
    let hostile = "a&ref=evil#x%0d\n\"<script>{e164}/../?";
    let link = render(template, &event(hostile)).unwrap();
    let url = reqwest::Url::parse(&link).unwrap();
    assert_eq!(url.host_str(), Some("crm.example.com"));
    assert_eq!(url.path(), "/log");
    assert_eq!(url.fragment(), None, "{link}");
    let pairs: Vec<(String, String)> = url.query_pairs().into_owned().collect();
    let keys: Vec<&str> = pairs.iter().map(|(k, _)| k.as_str()).collect();
    assert_eq!(keys, ["phone", "ref", "note", "o"], "{link}");
    assert_eq!(pairs[0].1, "+919876543210");
    assert_eq!(pairs[1].1, "ref-1");
    assert_eq!(pairs[2].1, hostile, "decodes to the note as written");
    assert_eq!(pairs[3].1, "answered");
    assert!(!link.contains('\n') && !link.contains('"') && !link.contains('<'));
    // In the path too: a value never adds a segment.
    let link = render(
        "https://crm.example.com/calls/{call_id}/{note}",
        &event(hostile),
    )
    .unwrap();
    let url = reqwest::Url::parse(&link).unwrap();
    assert_eq!(url.path_segments().unwrap().count(), 3, "{link}");
    assert_eq!(url.query(), None);
}

#[test]
fn a_note_of_dots_never_steps_up_the_path() {
    for note in [".", "..", "...."] {
        let link = render("https://crm.example.com/contacts/{note}/log", &event(note)).unwrap();
        let url = reqwest::Url::parse(&link).unwrap();
        assert_eq!(url.path(), "/contacts//log", "{note}: {link}");
    }
    // Dots among other characters are the note as written.
    let link = render("https://crm.example.com/c/{note}", &event("v1..2")).unwrap();
    assert!(link.ends_with("/c/v1..2"), "{link}");
}

#[test]
fn the_templates_own_text_is_written_as_a_browser_sends_it() {
    let link = render(
        "https://crm.example.com/log?src=click dial&city=Bengaluru–South&p={e164}",
        &event("x"),
    )
    .unwrap();
    assert!(link.is_ascii() && !link.contains(' '), "{link}");
    let url = reqwest::Url::parse(&link).unwrap();
    let got: std::collections::HashMap<String, String> = url.query_pairs().into_owned().collect();
    assert_eq!(got["src"], "click dial");
    assert_eq!(got["city"], "Bengaluru–South");
    assert_eq!(got["p"], "+919876543210");
}

#[test]
fn every_placeholder_has_its_value() {
    let e = event("Thursday 4 pm");
    let all: String = PLACEHOLDERS.map(|p| format!("{p}={{{p}}}&")).concat();
    let link = render(&format!("https://crm.example.com/?{all}"), &e).unwrap();
    let url = reqwest::Url::parse(&link).unwrap();
    let got: std::collections::HashMap<String, String> = url.query_pairs().into_owned().collect();
    assert_eq!(got["e164"], "+919876543210");
    assert_eq!(got["number"].replace(' ', ""), "09876543210");
    assert_eq!(got["call_id"], "c/1");
    assert_eq!(got["disposition"], "Call back");
    assert_eq!(got["note"], "Thursday 4 pm");
    assert_eq!(got["agent"], "0506123456781");
    assert_eq!(got["agent_name"], "Asha Rao");
    assert_eq!(got["caller_id"], "918065000101");
    assert_eq!(got["talk_seconds"], "75");
    assert_eq!(got["started_at"], "2025-12-08T10:23:50+05:30");
    assert_eq!(got.len(), PLACEHOLDERS.len());
    // A value the event does not have is empty, not "null".
    let mut e = event("x");
    e["call"]["callId"] = Value::Null;
    let link = render("https://crm.example.com/?c={call_id}", &e).unwrap();
    assert!(link.ends_with("?c="), "{link}");
}

#[test]
fn only_https_or_loopback_http_without_user_info() {
    for kind in ["post", "open"] {
        for bad in [
            "http://crm.example.com/calls",
            "ftp://crm.example.com/calls",
            "file:///etc/passwd",
            "javascript:alert(1)",
            "crm.example.com/calls",
            "https://user:pw@crm.example.com/calls",
            "http://127.0.0.1:1@crm.example.com/",
            "",
        ] {
            assert!(Target::new(kind, bad).is_err(), "{kind} {bad}");
        }
        for good in [
            "https://crm.example.com/calls?token=abc",
            "http://127.0.0.1:8080/hook",
            "http://localhost/hook",
            "http://[::1]:9/x",
        ] {
            assert!(Target::new(kind, good).is_ok(), "{kind} {good}");
        }
    }
    let e = Target::new("post", "http://crm.example.com/calls?token=s3cret").unwrap_err();
    assert!(e.contains("https://"), "{e}");
    assert!(!e.contains("s3cret"), "the query may hold a token: {e}");
    assert!(Target::new("fax", "https://crm.example.com").is_err());
}

#[test]
fn a_template_is_refused_with_its_unknown_placeholder_named() {
    let e = Target::new("open", "https://crm.example.com/?p={phone}").unwrap_err();
    assert!(e.contains("{phone}") && e.contains("{e164}"), "{e}");
    for bad in [
        "https://crm.example.com/?p={e164",
        "https://crm.example.com/?p=e164}",
        "https://crm.example.com/?p={{e164}}",
        "https://{agent}.crm.example.com/",
        "https://crm.example.com{note}/",
        "{e164}://crm.example.com/",
    ] {
        assert!(Target::new("open", bad).is_err(), "{bad}");
    }
    let e = Target::new("post", "https://crm.example.com/?p={e164}").unwrap_err();
    assert!(e.contains("Open a link"), "{e}");
    assert_eq!(
        Target::from_text("https://crm.example.com/log?p={e164}"),
        Ok(Target::Open("https://crm.example.com/log?p={e164}".into()))
    );
    assert_eq!(
        Target::from_text("https://crm.example.com/hook"),
        Ok(Target::Post("https://crm.example.com/hook".into()))
    );
    assert_eq!(
        serde_json::to_value(Target::Post("https://a.example/x".into())).unwrap(),
        json!({"kind": "post", "url": "https://a.example/x"})
    );
    assert_eq!(
        Target::Post("https://a.example/x?t=1".into()).host(),
        "a.example"
    );
}

#[test]
fn encoding_leaves_only_unreserved_characters() {
    assert_eq!(
        encode("a b&c=d/e?f#g%h{i}\"'\n~-._"),
        "a%20b%26c%3Dd%2Fe%3Ff%23g%25h%7Bi%7D%22%27%0A~-._"
    );
    assert_eq!(encode("é"), "%C3%A9");
}

#[test]
fn shown_without_its_query() {
    assert_eq!(
        Target::Post("https://crm.example.com/hook?token=s3cret".into()).without_secrets(),
        Target::Post("https://crm.example.com/hook?…".into())
    );
    assert_eq!(
        Target::Open("https://crm.example.com/log#k={e164}".into()).without_secrets(),
        Target::Open("https://crm.example.com/log?…".into())
    );
    let plain = Target::Post("https://crm.example.com/hook".into());
    assert_eq!(plain.without_secrets(), plain);
}
