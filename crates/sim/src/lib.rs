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
//! Each queued call lives through the platform's stages, computed from the clock when asked
//! ([`CallTimings`]; no task runs per call): the agent's phone rings (3 s), the agent answers or
//! not ([`SimAgent::answer`]: answers, no answer, busy, offline), the customer's phone rings
//! (3 s), they talk (20 s), the call ends. The customer's behaviour follows the last three digits
//! of the number dialled, so the demo can show every outcome: `…486` is busy, `…408` does not
//! answer, `…404` is unreachable, anything else answers. `/v1/live_calls` lists live calls,
//! newest first, filtered by `agent_number` (EID or mobile), `call_id` or `did_number`, with the
//! real field names and types (`call_time` as `HH:MM:SS`, `customer_number` without the country
//! code); while only the agent's phone rings, `destination` holds just the agent's number, and
//! from the customer's leg on it lists both (our documented assumption of how a client tells the
//! two legs apart). `/v1/call/hangup` ends a live call by its `call_id` (a `ref_id` is refused,
//! as on some accounts); `/v1/call/records` has a record `cdr_delay` (1 s) after the end
//! (status, durations with `answered_seconds` as a string, Q.850 cause, `ref_id`,
//! `custom_identifier`), newest first, paged and filtered by dates, `call_id` and `callerid`
//! (403 for [`Account::cdr_forbidden_tokens`]); `/v1/agent/{eid}/block|unblock` changes the
//! agent's status in `/v1/users`, and `click_to_call` refuses a blocked agent.
//!
//! `GET /__sim/requests` returns the recorded requests as JSON, for tests that drive the app
//! from outside (the WebDriver end-to-end test reads the demo simulator this way);
//! `GET /__sim/calls` the calls and their stages; `POST /__sim/timings` and `POST /__sim/agent`
//! change stage lengths and how an agent answers; `POST /__sim/team {"extra": 300}` adds that
//! many agents, for trying a large team.

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
    /// 0 enabled, 1 blocked, 2 disabled, 3 busy. `/v1/agent/{eid}/block|unblock` set it to 1 / 0;
    /// `click_to_call` refuses a blocked agent.
    pub status: u8,
    /// How this agent answers the calls queued for them (see [`Sim::set_agent_answer`]).
    pub answer: Answer,
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
    /// How long each stage of a queued call lasts.
    pub timings: CallTimings,
    /// Tokens that may not read `/call/records` (403).
    pub cdr_forbidden_tokens: Vec<String>,
}

/// How long each stage of a queued call lasts in the simulator.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CallTimings {
    /// The agent's phone rings this long before the agent answers (or gives up).
    pub agent_ring: Duration,
    /// Then the customer's phone rings this long.
    pub customer_ring: Duration,
    /// Then they talk this long, unless someone hangs up.
    pub talk: Duration,
    /// A call record appears this long after the end.
    pub cdr_delay: Duration,
}

impl Default for CallTimings {
    fn default() -> Self {
        CallTimings {
            agent_ring: Duration::from_secs(3),
            customer_ring: Duration::from_secs(3),
            talk: Duration::from_secs(20),
            cdr_delay: Duration::from_secs(1),
        }
    }
}

/// How a leg of a call goes: set per agent ([`Sim::set_agent_answer`]); for the customer it
/// follows the number's last three digits: `…486` busy, `…408` no answer, `…404` unreachable.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Answer {
    Answers,
    NoAnswer,
    Busy,
    Offline,
}

impl Answer {
    /// The customer's behaviour, from the number's last three digits.
    pub fn of_customer(digits: &str) -> Answer {
        if digits.ends_with("486") {
            Answer::Busy
        } else if digits.ends_with("408") {
            Answer::NoAnswer
        } else if digits.ends_with("404") {
            Answer::Offline
        } else {
            Answer::Answers
        }
    }

    fn parse(s: &str) -> Option<Answer> {
        match s {
            "answers" => Some(Answer::Answers),
            "no_answer" => Some(Answer::NoAnswer),
            "busy" => Some(Answer::Busy),
            "offline" => Some(Answer::Offline),
            _ => None,
        }
    }
}

