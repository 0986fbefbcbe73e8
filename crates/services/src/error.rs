//! The one error every service returns: `{code, message}`. `code` is one of a small set the
//! window branches on and the CLI turns into an exit code; `message` is plain words for an
//! agent, with no secret in it.

use clickdial_core::api::ErrorCode;
use clickdial_core::phone::NumberErrorKind;
use clickdial_core::{ApiError, NumberError};
use serde::Serialize;

use crate::ledger::{display_number, LedgerError, Refusal};
use crate::secrets::SecretError;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum Code {
    NotConfigured,
    InvalidNumber,
    InvalidInput,
    /// The duplicate-dial guard refused: the same number is being dialled, or was moments ago.
    Busy,
    Unauthorized,
    Forbidden,
    Rejected,
    RateLimited,
    Unreachable,
    Timeout,
    Network,
    Server,
    BadResponse,
    /// A dial failed in a way that may still have placed the call.
    UnknownOutcome,
    Keyring,
    /// The settings file or the call history could not be read or written.
    Storage,
    /// Refused by the organization's policy (`policy`), or the policy could not be read.
    Policy,
    Internal,
}

impl Code {
    /// The CLI's exit code: 2 invalid input, 3 authentication, 4 rejected by the API,
    /// 5 network / timeout / unknown outcome, 6 refused as a duplicate, 7 refused by the
    /// organization's policy, 1 anything else.
    pub fn exit_code(self) -> i32 {
        match self {
            Code::InvalidNumber | Code::InvalidInput => 2,
            Code::NotConfigured | Code::Unauthorized | Code::Forbidden | Code::Keyring => 3,
            Code::Rejected | Code::RateLimited => 4,
            Code::Unreachable
            | Code::Timeout
            | Code::Network
            | Code::Server
            | Code::BadResponse
            | Code::UnknownOutcome => 5,
            Code::Busy => 6,
            Code::Policy => 7,
            Code::Storage | Code::Internal => 1,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Error {
    pub code: Code,
    pub message: String,
    /// What a front end decides from, beside the words: never parse `message`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub detail: Option<Detail>,
}

/// The typed facts behind some errors, so the page and the CLI act on data, not on English.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(
    tag = "kind",
    rename_all = "camelCase",
    rename_all_fields = "camelCase"
)]
pub enum Detail {
    /// The same number was dialled moments ago: accepted again in `retry_in_ms`. `number` is
    /// the number as people read it.
    Repeat {
        e164: String,
        number: String,
        ago_ms: i64,
        retry_in_ms: i64,
    },
    /// The same number is being dialled right now by some process.
    InFlight { e164: String },
    /// A call to this number may still be live: hang up first.
    LiveCall { e164: String },
    /// The agent is on a call with `number` (as people read it): hang up first.
    AgentBusy { agent: String, number: String },
    /// The account refuses block / unblock: breaks cannot be taken from Clickdial.
    BreaksNotAllowed,
    /// The text is not a phone number, and why (`problem`), so a front end can tell "too many
    /// digits" (said at once) from "too short" (the agent may still be typing).
    Number { problem: NumberProblem },
    /// A dial that failed: whether the call may have been placed, and why, as data. The
    /// message is [`DialFailure::message`] without the agent; a front end that knows the
    /// agent's name asks it for the sentence that names them.
    Dial(DialFailure),
}

/// Why a text is not a phone number: [`clickdial_core::phone::NumberErrorKind`] without its
/// words.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum NumberProblem {
    Empty,
    NoDigits,
    Letters,
    BadCharacter,
    MisplacedPlus,
    BadLink,
    UnknownCountryCode,
    TooShort,
    TooLong,
    TooManyDigits,
    Invalid,
    BadExtension,
}

