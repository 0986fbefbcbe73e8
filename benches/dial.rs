//! Warm dial overhead: from the `dial` command being invoked (through real IPC deserialization
//! on Tauri's mock runtime) to the request arriving at the simulator, and the whole command
//! round trip, p50/p99 over 1,000 dials, printed beside the time of one `curl` POST to the same
//! simulator. Then the call ledger's share (its pending row before the request and its update
//! after), and how fast the ledger's guard refuses when five connections (as five processes
//! would) dial one number at once.
//!
//! Run: `cargo bench --bench dial`. Prints figures; asserts nothing about time.

use std::process::Command;
use std::sync::Arc;
use std::time::{Duration, Instant};

use clickdial_services::ledger::{Finish, Ledger, NewCall, Source};
use clickdial_services::secrets::MemoryStore;
use clickdial_sim::{Account, Sim, DEMO_TOKEN};
use serde_json::{json, Value};
use tauri::ipc::{CallbackFn, InvokeBody};
use tauri::test::{mock_builder, mock_context, noop_assets, MockRuntime, INVOKE_KEY};
use tauri::webview::InvokeRequest;
use tauri::{WebviewWindow, WebviewWindowBuilder};

const DIALS: usize = 1000;
const WARMUP: usize = 50;

fn invoke(window: &WebviewWindow<MockRuntime>, cmd: &str, args: Value) -> Value {
    tauri::test::get_ipc_response(
        window,
        InvokeRequest {
            cmd: cmd.into(),
            callback: CallbackFn(0),
            error: CallbackFn(1),
            url: "tauri://localhost".parse().unwrap(),
            body: InvokeBody::Json(args),
            headers: Default::default(),
            invoke_key: INVOKE_KEY.to_string(),
        },
    )
    .unwrap_or_else(|e| panic!("{cmd}: {e}"))
    .deserialize()
    .unwrap()
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i]
}

fn ms(d: Duration) -> String {
    format!("{:.3} ms", d.as_secs_f64() * 1e3)
}

fn main() {
    let dir = tempfile::tempdir().unwrap();
    let mut app = clickdial_app::build_app(
        mock_builder(),
        Arc::new(MemoryStore::default()),
        dir.path().to_path_buf(),
        Default::default(),
    )
    .build(mock_context(noop_assets()))
    .unwrap();
    #[allow(deprecated)]
    app.run_iteration(|_, _| {});
    let window = WebviewWindowBuilder::new(&app, "main", Default::default())
        .build()
        .unwrap();
    // The simulator runs on Tauri's async runtime, like the demo's.
    let sim = tauri::async_runtime::block_on(Sim::spawn(Account::demo())).unwrap();
    invoke(
        &window,
        "save_account",
        json!({"form": {"provider": "custom", "baseUrl": sim.url(), "signIn": "token", "token": DEMO_TOKEN}}),
    );

    let mut samples = Vec::with_capacity(DIALS);
    let mut round_trips = Vec::with_capacity(DIALS);
    let mut after_arrival = Vec::with_capacity(DIALS);
    for i in 0..WARMUP + DIALS {
        // A different number each time: the duplicate-dial guard refuses repeats.
        let number = format!("98{:08}", 10_000_000 + i);
        let before = sim.requests_to("/click_to_call").len();
        let t0 = Instant::now();
        invoke(
            &window,
            "dial",
            json!({"agent": "0506123456781", "callerId": "918065000101", "number": number}),
        );
        let done = t0.elapsed();
        let reqs = sim.requests_to("/click_to_call");
        assert_eq!(reqs.len(), before + 1, "exactly one request per dial");
        if i >= WARMUP {
            let arrived = reqs[before].at.duration_since(t0);
            samples.push(arrived);
            round_trips.push(done);
            after_arrival.push(done.saturating_sub(arrived));
        }
    }
    samples.sort();
    round_trips.sort();
    after_arrival.sort();
    let mean = samples.iter().sum::<Duration>() / samples.len() as u32;

    let url = format!("{}/click_to_call", sim.url());
    let body = r#"{"agent_number":"0506123456781","destination_number":"919876543210","async":1}"#;
    let mut curls: Vec<f64> = (0..11)
        .filter_map(|_| {
            let out = Command::new("curl")
                .args(["-s", "-o", "/dev/null", "-w", "%{time_total}", "-X", "POST"])
                .args([
                    "-H",
                    "Authorization: Bearer demo-token",
                    "-H",
                    "Content-Type: application/json",
                ])
                .args(["-d", body, &url])
                .output()
                .ok()?;
            String::from_utf8_lossy(&out.stdout).trim().parse().ok()
        })
        .collect();
    curls.sort_by(f64::total_cmp);

    println!(
        "dial overhead, `dial` command invoked -> request at the simulator ({DIALS} warm dials):"
    );
    println!("  p50  {}", ms(percentile(&samples, 0.50)));
    println!("  p99  {}", ms(percentile(&samples, 0.99)));
    println!(
        "  mean {}   min {}   max {}",
        ms(mean),
        ms(samples[0]),
        ms(samples[samples.len() - 1])
    );
    println!(
        "whole `dial` command round trip (ledger row, request, simulator, ledger update, reply): p50 {}, p90 {}, p99 {}",
        ms(percentile(&round_trips, 0.50)),
        ms(percentile(&round_trips, 0.90)),
        ms(percentile(&round_trips, 0.99))
    );
    println!(
        "  of which from the request's arrival to the reply (simulator, ledger update, IPC): p50 {}, p90 {}, p99 {}",
        ms(percentile(&after_arrival, 0.50)),
        ms(percentile(&after_arrival, 0.90)),
        ms(percentile(&after_arrival, 0.99))
    );
    match curls.get(curls.len() / 2) {
        Some(t) => println!(
            "one curl POST to the same simulator (whole request, new connection; median of {}): {:.3} ms",
            curls.len(),
            t * 1e3
        ),
        None => println!("curl not found: no comparison figure"),
    }
    ledger_share(dir.path());
    guard_refusals(dir.path());
}

