//! `clickdial events --follow` (issue 27's figures): how long after a ledger write by another
//! process the follower prints the event (p50/p95 over 40 writes), and what the follower costs
//! while nothing happens (its CPU time over 10 idle seconds, from /proc).
//!
//! Run: `cargo bench --bench events` (the release build of `clickdial`). Prints figures; asserts
//! nothing about time.

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use clickdial_services::ledger::{Finish, Ledger, NewCall, Source, LEDGER_FILE};

const APP: &str = env!("CARGO_BIN_EXE_clickdial");
const WRITES: usize = 40;

/// The follower's CPU time so far (user + system), from /proc/<pid>/stat.
#[cfg(target_os = "linux")]
fn cpu_of(pid: u32) -> Duration {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
    // Fields after the command name (which may hold spaces) start after the last ')'.
    let fields: Vec<&str> = stat
        .rsplit_once(')')
        .map(|(_, rest)| rest.split_whitespace().collect())
        .unwrap_or_default();
    let ticks: u64 = [11, 12]
        .iter()
        .filter_map(|&i| fields.get(i).and_then(|f| f.parse::<u64>().ok()))
        .sum();
    // SAFETY: sysconf only reads a constant.
    let per_s = unsafe { libc::sysconf(libc::_SC_CLK_TCK) }.max(1) as u64;
    Duration::from_millis(ticks * 1000 / per_s)
}

#[cfg(not(target_os = "linux"))]
fn cpu_of(_pid: u32) -> Duration {
    Duration::ZERO
}

fn main() {
    let home = tempfile::tempdir().unwrap();
    let data = home.path().join("data");
    let dir = data.join(clickdial_services::IDENTIFIER);
    std::fs::create_dir_all(&dir).unwrap();
    let (ledger, _) = Ledger::open(&dir.join(LEDGER_FILE)).unwrap();
    let ledger = ledger.with_bounce_window(Duration::ZERO);

    let mut follower = Command::new(APP)
        .args(["events", "--follow"])
        .env("HOME", home.path())
        .env("XDG_DATA_HOME", &data)
        .env_remove("CLICKDIAL_BASE_URL")
        .env_remove("CLICKDIAL_TOKEN")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("clickdial runs");
    let pid = follower.id();
    let (tx, rx) = mpsc::channel::<Instant>();
    let stdout = follower.stdout.take().unwrap();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines() {
            if line.is_err() || tx.send(Instant::now()).is_err() {
                return;
            }
        }
    });
    // Let it open the ledger and settle.
    std::thread::sleep(Duration::from_millis(500));

    let mut latencies = Vec::with_capacity(WRITES);
    for i in 0..WRITES {
        let e164 = format!("+9198765{i:05}");
        let now = clickdial_services::ledger::wall_clock_ms();
        let id = ledger
            .begin(
                &NewCall {
                    account: "bench",
                    e164: &e164,
                    ext: None,
                    agent: "0506123456781",
                    caller_id: None,
                    source: Source::Cli,
                    custom_identifier: "bench",
                },
                now,
            )
            .unwrap();
        let written = Instant::now();
        ledger
            .finish(
                id,
                Finish::Queued {
                    ref_id: Some("ref"),
                    call_id: None,
                    message: "queued",
                },
                now,
            )
            .unwrap();
        let seen = rx
            .recv_timeout(Duration::from_secs(10))
            .expect("the follower printed the event");
        latencies.push(seen.duration_since(written));
        std::thread::sleep(Duration::from_millis(100));
    }
    latencies.sort();
    let at = |q: f64| latencies[((latencies.len() - 1) as f64 * q).round() as usize];

    let before = cpu_of(pid);
    std::thread::sleep(Duration::from_secs(10));
    let idle = cpu_of(pid).saturating_sub(before);
    let _ = follower.kill();
    let _ = follower.wait();

    println!("clickdial events --follow ({WRITES} writes by another process, release build)");
    println!(
        "  write → printed: p50 {:.1} ms, p95 {:.1} ms, max {:.1} ms",
        at(0.5).as_secs_f64() * 1000.0,
        at(0.95).as_secs_f64() * 1000.0,
        latencies.last().unwrap().as_secs_f64() * 1000.0
    );
    println!(
        "  idle: {} ms of CPU in 10 s ({:.3} % of a core)",
        idle.as_millis(),
        idle.as_secs_f64() / 10.0 * 100.0
    );
}
