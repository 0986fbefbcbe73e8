//! One HTTP path to the API: [`Client::send`] adds auth, checks the status and turns every
//! failure into an [`ApiError`].
//!
//! Auth, two ways:
//! - a permanent token: we send `Authorization: Bearer <token>`; on a 401 we retry once with the
//!   raw token (servetel-api.md §1.4: accounts differ), and remember the form that worked;
//! - email + password: `POST /auth/login` gives a short-lived token, kept in memory only and
//!   renewed before it expires (`/auth/refresh`, else a fresh login). On a 401, or a refusal
//!   whose message says the token expired or was blacklisted (see
//!   [`is_session_refusal`](super::is_session_refusal)), we sign in again once, then stop. A
//!   refused password is not sent again, and a lockout (429) is respected: no sign-in is sent
//!   until it ends.
//!
//! Those are the only retries. A dial is sent again only after a reply that proves the server
//! refused it before acting on it (`Resend::OnlyIfRefused`): a 5xx says "may have been
//! placed", whatever its message.
//!
//! What comes back is bounded: a reply body is read up to
//! [`MAX_REPLY_BYTES`](super::MAX_REPLY_BYTES), waits the server asks for are capped at a day,
//! and every server text is cleaned ([`crate::sanitize::clean_text`]) before it reaches an
//! error or a value.
//!
//! A base URL on this machine (`localhost`, `127.0.0.0/8`, `::1`) never goes through a proxy
//! ([`is_loopback_url`]); other hosts use the system's proxy settings (`HTTPS_PROXY`,
//! `NO_PROXY`, …).
//!
//! The code, by job: this file holds the [`Client`], its options and the endpoints; `send.rs`
//! the one way out (auth headers, the exchange and its size cap, `Retry-After`); `session.rs`
//! password sign-in (short-lived tokens, lockouts, which refusals allow a resend);
//! `reply.rs` turning a status and body into a value or an [`ApiError`].

use std::sync::atomic::AtomicBool;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use reqwest::{Method, Url};
use serde_json::{json, Value};

use super::error::ApiError;
use super::models::{
    clean, field, rows, text, Agent, AgentDetail, CallRecord, CallRecords, CallerId, LiveCall,
    Queued,
};
use super::session::{LoginState, Resend};
use crate::clock::{Clock, SystemClock};
use crate::phone::Number;
use crate::sanitize::{clean_text, MAX_ID, MAX_SERVER_TEXT};
use crate::secret::Secret;

/// A hostile or broken server could page forever; real accounts have far fewer pages.
const MAX_PAGES: usize = 200;
/// The most live calls read from one reply; a call centre has far fewer at once.
pub const MAX_LIVE_ROWS: usize = 5000;

#[derive(Debug, Clone)]
pub struct ClientOptions {
    pub connect_timeout: Duration,
    /// Whole-request timeout. `click_to_call` with `async=1` answers at once on a healthy
    /// server; 20 s leaves room for a slow one without leaving the agent guessing for long.
    pub timeout: Duration,
    pub user_agent: String,
    /// Where live calls, call records and hang-up are sent, when not to the base URL (a
    /// preset's [`crate::settings::Provider::follow_base_url`]).
    pub follow_base: Option<String>,
}

impl Default for ClientOptions {
    fn default() -> Self {
        ClientOptions {
            connect_timeout: Duration::from_secs(5),
            timeout: Duration::from_secs(20),
            user_agent: format!("Clickdial/{}", env!("CARGO_PKG_VERSION")),
            follow_base: None,
        }
    }
}

/// The endpoints that follow a call, sent to [`ClientOptions::follow_base`] when there is one.
const FOLLOW_PATHS: [&str; 3] = ["live_calls", "call/records", "call/hangup"];

/// What to ask `/call/records` for.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RecordQuery {
    /// From (Unix seconds); sent as IST `Y-m-d H:i:s`.
    pub from_unix: Option<i64>,
    pub to_unix: Option<i64>,
    pub call_id: Option<String>,
    /// The customer's number (`callerid`).
    pub customer: Option<String>,
    /// 1-based.
    pub page: u32,
    pub limit: u32,
}

