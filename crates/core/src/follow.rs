//! Following one queued call: a pure state machine fed with `/v1/live_calls` rows and call
//! records, with the time passed in. It says where the call stands, when to ask the server
//! next, and how it ended. No I/O here; the services crate polls and stores.
//!
//! Live calls and call records are account-wide on real accounts: a colleague's call to the
//! same customer is in the same reply (servetel-api.md §5.6). So a row is ours only when it is
//! tied to our dial ([`Owner`]): by the `call_id` our dial got back, by our `ref_id` /
//! `custom_identifier` where the row carries them, otherwise by our agent (in whichever field
//! the row shows them) **and** the customer's number **and** a start near ours. An ambiguous
//! match is never adopted. Once a row is tied its `call_id` is kept, so a second call to the
//! same number is never mixed up with this one. A call that was listed and is no longer listed
//! has ended; its outcome comes from `/v1/call/records`, matched the same way.
use std::time::Duration;

use serde::Serialize;

use crate::api::{last10, CallRecord, LiveCall, LiveState, Outcome};

/// How many call-record pages one look reads at most (100 rows each), newest or not.
pub const RECORD_PAGES: u32 = 3;
/// Rows asked for per call-record page.
pub const RECORD_PAGE_SIZE: u32 = 100;

/// How often live calls are read while a call is active.
pub const POLL_EVERY: Duration = Duration::from_millis(2500);
/// The longest wait between reads after errors (doubling from [`POLL_EVERY`]).
pub const MAX_BACKOFF: Duration = Duration::from_secs(30);
/// A call never listed within this time did not start (the agent leg rings about 30 s).
pub const NEVER_LISTED: Duration = Duration::from_secs(45);
/// Failed reads in a row after which the server counts as lost: the call may still be going
/// on, and the agent is told so.
pub const LOST_AFTER: u32 = 2;
/// How long reads may fail in a row before a call is no longer followed: longer than any call
/// lasts, so a server that comes back finds the call and its record without a restart.
pub const GIVE_UP_AFTER: Duration = Duration::from_secs(2 * 3600);
/// Reads of the call records after the end: a record takes a few seconds to appear.
pub const RECORD_TRIES: u32 = 5;
/// Said of a call whose record never came: what is shown is what was seen live.
pub const NO_RECORD: &str = "No call record was found for this call, so how it ended is what \
    Clickdial saw while it was live.";
/// Live rows may be stamped a little before our clock says we queued the call.
const CLOCK_SLACK_S: i64 = 120;

/// Where a followed call stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum Stage {
    /// Accepted by the platform, not listed yet (or nothing listed is tied to it yet).
    Queued,
    /// The agent's phone rings: the row lists only the agent's number.
    RingingAgent,
    /// A phone rings; the row does not prove which (servetel-api.md §5.6).
    Ringing,
    /// The two are talking.
    Connected,
    /// Over.
    Ended,
}

impl Stage {
    /// Its serialized name, as stored and published: `queued`, `ringingAgent`, `ringing`,
    /// `connected`, `ended`.
    pub fn as_str(self) -> &'static str {
        match self {
            Stage::Queued => "queued",
            Stage::RingingAgent => "ringingAgent",
            Stage::Ringing => "ringing",
            Stage::Connected => "connected",
            Stage::Ended => "ended",
        }
    }

    pub fn describe(self) -> &'static str {
        match self {
            Stage::Queued => "Queued",
            Stage::RingingAgent => "Ringing your phone",
            Stage::Ringing => "Ringing",
            Stage::Connected => "Connected",
            Stage::Ended => "Ended",
        }
    }
}

/// What the follower should do next for this call.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Next {
    /// Read live calls after this long.
    Live(Duration),
    /// Read the call records after this long.
    Records(Duration),
    /// Nothing more to learn.
    Done,
}

/// A followed call as the window, the tray and the CLI show it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CallView {
    pub stage: Stage,
    /// Seconds since the call was queued, or until it ended.
    pub elapsed_s: u64,
    /// Seconds since the two were connected (or how long they talked).
    pub talk_s: Option<u64>,
    pub call_id: Option<String>,
    /// How it ended, once known.
    pub outcome: Option<Outcome>,
    /// The server's or the record's words about the end, when there are any.
    pub detail: Option<String>,
    /// Whether a hang-up can be sent now (the live call id is known and it is not over).
    pub can_hang_up: bool,
    /// The server has not answered the last reads: the call may still be going on, and what
    /// is shown is the last thing known.
    pub unreachable: bool,
    /// Its call record says it was recorded (the address itself is never kept).
    pub recording: bool,
    /// Still being followed (live calls or records will be read again).
    pub following: bool,
}

