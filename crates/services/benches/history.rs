//! History and the poll loop, as issue 8 asks:
//!
//! - a ledger of 100,000 calls: opening it and reading the first page (what the window shows
//!   when Recent calls opens), a search by number digits and by name (issue 25), and the
//!   change stamp an open list asks for; p50 and max of 20 runs each;
//! - the follower with no active call: requests to the simulator and the process's CPU time
//!   over 60 s (`IDLE_SECS` to change).
//!
//! Run: `cargo bench -p clickdial-services --bench history`. Prints figures; asserts nothing
//! about time.

use std::sync::Arc;
use std::time::{Duration, Instant};

use clickdial_services::dialer::system_wall_clock;
use clickdial_services::follow::Follower;
use clickdial_services::ledger::{HistoryQuery, Ledger, LEDGER_FILE};
use clickdial_sim::{Account, Sim};

const ROWS: i64 = 100_000;
const RUNS: usize = 20;

fn ms(d: Duration) -> String {
    format!("{:.2} ms", d.as_secs_f64() * 1e3)
}

fn summary(mut v: Vec<Duration>) -> String {
    v.sort();
    format!("p50 {}  max {}", ms(v[v.len() / 2]), ms(*v.last().unwrap()))
}

/// CPU time (user + system) this process has used.
#[cfg(unix)]
fn cpu_time() -> Duration {
    // SAFETY: getrusage fills the struct we pass; RUSAGE_SELF is always valid.
    let mut u: libc::rusage = unsafe { std::mem::zeroed() };
    unsafe { libc::getrusage(libc::RUSAGE_SELF, &mut u) };
    let tv = |t: libc::timeval| Duration::new(t.tv_sec as u64, t.tv_usec as u32 * 1000);
    tv(u.ru_utime) + tv(u.ru_stime)
}

/// Not measured elsewhere (the figures come from Linux): zero.
#[cfg(not(unix))]
fn cpu_time() -> Duration {
    Duration::ZERO
}

