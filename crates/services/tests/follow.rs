//! Following calls against the simulator's call lifecycle on loopback, with a real ledger:
//! the stages in order, the outcome from the call record into history, hang-up, no request
//! while idle, and a 403 on call records explained once.

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use clickdial_core::api::{Agent, Credentials, Outcome};
use clickdial_core::follow::Stage;
use clickdial_core::settings::SignIn;
use clickdial_core::types::BaseUrl;
use clickdial_core::Secret;
use clickdial_services::accounts::{self, AccountKey};
use clickdial_services::dialer::{system_wall_clock, DialInput, Dialer, Session};
use clickdial_services::follow::{owner_of, FollowedCall, Follower, RECORDS_FORBIDDEN};
use clickdial_services::ledger::{Ledger, Source, LEDGER_FILE};
use clickdial_services::settings_file::{SettingsFile, SETTINGS_FILE};
use clickdial_sim::{Account, Answer, CallTimings, CustomerForm, Shapes, Sim, DEMO_TOKEN};

const AGENT: &str = "0506123456781";
/// Every wait divided by this: polls every 100 ms instead of 2.5 s.
const SPEED: u32 = 25;

struct World {
    _dir: tempfile::TempDir,
    sim: Sim,
    dialer: Dialer,
    ledger: Arc<Ledger>,
    session: Arc<Session>,
    follower: Arc<Follower>,
    seen: Arc<Mutex<Vec<Vec<FollowedCall>>>>,
    /// The account's agents, as the window lists them: how a row's agent is recognised.
    agents: Vec<Agent>,
}

fn timings(ring_ms: u64, talk_ms: u64) -> CallTimings {
    clickdial_testkit::timings(ring_ms, ring_ms, talk_ms, 50)
}

/// A clock running `SPEED` times faster than the wall clock from now on, for calls that must
/// go unlisted for longer than any call rings ([`clickdial_core::follow::NEVER_LISTED`]).
fn fast_clock() -> clickdial_services::dialer::WallClock {
    let start = clickdial_services::ledger::wall_clock_ms();
    let t0 = Instant::now();
    Arc::new(move || start + i64::try_from(t0.elapsed().as_millis()).unwrap() * i64::from(SPEED))
}

impl World {
    async fn new(account: Account) -> World {
        World::with_clock(account, system_wall_clock()).await
    }

    async fn with_clock(account: Account, clock: clickdial_services::dialer::WallClock) -> World {
        let dir = tempfile::tempdir().unwrap();
        let sim = Sim::spawn(account).await.unwrap();
        sim.set_timings(timings(500, 800));
        let settings = SettingsFile::new(dir.path().join(SETTINGS_FILE));
        let url = BaseUrl::parse(&sim.url()).unwrap();
        let (ledger, _) = Ledger::open(&dir.path().join(LEDGER_FILE)).unwrap();
        let ledger = Arc::new(ledger);
        let dialer = Dialer::new(ledger.clone(), settings, system_wall_clock());
        let session = Arc::new(Session {
            key: AccountKey::new(&url, SignIn::Token, None),
            client: accounts::client(&url, Credentials::Token(Secret::new(DEMO_TOKEN))).unwrap(),
            saved: false,
        });
        let agents = session.client.users().await.unwrap();
        let follower = Follower::with_speed(ledger.clone(), clock, SPEED);
        let seen = Arc::new(Mutex::new(Vec::new()));
        let sink = seen.clone();
        tokio::spawn(follower.clone().run(Arc::new(move |calls| {
            sink.lock().unwrap().push(calls);
        })));
        World {
            _dir: dir,
            sim,
            dialer,
            ledger,
            session,
            follower,
            seen,
            agents,
        }
    }

    /// Dials `number` and follows it, as the window does.
    async fn dial(&self, number: &str) -> i64 {
        self.dial_knowing(number, &self.agents).await
    }

    /// Dials `number` and follows it, knowing only `agents` of the account.
    async fn dial_knowing(&self, number: &str, agents: &[Agent]) -> i64 {
        let outcome = self
            .dialer
            .dial(&self.session, DialInput::new(number, AGENT, Source::Window))
            .await
            .unwrap();
        let row = self.ledger.get(outcome.call, 0).unwrap().unwrap();
        self.follower.follow(
            outcome.call,
            &outcome.e164,
            &outcome.agent,
            owner_of(&row, agents),
            outcome.call_id.as_deref(),
            self.session.clone(),
        );
        outcome.call
    }

