//! The one error every service returns: `{code, message}`. `code` is one of a small set the
//! window branches on and the CLI turns into an exit code; `message` is plain words for an
//! agent, with no secret in it.

use clickdial_core::api::ErrorCode;
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
    Internal,
}

impl Code {
    /// The CLI's exit code: 2 invalid input, 3 authentication, 4 rejected by the API,
    /// 5 network / timeout / unknown outcome, 6 refused as a duplicate, 1 anything else.
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
        Error::new(Code::InvalidNumber, e.to_string())
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
    if e.outcome_unknown() {
        Error::new(
            Code::UnknownOutcome,
            format!(
                "{e} The call may or may not have been placed, so Clickdial did not try again. \
                 Check your phone before you dial again."
            ),
        )
    } else {
        Error {
            message: format!("The call was not placed. {e}"),
            ..Error::from(e)
        }
    }
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
            (Code::Storage, 1),
        ];
        for (code, exit) in cases {
            assert_eq!(code.exit_code(), exit, "{code:?}");
        }
    }
}
