//! Domain values read tolerantly from the API's JSON. The real API is inconsistent (numbers as
//! strings, fields at the root or under `data`, arrays or `{data:[...]}`), so we read
//! `serde_json::Value`s with small helpers instead of rigid wire structs.

use serde::Serialize;
use serde_json::Value;

/// A `click_to_call` the platform accepted: it will ring the agent, then the customer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Queued {
    /// The platform's reference (a UUID); the reliable key on Smartflo.
    pub ref_id: Option<String>,
    /// Asterisk-style call id, when `get_call_id=1` was honoured.
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
    /// What we send as `caller_id`: the `alias` (digits with country code), which the
    /// accounts we know of accept; else the DID's digits.
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
        let id = text(agent.and_then(|a| a.get("id")))
            .or_else(|| text(agent.and_then(|a| a.get("eid"))))?;
        let name = text(user.get("name"))
            .or_else(|| text(agent.and_then(|a| a.get("name"))))
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
            follow_me_number: text(agent.and_then(|a| a.get("follow_me_number"))),
            status,
        })
    }
}

impl CallerId {
    pub(crate) fn from_row(row: &Value) -> Option<CallerId> {
        let did = text(row.get("did"));
        let alias = text(row.get("alias"));
        let value = alias
            .clone()
            .or_else(|| did.as_ref().map(|d| d.trim_start_matches('+').to_string()))?;
        let did = did.unwrap_or_else(|| format!("+{value}"));
        Some(CallerId {
            id: text(row.get("id")).unwrap_or_else(|| value.clone()),
            name: text(row.get("name")).unwrap_or_default(),
            did,
            value,
        })
    }
}