/// What ties a server row to our dial: the references our dial is known by, and our agent as
/// a row may show them.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Owner {
    /// `ref_id` the dial returned, `custom_identifier` we sent.
    refs: Vec<String>,
    /// The agent's identifiers (EID, extension, intercom): digits, compared whole.
    ids: Vec<String>,
    /// The agent's phone numbers: compared on their last ten digits.
    phones: Vec<String>,
}

impl Owner {
    /// The agent as our dial named them (`agent_number`: an EID, an extension or a mobile).
    /// A value written as a phone number (`+…`, or ten to twelve digits not starting with
    /// `0`) also counts as the agent's phone.
    pub fn agent(sent: &str) -> Owner {
        let digits: String = sent.chars().filter(char::is_ascii_digit).collect();
        let mut owner = Owner::default();
        if digits.is_empty() {
            return owner;
        }
        let phone = sent.trim_start().starts_with('+')
            || ((10..=12).contains(&digits.len()) && !digits.starts_with('0'));
        if phone {
            owner.phones.push(digits.clone());
        }
        owner.ids.push(digits);
        owner
    }

    /// Another of the agent's phone numbers (their mobile from `/v1/users`). Fewer than ten
    /// digits cannot be compared as a phone, so they are left out.
    pub fn with_phone(mut self, number: &str) -> Owner {
        let digits: String = number.chars().filter(char::is_ascii_digit).collect();
        if digits.len() >= 10 {
            self.phones.push(digits);
        }
        self
    }

    /// Another of the agent's identifiers (an extension, an intercom).
    pub fn with_id(mut self, id: &str) -> Owner {
        self.ids
            .push(id.chars().filter(char::is_ascii_digit).collect());
        self
    }

    /// A reference our dial is known by (`ref_id`, `custom_identifier`); a blank one is none.
    pub fn with_ref(mut self, reference: &str) -> Owner {
        let r = reference.trim();
        if !r.is_empty() {
            self.refs.push(r.to_string());
        }
        self
    }

    /// Everything `other` ties as well.
    pub fn merge(mut self, other: Owner) -> Owner {
        for r in other.refs {
            self = self.with_ref(&r);
        }
        for id in other.ids {
            self = self.with_id(&id);
        }
        for p in other.phones {
            self = self.with_phone(&p);
        }
        self
    }

    /// Whether `reference` is one of ours.
    pub fn knows_ref(&self, reference: &str) -> bool {
        self.refs.iter().any(|r| r == reference.trim())
    }

    /// Whether `value` (a row's `source`, `agent_number`, a `destination` entry) is our agent.
    pub fn is_agent(&self, value: &str) -> bool {
        let digits: String = value.chars().filter(char::is_ascii_digit).collect();
        if digits.is_empty() {
            return false;
        }
        self.ids.contains(&digits)
            || (digits.len() >= 10 && self.phones.iter().any(|p| last10(p) == last10(&digits)))
    }

    /// Whether the live row is tied to this dial by a reference, or to our agent.
    pub fn owns_live(&self, row: &LiveCall, customer: &str) -> bool {
        row.refs.iter().any(|r| self.knows_ref(r))
            || row.other_numbers(customer).any(|n| self.is_agent(n))
    }

    /// Whether the call record names our agent.
    fn owns_record(&self, record: &CallRecord) -> bool {
        record.agent.as_deref().is_some_and(|a| self.is_agent(a))
    }
}

/// One queued call being followed.
#[derive(Debug, Clone)]
pub struct Tracker {
    customer: String,
    owner: Owner,
    queued_at_ms: i64,
    stage: Stage,
    call_id: Option<String>,
    connected_at_ms: Option<i64>,
    ended_at_ms: Option<i64>,
    hung_up: bool,
    outcome: Option<Outcome>,
    /// Whether the outcome came from a call record (final) or was inferred.
    from_record: bool,
    talk_s: Option<u64>,
    detail: Option<String>,
    /// The record says the call was recorded.
    recording: bool,
    /// Failed reads in a row, and since when (Unix ms).
    errors: u32,
    failing_since_ms: Option<i64>,
    record_tries: u32,
    records_forbidden: bool,
    /// When a listed call was first missing from a reply: one empty or partial reply (a leg
    /// being switched, a server hiccup) does not end a call; a second one in a row does.
    absent_since_ms: Option<i64>,
}

