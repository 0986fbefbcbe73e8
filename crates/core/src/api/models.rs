//! Domain values read tolerantly from the API's JSON. The real API is inconsistent (numbers as
//! strings, fields at the root or under `data`, arrays or `{data:[...]}`), so we read
//! `serde_json::Value`s with small helpers instead of rigid wire structs.

use serde::{Deserialize, Serialize};
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

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum AgentStatus {
    Enabled,
    Blocked,
    Disabled,
    Busy,
    Unknown,
}

/// An agent for the dropdown, from `/v1/users`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Agent {
    /// What we send as `agent_number`: the agent's EID (`agent.id`).
    pub id: String,
    pub name: String,
    pub follow_me_number: Option<String>,
    pub status: AgentStatus,
    /// The portal login (`login_id`, else the team member's email), lower case: how the
    /// signed-in user is recognised among the agents.
    pub login: Option<String>,
    /// The user's id (`/v1/user/{id}`), which differs from the agent's EID.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user_id: Option<String>,
    /// The agent's extension, when the list gives it (often `null` there: `/v1/user/{id}` has
    /// it). A softphone agent's calls may show it in place of their mobile.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub extension: Option<String>,
}

/// What `/v1/user/{id}` adds about an agent: how live rows and records may name them.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AgentDetail {
    /// `agent.extension.username`.
    pub extension: Option<String>,
    /// `agent.intercom`.
    pub intercom: Option<String>,
}

impl AgentDetail {
    pub(crate) fn from_reply(body: &Value) -> AgentDetail {
        let agent = field(body, "agent").filter(|a| a.is_object());
        AgentDetail {
            extension: agent.and_then(|a| extension_of(a.get("extension"))),
            intercom: clean(agent.and_then(|a| a.get("intercom")), MAX_ID),
        }
    }
}

/// An extension written as a string, a number, or `{username: …}`.
fn extension_of(v: Option<&Value>) -> Option<String> {
    match v? {
        Value::Object(o) => clean(o.get("username"), MAX_ID),
        other => clean(Some(other), MAX_ID),
    }
}

/// A caller ID (DID) for the dropdown, from `/v1/my_number`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
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
            login: clean(user.get("login_id"), MAX_NAME)
                .or_else(|| {
                    clean(
                        user.get("team_member").and_then(|t| t.get("email")),
                        MAX_NAME,
                    )
                })
                .map(|l| l.to_lowercase()),
            user_id: clean(user.get("id"), MAX_ID),
            extension: extension_of(agent.and_then(|a| a.get("extension")))
                .or_else(|| extension_of(user.get("extension"))),
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

/// Seconds from a number, a numeric string or `HH:MM:SS` / `MM:SS`; `None` for anything else
/// (`"N.A."`, negative, absurd).
pub(crate) fn seconds(v: Option<&Value>) -> Option<u64> {
    const MAX: u64 = 7 * 24 * 3600;
    let s = match v? {
        Value::Number(n) => return n.as_u64().filter(|&n| n <= MAX),
        Value::String(s) => s.trim(),
        _ => return None,
    };
    if let Ok(n) = s.parse::<u64>() {
        return (n <= MAX).then_some(n);
    }
    if let Ok(f) = s.parse::<f64>() {
        return (f.is_finite() && (0.0..=MAX as f64).contains(&f)).then_some(f as u64);
    }
    let parts: Vec<&str> = s.split(':').collect();
    if !(2..=3).contains(&parts.len()) || parts.iter().any(|p| p.is_empty() || p.len() > 4) {
        return None;
    }
    let mut total: u64 = 0;
    for p in parts {
        total = total * 60 + p.parse::<u64>().ok()?;
    }
    (total <= MAX).then_some(total)
}

/// The digits of a phone-number field (`+91 98765 43210`, `919876543210`, a number); `None`
/// for labels or for fewer than 6 digits.
fn number_digits(v: Option<&Value>) -> Option<String> {
    let s = text(v)?;
    let digits = phone_digits(&s)?;
    (digits.len() >= 6 && digits.len() <= 20).then_some(digits)
}

