//! The dial service against the simulator on loopback, with a real ledger and settings file in
//! a temporary folder: one rule set for every entry point.

use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::Arc;
use std::time::Duration;

use clickdial_core::api::Credentials;
use clickdial_core::settings::SignIn;
use clickdial_core::types::BaseUrl;
use clickdial_core::Secret;
use clickdial_services::accounts::{self, AccountKey};
use clickdial_services::dialer::{DialInput, Dialer, Session, WallClock};
use clickdial_services::ledger::{CallState, Ledger, Source, LEDGER_FILE};
use clickdial_services::settings_file::{SettingsFile, SETTINGS_FILE};
use clickdial_services::Code;
use clickdial_sim::{Account, Fault, Sim, DEMO_TOKEN};

const AGENT: &str = "0506123456781";

struct World {
    _dir: tempfile::TempDir,
    sim: Sim,
    dialer: Dialer,
    settings: SettingsFile,
    now: Arc<AtomicI64>,
    session: Session,
}

impl World {
    async fn new() -> World {
        let dir = tempfile::tempdir().unwrap();
        let sim = Sim::spawn(Account::demo()).await.unwrap();
        let settings = SettingsFile::new(dir.path().join(SETTINGS_FILE));
        let url = BaseUrl::parse(&sim.url()).unwrap();
        settings
            .update(|s| {
                s.provider = Some("custom".into());
                s.base_url = Some(url.to_string());
            })
            .unwrap();
        let (ledger, _) = Ledger::open(&dir.path().join(LEDGER_FILE)).unwrap();
        let now = Arc::new(AtomicI64::new(1_800_000_000_000));
        let clock: WallClock = {
            let now = now.clone();
            Arc::new(move || now.load(Ordering::SeqCst))
        };
        let dialer = Dialer::new(Arc::new(ledger), settings.clone(), clock);
        let session = Session {
            key: AccountKey::new(&url, SignIn::Token, None),
            client: accounts::client(&url, Credentials::Token(Secret::new(DEMO_TOKEN))).unwrap(),
            saved: true,
        };
        World {
            _dir: dir,
            sim,
            dialer,
            settings,
            now,
            session,
        }
    }

    fn advance(&self, d: Duration) {
        self.now.fetch_add(d.as_millis() as i64, Ordering::SeqCst);
    }

    fn input(&self, number: &str) -> DialInput {
        DialInput {
            caller_id: Some("+91 80650 00101".into()),
            ..DialInput::new(number, AGENT, Source::Window)
        }
    }

    fn now(&self) -> i64 {
        self.now.load(Ordering::SeqCst)
    }

    fn dials(&self) -> usize {
        self.sim.requests_to("/click_to_call").len()
    }
}

#[tokio::test]
async fn a_dial_is_sent_once_recorded_and_remembered() {
    let w = World::new().await;
    let out = w
        .dialer
        .dial(&w.session, w.input("098765 43210"))
        .await
        .unwrap();
    assert_eq!(out.e164, "+919876543210");
    assert_eq!(out.international, "+91 98765 43210");
    let reqs = w.sim.requests_to("/click_to_call");
    assert_eq!(reqs.len(), 1);
    assert_eq!(reqs[0].body["destination_number"], "919876543210");
    assert_eq!(
        reqs[0].body["caller_id"], "918065000101",
        "the DID's digits"
    );
    assert_eq!(
        reqs[0].body["custom_identifier"],
        out.custom_identifier.as_str()
    );

    let row = w.dialer.ledger().get(out.call, w.now()).unwrap().unwrap();
    assert_eq!(row.state, CallState::Queued);
    assert_eq!(row.ref_id, out.ref_id);
    assert_eq!(row.custom_identifier, out.custom_identifier);
    assert_eq!(row.source, Source::Window);
    assert_eq!(row.caller_id.as_deref(), Some("918065000101"));

    let s = w.settings.read().settings();
    assert_eq!(s.last_agent.as_deref(), Some(AGENT));
    assert_eq!(s.last_caller_for(AGENT), Some("918065000101"));

    // The same picks again: the settings file is not written at all.
    let stamp = w.settings.stamp();
    w.dialer
        .dial(&w.session, w.input("9876543211"))
        .await
        .unwrap();
    assert_eq!(w.settings.stamp(), stamp);
    // Same agent, another caller ID: remembered for that agent.
    let other_caller = DialInput {
        caller_id: Some("918065000102".into()),
        ..DialInput::new("9876543212", AGENT, Source::Window)
    };
    w.dialer.dial(&w.session, other_caller).await.unwrap();
    let s = w.settings.read().settings();
    assert_eq!(s.last_caller_for(AGENT), Some("918065000102"));
    // Another agent with no caller ID: that agent becomes the last one.
    let other_agent = DialInput::new("9876543213", "0506123456782", Source::Window);
    w.dialer.dial(&w.session, other_agent).await.unwrap();
    let s = w.settings.read().settings();
    assert_eq!(s.last_agent.as_deref(), Some("0506123456782"));
    assert_eq!(s.last_caller_for(AGENT), Some("918065000102"));
}