impl Account {
    /// A small sales team: five agents (one blocked) and two DIDs. The demo sign-in
    /// ([`DEMO_EMAIL`]) is Asha Rao's portal login, so an app can recognise who signed in.
    pub fn demo() -> Account {
        let agent = |n: u64, name: &str, status: u8| SimAgent {
            user_id: 314670 + n,
            eid: format!("050612345678{n}"),
            name: name.to_string(),
            follow_me_number: format!("+9198100000{n:02}"),
            status,
            answer: Answer::Answers,
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
            timings: CallTimings::default(),
            cdr_forbidden_tokens: Vec::new(),
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

    /// Answers `d` late. The request is handled first, as a slow server does: a `click_to_call`
    /// whose reply never arrives in time is queued all the same.
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
    timings: Mutex<CallTimings>,
    /// Queued calls, oldest first.
    calls: Mutex<Vec<SimCall>>,
    /// The agents as they are now (block/unblock change `status`, `/__sim/agent` `answer`);
    /// `account.agents` is only their starting point.
    agents: Mutex<Vec<SimAgent>>,
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
            requests: Mutex::new(Vec::new()),
            faults: Mutex::new(VecDeque::new()),
            call_seq: AtomicU64::new(11_930_963),
            sessions: Mutex::new(HashMap::new()),
            lockout: Mutex::new(Lockout::default()),
            timings: Mutex::new(account.timings),
            calls: Mutex::new(Vec::new()),
            agents: Mutex::new(account.agents.clone()),
            account,
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

    /// The account as served now: a snapshot, with the agents' current status and answer.
    pub fn account(&self) -> Account {
        Account {
            agents: lock(&self.shared.agents).clone(),
            timings: *lock(&self.shared.timings),
            ..self.shared.account.clone()
        }
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

    /// Stage lengths for calls queued from now on.
    pub fn set_timings(&self, timings: CallTimings) {
        *lock(&self.shared.timings) = timings;
    }

    /// How the agent `eid` answers calls queued from now on; `false` for an unknown agent.
    pub fn set_agent_answer(&self, eid: &str, answer: Answer) -> bool {
        set_answer(&self.shared, eid, answer)
    }

    /// Adds `extra` agents ("Team member 001" ...), as a large account has.
    pub fn add_agents(&self, extra: usize) {
        add_team(&self.shared, extra);
    }

    /// Every queued call and where it stands now, oldest first.
    pub fn calls(&self) -> Vec<CallInfo> {
        let now = Instant::now();
        lock(&self.shared.calls)
            .iter()
            .map(|c| c.info(now))
            .collect()
    }
}

/// A queued call as tests see it.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct CallInfo {
    pub call_id: String,
    pub ref_id: String,
    pub customer: String,
    pub agent: String,
    /// `agent_ringing`, `customer_ringing`, `connected` or `ended`.
    pub stage: &'static str,
    /// `answered` / `missed` once ended.
    pub status: Option<&'static str>,
}

/// One call queued by `click_to_call`. Its stage is computed from the time when asked
/// ([`SimCall::stage_at`]); no task runs per call.
#[derive(Debug, Clone)]
struct SimCall {
    seq: u64,
    call_id: String,
    ref_id: String,
    uuid: String,
    custom_identifier: Value,
    agent: SimAgent,
    customer: String,
    did: String,
    queued_at: Instant,
    queued_wall: SystemTime,
    timings: CallTimings,
    agent_answer: Answer,
    customer_answer: Answer,
    hung_up_at: Option<Instant>,
}

/// Where a call stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Stage {
    AgentRinging,
    CustomerRinging,
    Connected,
    Ended(End),
}

/// How and when (after queueing) a call ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct End {
    after: Duration,
    answered: bool,
    talk: Duration,
    /// Q.850 cause code and key.
    code: u8,
    cause: &'static str,
    reason: &'static str,
    description: &'static str,
    /// How long the agent's leg rang, when the agent answered.
    agent_rang: Option<Duration>,
}

impl SimCall {
    /// The end the call comes to if nobody hangs up.
    fn natural_end(&self) -> End {
        let t = self.timings;
        let end = |after, code, cause, reason, description, agent_rang| End {
            after,
            answered: false,
            talk: Duration::ZERO,
            code,
            cause,
            reason,
            description,
            agent_rang,
        };
        let quick = Duration::from_secs(1);
        let at_once = Duration::from_millis(500);
        match self.agent_answer {
            Answer::NoAnswer => {
                return end(
                    t.agent_ring,
                    19,
                    "NO_ANSWER",
                    "noanswer",
                    "Call missed by agent",
                    None,
                )
            }
            Answer::Busy => {
                return end(
                    t.agent_ring.min(quick),
                    17,
                    "USER_BUSY",
                    "busy",
                    "Agent busy",
                    None,
                )
            }
            Answer::Offline => {
                return end(
                    t.agent_ring.min(at_once),
                    20,
                    "SUBSCRIBER_ABSENT",
                    "unreachable",
                    "Agent unreachable",
                    None,
                )
            }
            Answer::Answers => {}
        }
        let rang = Some(t.agent_ring);
        match self.customer_answer {
            Answer::NoAnswer => end(
                t.agent_ring + t.customer_ring,
                19,
                "NO_ANSWER",
                "noanswer",
                "Call missed by customer",
                rang,
            ),
            Answer::Busy => end(
                t.agent_ring + t.customer_ring.min(quick),
                17,
                "USER_BUSY",
                "busy",
                "Customer busy",
                rang,
            ),
            Answer::Offline => end(
                t.agent_ring + t.customer_ring.min(at_once),
                20,
                "SUBSCRIBER_ABSENT",
                "unreachable",
                "Customer unreachable",
                rang,
            ),
            Answer::Answers => End {
                answered: true,
                talk: t.talk,
                ..end(
                    t.agent_ring + t.customer_ring + t.talk,
                    16,
                    "NORMAL_CLEARING",
                    "Call Disconnected By Callee",
                    "Call answered by customer",
                    rang,
                )
            },
        }
    }

