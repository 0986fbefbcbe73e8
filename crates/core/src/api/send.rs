//! The one way out: [`Client::send`] puts the credentials on a request (and retries once as
//! the auth rules at the top of `client.rs` allow), [`Client::exchange`] sends it and reads the
//! reply up to [`MAX_REPLY_BYTES`], and the waits a server asks for (`Retry-After`) are capped
//! at [`MAX_WAIT`].

use std::sync::atomic::Ordering;
use std::time::Duration;

use reqwest::header::{HeaderMap, HeaderValue, ACCEPT, AUTHORIZATION, RETRY_AFTER};
use reqwest::{Method, StatusCode};
use serde_json::Value;

use super::client::{Auth, Client};
use super::error::ApiError;
use super::reply::{explain, interpret};
use super::session::{is_session_refusal, Resend};
use crate::clock::parse_ist;
use crate::sanitize::{clean_text, MAX_SERVER_TEXT};
use crate::secret::Secret;

/// The largest reply body we read. Real replies are a few kilobytes (a page of users is the
/// largest); anything bigger is refused as [`ApiError::BadResponse`] before it fills memory.
pub const MAX_REPLY_BYTES: usize = 2 * 1024 * 1024;
/// The `detail` of the error for a reply over [`MAX_REPLY_BYTES`].
const TOO_LARGE: &str = "a reply larger than 2 MiB";

/// One HTTP exchange before interpretation.
pub(super) struct Reply {
    pub(super) status: StatusCode,
    retry_after: Option<Duration>,
    /// At most [`MAX_REPLY_BYTES`].
    pub(super) bytes: Vec<u8>,
}

impl Client {
    /// Sends one request and returns the raw reply.
    pub(super) async fn exchange(
        &self,
        method: &Method,
        path: &str,
        query: &[(&str, String)],
        body: Option<&Value>,
        authorization: Option<HeaderValue>,
    ) -> Result<Reply, ApiError> {
        let mut request = self
            .http
            .request(method.clone(), self.url_of(path))
            .header(ACCEPT, "application/json");
        if let Some(a) = authorization {
            request = request.header(AUTHORIZATION, a);
        }
        if !query.is_empty() {
            request = request.query(query);
        }
        if let Some(b) = body {
            request = request.json(b);
        }
        let mut response = request.send().await.map_err(transport_error)?;
        let status = response.status();
        let retry_after = retry_after(response.headers());
        let too_large = || ApiError::BadResponse {
            status: status.as_u16(),
            detail: TOO_LARGE.to_string(),
        };
        // Checked before reading, and again while reading: the header may be absent or lie.
        if response
            .content_length()
            .is_some_and(|n| n > MAX_REPLY_BYTES as u64)
        {
            return Err(too_large());
        }
        let mut bytes = Vec::new();
        while let Some(chunk) = response.chunk().await.map_err(transport_error)? {
            if bytes.len() + chunk.len() > MAX_REPLY_BYTES {
                return Err(too_large());
            }
            bytes.extend_from_slice(&chunk);
        }
        Ok(Reply {
            status,
            retry_after,
            bytes,
        })
    }

    pub(super) fn interpret(&self, reply: &Reply) -> Result<Value, ApiError> {
        interpret(
            reply.status,
            reply.retry_after,
            &reply.bytes,
            self.clock.unix_now(),
        )
    }

    pub(super) async fn send(
        &self,
        method: Method,
        path: &str,
        query: &[(&str, String)],
        body: Option<&Value>,
        resend: Resend,
    ) -> Result<(StatusCode, Value), ApiError> {
        let reply = match &self.auth {
            Auth::Static(token) => {
                let first_raw = self.raw_auth.load(Ordering::Relaxed);
                let reply = self
                    .exchange(&method, path, query, body, Some(header(token, first_raw)))
                    .await?;
                if reply.status != StatusCode::UNAUTHORIZED {
                    reply
                } else {
                    // Refused before acting on it: try the other header form, once.
                    let reply = self
                        .exchange(&method, path, query, body, Some(header(token, !first_raw)))
                        .await?;
                    if reply.status.is_success() {
                        self.raw_auth.store(!first_raw, Ordering::Relaxed);
                    }
                    reply
                }
            }
            Auth::Login { .. } => {
                let token = self.session_token(None).await?;
                let reply = self
                    .exchange(&method, path, query, body, Some(header(&token, false)))
                    .await?;
                if !resend.allows(reply.status, &reply.bytes) {
                    reply
                } else {
                    // The token was revoked or expired early, so the server did not act on the
                    // request: sign in again once, then stop.
                    let token = self.session_token(Some(&token)).await?;
                    let reply = self
                        .exchange(&method, path, query, body, Some(header(&token, false)))
                        .await?;
                    if is_session_refusal(reply.status, &reply.bytes) {
                        let (message, _) = serde_json::from_slice::<Value>(&reply.bytes)
                            .map(|v| explain(&v))
                            .unwrap_or_default();
                        return Err(ApiError::SessionRefused { message });
                    }
                    reply
                }
            }
        };
        self.interpret(&reply).map(|v| (reply.status, v))
    }
}

