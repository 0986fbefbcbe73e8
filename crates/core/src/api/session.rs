//! Password sign-in: a short-lived token, cached, renewed before it expires or got by a fresh
//! login; a refused password is not sent again and a lockout (429) is waited out. Also which
//! refusals let a request go out again with a new token ([`Resend`], [`is_session_refusal`]).

use std::time::{Duration, Instant};

use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

use super::client::{is_header_safe, Auth, Client};
use super::error::ApiError;
use super::models::{field, text};
use super::reply::explain;
use super::send::{cap, header, MAX_WAIT};
use crate::secret::Secret;

/// Renew a short-lived token this long before it expires.
pub const RENEW_BEFORE: Duration = Duration::from_secs(5 * 60);
/// A lockout whose end the server did not say is assumed to last this long (one client's
/// observed default, servetel-api.md §1.2).
const DEFAULT_LOCKOUT: Duration = Duration::from_secs(10 * 60);
/// Login tokens live 60 minutes per the docs; used when a reply omits `expires_in`.
const DEFAULT_TOKEN_LIFETIME: Duration = Duration::from_secs(3600);

struct Issued {
    token: Secret,
    expires_at: Instant,
    /// How long before expiry to renew: [`RENEW_BEFORE`], or less for very short lives.
    renew_before: Duration,
}

#[derive(Default)]
pub(super) struct LoginState {
    issued: Option<Issued>,
    locked_until: Option<Instant>,
    /// The server refused this email and password: asking again with the same ones could only
    /// lead to a lockout, so the client stops until the user signs in anew.
    refused: Option<ApiError>,
}

impl Client {
    /// A valid short-lived token: the cached one, a renewed one, or a fresh sign-in. With
    /// `rejected`, the server refused that token: sign in again, unless a concurrent request
    /// already replaced it.
    pub(super) async fn session_token(
        &self,
        rejected: Option<&Secret>,
    ) -> Result<Secret, ApiError> {
        let Auth::Login {
            email,
            password,
            state,
        } = &self.auth
        else {
            unreachable!("session_token is only called for password sign-in")
        };
        let mut state = state.lock().await;
        if let Some(refused) = &state.refused {
            return Err(refused.clone());
        }
        let now = self.clock.now();
        if let Some(until) = state.locked_until {
            if now < until {
                return Err(ApiError::LockedOut {
                    retry_after: until - now,
                });
            }
            state.locked_until = None;
        }
        if let Some(issued) = &state.issued {
            let replaced = rejected.is_some_and(|r| r != &issued.token);
            if rejected.is_none() || replaced {
                if now + issued.renew_before < issued.expires_at || replaced {
                    return Ok(issued.token.clone());
                }
                if now < issued.expires_at {
                    match self
                        .token_request("auth/refresh", None, Some(&issued.token))
                        .await
                    {
                        Ok(renewed) => {
                            let token = renewed.token.clone();
                            state.issued = Some(renewed);
                            return Ok(token);
                        }
                        Err(ApiError::RateLimited { retry_after, .. }) => {
                            let wait = cap(retry_after.unwrap_or(DEFAULT_LOCKOUT));
                            state.locked_until = now.checked_add(wait);
                            return Err(ApiError::LockedOut { retry_after: wait });
                        }
                        // Refused: the session is over, sign in again below.
                        Err(ApiError::BadLogin { .. } | ApiError::Unauthorized { .. }) => {}
                        // A passing failure: the current token is still valid, keep using it.
                        Err(_) => return Ok(issued.token.clone()),
                    }
                }
            }
        }
        state.issued = None;
        let body = json!({"email": email, "password": password.expose()});
        match self.token_request("auth/login", Some(&body), None).await {
            Ok(issued) => {
                let token = issued.token.clone();
                state.issued = Some(issued);
                Ok(token)
            }
            Err(ApiError::RateLimited { retry_after, .. }) => {
                let wait = cap(retry_after.unwrap_or(DEFAULT_LOCKOUT));
                state.locked_until = now.checked_add(wait);
                Err(ApiError::LockedOut { retry_after: wait })
            }
            Err(e @ ApiError::BadLogin { .. }) => {
                state.refused = Some(e.clone());
                Err(e)
            }
            Err(e) => Err(e),
        }
    }