/// What to dial. The destination is a parsed [`Number`], so it is valid by construction.
#[derive(Debug, Clone)]
pub struct DialRequest<'a> {
    /// The agent leg: the agent's EID (or intercom, extension, mobile).
    pub agent_number: &'a str,
    pub destination: &'a Number,
    /// The DID shown to the customer: its digits with country code, no `+`
    /// ([`CallerId::value`], e.g. `918065000101`), not its `alias`.
    pub caller_id: Option<&'a str>,
    /// Maximum talk time in seconds.
    pub call_timeout: Option<u32>,
    /// Our correlation value, sent as `custom_identifier` (the ledger records it before the
    /// request leaves).
    pub custom_identifier: &'a str,
}

/// How the client proves who it is.
#[derive(Clone, PartialEq, Eq)]
pub enum Credentials {
    /// A permanent API token from the portal.
    Token(Secret),
    /// Portal sign-in; the client gets short-lived tokens itself.
    Password { email: String, password: Secret },
}

impl std::fmt::Debug for Credentials {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Credentials::Token(_) => f.write_str("Token(<redacted>)"),
            Credentials::Password { email, .. } => write!(f, "Password({email}, <redacted>)"),
        }
    }
}

pub(super) enum Auth {
    Static(Secret),
    Login {
        email: String,
        password: Secret,
        /// An async lock: concurrent requests wait for one sign-in instead of each sending one.
        state: tokio::sync::Mutex<LoginState>,
    },
}

pub struct Client {
    pub(super) http: reqwest::Client,
    pub(super) base: String,
    /// Where [`FOLLOW_PATHS`] go, when not to `base`.
    follow_base: Option<String>,
    pub(super) auth: Auth,
    pub(super) clock: Arc<dyn Clock>,
    /// Whether the raw token (no `Bearer `) is the form this account accepts.
    pub(super) raw_auth: AtomicBool,
    /// `number_of_days_left` from the latest sign-in or renewal that carried it.
    pub(super) password_days_left: Mutex<Option<u32>>,
}

impl std::fmt::Debug for Client {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Client")
            .field("base", &self.base)
            .field(
                "auth",
                &match &self.auth {
                    Auth::Static(_) => "token".to_string(),
                    Auth::Login { email, .. } => format!("sign-in as {email}"),
                },
            )
            .finish_non_exhaustive()
    }
}

impl Client {
    /// `base_url` includes the version path, e.g. `https://api.servetel.in/v1`.
    pub fn new(base_url: &str, token: Secret) -> Result<Client, String> {
        Client::with_options(base_url, token, ClientOptions::default())
    }

    pub fn with_options(
        base_url: &str,
        token: Secret,
        options: ClientOptions,
    ) -> Result<Client, String> {
        Client::build(
            base_url,
            Credentials::Token(token),
            options,
            Arc::new(SystemClock),
        )
    }

