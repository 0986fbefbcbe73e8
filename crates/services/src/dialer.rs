//! The dial service: the one function every entry point calls (the window, the CLI, and later
//! `tel:` links, the tray and the hotkey). Text, agent, caller ID and source in; parse,
//! validate, guard (the ledger, across processes), send once, record, remember the picks;
//! outcome out. One rule set for every front end.

use std::sync::Arc;

use clickdial_core::api::DialRequest;
use clickdial_core::settings::Settings;
use clickdial_core::types::{AgentId, BaseUrl, CallTimeout, CallerIdValue};
use clickdial_core::{Client, Number, Region};
use serde::Serialize;

use crate::accounts::AccountKey;
use crate::blocking;
use crate::error::{dial_error, Error};
use crate::ledger::{Finish, Ledger, NewCall, Source};
use crate::settings_file::SettingsFile;

/// The longest a dial may take, sign-in and renewal included. Well under the ledger's
/// `STALE_PENDING`, so no other process ever takes a live dial for an interrupted one.
pub const DIAL_DEADLINE: std::time::Duration = std::time::Duration::from_secs(45);

/// Wall-clock milliseconds since the Unix epoch; passed in so tests are exact.
pub type WallClock = Arc<dyn Fn() -> i64 + Send + Sync>;

pub fn system_wall_clock() -> WallClock {
    Arc::new(crate::ledger::wall_clock_ms)
}

/// An account ready to dial: a client and who it belongs to.
pub struct Session {
    pub key: AccountKey,
    pub client: Client,
    /// True for the account saved in settings; the demo and environment overrides never
    /// remember picks.
    pub saved: bool,
}

impl Session {
    /// The ledger's account for this session's calls: its server's origin (the guard's "same
    /// account"), marked "demo <origin>" for the demo, so its calls stay apart from a real
    /// account's in history and CSV.
    pub fn ledger_account(&self) -> String {
        let origin = server_of(&self.client);
        if self.key.is_demo() {
            format!("{}{origin}", crate::ledger::DEMO_PREFIX)
        } else {
            origin
        }
    }
}

impl AsRef<Client> for Session {
    fn as_ref(&self) -> &Client {
        &self.client
    }
}

/// What an entry point asks for, as it received it.
#[derive(Debug, Clone)]
pub struct DialInput {
    /// The number as typed, pasted or linked.
    pub text: String,
    pub agent: String,
    pub caller_id: Option<String>,
    pub source: Source,
    /// Overrides the settings' longest call (CLI `--call-timeout`), in seconds.
    pub call_timeout: Option<u32>,
    /// Overrides the settings' region (CLI `--region`).
    pub region: Option<String>,
}

impl DialInput {
    pub fn new(text: impl Into<String>, agent: impl Into<String>, source: Source) -> Self {
        DialInput {
            text: text.into(),
            agent: agent.into(),
            caller_id: None,
            source,
            call_timeout: None,
            region: None,
        }
    }
}

#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct DialOutcome {
    pub e164: String,
    pub international: String,
    pub ext: Option<String>,
    pub agent: String,
    pub caller_id: Option<String>,
    pub ref_id: Option<String>,
    pub call_id: Option<String>,
    pub custom_identifier: String,
    /// The server's words, cleaned.
    pub message: String,
    /// The call's row in the ledger.
    pub call: i64,
}

pub struct Dialer {
    ledger: Arc<Ledger>,
    settings: SettingsFile,
    now_ms: WallClock,
}

/// Validated input.
struct Checked {
    number: Number,
    agent: AgentId,
    caller_id: Option<CallerIdValue>,
    call_timeout: Option<CallTimeout>,
    /// The settings as read for this dial (one read per dial).
    settings: Settings,
}

impl Dialer {
    pub fn new(ledger: Arc<Ledger>, settings: SettingsFile, now_ms: WallClock) -> Self {
        Dialer {
            ledger,
            settings,
            now_ms,
        }
    }

    pub fn ledger(&self) -> &Arc<Ledger> {
        &self.ledger
    }

    fn check(&self, input: &DialInput) -> Result<Checked, Error> {
        let settings = self.settings.read().settings();
        let region = match &input.region {
            Some(code) => Region::parse(code).map_err(Error::invalid)?,
            None => settings.region(),
        };
        let number = Number::parse(&input.text, region)?;
        let agent = AgentId::parse(&input.agent).map_err(Error::invalid)?;
        let caller_id = input
            .caller_id
            .as_deref()
            .map(str::trim)
            .filter(|c| !c.is_empty())
            .map(CallerIdValue::parse)
            .transpose()
            .map_err(Error::invalid)?;
        let call_timeout = input
            .call_timeout
            .or(settings.call_timeout)
            .map(CallTimeout::from_secs)
            .transpose()
            .map_err(Error::invalid)?;
        Ok(Checked {
            number,
            agent,
            caller_id,
            call_timeout,
            settings,
        })
    }