    /// Ends a password session's short-lived token on the server (`POST auth/logout`), best
    /// effort, and forgets it. Returns whether a request was sent: a permanent token, or a
    /// password session that never signed in, has nothing to end. Never signs in to do so.
    pub async fn end_session(&self) -> bool {
        let Auth::Login { state, .. } = &self.auth else {
            return false;
        };
        let Some(issued) = state.lock().await.issued.take() else {
            return false;
        };
        // The refresh example in the docs sends the raw token; logout takes the same.
        let auth = Some(header(&issued.token, true));
        let _ = self
            .exchange(&Method::POST, "auth/logout", &[], None, auth)
            .await;
        true
    }

    /// `POST auth/login` or `auth/refresh`, returning the issued token.
    async fn token_request(
        &self,
        path: &str,
        body: Option<&Value>,
        current: Option<&Secret>,
    ) -> Result<Issued, ApiError> {
        // The refresh example in the docs sends the raw token.
        let auth = current.map(|t| header(t, true));
        let reply = self.exchange(&Method::POST, path, &[], body, auth).await?;
        if current.is_some() && is_session_refusal(reply.status, &reply.bytes) {
            // "Token has expired" under a 403 or a 200: renewing failed, sign in again.
            let (message, _) = serde_json::from_slice::<Value>(&reply.bytes)
                .map(|v| explain(&v))
                .unwrap_or_default();
            return Err(ApiError::Unauthorized { message });
        }
        let v = match self.interpret(&reply) {
            Ok(v) => v,
            // The credentials were refused: 401, a validation error, or `success:false`.
            Err(ApiError::Unauthorized { message }) => return Err(ApiError::BadLogin { message }),
            Err(ApiError::Rejected {
                status: 200..=299 | 400 | 422,
                message,
                ..
            }) => {
                return Err(ApiError::BadLogin {
                    message: Some(message),
                })
            }
            Err(e) => return Err(e),
        };
        let token = text(field(&v, "access_token"))
            .or_else(|| text(field(&v, "token")))
            .filter(|t| is_header_safe(t))
            .ok_or_else(|| ApiError::BadResponse {
                status: reply.status.as_u16(),
                detail: "no token in the sign-in reply".to_string(),
            })?;
        // A hostile or odd `expires_in` must neither overflow the clock nor make every request
        // sign in: keep it between 30 s and a day, and renew in the last quarter of short lives.
        let lifetime = field(&v, "expires_in")
            .and_then(|e| text(Some(e)))
            .and_then(|e| e.parse::<u64>().ok())
            .map(Duration::from_secs)
            .unwrap_or(DEFAULT_TOKEN_LIFETIME)
            .clamp(Duration::from_secs(30), MAX_WAIT);
        if let Some(days) = field(&v, "number_of_days_left").and_then(days_left) {
            *self
                .password_days_left
                .lock()
                .unwrap_or_else(|p| p.into_inner()) = Some(days);
        }
        let now = self.clock.now();
        Ok(Issued {
            token: Secret::new(token),
            expires_at: now.checked_add(lifetime).unwrap_or(now),
            renew_before: RENEW_BEFORE.min(lifetime / 4),
        })
    }
}

/// Whether a request may go out again, with a fresh sign-in, after a reply that refused the
/// session.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Resend {
    /// Reading, or an action that does no harm twice (hanging up, a break): again after any
    /// session refusal.
    Safe,
    /// A dial: again only when the reply proves nothing was done. A 5xx never does, whatever
    /// its message: the server may have queued the call before failing.
    OnlyIfRefused,
}

impl Resend {
    /// True when the reply refused the session and this request may be sent again.
    pub(super) fn allows(self, status: StatusCode, body: &[u8]) -> bool {
        is_session_refusal(status, body) && (self == Resend::Safe || !status.is_server_error())
    }
}

/// `number_of_days_left` as a number or a numeric string ("60", "60.0"); a negative count
/// (already expired) reads as 0.
fn days_left(v: &Value) -> Option<u32> {
    let n = match v {
        Value::Number(n) => n.as_f64()?,
        Value::String(s) => s.trim().parse::<f64>().ok()?,
        _ => return None,
    };
    n.is_finite()
        .then(|| n.clamp(0.0, f64::from(u32::MAX)) as u32)
}