    /// The general constructor: any credentials, any clock.
    pub fn build(
        base_url: &str,
        credentials: Credentials,
        options: ClientOptions,
        clock: Arc<dyn Clock>,
    ) -> Result<Client, String> {
        let base = base_url.trim().trim_end_matches('/').to_string();
        let not_web = || {
            format!(
                "'{}' is not a web address; it should look like https://api.servetel.in/v1",
                clean_text(&base, 200)
            )
        };
        if !(base.starts_with("https://") || base.starts_with("http://")) {
            return Err(not_web());
        }
        let url = Url::parse(&base).map_err(|_| not_web())?;
        let auth = match credentials {
            Credentials::Token(token) => {
                let token = clean_token(&token);
                if !is_header_safe(token.expose()) {
                    return Err(
                        "The API token is empty or has characters a token cannot have; copy it again from the portal."
                            .to_string(),
                    );
                }
                Auth::Static(token)
            }
            Credentials::Password { email, password } => {
                let email = email.trim().to_string();
                if email.is_empty() || password.expose().is_empty() {
                    return Err("Enter both your email (login ID) and your password.".to_string());
                }
                Auth::Login {
                    email,
                    password,
                    state: tokio::sync::Mutex::new(LoginState::default()),
                }
            }
        };
        let mut http = reqwest::Client::builder()
            // Never follow redirects: a 307/308 would resend a dial or carry the password to
            // another address.
            .redirect(reqwest::redirect::Policy::none())
            .connect_timeout(options.connect_timeout)
            .timeout(options.timeout)
            .user_agent(options.user_agent)
            .pool_idle_timeout(Duration::from_secs(60))
            .tcp_keepalive(Duration::from_secs(30));
        if is_loopback_url(&url) {
            // Plain http to this machine: a proxy from the environment would carry the token
            // in clear over the network, and cannot reach our loopback anyway.
            http = http.no_proxy();
        }
        http = http.use_preconfigured_tls(tls_connector()?);
        let http = http
            .build()
            .map_err(|e| format!("Could not set up the connection: {e}"))?;
        let follow_base = options
            .follow_base
            .map(|f| f.trim().trim_end_matches('/').to_string())
            // https, or plain http to this machine only (tests), like the base URL's rule.
            .filter(|f| {
                Url::parse(f).is_ok_and(|u| {
                    u.scheme() == "https" || (u.scheme() == "http" && is_loopback_url(&u))
                })
            });
        Ok(Client {
            http,
            base,
            follow_base,
            auth,
            clock,
            raw_auth: AtomicBool::new(false),
            password_days_left: Mutex::new(None),
        })
    }

    pub fn base_url(&self) -> &str {
        &self.base
    }

    /// The address of endpoint `path`: the follow host for the endpoints that follow a call,
    /// when the account has one; the base URL otherwise.
    pub(super) fn url_of(&self, path: &str) -> String {
        let base = match &self.follow_base {
            Some(f) if FOLLOW_PATHS.contains(&path) => f,
            _ => &self.base,
        };
        format!("{base}/{path}")
    }

    /// Days until the portal password expires, from the latest sign-in or renewal reply that
    /// said (`number_of_days_left`). `None` with a permanent token, before the first sign-in,
    /// or when the server never said. Smartflo passwords expire every 90 days, and an expired
    /// one breaks every call, so front ends warn ahead of time.
    pub fn password_days_left(&self) -> Option<u32> {
        *self
            .password_days_left
            .lock()
            .unwrap_or_else(|p| p.into_inner())
    }

    /// `POST /click_to_call`: rings the agent, then bridges the customer. Never retried after
    /// the request may have reached the server; see [`ApiError::outcome_unknown`].
    pub async fn click_to_call(&self, req: &DialRequest<'_>) -> Result<Queued, ApiError> {
        let custom_identifier = req.custom_identifier.to_string();
        let mut body = json!({
            "agent_number": req.agent_number,
            "destination_number": req.destination.digits(),
            "async": 1,
            "get_call_id": 1,
            "custom_identifier": custom_identifier,
        });
        if let Some(caller_id) = req.caller_id {
            body["caller_id"] = json!(caller_id);
        }
        if let Some(t) = req.call_timeout {
            body["call_timeout"] = json!(t);
        }
        let (status, reply) = self
            .send(
                Method::POST,
                "click_to_call",
                &[],
                Some(&body),
                Resend::OnlyIfRefused,
            )
            .await?;
        let ref_id = clean(field(&reply, "ref_id"), MAX_ID);
        let call_id = clean(field(&reply, "call_id"), MAX_ID);
        let confirmed = reply.get("success").and_then(Value::as_bool) == Some(true)
            || ref_id.is_some()
            || call_id.is_some();
        if !confirmed {
            // 2xx but no sign of success: we cannot tell whether a call was queued.
            return Err(ApiError::BadResponse {
                status: status.as_u16(),
                detail: "no confirmation in the reply".to_string(),
            });
        }
        Ok(Queued {
            ref_id,
            call_id,
            custom_identifier,
            message: clean(reply.get("message"), MAX_SERVER_TEXT)
                .unwrap_or_else(|| "Call queued".to_string()),
        })
    }

