//! A faithful Servetel simulator, for every test and for the app's demo mode.
//!
//! It behaves like the real API as `servetel-api.md` describes it: the token check (Bearer and
//! raw forms), sign-in with email and password (`/auth/login`, `/auth/refresh`, short-lived
//! tokens, `number_of_days_left` until the password expires, the documented failure body with
//! `login_failed_count`, a lockout after repeated bad passwords with an IST `retry_after`), a
//! token that may not read `/my_number` (403), `click_to_call` validation with the real error
//! shapes (field-keyed 422s with the platform's own "vaild" typo, `success:false` under HTTP
//! 200; the caller ID must be a DID's digits, not its alias), the real success body (`ref_id`,
//! and `call_id: null` with `async=1`: the platform only knows the call id once the agent
//! answered), paged `/users` and `/my_number`. As a library it binds 127.0.0.1:0, reports its
//! URL, records every request and injects faults (status + body, optionally streamed without a
//! length; delay; connection reset). Unknown routes get a 404 that names the request, so a test
//! that calls the wrong path says so.
//!
//! `GET /__sim/requests` returns the recorded requests as JSON, for tests that drive the app
//! from outside (the WebDriver end-to-end test reads the demo simulator this way).

use std::collections::{HashMap, VecDeque};
use std::net::SocketAddr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use axum::body::{Body, Bytes};
use axum::extract::State;
use axum::http::{HeaderMap, Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use serde_json::{json, Value};
use tokio::sync::oneshot;

/// The demo account's API token. It only opens this simulator.
pub const DEMO_TOKEN: &str = "demo-token";
/// The demo account's portal sign-in.
pub const DEMO_EMAIL: &str = "demo@clickdial.invalid";
pub const DEMO_PASSWORD: &str = "demo-password";

#[derive(Debug, Clone)]
pub struct SimAgent {
    pub user_id: u64,
    /// The EID, sent as `agent_number`.
    pub eid: String,
    pub name: String,
    pub follow_me_number: String,
    /// 0 enabled, 1 blocked, 2 disabled, 3 busy.
    pub status: u8,
}

/// A portal user who can sign in with email and password.
#[derive(Debug, Clone)]
pub struct SimLogin {
    pub email: String,
    pub password: String,
}

#[derive(Debug, Clone)]
pub struct SimDid {
    pub id: String,
    pub name: String,
    /// E.164 (`+918065000101`). `click_to_call` accepts it, or its digits, as `caller_id`.
    pub did: String,
    /// A label on this account (`Sales-01`); refused as a `caller_id`.
    pub alias: String,
}

/// The account the simulator serves.
#[derive(Debug, Clone)]
pub struct Account {
    pub tokens: Vec<String>,
    /// Accept `Authorization: Bearer <token>`.
    pub bearer_accepted: bool,
    /// Accept `Authorization: <token>`.
    pub raw_accepted: bool,
    pub agents: Vec<SimAgent>,
    pub dids: Vec<SimDid>,
    /// Default page size of `/users` (the real default is larger; small pages exercise paging).
    pub page_size: usize,
    pub logins: Vec<SimLogin>,
    /// Lifetime of tokens from `/auth/login` and `/auth/refresh` (the platform's is 60 min).
    pub token_ttl: Duration,
    /// Bad passwords in a row before sign-in locks.
    pub lockout_after: u32,
    pub lockout_for: Duration,
    /// Tokens that may not read `/my_number` (403), like a token without that permission.
    pub restricted_tokens: Vec<String>,
    /// Days until the portal password expires, sent as `number_of_days_left` with every
    /// token from `/auth/login` and `/auth/refresh`; not sent when `None`.
    pub password_days_left: Option<u32>,
}

impl Account {
    /// A small sales team: five agents (one blocked) and two DIDs.
    pub fn demo() -> Account {
        let agent = |n: u64, name: &str, status: u8| SimAgent {
            user_id: 314670 + n,
            eid: format!("050612345678{n}"),
            name: name.to_string(),
            follow_me_number: format!("+9198100000{n:02}"),
            status,
        };
        Account {
            tokens: vec![DEMO_TOKEN.to_string()],
            bearer_accepted: true,
            raw_accepted: true,
            agents: vec![
                agent(1, "Asha Rao", 0),
                agent(2, "Vikram Singh", 0),
                agent(3, "Meera Iyer", 0),
                agent(4, "Rahul Das", 1),
                agent(5, "Priya Nair", 0),
            ],
            dids: vec![
                SimDid {
                    id: "1759333".into(),
                    name: "Sales line".into(),
                    did: "+918065000101".into(),
                    alias: "Sales-01".into(),
                },
                SimDid {
                    id: "1759334".into(),
                    name: "Support line".into(),
                    did: "+918065000102".into(),
                    alias: "Support-02".into(),
                },
            ],
            page_size: 2,
            logins: vec![SimLogin {
                email: DEMO_EMAIL.to_string(),
                password: DEMO_PASSWORD.to_string(),
            }],
            token_ttl: Duration::from_secs(3600),
            lockout_after: 3,
            lockout_for: Duration::from_secs(10 * 60),
            restricted_tokens: Vec::new(),
            password_days_left: Some(60),
        }
    }
}

/// One request as it reached the simulator.
#[derive(Debug, Clone, Serialize)]
pub struct Recorded {
    pub method: String,
    /// Path without the query, e.g. `/v1/click_to_call`.
    pub path: String,
    pub query: String,
    pub authorization: Option<String>,
    /// The JSON body, `null` when empty, or a string when the body is not JSON.
    pub body: Value,
    #[serde(skip)]
    pub at: Instant,
}

#[derive(Debug, Clone)]
pub enum FaultAction {
    /// Answer with this status, body and content type instead of the real behaviour.
    Respond {
        status: u16,
        body: String,
        content_type: String,
        headers: Vec<(String, String)>,
        /// Stream the body in pieces without a `Content-Length` (chunked encoding).
        chunked: bool,
    },
    /// Wait, then behave normally.
    Delay(Duration),
    /// Send the headers, then break the connection before the body.
    Reset,
}

/// A fault for the next request(s) whose path ends with `path` (any path when `None`).
#[derive(Debug, Clone)]
pub struct Fault {
    pub path: Option<String>,
    pub action: FaultAction,
    pub times: usize,
}

impl Fault {
    pub fn respond(status: u16, body: impl Into<String>) -> Fault {
        let body = body.into();
        let content_type = if body.trim_start().starts_with('<') {
            "text/html"
        } else {
            "application/json"
        };
        Fault {
            path: None,
            action: FaultAction::Respond {
                status,
                body,
                content_type: content_type.to_string(),
                headers: Vec::new(),
                chunked: false,
            },
            times: 1,
        }
    }

    pub fn delay(d: Duration) -> Fault {
        Fault {
            path: None,
            action: FaultAction::Delay(d),
            times: 1,
        }
    }

    pub fn reset() -> Fault {
        Fault {
            path: None,
            action: FaultAction::Reset,
            times: 1,
        }
    }

    pub fn on(mut self, path: &str) -> Fault {
        self.path = Some(path.to_string());
        self
    }

    pub fn times(mut self, n: usize) -> Fault {
        self.times = n;
        self
    }

    pub fn header(mut self, name: &str, value: &str) -> Fault {
        if let FaultAction::Respond { headers, .. } = &mut self.action {
            headers.push((name.to_string(), value.to_string()));
        }
        self
    }

    /// Streams a `respond` body in 64 KiB pieces with no `Content-Length`, so a client cannot
    /// tell its size before reading it.
    pub fn chunked(mut self) -> Fault {
        if let FaultAction::Respond { chunked, .. } = &mut self.action {
            *chunked = true;
        }
        self
    }
}

#[derive(Default)]
struct Lockout {
    bad_in_a_row: u32,
    until: Option<(Instant, SystemTime)>,
}

struct Shared {
    account: Account,
    requests: Mutex<Vec<Recorded>>,
    faults: Mutex<VecDeque<Fault>>,
    call_seq: AtomicU64,
    /// Short-lived tokens issued by `/auth/login` and `/auth/refresh`, with their expiry.
    sessions: Mutex<HashMap<String, Instant>>,
    lockout: Mutex<Lockout>,
}

/// A running simulator. Dropping it stops the server.
pub struct Sim {
    addr: SocketAddr,
    shared: Arc<Shared>,
    shutdown: Option<oneshot::Sender<()>>,
}

impl Sim {
    /// Starts on 127.0.0.1 with a free port.
    pub async fn spawn(account: Account) -> std::io::Result<Sim> {
        Sim::bind(SocketAddr::from(([127, 0, 0, 1], 0)), account).await
    }

    pub async fn bind(addr: SocketAddr, account: Account) -> std::io::Result<Sim> {
        let listener = tokio::net::TcpListener::bind(addr).await?;
        let addr = listener.local_addr()?;
        let shared = Arc::new(Shared {
            account,
            requests: Mutex::new(Vec::new()),
            faults: Mutex::new(VecDeque::new()),
            call_seq: AtomicU64::new(11_930_963),
            sessions: Mutex::new(HashMap::new()),
            lockout: Mutex::new(Lockout::default()),
        });
        let app = axum::Router::new()
            .fallback(handle)
            .with_state(shared.clone());
        let (tx, rx) = oneshot::channel::<()>();
        tokio::spawn(async move {
            let _ = axum::serve(listener, app)
                .with_graceful_shutdown(async {
                    let _ = rx.await;
                })
                .await;
        });
        Ok(Sim {
            addr,
            shared,
            shutdown: Some(tx),
        })
    }

    /// The API base URL, version path included: `http://127.0.0.1:PORT/v1`.
    pub fn url(&self) -> String {
        format!("http://{}/v1", self.addr)
    }

    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    pub fn account(&self) -> &Account {
        &self.shared.account
    }

    /// Every request received so far, oldest first.
    pub fn requests(&self) -> Vec<Recorded> {
        lock(&self.shared.requests).clone()
    }

    /// Requests whose path ends with `suffix`, e.g. `/click_to_call`.
    pub fn requests_to(&self, suffix: &str) -> Vec<Recorded> {
        lock(&self.shared.requests)
            .iter()
            .filter(|r| r.path.ends_with(suffix))
            .cloned()
            .collect()
    }

    pub fn inject(&self, fault: Fault) {
        lock(&self.shared.faults).push_back(fault);
    }

    /// Ends every short-lived token at once, as a server-side revocation would.
    pub fn expire_sessions(&self) {
        lock(&self.shared.sessions).clear();
    }
}

impl Drop for Sim {
    fn drop(&mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
    }
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

fn reply(status: StatusCode, body: Value) -> Response {
    (status, axum::Json(body)).into_response()
}

fn text(v: Option<&Value>) -> Option<String> {
    match v? {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

fn take_fault(shared: &Shared, path: &str) -> Option<FaultAction> {
    let mut faults = lock(&shared.faults);
    let i = faults
        .iter()
        .position(|f| f.path.as_deref().is_none_or(|p| path.ends_with(p)))?;
    let fault = &mut faults[i];
    let action = fault.action.clone();
    fault.times = fault.times.saturating_sub(1);
    if fault.times == 0 {
        faults.remove(i);
    }
    Some(action)
}

async fn handle(
    State(shared): State<Arc<Shared>>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let path = uri.path().to_string();
    if path == "/__sim/requests" {
        return reply(StatusCode::OK, json!(*lock(&shared.requests)));
    }
    // Test control for processes that cannot reach `Sim::inject` (the app's demo, driven by
    // the end-to-end tests): `POST /__sim/fault {"path": "/users", "status": 503, "times": 2}`
    // answers the next matching requests with that status.
    if path == "/__sim/fault" && method == Method::POST {
        let spec: Value = serde_json::from_slice(&body).unwrap_or(Value::Null);
        let status = spec["status"].as_u64().and_then(|s| u16::try_from(s).ok());
        let Some(status) = status.filter(|s| (100..600).contains(s)) else {
            return reply(
                StatusCode::BAD_REQUEST,
                json!({"error": "status 100-599 needed"}),
            );
        };
        let mut fault = Fault::respond(status, r#"{"success":false,"message":"Simulated fault"}"#)
            .times(spec["times"].as_u64().map_or(1, |t| t.min(1000) as usize));
        if let Some(on) = spec["path"].as_str() {
            fault = fault.on(on);
        }
        lock(&shared.faults).push_back(fault);
        return reply(StatusCode::OK, json!({"ok": true}));
    }
    let body_value = if body.is_empty() {
        Value::Null
    } else {
        serde_json::from_slice(&body)
            .unwrap_or_else(|_| Value::String(String::from_utf8_lossy(&body).into_owned()))
    };
    let authorization = headers
        .get("authorization")
        .and_then(|v| v.to_str().ok())
        .map(str::to_string);
    lock(&shared.requests).push(Recorded {
        method: method.to_string(),
        path: path.clone(),
        query: uri.query().unwrap_or_default().to_string(),
        authorization: authorization.clone(),
        body: body_value.clone(),
        at: Instant::now(),
    });

    match take_fault(&shared, &path) {
        Some(FaultAction::Respond {
            status,
            body,
            content_type,
            headers,
            chunked,
        }) => {
            let mut builder = Response::builder()
                .status(status)
                .header("content-type", content_type);
            for (k, v) in headers {
                builder = builder.header(k, v);
            }
            let body = if chunked {
                let all = Bytes::from(body);
                let pieces: Vec<Result<Bytes, std::io::Error>> = (0..all.len())
                    .step_by(64 * 1024)
                    .map(|i| Ok(all.slice(i..all.len().min(i + 64 * 1024))))
                    .collect();
                Body::from_stream(futures_util::stream::iter(pieces))
            } else {
                Body::from(body)
            };
            return builder
                .body(body)
                .unwrap_or_else(|_| StatusCode::INTERNAL_SERVER_ERROR.into_response());
        }
        Some(FaultAction::Reset) => {
            let broken = futures_util::stream::once(async {
                Err::<Bytes, std::io::Error>(std::io::Error::other("simulated reset"))
            });
            return Response::builder()
                .status(200)
                .header("content-type", "application/json")
                .body(Body::from_stream(broken))
                .unwrap_or_else(|_| StatusCode::INTERNAL_SERVER_ERROR.into_response());
        }
        Some(FaultAction::Delay(d)) => tokio::time::sleep(d).await,
        None => {}
    }

    let account = &shared.account;
    if (method.as_str(), path.as_str()) == ("POST", "/v1/auth/login") {
        return login(&shared, &body_value);
    }
    if !authorized(&shared, authorization.as_deref()) {
        return reply(
            StatusCode::UNAUTHORIZED,
            json!({"success": false, "message": "Deleted or blacklisted token provided"}),
        );
    }

    let query: Vec<(String, String)> = uri
        .query()
        .unwrap_or_default()
        .split('&')
        .filter_map(|kv| kv.split_once('='))
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    let param = |name: &str| {
        query
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    };

    match (method.as_str(), path.as_str()) {
        ("POST", "/v1/click_to_call") => click_to_call(&shared, &body_value),
        ("GET", "/v1/users") => users(account, param("last_seen_id"), param("limit")),
        ("GET", "/v1/my_number")
            if account
                .restricted_tokens
                .contains(&bare_token(authorization.as_deref())) =>
        {
            reply(
                StatusCode::FORBIDDEN,
                json!({"success": false, "message": "You are not authorized to access this resource."}),
            )
        }
        ("GET", "/v1/my_number") => my_number(account),
        ("POST", "/v1/auth/refresh") => {
            // (The lock is released before issue_token takes it again.)
            let short_lived =
                lock(&shared.sessions).contains_key(&bare_token(authorization.as_deref()));
            if short_lived {
                issue_token(&shared)
            } else {
                // A permanent token cannot be refreshed.
                reply(
                    StatusCode::UNAUTHORIZED,
                    json!({"success": false, "message": "Token cannot be refreshed"}),
                )
            }
        }
        ("POST", "/v1/auth/logout") => {
            lock(&shared.sessions).remove(&bare_token(authorization.as_deref()));
            reply(
                StatusCode::OK,
                json!({"success": true, "message": "Successfully logged out"}),
            )
        }
        _ => reply(
            StatusCode::NOT_FOUND,
            json!({"success": false, "message": format!("simulator: no route for {method} {path}")}),
        ),
    }
}

fn bare_token(header: Option<&str>) -> String {
    let h = header.unwrap_or_default();
    h.strip_prefix("Bearer ").unwrap_or(h).to_string()
}

fn authorized(shared: &Shared, header: Option<&str>) -> bool {
    let account = &shared.account;
    let Some(h) = header else { return false };
    let (token, bearer) = match h.strip_prefix("Bearer ") {
        Some(t) => (t, true),
        None => (h, false),
    };
    let form_ok = if bearer {
        account.bearer_accepted
    } else {
        account.raw_accepted
    };
    let mut sessions = lock(&shared.sessions);
    sessions.retain(|_, expires| *expires > Instant::now());
    form_ok && (account.tokens.iter().any(|t| t == token) || sessions.contains_key(token))
}

fn issue_token(shared: &Shared) -> Response {
    let token = format!("st-{}", uuid::Uuid::new_v4().simple());
    let ttl = shared.account.token_ttl;
    lock(&shared.sessions).insert(token.clone(), Instant::now() + ttl);
    let mut out = json!({"success": true, "access_token": token, "token_type": "bearer",
                         "expires_in": ttl.as_secs().max(1)});
    if let Some(days) = shared.account.password_days_left {
        out["number_of_days_left"] = json!(days);
    }
    reply(StatusCode::OK, out)
}

fn login(shared: &Shared, body: &Value) -> Response {
    let mut lockout = lock(&shared.lockout);
    if let Some((until, wall)) = lockout.until {
        if Instant::now() < until {
            return reply(
                StatusCode::TOO_MANY_REQUESTS,
                json!({"success": false, "message": "Too many login attempts. Please try again later.",
                       "retry_after": ist(wall)}),
            );
        }
        *lockout = Lockout::default();
    }
    let email = text(body.get("email")).unwrap_or_default();
    let password = text(body.get("password")).unwrap_or_default();
    let ok = shared
        .account
        .logins
        .iter()
        .any(|l| l.email.eq_ignore_ascii_case(email.trim()) && l.password == password);
    if ok {
        lockout.bad_in_a_row = 0;
        drop(lockout);
        return issue_token(shared);
    }
    lockout.bad_in_a_row += 1;
    let failed = lockout.bad_in_a_row;
    if failed >= shared.account.lockout_after {
        let d = shared.account.lockout_for;
        lockout.until = Some((Instant::now() + d, SystemTime::now() + d));
    }
    // The documented failure body (servetel-api.md §1.2); the status is our assumption.
    reply(
        StatusCode::UNAUTHORIZED,
        json!({"success": false, "message": "The username or password is incorrect.",
               "login_failed_count": failed}),
    )
}

/// `YYYY-MM-DD HH:MM:SS` in India Standard Time, as the platform writes `retry_after`.
fn ist(t: SystemTime) -> String {
    let unix = t
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or_default();
    clickdial_core::clock::format_ist(unix)
}

fn click_to_call(shared: &Shared, body: &Value) -> Response {
    let account = &shared.account;
    if !body.is_object() {
        return reply(
            StatusCode::UNPROCESSABLE_ENTITY,
            json!({"success": false, "message": "Invalid request body."}),
        );
    }
    let Some(agent_number) = text(body.get("agent_number")).filter(|s| !s.is_empty()) else {
        return reply(
            StatusCode::UNPROCESSABLE_ENTITY,
            json!({"agent_number": "The agent number field is required."}),
        );
    };
    let destination = text(body.get("destination_number")).unwrap_or_default();
    let digits = destination.strip_prefix('+').unwrap_or(&destination);
    if !(10..=15).contains(&digits.len()) || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return reply(
            StatusCode::UNPROCESSABLE_ENTITY,
            json!({"destination_number": "The destination number must be between 10 and 15 digits."}),
        );
    }
    let known_agent = account.agents.iter().any(|a| {
        a.eid == agent_number
            || a.follow_me_number == agent_number
            || a.follow_me_number.trim_start_matches('+') == agent_number
    });
    if !known_agent {
        // Seen with HTTP status unknown; the platform signals many refusals inside a 200.
        return reply(
            StatusCode::OK,
            json!({"success": false, "message": "This agent_number doesn't belong to your associated agent."}),
        );
    }
    if let Some(caller_id) = text(body.get("caller_id")) {
        // The DID's digits (`918065000101`) or the DID itself (`+918065000101`); an alias that
        // is a label is not a number the platform can show.
        let ok = account
            .dids
            .iter()
            .any(|d| d.did == caller_id || d.did.trim_start_matches('+') == caller_id);
        if !ok {
            // Sic: the platform's own spelling.
            return reply(
                StatusCode::UNPROCESSABLE_ENTITY,
                json!({"caller_id": "Provide a vaild caller_id."}),
            );
        }
    }
    // With `async=1` the platform answers before the agent picks up, so it has no call id yet:
    // `call_id` is null (servetel-api.md §2.2). Only a synchronous dial that asked for it
    // (`async` 0 or absent, `get_call_id=1`) gets one.
    let mut out = json!({
        "success": true,
        "message": "Originate successfully queued",
        "ref_id": uuid::Uuid::new_v4().to_string(),
        "call_id": null,
    });
    let asynchronous = text(body.get("async")).as_deref() == Some("1");
    if !asynchronous && text(body.get("get_call_id")).as_deref() == Some("1") {
        let epoch = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map(|d| d.as_secs())
            .unwrap_or_default();
        let seq = shared.call_seq.fetch_add(1, Ordering::Relaxed);
        out["call_id"] = json!(format!("{epoch}.{seq}"));
    }
    reply(StatusCode::OK, out)
}

fn users(account: &Account, last_seen_id: Option<&str>, limit: Option<&str>) -> Response {
    let after: u64 = last_seen_id.and_then(|s| s.parse().ok()).unwrap_or(0);
    let limit: usize = limit
        .and_then(|s| s.parse().ok())
        .filter(|&l| l > 0)
        .unwrap_or(account.page_size.max(1));
    let remaining: Vec<&SimAgent> = account
        .agents
        .iter()
        .filter(|a| a.user_id > after)
        .collect();
    let page: Vec<&SimAgent> = remaining.iter().take(limit).copied().collect();
    let data: Vec<Value> = page
        .iter()
        .map(|a| {
            json!({
                "id": a.user_id,
                "name": a.name,
                "agent": {"id": a.eid, "name": a.name, "status": a.status,
                          "follow_me_number": a.follow_me_number},
                "login_id": format!("{}@demo.clickdial.invalid", a.name.split(' ').next().unwrap_or("agent").to_lowercase()),
                "is_login_based_calling_enabled": false,
                "is_international_outbound_enabled": false,
                "user_role": {"id": 54630, "name": "Agent"},
                "extension": null,
                "user_status": 1,
            })
        })
        .collect();
    reply(
        StatusCode::OK,
        json!({
            "has_more": remaining.len() > page.len(),
            "count": data.len(),
            "last_seen_id": page.last().map(|a| a.user_id),
            "data": data,
        }),
    )
}

fn my_number(account: &Account) -> Response {
    let rows: Vec<Value> = account
        .dids
        .iter()
        .map(|d| json!({"id": d.id, "name": d.name, "did": d.did, "alias": d.alias, "destination": null}))
        .collect();
    reply(StatusCode::OK, Value::Array(rows))
}

/// Runs the demo account on 127.0.0.1:`port` until Ctrl-C; for `clickdial sim` and the binary.
pub async fn run_foreground(port: u16) -> std::io::Result<()> {
    let sim = Sim::bind(SocketAddr::from(([127, 0, 0, 1], port)), Account::demo()).await?;
    println!("Servetel simulator (demo account) listening.");
    println!("  base URL: {}", sim.url());
    println!("  token:    {DEMO_TOKEN}");
    println!("  sign-in:  {DEMO_EMAIL} / {DEMO_PASSWORD}");
    println!(
        "  agents:   {}",
        sim.account()
            .agents
            .iter()
            .map(|a| a.eid.as_str())
            .collect::<Vec<_>>()
            .join(", ")
    );
    println!(
        "  DIDs:     {}",
        sim.account()
            .dids
            .iter()
            .map(|d| format!("{} ({})", d.did.trim_start_matches('+'), d.alias))
            .collect::<Vec<_>>()
            .join(", ")
    );
    println!("Press Ctrl-C to stop.");
    tokio::signal::ctrl_c().await?;
    drop(sim);
    Ok(())
}
