//! A queued call's life: the agent's phone rings, the agent answers or not, the customer's phone
//! rings, they talk, the call ends. Each stage is computed from the clock when asked; no task
//! runs per call.

use std::time::{Duration, Instant, SystemTime};

use serde::Serialize;
use serde_json::Value;

use crate::account::SimAgent;
use crate::date;

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

/// How a leg of a call goes: set per agent
/// ([`Sim::set_agent_answer`](crate::Sim::set_agent_answer)); for the customer it
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

    pub(crate) fn parse(s: &str) -> Option<Answer> {
        match s {
            "answers" => Some(Answer::Answers),
            "no_answer" => Some(Answer::NoAnswer),
            "busy" => Some(Answer::Busy),
            "offline" => Some(Answer::Offline),
            _ => None,
        }
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
pub(crate) struct SimCall {
    pub(crate) seq: u64,
    pub(crate) call_id: String,
    pub(crate) ref_id: String,
    pub(crate) uuid: String,
    pub(crate) custom_identifier: Value,
    pub(crate) agent: SimAgent,
    pub(crate) customer: String,
    pub(crate) did: String,
    pub(crate) queued_at: Instant,
    pub(crate) queued_wall: SystemTime,
    pub(crate) timings: CallTimings,
    pub(crate) agent_answer: Answer,
    pub(crate) customer_answer: Answer,
    pub(crate) hung_up_at: Option<Instant>,
}

/// Where a call stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Stage {
    AgentRinging,
    CustomerRinging,
    Connected,
    Ended(End),
}

/// How and when (after queueing) a call ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct End {
    pub(crate) after: Duration,
    pub(crate) answered: bool,
    pub(crate) talk: Duration,
    /// Q.850 cause code and key.
    pub(crate) code: u8,
    pub(crate) cause: &'static str,
    pub(crate) reason: &'static str,
    pub(crate) description: &'static str,
    /// How long the agent's leg rang, when the agent answered.
    pub(crate) agent_rang: Option<Duration>,
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

    pub(crate) fn stage_at(&self, now: Instant) -> Stage {
        let t = now.saturating_duration_since(self.queued_at);
        let end = self.end();
        if t >= end.after {
            Stage::Ended(end)
        } else {
            self.live_stage(t)
        }
    }

    pub(crate) fn info(&self, now: Instant) -> CallInfo {
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

    /// Unix seconds, `after` the call was queued.
    pub(crate) fn unix_at(&self, after: Duration) -> i64 {
        date::unix(self.queued_wall + after)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Account;

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
        let row = c.record_row(e, crate::Shapes::default());
        assert_eq!(row["answered_seconds"], "10");
        assert_eq!(
            row["agent_number"], c.agent.follow_me_number,
            "real: the mobile"
        );
        let docs = c.record_row(e, crate::Shapes::docs_sample());
        assert_eq!(
            docs["agent_number"], c.agent.eid,
            "the docs sample: the EID"
        );
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
}
