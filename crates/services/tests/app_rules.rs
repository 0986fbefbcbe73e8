//! The application's rules (`clickdial_services::app`), on the real [`Clickdial`] every front end
//! opens: a temporary data folder (settings file, call ledger), the simulator on loopback reached
//! through the session the environment gives (as `clickdial call` opens it), and a wall clock of
//! the test's own, so every limit is tested on both sides of it.
//!
//! No follower, as in the CLI: the live-call rules here are the ledger's path (a call whose end
//! is not known, placed within the longest call time, confirmed by one `live_calls` read). The
//! window's follower speaks before it and is tested with the follower.

use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::Arc;
use std::time::Duration;

use clickdial_core::api::Outcome;
use clickdial_core::settings::{Settings, MAX_HISTORY_DAYS};
use clickdial_core::Secret;
use clickdial_services::app::{Clickdial, Options, Overrides, Picks, Preferences};
use clickdial_services::dialer::{DialInput, DialOutcome, WallClock};
use clickdial_services::error::Detail;
use clickdial_services::ledger::{
    wall_clock_ms, CallState, Finish, HistoryQuery, Ledger, NewCall, Progress, Source,
    BOUNCE_WINDOW, LEDGER_FILE,
};
use clickdial_services::secrets::MemoryStore;
use clickdial_services::settings_file::{SettingsFile, SETTINGS_FILE};
use clickdial_services::{Code, Error};
use clickdial_sim::{Account, Fault, Recorded, Sim, DEMO_TOKEN};

const AGENT: &str = "0506123456781";
const COLLEAGUE: &str = "0506123456782";
/// "98765 43210", as the ledger keeps it.
const NUMBER: &str = "+919876543210";
const DAY_MS: i64 = 86_400_000;
const BOUNCE_MS: i64 = BOUNCE_WINDOW.as_millis() as i64;

struct World {
    dir: tempfile::TempDir,
    sim: Sim,
    app: Clickdial,
    now: Arc<AtomicI64>,
}

impl World {
    /// The application with default settings, its clock at the real time.
    async fn new() -> World {
        World::with(|_| {}, wall_clock_ms()).await
    }

    /// The application with `settings` changed in its file before it opens, its clock at
    /// `now_ms`.
    async fn with(settings: impl FnOnce(&mut Settings), now_ms: i64) -> World {
        let dir = tempfile::tempdir().unwrap();
        let sim = Sim::spawn(Account::demo()).await.unwrap();
        // The agent's phone rings for two minutes: every call stays live for the whole test,
        // whatever the test's clock says.
        sim.set_timings(clickdial_testkit::timings(120_000, 1_000, 60_000, 10));
        SettingsFile::new(dir.path().join(SETTINGS_FILE))
            .update(settings)
            .unwrap();
        let now = Arc::new(AtomicI64::new(now_ms));
        let clock: WallClock = {
            let now = now.clone();
            Arc::new(move || now.load(Ordering::SeqCst))
        };
        let app = Clickdial::open(
            Arc::new(MemoryStore::default()),
            dir.path(),
            Options {
                overrides: Overrides {
                    base_url: Some(sim.url()),
                    token: Some(Secret::new(DEMO_TOKEN)),
                },
                clock: Some(clock),
                ..Options::default()
            },
        );
        World { dir, sim, app, now }
    }

    fn advance_ms(&self, ms: i64) {
        self.now.fetch_add(ms, Ordering::SeqCst);
    }

    fn now(&self) -> i64 {
        self.now.load(Ordering::SeqCst)
    }

    async fn dial(&self, number: &str, agent: &str) -> Result<DialOutcome, Error> {
        self.app
            .dial(DialInput::new(number, agent, Source::Cli))
            .await
    }

    /// Dial requests that reached the server.
    fn dials(&self) -> usize {
        self.sim.requests_to("/click_to_call").len()
    }

    fn live_reads(&self) -> Vec<Recorded> {
        self.sim.requests_to("/live_calls")
    }

    fn ledger(&self) -> &Arc<Ledger> {
        self.app.dialer().unwrap().ledger()
    }

