//! Domain values read tolerantly from the API's JSON. The real API is inconsistent (numbers as
//! strings, fields at the root or under `data`, arrays or `{data:[...]}`), so we read
//! `serde_json::Value`s with small helpers instead of rigid wire structs.

use serde::Serialize;
use serde_json::Value;

use crate::sanitize::{clean_text, MAX_ID, MAX_NAME};

/// A `click_to_call` the platform accepted: it will ring the agent, then the customer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Queued {
    /// The platform's reference (a UUID); the reliable key on Smartflo.
    pub ref_id: Option<String>,
    /// Asterisk-style call id. With `async=1` (what we send) the platform leaves it `null`
    /// until the agent answers, so expect `None`; the live id comes from `/live_calls`.
    pub call_id: Option<String>,
    /// Our own correlation value, sent as `custom_identifier`.
    pub custom_identifier: String,
    pub message: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum AgentStatus {
    Enabled,
    Blocked,
    Disabled,
    Busy,
    Unknown,
}

/// An agent for the dropdown, from `/v1/users`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Agent {
    /// What we send as `agent_number`: the agent's EID (`agent.id`).
    pub id: String,
    pub name: String,
    pub follow_me_number: Option<String>,
    pub status: AgentStatus,
}

/// A caller ID (DID) for the dropdown, from `/v1/my_number`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CallerId {
    pub id: String,
    pub name: String,
    /// E.164 form, for display.
    pub did: String,
    /// What we send as `caller_id`: the DID's digits with country code and no `+`
    /// (`918065000101`), as every public client does (servetel-api.md §2.1). The `alias` is
    /// used only when a row has no `did`, and only when it is a number itself: on some
    /// accounts it is a label such as `Sales-01`, which the platform refuses.
    pub value: String,
}

/// A string or a number, as a string.
pub(crate) fn text(v: Option<&Value>) -> Option<String> {
    match v? {
        Value::String(s) if !s.trim().is_empty() => Some(s.trim().to_string()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

/// A string or a number, as server text made safe to show (see [`crate::sanitize`]) and at
/// most `max` characters; `None` when nothing visible is left.
pub(crate) fn clean(v: Option<&Value>, max: usize) -> Option<String> {
    text(v)
        .map(|s| clean_text(&s, max))
        .filter(|s| !s.is_empty())
}

/// The digits of a phone number written with `+`, spaces, dashes, dots or brackets; `None`
/// for anything else (a label such as `Sales-01`) or for no digits at all.
fn phone_digits(s: &str) -> Option<String> {
    let numeric = s
        .chars()
        .all(|c| c.is_ascii_digit() || matches!(c, '+' | ' ' | '-' | '.' | '(' | ')'));
    let digits: String = s.chars().filter(char::is_ascii_digit).collect();
    (numeric && !digits.is_empty()).then_some(digits)
}

/// Looks a field up at the root, then under `data`.
pub(crate) fn field<'a>(body: &'a Value, key: &str) -> Option<&'a Value> {
    body.get(key).filter(|v| !v.is_null()).or_else(|| {
        body.get("data")
            .and_then(|d| d.get(key))
            .filter(|v| !v.is_null())
    })
}

/// A JSON array at the root or under `data` / `results`.
pub(crate) fn rows(body: &Value) -> Option<&Vec<Value>> {
    body.as_array().or_else(|| {
        ["data", "results"]
            .iter()
            .find_map(|k| body.get(*k).and_then(Value::as_array))
    })
}

impl Agent {
    pub(crate) fn from_user(user: &Value) -> Option<Agent> {
        let agent = user.get("agent").filter(|a| a.is_object());
        let id = clean(agent.and_then(|a| a.get("id")), MAX_ID)
            .or_else(|| clean(agent.and_then(|a| a.get("eid")), MAX_ID))?;
        let name = clean(user.get("name"), MAX_NAME)
            .or_else(|| clean(agent.and_then(|a| a.get("name")), MAX_NAME))
            .unwrap_or_else(|| id.clone());
        let status = match agent
            .and_then(|a| a.get("status"))
            .and_then(|s| text(Some(s)))
            .as_deref()
        {
            Some("0") => AgentStatus::Enabled,
            Some("1") => AgentStatus::Blocked,
            Some("2") => AgentStatus::Disabled,
            Some("3") => AgentStatus::Busy,
            _ => AgentStatus::Unknown,
        };
        Some(Agent {
            id,
            name,
            follow_me_number: clean(agent.and_then(|a| a.get("follow_me_number")), MAX_ID),
            status,
        })
    }
}

impl CallerId {
    pub(crate) fn from_row(row: &Value) -> Option<CallerId> {
        let did = clean(row.get("did"), MAX_ID);
        let from_did = did.as_deref().and_then(phone_digits);
        let value = match from_did {
            Some(digits) => digits,
            None => clean(row.get("alias"), MAX_ID)
                .as_deref()
                .and_then(phone_digits)?,
        };
        let did = match did {
            Some(d) if phone_digits(&d).is_some() => d,
            _ => format!("+{value}"),
        };
        Some(CallerId {
            id: clean(row.get("id"), MAX_ID).unwrap_or_else(|| value.clone()),
            name: clean(row.get("name"), MAX_NAME).unwrap_or_default(),
            did,
            value,
        })
    }
}

#[cfg(test)]
mod tests {
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
            }
        );
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
        let c = CallerId::from_row(&json!({"did": "+91 80650-00102", "alias": "918065000999"}))
            .unwrap();
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
}