    /// The stage the call would be in `t` after queueing, were it never to end.
    fn live_stage(&self, t: Duration) -> Stage {
        let ringing_until = self.timings.agent_ring;
        if t < ringing_until {
            Stage::AgentRinging
        } else if t < ringing_until + self.timings.customer_ring {
            Stage::CustomerRinging
        } else {
            Stage::Connected
        }
    }

    /// The end, with a hang-up taken into account.
    fn end(&self) -> End {
        let natural = self.natural_end();
        let Some(h) = self.hung_up_at else {
            return natural;
        };
        let at = h.saturating_duration_since(self.queued_at);
        if at >= natural.after {
            return natural;
        }
        let connected_from = self.timings.agent_ring + self.timings.customer_ring;
        let connected = self.live_stage(at) == Stage::Connected;
        End {
            after: at,
            answered: connected,
            talk: if connected {
                at - connected_from
            } else {
                Duration::ZERO
            },
            code: 16,
            cause: "NORMAL_CLEARING",
            reason: "Call Disconnected By Caller",
            description: if connected {
                "Call answered by customer"
            } else {
                "Call cancelled by agent"
            },
            agent_rang: (at >= self.timings.agent_ring).then_some(self.timings.agent_ring),
        }
    }

    fn stage_at(&self, now: Instant) -> Stage {
        let t = now.saturating_duration_since(self.queued_at);
        let end = self.end();
        if t >= end.after {
            Stage::Ended(end)
        } else {
            self.live_stage(t)
        }
    }

    fn info(&self, now: Instant) -> CallInfo {
        let stage = self.stage_at(now);
        CallInfo {
            call_id: self.call_id.clone(),
            ref_id: self.ref_id.clone(),
            customer: self.customer.clone(),
            agent: self.agent.eid.clone(),
            stage: match stage {
                Stage::AgentRinging => "agent_ringing",
                Stage::CustomerRinging => "customer_ringing",
                Stage::Connected => "connected",
                Stage::Ended(_) => "ended",
            },
            status: match stage {
                Stage::Ended(e) => Some(if e.answered { "answered" } else { "missed" }),
                _ => None,
            },
        }
    }

    fn unix_at(&self, after: Duration) -> i64 {
        (self.queued_wall + after)
            .duration_since(UNIX_EPOCH)
            .map(|d| d.as_secs() as i64)
            .unwrap_or_default()
    }

    /// A `/v1/live_calls` row, with the platform's field names and types.
    ///
    /// The simulator's documented assumption (the docs show only a two-number sample): while
    /// only the agent's phone rings, `destination` is the agent's number alone; from the
    /// customer's leg on it is `"<agent>,+<customer>"`. A client tells the legs apart by
    /// whether `destination` holds the customer's number; `state` is `Ringing` for both
    /// ringing legs and `Answered` once connected.
    fn live_row(&self, stage: Stage, now: Instant) -> Value {
        let elapsed = now.saturating_duration_since(self.queued_at).as_secs();
        let agent_leg = self.agent.follow_me_number.clone();
        let destination = match stage {
            Stage::AgentRinging => agent_leg.clone(),
            _ => format!("{agent_leg},+{}", self.customer),
        };
        json!({
            "id": 793_133_114u64 + self.seq,
            "user_id": self.agent.user_id,
            "client_id": null,
            "call_id": self.call_id,
            "direction": 2,
            "source": format!("+{}", self.did),
            "type": "click-to-call",
            "did": format!("+{}", self.did),
            "multiple_destination_type": "c2c",
            "multiple_destination_name": format!("SIP/{agent_leg}"),
            "destination": destination,
            "state": if stage == Stage::Connected { "Answered" } else { "Ringing" },
            "queue_state": null,
            "channel_id": format!("SIP/sim-{:08x}", self.seq),
            "created_at": clickdial_core::clock::format_ist(self.unix_at(Duration::ZERO)),
            "sip_domain": "10.0.0.1",
            "broadcast_id": null,
            "broadcast_no": null,
            "call_time": format!("{:02}:{:02}:{:02}", elapsed / 3600, elapsed / 60 % 60, elapsed % 60),
            "agent_name": self.agent.name,
            "customer_number": &self.customer[self.customer.len().saturating_sub(10)..],
        })
    }

