//! Following queued calls: reads `/v1/live_calls` while a call is active (never when idle),
//! feeds [`Tracker`]s, looks the end up in `/v1/call/records`, writes what it learns to the
//! ledger, hangs up, and tells a front end what changed. One follower per process; the window
//! and the CLI share it.

use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use clickdial_core::api::{Agent, ApiError, Outcome};
use clickdial_core::follow::{CallView, Next, Owner, Stage, Tracker};
use clickdial_core::Client;
use serde::Serialize;
use tokio::sync::Notify;

use crate::blocking;
use crate::dialer::WallClock;
use crate::error::{Code, Error};
use crate::ledger::{Ledger, Progress};

/// Whatever holds the account's client (the window's session, the CLI's).
pub type ClientRef = Arc<dyn AsRef<Client> + Send + Sync>;

/// Finished calls kept on show after their end, newest first.
const KEEP_FINISHED: usize = 5;

/// Said once per follower when the account may not read call records.
pub const RECORDS_FORBIDDEN: &str = "This account may not read call records, so Clickdial \
    shows how a call ended only from what it saw live. An administrator can allow \
    \"call records\" for the API token.";

/// A followed call, as the window, the tray and the CLI show it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct FollowedCall {
    /// The call's ledger row.
    pub id: i64,
    /// `+91 98765 43210`.
    pub international: String,
    pub agent: String,
    #[serde(flatten)]
    pub view: CallView,
    /// "Ringing your phone", "Answered · 0:42"…
    pub summary: String,
    /// Followed after a dial whose outcome was unknown, to learn whether it was placed.
    pub unknown: bool,
}

struct Entry {
    id: i64,
    international: String,
    agent: String,
    e164_digits: String,
    /// Followed after a dial whose outcome was unknown.
    unknown: bool,
    /// A hang-up request for it is on its way: a second one is refused, not sent.
    hanging_up: bool,
    client: ClientRef,
    tracker: Tracker,
    /// When to ask the server next (Unix ms).
    due_ms: i64,
}

#[derive(Default)]
struct State {
    /// Newest first.
    calls: Vec<Entry>,
    records_forbidden: bool,
    /// A notice for the front end, taken once.
    notice: Option<String>,
}

type OnChange = Arc<dyn Fn(Vec<FollowedCall>) + Send + Sync>;

pub struct Follower {
    state: Mutex<State>,
    wake: Notify,
    ledger: Arc<Ledger>,
    now_ms: WallClock,
    /// Divides every wait; tests run the same schedule faster.
    speed: u32,
}

impl Follower {
    pub fn new(ledger: Arc<Ledger>, now_ms: WallClock) -> Arc<Follower> {
        Follower::with_speed(ledger, now_ms, 1)
    }