/// The message texts that mean the platform refused the session token, whatever the HTTP
/// status (servetel-api.md §8). Matched case-insensitively as substrings of `message`.
const SESSION_REFUSALS: [&str; 2] = ["token has expired", "deleted or blacklisted token provided"];

/// True when a reply says the session token was refused, so the request was not acted on: a
/// 401, or a non-success reply whose message is one of [`SESSION_REFUSALS`] under any other
/// status (200 with `success:false`, 400, 403…). A 2xx reply counts only when it says
/// `success:false` (or `ok:false`) and carries no `ref_id` / `call_id`: anything that may have
/// queued a call is never taken for a refusal, so a dial is never sent twice.
pub fn is_session_refusal(status: StatusCode, body: &[u8]) -> bool {
    if status == StatusCode::UNAUTHORIZED {
        return true;
    }
    let Ok(v) = serde_json::from_slice::<Value>(body) else {
        return false;
    };
    let said = |k: &str| {
        v.get(k)
            .and_then(Value::as_str)
            .map(str::to_lowercase)
            .is_some_and(|m| SESSION_REFUSALS.iter().any(|r| m.contains(r)))
    };
    if !(said("message") || said("error")) {
        return false;
    }
    if status.is_success() {
        let refused = ["success", "ok"]
            .iter()
            .any(|k| v.get(*k).and_then(Value::as_bool) == Some(false));
        let placed = ["ref_id", "call_id"]
            .iter()
            .any(|k| text(field(&v, k)).is_some());
        return refused && !placed;
    }
    true
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn session_refusals() {
        let r = |status: u16, body: &str| {
            is_session_refusal(StatusCode::from_u16(status).unwrap(), body.as_bytes())
        };
        assert!(r(401, ""));
        assert!(r(401, r#"{"success":true}"#));
        assert!(r(200, r#"{"success":false,"message":"Token has expired"}"#));
        assert!(r(200, r#"{"ok":false,"message":"token has expired!"}"#));
        assert!(r(
            200,
            r#"{"success":false,"error":"Deleted or blacklisted token provided"}"#
        ));
        assert!(r(
            403,
            r#"{"message":"Deleted or Blacklisted Token Provided"}"#
        ));
        assert!(r(400, r#"{"message":"Token has expired"}"#));
        assert!(r(500, r#"{"message":"Token has expired"}"#));
        // Not a refusal: another message, no message, not JSON, or a 2xx that may have acted.
        assert!(!r(
            403,
            r#"{"message":"You are not authorized to access this resource."}"#
        ));
        assert!(!r(403, r#"{"caller_id":"Token has expired"}"#));
        assert!(!r(403, r#"{"message":["Token has expired"]}"#));
        assert!(!r(403, "Token has expired"));
        assert!(!r(400, ""));
        assert!(!r(200, r#"{"message":"Token has expired"}"#));
        assert!(!r(200, r#"{"success":true,"message":"Token has expired"}"#));
        assert!(!r(
            200,
            r#"{"success":"false","message":"Token has expired"}"#
        ));
        assert!(!r(
            200,
            r#"{"success":false,"message":"Token has expired","ref_id":"x"}"#
        ));
        assert!(!r(
            200,
            r#"{"success":false,"message":"Token has expired","call_id":7}"#
        ));
        assert!(r(
            200,
            r#"{"success":false,"message":"Token has expired","call_id":null}"#
        ));
    }

    #[test]
    fn days_left_values() {
        assert_eq!(days_left(&json!(60)), Some(60));
        assert_eq!(days_left(&json!("60")), Some(60));
        assert_eq!(days_left(&json!(2.7)), Some(2));
        assert_eq!(days_left(&json!(-3)), Some(0));
        assert_eq!(days_left(&json!(1e12)), Some(u32::MAX));
        assert_eq!(days_left(&json!("NaN")), None);
        assert_eq!(days_left(&json!("inf")), None);
        assert_eq!(days_left(&json!(true)), None);
    }
}