fn main() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join(LEDGER_FILE);
    let (ledger, _) = Ledger::open(&path).unwrap();
    drop(ledger);
    // 100,000 calls over a year, written in one transaction (the ledger's own path writes one
    // row per dial; this only fills the file).
    let fill = Instant::now();
    {
        let mut conn = rusqlite::Connection::open(&path).unwrap();
        let tx = conn.transaction().unwrap();
        {
            let mut insert = tx
                .prepare(
                    "INSERT INTO calls (account, e164, agent, caller_id, source, state, ref_id,
                        call_id, custom_identifier, created_at_ms, finished_at_ms, outcome,
                        duration_s, ended_at_ms)
                     VALUES ('https://api.servetel.in/v1', ?1, '0506123456781', '918065000101',
                        'window', 'queued', ?2, ?3, ?4, ?5, ?5, 'answered', 42, ?5)",
                )
                .unwrap();
            let start = 1_764_000_000_000i64 - 365 * 86_400_000;
            for i in 0..ROWS {
                let number = format!("+9198{:08}", (i * 7919) % 100_000_000);
                insert
                    .execute(rusqlite::params![
                        number,
                        format!("ref-{i}"),
                        format!("1764000000.{i}"),
                        format!("clickdial-{i}"),
                        start + i * 315_000,
                    ])
                    .unwrap();
            }
        }
        tx.commit().unwrap();
    }
    let size = std::fs::metadata(&path).map(|m| m.len()).unwrap_or(0);
    println!(
        "ledger: {ROWS} calls written in {} ({:.1} MB)",
        ms(fill.elapsed()),
        size as f64 / 1e6
    );

    let now = clickdial_services::ledger::wall_clock_ms();
    let page = HistoryQuery {
        limit: 30,
        ..HistoryQuery::default()
    };
    let mut open_first_page = Vec::new();
    let mut verify = Vec::new();
    let mut checked_open = Vec::new();
    for _ in 0..RUNS {
        // What the app and `clickdial history` do: open, show, check the file afterwards.
        let t = Instant::now();
        let (ledger, _) = Ledger::open_unchecked(&path).unwrap();
        let rows = ledger.history(&page, now).unwrap();
        open_first_page.push(t.elapsed());
        assert_eq!(rows.len(), 30);
        let t = Instant::now();
        assert_eq!(ledger.verify().unwrap(), None);
        verify.push(t.elapsed());
        drop(ledger);
        // A dialling command line checks before it writes.
        let t = Instant::now();
        let (ledger, _) = Ledger::open(&path).unwrap();
        ledger.history(&page, now).unwrap();
        checked_open.push(t.elapsed());
    }
    println!(
        "open + first page (30 rows):     {}   (issue 8: <= 50 ms)",
        summary(open_first_page)
    );
    println!("whole-file check (background):   {}", summary(verify));
    println!(
        "checked open + first page (CLI dial): {}",
        summary(checked_open)
    );

    let (ledger, _) = Ledger::open(&path).unwrap();
    let mut first_page = Vec::new();
    for _ in 0..RUNS {
        let t = Instant::now();
        ledger.history(&page, now).unwrap();
        first_page.push(t.elapsed());
    }
    println!("first page, ledger open:         {}", summary(first_page));

    let mut search = Vec::new();
    let mut found = 0;
    for i in 0..RUNS {
        let digits = format!("{:05}", (i * 4_999) % 100_000);
        let t = Instant::now();
        found += ledger
            .history(
                &HistoryQuery {
                    digits: Some(digits),
                    ..page.clone()
                },
                now,
            )
            .unwrap()
            .len();
        search.push(t.elapsed());
    }
    println!(
        "search by 5 digits (30 rows max): {}   (issue 8: <= 20 ms; {found} rows found in {RUNS} searches)",
        summary(search)
    );
    let mut rare = Vec::new();
    for _ in 0..RUNS {
        let t = Instant::now();
        let n = ledger
            .history(
                &HistoryQuery {
                    digits: Some("00000000000".into()),
                    ..page.clone()
                },
                now,
            )
            .unwrap()
            .len();
        rare.push(t.elapsed());
        assert_eq!(n, 0);
    }
    println!("search with no match (full scan): {}", summary(rare));

    // Issue 25: a search by name, turned into agent IDs and caller IDs by the application.
    // Every call here is one agent's: a page of them at once; another agent's: none, after a
    // walk over every call.
    for (what, agent) in [
        ("search by a name (every call)", "0506123456781"),
        ("search by a name with no call", "0506123456782"),
    ] {
        let mut named = Vec::new();
        for _ in 0..RUNS {
            let t = Instant::now();
            ledger
                .history(
                    &HistoryQuery {
                        agents: vec![agent.into()],
                        caller_ids: vec!["918065000109".into()],
                        ..page.clone()
                    },
                    now,
                )
                .unwrap();
            named.push(t.elapsed());
        }
        println!("{what}: {}", summary(named));
    }
    // What the window asks every 2 s while Recent calls are open.
    let mut stamps = Vec::new();
    for _ in 0..RUNS {
        let t = Instant::now();
        ledger.change_stamp().unwrap();
        stamps.push(t.elapsed());
    }
    println!(
        "change stamp (Recent calls open, every 2 s): {}",
        summary(stamps)
    );

    // The poll loop while no call is active.
    let secs: u64 = std::env::var("IDLE_SECS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(60);
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        let sim = Sim::spawn(Account::demo()).await.unwrap();
        let follower = Follower::new(Arc::new(ledger), system_wall_clock());
        tokio::spawn(follower.clone().run(Arc::new(|_| {})));
        tokio::time::sleep(Duration::from_millis(200)).await;
        let cpu = cpu_time();
        let wall = Instant::now();
        tokio::time::sleep(Duration::from_secs(secs)).await;
        let used = cpu_time() - cpu;
        let share = used.as_secs_f64() / wall.elapsed().as_secs_f64() * 100.0;
        println!(
            "idle follower over {secs} s: {} requests, CPU {} ({share:.4} % of one core; issue 8: 0 requests, < 0.1 %)",
            sim.requests().len(),
            ms(used),
        );
    });
}
