//! One HTTP path to the API: [`Client::send`] adds auth, checks the status and turns every
//! failure into an [`ApiError`].
//!
//! Auth, two ways:
//! - a permanent token: we send `Authorization: Bearer <token>`; on a 401 we retry once with the
//!   raw token (servetel-api.md §1.4: accounts differ), and remember the form that worked;
//! - email + password: `POST /auth/login` gives a short-lived token, kept in memory only and
//!   renewed before it expires (`/auth/refresh`, else a fresh login). On a 401, or a refusal
//!   whose message says the token expired or was blacklisted (see [`is_session_refusal`]), we
//!   sign in again once, then stop. A refused password is not sent again, and a lockout (429)
//!   is respected: no sign-in is sent until it ends.
//!
//! Those are the only retries. A dial is sent again only after a reply that proves the server
//! refused it before acting on it (`Resend::OnlyIfRefused`): a 5xx says "may have been
//! placed", whatever its message.
//!
//! What comes back is bounded: a reply body is read up to [`MAX_REPLY_BYTES`], waits the server
//! asks for are capped at a day, and every server text is cleaned
//! ([`crate::sanitize::clean_text`]) before it reaches an error or a value.
//!
//! A base URL on this machine (`localhost`, `127.0.0.0/8`, `::1`) never goes through a proxy
//! ([`is_loopback_url`]); other hosts use the system's proxy settings (`HTTPS_PROXY`,
//! `NO_PROXY`, …).

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use reqwest::header::{HeaderMap, HeaderValue, ACCEPT, AUTHORIZATION, RETRY_AFTER};
use reqwest::{Method, StatusCode, Url};
use serde_json::{json, Value};

use super::error::ApiError;
use super::models::{
    clean, field, rows, text, Agent, CallRecord, CallRecords, CallerId, LiveCall, Queued,
};
use crate::clock::{parse_ist, Clock, SystemClock};
use crate::phone::Number;
use crate::sanitize::{clean_text, MAX_ID, MAX_SERVER_TEXT};
use crate::secret::Secret;

/// The largest reply body we read. Real replies are a few kilobytes (a page of users is the
/// largest); anything bigger is refused as [`ApiError::BadResponse`] before it fills memory.
pub const MAX_REPLY_BYTES: usize = 2 * 1024 * 1024;
/// The `detail` of the error for a reply over [`MAX_REPLY_BYTES`].
const TOO_LARGE: &str = "a reply larger than 2 MiB";
/// Field-keyed validation errors kept from one reply.
const MAX_FIELDS: usize = 20;

/// Renew a short-lived token this long before it expires.
pub const RENEW_BEFORE: Duration = Duration::from_secs(5 * 60);
/// A lockout whose end the server did not say is assumed to last this long (one client's
/// observed default, servetel-api.md §1.2).
const DEFAULT_LOCKOUT: Duration = Duration::from_secs(10 * 60);
/// Login tokens live 60 minutes per the docs; used when a reply omits `expires_in`.
const DEFAULT_TOKEN_LIFETIME: Duration = Duration::from_secs(3600);

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
}

impl Default for ClientOptions {
    fn default() -> Self {
        ClientOptions {
            connect_timeout: Duration::from_secs(5),
            timeout: Duration::from_secs(20),
            user_agent: format!("Clickdial/{}", env!("CARGO_PKG_VERSION")),
        }
    }
}

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

struct Issued {
    token: Secret,
    expires_at: Instant,
    /// How long before expiry to renew: [`RENEW_BEFORE`], or less for very short lives.
    renew_before: Duration,
}

#[derive(Default)]
struct LoginState {
    issued: Option<Issued>,
    locked_until: Option<Instant>,
    /// The server refused this email and password: asking again with the same ones could only
    /// lead to a lockout, so the client stops until the user signs in anew.
    refused: Option<ApiError>,
}

enum Auth {
    Static(Secret),
    Login {
        email: String,
        password: Secret,
        /// An async lock: concurrent requests wait for one sign-in instead of each sending one.
        state: tokio::sync::Mutex<LoginState>,
    },
}