/// The last ten digits of a number: how calls are matched, since the platform writes numbers
/// with or without `+` and the country code (servetel-api.md §5.1).
pub fn last10(digits: &str) -> &str {
    let start = digits.len().saturating_sub(10);
    digits.get(start..).unwrap_or(digits)
}

/// A live call's state as `/v1/live_calls` gives it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum LiveState {
    Ringing,
    Answered,
    /// A state this client does not know; the call is still live.
    Other,
}

/// One row of `GET /v1/live_calls`, read tolerantly.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct LiveCall {
    /// The live call id, the one `/v1/call/hangup` takes.
    pub call_id: Option<String>,
    pub state: LiveState,
    /// The customer's digits (`customer_number`; often without the country code).
    pub customer: Option<String>,
    /// The digits of every number in `destination` (a comma-separated list).
    pub destinations: Vec<String>,
    pub agent_name: Option<String>,
    /// The caller ID shown to the customer (`did`), digits.
    pub did: Option<String>,
    /// Elapsed time (`call_time`), seconds.
    pub elapsed_s: Option<u64>,
    /// Start (`created_at`, IST), Unix seconds.
    pub created_at: Option<i64>,
    /// 1 inbound, 2 outbound, when given.
    pub direction: Option<u8>,
    /// The digits of `source`: the agent's mobile or extension on real click-to-call rows, the
    /// DID on others.
    pub source: Option<String>,
    /// The digits of `agent_number`, on rows that carry one.
    pub agent_number: Option<String>,
    /// `ref_id` and `custom_identifier`, on rows that carry them: what ties a row to a dial.
    pub refs: Vec<String>,
}

impl LiveCall {
    /// One row as the server sent it; `None` when it is not an object.
    pub fn from_row(row: &Value) -> Option<LiveCall> {
        if !row.is_object() {
            return None;
        }
        let state = match text(row.get("state"))
            .map(|s| s.to_ascii_lowercase())
            .as_deref()
        {
            Some("ringing") => LiveState::Ringing,
            Some("answered") | Some("connected") => LiveState::Answered,
            _ => LiveState::Other,
        };
        let destinations = text(row.get("destination"))
            .map(|d| {
                d.split(',')
                    .filter_map(|part| number_digits(Some(&Value::String(part.to_string()))))
                    .take(20)
                    .collect()
            })
            .unwrap_or_default();
        Some(LiveCall {
            call_id: clean(row.get("call_id"), MAX_ID),
            state,
            customer: number_digits(row.get("customer_number")),
            destinations,
            agent_name: clean(row.get("agent_name"), MAX_NAME),
            did: number_digits(row.get("did")),
            elapsed_s: seconds(row.get("call_time")),
            created_at: text(row.get("created_at")).and_then(|s| crate::clock::parse_ist(&s)),
            direction: text(row.get("direction")).and_then(|d| d.parse().ok()),
            source: number_digits(row.get("source")),
            agent_number: number_digits(row.get("agent_number")),
            refs: ["ref_id", "custom_identifier"]
                .iter()
                .filter_map(|k| clean(row.get(*k), MAX_ID))
                .collect(),
        })
    }

    /// Whether this row is a call to `customer` (digits, any form): its `customer_number`, or
    /// any number in `destination`, ends with the same ten digits.
    pub fn is_to(&self, customer: &str) -> bool {
        let want = last10(customer);
        want.len() >= 6
            && self
                .customer
                .iter()
                .chain(self.destinations.iter())
                .any(|d| last10(d) == want)
    }