impl Tracker {
    /// A call to `customer` (digits, any form) queued at `queued_at_ms` (Unix ms) by `owner`.
    pub fn new(customer: &str, queued_at_ms: i64, owner: Owner) -> Tracker {
        Tracker {
            customer: customer.chars().filter(char::is_ascii_digit).collect(),
            owner,
            queued_at_ms,
            stage: Stage::Queued,
            call_id: None,
            connected_at_ms: None,
            ended_at_ms: None,
            hung_up: false,
            outcome: None,
            from_record: false,
            talk_s: None,
            detail: None,
            recording: false,
            errors: 0,
            failing_since_ms: None,
            record_tries: 0,
            records_forbidden: false,
            absent_since_ms: None,
        }
    }

    /// The call id already known (a dial reply that carried one): matched by that id only,
    /// and still waiting to be listed.
    pub fn with_call_id(self, call_id: &str) -> Tracker {
        Tracker {
            call_id: Some(call_id.to_string()),
            ..self
        }
    }

    /// Seen live before under `call_id` (another process followed it): its absence now means
    /// it ended.
    pub fn resumed(self, call_id: &str) -> Tracker {
        Tracker {
            call_id: Some(call_id.to_string()),
            stage: Stage::Ringing,
            ..self
        }
    }

    pub fn stage(&self) -> Stage {
        self.stage
    }

    /// What ties rows to this call, to widen once more is known of the agent (their mobile,
    /// extension): a row is then tied that could not be before.
    pub fn owner_mut(&mut self) -> &mut Owner {
        &mut self.owner
    }

    pub fn call_id(&self) -> Option<&str> {
        self.call_id.as_deref()
    }

    pub fn outcome(&self) -> Option<Outcome> {
        self.outcome
    }

    pub fn talk_s(&self) -> Option<u64> {
        self.talk_s
    }

    pub fn ended_at_ms(&self) -> Option<i64> {
        self.ended_at_ms
    }

    /// Listed before, missing from the last reply: it has probably ended, and the next reply
    /// says for sure.
    pub fn missing(&self) -> bool {
        self.absent_since_ms.is_some() && self.stage != Stage::Ended
    }

    /// True while live calls are still read for this call.
    pub fn is_live(&self) -> bool {
        self.stage != Stage::Ended
    }

    /// Feeds one `live_calls` reply. `taken` says whether a call id already belongs to another
    /// followed call, so two calls to one number each keep their own row. Returns whether
    /// anything the agent sees changed.
    pub fn observe_live(
        &mut self,
        now_ms: i64,
        rows: &[LiveCall],
        taken: &dyn Fn(&str) -> bool,
    ) -> bool {
        if self.stage == Stage::Ended {
            return false;
        }
        let before = (self.stage, self.call_id.clone(), self.unreachable());
        self.errors = 0;
        self.failing_since_ms = None;
        let row = match &self.call_id {
            Some(id) => rows.iter().find(|r| r.call_id.as_deref() == Some(id)),
            None => self.best_match(rows, taken),
        };
        match row {
            Some(row) => {
                self.absent_since_ms = None;
                if self.call_id.is_none() {
                    self.call_id = row.call_id.clone();
                }
                // Only what the row proves: a ringing row naming nobody but our agent rings
                // their phone; any other ringing row could be either phone.
                let stage = match row.state {
                    LiveState::Answered => Stage::Connected,
                    LiveState::Ringing if row.only_agent_rung(&|d| self.owner.is_agent(d)) => {
                        Stage::RingingAgent
                    }
                    LiveState::Ringing | LiveState::Other => Stage::Ringing,
                };
                // Stages only move forward: a stale or odd reply never moves one back.
                if rank(stage) > rank(self.stage) {
                    self.stage = stage;
                }
                if self.stage == Stage::Connected && self.connected_at_ms.is_none() {
                    // The server's elapsed time would include the ringing; ours starts now.
                    self.connected_at_ms = Some(now_ms);
                }
            }
            None if self.stage != Stage::Queued => match self.absent_since_ms {
                // Gone twice in a row: it ended, at the first read that missed it.
                Some(since) => self.end(since),
                None => self.absent_since_ms = Some(now_ms),
            },
            None if now_ms.saturating_sub(self.queued_at_ms) > ms(NEVER_LISTED) => self.end(now_ms),
            None => {}
        }
        before != (self.stage, self.call_id.clone(), self.unreachable())
    }

    /// The server has not answered the last [`LOST_AFTER`] reads.
    pub fn unreachable(&self) -> bool {
        self.errors >= LOST_AFTER
    }

    /// One more failed read at `now_ms`; true when reads have failed for [`GIVE_UP_AFTER`].
    fn failed(&mut self, now_ms: i64) -> bool {
        self.errors = self.errors.saturating_add(1);
        let since = *self.failing_since_ms.get_or_insert(now_ms);
        now_ms.saturating_sub(since) >= ms(GIVE_UP_AFTER)
    }