#[tokio::test]
async fn the_guard_is_per_server() {
    let w = World::new().await;
    let other = World::new().await;
    w.dialer
        .dial(&w.session, w.input("9876543210"))
        .await
        .unwrap();
    // The same dialer (one ledger), another server: not a repeat.
    w.dialer
        .dial(&other.session, w.input("9876543210"))
        .await
        .unwrap();
    assert_eq!((w.dials(), other.dials()), (1, 1));
}

#[tokio::test]
async fn concurrent_dials_of_one_number_send_one_request() {
    let w = World::new().await;
    w.sim
        .inject(Fault::delay(Duration::from_millis(200)).on("/click_to_call"));
    let (a, b) = tokio::join!(
        w.dialer.dial(&w.session, w.input("9876543210")),
        w.dialer.dial(&w.session, w.input("+91 98765 43210"))
    );
    let codes: Vec<_> = [&a, &b]
        .iter()
        .map(|r| r.as_ref().err().map(|e| e.code))
        .collect();
    assert!(
        codes.contains(&None) && codes.contains(&Some(Code::Busy)),
        "{a:?} {b:?}"
    );
    assert_eq!(w.dials(), 1);
    // A repeat right after is a bounce, in words an agent understands.
    w.advance(Duration::from_secs(3));
    let e = w
        .dialer
        .dial(&w.session, w.input("9876543210"))
        .await
        .unwrap_err();
    assert_eq!(e.code, Code::Busy);
    assert!(
        e.message
            .contains("Already dialled +91 98765 43210 3 s ago"),
        "{}",
        e.message
    );
    w.advance(Duration::from_secs(3));
    w.dialer
        .dial(&w.session, w.input("9876543210"))
        .await
        .unwrap();
    assert_eq!(w.dials(), 2);
}

#[tokio::test]
async fn an_unknown_outcome_blocks_a_quick_repeat_but_a_refusal_does_not() {
    let w = World::new().await;
    w.sim.inject(Fault::respond(502, "").on("/click_to_call"));
    let e = w
        .dialer
        .dial(&w.session, w.input("9876543210"))
        .await
        .unwrap_err();
    assert_eq!(e.code, Code::UnknownOutcome);
    assert!(
        e.message.contains("may or may not have been placed"),
        "{}",
        e.message
    );
    let repeat = w
        .dialer
        .dial(&w.session, w.input("9876543210"))
        .await
        .unwrap_err();
    assert_eq!(repeat.code, Code::Busy);
    assert_eq!(w.dials(), 1, "never resent");

    w.sim.inject(
        Fault::respond(
            422,
            r#"{"destination_number":"The destination number must be between 10 and 15 digits."}"#,
        )
        .on("/click_to_call"),
    );
    let e = w
        .dialer
        .dial(&w.session, w.input("9876543211"))
        .await
        .unwrap_err();
    assert_eq!(e.code, Code::Rejected);
    assert!(e.message.starts_with("The call was not placed."));
    // Certainly not placed: the agent may fix and retry at once.
    w.dialer
        .dial(&w.session, w.input("9876543211"))
        .await
        .unwrap();
    assert_eq!(w.dials(), 3);
    let rows = w.dialer.ledger().recent(10, w.now()).unwrap();
    let states: Vec<CallState> = rows.iter().map(|r| r.state).collect();
    assert_eq!(
        states,
        [CallState::Queued, CallState::NotPlaced, CallState::Unknown]
    );
}