    fn settings(&self) -> Settings {
        self.app.settings()
    }

    /// A finished call to `e164` placed at `at_ms`, as an earlier process left it.
    fn old_call(&self, e164: &str, at_ms: i64) -> i64 {
        let id = self
            .ledger()
            .begin(
                &NewCall {
                    account: "elsewhere",
                    e164,
                    ext: None,
                    agent: AGENT,
                    caller_id: None,
                    source: Source::Window,
                    custom_identifier: &format!("old-{at_ms}"),
                },
                at_ms,
            )
            .unwrap();
        self.ledger()
            .finish(id, Finish::NotPlaced { reason: "test" }, at_ms)
            .unwrap();
        id
    }

    /// The numbers the ledger holds, oldest first.
    fn kept(&self) -> Vec<String> {
        let mut rows = self.ledger().recent(100, self.now()).unwrap();
        rows.reverse();
        rows.into_iter().map(|r| r.e164).collect()
    }
}

fn live_call(e164: &str) -> Option<Detail> {
    Some(Detail::LiveCall { e164: e164.into() })
}

fn agent_busy(agent: &str, number: &str) -> Option<Detail> {
    Some(Detail::AgentBusy {
        agent: agent.into(),
        number: number.into(),
    })
}

fn asked_for_agent(read: &Recorded) -> Option<String> {
    read.query
        .split('&')
        .find_map(|kv| kv.strip_prefix("agent_number="))
        .map(str::to_string)
}

// ---------------------------------------------------------------------------------------------
// The live-call rules: the ledger's path

/// A number whose call may still be live is not dialled again, from the moment the ledger's
/// guard (5 s, counted from the reply) stops speaking for it: the ledger's call costs one
/// `live_calls` read, and the row found proves it live.
#[tokio::test]
async fn a_number_whose_call_may_be_live_is_not_dialled_again() {
    let w = World::new().await;
    let first = w.dial("98765 43210", AGENT).await.unwrap();
    assert_eq!(first.e164, NUMBER);
    assert_eq!(
        first.call_id, None,
        "async dials get no call id: proved by number"
    );

    // Within the guard's window: its refusal, and no read.
    w.advance_ms(BOUNCE_MS - 1);
    let e = w.dial(NUMBER, AGENT).await.unwrap_err();
    assert_eq!(e.code, Code::Busy);
    assert!(matches!(e.detail, Some(Detail::Repeat { .. })), "{e:?}");
    assert!(w.live_reads().is_empty());

    // At its end (the reply came within the millisecond of the dial): the live rule's.
    w.advance_ms(1);
    let e = w.dial(NUMBER, AGENT).await.unwrap_err();
    assert_eq!(e.code, Code::Busy);
    assert_eq!(e.detail, live_call(NUMBER));
    assert_eq!(
        e.message,
        "A call to +91 98765 43210 is in progress. Hang up first, or wait for it to end."
    );
    assert_eq!(w.dials(), 1, "nothing sent");
    let reads = w.live_reads();
    assert_eq!(reads.len(), 1, "one read");
    assert_eq!(
        asked_for_agent(&reads[0]).as_deref(),
        Some(AGENT),
        "only the agent's calls: the call found is theirs"
    );

    // A colleague dialling the same number is refused too; the read then lists every agent's
    // calls, since the call found is not theirs.
    let e = w.dial("098765 43210", COLLEAGUE).await.unwrap_err();
    assert_eq!(e.detail, live_call(NUMBER));
    let reads = w.live_reads();
    assert_eq!(reads.len(), 2);
    assert_eq!(asked_for_agent(&reads[1]), None, "{}", reads[1].query);
    assert_eq!(w.dials(), 1);
}

