//! What can go wrong talking to the API, in terms the UI and CLI can act on.
//!
//! The important split for dialling is whether the request *may have reached the server*:
//! `Unreachable` and the HTTP rejections (401/403/422/429, `success:false`) mean no call was
//! placed; `Timeout`, `Network` (reset mid-way), `Server` (5xx) and `BadResponse` mean we do not
//! know, so the dial is reported as "outcome unknown" and is never resent automatically.

use std::fmt;
use std::time::Duration;

use serde::Serialize;

/// The small set of error codes the front ends branch on (sent to the UI as `code`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum ErrorCode {
    Unauthorized,
    Forbidden,
    Rejected,
    RateLimited,
    Unreachable,
    Timeout,
    Network,
    Server,
    BadResponse,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ApiError {
    /// 401: the token was refused (both `Bearer <token>` and the raw token were tried, or a
    /// fresh sign-in was tried once).
    Unauthorized { message: Option<String> },
    /// Sign-in with email and password was refused.
    BadLogin { message: Option<String> },
    /// With password sign-in, the server refused a fresh session token too.
    SessionRefused { message: Option<String> },
    /// Sign-in is locked after too many attempts; no request is sent until it ends.
    LockedOut { retry_after: Duration },
    /// 403: the token is valid but may not use this endpoint.
    Forbidden { message: Option<String> },
    /// The server understood and refused: 4xx, or `success:false` (also under HTTP 200).
    Rejected {
        status: u16,
        message: String,
        /// Field-keyed validation errors such as `caller_id`.
        fields: Vec<(String, String)>,
    },
    /// 429: too many requests. `retry_after` from the header or body when given.
    RateLimited {
        retry_after: Option<Duration>,
        message: Option<String>,
    },
    /// The connection could not be opened: DNS, refused, connect timeout. Nothing was sent.
    Unreachable { detail: String },
    /// The secure connection was refused on our side: this computer does not trust the
    /// server's certificate (self-signed, expired, another name, or a company proxy whose
    /// root certificate is not installed). Nothing was sent.
    Untrusted { detail: String },
    /// No answer in time after the request was sent.
    Timeout,
    /// The connection broke after the request was sent (reset, truncated reply).
    Network { detail: String },
    /// 5xx from the server.
    Server {
        status: u16,
        message: Option<String>,
    },
    /// A reply we could not read: an HTML page, garbage, or JSON of the wrong shape.
    BadResponse { status: u16, detail: String },
}

impl ApiError {
    pub fn code(&self) -> ErrorCode {
        match self {
            ApiError::Unauthorized { .. }
            | ApiError::BadLogin { .. }
            | ApiError::SessionRefused { .. } => ErrorCode::Unauthorized,
            ApiError::LockedOut { .. } => ErrorCode::RateLimited,
            ApiError::Forbidden { .. } => ErrorCode::Forbidden,
            ApiError::Rejected { .. } => ErrorCode::Rejected,
            ApiError::RateLimited { .. } => ErrorCode::RateLimited,
            ApiError::Unreachable { .. } | ApiError::Untrusted { .. } => ErrorCode::Unreachable,
            ApiError::Timeout => ErrorCode::Timeout,
            ApiError::Network { .. } => ErrorCode::Network,
            ApiError::Server { .. } => ErrorCode::Server,
            ApiError::BadResponse { .. } => ErrorCode::BadResponse,
        }
    }

    /// The HTTP status, when the server answered at all.
    pub fn status(&self) -> Option<u16> {
        match self {
            ApiError::Unauthorized { .. }
            | ApiError::BadLogin { .. }
            | ApiError::SessionRefused { .. } => Some(401),
            ApiError::Forbidden { .. } => Some(403),
            ApiError::RateLimited { .. } | ApiError::LockedOut { .. } => Some(429),
            ApiError::Rejected { status, .. }
            | ApiError::Server { status, .. }
            | ApiError::BadResponse { status, .. } => Some(*status),
            ApiError::Unreachable { .. }
            | ApiError::Untrusted { .. }
            | ApiError::Timeout
            | ApiError::Network { .. } => None,
        }
    }

    /// True when a `click_to_call` that failed this way may still have been placed.
    pub fn outcome_unknown(&self) -> bool {
        matches!(
            self,
            ApiError::Timeout
                | ApiError::Network { .. }
                | ApiError::Server { .. }
                | ApiError::BadResponse { .. }
        )
    }

    /// The server's own message, when it sent one.
    pub fn server_message(&self) -> Option<&str> {
        match self {
            ApiError::Unauthorized { message }
            | ApiError::BadLogin { message }
            | ApiError::SessionRefused { message }
            | ApiError::Forbidden { message }
            | ApiError::RateLimited { message, .. }
            | ApiError::Server { message, .. } => message.as_deref(),
            ApiError::Rejected { message, .. } => Some(message),
            _ => None,
        }
    }
}