impl From<&NumberErrorKind> for NumberProblem {
    fn from(kind: &NumberErrorKind) -> Self {
        match kind {
            NumberErrorKind::Empty => NumberProblem::Empty,
            NumberErrorKind::NoDigits => NumberProblem::NoDigits,
            NumberErrorKind::Letters => NumberProblem::Letters,
            NumberErrorKind::BadCharacter(_) => NumberProblem::BadCharacter,
            NumberErrorKind::MisplacedPlus => NumberProblem::MisplacedPlus,
            NumberErrorKind::BadEscape | NumberErrorKind::BadLink => NumberProblem::BadLink,
            NumberErrorKind::UnknownCountryCode => NumberProblem::UnknownCountryCode,
            NumberErrorKind::TooShort => NumberProblem::TooShort,
            NumberErrorKind::TooLong => NumberProblem::TooLong,
            NumberErrorKind::TooManyDigits { .. } => NumberProblem::TooManyDigits,
            NumberErrorKind::Invalid { .. } => NumberProblem::Invalid,
            NumberErrorKind::BadExtension => NumberProblem::BadExtension,
        }
    }
}

/// Whether a failed dial may have placed the call.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum Placed {
    /// Certainly not: nothing was sent, or the server refused the dial. Fix and dial again.
    No,
    /// The request may have reached the server: never dialled again by itself.
    Maybe,
}

/// The facts of a failed dial, without the sentence about the call that frames them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct DialFailure {
    pub placed: Placed,
    /// The cause in its own words, what happened then what to do: "Could not reach the
    /// server. Check your internet connection, then try again."
    pub reason: String,
    /// When the server refused the dial itself: its words and what to do about them.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub refused: Option<Refused>,
}

/// A server's refusal of a dial.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Refused {
    /// The server's own words, cleaned, without quotation marks: "Agent is blocked".
    pub said: String,
    /// What to do, when the server named the field it refused: "Pick another agent, or check
    /// the agent in the portal."
    #[serde(skip_serializing_if = "Option::is_none")]
    pub advice: Option<String>,
}

impl DialFailure {
    pub fn new(e: &ApiError, placed: Placed) -> Self {
        let refused = match e {
            ApiError::Rejected {
                status,
                message,
                fields,
            } => Some(Refused {
                said: message.clone(),
                advice: advice(*status, message, fields),
            }),
            _ => None,
        };
        DialFailure {
            placed,
            reason: e.to_string(),
            refused,
        }
    }

    /// The failure in one plain message: what became of the call, then why. `agent` names who
    /// was rung ("Asha Rao (agent 0506123456781)") when the front end knows: "The call was not
    /// placed: the server refused it for Asha Rao (agent 0506123456781): “Agent is blocked”."
    /// Without it, the message is the window's, word for word as it always was.
    pub fn message(&self, agent: Option<&str>) -> String {
        let call = match agent {
            Some(who) => format!("The call for {who}"),
            None => "The call".to_string(),
        };
        let reason = &self.reason;
        let text = match (self.placed, &self.refused, agent) {
            (Placed::Maybe, ..) => format!(
                "{reason} {call} may or may not have been placed, so Clickdial did not try \
                 again. Check your phone before you dial again."
            ),
            (Placed::No, Some(r), Some(who)) => {
                let advice = r
                    .advice
                    .as_deref()
                    .map(|a| format!(" {a}"))
                    .unwrap_or_default();
                format!(
                    "The call was not placed: the server refused it for {who}: “{}”.{advice}",
                    r.said
                )
            }
            (Placed::No, ..) => format!("{call} was not placed. {reason}"),
        };
        match agent {
            Some(_) => single_stops(&text),
            None => text,
        }
    }
}

/// What the client adds to a refusal when the server named the field it refused, as its own
/// sentence: the refusal in words with the field, less the same refusal without it (no wording
/// is matched here, so rewording either keeps this right).
fn advice(status: u16, message: &str, fields: &[(String, String)]) -> Option<String> {
    if fields.is_empty() {
        return None;
    }
    let with = ApiError::Rejected {
        status,
        message: message.to_string(),
        fields: fields.to_vec(),
    }
    .to_string();
    let without = ApiError::Rejected {
        status,
        message: message.to_string(),
        fields: Vec::new(),
    }
    .to_string();
    with.strip_prefix(&without)
        .map(str::trim)
        .filter(|a| !a.is_empty())
        .map(str::to_string)
}

