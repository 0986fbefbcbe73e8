//! What following one call costs the server: requests from the dial to the outcome, in the
//! platform's real timings (the agent's phone rings 3 s, the customer's 3 s, they talk 20 s,
//! the record appears 1 s after the end), replayed 25 times faster: the simulator's stages and
//! the follower's waits are both divided by 25, so the request counts are those of real time.
//! Also: an idle follower (no call) over a minute of (scaled) time, which must ask nothing.
//!
//! `cargo bench -p clickdial-services --bench follow`. Prints figures; asserts nothing about
//! time. Goals (issue 23): at most one live read per 2.5 s while live, at most 5 requests
//! for the outcome, none when idle.

use std::sync::Arc;
use std::time::{Duration, Instant};

use clickdial_core::api::Credentials;
use clickdial_core::follow::{Owner, POLL_EVERY};
use clickdial_core::settings::SignIn;
use clickdial_core::types::BaseUrl;
use clickdial_core::Secret;
use clickdial_services::accounts::{self, AccountKey};
use clickdial_services::dialer::{DialInput, Dialer, Session, WallClock};
use clickdial_services::follow::Follower;
use clickdial_services::ledger::{wall_clock_ms, Ledger, Source, LEDGER_FILE};
use clickdial_services::settings_file::{SettingsFile, SETTINGS_FILE};
use clickdial_sim::{Account, CallTimings, Sim, DEMO_TOKEN};

const SPEED: u32 = 25;
const AGENT: &str = "0506123456781";

fn scaled(d: Duration) -> Duration {
    d / SPEED
}

/// Wall time running `SPEED` times faster from now on.
fn fast_clock() -> WallClock {
    let start = wall_clock_ms();
    let t0 = Instant::now();
    Arc::new(move || start + i64::try_from(t0.elapsed().as_millis()).unwrap() * i64::from(SPEED))
}

#[tokio::main]
async fn main() {
    let real = CallTimings {
        agent_ring: Duration::from_secs(3),
        customer_ring: Duration::from_secs(3),
        talk: Duration::from_secs(20),
        cdr_delay: Duration::from_secs(1),
    };
    let sim = Sim::spawn(Account::demo()).await.unwrap();
    sim.set_timings(CallTimings {
        agent_ring: scaled(real.agent_ring),
        customer_ring: scaled(real.customer_ring),
        talk: scaled(real.talk),
        cdr_delay: scaled(real.cdr_delay),
    });
    let dir = tempfile::tempdir().unwrap();
    let url = BaseUrl::parse(&sim.url()).unwrap();
    let (ledger, _) = Ledger::open(&dir.path().join(LEDGER_FILE)).unwrap();
    let ledger = Arc::new(ledger);
    let dialer = Dialer::new(
        ledger.clone(),
        SettingsFile::new(dir.path().join(SETTINGS_FILE)),
        clickdial_services::dialer::system_wall_clock(),
    );
    let session = Arc::new(Session {
        key: AccountKey::new(&url, SignIn::Token, None),
        client: accounts::client(&url, Credentials::Token(Secret::new(DEMO_TOKEN))).unwrap(),
        saved: false,
    });
    let agents = session.client.users().await.unwrap();
    let phone = agents
        .iter()
        .find(|a| a.id == AGENT)
        .and_then(|a| a.follow_me_number.clone())
        .unwrap();
    let follower = Follower::with_speed(ledger.clone(), fast_clock(), SPEED);
    tokio::spawn(follower.clone().run(Arc::new(|_| {})));

    // Idle: a minute of scaled time with nothing to follow.
    let before = sim.requests().len();
    tokio::time::sleep(scaled(Duration::from_secs(60))).await;
    let idle = sim.requests().len() - before;

    let dialled = Instant::now();
    let outcome = dialer
        .dial(
            &session,
            DialInput::new("+91 98765 43210", AGENT, Source::Window),
        )
        .await
        .unwrap();
    let owner = Owner::agent(AGENT)
        .with_ref(&outcome.custom_identifier)
        .with_ref(outcome.ref_id.as_deref().unwrap_or_default())
        .with_phone(&phone);
    follower.follow(
        outcome.call,
        &outcome.e164,
        AGENT,
        owner,
        None,
        session.clone(),
    );
    let mut ended_at = None;
    let done = loop {
        let call = follower.calls().into_iter().next().unwrap();
        if ended_at.is_none() && !call.view.can_hang_up && call.view.outcome.is_some() {
            ended_at = Some(Instant::now());
        }
        if !call.view.following {
            break call;
        }
        assert!(dialled.elapsed() < Duration::from_secs(30), "{call:?}");
        tokio::time::sleep(Duration::from_millis(5)).await;
    };
    let live_for = ended_at.unwrap_or_else(Instant::now) - dialled;
    let live = sim.requests_to("/live_calls").len();
    let records = sim.requests_to("/call/records").len();
    let live_s = live_for.as_secs_f64() * f64::from(SPEED);
    println!("Following one call (real timings 3 s + 3 s + 20 s talk, record after 1 s):");
    println!(
        "  outcome:                   {:?}",
        done.view.outcome.unwrap()
    );
    println!("  live for (real time):      {live_s:.1} s");
    println!(
        "  live_calls reads:          {live}  ({:.2} per {:.1} s; goal ≤ 1)",
        live as f64 / (live_s / POLL_EVERY.as_secs_f64()),
        POLL_EVERY.as_secs_f64()
    );
    println!("  call-records reads:        {records}  (goal ≤ 5)");
    println!("  requests while idle (60 s): {idle}  (goal 0)");
}