pub struct Client {
    http: reqwest::Client,
    base: String,
    auth: Auth,
    clock: Arc<dyn Clock>,
    /// Whether the raw token (no `Bearer `) is the form this account accepts.
    raw_auth: AtomicBool,
    /// `number_of_days_left` from the latest sign-in or renewal that carried it.
    password_days_left: Mutex<Option<u32>>,
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

/// One HTTP exchange before interpretation.
struct Reply {
    status: StatusCode,
    retry_after: Option<Duration>,
    /// At most [`MAX_REPLY_BYTES`].
    bytes: Vec<u8>,
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
        Ok(Client {
            http,
            base,
            auth,
            clock,
            raw_auth: AtomicBool::new(false),
            password_days_left: Mutex::new(None),
        })
    }

    pub fn base_url(&self) -> &str {
        &self.base
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

    /// Sends one request and returns the raw reply.
    async fn exchange(
        &self,
        method: &Method,
        path: &str,
        query: &[(&str, String)],
        body: Option<&Value>,
        authorization: Option<HeaderValue>,
    ) -> Result<Reply, ApiError> {
        let mut request = self
            .http
            .request(method.clone(), format!("{}/{}", self.base, path))
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

    fn interpret(&self, reply: &Reply) -> Result<Value, ApiError> {
        interpret(
            reply.status,
            reply.retry_after,
            &reply.bytes,
            self.clock.unix_now(),
        )
    }

    async fn send(
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

    /// A valid short-lived token: the cached one, a renewed one, or a fresh sign-in. With
    /// `rejected`, the server refused that token: sign in again, unless a concurrent request
    /// already replaced it.
    async fn session_token(&self, rejected: Option<&Secret>) -> Result<Secret, ApiError> {
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
enum Resend {
    /// Reading, or an action that does no harm twice (hanging up, a break): again after any
    /// session refusal.
    Safe,
    /// A dial: again only when the reply proves nothing was done. A 5xx never does, whatever
    /// its message: the server may have queued the call before failing.
    OnlyIfRefused,
}

impl Resend {
    /// True when the reply refused the session and this request may be sent again.
    fn allows(self, status: StatusCode, body: &[u8]) -> bool {
        is_session_refusal(status, body) && (self == Resend::Safe || !status.is_server_error())
    }
}

/// The longest wait or lifetime we believe from a server: a day.
pub const MAX_WAIT: Duration = Duration::from_secs(24 * 3600);

fn cap(d: Duration) -> Duration {
    d.min(MAX_WAIT)
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

fn is_header_safe(token: &str) -> bool {
    !token.is_empty() && token.bytes().all(|b| b.is_ascii_graphic())
}

fn header(token: &Secret, raw: bool) -> HeaderValue {
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
fn body_retry_after(r: &Value, unix_now: i64) -> Option<Duration> {
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

/// Turns a status and body into the reply JSON or a typed error.
fn interpret(
    status: StatusCode,
    retry_after: Option<Duration>,
    bytes: &[u8],
    unix_now: i64,
) -> Result<Value, ApiError> {
    let json: Option<Value> = serde_json::from_slice(bytes).ok();
    let (message, fields) = json.as_ref().map(explain).unwrap_or_default();
    let code = status.as_u16();
    match code {
        200..=299 => {
            let Some(v) = json.filter(|v| v.is_object() || v.is_array()) else {
                return Err(ApiError::BadResponse {
                    status: code,
                    detail: describe_body(bytes),
                });
            };
            let failed = ["success", "ok"]
                .iter()
                .any(|k| v.get(*k).and_then(Value::as_bool) == Some(false));
            if failed {
                return Err(ApiError::Rejected {
                    status: code,
                    message: message.unwrap_or_else(|| "the request was refused".to_string()),
                    fields,
                });
            }
            Ok(v)
        }
        401 => Err(ApiError::Unauthorized { message }),
        403 => Err(ApiError::Forbidden { message }),
        429 => {
            // `retry_after` in the body: seconds, or an IST date ("2026-11-26 18:40:00").
            let body_retry = json
                .as_ref()
                .and_then(|v| v.get("retry_after"))
                .and_then(|r| body_retry_after(r, unix_now));
            Err(ApiError::RateLimited {
                retry_after: retry_after.or(body_retry),
                message,
            })
        }
        400..=499 => Err(ApiError::Rejected {
            status: code,
            message: message.unwrap_or_else(|| {
                format!(
                    "HTTP {code} {}",
                    status.canonical_reason().unwrap_or("error")
                )
            }),
            fields,
        }),
        500..=599 => Err(ApiError::Server {
            status: code,
            message,
        }),
        300..=399 => Err(ApiError::BadResponse {
            status: code,
            detail: "a redirect to another address; check the server address in Settings"
                .to_string(),
        }),
        _ => Err(ApiError::BadResponse {
            status: code,
            detail: describe_body(bytes),
        }),
    }
}

/// The server's message, and field-keyed validation errors flattened
/// (`{"caller_id":"Provide a vaild caller_id."}`, `{"errors":{"x":["..."]}}`). Every text is
/// cleaned and shortened ([`clean_text`]): it is shown to people and printed to terminals.
fn explain(v: &Value) -> (Option<String>, Vec<(String, String)>) {
    let mut fields = Vec::new();
    let mut collect = |obj: &serde_json::Map<String, Value>| {
        for (k, val) in obj {
            if fields.len() >= MAX_FIELDS {
                break;
            }
            if matches!(
                k.as_str(),
                "success" | "ok" | "status" | "message" | "error" | "retry_after" | "code" | "data"
            ) {
                continue;
            }
            let msg = match val {
                Value::String(s) => Some(s.clone()),
                Value::Array(a) => {
                    let parts: Vec<&str> = a.iter().filter_map(Value::as_str).collect();
                    (!parts.is_empty()).then(|| parts.join(" "))
                }
                _ => None,
            };
            let key = clean_text(k, MAX_ID);
            if let Some(m) = msg.map(|m| clean_text(&m, MAX_SERVER_TEXT)) {
                if !m.is_empty() && !key.is_empty() {
                    fields.push((key, m));
                }
            }
        }
    };
    if let Some(obj) = v.as_object() {
        collect(obj);
        if let Some(errors) = obj.get("errors").and_then(Value::as_object) {
            collect(errors);
        }
    }
    fields.retain(|(k, _)| k != "errors");
    let message = ["message", "error"]
        .iter()
        .filter_map(|k| v.get(*k).and_then(Value::as_str))
        .map(|m| clean_text(m, MAX_SERVER_TEXT))
        .find(|m| !m.is_empty())
        .or_else(|| {
            (!fields.is_empty()).then(|| {
                let all = fields
                    .iter()
                    .map(|(_, m)| m.as_str())
                    .collect::<Vec<_>>()
                    .join(" ");
                clean_text(&all, MAX_SERVER_TEXT)
            })
        });
    (message, fields)
}

fn describe_body(bytes: &[u8]) -> String {
    let text = String::from_utf8_lossy(bytes);
    let t = text.trim_start();
    if t.is_empty() {
        "an empty reply".to_string()
    } else if t.starts_with('<') {
        "a web page instead of data".to_string()
    } else {
        "not JSON".to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn field_keyed_422_is_flattened() {
        let v = json!({"caller_id": "Provide a vaild caller_id."});
        let err = interpret(
            StatusCode::UNPROCESSABLE_ENTITY,
            None,
            v.to_string().as_bytes(),
            0,
        )
        .unwrap_err();
        assert_eq!(
            err,
            ApiError::Rejected {
                status: 422,
                message: "Provide a vaild caller_id.".into(),
                fields: vec![("caller_id".into(), "Provide a vaild caller_id.".into())],
            }
        );
        assert!(err.to_string().contains("Pick another caller ID"));
    }

    #[test]
    fn success_false_under_200_is_a_rejection() {
        let body = br#"{"ok":false,"message":"your account is not active"}"#;
        let err = interpret(StatusCode::OK, None, body, 0).unwrap_err();
        assert_eq!(err.server_message(), Some("your account is not active"));
        assert!(!err.outcome_unknown());
    }

    #[test]
    fn html_and_garbage_are_bad_responses() {
        let err = interpret(StatusCode::OK, None, b"<html>Gateway</html>", 0).unwrap_err();
        assert!(err.to_string().contains("web page"), "{err}");
        assert!(err.outcome_unknown());
        let err = interpret(StatusCode::OK, None, b"\"just a string\"", 0).unwrap_err();
        assert!(matches!(err, ApiError::BadResponse { .. }));
        let err = interpret(StatusCode::BAD_GATEWAY, None, b"<html/>", 0).unwrap_err();
        assert_eq!(
            err,
            ApiError::Server {
                status: 502,
                message: None
            }
        );
    }

    #[test]
    fn errors_array_form_is_flattened() {
        let body = br#"{"errors":{"destination_number":["must be 10-15 digits"]}}"#;
        let err = interpret(StatusCode::UNPROCESSABLE_ENTITY, None, body, 0).unwrap_err();
        assert_eq!(err.server_message(), Some("must be 10-15 digits"));
    }

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

    #[test]
    fn server_text_is_cleaned_in_errors() {
        let body = json!({
            "message": format!("\u{1b}]0;title\u{7}Bad\u{202e} {}", "x".repeat(1000)),
            "caller_id": "\u{1b}[2Jnope",
            "\u{1b}[31mkey": "v",
        })
        .to_string();
        let err =
            interpret(StatusCode::UNPROCESSABLE_ENTITY, None, body.as_bytes(), 0).unwrap_err();
        let ApiError::Rejected {
            message, fields, ..
        } = &err
        else {
            panic!("{err:?}")
        };
        assert!(message.starts_with("Bad xxx"), "{message}");
        assert_eq!(message.chars().count(), MAX_SERVER_TEXT + 1);
        assert!(fields.contains(&("caller_id".to_string(), "nope".to_string())));
        assert!(fields.contains(&("key".to_string(), "v".to_string())));
        // Only the fields' messages: cleaned, then joined and cut again.
        let body = json!({"a": "x".repeat(250), "b": "y".repeat(250)}).to_string();
        let err =
            interpret(StatusCode::UNPROCESSABLE_ENTITY, None, body.as_bytes(), 0).unwrap_err();
        assert_eq!(
            err.server_message().map(|m| m.chars().count()),
            Some(MAX_SERVER_TEXT + 1)
        );
        // A message with nothing visible falls back to the fields.
        let body = br#"{"message":"\u001b[2J","caller_id":"Provide a vaild caller_id."}"#;
        let err = interpret(StatusCode::UNPROCESSABLE_ENTITY, None, body, 0).unwrap_err();
        assert_eq!(err.server_message(), Some("Provide a vaild caller_id."));
        // A field whose message or name has nothing visible is dropped.
        let body = br#"{"caller_id":"\u001b[2J"}"#;
        let err = interpret(StatusCode::UNPROCESSABLE_ENTITY, None, body, 0).unwrap_err();
        assert_eq!(
            err,
            ApiError::Rejected {
                status: 422,
                message: "HTTP 422 Unprocessable Entity".into(),
                fields: vec![],
            }
        );
        let body = br#"{"\u202e\u200b":"bad"}"#;
        let (message, fields) = explain(&serde_json::from_slice(body).unwrap());
        assert_eq!((message, fields), (None, vec![]));
        // At most MAX_FIELDS field errors are kept.
        let many: serde_json::Map<String, Value> = (0..100)
            .map(|i| (format!("f{i:03}"), json!("bad")))
            .collect();
        let (_, fields) = explain(&Value::Object(many));
        assert_eq!(fields.len(), MAX_FIELDS);
    }
}