/// Live calls are account-wide on real accounts: a colleague talking to the same customer,
/// while our own earlier call is not listed (our agent's phone never answered, and this
/// account lists a call only once its agent answered), proves nothing about ours. Neither the
/// number rule nor the agent rule refuses on the colleague's row (before, both did).
#[tokio::test]
async fn a_colleagues_live_call_proves_nothing_about_ours() {
    let w = World::new().await;
    w.sim.set_shapes(clickdial_sim::Shapes {
        listed_once_agent_answers: true,
        ..clickdial_sim::Shapes::default()
    });
    w.dial("98765 43210", AGENT).await.unwrap();
    // The colleague's call to the same customer, answered at once.
    w.sim
        .set_timings(clickdial_testkit::timings(10, 10, 60_000, 10));
    w.sim.place_call(COLLEAGUE, "919876543210").unwrap();
    tokio::time::sleep(Duration::from_millis(100)).await;
    w.advance_ms(BOUNCE_MS);
    // Our agent, another number: not "on a call" by the colleague's row.
    w.dial("98765 00001", AGENT).await.unwrap();
    w.advance_ms(BOUNCE_MS);
    // The same number again, by a third agent: the colleague's row is not our call.
    w.dial("98765 43210", "0506123456783").await.unwrap();
    assert_eq!(w.dials(), 3);
    assert!(!w.live_reads().is_empty(), "the rows were read, and judged");
}

/// An agent on a call is not rung for another number; a colleague (a supervisor dialling for
/// others) is not held up by it. The words say "you" to the user who is that agent.
#[tokio::test]
async fn an_agent_on_a_call_is_not_rung_for_another() {
    let w = World::new().await;
    w.dial("98765 43210", AGENT).await.unwrap();
    w.advance_ms(BOUNCE_MS);

    let e = w.dial("98765 43211", AGENT).await.unwrap_err();
    assert_eq!(e.code, Code::Busy);
    assert_eq!(e.detail, agent_busy(AGENT, "+91 98765 43210"));
    assert_eq!(
        e.message,
        "Agent 0506123456781 is on a call with +91 98765 43210: hang up first, or choose \
         another agent."
    );
    assert_eq!(w.dials(), 1, "nothing sent");
    let reads = w.live_reads();
    assert_eq!(reads.len(), 1);
    assert_eq!(asked_for_agent(&reads[0]).as_deref(), Some(AGENT));

    // The user who is that agent is told in their own words.
    w.app.set_me(Some(AGENT.into())).unwrap();
    let e = w.dial("98765 43211", AGENT).await.unwrap_err();
    assert_eq!(e.detail, agent_busy(AGENT, "+91 98765 43210"));
    assert_eq!(
        e.message,
        "You are on a call with +91 98765 43210: hang up first."
    );

    // A colleague, to a third number: nothing in the ledger concerns them, so nothing is
    // asked of the server, and the call is placed.
    let reads = w.live_reads().len();
    w.dial("98765 43212", COLLEAGUE).await.unwrap();
    assert_eq!(w.dials(), 2);
    assert_eq!(w.live_reads().len(), reads, "no read");
}

/// The ledger's path looks back the longest call time plus two minutes of ringing: the
/// agent's setting, else an hour. Exactly that long ago a call still counts; a millisecond
/// more and it is not even looked at.
#[tokio::test]
async fn the_longest_call_time_bounds_the_search() {
    for (call_timeout, longest_s) in [(Some(600), 720), (None, 3720)] {
        let w = World::with(|s| s.call_timeout = call_timeout, wall_clock_ms()).await;
        w.dial("98765 43210", AGENT).await.unwrap();
        w.advance_ms(longest_s * 1000);
        let e = w.dial(NUMBER, AGENT).await.unwrap_err();
        assert_eq!(e.detail, live_call(NUMBER), "{call_timeout:?}");
        // The agent rule looks back as far.
        let e = w.dial("98765 43211", AGENT).await.unwrap_err();
        assert_eq!(
            e.detail,
            agent_busy(AGENT, "+91 98765 43210"),
            "{call_timeout:?}"
        );
        assert_eq!(w.live_reads().len(), 2);

        w.advance_ms(1);
        w.dial("98765 43211", AGENT).await.unwrap();
        w.dial(NUMBER, AGENT).await.unwrap();
        assert_eq!(w.dials(), 3, "{call_timeout:?}");
        assert_eq!(w.live_reads().len(), 2, "not looked at: {call_timeout:?}");
    }
}