    /// Like [`Follower::new`], with every wait divided by `speed` (tests).
    pub fn with_speed(ledger: Arc<Ledger>, now_ms: WallClock, speed: u32) -> Arc<Follower> {
        Arc::new(Follower {
            state: Mutex::new(State::default()),
            wake: Notify::new(),
            ledger,
            now_ms,
            speed: speed.max(1),
        })
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    fn scaled(&self, d: Duration) -> i64 {
        i64::try_from((d / self.speed).as_millis()).unwrap_or(i64::MAX)
    }

    /// Starts following the call in ledger row `id`, queued now to `e164` by `agent`, tied to
    /// our dial by `owner`. `call_id` is the dial reply's, when it carried one (most do not,
    /// with `async=1`).
    pub fn follow(
        &self,
        id: i64,
        e164: &str,
        agent: &str,
        owner: Owner,
        call_id: Option<&str>,
        client: ClientRef,
    ) {
        let now = (self.now_ms)();
        self.follow_row(id, e164, agent, owner, call_id, client, now, false);
    }

    #[allow(clippy::too_many_arguments)]
    fn follow_row(
        &self,
        id: i64,
        e164: &str,
        agent: &str,
        owner: Owner,
        call_id: Option<&str>,
        client: ClientRef,
        queued_at_ms: i64,
        unknown: bool,
    ) {
        let now = (self.now_ms)();
        let international = crate::ledger::display_number(e164);
        let mut state = self.lock();
        state.calls.retain(|c| c.id != id);
        state.calls.insert(
            0,
            Entry {
                id,
                international,
                agent: agent.to_string(),
                e164_digits: e164.chars().filter(char::is_ascii_digit).collect(),
                unknown,
                hanging_up: false,
                client,
                tracker: {
                    let t = Tracker::new(e164, queued_at_ms, owner);
                    match call_id {
                        Some(c) => t.with_call_id(c),
                        None => t,
                    }
                },
                // The first read one poll after queueing: the agent's own phone tells them it
                // rings, and the server is asked at most once per poll while the call lives.
                due_ms: now + self.scaled(clickdial_core::follow::POLL_EVERY),
            },
        );
        let mut finished = 0;
        state.calls.retain(|c| {
            if c.tracker.next() == Next::Done {
                finished += 1;
                finished <= KEEP_FINISHED
            } else {
                true
            }
        });
        drop(state);
        self.wake.notify_one();
    }

    /// Call `id` is ours by more than its dial said (the agent's mobile, extension): `widen`
    /// adds it to what ties rows to it.
    pub fn widen_owner(&self, id: i64, widen: impl FnOnce(Owner) -> Owner) {
        let mut state = self.lock();
        if let Some(entry) = state.calls.iter_mut().find(|c| c.id == id) {
            let owner = std::mem::take(entry.tracker.owner_mut());
            *entry.tracker.owner_mut() = widen(owner);
        }
    }

    /// Forgets the calls placed through `client` (the demo's session when the demo is left: its
    /// simulator stops, and its last outcome must not stay on show for the next account).
    pub fn forget<T: ?Sized>(&self, client: &Arc<T>) {
        let gone = Arc::as_ptr(client).cast::<()>();
        self.lock()
            .calls
            .retain(|c| Arc::as_ptr(&c.client).cast::<()>() != gone);
    }

    /// Every followed call, newest first.
    pub fn calls(&self) -> Vec<FollowedCall> {
        let now = (self.now_ms)();
        self.lock().calls.iter().map(|c| c.show(now)).collect()
    }

    /// Whether any call is still being followed (live, or waiting for its outcome).
    pub fn following(&self) -> bool {
        self.lock()
            .calls
            .iter()
            .any(|c| c.tracker.next() != Next::Done)
    }

    /// Whether any call is still live (so the tray offers Hang up).
    pub fn active(&self) -> Option<FollowedCall> {
        let now = (self.now_ms)();
        self.lock()
            .calls
            .iter()
            .find(|c| c.tracker.is_live())
            .map(|c| c.show(now))
    }

    /// The live call to `e164` this follower knows of, if any.
    pub fn live_to(&self, e164: &str) -> Option<FollowedCall> {
        let now = (self.now_ms)();
        let digits: String = e164.chars().filter(char::is_ascii_digit).collect();
        self.lock()
            .calls
            .iter()
            .find(|c| c.tracker.is_live() && c.e164_digits == digits)
            .map(|c| c.show(now))
    }

    /// Like [`Follower::live_to`], but only a call seen live, or one whose dial's answer was
    /// lost: a queued call never listed does not hold the number up.
    fn holding(&self, e164: &str) -> Option<FollowedCall> {
        self.live_to(e164)
            .filter(|c| c.unknown || c.view.call_id.is_some() && c.view.stage != Stage::Queued)
    }

    /// The call this follower knows `agent` to be on, seen live (or whose dial's answer was
    /// lost), to another number than `e164`, if any.
    pub fn agent_on_call(&self, agent: &str, e164: &str) -> Option<FollowedCall> {
        let now = (self.now_ms)();
        let digits: String = e164.chars().filter(char::is_ascii_digit).collect();
        self.lock()
            .calls
            .iter()
            .filter(|c| c.tracker.is_live() && c.agent == agent && c.e164_digits != digits)
            .map(|c| c.show(now))
            .find(|c| c.unknown || c.view.call_id.is_some() && c.view.stage != Stage::Queued)
    }

    /// Refuses a new dial to `e164` while a call to it that started at least `older_than` ago
    /// is live (or, after a dial whose outcome was unknown, while Clickdial still checks
    /// whether it was placed), saying what it found. Younger calls are left to the ledger's
    /// guard, whose "Already dialled" every process gives alike.
    pub fn refuse_if_live(&self, e164: &str, older_than: Duration) -> Result<(), Error> {
        let Some(call) = self
            .holding(e164)
            .filter(|c| c.view.elapsed_s >= older_than.as_secs())
        else {
            return Ok(());
        };
        let message = if call.view.stage == Stage::Queued && call.unknown {
            format!(
                "Clickdial is checking whether the last call to {} was placed (its answer \
                 was lost); it is not listed yet. Check your phone; you can dial again once \
                 it is clear, in under a minute.",
                call.international
            )
        } else if call.unknown {
            format!(
                "The last call to {} was placed after all: {}. Hang up first, or wait for it \
                 to end.",
                call.international, call.summary
            )
        } else {
            format!(
                "A call to {} is in progress ({}). Hang up first, or wait for it to end.",
                call.international, call.summary
            )
        };
        Err(Error::new(Code::Busy, message))
    }

    /// After a dial whose outcome is unknown (a timeout, a reset): follows the ledger's row for
    /// it, so live calls tell whether it was placed after all. Returns the row followed.
    pub async fn follow_unknown(
        &self,
        e164: &str,
        agent: &str,
        agents: &[Agent],
        client: ClientRef,
    ) -> Option<i64> {
        let now = (self.now_ms)();
        let ledger = self.ledger.clone();
        let digits: String = e164.chars().filter(char::is_ascii_digit).collect();
        let rows = blocking(move || {
            ledger
                .history(
                    &crate::ledger::HistoryQuery {
                        digits: Some(digits),
                        since_ms: Some(now - 120_000),
                        limit: 5,
                        ..Default::default()
                    },
                    now,
                )
                .map_err(Error::from)
        })
        .await
        .ok()?;
        let row = rows.into_iter().find(|r| {
            r.e164 == e164 && r.agent == agent && r.state == crate::ledger::CallState::Unknown
        })?;
        let owner = owner_of(&row, agents);
        self.follow_row(
            row.id,
            e164,
            agent,
            owner,
            None,
            client,
            row.created_at_ms,
            true,
        );
        Some(row.id)
    }

    /// A one-time notice (call records not readable), if there is one.
    pub fn take_notice(&self) -> Option<String> {
        self.lock().notice.take()
    }

    /// Ends a live call: the one in row `id`, or the newest live one. Sent once, never retried.
    pub async fn hang_up(&self, id: Option<i64>) -> Result<String, Error> {
        let (row, call_id, client) = {
            let mut state = self.lock();
            let entry = state
                .calls
                .iter_mut()
                .find(|c| id.map_or(c.tracker.is_live(), |id| c.id == id))
                .ok_or_else(|| Error::new(Code::InvalidInput, "There is no call to hang up."))?;
            let call_id = hang_up_target(entry.tracker.is_live(), entry.tracker.call_id())
                .map_err(NotYet::error)?
                .to_string();
            if entry.hanging_up {
                return Err(Error::new(Code::Busy, "The call is already being ended."));
            }
            entry.hanging_up = true;
            (entry.id, call_id, entry.client.clone())
        };
        let result = hang_up_with((*client).as_ref(), &call_id).await;
        if let Some(entry) = self.lock().calls.iter_mut().find(|c| c.id == row) {
            entry.hanging_up = false;
        }
        let message = result?;
        let now = (self.now_ms)();
        let progress = {
            let mut state = self.lock();
            state.calls.iter_mut().find(|c| c.id == row).map(|c| {
                c.tracker.hung_up(now);
                c.due_ms = now + self.scaled(Duration::from_secs(2));
                progress_of(&c.tracker, now)
            })
        };
        if let Some(p) = progress {
            self.store(row, p).await;
        }
        self.wake.notify_one();
        Ok(message)
    }

    async fn store(&self, id: i64, p: OwnedProgress) {
        let ledger = self.ledger.clone();
        // History is a record, not the call itself: a failed write is not worth stopping for.
        let _ = blocking(move || p.write(&ledger, id).map_err(Error::from)).await;
    }

    /// Follows calls until the process ends: reads the server only while some call is due,
    /// sleeps on a wake-up otherwise. `on_change` gets every call after anything changed.
    pub async fn run(self: Arc<Self>, on_change: OnChange) {
        loop {
            let now = (self.now_ms)();
            let due = self
                .lock()
                .calls
                .iter()
                .filter(|c| c.tracker.next() != Next::Done)
                .map(|c| c.due_ms)
                .min();
            match due {
                None => self.wake.notified().await,
                Some(at) if at > now => {
                    let wait = Duration::from_millis(u64::try_from(at - now).unwrap_or(0));
                    tokio::select! {
                        _ = tokio::time::sleep(wait) => {}
                        _ = self.wake.notified() => {}
                    }
                }
                Some(_) => {
                    if self.tick().await {
                        on_change(self.calls());
                    }
                }
            }
        }
    }

    /// Asks the server about every due call once; true when something changed.
    pub async fn tick(&self) -> bool {
        let now = (self.now_ms)();
        let due: Vec<(i64, Next, ClientRef)> = self
            .lock()
            .calls
            .iter()
            .filter(|c| c.due_ms <= now)
            .map(|c| (c.id, c.tracker.next(), c.client.clone()))
            .filter(|(_, next, _)| *next != Next::Done)
            .collect();
        let mut changed = false;
        for (id, next, client) in due {
            let client: &Client = (*client).as_ref();
            let changed_here = match next {
                Next::Live(_) => {
                    let reply = client.live_calls(None).await;
                    let now = (self.now_ms)();
                    let mut state = self.lock();
                    let taken: Vec<String> = state
                        .calls
                        .iter()
                        .filter(|c| c.id != id)
                        .filter_map(|c| c.tracker.call_id().map(str::to_string))
                        .collect();
                    let Some(entry) = state.calls.iter_mut().find(|c| c.id == id) else {
                        continue;
                    };
                    let changed = match reply {
                        Ok(rows) => entry
                            .tracker
                            .observe_live(now, &rows, &|cid| taken.iter().any(|t| t == cid)),
                        Err(e) => {
                            let fatal = matches!(
                                e,
                                ApiError::Forbidden { .. } | ApiError::Unauthorized { .. }
                            );
                            // Worth showing once the server counts as lost, and when it
                            // gave up.
                            entry.tracker.live_failed(now, fatal)
                        }
                    };
                    entry.due_ms = now + self.scaled(wait_of(entry.tracker.next()));
                    changed.then(|| progress_of(&entry.tracker, now))
                }
                Next::Records(_) => {
                    let tracker = {
                        let state = self.lock();
                        let Some(e) = state.calls.iter().find(|c| c.id == id) else {
                            continue;
                        };
                        e.tracker.clone()
                    };
                    let reply = read_records(client, &tracker).await;
                    let now = (self.now_ms)();
                    let mut state = self.lock();
                    let forbidden = matches!(reply, Err(ApiError::Forbidden { .. }));
                    if forbidden && !state.records_forbidden {
                        state.records_forbidden = true;
                        state.notice = Some(RECORDS_FORBIDDEN.to_string());
                    }
                    let Some(entry) = state.calls.iter_mut().find(|c| c.id == id) else {
                        continue;
                    };
                    let changed = match reply {
                        Ok(records) => entry.tracker.observe_records(&records),
                        Err(_) => entry.tracker.records_failed(now, forbidden),
                    };
                    entry.due_ms = now + self.scaled(wait_of(entry.tracker.next()));
                    // The first record read settles the inferred outcome too.
                    (changed || entry.tracker.next() == Next::Done)
                        .then(|| progress_of(&entry.tracker, now))
                }
                Next::Done => None,
            };
            if let Some(p) = changed_here {
                self.store(id, p).await;
                changed = true;
            }
        }
        changed
    }
}

impl Follower {
    /// Fills in how calls ended that nothing followed to the end (placed while the window was
    /// closed, by the CLI, or followed by a process that stopped): queued calls on this
    /// client's account from the last week, without an outcome and over a minute old. One
    /// call-records read each, newest first, at most `max`; a 403 stops it and is explained
    /// once. Returns how many were filled in.
    pub async fn backfill(&self, client: ClientRef, agents: &[Agent], max: usize) -> usize {
        if self.lock().records_forbidden {
            return 0;
        }
        let now = (self.now_ms)();
        let ledger = self.ledger.clone();
        let Ok(rows) = blocking(move || {
            ledger
                .without_outcome(now - 7 * 86_400_000, now)
                .map_err(Error::from)
        })
        .await
        else {
            return 0;
        };
        let account = crate::dialer::server_of((*client).as_ref());
        let followed: Vec<i64> = self.lock().calls.iter().map(|c| c.id).collect();
        let mut filled = 0;
        for row in rows
            .iter()
            .filter(|r| {
                crate::ledger::same_server(&r.account, &account) && !followed.contains(&r.id)
            })
            .filter(|r| now - r.created_at_ms > 60_000)
            .take(max)
        {
            let mut tracker = tracker_of(row, agents);
            // Over a minute old and not being followed: it has ended (a call still live is
            // found by the window's follower, not here).
            tracker.assume_ended(now);
            match read_records((*client).as_ref(), &tracker).await {
                Ok(records) => {
                    if tracker.observe_records(&records) {
                        let p = progress_of(&tracker, now);
                        // The end time is the record's business; ours would be "now". Nobody
                        // followed it, so it has no stages to tell.
                        let p = OwnedProgress {
                            ended_at_ms: None,
                            stage: None,
                            ..p
                        };
                        self.store(row.id, p).await;
                        filled += 1;
                    }
                }
                Err(ApiError::Forbidden { .. }) => {
                    let mut state = self.lock();
                    if !state.records_forbidden {
                        state.records_forbidden = true;
                        state.notice = Some(RECORDS_FORBIDDEN.to_string());
                    }
                    break;
                }
                Err(_) => break,
            }
        }
        filled
    }
}

/// Why a call cannot be hung up yet.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NotYet {
    /// It is over.
    Ended,
    /// It has no live call id yet: the platform has not listed it.
    SettingUp,
}