#[tokio::test]
async fn a_dial_dropped_half_way_reads_as_may_have_been_placed() {
    let w = World::new().await;
    w.sim
        .inject(Fault::delay(Duration::from_secs(5)).on("/click_to_call"));
    let dial = w.dialer.dial(&w.session, w.input("9876543210"));
    // Cancelled while the server has the request (as a panic or a closed window would).
    assert!(tokio::time::timeout(Duration::from_millis(300), dial)
        .await
        .is_err());
    let rows = w.dialer.ledger().recent(10, w.now()).unwrap();
    assert_eq!(rows[0].state, CallState::Unknown);
    let e = w
        .dialer
        .dial(&w.session, w.input("9876543210"))
        .await
        .unwrap_err();
    assert_eq!(e.code, Code::Busy);
}

#[tokio::test]
async fn one_rule_set_for_every_input() {
    let w = World::new().await;
    let cases = [
        (
            DialInput::new("98765abcde", AGENT, Source::Cli),
            Code::InvalidNumber,
        ),
        (
            DialInput::new("9876543210", " ", Source::Cli),
            Code::InvalidInput,
        ),
        (
            DialInput::new("9876543210", "05 06", Source::Link),
            Code::InvalidInput,
        ),
        (
            DialInput {
                call_timeout: Some(30),
                ..DialInput::new("9876543210", AGENT, Source::Cli)
            },
            Code::InvalidInput,
        ),
        (
            DialInput {
                caller_id: Some("Sales line".into()),
                ..DialInput::new("9876543210", AGENT, Source::Window)
            },
            Code::InvalidInput,
        ),
        (
            DialInput {
                region: Some("Narnia".into()),
                ..DialInput::new("9876543210", AGENT, Source::Cli)
            },
            Code::InvalidInput,
        ),
    ];
    for (input, code) in cases {
        let e = w.dialer.dial(&w.session, input.clone()).await.unwrap_err();
        assert_eq!(e.code, code, "{input:?}: {}", e.message);
    }
    assert_eq!(w.dials(), 0, "nothing invalid is sent");
    assert!(w.dialer.ledger().recent(10, w.now()).unwrap().is_empty());

    let out = w
        .dialer
        .dial(
            &w.session,
            DialInput {
                call_timeout: Some(90),
                region: Some("us".into()),
                ..DialInput::new("(415) 555-0123", AGENT, Source::Cli)
            },
        )
        .await
        .unwrap();
    assert_eq!(out.e164, "+14155550123");
    assert_eq!(
        w.sim.requests_to("/click_to_call")[0].body["call_timeout"],
        90
    );
}

#[tokio::test]
async fn picks_are_remembered_only_for_the_saved_account_it_still_names() {
    let w = World::new().await;
    let demo = Session {
        saved: false,
        ..World::new().await.session
    };
    // The demo (or an environment token) never writes picks.
    w.dialer.dial(&demo, w.input("9876543210")).await.ok();
    assert_eq!(w.settings.read().settings().last_agent, None);

    // The settings now name another server: a late dial of the old account writes nothing.
    w.settings
        .update(|s| s.base_url = Some("https://api.servetel.in/v1".into()))
        .unwrap();
    w.dialer
        .dial(&w.session, w.input("9876543211"))
        .await
        .unwrap();
    assert_eq!(w.settings.read().settings().last_agent, None);
}
