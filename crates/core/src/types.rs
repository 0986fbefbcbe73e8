//! Typed inputs, parsed once where they enter (the window, the CLI, a link, the settings file)
//! and trusted after: an [`AgentId`], a [`CallerIdValue`], a [`CallTimeout`] and a [`BaseUrl`]
//! are valid by construction, so nothing downstream checks them again. Each rejection says
//! what to fix, in words an agent understands.

use std::fmt;

use serde::{Deserialize, Serialize};

/// The agent leg of a call as the API takes it (`agent_number`): an agent ID (EID such as
/// `0506123456781`), an intercom, an extension user name or a mobile number.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct AgentId(String);

/// Longest agent ID we accept; real ones are 4 to 13 characters.
const MAX_AGENT_CHARS: usize = 64;

impl AgentId {
    pub fn parse(input: &str) -> Result<AgentId, String> {
        let t = input.trim();
        if t.is_empty() {
            return Err("Pick an agent first.".to_string());
        }
        let ok = t.chars().count() <= MAX_AGENT_CHARS
            && t.chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '_' | '.' | '@'));
        if !ok {
            return Err(format!(
                "'{}' is not an agent ID; use the agent ID (such as 0506123456781) or the agent's number.",
                crate::sanitize::clean_text(t, 40)
            ));
        }
        Ok(AgentId(t.to_string()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for AgentId {
    type Error = String;
    fn try_from(s: String) -> Result<Self, String> {
        AgentId::parse(&s)
    }
}

impl From<AgentId> for String {
    fn from(a: AgentId) -> String {
        a.0
    }
}

impl fmt::Display for AgentId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A caller ID (DID) as the API takes it: its digits with the country code, no `+`
/// (`918065000101`). Accepts the forms people copy: `+91 80650 00101`, `91-8065-000101`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct CallerIdValue(String);

impl CallerIdValue {
    pub fn parse(input: &str) -> Result<CallerIdValue, String> {
        let t = input.trim();
        let body = t.strip_prefix('+').unwrap_or(t);
        let mut digits = String::new();
        for c in body.chars() {
            match c {
                '0'..='9' => digits.push(c),
                ' ' | '-' | '(' | ')' | '.' | '\u{a0}' => {}
                _ => {
                    return Err(format!(
                        "'{}' is not a caller ID; use the number as Clickdial lists it, such as +91 80650 00101.",
                        crate::sanitize::clean_text(t, 40)
                    ))
                }
            }
        }
        if !(3..=15).contains(&digits.len()) {
            return Err(format!(
                "'{}' is not a caller ID; a caller ID has 3 to 15 digits, such as +91 80650 00101.",
                crate::sanitize::clean_text(t, 40)
            ));
        }
        Ok(CallerIdValue(digits))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for CallerIdValue {
    type Error = String;
    fn try_from(s: String) -> Result<Self, String> {
        CallerIdValue::parse(&s)
    }
}

impl From<CallerIdValue> for String {
    fn from(c: CallerIdValue) -> String {
        c.0
    }
}

impl fmt::Display for CallerIdValue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// The longest talk time sent as `call_timeout`. One range everywhere (window, CLI, settings
/// file): a call cut off before a minute is useless, and the platform's own ceiling is unknown,
/// so four hours.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "u32", into = "u32")]
pub struct CallTimeout(u32);

impl CallTimeout {
    pub const MIN_SECS: u32 = 60;
    pub const MAX_SECS: u32 = 4 * 3600;

    pub fn from_secs(secs: u32) -> Result<CallTimeout, String> {
        if (Self::MIN_SECS..=Self::MAX_SECS).contains(&secs) {
            Ok(CallTimeout(secs))
        } else {
            Err(format!(
                "The longest call must be between 1 minute and {} hours ({}–{} seconds).",
                Self::MAX_SECS / 3600,
                Self::MIN_SECS,
                Self::MAX_SECS
            ))
        }
    }

    pub fn secs(self) -> u32 {
        self.0
    }
}

impl TryFrom<u32> for CallTimeout {
    type Error = String;
    fn try_from(s: u32) -> Result<Self, String> {
        CallTimeout::from_secs(s)
    }
}

impl From<CallTimeout> for u32 {
    fn from(c: CallTimeout) -> u32 {
        c.0
    }
}

/// An API base URL such as `https://api.servetel.in/v1`: https, or plain http to this machine
/// (the simulator). See [`crate::settings::validate_base_url`].
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct BaseUrl(String);

impl BaseUrl {
    pub fn parse(input: &str) -> Result<BaseUrl, String> {
        crate::settings::validate_base_url(input).map(BaseUrl)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// `scheme://host[:port]`: the server a secret belongs to. The path is not part of it, so
    /// `/v1` and `/v1/` are one server.
    pub fn origin(&self) -> String {
        match reqwest::Url::parse(&self.0) {
            Ok(u) => u.origin().ascii_serialization(),
            Err(_) => self.0.clone(),
        }
    }
}

impl TryFrom<String> for BaseUrl {
    type Error = String;
    fn try_from(s: String) -> Result<Self, String> {
        BaseUrl::parse(&s)
    }
}

impl From<BaseUrl> for String {
    fn from(b: BaseUrl) -> String {
        b.0
    }
}

impl fmt::Display for BaseUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn agent_ids() {
        assert_eq!(
            AgentId::parse(" 0506123456781 ").unwrap().as_str(),
            "0506123456781"
        );
        assert_eq!(
            AgentId::parse("+919810000001").unwrap().as_str(),
            "+919810000001"
        );
        assert_eq!(AgentId::parse("asha.rao@x").unwrap().as_str(), "asha.rao@x");
        assert_eq!(AgentId::parse("  ").unwrap_err(), "Pick an agent first.");
        for bad in ["05 06", "a\u{1b}[2J", "x;rm", &"1".repeat(65)] {
            let e = AgentId::parse(bad).unwrap_err();
            assert!(e.contains("is not an agent ID"), "{bad}: {e}");
            assert!(!e.contains('\u{1b}'));
        }
        assert!(AgentId::parse(&"1".repeat(64)).is_ok());
    }

    #[test]
    fn caller_ids_accept_the_displayed_form() {
        for input in [
            "+91 80650 00102",
            "918065000102",
            "91-8065-000102",
            " +91 (80650) 00102 ",
        ] {
            assert_eq!(
                CallerIdValue::parse(input).unwrap().as_str(),
                "918065000102",
                "{input}"
            );
        }
        assert_eq!(CallerIdValue::parse("1002").unwrap().as_str(), "1002");
        assert!(CallerIdValue::parse("12").is_err());
        assert!(CallerIdValue::parse("1234567890123456").is_err());
        assert!(CallerIdValue::parse("Sales line").is_err());
        assert!(CallerIdValue::parse("++918065000102").is_err());
        assert!(CallerIdValue::parse("").is_err());
    }

    #[test]
    fn call_timeout_has_one_range() {
        assert!(CallTimeout::from_secs(59).is_err());
        assert_eq!(CallTimeout::from_secs(60).unwrap().secs(), 60);
        assert_eq!(CallTimeout::from_secs(14_400).unwrap().secs(), 14_400);
        assert!(CallTimeout::from_secs(14_401).is_err());
        assert!(CallTimeout::from_secs(0)
            .unwrap_err()
            .contains("1 minute and 4 hours"));
        let t: Result<CallTimeout, _> = serde_json::from_value(serde_json::json!(30));
        assert!(t.is_err());
    }

    #[test]
    fn base_url_origins() {
        let b = BaseUrl::parse("https://api.servetel.in/v1/").unwrap();
        assert_eq!(b.as_str(), "https://api.servetel.in/v1");
        assert_eq!(b.origin(), "https://api.servetel.in");
        let b = BaseUrl::parse("http://127.0.0.1:8089/v1").unwrap();
        assert_eq!(b.origin(), "http://127.0.0.1:8089");
        assert_ne!(
            BaseUrl::parse("https://a.test/v1").unwrap().origin(),
            BaseUrl::parse("https://a.test:8443/v1").unwrap().origin()
        );
        assert!(BaseUrl::parse("http://evil.test/v1").is_err());
    }
}