impl NotYet {
    /// The refusal in words for the agent.
    pub fn error(self) -> Error {
        Error::new(
            Code::InvalidInput,
            match self {
                NotYet::Ended => "That call has already ended.",
                NotYet::SettingUp => {
                    "The call is still being set up, so it cannot be ended yet. Try again in a \
                     moment, or decline it on your phone."
                }
            },
        )
    }
}

/// The live call id to hang up, or why not: one rule for the window, the tray and the CLI.
pub fn hang_up_target(live: bool, call_id: Option<&str>) -> Result<&str, NotYet> {
    if !live {
        return Err(NotYet::Ended);
    }
    call_id.ok_or(NotYet::SettingUp)
}

/// One hang-up request; the server's refusal in the agent's words.
pub async fn hang_up_with(client: &Client, call_id: &str) -> Result<String, Error> {
    client.hangup(call_id).await.map_err(|e| match e {
        ApiError::Rejected { message, .. } => Error::new(
            Code::Rejected,
            format!("The call could not be ended: {message}. It may have ended already."),
        ),
        other => Error::from(other),
    })
}

fn wait_of(next: Next) -> Duration {
    match next {
        Next::Live(d) | Next::Records(d) => d,
        Next::Done => Duration::ZERO,
    }
}

impl Entry {
    fn show(&self, now: i64) -> FollowedCall {
        let view = self.tracker.view(now);
        FollowedCall {
            id: self.id,
            international: self.international.clone(),
            agent: self.agent.clone(),
            summary: summary(&view),
            unknown: self.unknown,
            view,
        }
    }
}

