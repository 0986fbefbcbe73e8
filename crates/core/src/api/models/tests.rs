//! Unit tests of `models`.

use super::*;
use serde_json::json;

fn status_of(status: Value) -> AgentStatus {
    Agent::from_user(&json!({"name": "A", "agent": {"id": "0501", "status": status}}))
        .unwrap()
        .status
}

#[test]
fn every_agent_status_code_numbers_and_strings() {
    let cases = [
        (0, AgentStatus::Enabled),
        (1, AgentStatus::Blocked),
        (2, AgentStatus::Disabled),
        (3, AgentStatus::Busy),
        (4, AgentStatus::Unknown),
        (-1, AgentStatus::Unknown),
        (10, AgentStatus::Unknown),
    ];
    for (code, want) in cases {
        assert_eq!(status_of(json!(code)), want, "number {code}");
        assert_eq!(status_of(json!(code.to_string())), want, "string {code}");
    }
    assert_eq!(status_of(json!(" 1 ")), AgentStatus::Blocked);
    for odd in [
        json!(null),
        json!("busy"),
        json!(""),
        json!(true),
        json!(1.5),
        json!([1]),
    ] {
        assert_eq!(status_of(odd.clone()), AgentStatus::Unknown, "{odd}");
    }
    let no_status = Agent::from_user(&json!({"agent": {"id": "0501"}})).unwrap();
    assert_eq!(no_status.status, AgentStatus::Unknown);
}

#[test]
fn agent_fields_and_fallbacks() {
    let a = Agent::from_user(&json!({"id": 7, "agent": {"eid": 501, "name": "Inner",
                                    "follow_me_number": "+919810000001"}}))
    .unwrap();
    assert_eq!(
        a,
        Agent {
            id: "501".into(),
            name: "Inner".into(),
            follow_me_number: Some("+919810000001".into()),
            status: AgentStatus::Unknown,
            login: None,
            user_id: Some("7".into()),
            extension: None,
        }
    );
    let a = Agent::from_user(&json!({"login_id": " Asha@Example.COM ",
                                    "agent": {"id": "0503"}}))
    .unwrap();
    assert_eq!(a.login.as_deref(), Some("asha@example.com"));
    let a = Agent::from_user(&json!({"team_member": {"email": "v@example.com"},
                                    "agent": {"id": "0504"}}))
    .unwrap();
    assert_eq!(a.login.as_deref(), Some("v@example.com"));
    let a = Agent::from_user(&json!({"agent": {"id": "0502", "eid": "x"}})).unwrap();
    assert_eq!((a.id.as_str(), a.name.as_str()), ("0502", "0502"));
    assert_eq!(
        Agent::from_user(&json!({"id": 7, "name": "No agent"})),
        None
    );
    assert_eq!(Agent::from_user(&json!({"agent": "0503"})), None);
    assert_eq!(Agent::from_user(&json!({"agent": {"id": "  "}})), None);
}

#[test]
fn agent_text_is_cleaned() {
    let a = Agent::from_user(&json!({
        "name": format!("Asha\u{1b}]0;owned\u{7} \u{202e}Rao{}", "x".repeat(200)),
        "agent": {"id": "05\u{200b}01", "follow_me_number": "\u{1b}[2J+9198"}
    }))
    .unwrap();
    assert!(a.name.starts_with("Asha Rao"), "{}", a.name);
    assert_eq!(a.name.chars().count(), MAX_NAME + 1);
    assert_eq!(a.id, "0501");
    assert_eq!(a.follow_me_number.as_deref(), Some("+9198"));
}

#[test]
fn caller_id_value_is_the_did_digits_not_the_alias() {
    let c = CallerId::from_row(&json!({"id": 1759333, "name": "Sales line",
                                       "did": "+918065000101", "alias": "Sales-01"}))
    .unwrap();
    assert_eq!(
        c,
        CallerId {
            id: "1759333".into(),
            name: "Sales line".into(),
            did: "+918065000101".into(),
            value: "918065000101".into(),
        }
    );
    let c =
        CallerId::from_row(&json!({"did": "+91 80650-00102", "alias": "918065000999"})).unwrap();
    assert_eq!(c.value, "918065000102");
    assert_eq!(c.id, "918065000102");
    assert_eq!(c.name, "");
    let c = CallerId::from_row(&json!({"did": 918065000103u64})).unwrap();
    assert_eq!(
        (c.value.as_str(), c.did.as_str()),
        ("918065000103", "918065000103")
    );
}

#[test]
fn caller_id_falls_back_to_a_numeric_alias_only() {
    let c = CallerId::from_row(&json!({"alias": "+918065000104"})).unwrap();
    assert_eq!(
        (c.value.as_str(), c.did.as_str()),
        ("918065000104", "+918065000104")
    );
    let c = CallerId::from_row(&json!({"did": "", "alias": 918065000105u64})).unwrap();
    assert_eq!(c.value, "918065000105");
    let c = CallerId::from_row(&json!({"did": "n/a", "alias": "918065000106"})).unwrap();
    assert_eq!(
        (c.value.as_str(), c.did.as_str()),
        ("918065000106", "+918065000106")
    );
    assert_eq!(CallerId::from_row(&json!({"alias": "Sales-01"})), None);
    assert_eq!(
        CallerId::from_row(&json!({"did": null, "alias": "--"})),
        None
    );
    assert_eq!(CallerId::from_row(&json!({"name": "x"})), None);
}