    /// `GET /users`, every page (`last_seen_id` cursor).
    pub async fn users(&self) -> Result<Vec<Agent>, ApiError> {
        let mut agents = Vec::new();
        let mut cursor: Option<String> = None;
        for _ in 0..MAX_PAGES {
            let query: Vec<(&str, String)> =
                cursor.iter().map(|c| ("last_seen_id", c.clone())).collect();
            let (status, page) = self
                .send(Method::GET, "users", &query, None, Resend::Safe)
                .await?;
            let list = rows(&page).ok_or_else(|| ApiError::BadResponse {
                status: status.as_u16(),
                detail: "no list of users in the reply".to_string(),
            })?;
            agents.extend(list.iter().filter_map(Agent::from_user));
            let has_more = matches!(page.get("has_more"), Some(Value::Bool(true)))
                || text(page.get("has_more")).as_deref() == Some("1")
                || text(page.get("has_more")).as_deref() == Some("true");
            let next = text(page.get("last_seen_id"))
                .or_else(|| list.last().and_then(|u| text(u.get("id"))));
            if !has_more || list.is_empty() || next.is_none() || next == cursor {
                break;
            }
            cursor = next;
        }
        Ok(agents)
    }

    /// `GET /my_number`: the account's DIDs, usable as caller IDs.
    pub async fn my_numbers(&self) -> Result<Vec<CallerId>, ApiError> {
        let (status, reply) = self
            .send(Method::GET, "my_number", &[], None, Resend::Safe)
            .await?;
        let list = rows(&reply).ok_or_else(|| ApiError::BadResponse {
            status: status.as_u16(),
            detail: "no list of numbers in the reply".to_string(),
        })?;
        Ok(list.iter().filter_map(CallerId::from_row).collect())
    }

    /// `GET /live_calls`, optionally for one agent (`agent_number`: their number or EID).
    /// Rows that are not objects are skipped; at most [`MAX_LIVE_ROWS`] are read.
    pub async fn live_calls(&self, agent_number: Option<&str>) -> Result<Vec<LiveCall>, ApiError> {
        let query: Vec<(&str, String)> = agent_number
            .map(|a| ("agent_number", a.to_string()))
            .into_iter()
            .collect();
        let (status, reply) = self
            .send(Method::GET, "live_calls", &query, None, Resend::Safe)
            .await?;
        // An empty object or `null` data means no live calls on some accounts.
        let empty = Vec::new();
        let list = match rows(&reply) {
            Some(list) => list,
            // Only an explicit "nothing": `null`, or `data: null`. Any other object (an error
            // under HTTP 200) is not read as "no calls", which would end every followed call.
            None if reply.is_null()
                || reply
                    .as_object()
                    .is_some_and(|o| o.get("data").is_some_and(Value::is_null)) =>
            {
                &empty
            }
            None => {
                return Err(ApiError::BadResponse {
                    status: status.as_u16(),
                    detail: "no list of live calls in the reply".to_string(),
                })
            }
        };
        Ok(list
            .iter()
            .take(MAX_LIVE_ROWS)
            .filter_map(LiveCall::from_row)
            .collect())
    }

    /// `POST /call/hangup` for a live call id (from [`Client::live_calls`]); the server's
    /// words on success. A `success:false` reply ("Call not found") is an error.
    pub async fn hangup(&self, call_id: &str) -> Result<String, ApiError> {
        let body = json!({ "call_id": call_id });
        let (_, reply) = self
            .send(Method::POST, "call/hangup", &[], Some(&body), Resend::Safe)
            .await?;
        Ok(clean(reply.get("message"), MAX_SERVER_TEXT).unwrap_or_else(|| "Call ended".into()))
    }