/// No doubled full stop after a quotation that ends with its own: “Invalid agent.”. reads
/// “Invalid agent.”
fn single_stops(text: &str) -> String {
    text.replace(".”.", ".”")
        .replace("!”.", "!”")
        .replace("?”.", "?”")
}

impl Error {
    pub fn new(code: Code, message: impl Into<String>) -> Self {
        Error {
            code,
            message: message.into(),
            detail: None,
        }
    }

    pub fn with_detail(mut self, detail: Detail) -> Self {
        self.detail = Some(detail);
        self
    }

    pub fn invalid(message: impl Into<String>) -> Self {
        Error::new(Code::InvalidInput, message)
    }

    pub fn not_configured() -> Self {
        Error::new(
            Code::NotConfigured,
            "No account is set up yet. Connect your account or try the demo.",
        )
    }

    pub fn internal(message: impl Into<String>) -> Self {
        Error::new(Code::Internal, message)
    }
}

impl std::fmt::Display for Error {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for Error {}

impl From<NumberError> for Error {
    fn from(e: NumberError) -> Self {
        Error::new(Code::InvalidNumber, e.to_string()).with_detail(Detail::Number {
            problem: e.kind().into(),
        })
    }
}

impl From<ApiError> for Error {
    fn from(e: ApiError) -> Self {
        let code = match e.code() {
            ErrorCode::Unauthorized => Code::Unauthorized,
            ErrorCode::Forbidden => Code::Forbidden,
            ErrorCode::Rejected => Code::Rejected,
            ErrorCode::RateLimited => Code::RateLimited,
            ErrorCode::Unreachable => Code::Unreachable,
            ErrorCode::Timeout => Code::Timeout,
            ErrorCode::Network => Code::Network,
            ErrorCode::Server => Code::Server,
            ErrorCode::BadResponse => Code::BadResponse,
        };
        Error::new(code, e.to_string())
    }
}

impl From<SecretError> for Error {
    fn from(e: SecretError) -> Self {
        Error::new(Code::Keyring, e.to_string())
    }
}

impl From<LedgerError> for Error {
    fn from(e: LedgerError) -> Self {
        match e {
            LedgerError::Refused(r) => {
                let detail = match &r {
                    Refusal::Repeated {
                        e164,
                        ago_ms,
                        retry_in_ms,
                    } => Detail::Repeat {
                        e164: e164.clone(),
                        number: display_number(e164),
                        ago_ms: *ago_ms,
                        retry_in_ms: *retry_in_ms,
                    },
                    Refusal::InFlight { e164, .. } => Detail::InFlight { e164: e164.clone() },
                };
                Error::new(Code::Busy, r.to_string()).with_detail(detail)
            }
            other => Error::new(Code::Storage, other.to_string()),
        }
    }
}

/// What a dial failure means for the agent: not placed (fix and retry), or may have been placed.
pub fn dial_error(e: ApiError) -> Error {
    let placed = if e.outcome_unknown() {
        Placed::Maybe
    } else {
        Placed::No
    };
    failed_dial(e, placed)
}

/// A failure before a dial was sent (looking up the agent or the caller ID, signing in): the
/// call was not placed, whatever the error.
pub fn not_placed(e: ApiError) -> Error {
    failed_dial(e, Placed::No)
}

fn failed_dial(e: ApiError, placed: Placed) -> Error {
    let failure = DialFailure::new(&e, placed);
    let code = match placed {
        Placed::Maybe => Code::UnknownOutcome,
        Placed::No => Error::from(e).code,
    };
    Error::new(code, failure.message(None)).with_detail(Detail::Dial(failure))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn serializes_as_code_and_message() {
        let e = Error::new(Code::UnknownOutcome, "m");
        assert_eq!(
            serde_json::to_value(e).unwrap(),
            serde_json::json!({"code": "unknownOutcome", "message": "m"})
        );
        let e = Error::from(LedgerError::Refused(Refusal::Repeated {
            e164: "+919876543210".into(),
            ago_ms: 2_100,
            retry_in_ms: 2_900,
        }));
        assert_eq!(
            serde_json::to_value(e).unwrap()["detail"],
            serde_json::json!({"kind": "repeat", "e164": "+919876543210",
                               "number": "+91 98765 43210", "agoMs": 2100, "retryInMs": 2900})
        );
        let e = dial_error(ApiError::Timeout);
        assert_eq!(e.code, Code::UnknownOutcome);
        assert!(e.message.contains("did not try again"));
        let e = dial_error(ApiError::Unauthorized { message: None });
        assert_eq!(e.code, Code::Unauthorized);
        assert!(e.message.starts_with("The call was not placed."));
    }

    fn refused(message: &str, field: Option<&str>) -> ApiError {
        ApiError::Rejected {
            status: 422,
            message: message.into(),
            fields: field
                .map(|f| (f.to_string(), "x".to_string()))
                .into_iter()
                .collect(),
        }
    }

    /// A dial's failure carries its facts: the window's sentence stays as it was; naming the
    /// agent composes from the facts, never from the sentence.
    #[test]
    fn dial_failures_carry_their_facts() {
        let e = dial_error(refused("Invalid agent.", Some("agent_number")));
        assert_eq!(e.code, Code::Rejected);
        assert_eq!(
            e.message,
            "The call was not placed. The server refused the request: “Invalid agent.”. \
             Pick another agent, or check the agent in the portal."
        );
        let Some(Detail::Dial(d)) = &e.detail else {
            panic!("no dial detail: {e:?}")
        };
        assert_eq!(d.placed, Placed::No);
        assert_eq!(
            d.refused,
            Some(Refused {
                said: "Invalid agent.".into(),
                advice: Some("Pick another agent, or check the agent in the portal.".into()),
            })
        );
        assert_eq!(
            d.message(Some("Asha Rao (agent 0506123456781)")),
            "The call was not placed: the server refused it for Asha Rao (agent 0506123456781): \
             “Invalid agent.” Pick another agent, or check the agent in the portal."
        );
        assert_eq!(
            serde_json::to_value(&e).unwrap()["detail"],
            serde_json::json!({"kind": "dial", "placed": "no",
                "reason": "The server refused the request: “Invalid agent.”. Pick another agent, \
                           or check the agent in the portal.",
                "refused": {"said": "Invalid agent.",
                            "advice": "Pick another agent, or check the agent in the portal."}})
        );

        let e = dial_error(refused("Agent is blocked", None));
        let Some(Detail::Dial(d)) = &e.detail else {
            panic!("no dial detail: {e:?}")
        };
        assert_eq!(d.refused.as_ref().unwrap().advice, None);
        assert_eq!(
            d.message(Some("agent 101")),
            "The call was not placed: the server refused it for agent 101: “Agent is blocked”."
        );

        let e = dial_error(ApiError::Timeout);
        let Some(Detail::Dial(d)) = &e.detail else {
            panic!("no dial detail: {e:?}")
        };
        assert_eq!(d.placed, Placed::Maybe);
        assert_eq!(
            e.message,
            "The server did not answer in time. The call may or may not have been placed, so \
             Clickdial did not try again. Check your phone before you dial again."
        );
        assert!(d.message(Some("agent 101")).starts_with(
            "The server did not answer in time. The call for agent 101 may or may not"
        ));

        // Before the dial, even a timeout means the call was not placed.
        let e = not_placed(ApiError::Timeout);
        assert_eq!(e.code, Code::Timeout);
        let Some(Detail::Dial(d)) = &e.detail else {
            panic!("no dial detail: {e:?}")
        };
        assert_eq!(
            d.message(Some("‘Asha’")),
            "The call for ‘Asha’ was not placed. The server did not answer in time."
        );
    }

    #[test]
    fn exit_codes() {
        let cases = [
            (Code::InvalidNumber, 2),
            (Code::InvalidInput, 2),
            (Code::NotConfigured, 3),
            (Code::Unauthorized, 3),
            (Code::Keyring, 3),
            (Code::Rejected, 4),
            (Code::RateLimited, 4),
            (Code::Unreachable, 5),
            (Code::UnknownOutcome, 5),
            (Code::Busy, 6),
            (Code::Policy, 7),
            (Code::Storage, 1),
        ];
        for (code, exit) in cases {
            assert_eq!(code.exit_code(), exit, "{code:?}");
        }
    }
}