    /// Places one call. Never retries after the request may have reached the server; the
    /// ledger's guard refuses a repeat from any process while one is in flight, or within the
    /// bounce window after one that may have reached the server.
    pub async fn dial(&self, session: &Session, input: DialInput) -> Result<DialOutcome, Error> {
        let c = self.check(&input)?;
        let custom_identifier = format!("clickdial-{}", uuid::Uuid::new_v4());
        let ledger = self.ledger.clone();
        let new_call = OwnedCall {
            // The guard's "same account" is the server: the window, the CLI (even with an
            // environment token) and links dialling one server share one guard. The demo's
            // calls are marked as such.
            account: session.ledger_account(),
            e164: c.number.e164().to_string(),
            ext: c.number.ext().map(str::to_string),
            agent: c.agent.to_string(),
            caller_id: c.caller_id.as_ref().map(|v| v.to_string()),
            source: input.source,
            custom_identifier: custom_identifier.clone(),
        };
        let now = (self.now_ms)();
        let now_ms = self.now_ms.clone();
        // The row's guard is made where the row is: if this dial is cancelled while the ledger
        // works, the guard still closes the row (as "not placed": nothing was sent yet).
        let mut pending = blocking(move || {
            let id = ledger.begin(&new_call.borrow(), now).map_err(Error::from)?;
            Ok(Pending {
                ledger,
                id,
                now_ms,
                sent: false,
                done: false,
            })
        })
        .await?;
        let id = pending.id;
        let request = DialRequest {
            agent_number: c.agent.as_str(),
            destination: &c.number,
            caller_id: c.caller_id.as_ref().map(CallerIdValue::as_str),
            call_timeout: c.call_timeout.map(CallTimeout::secs),
            custom_identifier: &custom_identifier,
        };
        pending.sent = true;
        let result = tokio::time::timeout(DIAL_DEADLINE, session.client.click_to_call(&request))
            .await
            .unwrap_or(Err(clickdial_core::ApiError::Timeout));
        let now = (self.now_ms)();
        match result {
            Ok(q) => {
                pending.finish(
                    Finish::Queued {
                        ref_id: q.ref_id.as_deref(),
                        call_id: q.call_id.as_deref(),
                        message: &q.message,
                    },
                    now,
                );
                if session.saved {
                    self.remember(&c.settings, &session.key, &c.agent, c.caller_id.as_ref());
                }
                Ok(DialOutcome {
                    e164: c.number.e164().to_string(),
                    international: c.number.international().to_string(),
                    ext: c.number.ext().map(str::to_string),
                    agent: c.agent.to_string(),
                    caller_id: c.caller_id.map(String::from),
                    ref_id: q.ref_id,
                    call_id: q.call_id,
                    custom_identifier,
                    message: q.message,
                    call: id,
                })
            }
            Err(e) => {
                let reason = e.to_string();
                let finish = if e.outcome_unknown() {
                    Finish::Unknown { reason: &reason }
                } else {
                    Finish::NotPlaced { reason: &reason }
                };
                pending.finish(finish, now);
                Err(dial_error(e))
            }
        }
    }

    /// Remembers the agent and the caller ID used with them, when they changed since `settings`
    /// (as read for this dial), and only if the settings file still names the account that
    /// dialled (checked again under the lock). Failing to remember must not turn a queued call
    /// into an error.
    fn remember(
        &self,
        settings: &Settings,
        key: &AccountKey,
        agent: &AgentId,
        caller_id: Option<&CallerIdValue>,
    ) {
        let caller = caller_id.map(CallerIdValue::as_str);
        let changed = settings.last_agent.as_deref() != Some(agent.as_str())
            || settings.last_caller_for(agent.as_str()) != caller;
        if !changed || AccountKey::of(settings).as_ref() != Some(key) {
            return;
        }
        let _ = self.settings.update(|s| {
            if AccountKey::of(s).as_ref() != Some(key) {
                return;
            }
            s.last_agent = Some(agent.to_string());
            match caller {
                Some(c) => s
                    .last_caller_by_agent
                    .insert(agent.to_string(), c.to_string()),
                None => s.last_caller_by_agent.remove(agent.as_str()),
            };
        });
    }
}

/// The ledger's account key for a client: its server's origin.
pub fn server_of(client: &Client) -> String {
    BaseUrl::parse(client.base_url())
        .map(|b| b.origin())
        .unwrap_or_else(|_| client.base_url().to_string())
}

struct OwnedCall {
    account: String,
    e164: String,
    ext: Option<String>,
    agent: String,
    caller_id: Option<String>,
    source: Source,
    custom_identifier: String,
}

impl OwnedCall {
    fn borrow(&self) -> NewCall<'_> {
        NewCall {
            account: &self.account,
            e164: &self.e164,
            ext: self.ext.as_deref(),
            agent: &self.agent,
            caller_id: self.caller_id.as_deref(),
            source: self.source,
            custom_identifier: &self.custom_identifier,
        }
    }
}

/// A pending ledger row. If the dial is dropped half-way (a panic, a cancelled future), the
/// row is closed as "may have been placed" once the request may have left, or as "not placed"
/// before, so the guard and the history stay truthful.
struct Pending {
    ledger: Arc<Ledger>,
    id: i64,
    now_ms: WallClock,
    /// The request may have left.
    sent: bool,
    done: bool,
}

impl Pending {
    fn finish(&mut self, finish: Finish<'_>, now: i64) {
        self.done = true;
        // The call's fate is decided; a failed history write must not change what we report.
        let _ = self.ledger.finish(self.id, finish, now);
    }
}

impl Drop for Pending {
    fn drop(&mut self) {
        if !self.done {
            let finish = if self.sent {
                Finish::Unknown {
                    reason: "Clickdial stopped before the server answered.",
                }
            } else {
                Finish::NotPlaced {
                    reason: "Stopped before the request was sent.",
                }
            };
            let _ = self.ledger.finish(self.id, finish, (self.now_ms)());
        }
    }
}