#[test]
fn caller_id_text_is_cleaned() {
    let c = CallerId::from_row(&json!({"id": "\u{1b}[2J1", "name": "Sales\u{202e}\u{7}",
                                       "did": "\u{feff}+918065000101"}))
    .unwrap();
    assert_eq!(c.id, "1");
    assert_eq!(c.name, "Sales");
    assert_eq!(c.did, "+918065000101");
    assert_eq!(c.value, "918065000101");
}

#[test]
fn text_and_clean_helpers() {
    assert_eq!(text(Some(&json!(" a "))), Some("a".into()));
    assert_eq!(text(Some(&json!(12))), Some("12".into()));
    assert_eq!(text(Some(&json!("  "))), None);
    assert_eq!(text(Some(&json!(null))), None);
    assert_eq!(text(None), None);
    assert_eq!(clean(Some(&json!("\u{1b}[2J")), 10), None);
    assert_eq!(clean(Some(&json!("abcdef")), 3), Some("abc…".into()));
    assert_eq!(
        phone_digits("+91 (80) 650-00.101"),
        Some("918065000101".into())
    );
    assert_eq!(phone_digits("Sales-01"), None);
    assert_eq!(phone_digits("+"), None);
}

#[test]
fn field_and_rows_look_under_data() {
    let v = json!({"ref_id": null, "data": {"ref_id": "r", "call_id": null}});
    assert_eq!(field(&v, "ref_id"), Some(&json!("r")));
    assert_eq!(field(&v, "call_id"), None);
    assert_eq!(rows(&json!([1])).map(Vec::len), Some(1));
    assert_eq!(rows(&json!({"data": [1, 2]})).map(Vec::len), Some(2));
    assert_eq!(rows(&json!({"results": []})).map(Vec::len), Some(0));
    assert_eq!(rows(&json!({"data": {}})), None);
}

#[test]
fn a_recording_address_is_kept_only_when_a_browser_may_open_it() {
    let rec = |url: Value| {
        CallRecord::from_row(&json!({"status": "answered", "recording_url": url}))
            .unwrap()
            .recording
            .map(|s| s.expose().to_string())
    };
    let ok = "https://customer.servetel.in/file/recording?callId=1.2&type=rec&token=abc";
    assert_eq!(rec(json!(ok)).as_deref(), Some(ok));
    assert_eq!(rec(json!(format!("  {ok} "))).as_deref(), Some(ok));
    assert!(rec(json!("http://127.0.0.1:9/rec.mp3")).is_some());
    for bad in [
        json!("javascript:alert(1)"),
        json!("file:///etc/passwd"),
        json!("https://a b/c"),
        json!("https://x/\u{1b}[2J"),
        json!("https://"),
        json!(""),
        json!(null),
        json!(12),
        json!(format!("https://x/{}", "a".repeat(5000))),
    ] {
        assert_eq!(rec(bad.clone()), None, "{bad}");
    }
    let r = CallRecord::from_row(&json!({"recording_url": ok})).unwrap();
    assert!(
        !format!("{r:?}").contains("token=abc"),
        "never in a debug print"
    );
    assert!(!serde_json::to_string(&r).unwrap().contains("token=abc"));
}

#[test]
fn an_agents_extension_and_user_id_in_every_shape() {
    let a = |v: Value| Agent::from_user(&v).unwrap();
    let listed = a(json!({"id": 314671, "agent": {"id": "0501"}, "extension": null}));
    assert_eq!(listed.user_id.as_deref(), Some("314671"));
    assert_eq!(listed.extension, None, "the list often says null");
    let nested = a(json!({"agent": {"id": "0501", "extension": {"username": "0600000000054"}}}));
    assert_eq!(nested.extension.as_deref(), Some("0600000000054"));
    let flat = a(json!({"agent": {"id": "0501"}, "extension": 2001}));
    assert_eq!(flat.extension.as_deref(), Some("2001"));
    let detail = AgentDetail::from_reply(&json!({"data": {"id": 314671, "agent": {
        "id": "0501", "intercom": 1671, "extension": {"username": "0600000000054"}}}}));
    assert_eq!(
        detail,
        AgentDetail {
            extension: Some("0600000000054".into()),
            intercom: Some("1671".into()),
        }
    );
    assert_eq!(
        AgentDetail::from_reply(&json!({"data": []})),
        AgentDetail::default()
    );
    assert_eq!(
        AgentDetail::from_reply(&json!("garbage")),
        AgentDetail::default()
    );
}
