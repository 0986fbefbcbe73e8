//! The account the simulator serves: its tokens and sign-ins, agents and DIDs, and the demo
//! account.

use std::time::Duration;

use crate::lifecycle::{Answer, CallTimings};

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
    /// How this agent answers the calls queued for them (see
    /// [`Sim::set_agent_answer`](crate::Sim::set_agent_answer)).
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
    /// `/agent/{eid}/block|unblock` are refused (403), as on accounts that do not allow them.
    pub breaks_refused: bool,
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
            breaks_refused: false,
        }
    }
}

/// An agent's softphone extension, as `/v1/user/{id}` gives it: 13 digits from `06`, like the
/// real ones (`0600000000054`).
pub(crate) fn extension(a: &SimAgent) -> String {
    let digits: String = a.eid.chars().filter(char::is_ascii_digit).collect();
    format!("06{:0>11}", &digits[digits.len().saturating_sub(11)..])
}

/// The `i`-th generated agent ("Team member 001" ...), as a large account has.
pub(crate) fn team_member(i: usize) -> SimAgent {
    SimAgent {
        user_id: 500_000 + i as u64,
        eid: format!("0507{i:09}"),
        name: format!("Team member {i:03}"),
        follow_me_number: format!("+9197{i:08}"),
        status: 0,
        answer: Answer::Answers,
    }
}

/// An agent's portal login in `/v1/users`: [`DEMO_EMAIL`] for the demo's first agent, else
/// `firstname@demo.clickdial.invalid`.
pub(crate) fn login_id(a: &SimAgent) -> String {
    if a.user_id == 314_671 {
        return DEMO_EMAIL.to_string();
    }
    let first = a.name.split(' ').next().unwrap_or("agent").to_lowercase();
    format!("{first}@demo.clickdial.invalid")
}
