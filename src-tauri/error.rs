//! The error every command returns: `{code, message}`. `code` is one of a small set the UI
//! branches on; `message` is plain words for an agent, with no secret in it.

use clickdial_core::api::ErrorCode;
use clickdial_core::{ApiError, DialError, NumberError};
use serde::Serialize;

use crate::secrets::SecretError;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum Code {
    NotConfigured,
    InvalidNumber,
    InvalidInput,
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
    Internal,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AppError {
    pub code: Code,
    pub message: String,
}

impl AppError {
    pub fn new(code: Code, message: impl Into<String>) -> Self {
        AppError {
            code,
            message: message.into(),
        }
    }

    pub fn not_configured() -> Self {
        AppError::new(
            Code::NotConfigured,
            "No account is set up yet. Connect your account or try the demo.",
        )
    }
}

impl std::fmt::Display for AppError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}

impl From<NumberError> for AppError {
    fn from(e: NumberError) -> Self {
        AppError::new(Code::InvalidNumber, e.to_string())
    }
}

impl From<ApiError> for AppError {
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
        AppError::new(code, e.to_string())
    }
}

impl From<DialError> for AppError {
    fn from(e: DialError) -> Self {
        let message = e.to_string();
        match e {
            DialError::Busy(_) => AppError::new(Code::Busy, message),
            DialError::Api(ref api) if api.outcome_unknown() => {
                AppError::new(Code::UnknownOutcome, message)
            }
            DialError::Api(api) => AppError {
                message,
                ..AppError::from(api)
            },
        }
    }
}

impl From<SecretError> for AppError {
    fn from(e: SecretError) -> Self {
        AppError::new(Code::Keyring, e.to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn serializes_as_code_and_message() {
        let e = AppError::new(Code::UnknownOutcome, "m");
        assert_eq!(
            serde_json::to_value(e).unwrap(),
            serde_json::json!({"code": "unknownOutcome", "message": "m"})
        );
        let e = AppError::from(DialError::Api(ApiError::Timeout));
        assert_eq!(e.code, Code::UnknownOutcome);
        assert!(e.message.contains("did not try again"));
        let e = AppError::from(DialError::Api(ApiError::Unauthorized { message: None }));
        assert_eq!(e.code, Code::Unauthorized);
        assert!(e.message.starts_with("The call was not placed."));
    }
}