fn now_ms() -> i64 {
    clickdial_services::ledger::wall_clock_ms()
}

/// The ledger's own cost on the dial path: `begin` (guard + pending row) and `finish`.
fn ledger_share(dir: &std::path::Path) {
    let (ledger, _) = Ledger::open(&dir.join("share.sqlite3")).unwrap();
    let mut begins = Vec::new();
    let mut finishes = Vec::new();
    for i in 0..WARMUP + DIALS {
        let e164 = format!("+9198{:08}", 10_000_000 + i);
        let call = NewCall {
            account: "http://127.0.0.1:1",
            e164: &e164,
            ext: None,
            agent: "0506123456781",
            caller_id: Some("918065000101"),
            source: Source::Window,
            custom_identifier: "clickdial-bench",
        };
        let t0 = Instant::now();
        let id = ledger.begin(&call, now_ms()).unwrap();
        let t1 = Instant::now();
        let finish = Finish::Queued {
            ref_id: Some("00000000-0000-4000-8000-000000000000"),
            call_id: None,
            message: "Originate successfully queued",
        };
        ledger.finish(id, finish, now_ms()).unwrap();
        let t2 = Instant::now();
        if i >= WARMUP {
            begins.push(t1 - t0);
            finishes.push(t2 - t1);
        }
    }
    begins.sort();
    finishes.sort();
    println!("call ledger's share ({DIALS} dials, WAL, synchronous=NORMAL):");
    println!(
        "  begin (guard + pending row)  p50 {}  p99 {}",
        ms(percentile(&begins, 0.50)),
        ms(percentile(&begins, 0.99))
    );
    println!(
        "  finish (queued, ids)         p50 {}  p99 {}",
        ms(percentile(&finishes, 0.50)),
        ms(percentile(&finishes, 0.99))
    );
}

/// Five connections (each its own `Ledger::open`, locking exactly as five processes do) dial
/// one number at the same instant: one is admitted, four are refused. How long a refusal takes.
fn guard_refusals(dir: &std::path::Path) {
    const ROUNDS: usize = 200;
    let path = dir.join("guard.sqlite3");
    let ledgers: Vec<Arc<Ledger>> = (0..5)
        .map(|_| Arc::new(Ledger::open(&path).unwrap().0))
        .collect();
    let mut refusals = Vec::new();
    for round in 0..ROUNDS {
        let e164 = Arc::new(format!("+9197{:08}", 10_000_000 + round));
        let barrier = Arc::new(std::sync::Barrier::new(5));
        let handles: Vec<_> = ledgers
            .iter()
            .map(|l| {
                let (l, e164, barrier) = (l.clone(), e164.clone(), barrier.clone());
                std::thread::spawn(move || {
                    let call = NewCall {
                        account: "http://127.0.0.1:1",
                        e164: &e164,
                        ext: None,
                        agent: "0506123456781",
                        caller_id: None,
                        source: Source::Cli,
                        custom_identifier: "clickdial-bench",
                    };
                    barrier.wait();
                    let t0 = Instant::now();
                    let r = l.begin(&call, now_ms());
                    (r.map(|id| (id, l)), t0.elapsed())
                })
            })
            .collect();
        // Every thread has asked before the admitted call is closed (a closed "not placed"
        // call no longer blocks anything).
        let results: Vec<_> = handles.into_iter().map(|h| h.join().unwrap()).collect();
        let mut admitted = 0;
        for result in results {
            match result {
                (Ok((id, l)), _) => {
                    admitted += 1;
                    let finish = Finish::NotPlaced { reason: "bench" };
                    l.finish(id, finish, now_ms()).unwrap();
                }
                (Err(_), took) => refusals.push(took),
            }
        }
        assert_eq!(admitted, 1, "exactly one of five is admitted");
    }
    refusals.sort();
    println!(
        "guard refusal, 5 connections dialling one number at once ({} refusals over {ROUNDS} rounds): p50 {}  p99 {}  max {}",
        refusals.len(),
        ms(percentile(&refusals, 0.50)),
        ms(percentile(&refusals, 0.99)),
        ms(refusals[refusals.len() - 1])
    );
}