    async fn until(&self, what: &str, f: impl Fn(&FollowedCall) -> bool) -> FollowedCall {
        let end = Instant::now() + Duration::from_secs(15);
        loop {
            if let Some(c) = self.follower.calls().into_iter().next().filter(|c| f(c)) {
                return c;
            }
            assert!(
                Instant::now() < end,
                "timed out waiting for {what}: {:?}",
                self.follower.calls()
            );
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }

    /// The ledger row `id` once `f` holds for it.
    async fn stored(
        &self,
        id: i64,
        f: impl Fn(&clickdial_services::ledger::CallRow) -> bool,
    ) -> clickdial_services::ledger::CallRow {
        let end = Instant::now() + Duration::from_secs(10);
        loop {
            let row = self.ledger.get(id, 0).unwrap().unwrap();
            if f(&row) {
                return row;
            }
            assert!(Instant::now() < end, "row {id} never got there: {row:?}");
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }

    fn live_reads(&self) -> usize {
        self.sim.requests_to("/live_calls").len()
    }

    fn stages_seen(&self) -> Vec<Stage> {
        let mut out: Vec<Stage> = Vec::new();
        for calls in self.seen.lock().unwrap().iter() {
            if let Some(c) = calls.first() {
                if out.last() != Some(&c.view.stage) {
                    out.push(c.view.stage);
                }
            }
        }
        out
    }
}

/// In the shapes real accounts send, a ringing row never says which phone rings: it reads
/// "Ringing". The docs sample's shape lists only the agent while their phone rings.
#[tokio::test]
async fn a_call_is_followed_through_every_stage_into_history() {
    let real = vec![Stage::Ringing, Stage::Connected, Stage::Ended];
    let zero = Shapes {
        customer_number: CustomerForm::TrunkZero,
        ..Shapes::default()
    };
    let docs = vec![
        Stage::RingingAgent,
        Stage::Ringing,
        Stage::Connected,
        Stage::Ended,
    ];
    for (shapes, stages) in [
        (Shapes::default(), real.clone()),
        (zero, real),
        (Shapes::docs_sample(), docs),
    ] {
        followed_into_history(shapes, stages).await;
    }
}

async fn followed_into_history(shapes: Shapes, stages: Vec<Stage>) {
    let w = World::new(Account::demo()).await;
    w.sim.set_shapes(shapes);
    // Idle: not one request.
    tokio::time::sleep(Duration::from_millis(400)).await;
    assert_eq!(w.live_reads(), 0, "no request while no call is active");

    let id = w.dial("+91 98765 43210").await;
    let done = w.until("the call record", |c| !c.view.following).await;
    assert_eq!(done.id, id);
    assert_eq!(done.view.stage, Stage::Ended);
    assert_eq!(done.view.outcome, Some(Outcome::Answered));
    assert_eq!(
        done.view.detail.as_deref(),
        Some("Call answered by customer")
    );
    assert!(
        done.summary.starts_with("Answered · talked 0:0"),
        "{}",
        done.summary
    );
    assert_eq!(w.stages_seen(), stages, "every stage, in order, {shapes:?}");
    let sim_call = &w.sim.calls()[0];
    // The ledger is written just after the follower learns the record.
    let row = w.stored(id, |r| r.detail.is_some()).await;
    assert_eq!(row.outcome, Some(Outcome::Answered));
    assert_eq!(row.call_id.as_deref(), Some(sim_call.call_id.as_str()));
    assert_eq!(
        row.talk_s,
        Some(0),
        "the record's whole seconds (0.8 s of talk)"
    );
    assert!(row.ended_at_ms.is_some());
    assert_eq!(row.detail.as_deref(), Some("Call answered by customer"));
    // Recorded: history knows that much, never the address (it carries a token).
    assert!(row.has_recording);
    let shown = serde_json::to_string(&row).unwrap();
    assert!(shown.contains("\"hasRecording\":true"), "{shown}");
    assert!(!shown.contains("recording?"), "{shown}");

    // Done: the poll loop goes quiet.
    let reads = (w.live_reads(), w.sim.requests_to("/call/records").len());
    tokio::time::sleep(Duration::from_millis(600)).await;
    assert_eq!(
        (w.live_reads(), w.sim.requests_to("/call/records").len()),
        reads,
        "no request once the call is over"
    );
}

#[tokio::test]
async fn outcomes_busy_missed_and_an_agent_who_does_not_answer() {
    let w = World::new(Account::demo()).await;
    w.dial("+91 98765 43486").await;
    let c = w.until("busy", |c| !c.view.following).await;
    assert_eq!(
        (c.view.outcome, c.summary.as_str()),
        (Some(Outcome::Busy), "Busy")
    );

    w.dial("+91 98765 43408").await;
    let c = w
        .until("no answer", |c| {
            c.international.ends_with("408") && !c.view.following
        })
        .await;
    assert_eq!(c.view.outcome, Some(Outcome::Missed));

    w.sim.set_agent_answer(AGENT, Answer::NoAnswer);
    w.dial("+91 98765 40000").await;
    let c = w
        .until("agent missed", |c| {
            c.international.ends_with("40000") && !c.view.following
        })
        .await;
    assert_eq!(c.view.outcome, Some(Outcome::AgentMissed));
    assert_eq!(c.summary, "Your phone was not answered");
}

#[tokio::test]
async fn hang_up_ends_a_connected_call_and_a_ringing_one() {
    let w = World::new(Account::demo()).await;
    w.sim.set_timings(timings(300, 60_000));
    let id = w.dial("+91 98765 43210").await;
    // Not read from the server yet: no live id, so nothing is sent.
    let early = w.follower.hang_up(Some(id)).await.unwrap_err();
    assert!(
        early.message.contains("still being set up"),
        "{}",
        early.message
    );
    assert_eq!(
        w.sim.requests_to("/call/hangup").len(),
        0,
        "no request without a live call id"
    );

    w.until("connected", |c| c.view.stage == Stage::Connected)
        .await;
    let message = w.follower.hang_up(None).await.unwrap();
    assert_eq!(message, "Call hangup successfully");
    let c = w.until("the record", |c| !c.view.following).await;
    assert_eq!(c.view.outcome, Some(Outcome::Answered));
    assert_eq!(w.sim.requests_to("/call/hangup").len(), 1);
    assert_eq!(
        w.ledger.get(id, 0).unwrap().unwrap().outcome,
        Some(Outcome::Answered)
    );

    // While the agent's phone rings: cancelled.
    w.sim.set_timings(timings(5_000, 60_000));
    let id = w.dial("+91 98765 11111").await;
    w.until("ringing", |c| c.id == id && c.view.can_hang_up)
        .await;
    w.follower.hang_up(Some(id)).await.unwrap();
    let c = w
        .until("the record", |c| c.id == id && !c.view.following)
        .await;
    assert_eq!(c.view.outcome, Some(Outcome::Cancelled));
    // Over: a second hang-up is refused here, without a request.
    let sent = w.sim.requests_to("/call/hangup").len();
    let again = w.follower.hang_up(Some(id)).await.unwrap_err();
    assert_eq!(again.message, "That call has already ended.");
    assert_eq!(w.sim.requests_to("/call/hangup").len(), sent);
}

#[tokio::test]
async fn call_records_refused_is_explained_once_and_what_was_seen_is_kept() {
    let mut account = Account::demo();
    account.cdr_forbidden_tokens = vec![DEMO_TOKEN.to_string()];
    let w = World::new(account).await;
    w.dial("+91 98765 43210").await;
    let c = w.until("the end", |c| !c.view.following).await;
    assert_eq!(
        c.view.outcome,
        Some(Outcome::Answered),
        "seen connected, so answered"
    );
    assert_eq!(
        w.sim.requests_to("/call/records").len(),
        1,
        "one 403, no more asks"
    );
    assert_eq!(w.follower.take_notice().as_deref(), Some(RECORDS_FORBIDDEN));
    assert_eq!(w.follower.take_notice(), None, "said once");
}

#[tokio::test]
async fn a_server_error_while_following_backs_off_and_recovers() {
    let w = World::new(Account::demo()).await;
    w.sim.set_timings(timings(1_500, 500));
    w.sim.inject(
        clickdial_sim::Fault::respond(503, "<html>down</html>")
            .on("/live_calls")
            .times(2),
    );
    w.dial("+91 98765 43210").await;
    let c = w.until("the record", |c| !c.view.following).await;
    assert_eq!(c.view.outcome, Some(Outcome::Answered));
}

/// Calls placed while nothing followed them (the CLI, the window closed) get their outcome
/// from the call records later; a 403 is explained once and not asked again.
#[tokio::test]
async fn outcomes_are_filled_in_for_calls_nobody_followed() {
    for forbidden in [false, true] {
        let mut account = Account::demo();
        if forbidden {
            account.cdr_forbidden_tokens = vec![DEMO_TOKEN.to_string()];
        }
        let w = World::new(account).await;
        w.sim.set_timings(timings(100, 100));
        let mut ids = Vec::new();
        for number in ["+91 98765 43210", "+91 98765 43486"] {
            let outcome = w
                .dialer
                .dial(&w.session, DialInput::new(number, AGENT, Source::Cli))
                .await
                .unwrap();
            ids.push(outcome.call);
        }
        tokio::time::sleep(Duration::from_millis(600)).await;
        // Two minutes later, as the window starts again.
        let later = Follower::new(
            w.ledger.clone(),
            Arc::new(|| clickdial_services::ledger::wall_clock_ms() + 120_000),
        );
        let filled = later.backfill(w.session.clone(), &w.agents, 20).await;
        let outcomes: Vec<Option<Outcome>> = ids
            .iter()
            .map(|id| w.ledger.get(*id, 0).unwrap().unwrap().outcome)
            .collect();
        let reads = w.sim.requests_to("/call/records").len();
        if forbidden {
            assert_eq!(filled, 0);
            assert_eq!(outcomes, vec![None, None]);
            assert_eq!(reads, 1, "the first 403 stops it");
            assert_eq!(later.take_notice().as_deref(), Some(RECORDS_FORBIDDEN));
        } else {
            assert_eq!(filled, 2);
            assert_eq!(outcomes, vec![Some(Outcome::Answered), Some(Outcome::Busy)]);
            assert_eq!(reads, 2);
            assert_eq!(later.take_notice(), None);
        }
        // Again: nothing left to ask (or not allowed to ask).
        assert_eq!(later.backfill(w.session.clone(), &w.agents, 20).await, 0);
        assert_eq!(w.sim.requests_to("/call/records").len(), reads);
        // A call less than a minute old is left to the live follower.
        let fresh = w
            .dialer
            .dial(
                &w.session,
                DialInput::new("+91 98765 40001", AGENT, Source::Cli),
            )
            .await
            .unwrap();
        let now_follower = Follower::new(w.ledger.clone(), system_wall_clock());
        now_follower
            .backfill(w.session.clone(), &w.agents, 20)
            .await;
        assert_eq!(w.ledger.get(fresh.call, 0).unwrap().unwrap().outcome, None);
    }
}

/// A dial whose answer was lost (the server queued it, the reply timed out): following finds
/// it live, and another dial to that number is refused while it is, with what was found.
#[tokio::test]
async fn a_lost_answer_is_checked_live_before_the_number_is_dialled_again() {
    let w = World::new(Account::demo()).await;
    w.sim.set_timings(timings(600, 60_000));
    let url = w.sim.url();
    let slow = Arc::new(Session {
        key: w.session.key.clone(),
        client: clickdial_core::Client::with_options(
            &url,
            Secret::new(DEMO_TOKEN),
            clickdial_core::ClientOptions {
                timeout: Duration::from_millis(300),
                ..clickdial_core::ClientOptions::default()
            },
        )
        .unwrap(),
        saved: false,
    });
    // The server takes a second to answer, then queues the call anyway.
    w.sim
        .inject(clickdial_sim::Fault::delay(Duration::from_secs(1)).on("/click_to_call"));
    let e = w
        .dialer
        .dial(
            &slow,
            DialInput::new("+91 98765 43210", AGENT, Source::Window),
        )
        .await
        .unwrap_err();
    assert_eq!(e.code, clickdial_services::Code::UnknownOutcome);
    let row = w
        .follower
        .follow_unknown("+919876543210", AGENT, &w.agents, slow.clone())
        .await
        .expect("the unknown row is followed");
    // Not listed yet (the server is still answering): a new dial waits, and says why.
    let refused = w
        .follower
        .refuse_if_live("+919876543210", Duration::ZERO)
        .unwrap_err();
    assert_eq!(refused.code, clickdial_services::Code::Busy);
    assert!(
        refused.message.contains("checking whether the last call"),
        "{}",
        refused.message
    );
    // Found live: placed after all.
    let c = w
        .until("found live", |c| {
            c.id == row && c.view.stage != Stage::Queued
        })
        .await;
    assert!(c.unknown);
    let refused = w
        .follower
        .refuse_if_live("+919876543210", Duration::ZERO)
        .unwrap_err();
    assert!(
        refused
            .message
            .starts_with("The last call to +91 98765 43210 was placed after all: "),
        "{}",
        refused.message
    );
    assert!(
        w.follower
            .refuse_if_live("+919876500000", Duration::ZERO)
            .is_ok(),
        "another number is free"
    );
    // Within the ledger's bounce window the guard speaks, not this check.
    assert!(w
        .follower
        .refuse_if_live("+919876543210", Duration::from_secs(60))
        .is_ok());
    // Hung up: the number is free again.
    w.until("hang-up possible", |c| c.view.can_hang_up).await;
    w.follower.hang_up(Some(row)).await.unwrap();
    assert!(w
        .follower
        .refuse_if_live("+919876543210", Duration::ZERO)
        .is_ok());
    assert_eq!(w.sim.requests_to("/click_to_call").len(), 1, "never resent");
    let stored = w.stored(row, |r| r.call_id.is_some()).await;
    assert_eq!(
        stored.call_id.as_deref(),
        Some(w.sim.calls()[0].call_id.as_str())
    );
    assert_eq!(
        stored.state,
        clickdial_services::ledger::CallState::Queued,
        "placed after all"
    );
}

const VIKRAM: &str = "0506123456782";

/// Real accounts list every colleague's call in the same reply. When our agent's call is not
/// listed (their phone is unreachable, and this account lists a call only once its agent
/// answered) while a colleague talks to the same customer, that call is never taken for ours:
/// not its stage, not its call id, not its record, and Hang up cannot reach it.
#[tokio::test]
async fn a_colleagues_call_to_the_same_customer_is_never_taken_for_ours() {
    let w = World::with_clock(Account::demo(), fast_clock()).await;
    w.sim.set_shapes(Shapes {
        listed_once_agent_answers: true,
        ..Shapes::default()
    });
    w.sim.set_timings(timings(300, 60_000));
    let theirs = w.sim.place_call(VIKRAM, "919876543210").unwrap();
    w.sim.set_agent_answer(AGENT, Answer::Offline);
    let id = w.dial("+91 98765 43210").await;
    // Their call is listed, connected, while ours is looked for.
    tokio::time::sleep(Duration::from_millis(700)).await;
    let looking = w.follower.calls()[0].clone();
    assert_eq!((looking.id, looking.view.stage), (id, Stage::Queued));
    assert!(!looking.view.can_hang_up);
    let refused = w.follower.hang_up(Some(id)).await.unwrap_err();
    assert!(
        refused.message.contains("still being set up"),
        "{}",
        refused.message
    );

    let c = w.until("our record", |c| !c.view.following).await;
    assert_eq!(c.id, id);
    assert_eq!(c.view.outcome, Some(Outcome::Failed), "{c:?}");
    assert_eq!(c.view.detail.as_deref(), Some("Agent unreachable"));
    let seen = w.seen.lock().unwrap().clone();
    assert!(
        seen.iter()
            .flatten()
            .all(|c| c.view.call_id.as_deref() != Some(&theirs.call_id)
                && c.view.stage != Stage::Connected),
        "never their call: {seen:?}"
    );
    let row = w.stored(id, |r| r.outcome.is_some()).await;
    assert_ne!(row.call_id.as_deref(), Some(theirs.call_id.as_str()));
    assert_eq!(w.sim.requests_to("/call/hangup").len(), 0);
    let theirs_now = w
        .sim
        .calls()
        .into_iter()
        .find(|c| c.call_id == theirs.call_id);
    assert_eq!(theirs_now.unwrap().stage, "connected", "their call goes on");
}

/// Call records come back unfiltered and oldest first, a colleague's record for the same
/// customer among them. Ours is found by the `ref_id` our dial got back, even when the agents'
/// list is not known here (so the record's agent, a mobile, cannot be recognised).
#[tokio::test]
async fn records_unfiltered_and_oldest_first_are_matched_by_ref_id() {
    let w = World::with_clock(Account::demo(), fast_clock()).await;
    w.sim.set_shapes(Shapes {
        records_oldest_first: true,
        ..Shapes::default()
    });
    w.sim.set_timings(timings(100, 200));
    w.sim.place_call(VIKRAM, "919876543210").unwrap();
    w.sim.set_agent_answer(AGENT, Answer::NoAnswer);
    let id = w.dial_knowing("+91 98765 43210", &[]).await;
    let c = w.until("our record", |c| !c.view.following).await;
    assert_eq!(c.id, id);
    assert_eq!(c.view.outcome, Some(Outcome::AgentMissed), "{c:?}");
    let row = w.stored(id, |r| r.outcome.is_some()).await;
    assert_eq!(row.outcome, Some(Outcome::AgentMissed));
    let asked = w.sim.requests_to("/call/records");
    assert!(asked.len() <= 5, "{} record reads", asked.len());
    for r in asked {
        let q = r.query;
        assert!(
            q.contains("from_date") && !q.contains("callerid") && !q.contains("call_id"),
            "only the documented filters: {q}"
        );
    }
}

/// The server goes away mid-call (every request gets a gateway's 503 page for a while): after
/// two failed reads the call says the server cannot be reached and that the call may still be
/// going on, without claiming a stage; once the server is back, following resumes on its own
/// and the outcome comes from the call record.
#[tokio::test]
async fn a_server_lost_mid_call_is_said_and_the_outcome_still_arrives() {
    let w = World::new(Account::demo()).await;
    w.sim.set_timings(timings(300, 2_000));
    let id = w.dial("+91 98765 43210").await;
    w.until("connected", |c| c.view.stage == Stage::Connected)
        .await;
    w.sim.outage(Duration::from_millis(1_500));
    let lost = w.until("unreachable", |c| c.view.unreachable).await;
    assert_eq!(
        lost.summary,
        "Cannot reach the server; the call may still be going on"
    );
    assert_eq!(
        lost.view.stage,
        Stage::Connected,
        "the last thing known is kept"
    );
    assert!(lost.view.following);
    let done = w
        .until("the record after the outage", |c| !c.view.following)
        .await;
    assert_eq!((done.id, done.view.outcome), (id, Some(Outcome::Answered)));
    assert!(!done.view.unreachable);
    assert_eq!(done.view.talk_s, Some(2), "the record's talk time");
    assert_eq!(w.stored(id, |r| r.detail.is_some()).await.talk_s, Some(2));
}

/// Play: the recording's address is read again from the call record (by our reference) and
/// handed to the desktop's opener, never kept; an opener that fails (and prints the address)
/// gives a message without it.
#[cfg(target_os = "linux")]
#[tokio::test]
async fn a_recording_is_read_afresh_and_only_handed_to_the_opener() {
    use clickdial_services::follow::recording_of;
    use clickdial_services::handler::{open_recording, Desktop};
    use std::os::unix::fs::PermissionsExt;

    let w = World::new(Account::demo()).await;
    w.sim.set_timings(timings(100, 300));
    let id = w.dial("+91 98765 43210").await;
    let row = w.stored(id, |r| r.has_recording).await;
    let reads = w.sim.requests_to("/call/records").len();
    let url = recording_of(
        &w.session.client,
        &row,
        &w.agents,
        clickdial_services::ledger::wall_clock_ms(),
    )
    .await
    .unwrap();
    assert!(url
        .expose()
        .starts_with("https://customer.servetel.in/file/recording?callId="));
    assert!(
        w.sim.requests_to("/call/records").len() > reads,
        "read again"
    );

    let tmp = tempfile::tempdir().unwrap();
    let tools = tmp.path().join("bin");
    std::fs::create_dir_all(&tools).unwrap();
    let got = tmp.path().join("got");
    let gio = tools.join("gio");
    let script = |body: &str| {
        std::fs::write(&gio, format!("#!/bin/sh\n{body}\n")).unwrap();
        std::fs::set_permissions(&gio, std::fs::Permissions::from_mode(0o755)).unwrap();
    };
    let home = tmp.path().join("home");
    let desktop = Desktop {
        data_home: home.join(".local/share"),
        config_home: home.join(".config"),
        data_dirs: vec![tmp.path().join("usr/share")],
        home,
        tools_path: Some(tools.clone().into_os_string()),
    };
    script(&format!("printf '%s\\n' \"$@\" > '{}'", got.display()));
    open_recording(&desktop, &url).unwrap();
    let deadline = Instant::now() + Duration::from_secs(5);
    while !got.exists() {
        assert!(Instant::now() < deadline, "the opener never ran");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let args = std::fs::read_to_string(&got).unwrap();
    assert_eq!(args, format!("open\n{}\n", url.expose()));

    script("echo \"gio: $2: Operation not supported\" >&2; exit 1");
    let e = open_recording(&desktop, &url).unwrap_err();
    assert!(!e.message.contains("token"), "{}", e.message);
    assert!(e.message.contains("web browser"), "{}", e.message);
    let bad = clickdial_core::Secret::new("file:///etc/passwd");
    assert!(open_recording(&desktop, &bad).is_err());
}