struct OwnedProgress {
    call_id: Option<String>,
    outcome: Option<Outcome>,
    talk_s: Option<u64>,
    ended_at_ms: Option<i64>,
    detail: Option<String>,
    recording: bool,
    stage: Option<&'static str>,
    at_ms: i64,
}

impl OwnedProgress {
    /// Into row `id` of the ledger, in one write: what was learnt, and that the call was
    /// recorded, so no reader sees one without the other.
    fn write(&self, ledger: &Ledger, id: i64) -> Result<(), crate::ledger::LedgerError> {
        ledger.record_progress(id, &self.borrow())
    }

    fn borrow(&self) -> Progress<'_> {
        Progress {
            call_id: self.call_id.as_deref(),
            outcome: self.outcome,
            talk_s: self.talk_s,
            ended_at_ms: self.ended_at_ms,
            detail: self.detail.as_deref(),
            recording: self.recording,
            stage: self.stage,
            at_ms: self.at_ms,
        }
    }
}

fn progress_of(t: &Tracker, now: i64) -> OwnedProgress {
    let view = t.view(now);
    OwnedProgress {
        stage: Some(view.stage.as_str()),
        at_ms: now,
        call_id: t.call_id().map(str::to_string),
        outcome: t.outcome(),
        talk_s: t.talk_s(),
        ended_at_ms: t.ended_at_ms(),
        detail: view.detail,
        recording: view.recording,
    }
}

mod adopt;
mod lookup;
mod say;

use lookup::tracker_of;
pub use lookup::{look_up, owner_of, read_records, recording_of};
pub use say::{notification, summary};

#[cfg(test)]
mod tests;