fn quoted(m: &Option<String>) -> String {
    match m {
        Some(m) if !m.is_empty() => format!(" The server said: “{m}”."),
        _ => String::new(),
    }
}

/// "40 s", "3 min", "2 h 5 min", "3 days": how long to wait, for people (to the nearest
/// minute below two days, to the nearest day above). Saturating: no input can overflow, and
/// anything beyond a year reads "more than a year".
pub fn human_duration(d: Duration) -> String {
    const DAY: u64 = 24 * 3600;
    let s = d.as_secs().max(1);
    if s < 60 {
        return format!("{s} s");
    }
    if s > 365 * DAY {
        return "more than a year".to_string();
    }
    if s >= 2 * DAY {
        return format!("{} days", s.saturating_add(DAY / 2) / DAY);
    }
    let minutes = s.saturating_add(30) / 60;
    match (minutes / 60, minutes % 60) {
        (0, m) => format!("{m} min"),
        (h, 0) => format!("{h} h"),
        (h, m) => format!("{h} h {m} min"),
    }
}

#[cfg(test)]
#[test]
fn durations_for_people() {
    let f = |s| human_duration(Duration::from_secs(s));
    assert_eq!(
        [
            f(0),
            f(59),
            f(60),
            f(601),
            f(3569),
            f(3599),
            f(3600),
            f(7500)
        ],
        [
            "1 s",
            "59 s",
            "1 min",
            "10 min",
            "59 min",
            "1 h",
            "1 h",
            "2 h 5 min"
        ]
    );
    assert_eq!(f(24 * 3600), "24 h");
    assert_eq!(f(48 * 3600 - 31), "47 h 59 min");
    assert_eq!(f(48 * 3600 - 30), "48 h");
    assert_eq!(f(48 * 3600), "2 days");
    assert_eq!(f(3 * 86400 + 43199), "3 days");
    assert_eq!(f(3 * 86400 + 43200), "4 days");
    assert_eq!(f(365 * 86400), "365 days");
    assert_eq!(f(365 * 86400 + 1), "more than a year");
    assert_eq!(f(u64::MAX), "more than a year");
    assert_eq!(human_duration(Duration::MAX), "more than a year");
    assert_eq!(human_duration(Duration::from_millis(1500)), "1 s");
    assert_eq!(human_duration(Duration::ZERO), "1 s");
}

fn field_hint(field: &str) -> &'static str {
    match field {
        "caller_id" => " Pick another caller ID; this one is not allowed for your account.",
        "agent_number" => " Pick another agent, or check the agent in the portal.",
        "destination_number" => " Check the number you are calling.",
        _ => "",
    }
}

/// Plain words for an agent: what happened, then what to do.
impl fmt::Display for ApiError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ApiError::Unauthorized { message } => write!(
                f,
                "The server did not accept your API token.{} Check the token in Settings, or create a new one in the portal.",
                quoted(message)
            ),
            ApiError::BadLogin { message } => write!(
                f,
                "The email or password was not accepted.{} Check them and sign in again.",
                quoted(message)
            ),
            ApiError::SessionRefused { message } => write!(
                f,
                "The server refused your session even after signing in again.{} Sign in again in Settings, or ask your administrator.",
                quoted(message)
            ),
            ApiError::LockedOut { retry_after } => write!(
                f,
                "Sign-in is locked after too many attempts. Try again in {}.",
                human_duration(*retry_after)
            ),
            ApiError::Forbidden { message } => write!(
                f,
                "Your token is not allowed to do this.{} Ask your administrator for access.",
                quoted(message)
            ),
            ApiError::Rejected { message, fields, .. } => {
                write!(f, "The server refused the request: “{message}”.")?;
                if let Some((field, _)) = fields.first() {
                    f.write_str(field_hint(field))?;
                }
                Ok(())
            }
            ApiError::RateLimited { retry_after, message } => {
                write!(f, "The server is busy and asked us to slow down.{}", quoted(message))?;
                match retry_after {
                    Some(d) => write!(f, " Try again in {}.", human_duration(*d)),
                    None => write!(f, " Try again in a minute."),
                }
            }
            ApiError::Unreachable { .. } => write!(
                f,
                "Could not reach the server. Check your internet connection, then try again."
            ),
            ApiError::Untrusted { .. } => write!(
                f,
                "Could not connect securely: this computer does not trust the server's \
                 certificate, so nothing was sent. If your company checks secure connections, \
                 ask IT to install its certificate on this computer; otherwise check the server \
                 address."
            ),
            ApiError::Timeout => write!(f, "The server did not answer in time."),
            ApiError::Network { .. } => write!(f, "The connection to the server broke off."),
            ApiError::Server { status, message } => write!(
                f,
                "The server had a problem (HTTP {status}).{}",
                quoted(message)
            ),
            ApiError::BadResponse { status, detail } => write!(
                f,
                "The server sent a reply Clickdial could not read (HTTP {status}, {detail})."
            ),
        }
    }
}

impl std::error::Error for ApiError {}
