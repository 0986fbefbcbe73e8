//! Warm dial overhead: from the `dial` command being invoked (through real IPC deserialization
//! on Tauri's mock runtime) to the request arriving at the simulator, p50/p99 over 1,000
//! dials, printed beside the time of one `curl` POST to the same simulator.
//!
//! Run: `cargo bench --bench dial`. Prints figures; asserts nothing about time.

use std::process::Command;
use std::sync::Arc;
use std::time::{Duration, Instant};

use clickdial_app::secrets::MemoryStore;
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
        dir.path().join("settings.json"),
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
        let reqs = sim.requests_to("/click_to_call");
        assert_eq!(reqs.len(), before + 1, "exactly one request per dial");
        if i >= WARMUP {
            samples.push(reqs[before].at.duration_since(t0));
        }
    }
    samples.sort();
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
    match curls.get(curls.len() / 2) {
        Some(t) => println!(
            "one curl POST to the same simulator (whole request, new connection; median of {}): {:.3} ms",
            curls.len(),
            t * 1e3
        ),
        None => println!("curl not found: no comparison figure"),
    }
}
