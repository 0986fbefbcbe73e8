//! Link handoff: from starting a second process with a `tel:` link (`clickdial`, what the
//! desktop entry runs when a link is clicked, then `clickdial-window`, the app itself) to
//! the dial request arriving at the simulator, with "dial links without asking" on, so no person
//! sits in the measured path. p50/p95 over 5 links each, plus how long the second process
//! itself lives (start to exit, after handing over). Links trusted to dial without asking
//! dial at most one a minute, so the run takes about ten minutes.
//!
//! It drives the real release app, so it needs a display, a session D-Bus and a keyring:
//! run `scripts/bench-links.sh` (a private D-Bus session, gnome-keyring and Xvfb around
//! `cargo bench --bench links`). Prints figures; asserts nothing about time.

use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use clickdial_services::links::TRUSTED_INTERVAL;
use clickdial_services::settings_file::{SettingsFile, SETTINGS_FILE};
use clickdial_sim::{Account, Sim, DEMO_TOKEN};

const RUNS: usize = 5;
const APP: &str = env!("CARGO_BIN_EXE_clickdial");
/// The app itself: it loads GTK and WebKit before its single-instance plugin hands over.
const WINDOW: &str = env!("CARGO_BIN_EXE_clickdial-window");
const AGENT: &str = "0506123456782";

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    sorted[((sorted.len() as f64 - 1.0) * p).round() as usize]
}

fn ms(d: Duration) -> String {
    format!("{:.1} ms", d.as_secs_f64() * 1e3)
}

/// Waits until the simulator has seen `n` dials; the last one's arrival time.
fn arrival(sim: &Sim, n: usize, timeout: Duration) -> Instant {
    let end = Instant::now() + timeout;
    loop {
        let dials = sim.requests_to("/click_to_call");
        if dials.len() >= n {
            return dials[n - 1].at;
        }
        assert!(Instant::now() < end, "dial {n} never arrived");
        std::thread::sleep(Duration::from_micros(200));
    }
}

struct Killed(Child);
impl Drop for Killed {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn main() {
    let set = |v: &str| std::env::var_os(v).is_some_and(|s| !s.is_empty());
    if !set("DISPLAY") || !set("DBUS_SESSION_BUS_ADDRESS") {
        eprintln!("links bench: needs a display and a session bus; run scripts/bench-links.sh");
        return;
    }
    let rt = tokio::runtime::Runtime::new().unwrap();
    let sim = rt.block_on(Sim::spawn(Account::demo())).unwrap();

    // A saved account on the simulator (the real keyring of this private session), with links
    // trusted and the agent remembered.
    let mut login = Command::new(APP)
        .args(["login", "--base-url", &sim.url(), "--token-stdin"])
        .stdin(Stdio::piped())
        .spawn()
        .unwrap();
    use std::io::Write;
    login
        .stdin
        .take()
        .unwrap()
        .write_all(DEMO_TOKEN.as_bytes())
        .unwrap();
    assert!(login.wait().unwrap().success(), "clickdial login failed");
    let data = clickdial_services::data_dir().unwrap();
    SettingsFile::new(data.join(SETTINGS_FILE))
        .update(|s| {
            s.links_without_asking = true;
            s.last_agent = Some(AGENT.to_string());
        })
        .unwrap();

    // The running app, started cold by a first link: once that dial arrives, it is up, owns the
    // single-instance name and has the phone metadata warm.
    let start = Instant::now();
    let _app = Killed(
        Command::new(APP)
            .arg("tel:+91-98765-00000")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap(),
    );
    let first = arrival(&sim, 1, Duration::from_secs(30));
    println!(
        "cold start by a link, to its dial arriving: {}",
        ms(first - start)
    );

    let mut results = Vec::new();
    for (round, (what, program)) in [
        ("clickdial tel:… (the desktop entry's program)", APP),
        ("clickdial-window tel:… (the app itself)", WINDOW),
    ]
    .into_iter()
    .enumerate()
    {
        let mut handoff = Vec::new();
        let mut lifetime = Vec::new();
        for i in 1..=RUNS {
            // Alone and a minute after the last one: otherwise the link (rightly) waits on the
            // sheet.
            std::thread::sleep(TRUSTED_INTERVAL + Duration::from_millis(200));
            let n = round * RUNS + i;
            let link = format!("tel:+91-98765-{:05}", 10_000 + n);
            let started = Instant::now();
            let status = Command::new(program)
                .arg(&link)
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .status()
                .unwrap();
            let exited = Instant::now();
            assert!(status.success(), "{link}: {status}");
            // The cold start's dial was the first.
            let arrived = arrival(&sim, n + 1, Duration::from_secs(10));
            handoff.push(arrived.saturating_duration_since(started));
            lifetime.push(exited - started);
        }
        handoff.sort();
        lifetime.sort();
        results.push((what, handoff, lifetime));
    }
    let dials = sim.requests_to("/click_to_call");
    assert_eq!(dials.len(), 2 * RUNS + 1, "exactly one dial per link");
    assert!(dials.iter().all(|d| d.body["agent_number"] == AGENT));
    for (what, handoff, lifetime) in results {
        println!("link handoff, {what}, {RUNS} links (process start -> request at the simulator):");
        println!(
            "  p50 {}  p95 {}  min {}  max {}",
            ms(percentile(&handoff, 0.5)),
            ms(percentile(&handoff, 0.95)),
            ms(handoff[0]),
            ms(handoff[RUNS - 1])
        );
        println!(
            "  the process, start to exit: p50 {}  p95 {}",
            ms(percentile(&lifetime, 0.5)),
            ms(percentile(&lifetime, 0.95))
        );
    }
}