    /// The numbers on this row other than the customer's: where a row may show its agent
    /// (`source`, `agent_number`, the other numbers of `destination`). Which field holds the
    /// agent differs between accounts (servetel-api.md §5.6), so all of them are offered.
    pub fn other_numbers<'a>(&'a self, customer: &str) -> impl Iterator<Item = &'a str> {
        let want = last10(customer).to_string();
        self.source
            .iter()
            .chain(self.agent_number.iter())
            .chain(self.destinations.iter())
            .map(String::as_str)
            .filter(move |d| last10(d) != want)
    }

    /// Whether every number in `destination` is one of `agent`'s: only the agent's phone is
    /// being rung. False when `destination` is empty or names anyone else.
    pub fn only_agent_rung(&self, agent: &dyn Fn(&str) -> bool) -> bool {
        !self.destinations.is_empty() && self.destinations.iter().all(|d| agent(d))
    }
}

/// How a finished call went, from its call record.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum Outcome {
    /// The customer answered and the two talked.
    Answered,
    /// The agent's phone was not answered.
    AgentMissed,
    /// The customer did not answer.
    Missed,
    /// A line was busy.
    Busy,
    /// The call could not be connected (unreachable, rejected, network).
    Failed,
    /// Ended before anyone talked, by a hang-up.
    Cancelled,
    /// It ended, but how is not known (no call record could be read).
    Ended,
}

impl Outcome {
    pub const ALL: [Outcome; 7] = [
        Outcome::Answered,
        Outcome::AgentMissed,
        Outcome::Missed,
        Outcome::Busy,
        Outcome::Failed,
        Outcome::Cancelled,
        Outcome::Ended,
    ];

    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            Outcome::Answered => "answered",
            Outcome::AgentMissed => "agentMissed",
            Outcome::Missed => "missed",
            Outcome::Busy => "busy",
            Outcome::Failed => "failed",
            Outcome::Cancelled => "cancelled",
            Outcome::Ended => "ended",
        }
    }

    pub fn parse(s: &str) -> Option<Outcome> {
        Outcome::ALL.into_iter().find(|o| o.as_str() == s)
    }

    /// Words for the agent.
    pub fn describe(self) -> &'static str {
        match self {
            Outcome::Answered => "Answered",
            Outcome::AgentMissed => "Your phone was not answered",
            Outcome::Missed => "The customer did not answer",
            Outcome::Busy => "Busy",
            Outcome::Failed => "Could not connect",
            Outcome::Cancelled => "Cancelled",
            Outcome::Ended => "Ended",
        }
    }
}

/// One row of `GET /v1/call/records` (a CDR), read tolerantly.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CallRecord {
    pub call_id: Option<String>,
    pub ref_id: Option<String>,
    pub custom_identifier: Option<String>,
    /// `answered` / `missed`, lowercased.
    pub status: Option<String>,
    pub description: Option<String>,
    pub reason: Option<String>,
    pub hangup_cause: Option<String>,
    /// The customer's digits (`client_number`).
    pub customer: Option<String>,
    /// The agent (`agent_number`: an EID or a number).
    pub agent: Option<String>,
    /// Whole call, seconds (`call_duration`).
    pub duration_s: Option<u64>,
    /// Talk time, seconds (`answered_seconds`).
    pub talk_s: Option<u64>,
    /// Start (`date` + `time`, IST), Unix seconds.
    pub started_at: Option<i64>,
    /// How it went.
    pub outcome: Outcome,
    /// The recording's address (`recording_url`), when the call was recorded. It carries an
    /// access token: never stored, logged, exported or sent to the page; only opened.
    #[serde(skip)]
    pub recording: Option<crate::secret::Secret>,
}