    /// `GET /call/records` (call detail records), newest first.
    pub async fn call_records(&self, q: &RecordQuery) -> Result<CallRecords, ApiError> {
        let mut query: Vec<(&str, String)> = vec![
            ("page", q.page.max(1).to_string()),
            ("limit", q.limit.clamp(1, 1000).to_string()),
        ];
        if let Some(from) = q.from_unix {
            query.push(("from_date", crate::clock::format_ist(from)));
        }
        if let Some(to) = q.to_unix {
            query.push(("to_date", crate::clock::format_ist(to)));
        }
        if let Some(id) = &q.call_id {
            query.push(("call_id", id.clone()));
        }
        if let Some(n) = &q.customer {
            query.push(("callerid", n.clone()));
        }
        let (status, reply) = self
            .send(Method::GET, "call/records", &query, None, Resend::Safe)
            .await?;
        let list = rows(&reply).ok_or_else(|| ApiError::BadResponse {
            status: status.as_u16(),
            detail: "no list of call records in the reply".to_string(),
        })?;
        Ok(CallRecords {
            records: list
                .iter()
                .take(1000)
                .filter_map(CallRecord::from_row)
                .collect(),
            total: text(reply.get("count")).and_then(|c| c.parse().ok()),
        })
    }

    /// `GET /user/{id}`: what the users list leaves out about an agent (their extension and
    /// intercom). Only an id of digits is put in the path.
    pub async fn agent_detail(&self, user_id: &str) -> Result<AgentDetail, ApiError> {
        if user_id.is_empty() || user_id.len() > 20 || !user_id.bytes().all(|b| b.is_ascii_digit())
        {
            return Err(ApiError::Rejected {
                status: 0,
                message: "That user ID cannot be looked up.".into(),
                fields: Vec::new(),
            });
        }
        let (_, reply) = self
            .send(
                Method::GET,
                &format!("user/{user_id}"),
                &[],
                None,
                Resend::Safe,
            )
            .await?;
        Ok(AgentDetail::from_reply(&reply))
    }

    /// `POST /agent/{eid}/unblock` (available) or `/block` (on a break): a blocked agent gets
    /// no calls. Only an ID of letters, digits, `+`, `-` and `_` is put in the path.
    pub async fn set_available(&self, eid: &str, available: bool) -> Result<String, ApiError> {
        let safe = !eid.is_empty()
            && eid.len() <= MAX_ID
            && eid
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '_'));
        if !safe {
            return Err(ApiError::Rejected {
                status: 0,
                message: "That agent ID cannot be used to change availability.".into(),
                fields: Vec::new(),
            });
        }
        let action = if available { "unblock" } else { "block" };
        let (_, reply) = self
            .send(
                Method::POST,
                &format!("agent/{eid}/{action}"),
                &[],
                None,
                Resend::Safe,
            )
            .await?;
        Ok(clean(reply.get("message"), MAX_SERVER_TEXT).unwrap_or_default())
    }
}

/// Whether a client of `base_url` can never open a TLS connection: plain `http` to this
/// machine (the simulator; redirects are never followed). A process that talks only to such a
/// server can spare itself reading the system's certificate store (about 50 ms with OpenSSL 3).
pub fn plain_loopback(base_url: &str) -> bool {
    Url::parse(base_url).is_ok_and(|u| u.scheme() == "http" && is_loopback_url(&u))
}

/// True when `url`'s host is this machine: `localhost`, an address in `127.0.0.0/8`, `::1`
/// (or `::ffff:127.x.y.z`). Such a base URL is reached without any proxy.
pub fn is_loopback_url(url: &Url) -> bool {
    match url.host() {
        Some(url::Host::Domain(d)) => {
            let d = d.strip_suffix('.').unwrap_or(d);
            d.eq_ignore_ascii_case("localhost")
        }
        Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
        Some(url::Host::Ipv6(ip)) => {
            ip.is_loopback() || ip.to_ipv4_mapped().is_some_and(|v4| v4.is_loopback())
        }
        None => false,
    }
}

pub(super) fn is_header_safe(token: &str) -> bool {
    !token.is_empty() && token.bytes().all(|b| b.is_ascii_graphic())
}

/// A token as pasted from a portal, without surrounding whitespace or a `Bearer ` prefix.
pub fn clean_token(token: &Secret) -> Secret {
    let raw = token.expose().trim();
    // "Bearer" followed by whitespace or nothing at all (a pasted "Bearer " alone is no token).
    let prefixed = raw
        .get(..6)
        .is_some_and(|p| p.eq_ignore_ascii_case("bearer"))
        && raw[6..].chars().next().is_none_or(char::is_whitespace);
    Secret::new(if prefixed { raw[6..].trim() } else { raw })
}