/// Only a call whose end is not known is a candidate: one known ended, or certainly not
/// placed, costs no read; one that may have been placed (its answer lost) is checked, and
/// dialled again when the server does not list it.
#[tokio::test]
async fn only_calls_whose_end_is_unknown_are_checked() {
    let w = World::new().await;
    // Ended, as the window's follower records it.
    let ended = w.dial("98765 43210", AGENT).await.unwrap();
    w.ledger()
        .record_progress(
            ended.call,
            &Progress {
                call_id: None,
                outcome: Some(Outcome::Answered),
                talk_s: Some(30),
                ended_at_ms: Some(w.now()),
                ..Progress::default()
            },
        )
        .unwrap();
    // Not placed: the server refused it (a blocked agent).
    let e = w.dial("98765 43220", "0506123456784").await.unwrap_err();
    assert_eq!(e.code, Code::Rejected);
    w.advance_ms(BOUNCE_MS);
    w.dial(NUMBER, AGENT).await.unwrap();
    w.dial("98765 43220", COLLEAGUE).await.unwrap();
    assert_eq!(w.dials(), 4);
    assert!(w.live_reads().is_empty(), "no read");

    // May have been placed: the server's answer was lost.
    w.sim
        .inject(Fault::respond(500, "oops").on("/click_to_call").times(1));
    let e = w.dial("98765 43230", "0506123456783").await.unwrap_err();
    assert_eq!(e.code, Code::UnknownOutcome);
    let row = w.ledger().recent(1, w.now()).unwrap().remove(0);
    assert_eq!(row.state, CallState::Unknown);
    w.advance_ms(BOUNCE_MS);
    w.dial("98765 43230", "0506123456783").await.unwrap();
    assert_eq!(w.live_reads().len(), 1, "checked");
    assert_eq!(w.dials(), 6, "not listed: dialled");
}

/// With a call id, a live row proves a call only by that id: a colleague's call to the same
/// number, listed live, is not ours.
#[tokio::test]
async fn a_call_id_decides_which_live_row_is_ours() {
    let w = World::new().await;
    let ours = w.dial("98765 43210", AGENT).await.unwrap();
    let listed = w.sim.calls()[0].call_id.clone();
    let with_id = |id: &str| {
        w.ledger()
            .record_progress(
                ours.call,
                &Progress {
                    call_id: Some(id),
                    ..Progress::default()
                },
            )
            .unwrap()
    };
    with_id(&listed);
    w.advance_ms(BOUNCE_MS);
    let e = w.dial(NUMBER, AGENT).await.unwrap_err();
    assert_eq!(e.detail, live_call(NUMBER));

    with_id("1700000000.999");
    w.dial(NUMBER, AGENT).await.unwrap();
    assert_eq!(w.dials(), 2);
}

/// A call the server listed from before our dial (less the ring slack) is someone else's
/// earlier call, not ours: the customer's number alone does not prove it.
#[tokio::test]
async fn a_live_row_from_before_the_dial_is_not_ours() {
    // Our clock is three minutes ahead of the server's: its row started "before" our dial by
    // more than the two minutes of slack.
    let w = World::with(|_| {}, wall_clock_ms() + 180_000).await;
    w.dial("98765 43210", AGENT).await.unwrap();
    w.advance_ms(BOUNCE_MS);
    w.dial(NUMBER, AGENT).await.unwrap();
    assert_eq!(w.live_reads().len(), 1, "checked");
    assert_eq!(w.dials(), 2, "not proved ours: dialled");

    // A minute ahead is within the slack: proved.
    let w = World::with(|_| {}, wall_clock_ms() + 60_000).await;
    w.dial("98765 43210", AGENT).await.unwrap();
    w.advance_ms(BOUNCE_MS);
    let e = w.dial(NUMBER, AGENT).await.unwrap_err();
    assert_eq!(e.detail, live_call(NUMBER));
}