    /// The row tied to our dial among rows not followed as another call: by a reference,
    /// else the one call of our agent to our customer started near ours. `None` when nothing
    /// is tied, or when two rows could be ours (an ambiguous match is never adopted).
    fn best_match<'a>(
        &self,
        rows: &'a [LiveCall],
        taken: &dyn Fn(&str) -> bool,
    ) -> Option<&'a LiveCall> {
        let free = || {
            rows.iter()
                .filter(|r| r.call_id.as_deref().is_none_or(|id| !taken(id)))
        };
        if let Some(row) = free().find(|r| r.refs.iter().any(|x| self.owner.knows_ref(x))) {
            return Some(row);
        }
        let (from, to) = self.window_s();
        let mut ours = free().filter(|r| {
            r.direction != Some(1)
                && r.is_to(&self.customer)
                && self.owner.owns_live(r, &self.customer)
                && r.created_at.is_none_or(|t| t >= from && t <= to)
        });
        let row = ours.next()?;
        ours.next().is_none().then_some(row)
    }

    /// When a call of ours may have started (Unix seconds): from a little before we queued it
    /// to the longest it can ring unlisted, with room for the two clocks' disagreement.
    pub fn window_s(&self) -> (i64, i64) {
        let queued_s = self.queued_at_ms.div_euclid(1000);
        (
            queued_s - CLOCK_SLACK_S,
            queued_s + NEVER_LISTED.as_secs() as i64 + CLOCK_SLACK_S,
        )
    }

    /// A call known to be over without reading live calls again: a one-shot look that found
    /// it missing once, or a row too old to be live. Ends it now, or when it was first missed.
    pub fn assume_ended(&mut self, now_ms: i64) {
        if self.stage != Stage::Ended {
            self.end(self.absent_since_ms.unwrap_or(now_ms));
        }
    }

    fn end(&mut self, now_ms: i64) {
        self.stage = Stage::Ended;
        self.ended_at_ms = Some(now_ms);
        // What is known without a record; the record, when it comes, has the last word.
        if let Some(c) = self.connected_at_ms {
            self.outcome = Some(Outcome::Answered);
            self.talk_s = Some(u64::try_from((now_ms - c).max(0) / 1000).unwrap_or(0));
        } else if self.hung_up {
            self.outcome = Some(Outcome::Cancelled);
        } else {
            self.outcome = Some(Outcome::Ended);
        }
    }

    /// A `live_calls` read failed: the next one waits longer, the stage is kept, and after
    /// [`LOST_AFTER`] failures the call reads as unreachable. `fatal` (the account may not read
    /// live calls), or failures for [`GIVE_UP_AFTER`], stop following: the call reads as
    /// ended, outcome unknown, and no more requests are made for it. Returns whether anything
    /// the agent sees changed.
    pub fn live_failed(&mut self, now_ms: i64, fatal: bool) -> bool {
        if self.stage == Stage::Ended {
            return false;
        }
        let was = self.unreachable();
        let give_up = self.failed(now_ms);
        if fatal || give_up {
            self.end(now_ms);
            self.from_record = true;
            self.detail = Some(if fatal {
                "Clickdial may not read live calls on this account, so it cannot follow calls."
                    .into()
            } else {
                "The server did not answer, so Clickdial stopped following this call.".into()
            });
            return true;
        }
        was != self.unreachable()
    }

    /// Whether the outcome came from a call record (or is final for another reason), rather than
    /// inferred from what was seen live.
    pub fn settled(&self) -> bool {
        self.from_record
    }

    /// The agent's hang-up was accepted by the server.
    pub fn hung_up(&mut self, now_ms: i64) {
        self.hung_up = true;
        if self.stage != Stage::Ended {
            self.end(now_ms);
        }
    }

    /// The record of our call among `records` (in any order): by our reference first, then by
    /// the live call id, else our agent's record for our customer that started nearest to when
    /// we queued ours, within [`Tracker::window_s`].
    fn find_record<'a>(&self, records: &'a [CallRecord]) -> Option<&'a CallRecord> {
        let by_ref = records.iter().find(|r| {
            r.ref_id
                .iter()
                .chain(r.custom_identifier.iter())
                .any(|x| self.owner.knows_ref(x))
        });
        if by_ref.is_some() {
            return by_ref;
        }
        if let Some(id) = &self.call_id {
            if let Some(r) = records.iter().find(|r| r.call_id.as_deref() == Some(id)) {
                return Some(r);
            }
        }
        let want = last10(&self.customer);
        let (from, to) = self.window_s();
        let queued_s = self.queued_at_ms.div_euclid(1000);
        records
            .iter()
            .filter(|r| {
                r.customer.as_deref().is_some_and(|c| last10(c) == want)
                    && self.owner.owns_record(r)
                    // A record under another call id is another call.
                    && (self.call_id.is_none() || r.call_id.is_none())
                    && r.started_at.is_none_or(|t| t >= from && t <= to)
            })
            .min_by_key(|r| r.started_at.map_or(i64::MAX, |t| (t - queued_s).abs()))
    }

    /// Our call's recording address among `records`, when its record has one (read afresh
    /// each time: the address carries a token and is never kept).
    pub fn recording_in(&self, records: &[CallRecord]) -> Option<crate::secret::Secret> {
        self.find_record(records)?.recording.clone()
    }

    /// Whether `records` hold our call's record: reading more pages would add nothing.
    pub fn finds_record(&self, records: &[CallRecord]) -> bool {
        self.find_record(records).is_some()
    }

    /// Feeds one look at the call records (every page read, in any order). Returns whether the
    /// outcome changed.
    pub fn observe_records(&mut self, records: &[CallRecord]) -> bool {
        if self.stage != Stage::Ended || self.from_record {
            return false;
        }
        let was = self.unreachable();
        self.errors = 0;
        self.failing_since_ms = None;
        self.record_tries += 1;
        let record = self.find_record(records);
        let Some(record) = record else {
            if self.record_tries >= RECORD_TRIES && self.detail.is_none() {
                self.detail = Some(NO_RECORD.to_string());
            }
            return was;
        };
        let mut outcome = record.outcome;
        if outcome == Outcome::Ended {
            outcome = self.outcome.unwrap_or(Outcome::Ended);
        }
        self.outcome = Some(outcome);
        if record.talk_s.is_some() || outcome != Outcome::Answered {
            self.talk_s = record.talk_s.filter(|_| outcome == Outcome::Answered);
        }
        self.detail = record.description.clone().or_else(|| record.reason.clone());
        self.recording = record.recording.is_some();
        if self.call_id.is_none() {
            self.call_id = record.call_id.clone();
        }
        self.from_record = true;
        true
    }

    /// A call-records read failed at `now_ms`; `forbidden` when the account may not read them
    /// (403): no further reads. Other failures do not use up a try: they back off like live
    /// reads, so a server that comes back still gives the outcome. Returns whether anything
    /// the agent sees changed.
    pub fn records_failed(&mut self, now_ms: i64, forbidden: bool) -> bool {
        let was = self.unreachable();
        if forbidden {
            self.records_forbidden = true;
            return false;
        }
        if self.failed(now_ms) {
            self.records_forbidden = true;
        }
        was != self.unreachable()
    }

    /// When to ask the server next.
    pub fn next(&self) -> Next {
        let backoff = (POLL_EVERY * (1u32 << self.errors.min(5))).min(MAX_BACKOFF);
        if self.stage != Stage::Ended {
            return Next::Live(backoff);
        }
        if self.from_record || self.records_forbidden || self.record_tries >= RECORD_TRIES {
            return Next::Done;
        }
        if self.errors > 0 {
            return Next::Records(backoff);
        }
        // 2, 4, 8, 16 s: a record takes a few seconds to appear.
        Next::Records(Duration::from_secs(2u64 << self.record_tries.min(4)))
    }

    /// The call as the agent sees it at `now_ms`.
    pub fn view(&self, now_ms: i64) -> CallView {
        let until = self.ended_at_ms.unwrap_or(now_ms);
        let talk_s = self.talk_s.or_else(|| {
            self.connected_at_ms
                .map(|c| u64::try_from((until - c).max(0) / 1000).unwrap_or(0))
        });
        CallView {
            stage: self.stage,
            elapsed_s: u64::try_from((until - self.queued_at_ms).max(0) / 1000).unwrap_or(0),
            talk_s,
            call_id: self.call_id.clone(),
            outcome: self.outcome,
            detail: self.detail.clone(),
            can_hang_up: self.stage != Stage::Ended && self.call_id.is_some(),
            unreachable: self.unreachable() && self.next() != Next::Done,
            recording: self.recording,
            following: self.next() != Next::Done,
        }
    }
}

fn rank(s: Stage) -> u8 {
    match s {
        Stage::Queued => 0,
        Stage::RingingAgent => 1,
        Stage::Ringing => 2,
        Stage::Connected => 3,
        Stage::Ended => 4,
    }
}

fn ms(d: Duration) -> i64 {
    i64::try_from(d.as_millis()).unwrap_or(i64::MAX)
}

#[cfg(test)]
mod tests;