pub(super) fn header(token: &Secret, raw: bool) -> HeaderValue {
    let value = if raw {
        token.expose().to_string()
    } else {
        format!("Bearer {}", token.expose())
    };
    // Tokens are checked to be visible ASCII before they get here, so this cannot fail.
    let mut v = HeaderValue::from_str(&value).unwrap_or_else(|_| HeaderValue::from_static(""));
    v.set_sensitive(true);
    v
}

fn transport_error(e: reqwest::Error) -> ApiError {
    // Without the URL: it is ours, and errors are shown to agents.
    let (connect, timeout) = (e.is_connect(), e.is_timeout());
    // The certificate check's words are in the error's causes (OpenSSL: "certificate verify
    // failed"; SChannel and Security.framework say "certificate" too).
    let mut causes = Vec::new();
    let mut cause = std::error::Error::source(&e);
    while let Some(c) = cause {
        causes.push(c.to_string());
        cause = c.source();
    }
    if causes
        .iter()
        .any(|c| c.to_ascii_lowercase().contains("certificate"))
    {
        let detail = clean_text(&causes.join(": "), MAX_SERVER_TEXT);
        return ApiError::Untrusted { detail };
    }
    let detail = clean_text(&e.without_url().to_string(), MAX_SERVER_TEXT);
    if connect {
        ApiError::Unreachable { detail }
    } else if timeout {
        ApiError::Timeout
    } else {
        ApiError::Network { detail }
    }
}

/// The longest wait or lifetime we believe from a server: a day.
pub const MAX_WAIT: Duration = Duration::from_secs(24 * 3600);

pub(super) fn cap(d: Duration) -> Duration {
    d.min(MAX_WAIT)
}

/// The `Retry-After` header in seconds, capped at [`MAX_WAIT`]. A number too large for a
/// `u64` is a very long wait too, not no wait.
fn retry_after(headers: &HeaderMap) -> Option<Duration> {
    let v = headers.get(RETRY_AFTER)?.to_str().ok()?.trim();
    wait_secs(v)
}

/// Whole seconds, possibly huge, as a wait capped at [`MAX_WAIT`].
fn wait_secs(s: &str) -> Option<Duration> {
    if s.is_empty() || !s.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    Some(cap(Duration::from_secs(s.parse().unwrap_or(u64::MAX))))
}

/// The body's `retry_after`: seconds (a number or a numeric string), or an IST date
/// ("2026-11-26 18:40:00"); capped at [`MAX_WAIT`].
pub(super) fn body_retry_after(r: &Value, unix_now: i64) -> Option<Duration> {
    match r {
        Value::Number(n) => {
            let secs = n.as_f64().filter(|f| f.is_finite() && *f >= 0.0)?;
            Some(cap(Duration::from_secs_f64(
                secs.min(MAX_WAIT.as_secs_f64()),
            )))
        }
        Value::String(s) => wait_secs(s.trim()).or_else(|| {
            let until = parse_ist(s)?;
            let secs = until.saturating_sub(unix_now).max(1);
            Some(cap(Duration::from_secs(secs.unsigned_abs())))
        }),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn server_waits_are_capped_at_parse_time() {
        let mut h = HeaderMap::new();
        assert_eq!(retry_after(&h), None);
        for (v, want) in [
            ("7", Some(7)),
            (" 7 ", Some(7)),
            ("0", Some(0)),
            ("86400", Some(86400)),
            ("86401", Some(86400)),
            ("18446744073709551615", Some(86400)),
            ("99999999999999999999999999", Some(86400)),
            ("-1", None),
            ("7.5", None),
            ("Wed, 21 Oct 2015 07:28:00 GMT", None),
            ("", None),
        ] {
            h.insert(RETRY_AFTER, HeaderValue::from_str(v).unwrap());
            assert_eq!(retry_after(&h), want.map(Duration::from_secs), "{v:?}");
        }
        let now = 1_800_000_000;
        let b = |v: Value| body_retry_after(&v, now);
        assert_eq!(b(json!(30)), Some(Duration::from_secs(30)));
        assert_eq!(b(json!(1.5)), Some(Duration::from_millis(1500)));
        assert_eq!(b(json!(u64::MAX)), Some(MAX_WAIT));
        assert_eq!(b(json!(1e300)), Some(MAX_WAIT));
        assert_eq!(b(json!(-5)), None);
        assert_eq!(b(json!("600")), Some(Duration::from_secs(600)));
        assert_eq!(b(json!("9999-12-31 23:59:59")), Some(MAX_WAIT));
        let soon = crate::clock::format_ist(now + 120);
        assert_eq!(b(json!(soon)), Some(Duration::from_secs(120)));
        let past = crate::clock::format_ist(now - 120);
        assert_eq!(b(json!(past)), Some(Duration::from_secs(1)));
        assert_eq!(b(json!("soon")), None);
        assert_eq!(b(json!(null)), None);
        let err = interpret(
            StatusCode::TOO_MANY_REQUESTS,
            None,
            br#"{"retry_after":"9999-12-31 23:59:59"}"#,
            now,
        )
        .unwrap_err();
        assert_eq!(
            err.to_string(),
            "The server is busy and asked us to slow down. Try again in 24 h."
        );
    }
}