impl CallRecord {
    /// One row as the server sent it; `None` when it is not an object.
    pub fn from_row(row: &Value) -> Option<CallRecord> {
        if !row.is_object() {
            return None;
        }
        let status = text(row.get("status")).map(|s| s.to_ascii_lowercase());
        let description = clean(row.get("description"), MAX_NAME);
        let reason =
            clean(row.get("reason"), MAX_NAME).or_else(|| clean(row.get("reason_key"), MAX_NAME));
        let hangup_cause = clean(row.get("hangup_cause"), MAX_ID)
            .or_else(|| clean(row.get("hangup_cause_key"), MAX_ID));
        let cause_code = text(row.get("hangup_cause_code")).and_then(|c| c.parse::<u32>().ok());
        let talk_s = seconds(row.get("answered_seconds"));
        let started_at = match (text(row.get("date")), text(row.get("time"))) {
            (Some(d), Some(t)) => crate::clock::parse_ist(&format!("{d} {t}")),
            _ => None,
        };
        let outcome = classify(
            status.as_deref(),
            description.as_deref(),
            reason.as_deref(),
            hangup_cause.as_deref(),
            cause_code,
            talk_s,
        );
        Some(CallRecord {
            call_id: clean(row.get("call_id"), MAX_ID),
            ref_id: clean(row.get("ref_id"), MAX_ID),
            custom_identifier: match row.get("custom_identifier") {
                Some(Value::Object(_) | Value::Array(_)) => row
                    .get("custom_identifier")
                    .map(|v| crate::sanitize::clean_text(&v.to_string(), MAX_ID)),
                other => clean(other, MAX_ID),
            },
            status,
            description,
            reason,
            hangup_cause,
            customer: number_digits(row.get("client_number"))
                .or_else(|| number_digits(row.get("callerid"))),
            agent: clean(row.get("agent_number"), MAX_ID),
            duration_s: seconds(row.get("call_duration")),
            talk_s,
            started_at,
            outcome,
            recording: recording_url(row.get("recording_url")),
        })
    }
}

/// A recording's address as a browser may open it: `https://` (or `http://`) and nothing
/// else a server could slip in (`file:`, `javascript:`, spaces, control characters), at most
/// 4 KB.
fn recording_url(v: Option<&Value>) -> Option<crate::secret::Secret> {
    let s = v?.as_str()?.trim();
    let web = s.starts_with("https://") || s.starts_with("http://");
    let plain = s.len() <= 4096 && s.chars().all(|c| c.is_ascii_graphic());
    (web && plain && reqwest::Url::parse(s).is_ok()).then(|| crate::secret::Secret::new(s))
}

/// A call record's outcome from its status, words and Q.850 hangup cause.
fn classify(
    status: Option<&str>,
    description: Option<&str>,
    reason: Option<&str>,
    cause: Option<&str>,
    cause_code: Option<u32>,
    talk_s: Option<u64>,
) -> Outcome {
    let words = format!(
        "{} {} {}",
        description.unwrap_or_default(),
        reason.unwrap_or_default(),
        cause.unwrap_or_default()
    )
    .to_ascii_lowercase();
    if status == Some("answered") || talk_s.is_some_and(|t| t > 0) {
        return Outcome::Answered;
    }
    if cause_code == Some(17) || words.contains("busy") {
        return Outcome::Busy;
    }
    if words.contains("cancel") || words.contains("disconnected by caller") {
        return Outcome::Cancelled;
    }
    if matches!(cause_code, Some(1 | 3 | 20 | 21 | 27 | 28 | 34 | 38 | 41))
        || [
            "unreachable",
            "absent",
            "failed",
            "rejected",
            "unallocated",
            "congestion",
        ]
        .iter()
        .any(|w| words.contains(w))
    {
        return Outcome::Failed;
    }
    if words.contains("agent") && (words.contains("miss") || words.contains("no answer")) {
        return Outcome::AgentMissed;
    }
    match status {
        Some("missed") | Some("noanswer") | Some("no answer") => Outcome::Missed,
        _ if cause_code == Some(19) || words.contains("noanswer") => Outcome::Missed,
        _ => Outcome::Ended,
    }
}

/// A page of `GET /v1/call/records`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CallRecords {
    pub records: Vec<CallRecord>,
    /// `count`: every matching record, when the server said.
    pub total: Option<u64>,
}

#[cfg(test)]
mod tests;