/// The TLS connector every client shares: the system's settings and certificate store, read
/// once per process. OpenSSL 3.0 takes 50-100 ms to read the store (144 certificates on Debian
/// 12, read twice by native-tls), and a client is built per account, per sign-in and per
/// command; with one connector a process pays that once. (A plain-http client of the simulator
/// never uses it, but reqwest has no client without one.)
fn tls_connector() -> Result<native_tls::TlsConnector, String> {
    static SYSTEM: std::sync::OnceLock<Result<native_tls::TlsConnector, String>> =
        std::sync::OnceLock::new();
    SYSTEM
        .get_or_init(|| native_tls::TlsConnector::new().map_err(|e| e.to_string()))
        .clone()
        .map_err(|e| {
            format!(
                "Could not set up secure connections on this computer: {}",
                clean_text(&e, MAX_SERVER_TEXT)
            )
        })
}

/// Reads the system's certificate store now, so the first client does not wait for it (the app
/// calls this off the main thread at start when an account is set up).
pub fn warm_up_tls() {
    let _ = tls_connector();
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bearer_prefix_and_bad_tokens() {
        let c = Client::new("https://x.test/v1/", Secret::new("Bearer abc")).unwrap();
        assert!(matches!(&c.auth, Auth::Static(t) if t.expose() == "abc"));
        assert_eq!(c.base_url(), "https://x.test/v1");
        for (pasted, clean) in [
            ("bearer\tabc ", "abc"),
            (" Bearer ", ""),
            ("Bearerabc", "Bearerabc"),
        ] {
            assert_eq!(
                clean_token(&Secret::new(pasted)).expose(),
                clean,
                "{pasted:?}"
            );
        }
        assert!(Client::new("https://x.test/v1", Secret::new("a\nb")).is_err());
        assert!(Client::new("https://x.test/v1", Secret::new("  ")).is_err());
        assert!(Client::new("ftp://x.test", Secret::new("abc")).is_err());
        let dbg = format!("{c:?}");
        assert!(!dbg.contains("abc"), "{dbg}");
        assert!(Client::new("http://exa mple/v1", Secret::new("abc")).is_err());
        assert!(Client::new("https://", Secret::new("abc")).is_err());
    }

    #[test]
    fn only_plain_http_to_this_machine_needs_no_certificates() {
        assert!(plain_loopback("http://127.0.0.1:8080/v1"));
        assert!(plain_loopback("http://localhost/v1"));
        assert!(!plain_loopback("https://127.0.0.1:8080/v1"));
        assert!(!plain_loopback("http://api.servetel.in/v1"));
        assert!(!plain_loopback("http://127.0.0.1.evil.test/v1"));
        assert!(!plain_loopback("not a url"));
    }

    #[test]
    fn loopback_urls() {
        let yes = [
            "http://localhost:4010/v1",
            "http://LOCALHOST/v1",
            "http://localhost./v1",
            "https://localhost/v1",
            "http://127.0.0.1:1/v1",
            "http://127.255.255.254/v1",
            "http://127.1/v1",
            "http://[::1]:8089/v1",
            "http://[::ffff:127.0.0.1]/v1",
        ];
        let no = [
            "https://api.servetel.in/v1",
            "http://localhost.evil.test/v1",
            "http://127.0.0.1.evil.test/v1",
            "http://evil-localhost/v1",
            "http://128.0.0.1/v1",
            "http://126.255.255.255/v1",
            "http://0.0.0.0/v1",
            "http://10.0.0.1/v1",
            "http://[::2]/v1",
            "http://[::ffff:10.0.0.1]/v1",
            "http://127.0.0.1:1@evil.example/v1",
            "mailto:someone@localhost",
            "data:text/plain,localhost",
        ];
        for u in yes {
            assert!(is_loopback_url(&Url::parse(u).unwrap()), "{u}");
        }
        for u in no {
            assert!(!is_loopback_url(&Url::parse(u).unwrap()), "{u}");
        }
    }
}