    /// A `/v1/call/records` row (CDR), with the platform's quirks (numbers as strings).
    fn record_row(&self, end: End) -> Value {
        let start = clickdial_core::clock::format_ist(self.unix_at(Duration::ZERO));
        json!({
            "id": format!("{:024x}", 0x5f3a_0000_0000u64 + self.seq),
            "call_id": self.call_id,
            "uuid": self.uuid,
            "direction": "outbound",
            "description": end.description,
            "detailed_description": format!("{} ({})", end.description, end.cause),
            "status": if end.answered { "answered" } else { "missed" },
            "recording_url": end.answered.then(|| format!(
                "https://customer.servetel.in/file/recording?callId={}&type=rec&token=sim",
                self.call_id
            )),
            "service": "Click to Call",
            "date": &start[..10],
            "time": &start[11..],
            "end_stamp": clickdial_core::clock::format_ist(self.unix_at(end.after)),
            "call_duration": end.after.as_secs(),
            "answered_seconds": end.talk.as_secs().to_string(),
            "agent_number": self.agent.eid,
            "agent_name": self.agent.name,
            "client_number": format!("+{}", self.customer),
            "did_number": format!("+{}", self.did),
            "hangup_cause": end.cause,
            "hangup_cause_code": end.code.to_string(),
            "reason": end.reason,
            "agent_ring_time": end.agent_rang.map_or("N.A.".to_string(), |d| d.as_secs().to_string()),
            "ref_id": self.ref_id,
            "custom_identifier": self.custom_identifier,
        })
    }
}

