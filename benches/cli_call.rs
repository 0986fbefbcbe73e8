//! `clickdial call` against the simulator on loopback, beside a bare `curl` POST of the same
//! request, in one run: wall time (p50/p95 over 30 dials each) and CPU time per process, plus
//! how many requests one `clickdial call` sends once the account's lists are known.
//!
//! Run: `cargo bench --bench cli_call` (uses the release build; needs `curl`). Prints figures;
//! asserts nothing about time.

use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use clickdial_sim::{Account, Sim, DEMO_TOKEN};

const RUNS: usize = 30;
const APP: &str = env!("CARGO_BIN_EXE_clickdial");
const AGENT: &str = "0506123456781";

/// CPU time (user + system) of this process's waited-for children so far.
#[cfg(target_os = "linux")]
fn children_cpu() -> Duration {
    // SAFETY: getrusage fills the struct we pass.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    unsafe { libc::getrusage(libc::RUSAGE_CHILDREN, &mut usage) };
    let tv = |t: libc::timeval| Duration::new(t.tv_sec as u64, t.tv_usec as u32 * 1000);
    tv(usage.ru_utime) + tv(usage.ru_stime)
}

/// Not measured elsewhere (the figures come from Linux): zero.
#[cfg(not(target_os = "linux"))]
fn children_cpu() -> Duration {
    Duration::ZERO
}

/// Runs `command` `RUNS` times (`arg(i)` makes run i's arguments): sorted wall times and the
/// mean CPU time per run.
fn measure(mut run: impl FnMut(usize) -> Command) -> (Vec<Duration>, Duration) {
    let mut walls = Vec::with_capacity(RUNS);
    let cpu_before = children_cpu();
    for i in 0..RUNS {
        let mut command = run(i);
        let started = Instant::now();
        let status = command
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .unwrap();
        walls.push(started.elapsed());
        assert!(status.success(), "run {i}: {status}");
    }
    walls.sort();
    let cpu = (children_cpu() - cpu_before) / RUNS as u32;
    (walls, cpu)
}

fn ms(d: Duration) -> String {
    format!("{:.1} ms", d.as_secs_f64() * 1e3)
}

fn main() {
    if Command::new("curl").arg("--version").output().is_err() {
        eprintln!("cli_call bench: needs curl");
        return;
    }
    let rt = tokio::runtime::Runtime::new().unwrap();
    let sim = rt.block_on(Sim::spawn(Account::demo())).unwrap();
    let home = tempfile::tempdir().unwrap();
    let clickdial = |number: String| {
        let mut c = Command::new(APP);
        c.env_clear()
            .env("PATH", std::env::var_os("PATH").unwrap_or_default())
            .env("HOME", home.path())
            .env("XDG_DATA_HOME", home.path().join("data"))
            .env("CLICKDIAL_BASE_URL", sim.url())
            .env("CLICKDIAL_TOKEN", DEMO_TOKEN)
            .args(["call", &number, "--agent", AGENT]);
        c
    };
    // The first dial lists the agents; later ones find them in the shared lists.
    let status = clickdial("+919876500000".into())
        .stdout(Stdio::null())
        .status()
        .unwrap();
    assert!(status.success());
    let before = sim.requests().len();
    let (cli, cli_cpu) = measure(|i| clickdial(format!("+91987650{:04}", 1 + i)));
    let per_call = (sim.requests().len() - before) as f64 / RUNS as f64;

    let url = format!("{}/click_to_call", sim.url());
    let (curl, curl_cpu) = measure(|i| {
        let mut c = Command::new("curl");
        c.args(["-sf", "-o", "/dev/null", "-X", "POST", &url])
            .args(["-H", &format!("Authorization: Bearer {DEMO_TOKEN}")])
            .args(["-H", "Content-Type: application/json", "-d"])
            .arg(format!(
                r#"{{"agent_number":"{AGENT}","destination_number":"91987651{:04}","async":1,"get_call_id":1}}"#,
                i
            ));
        c
    });
    let p = |v: &[Duration], q: f64| v[((v.len() - 1) as f64 * q).round() as usize];
    println!("{RUNS} dials each against the simulator on loopback:");
    println!(
        "  clickdial call: p50 {}, p95 {}, CPU {} per call, {per_call:.1} requests per call",
        ms(p(&cli, 0.5)),
        ms(p(&cli, 0.95)),
        ms(cli_cpu)
    );
    println!(
        "  curl POST:      p50 {}, p95 {}, CPU {} per call",
        ms(p(&curl, 0.5)),
        ms(p(&curl, 0.95)),
        ms(curl_cpu)
    );
    println!(
        "  clickdial / curl (p50): {:.1}x",
        p(&cli, 0.5).as_secs_f64() / p(&curl, 0.5).as_secs_f64()
    );
}