/// Times are not trusted: a clock at the ends of its range (and the ledger's times with it)
/// must neither panic nor skip the check. Far in the future, the server's row started long
/// "before" our dial, so it proves nothing and the number is dialled.
#[tokio::test]
async fn an_absurd_clock_neither_panics_nor_skips_the_check() {
    for (start, proved) in [
        (i64::MIN + 1, true),
        (0, true),
        (i64::MAX - 10 * BOUNCE_MS, false),
    ] {
        let w = World::with(|_| {}, start).await;
        w.dial("98765 43210", AGENT).await.unwrap();
        w.advance_ms(BOUNCE_MS);
        let again = w.dial(NUMBER, AGENT).await;
        assert_eq!(w.live_reads().len(), 1, "checked, clock at {start}");
        if proved {
            assert_eq!(again.unwrap_err().detail, live_call(NUMBER), "{start}");
            let e = w.dial("98765 43211", AGENT).await.unwrap_err();
            assert_eq!(e.detail, agent_busy(AGENT, "+91 98765 43210"), "{start}");
            assert_eq!(w.dials(), 1);
        } else {
            again.unwrap();
            assert_eq!(w.dials(), 2);
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Preferences, retention, identity, picks

fn prefs(region: &str) -> Preferences {
    Preferences {
        region: region.into(),
        ..Preferences::default()
    }
}

/// The Settings page's preferences: checked, then saved through the one writer; a refused
/// change saves nothing.
#[tokio::test]
async fn preferences_are_checked_before_anything_is_saved() {
    let w = World::new().await;
    let refused = |p: Preferences| {
        let e = w.app.save_preferences(p).unwrap_err();
        assert_eq!(e.code, Code::InvalidInput, "{e:?}");
        e.message
    };

    // The longest history: ten years exactly, not a day more.
    w.app
        .save_preferences(Preferences {
            history_days: Some(MAX_HISTORY_DAYS),
            ..prefs("us")
        })
        .unwrap();
    assert_eq!(w.settings().history_days, MAX_HISTORY_DAYS);
    assert_eq!(w.settings().region, "US", "a region code in any case");
    let message = refused(Preferences {
        history_days: Some(MAX_HISTORY_DAYS + 1),
        ..prefs("IN")
    });
    assert!(message.contains("at most ten years"), "{message}");
    assert_eq!(w.settings().history_days, MAX_HISTORY_DAYS);
    assert_eq!(w.settings().region, "US", "nothing saved");
    for days in [0, 1, 30] {
        w.app
            .save_preferences(Preferences {
                history_days: Some(days),
                ..prefs("US")
            })
            .unwrap();
        assert_eq!(w.settings().history_days, days);
    }

    // The region and the longest call are checked too.
    let message = refused(prefs("Narnia"));
    assert!(message.contains("not a region code"), "{message}");
    let message = refused(Preferences {
        call_timeout: Some(59),
        ..prefs("IN")
    });
    assert!(
        message.contains("between 1 minute and 4 hours"),
        "{message}"
    );
    assert_eq!(w.settings().region, "US");

    // Every field, then `None` leaves each as it is (the region and the longest call are
    // always given: the page sends them).
    w.app
        .save_preferences(Preferences {
            region: "GB".into(),
            call_timeout: Some(600),
            links_without_asking: Some(true),
            hotkey: Some(Some("ctrl+alt+k".into())),
            hang_up_hotkey: Some(Some("ctrl+alt+j".into())),
            start_hidden: Some(true),
            history_days: Some(90),
            notify: Some(true),
            choose_agent_each_call: Some(true),
            team_check: Some(true),
            after_call: Some(Some(("post".into(), "https://crm.example.com/hook".into()))),
        })
        .unwrap();
    w.app.save_preferences(prefs("GB")).unwrap();
    let s = w.settings();
    assert_eq!((s.region.as_str(), s.call_timeout), ("GB", None));
    assert!(s.links_without_asking && s.start_hidden && s.notify && s.choose_agent_each_call);
    assert!(s.team_check);
    assert_eq!(s.hotkey.as_deref(), Some("ctrl+alt+k"));
    assert_eq!(s.hang_up_hotkey.as_deref(), Some("ctrl+alt+j"));
    assert_eq!(s.history_days, 90);
    assert_eq!(
        s.after_call,
        Some(clickdial_core::handoff::Target::Post(
            "https://crm.example.com/hook".into()
        ))
    );
    // Back to the default shortcut.
    w.app
        .save_preferences(Preferences {
            hotkey: Some(None),
            ..prefs("GB")
        })
        .unwrap();
    assert_eq!(w.settings().hotkey, None);
}

/// "Keep call history": 0 keeps every call; N days deletes the calls placed more than N days
/// ago, and keeps one placed exactly N days ago.
#[tokio::test]
async fn retention_deletes_only_what_is_older_than_the_setting() {
    let w = World::new().await;
    let now = w.now();
    w.old_call("+919800000001", now - 30 * DAY_MS - 1);
    w.old_call("+919800000002", now - 30 * DAY_MS);
    w.old_call("+919800000003", now - DAY_MS);
    let all = ["+919800000001", "+919800000002", "+919800000003"];

    SettingsFile::new(w.dir.path().join(SETTINGS_FILE))
        .update(|s| s.history_days = 0)
        .unwrap();
    assert_eq!(w.app.apply_retention(), 0, "always");
    assert_eq!(w.kept(), all);

    SettingsFile::new(w.dir.path().join(SETTINGS_FILE))
        .update(|s| s.history_days = 30)
        .unwrap();
    assert_eq!(w.app.apply_retention(), 1);
    assert_eq!(w.kept(), &all[1..]);
    assert_eq!(w.app.apply_retention(), 0, "nothing more");

    // A day later, the call of exactly thirty days ago goes too.
    w.advance_ms(DAY_MS);
    assert_eq!(w.app.apply_retention(), 1);
    assert_eq!(w.kept(), &all[2..]);
}

/// History as the app shows it to every front end: the retention rule applied first.
#[tokio::test]
async fn history_is_shown_within_the_history_kept() {
    let w = World::with(|s| s.history_days = 365, wall_clock_ms()).await;
    w.old_call("+919800000001", w.now() - 400 * DAY_MS);
    w.old_call("+919800000002", w.now() - 300 * DAY_MS);
    w.dial("98765 43210", AGENT).await.unwrap();
    let rows = w
        .app
        .history(&HistoryQuery {
            limit: 10,
            ..HistoryQuery::default()
        })
        .unwrap();
    let numbers: Vec<&str> = rows.iter().map(|r| r.e164.as_str()).collect();
    assert_eq!(numbers, [NUMBER, "+919800000002"], "newest first");
    assert_eq!(w.kept(), ["+919800000002", NUMBER], "deleted, not hidden");

    // Saving the setting applies it at once.
    w.app
        .save_preferences(Preferences {
            history_days: Some(30),
            ..prefs("IN")
        })
        .unwrap();
    assert_eq!(w.kept(), [NUMBER]);
}

/// The settings are read again at every use: a change another process (or a test) writes is
/// seen without reopening, the tray's grace period included.
#[tokio::test]
async fn settings_are_read_again_at_every_use() {
    let w = World::new().await;
    assert_eq!(w.settings().tray_grace(), Duration::from_secs(60));
    SettingsFile::new(w.dir.path().join(SETTINGS_FILE))
        .update(|s| s.tray_grace_secs = 0)
        .unwrap();
    assert_eq!(w.settings().tray_grace(), Duration::ZERO);
}

/// "This is me": an agent ID (trimmed), or nobody; anything else is refused and changes
/// nothing.
#[tokio::test]
async fn me_is_an_agent_id_or_nobody() {
    let w = World::new().await;
    w.app.set_me(Some(format!(" {AGENT} "))).unwrap();
    assert_eq!(w.settings().me.as_deref(), Some(AGENT));
    let e = w.app.set_me(Some("Asha; rm -rf".into())).unwrap_err();
    assert_eq!(e.code, Code::InvalidInput);
    assert_eq!(w.settings().me.as_deref(), Some(AGENT));
    w.app.set_me(None).unwrap();
    assert_eq!(w.settings().me, None);
}

/// The tray's picks: the saved ones until the tray chooses; the agent chosen in the tray is
/// "me" unless agents are chosen for each call; a caller ID chosen alone keeps the agent.
#[tokio::test]
async fn picks_follow_the_settings_until_the_tray_chooses() {
    let w = World::with(
        |s| {
            s.me = Some(AGENT.into());
            s.last_caller_by_agent = [
                (AGENT.to_string(), "918065000101".to_string()),
                (COLLEAGUE.to_string(), "918065000102".to_string()),
            ]
            .into();
        },
        wall_clock_ms(),
    )
    .await;
    let picks = |agent: &str, caller: &str| Picks {
        agent: Some(agent.into()),
        caller_id: Some(caller.into()),
    };
    assert_eq!(w.app.picks(), picks(AGENT, "918065000101"));

    let chosen = w.app.choose(Some(COLLEAGUE.into()), None).await;
    assert_eq!(chosen, picks(COLLEAGUE, "918065000102"), "their caller ID");
    assert_eq!(w.app.picks(), chosen);
    assert_eq!(w.settings().me.as_deref(), Some(COLLEAGUE));

    let chosen = w.app.choose(None, Some("918065000101".into())).await;
    assert_eq!(chosen, picks(COLLEAGUE, "918065000101"));
    assert_eq!(w.app.picks(), chosen);

    // A supervisor: the tray's agent is for the next calls, not who they are.
    let w = World::with(
        |s| {
            s.me = Some(AGENT.into());
            s.choose_agent_each_call = true;
            s.last_agent = Some(COLLEAGUE.into());
        },
        wall_clock_ms(),
    )
    .await;
    assert_eq!(
        w.app.picks(),
        Picks {
            agent: Some(COLLEAGUE.into()),
            caller_id: None
        },
        "the last agent used"
    );
    w.app.choose(Some("0506123456783".into()), None).await;
    assert_eq!(w.settings().me.as_deref(), Some(AGENT));
    assert_eq!(w.app.picks().agent.as_deref(), Some("0506123456783"));
}

/// Told once per installation where a closed window went.
#[tokio::test]
async fn the_tray_notice_is_given_once() {
    let w = World::new().await;
    w.app.take_notices();
    w.app.tell_once_about_tray();
    let notices = w.app.take_notices();
    assert_eq!(notices.len(), 1);
    assert!(
        notices[0].contains("still running in the tray"),
        "{notices:?}"
    );
    assert!(w.settings().tray_notice_shown);
    w.app.tell_once_about_tray();
    assert!(w.app.take_notices().is_empty());
}

/// The whole ledger is read for damage after opening: a healthy one says nothing; a damaged
/// one is kept aside, replaced, and the user told (once, also in the next status).
#[tokio::test]
async fn a_damaged_ledger_is_found_kept_aside_and_told() {
    let w = World::new().await;
    assert_eq!(w.app.verify_ledger(), None, "healthy");
    assert!(w.app.take_notices().is_empty());

    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join(LEDGER_FILE);
    {
        let (ledger, _) = Ledger::open(&path).unwrap();
        for i in 0..200 {
            let e164 = format!("+9198765{i:05}");
            let id = ledger
                .begin(
                    &NewCall {
                        account: "x",
                        e164: &e164,
                        ext: None,
                        agent: AGENT,
                        caller_id: None,
                        source: Source::Cli,
                        custom_identifier: &e164,
                    },
                    1_800_000_000_000 + i * 10_000,
                )
                .unwrap();
            ledger
                .finish(id, Finish::NotPlaced { reason: "test" }, 1_800_000_000_001)
                .unwrap();
        }
    }
    let mut bytes = std::fs::read(&path).unwrap();
    bytes[4096..].fill(0xA5);
    std::fs::write(&path, &bytes).unwrap();
    let app = Clickdial::open(
        Arc::new(MemoryStore::default()),
        dir.path(),
        Options::default(),
    );
    assert!(
        app.take_notices().is_empty(),
        "the quick open finds nothing"
    );
    let notice = app.verify_ledger().expect("the damage found");
    assert!(
        notice.contains(&dir.path().display().to_string()),
        "{notice}"
    );
    assert_eq!(app.take_notices(), [notice]);
    assert_eq!(app.verify_ledger(), None, "a new, healthy ledger");
}