/// `%XX` and `+` in a query value.
fn decode(v: &str) -> String {
    let bytes = v.as_bytes();
    let hex = |b: u8| (b as char).to_digit(16);
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'+' => out.push(b' '),
            b'%' if i + 2 < bytes.len() => match (hex(bytes[i + 1]), hex(bytes[i + 2])) {
                (Some(h), Some(l)) => {
                    out.push((h * 16 + l) as u8);
                    i += 2;
                }
                _ => out.push(b'%'),
            },
            b => out.push(b),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn digits(s: &str) -> String {
    s.chars().filter(char::is_ascii_digit).collect()
}

fn live_calls(shared: &Shared, param: &dyn Fn(&str) -> Option<String>) -> Response {
    let now = Instant::now();
    let agent = param("agent_number")
        .map(|a| digits(&a))
        .filter(|a| !a.is_empty());
    let call_id = param("call_id");
    let did = param("did_number")
        .map(|d| digits(&d))
        .filter(|d| !d.is_empty());
    let calls = lock(&shared.calls);
    let rows: Vec<Value> = calls
        .iter()
        .rev()
        .filter(|c| {
            agent.as_ref().is_none_or(|a| {
                digits(&c.agent.eid) == *a || digits(&c.agent.follow_me_number) == *a
            })
        })
        .filter(|c| call_id.as_ref().is_none_or(|id| *id == c.call_id))
        .filter(|c| did.as_ref().is_none_or(|d| *d == c.did))
        .filter_map(|c| match c.stage_at(now) {
            Stage::Ended(_) => None,
            stage => Some(c.live_row(stage, now)),
        })
        .collect();
    reply(StatusCode::OK, Value::Array(rows))
}

fn hangup(shared: &Shared, body: &Value) -> Response {
    let Some(id) = text(body.get("call_id")).filter(|s| !s.is_empty()) else {
        return reply(
            StatusCode::UNPROCESSABLE_ENTITY,
            json!({"call_id": "The call id field is required."}),
        );
    };
    let now = Instant::now();
    let mut calls = lock(&shared.calls);
    if let Some(call) = calls.iter_mut().find(|c| c.call_id == id) {
        if !matches!(call.stage_at(now), Stage::Ended(_)) {
            call.hung_up_at = Some(now);
            return reply(
                StatusCode::OK,
                json!({"success": true, "message": "Call hangup successfully"}),
            );
        }
    } else if calls.iter().any(|c| c.ref_id == id) {
        // Some accounts refuse the ref_id here (servetel-api.md §5.2).
        return reply(
            StatusCode::OK,
            json!({"success": false, "message": "Invalid call_id"}),
        );
    }
    reply(
        StatusCode::OK,
        json!({"success": false, "message": "Call not found"}),
    )
}

fn call_records(shared: &Shared, param: &dyn Fn(&str) -> Option<String>) -> Response {
    let now = Instant::now();
    let bound = |name: &str| param(name).and_then(|d| clickdial_core::clock::parse_ist(d.trim()));
    let (from, to) = (bound("from_date"), bound("to_date"));
    let page: usize = param("page")
        .and_then(|p| p.parse().ok())
        .filter(|&p| p > 0)
        .unwrap_or(1);
    let limit: usize = param("limit")
        .and_then(|l| l.parse().ok())
        .filter(|&l| l > 0)
        .unwrap_or(20)
        .min(1000);
    let call_id = param("call_id");
    let caller = param("callerid")
        .map(|c| digits(&c))
        .filter(|c| !c.is_empty());
    let calls = lock(&shared.calls);
    let matching: Vec<Value> = calls
        .iter()
        .rev()
        .filter(|c| {
            let start = c.unix_at(Duration::ZERO);
            from.is_none_or(|f| start >= f) && to.is_none_or(|t| start <= t)
        })
        .filter(|c| call_id.as_ref().is_none_or(|id| *id == c.call_id))
        .filter(|c| {
            caller
                .as_ref()
                .is_none_or(|n| c.customer.ends_with(&n[n.len().saturating_sub(10)..]))
        })
        .filter_map(|c| match c.stage_at(now) {
            Stage::Ended(end)
                if now.saturating_duration_since(c.queued_at)
                    >= end.after + c.timings.cdr_delay =>
            {
                Some(c.record_row(end))
            }
            _ => None,
        })
        .collect();
    let rows: Vec<Value> = matching
        .iter()
        .skip((page - 1).saturating_mul(limit))
        .take(limit)
        .cloned()
        .collect();
    reply(
        StatusCode::OK,
        json!({"count": matching.len(), "limit": limit, "size": rows.len(), "page": page,
               "results": rows}),
    )
}

fn set_blocked(shared: &Shared, eid: &str, blocked: bool) -> Response {
    let mut agents = lock(&shared.agents);
    let Some(agent) = agents.iter_mut().find(|a| a.eid == eid) else {
        return reply(
            StatusCode::NOT_FOUND,
            json!({"success": false, "message": "Agent not found"}),
        );
    };
    agent.status = u8::from(blocked);
    drop(agents);
    reply(
        StatusCode::OK,
        json!({"success": true, "message": if blocked { "Agent blocked successfully" } else { "Agent unblocked successfully" }}),
    )
}

fn set_answer(shared: &Shared, eid: &str, answer: Answer) -> bool {
    let mut agents = lock(&shared.agents);
    let Some(agent) = agents.iter_mut().find(|a| a.eid == eid) else {
        return false;
    };
    agent.answer = answer;
    true
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
    if path == "/__sim/calls" {
        let now = Instant::now();
        let calls: Vec<CallInfo> = lock(&shared.calls).iter().map(|c| c.info(now)).collect();
        return reply(StatusCode::OK, json!(calls));
    }
    // `POST /__sim/timings {"agent_ring_ms": 1500, "talk_ms": 60000, ...}` (any subset): stage
    // lengths for calls queued afterwards.
    if path == "/__sim/timings" && method == Method::POST {
        let spec: Value = serde_json::from_slice(&body).unwrap_or(Value::Null);
        let ms = |k: &str| {
            spec[k]
                .as_u64()
                .map(|v| Duration::from_millis(v.min(86_400_000)))
        };
        let mut t = lock(&shared.timings);
        t.agent_ring = ms("agent_ring_ms").unwrap_or(t.agent_ring);
        t.customer_ring = ms("customer_ring_ms").unwrap_or(t.customer_ring);
        t.talk = ms("talk_ms").unwrap_or(t.talk);
        t.cdr_delay = ms("cdr_delay_ms").unwrap_or(t.cdr_delay);
        return reply(StatusCode::OK, json!({"ok": true}));
    }
    // `POST /__sim/team {"extra": 300}`: that many more agents (at most 5,000 in all).
    if path == "/__sim/team" && method == Method::POST {
        let spec: Value = serde_json::from_slice(&body).unwrap_or(Value::Null);
        let extra = spec["extra"].as_u64().unwrap_or(0).min(5_000) as usize;
        add_team(&shared, extra);
        return reply(
            StatusCode::OK,
            json!({"agents": lock(&shared.agents).len()}),
        );
    }
    // `POST /__sim/agent {"eid": "...", "answer": "answers|no_answer|busy|offline"}`.
    if path == "/__sim/agent" && method == Method::POST {
        let spec: Value = serde_json::from_slice(&body).unwrap_or(Value::Null);
        let (Some(eid), Some(answer)) = (
            spec["eid"].as_str(),
            spec["answer"].as_str().and_then(Answer::parse),
        ) else {
            return reply(
                StatusCode::BAD_REQUEST,
                json!({"error": "eid and answer (answers, no_answer, busy, offline) needed"}),
            );
        };
        if !set_answer(&shared, eid, answer) {
            return reply(
                StatusCode::NOT_FOUND,
                json!({"error": format!("no agent {eid}")}),
            );
        }
        return reply(StatusCode::OK, json!({"ok": true}));
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

    let mut delay = None;
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
        Some(FaultAction::Delay(d)) => delay = Some(d),
        None => {}
    }

    let response = route(&shared, &method, &path, &uri, authorization, &body_value);
    if let Some(d) = delay {
        tokio::time::sleep(d).await;
    }
    response
}

/// The API itself, once faults are dealt with: synchronous, so a delayed reply (a slow server)
/// has already done its work, as a real server that answers late has.
fn route(
    shared: &Arc<Shared>,
    method: &Method,
    path: &str,
    uri: &Uri,
    authorization: Option<String>,
    body_value: &Value,
) -> Response {
    let shared = shared.clone();
    let method = method.clone();
    let path = path.to_string();
    let body_value = body_value.clone();
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

    let decoded = |name: &str| param(name).map(decode);
    let agent_action = path
        .strip_prefix("/v1/agent/")
        .and_then(|rest| rest.split_once('/'))
        .filter(|_| method == Method::POST);
    if let Some((eid, action @ ("block" | "unblock"))) = agent_action {
        return set_blocked(&shared, &decode(eid), action == "block");
    }
    match (method.as_str(), path.as_str()) {
        ("POST", "/v1/click_to_call") => click_to_call(&shared, &body_value),
        ("GET", "/v1/live_calls") => live_calls(&shared, &decoded),
        ("POST", "/v1/call/hangup") => hangup(&shared, &body_value),
        ("GET", "/v1/call/records")
            if account
                .cdr_forbidden_tokens
                .contains(&bare_token(authorization.as_deref())) =>
        {
            reply(
                StatusCode::FORBIDDEN,
                json!({"success": false, "message": "You are not authorized to access this resource."}),
            )
        }
        ("GET", "/v1/call/records") => call_records(&shared, &decoded),
        ("GET", "/v1/users") => users(&shared, param("last_seen_id"), param("limit")),
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
    let dest_digits = destination.strip_prefix('+').unwrap_or(&destination);
    if !(10..=15).contains(&dest_digits.len()) || !dest_digits.bytes().all(|b| b.is_ascii_digit()) {
        return reply(
            StatusCode::UNPROCESSABLE_ENTITY,
            json!({"destination_number": "The destination number must be between 10 and 15 digits."}),
        );
    }
    // By EID, or by the agent's mobile with or without `+`.
    let agent = lock(&shared.agents)
        .iter()
        .find(|a| {
            a.eid == agent_number
                || a.follow_me_number.trim_start_matches('+')
                    == agent_number.trim_start_matches('+')
        })
        .cloned();
    let Some(agent) = agent else {
        // Seen with HTTP status unknown; the platform signals many refusals inside a 200.
        return reply(
            StatusCode::OK,
            json!({"success": false, "message": "This agent_number doesn't belong to your associated agent."}),
        );
    };
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
    // A blocked agent receives no calls (servetel-api.md §5.4); the wording is ours.
    if agent.status == 1 {
        return reply(
            StatusCode::OK,
            json!({"success": false, "message": "Agent is blocked"}),
        );
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
    let epoch = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or_default();
    let seq = shared.call_seq.fetch_add(1, Ordering::Relaxed);
    let call_id = format!("{epoch}.{seq}");
    let asynchronous = text(body.get("async")).as_deref() == Some("1");
    if !asynchronous && text(body.get("get_call_id")).as_deref() == Some("1") {
        out["call_id"] = json!(call_id);
    }
    let did = text(body.get("caller_id"))
        .map(|c| digits(&c))
        .or_else(|| account.dids.first().map(|d| digits(&d.did)))
        .unwrap_or_default();
    let customer = dest_digits.to_string();
    lock(&shared.calls).push(SimCall {
        seq,
        call_id,
        ref_id: out["ref_id"].as_str().unwrap_or_default().to_string(),
        uuid: uuid::Uuid::new_v4().to_string(),
        custom_identifier: body
            .get("custom_identifier")
            .cloned()
            .unwrap_or(Value::Null),
        customer_answer: Answer::of_customer(&customer),
        customer,
        agent_answer: agent.answer,
        agent,
        did,
        queued_at: Instant::now(),
        queued_wall: SystemTime::now(),
        timings: *lock(&shared.timings),
        hung_up_at: None,
    });
    reply(StatusCode::OK, out)
}

fn users(shared: &Shared, last_seen_id: Option<&str>, limit: Option<&str>) -> Response {
    let account = &shared.account;
    let agents = lock(&shared.agents).clone();
    let after: u64 = last_seen_id.and_then(|s| s.parse().ok()).unwrap_or(0);
    let limit: usize = limit
        .and_then(|s| s.parse().ok())
        .filter(|&l| l > 0)
        .unwrap_or(account.page_size.max(1));
    let remaining: Vec<&SimAgent> = agents.iter().filter(|a| a.user_id > after).collect();
    let page: Vec<&SimAgent> = remaining.iter().take(limit).copied().collect();
    let data: Vec<Value> = page
        .iter()
        .map(|a| {
            json!({
                "id": a.user_id,
                "name": a.name,
                "agent": {"id": a.eid, "name": a.name,
                          "status": a.status,
                          "follow_me_number": a.follow_me_number},
                "login_id": login_id(a),
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

/// `clickdial sim --for-parent`: the demo's simulator for the app's window, in a process of its
/// own so that the window's program does not carry the simulator's server. Prints its base URL
/// on one line, then serves until its standard input closes, which happens when the window's
/// process ends for any reason, or until it is killed.
pub async fn run_for_parent() -> std::io::Result<()> {
    let sim = Sim::spawn(Account::demo()).await?;
    {
        use std::io::Write;
        let mut out = std::io::stdout().lock();
        writeln!(out, "{}", sim.url())?;
        out.flush()?;
    }
    let (closed, stdin_closed) = tokio::sync::oneshot::channel::<()>();
    std::thread::spawn(move || {
        // Nothing is ever written to it: this returns at end of file or on an error.
        let _ = std::io::copy(&mut std::io::stdin().lock(), &mut std::io::sink());
        let _ = closed.send(());
    });
    tokio::select! {
        _ = stdin_closed => {}
        r = tokio::signal::ctrl_c() => r?,
    }
    drop(sim);
    Ok(())
}

/// Appends `extra` generated agents, numbered after those already there.
fn add_team(shared: &Shared, extra: usize) {
    let mut agents = lock(&shared.agents);
    let extra = extra.min(5_000usize.saturating_sub(agents.len()));
    let first = agents.len();
    for i in first..first + extra {
        agents.push(SimAgent {
            user_id: 500_000 + i as u64,
            eid: format!("0507{i:09}"),
            name: format!("Team member {i:03}"),
            follow_me_number: format!("+9197{i:08}"),
            status: 0,
            answer: Answer::Answers,
        });
    }
}

/// An agent's portal login in `/v1/users`: [`DEMO_EMAIL`] for the demo's first agent, else
/// `firstname@demo.clickdial.invalid`.
fn login_id(a: &SimAgent) -> String {
    if a.user_id == 314_671 {
        return DEMO_EMAIL.to_string();
    }
    let first = a.name.split(' ').next().unwrap_or("agent").to_lowercase();
    format!("{first}@demo.clickdial.invalid")
}

#[cfg(test)]
mod lifecycle_tests {
    use super::*;

    fn call(agent: Answer, customer: &str) -> SimCall {
        SimCall {
            seq: 1,
            call_id: "1.1".into(),
            ref_id: "r".into(),
            uuid: "u".into(),
            custom_identifier: Value::Null,
            agent: Account::demo().agents[0].clone(),
            customer: customer.into(),
            did: "918065000101".into(),
            queued_at: Instant::now(),
            queued_wall: SystemTime::now(),
            timings: CallTimings {
                agent_ring: Duration::from_secs(3),
                customer_ring: Duration::from_secs(4),
                talk: Duration::from_secs(10),
                cdr_delay: Duration::from_secs(1),
            },
            agent_answer: agent,
            customer_answer: Answer::of_customer(customer),
            hung_up_at: None,
        }
    }

    fn at(c: &SimCall, ms: u64) -> Stage {
        c.stage_at(c.queued_at + Duration::from_millis(ms))
    }

    #[test]
    fn stages_change_exactly_at_their_boundaries() {
        let c = call(Answer::Answers, "919876543210");
        assert_eq!(at(&c, 0), Stage::AgentRinging);
        assert_eq!(at(&c, 2999), Stage::AgentRinging);
        assert_eq!(at(&c, 3000), Stage::CustomerRinging);
        assert_eq!(at(&c, 6999), Stage::CustomerRinging);
        assert_eq!(at(&c, 7000), Stage::Connected);
        assert_eq!(at(&c, 16_999), Stage::Connected);
        let Stage::Ended(end) = at(&c, 17_000) else {
            panic!()
        };
        assert!(end.answered);
        assert_eq!(
            (end.after, end.talk, end.code),
            (Duration::from_secs(17), Duration::from_secs(10), 16)
        );
    }

    #[test]
    fn refusals_end_early_with_their_causes() {
        let ended = |c: &SimCall, ms| match at(c, ms) {
            Stage::Ended(e) => Some((e.code, e.description)),
            _ => None,
        };
        let c = call(Answer::NoAnswer, "919876543210");
        assert_eq!(ended(&c, 2999), None);
        assert_eq!(ended(&c, 3000), Some((19, "Call missed by agent")));
        let c = call(Answer::Busy, "919876543210");
        assert_eq!(ended(&c, 999), None);
        assert_eq!(ended(&c, 1000), Some((17, "Agent busy")));
        let c = call(Answer::Offline, "919876543210");
        assert_eq!(at(&c, 499), Stage::AgentRinging);
        assert_eq!(ended(&c, 500), Some((20, "Agent unreachable")));
        let c = call(Answer::Answers, "919876543486");
        assert_eq!(at(&c, 3500), Stage::CustomerRinging);
        assert_eq!(ended(&c, 3999), None);
        assert_eq!(ended(&c, 4000), Some((17, "Customer busy")));
        let c = call(Answer::Answers, "919876543408");
        assert_eq!(ended(&c, 6999), None);
        assert_eq!(ended(&c, 7000), Some((19, "Call missed by customer")));
        let c = call(Answer::Answers, "919876543404");
        assert_eq!(at(&c, 3499), Stage::CustomerRinging);
        assert_eq!(ended(&c, 3500), Some((20, "Customer unreachable")));
    }

    #[test]
    fn every_end_has_its_status_reason_and_durations() {
        let end = |agent, customer: &str| match at(&call(agent, customer), 60_000) {
            Stage::Ended(e) => e,
            s => panic!("{s:?}"),
        };
        let e = end(Answer::NoAnswer, "919876543210");
        assert_eq!(
            (e.answered, e.cause, e.reason),
            (false, "NO_ANSWER", "noanswer")
        );
        assert_eq!((e.after, e.agent_rang), (Duration::from_secs(3), None));
        let e = end(Answer::Busy, "919876543210");
        assert_eq!((e.answered, e.code, e.cause), (false, 17, "USER_BUSY"));
        let e = end(Answer::Offline, "919876543210");
        assert_eq!(
            (e.after, e.cause),
            (Duration::from_millis(500), "SUBSCRIBER_ABSENT")
        );
        let e = end(Answer::Answers, "919876543408");
        assert_eq!(
            (e.reason, e.agent_rang),
            ("noanswer", Some(Duration::from_secs(3)))
        );
        assert_eq!(e.talk, Duration::ZERO);
        let e = end(Answer::Answers, "919876543210");
        assert_eq!(
            (e.answered, e.reason, e.talk),
            (true, "Call Disconnected By Callee", Duration::from_secs(10))
        );
        // A row for that end: the platform's string quirks.
        let c = call(Answer::Answers, "919876543210");
        let row = c.record_row(e);
        assert_eq!(row["answered_seconds"], "10");
        assert_eq!(row["call_duration"], 17);
        assert_eq!(row["hangup_cause_code"], "16");
        assert_eq!(row["agent_ring_time"], "3");
        assert_eq!(row["id"].as_str().unwrap().len(), 24);
    }

    #[test]
    fn a_hang_up_after_the_natural_end_changes_nothing() {
        let mut c = call(Answer::Answers, "919876543408");
        c.hung_up_at = Some(c.queued_at + Duration::from_secs(8));
        let Stage::Ended(end) = at(&c, 8000) else {
            panic!()
        };
        assert_eq!(
            (end.after, end.reason),
            (Duration::from_secs(7), "noanswer")
        );
        // At the very moment the customer answers, a hang-up is on a connected call.
        let mut c = call(Answer::Answers, "919876543210");
        c.hung_up_at = Some(c.queued_at + Duration::from_secs(7));
        let Stage::Ended(end) = at(&c, 7000) else {
            panic!()
        };
        assert!(end.answered);
        assert_eq!(end.talk, Duration::ZERO);
    }

    #[test]
    fn a_hang_up_ends_the_call_where_it_stands() {
        let mut c = call(Answer::Answers, "919876543210");
        c.hung_up_at = Some(c.queued_at + Duration::from_millis(9500));
        assert_eq!(at(&c, 9499), Stage::Connected);
        let Stage::Ended(end) = at(&c, 9500) else {
            panic!()
        };
        assert!(end.answered);
        assert_eq!(end.talk, Duration::from_millis(2500));
        assert_eq!(end.reason, "Call Disconnected By Caller");
        let mut c = call(Answer::Answers, "919876543210");
        c.hung_up_at = Some(c.queued_at + Duration::from_millis(1000));
        let Stage::Ended(end) = at(&c, 1000) else {
            panic!()
        };
        assert!(!end.answered);
        assert_eq!(end.description, "Call cancelled by agent");
        assert_eq!(end.agent_rang, None);
    }

    #[test]
    fn query_values_are_decoded() {
        assert_eq!(decode("2026-11-28+10%3A00%3A00"), "2026-11-28 10:00:00");
        assert_eq!(decode("%2B91%20"), "+91 ");
        assert_eq!(decode("100%"), "100%");
        assert_eq!(decode("%zz%e2%82%ac"), "%zz€");
    }
}
