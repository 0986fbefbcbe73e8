//! Team awareness through the platform (issue 26, item 3): before a confirm sheet, one
//! `live_calls` read says whether a colleague is on a call with that customer. Against the
//! simulator, with a colleague's call placed from "another desk".

use std::sync::Arc;

use clickdial_core::Secret;
use clickdial_services::app::{Clickdial, Options, Overrides};
use clickdial_services::ledger::Source;
use clickdial_services::secrets::MemoryStore;
use clickdial_services::settings_file::{SettingsFile, SETTINGS_FILE};
use clickdial_sim::{Account, Sim, DEMO_TOKEN};

const ME: &str = "0506123456781";
/// Vikram Singh, in the demo account.
const COLLEAGUE: &str = "0506123456782";

async fn world() -> (tempfile::TempDir, Sim, Clickdial) {
    let dir = tempfile::tempdir().unwrap();
    let sim = Sim::spawn(Account::demo()).await.unwrap();
    // The calls stay live for the whole test.
    sim.set_timings(clickdial_testkit::timings(60_000, 1_000, 60_000, 10));
    SettingsFile::new(dir.path().join(SETTINGS_FILE))
        .update(|s| s.me = Some(ME.to_string()))
        .unwrap();
    let app = Clickdial::open(
        Arc::new(MemoryStore::default()),
        dir.path(),
        Options {
            overrides: Overrides {
                base_url: Some(sim.url()),
                token: Some(Secret::new(DEMO_TOKEN)),
            },
            ..Options::default()
        },
    );
    (dir, sim, app)
}

#[tokio::test]
async fn the_sheet_names_a_colleague_on_a_call_with_the_customer_and_a_burst_costs_one_read() {
    let (_dir, sim, app) = world().await;
    sim.place_call(COLLEAGUE, "919876543210")
        .expect("the colleague's call");
    // A burst of three links to that customer: one sheet, one read.
    for _ in 0..3 {
        app.receive("tel:+91-98765-43210", Source::Link).await;
        app.check_colleagues().await;
    }
    assert_eq!(
        sim.requests_to("/live_calls").len(),
        1,
        "one read for the burst"
    );
    let state = app.link_state();
    let request = state.request.expect("the sheet asks");
    assert_eq!(request.count, 3);
    let colleague = state.colleague.expect("the colleague is named");
    assert_eq!(colleague.agent, "Vikram Singh");
    assert!(
        colleague
            .message
            .starts_with("Vikram Singh is on a call with +91 98765 43210"),
        "{}",
        colleague.message
    );
    assert!(
        sim.requests_to("/click_to_call").is_empty(),
        "it never dials"
    );
}

#[tokio::test]
async fn nobody_else_on_a_call_says_nothing() {
    let (_dir, sim, app) = world().await;
    // A colleague on a call with someone else; nothing with this customer.
    sim.place_call(COLLEAGUE, "919876500000").unwrap();
    app.receive("tel:+919876543210", Source::Link).await;
    assert!(!app.check_colleagues().await);
    assert_eq!(app.link_state().colleague, None);
    assert_eq!(sim.requests_to("/live_calls").len(), 1);
}

#[tokio::test]
async fn the_agents_own_call_is_not_a_colleagues() {
    let (_dir, sim, app) = world().await;
    sim.place_call(ME, "919876543210").unwrap();
    app.receive("tel:+919876543210", Source::Link).await;
    app.check_colleagues().await;
    assert_eq!(app.link_state().colleague, None);
}

/// The window's own Call (issue 26 item 3): off by default it costs no request; turned on, one
/// read names the colleague, and text that is not a number sends nothing.
#[tokio::test]
async fn the_window_checks_the_team_before_a_dial_only_when_the_agent_turned_it_on() {
    let (dir, sim, app) = world().await;
    sim.place_call(COLLEAGUE, "919876543210").unwrap();
    assert_eq!(app.colleague_before_dial("98765 43210", None).await, None);
    assert!(
        sim.requests_to("/live_calls").is_empty(),
        "off: nothing more than the dial is sent"
    );

    SettingsFile::new(dir.path().join(SETTINGS_FILE))
        .update(|s| s.team_check = true)
        .unwrap();
    assert_eq!(app.colleague_before_dial("not a number", None).await, None);
    assert!(sim.requests_to("/live_calls").is_empty());
    let found = app
        .colleague_before_dial("098765 43210", Some("IN"))
        .await
        .expect("the colleague is named");
    assert_eq!(found.agent, "Vikram Singh");
    assert_eq!(found.number, "+91 98765 43210");
    // Another customer: nobody, from the same read.
    assert_eq!(app.colleague_before_dial("+919876500000", None).await, None);
    assert_eq!(sim.requests_to("/live_calls").len(), 1);
    assert!(
        sim.requests_to("/click_to_call").is_empty(),
        "it never dials"
    );
}

/// A slow platform never holds up the window's Call for long: past the wait, the check says
/// nobody and the agent's dial goes ahead.
#[tokio::test]
async fn a_slow_team_check_gives_up_within_moments() {
    let (dir, sim, app) = world().await;
    sim.place_call(COLLEAGUE, "919876543210").unwrap();
    SettingsFile::new(dir.path().join(SETTINGS_FILE))
        .update(|s| s.team_check = true)
        .unwrap();
    // Signed in first, so only the live read is slow.
    app.session().await.unwrap();
    sim.inject(clickdial_sim::Fault::delay(std::time::Duration::from_secs(10)).on("/live_calls"));
    let started = std::time::Instant::now();
    assert_eq!(app.colleague_before_dial("98765 43210", None).await, None);
    let waited = started.elapsed();
    assert!(
        waited >= clickdial_services::app::team::TEAM_CHECK_WAIT
            && waited < std::time::Duration::from_secs(4),
        "{waited:?}"
    );
}
