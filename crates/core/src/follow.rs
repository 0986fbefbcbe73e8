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

    /// Another of the agent's phone numbers (their mobile from `/v1/users`).
    pub fn with_phone(mut self, number: &str) -> Owner {
        let digits: String = number.chars().filter(char::is_ascii_digit).collect();
        if digits.len() >= 6 && !self.phones.contains(&digits) {
            self.phones.push(digits);
        }
        self
    }

    /// Another of the agent's identifiers (an extension, an intercom).
    pub fn with_id(mut self, id: &str) -> Owner {
        let digits: String = id.chars().filter(char::is_ascii_digit).collect();
        if !digits.is_empty() && !self.ids.contains(&digits) {
            self.ids.push(digits);
        }
        self
    }

    /// A reference our dial is known by (`ref_id`, `custom_identifier`).
    pub fn with_ref(mut self, reference: &str) -> Owner {
        let r = reference.trim();
        if !r.is_empty() && !self.refs.iter().any(|x| x == r) {
            self.refs.push(r.to_string());
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
    fn owns_live(&self, row: &LiveCall, customer: &str) -> bool {
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
mod tests {
    use super::*;
    use serde_json::{json, Value};

    const T0: i64 = 1_764_300_000_000; // Unix ms
    const CUSTOMER: &str = "919876543210";

    fn ist(unix_s: i64) -> String {
        crate::clock::format_ist(unix_s)
    }

    fn live(rows: Value) -> Vec<LiveCall> {
        rows.as_array()
            .unwrap()
            .iter()
            .filter_map(LiveCall::from_row)
            .collect()
    }

    fn row(call_id: Value, state: &str, destination: &str, created_s: i64) -> Value {
        json!({"id": 793133114, "call_id": call_id, "direction": 2, "state": state,
               "destination": destination, "customer_number": "9876543210",
               "created_at": ist(created_s), "call_time": "00:00:05", "agent_name": "Asha"})
    }

    /// Asha: dialled by EID, her mobile known from the agents' list.
    fn owner() -> Owner {
        Owner::agent("0506123456781").with_phone("+919810000001")
    }

    fn none_taken(_: &str) -> bool {
        false
    }

    #[test]
    fn a_call_moves_through_every_stage_and_ends_answered() {
        let mut t = Tracker::new(CUSTOMER, T0, owner());
        assert_eq!(t.stage(), Stage::Queued);
        assert_eq!(t.next(), Next::Live(POLL_EVERY));
        assert!(!t.view(T0).can_hang_up);
        let s = T0 / 1000;

        // An empty array: not listed yet, still queued.
        assert!(!t.observe_live(T0 + 1000, &live(json!([])), &none_taken));
        assert_eq!(t.stage(), Stage::Queued);

        let agent_leg = live(json!([row(
            json!("1714657799.11930963"),
            "Ringing",
            "+919810000001",
            s
        )]));
        assert!(t.observe_live(T0 + 2500, &agent_leg, &none_taken));
        assert_eq!(t.stage(), Stage::RingingAgent);
        assert_eq!(t.call_id(), Some("1714657799.11930963"));
        assert!(t.view(T0 + 2500).can_hang_up);

        let customer_leg = live(json!([row(
            json!("1714657799.11930963"),
            "Ringing",
            "+919810000001,+919876543210",
            s
        )]));
        assert!(t.observe_live(T0 + 5000, &customer_leg, &none_taken));
        assert_eq!(t.stage(), Stage::Ringing);

        // Numbers as numbers, state in capitals: still read.
        let answered = live(
            json!([{"call_id": "1714657799.11930963", "state": "ANSWERED",
                                    "customer_number": 9876543210u64, "direction": "2"}]),
        );
        assert!(t.observe_live(T0 + 7500, &answered, &none_taken));
        assert_eq!(t.stage(), Stage::Connected);
        assert_eq!(t.view(T0 + 17_500).talk_s, Some(10));
        // The same reply again changes nothing.
        assert!(!t.observe_live(T0 + 10_000, &answered, &none_taken));

        // Gone from the list twice in a row: ended when first missed, answered (inferred)
        // until the record says more.
        assert!(!t.observe_live(T0 + 47_500, &live(json!([])), &none_taken));
        assert!(t.observe_live(T0 + 50_000, &live(json!([])), &none_taken));
        assert_eq!(t.stage(), Stage::Ended);
        assert_eq!(t.outcome(), Some(Outcome::Answered));
        assert_eq!(t.talk_s(), Some(40));
        assert_eq!(t.next(), Next::Records(Duration::from_secs(2)));
        let v = t.view(T0 + 99_000);
        assert_eq!(v.elapsed_s, 47, "elapsed stops at the end");
        assert!(!v.can_hang_up);

        // No record yet: try again later, longer.
        assert!(!t.observe_records(&[]));
        assert_eq!(t.next(), Next::Records(Duration::from_secs(4)));
        let record = CallRecord::from_row(&json!({
            "call_id": "1714657799.11930963", "status": "answered", "answered_seconds": "38",
            "call_duration": 45, "client_number": "+919876543210",
            "description": "Call answered by customer"}))
        .unwrap();
        assert!(t.observe_records(&[record]));
        assert_eq!(t.outcome(), Some(Outcome::Answered));
        assert_eq!(t.talk_s(), Some(38), "the record's talk time wins");
        assert_eq!(
            t.view(T0 + 99_000).detail.as_deref(),
            Some("Call answered by customer")
        );
        assert_eq!(t.next(), Next::Done);
        assert!(!t.view(T0 + 99_000).following);
    }

    #[test]
    fn a_resumed_call_is_followed_by_its_id() {
        let s = T0 / 1000;
        // Another process saw it live as 3.3: its absence now means it ended.
        let mut gone = Tracker::new(CUSTOMER, T0, owner()).resumed("3.3");
        assert_eq!(gone.call_id(), Some("3.3"));
        assert!(gone.view(T0).can_hang_up);
        let other = live(json!([row(json!("3.4"), "Ringing", "+919810000001", s)]));
        gone.observe_live(T0 + 1000, &other, &none_taken);
        gone.observe_live(T0 + 3500, &other, &none_taken);
        assert_eq!(
            gone.stage(),
            Stage::Ended,
            "another call to the number is not ours"
        );
        let mut still = Tracker::new(CUSTOMER, T0, owner()).resumed("3.3");
        still.observe_live(
            T0 + 1000,
            &live(json!([row(
                json!("3.3"),
                "Answered",
                "+919810000001,+919876543210",
                s
            )])),
            &none_taken,
        );
        assert_eq!(still.stage(), Stage::Connected);
        assert_eq!(Stage::RingingAgent.describe(), "Ringing your phone");
        assert_eq!(Stage::Ringing.describe(), "Ringing");
    }

    #[test]
    fn old_rows_never_match_and_two_that_could_be_ours_wait() {
        let s = T0 / 1000;
        // Only a call from an hour ago to this number: not ours, keep waiting.
        let mut t = Tracker::new(CUSTOMER, T0, owner());
        t.observe_live(
            T0 + 1000,
            &live(json!([row(
                json!("4.0"),
                "Ringing",
                "+919810000001",
                s - 3600
            )])),
            &none_taken,
        );
        assert_eq!((t.stage(), t.call_id()), (Stage::Queued, None));
        assert!(t.is_live());
        // One stamped 100 s early (clock skew) and one 2 s late: either could be ours, so
        // neither is taken until one is gone.
        let rows = live(json!([
            row(json!("4.1"), "Ringing", "+919810000001", s - 100),
            row(json!("4.2"), "Ringing", "+919810000001", s + 2),
        ]));
        t.observe_live(T0 + 2000, &rows, &none_taken);
        assert_eq!((t.stage(), t.call_id()), (Stage::Queued, None));
        t.observe_live(T0 + 3000, &rows[1..], &none_taken);
        assert_eq!(t.call_id(), Some("4.2"));
        assert_eq!(t.ended_at_ms(), None);
        // Records are not read while the call is live, and ending sets the end time.
        let rec = CallRecord::from_row(&json!({"call_id": "4.2", "status": "answered"})).unwrap();
        assert!(!t.observe_records(std::slice::from_ref(&rec)));
        assert_eq!(t.outcome(), None);
        t.observe_live(T0 + 9000, &[], &none_taken);
        assert!(
            t.missing() && t.is_live(),
            "one empty reply does not end a call"
        );
        t.observe_live(T0 + 11_500, &[], &none_taken);
        assert_eq!(t.ended_at_ms(), Some(T0 + 9000), "ended when first missed");
        assert!(!t.missing());
        assert!(!t.is_live());
        assert!(t.observe_records(std::slice::from_ref(&rec)));
        assert!(!t.observe_records(&[rec]), "the record is read once");
    }

    #[test]
    fn a_record_without_talk_time_keeps_what_was_seen() {
        let s = T0 / 1000;
        let mut t = Tracker::new(CUSTOMER, T0, owner());
        t.observe_live(
            T0,
            &live(json!([row(
                json!("5.1"),
                "Answered",
                "+919810000001,+919876543210",
                s
            )])),
            &none_taken,
        );
        t.observe_live(T0 + 30_000, &[], &none_taken);
        t.observe_live(T0 + 32_500, &[], &none_taken);
        assert_eq!(t.talk_s(), Some(30));
        let bare = CallRecord::from_row(&json!({"call_id": "5.1", "status": "answered"})).unwrap();
        assert!(t.observe_records(&[bare]));
        assert_eq!(
            (t.outcome(), t.talk_s()),
            (Some(Outcome::Answered), Some(30))
        );
        // A record that says it was missed clears the talk time.
        let mut u = Tracker::new(CUSTOMER, T0, owner());
        u.observe_live(
            T0,
            &live(json!([row(
                json!("5.2"),
                "Answered",
                "+919810000001,+919876543210",
                s
            )])),
            &none_taken,
        );
        u.observe_live(T0 + 30_000, &[], &none_taken);
        u.assume_ended(T0 + 40_000);
        assert_eq!(u.ended_at_ms(), Some(T0 + 30_000));
        let missed = CallRecord::from_row(&json!({"call_id": "5.2", "status": "missed"})).unwrap();
        assert!(u.observe_records(&[missed]));
        assert_eq!((u.outcome(), u.talk_s()), (Some(Outcome::Missed), None));
    }

    #[test]
    fn a_call_missing_from_one_reply_is_kept() {
        let s = T0 / 1000;
        let answered = live(json!([row(
            json!("6.1"),
            "Answered",
            "+919810000001,+919876543210",
            s
        )]));
        let mut t = Tracker::new(CUSTOMER, T0, owner());
        t.observe_live(T0, &answered, &none_taken);
        // A reply that lists only somebody else's call, then ours again: still connected,
        // and the next absence starts counting afresh.
        let other = live(json!([row(
            json!("6.9"),
            "Answered",
            "+919810000001,+911111111111",
            s
        )]));
        assert!(
            !t.observe_live(T0 + 2500, &other, &none_taken),
            "nothing seen changes"
        );
        assert!(t.missing());
        assert_eq!(t.view(T0 + 2500).stage, Stage::Connected);
        t.observe_live(T0 + 5000, &answered, &none_taken);
        assert!(!t.missing());
        t.observe_live(T0 + 7500, &[], &none_taken);
        assert_eq!(t.stage(), Stage::Connected);
        assert!(t.observe_live(T0 + 10_000, &[], &none_taken));
        assert_eq!(
            (t.stage(), t.ended_at_ms(), t.talk_s()),
            (Stage::Ended, Some(T0 + 7500), Some(7))
        );
        // Ending is final: a late row that lists it again changes nothing.
        assert!(!t.observe_live(T0 + 12_500, &answered, &none_taken));
        assert_eq!(t.stage(), Stage::Ended);
        // A one-shot look that found it missing once ends it at that read.
        let mut u = Tracker::new(CUSTOMER, T0, owner()).resumed("6.1");
        u.observe_live(T0 + 60_000, &other, &none_taken);
        assert!(u.missing());
        u.assume_ended(T0 + 61_000);
        assert_eq!(u.ended_at_ms(), Some(T0 + 60_000));
        // A queued call never listed is not "missing": the 45 s limit decides.
        let mut q = Tracker::new(CUSTOMER, T0, owner());
        q.observe_live(T0 + 1000, &[], &none_taken);
        assert!(!q.missing() && q.is_live());
    }

    #[test]
    fn by_number_the_record_nearest_our_start_is_ours() {
        let mut t = Tracker::new(CUSTOMER, T0, owner());
        t.observe_live(T0 + ms(NEVER_LISTED) + 1, &[], &none_taken);
        let at = |offset_s: i64, id: &str, status: &str| {
            let when = ist(T0 / 1000 + offset_s);
            CallRecord::from_row(&json!({"client_number": "9876543210", "status": status,
                "date": &when[..10], "time": &when[11..], "call_id": id,
                "agent_number": "919810000001"}))
            .unwrap()
        };
        // A later call to the same number (5 minutes on), ours, and a colleague's at the
        // same time as ours: in no particular order.
        let colleague = CallRecord {
            agent: Some("919810000002".into()),
            ..at(1, "theirs", "answered")
        };
        assert!(t.observe_records(&[
            at(300, "later", "answered"),
            colleague,
            at(2, "ours", "missed")
        ]));
        assert_eq!(
            (t.call_id(), t.outcome()),
            (Some("ours"), Some(Outcome::Missed))
        );
    }

    #[test]
    fn stages_never_move_back() {
        let mut t = Tracker::new(CUSTOMER, T0, owner());
        let s = T0 / 1000;
        t.observe_live(
            T0,
            &live(json!([row(
                json!("1.1"),
                "Answered",
                "+919810000001,+919876543210",
                s
            )])),
            &none_taken,
        );
        assert_eq!(t.stage(), Stage::Connected);
        t.observe_live(
            T0 + 1,
            &live(json!([row(json!("1.1"), "Ringing", "+919810000001", s)])),
            &none_taken,
        );
        assert_eq!(t.stage(), Stage::Connected);
        // An unknown state on a listed call is "ringing", without saying which phone.
        let mut u = Tracker::new(CUSTOMER, T0, owner());
        u.observe_live(
            T0,
            &live(json!([row(json!("1.2"), "Dialing", "+919810000001", s)])),
            &none_taken,
        );
        assert_eq!(u.stage(), Stage::Ringing);
    }

    #[test]
    fn matching_keeps_each_call_to_its_own_row() {
        let s = T0 / 1000;
        let rows = live(json!([
            // An inbound call from the same number is not ours.
            {"call_id": "9.0", "direction": 1, "state": "Ringing", "customer_number": "9876543210",
             "created_at": ist(s)},
            // Another number.
            row(json!("9.1"), "Ringing", "+919810000001", s).as_object().unwrap().clone()
                .into_iter().chain([("customer_number".to_string(), json!("9999999999"))]).collect::<serde_json::Map<_,_>>(),
            // An old call to the same number (hours ago) is not ours.
            row(json!("9.2"), "Answered", "+919810000001,+919876543210", s - 3 * 3600),
            // Ours, and one queued later by someone else at this agent.
            row(json!("9.3"), "Ringing", "+919810000001", s + 1),
            row(json!("9.4"), "Ringing", "+919810000001", s + 200),
        ]));
        let mut t = Tracker::new(CUSTOMER, T0, owner());
        t.observe_live(T0 + 2000, &rows, &none_taken);
        assert_eq!(t.call_id(), Some("9.3"));
        // A second call to the same number, while 9.3 is followed, takes the other row.
        let mut second = Tracker::new(CUSTOMER, T0 + 200_000, owner());
        second.observe_live(T0 + 202_000, &rows, &|id| id == "9.3");
        assert_eq!(second.call_id(), Some("9.4"));
        // Once matched, only that id counts: its absence ends the call even if others remain.
        let others = live(json!([row(
            json!("9.4"),
            "Ringing",
            "+919810000001",
            s + 200
        )]));
        t.observe_live(T0 + 4000, &others, &none_taken);
        t.observe_live(T0 + 6500, &others, &none_taken);
        assert_eq!(t.stage(), Stage::Ended);
    }

    #[test]
    fn a_row_without_call_id_is_followed_until_it_has_one() {
        let s = T0 / 1000;
        let mut t = Tracker::new(CUSTOMER, T0, owner());
        t.observe_live(
            T0,
            &live(json!([row(Value::Null, "Ringing", "+919810000001", s)])),
            &none_taken,
        );
        assert_eq!(t.stage(), Stage::RingingAgent);
        assert_eq!(t.call_id(), None);
        assert!(!t.view(T0).can_hang_up, "no id, no hang-up");
        t.observe_live(
            T0 + 2500,
            &live(json!([row(
                json!(17146577),
                "Answered",
                "+919810000001,+919876543210",
                s
            )])),
            &none_taken,
        );
        assert_eq!(t.call_id(), Some("17146577"), "a number id is read as text");
        assert!(t.view(T0 + 2500).can_hang_up);
    }

    #[test]
    fn never_listed_ends_after_the_limit_and_records_decide() {
        let mut t = Tracker::new(CUSTOMER, T0, owner());
        let limit = ms(NEVER_LISTED);
        t.observe_live(T0 + limit, &[], &none_taken);
        assert_eq!(
            t.stage(),
            Stage::Queued,
            "exactly at the limit it still waits"
        );
        t.observe_live(T0 + limit + 1, &[], &none_taken);
        assert_eq!(t.stage(), Stage::Ended);
        assert_eq!(t.outcome(), Some(Outcome::Ended));
        // A record found by number and time (no call id known) tells what happened.
        let old =
            CallRecord::from_row(&json!({"client_number": "9876543210", "status": "answered",
            "date": "2020-01-01", "time": "10:00:00", "call_id": "0.1",
            "agent_number": "0506123456781"}))
            .unwrap();
        let ours = CallRecord::from_row(&json!({"client_number": "9876543210", "status": "missed",
            "description": "Call missed by agent", "date": ist(T0 / 1000)[..10].to_string(),
            "time": ist(T0 / 1000)[11..].to_string(), "call_id": "5.5",
            "agent_number": "0506123456781"}))
        .unwrap();
        assert!(
            !t.observe_records(std::slice::from_ref(&old)),
            "a years-old record is not ours"
        );
        assert!(t.observe_records(&[ours, old]));
        assert_eq!(t.outcome(), Some(Outcome::AgentMissed));
        assert_eq!(t.call_id(), Some("5.5"));
        assert_eq!(t.talk_s(), None);
    }

    #[test]
    fn hang_up_before_connect_is_cancelled_and_after_is_answered() {
        let s = T0 / 1000;
        let mut t = Tracker::new(CUSTOMER, T0, owner());
        t.observe_live(
            T0,
            &live(json!([row(json!("2.1"), "Ringing", "+919810000001", s)])),
            &none_taken,
        );
        t.hung_up(T0 + 3000);
        assert_eq!(
            (t.stage(), t.outcome()),
            (Stage::Ended, Some(Outcome::Cancelled))
        );
        let mut c = Tracker::new(CUSTOMER, T0, owner());
        c.observe_live(
            T0,
            &live(json!([row(
                json!("2.2"),
                "Answered",
                "+919810000001,+919876543210",
                s
            )])),
            &none_taken,
        );
        c.hung_up(T0 + 9000);
        assert_eq!(
            (c.stage(), c.outcome(), c.talk_s()),
            (Stage::Ended, Some(Outcome::Answered), Some(9))
        );
        // Later replies do not revive it.
        assert!(!c.observe_live(
            T0 + 9500,
            &live(json!([row(json!("2.2"), "Answered", "", s)])),
            &none_taken
        ));
    }

    #[test]
    fn errors_back_off_and_recover() {
        let mut t = Tracker::new(CUSTOMER, T0, owner());
        let waits: Vec<Next> = (0..7)
            .map(|_| {
                t.live_failed(T0, false);
                t.next()
            })
            .collect();
        assert_eq!(waits[0], Next::Live(Duration::from_secs(5)));
        assert_eq!(waits[1], Next::Live(Duration::from_secs(10)));
        assert_eq!(waits[2], Next::Live(Duration::from_secs(20)));
        assert_eq!(waits[6], Next::Live(MAX_BACKOFF));
        t.observe_live(T0 + 1, &[], &none_taken);
        assert_eq!(
            t.next(),
            Next::Live(POLL_EVERY),
            "a good reply resets the backoff"
        );
        // Two failures in a row: the server is lost, the call may still be going on.
        let mut down = Tracker::new(CUSTOMER, T0, owner());
        assert!(!down.live_failed(T0, false), "one failure is not news");
        assert!(!down.view(T0).unreachable);
        assert!(down.live_failed(T0 + 5000, false), "the second is");
        assert!(down.view(T0).unreachable && down.is_live());
        // Back: following goes on, and says so.
        assert!(down.observe_live(T0 + 9000, &[], &none_taken));
        assert!(!down.view(T0).unreachable);
        // Failing for as long as any call lasts, or one reply that says the account may not
        // read live calls: the call is no longer followed, and no more requests are made.
        let limit = ms(GIVE_UP_AFTER);
        down.live_failed(T0 + 10_000, false);
        down.live_failed(T0 + 10_000 + limit - 1, false);
        assert!(down.is_live());
        assert!(down.live_failed(T0 + 10_000 + limit, false));
        assert_eq!((down.stage(), down.next()), (Stage::Ended, Next::Done));
        assert!(
            !down.view(T0).unreachable,
            "not following: nothing to wait for"
        );
        assert!(down.view(T0).detail.unwrap().contains("stopped following"));
        let mut forbidden = Tracker::new(CUSTOMER, T0, owner());
        forbidden.live_failed(T0, true);
        assert_eq!(
            (forbidden.stage(), forbidden.next()),
            (Stage::Ended, Next::Done)
        );
        assert!(forbidden.settled());
    }

    #[test]
    fn records_give_up_after_tries_or_at_once_when_forbidden() {
        let mut t = Tracker::new(CUSTOMER, T0, owner());
        t.hung_up(T0);
        // A server that does not answer uses up no try: it is asked again, backing off.
        for i in 0..20 {
            t.records_failed(T0 + i * 30_000, false);
        }
        assert_eq!(t.next(), Next::Records(MAX_BACKOFF));
        assert!(t.view(T0).unreachable && t.view(T0).following);
        // Replies without our record do.
        for _ in 0..RECORD_TRIES {
            assert!(matches!(t.next(), Next::Records(_)));
            t.observe_records(&[]);
        }
        assert_eq!(t.next(), Next::Done);
        assert!(!t.view(T0).unreachable);
        // Failing for as long as any call lasts ends the look too.
        let mut g = Tracker::new(CUSTOMER, T0, owner());
        g.hung_up(T0);
        g.records_failed(T0, false);
        g.records_failed(T0 + ms(GIVE_UP_AFTER), false);
        assert_eq!(g.next(), Next::Done);
        let mut f = Tracker::new(CUSTOMER, T0, owner());
        f.hung_up(T0);
        f.records_failed(T0, true);
        assert_eq!(f.next(), Next::Done);
    }

    #[test]
    fn outcomes_from_real_record_shapes() {
        let o = |v: Value| CallRecord::from_row(&v).unwrap().outcome;
        assert_eq!(
            o(json!({"status": "answered", "answered_seconds": 12})),
            Outcome::Answered
        );
        assert_eq!(
            o(json!({"status": "missed", "answered_seconds": "12"})),
            Outcome::Answered
        );
        assert_eq!(
            o(json!({"status": "missed", "hangup_cause_code": "17"})),
            Outcome::Busy
        );
        assert_eq!(
            o(json!({"status": "missed", "hangup_cause": "USER_BUSY"})),
            Outcome::Busy
        );
        assert_eq!(
            o(
                json!({"status": "missed", "hangup_cause_code": "20", "hangup_cause": "SUBSCRIBER_ABSENT"})
            ),
            Outcome::Failed
        );
        assert_eq!(
            o(json!({"status": "missed", "description": "Call missed by agent"})),
            Outcome::AgentMissed
        );
        assert_eq!(
            o(
                json!({"status": "missed", "reason": "noanswer", "description": "Call missed by customer"})
            ),
            Outcome::Missed
        );
        assert_eq!(
            o(
                json!({"status": "missed", "reason": "Call Disconnected By Caller", "description": "Call cancelled by agent"})
            ),
            Outcome::Cancelled
        );
        assert_eq!(o(json!({"status": "MISSED"})), Outcome::Missed);
        assert_eq!(o(json!({})), Outcome::Ended);
        assert_eq!(
            o(json!({"status": "contacted", "answered_seconds": "N.A."})),
            Outcome::Ended
        );
        assert!(CallRecord::from_row(&json!("text")).is_none());
    }

    #[test]
    fn seconds_in_every_shape() {
        use crate::api::LiveCall;
        let e = |v: Value| {
            LiveCall::from_row(&json!({"call_time": v}))
                .unwrap()
                .elapsed_s
        };
        assert_eq!(e(json!("00:00:33")), Some(33));
        assert_eq!(e(json!("01:02:03")), Some(3723));
        assert_eq!(e(json!("02:03")), Some(123));
        assert_eq!(e(json!(45)), Some(45));
        assert_eq!(e(json!("45")), Some(45));
        assert_eq!(e(json!("4.7")), Some(4));
        for bad in [
            json!("N.A."),
            json!(-3),
            json!("1:2:3:4"),
            json!("::"),
            json!("99999999:00:00"),
            json!(true),
            json!(null),
        ] {
            assert_eq!(e(bad.clone()), None, "{bad}");
        }
    }
    fn fixture(name: &str) -> Value {
        let path = format!(
            "{}/../../tests/fixtures/real-shapes/{name}",
            env!("CARGO_MANIFEST_DIR")
        );
        serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
    }

    #[test]
    fn an_owner_knows_its_agent_in_any_field_and_form() {
        let by_eid = Owner::agent("0506123456781");
        assert!(by_eid.is_agent("0506123456781"));
        assert!(!by_eid.is_agent("506123456781"), "an id is compared whole");
        assert!(!by_eid.is_agent("+919810000001"), "no phone known yet");
        let asha = owner();
        for form in ["+919810000001", "919810000001", "9810000001", "09810000001"] {
            assert!(asha.is_agent(form), "{form}");
        }
        assert!(!asha.is_agent("+919810000002"));
        assert!(
            !asha.is_agent("10000001"),
            "too short to compare as a phone"
        );
        assert!(!asha.is_agent(""));
        // Dialled by mobile: that is the agent's phone too; a leading 0 makes it an id.
        assert!(Owner::agent("+919810000001").is_agent("9810000001"));
        assert!(Owner::agent("9810000001").is_agent("+919810000001"));
        assert!(!Owner::agent("0600000000054").is_agent("+91600000000054"));
        let ext = Owner::agent("0506123456781").with_id("0600000000054");
        assert!(ext.is_agent("0600000000054"));
        let r = Owner::default().with_ref(" abc ");
        assert!(r.knows_ref("abc") && !r.knows_ref("ab"));
        assert!(!Owner::default().with_ref("  ").knows_ref(""));
    }

    /// The captured Smartflo row: the agent's mobile in `source`, the customer alone (12
    /// digits) in `destination`, a UUID call id. Ours only for the agent whose mobile it is.
    #[test]
    fn a_real_smartflo_row_is_tied_by_the_agent_in_source() {
        let rows = live(fixture("live_calls-smartflo-answered.json"));
        let created = rows[0].created_at.unwrap() * 1000;
        let ours = Owner::agent("0506123456781").with_phone("+919800000001");
        let mut t = Tracker::new("+919876543210", created, ours);
        assert!(t.observe_live(created + 20_000, &rows, &none_taken));
        assert_eq!(t.stage(), Stage::Connected);
        assert_eq!(t.call_id(), Some("8a00c000-0000-4000-8000-000000000001"));
        // A colleague (another mobile) dialling the same customer at the same time.
        let mut theirs = Tracker::new("+919876543210", created, owner());
        assert!(!theirs.observe_live(created + 20_000, &rows, &none_taken));
        assert_eq!((theirs.stage(), theirs.call_id()), (Stage::Queued, None));
    }

    /// Another client's fixture: a ringing row whose `source` is the agent's extension and
    /// whose customer has a trunk `0`. It is ours by the extension; which phone rings it does
    /// not say, so it reads "Ringing". The answered row names no agent: never ours.
    #[test]
    fn a_ringing_row_from_an_extension_is_ringing_not_a_guess() {
        let rows = live(fixture("live_calls-ringing-extension.json"));
        let ours = Owner::agent("0506123456781").with_id("0600000000054");
        let mut t = Tracker::new("+919876543210", T0, ours.clone());
        assert!(t.observe_live(T0 + 1000, &rows, &none_taken));
        assert_eq!(t.stage(), Stage::Ringing);
        let mut other = Tracker::new("+919876500000", T0, ours);
        assert!(!other.observe_live(T0 + 1000, &rows, &none_taken));
        assert_eq!(
            other.stage(),
            Stage::Queued,
            "no agent on the row: not tied"
        );
    }

    #[test]
    fn two_rows_that_could_be_ours_are_never_adopted_but_a_reference_is() {
        let s = T0 / 1000;
        let real = |id: &str, source: &str, refs: Value| {
            json!({"call_id": id, "state": "Answered", "source": source, "direction": 2,
                   "destination": "+919876543210", "customer_number": "919876543210",
                   "created_at": ist(s), "ref_id": refs})
        };
        // Asha twice (her desk phone and this app): which one is ours is not known.
        let twice = live(json!([
            real("a", "+919810000001", json!(null)),
            real("b", "+919810000001", json!(null))
        ]));
        let mut t = Tracker::new(CUSTOMER, T0, owner());
        t.observe_live(T0 + 1000, &twice, &none_taken);
        assert_eq!((t.stage(), t.call_id()), (Stage::Queued, None));
        // A row carrying our ref_id is ours, whoever it names.
        let tied = live(json!([
            real("a", "+919810000001", json!(null)),
            real("c", "+919810000009", json!("our-ref"))
        ]));
        let mut r = Tracker::new(CUSTOMER, T0, owner().with_ref("our-ref"));
        r.observe_live(T0 + 1000, &tied, &none_taken);
        assert_eq!(r.call_id(), Some("c"));
    }

    #[test]
    fn real_call_records_are_matched_by_ref_id_first() {
        let records: Vec<CallRecord> = fixture("call_records-rows.json")
            .as_array()
            .unwrap()
            .iter()
            .filter_map(CallRecord::from_row)
            .collect();
        let ours = owner().with_ref("b4000000-0000-4000-8000-000000000362");
        let mut t = Tracker::new("+919811111111", T0, ours);
        t.observe_live(T0 + ms(NEVER_LISTED) + 1, &[], &none_taken);
        assert!(t.finds_record(&records));
        assert!(t.observe_records(&records));
        // Not ours: rows with no reference of ours, no agent, or another customer.
        let mut none = Tracker::new("+919876543210", T0, owner().with_ref("x"));
        none.observe_live(T0 + ms(NEVER_LISTED) + 1, &[], &none_taken);
        assert!(!none.finds_record(&records));
        for _ in 1..RECORD_TRIES {
            assert!(!none.observe_records(&records));
            assert_eq!(none.view(T0).detail, None);
        }
        assert!(!none.observe_records(&records));
        assert_eq!(none.view(T0).detail.as_deref(), Some(NO_RECORD));
        assert_eq!(none.next(), Next::Done);
    }
}
