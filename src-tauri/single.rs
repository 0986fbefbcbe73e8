//! One Clickdial per desktop session (Linux): the window's side of
//! [`clickdial_services::instance`]. The window owns the single-instance name while it runs;
//! closed to the tray, it hands the name and its state to the keeper (`clickdial --keeper`,
//! no GTK or WebKit) and ends; a window started by the keeper, or by a launch the keeper
//! answered, queues for the name and takes it back. Translation only: the handing over itself
//! is the services'.

use std::process::Command;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::Duration;

use clickdial_services::instance::{self, Claim, Forward, Handover, Instance, HANDOVER_VAR};
use tauri::{AppHandle, Manager, Runtime};

use crate::state::AppState;

static INSTANCE: OnceLock<Instance> = OnceLock::new();
/// Where launches go once the app is ready.
type Deliver = Box<dyn Fn(Vec<String>) + Send + Sync>;
static DELIVER: OnceLock<Deliver> = OnceLock::new();
/// Launches that came before the app was ready.
static EARLY: Mutex<Vec<Vec<String>>> = Mutex::new(Vec::new());
/// Set while the window hands over to the keeper.
static HANDING_OFF: AtomicBool = AtomicBool::new(false);

/// How long the keeper may take to queue for the name before the window gives up and stays.
const KEEPER_TIMEOUT: Duration = Duration::from_secs(10);

/// Counts the window's closes, so a timer from an earlier close knows the window was shown
/// (and closed) again since.
static CLOSES: AtomicU64 = AtomicU64::new(0);

/// The window was closed to the tray: hand over to the keeper once the grace period has passed
/// with the window still closed. The period is the settings' `tray_grace_secs` as the file
/// reads at this close (a minute unless changed; the tests and the footprint benchmark write
/// 0 or 600): reopening within it is quicker (0.12 s instead of 0.23 s from the keeper in the
/// footprint benchmark), since GTK and WebKit are still loaded, and closing and reopening in a
/// row hands nothing over.
pub fn closed<R: Runtime>(app: &AppHandle<R>) {
    let close = CLOSES.fetch_add(1, Ordering::SeqCst) + 1;
    let app = app.clone();
    std::thread::spawn(move || {
        let settings = app.try_state::<AppState>().map(|s| s.settings());
        std::thread::sleep(settings.unwrap_or_default().tray_grace());
        // The close request comes before the window is gone: give it a moment to go.
        for _ in 0..50 {
            if CLOSES.load(Ordering::SeqCst) != close {
                return; // Shown and closed again since: that close's timer decides.
            }
            if app.get_webview_window(crate::window::MAIN).is_none() {
                return hand_off(&app);
            }
            std::thread::sleep(Duration::from_millis(100));
        }
    });
}

/// What became of the claim at start.
pub enum Start {
    /// This process is (or will be, once handed over) the one Clickdial.
    Run,
    /// The launch went to the running Clickdial: end with this code.
    Exit(i32),
}

/// A launch reaching this window (another `clickdial`): its link, or just "show".
fn answer(argv: Vec<String>) -> String {
    let mut early = EARLY.lock().unwrap_or_else(|p| p.into_inner());
    match DELIVER.get() {
        Some(deliver) => {
            drop(early);
            deliver(argv);
        }
        None => early.push(argv),
    }
    String::new()
}

/// Claims the single-instance name: at once when nothing runs; after the keeper when it
/// handed this process its state (`handover`); or hands this launch to the running window.
pub fn claim(args: &[String], handover: &mut Option<Handover>) -> Start {
    for _ in 0..3 {
        let queue = handover.is_some();
        let claimed =
            tauri::async_runtime::block_on(Instance::claim(Arc::new(answer), queue, None));
        match claimed {
            Ok(Claim::Owner(i) | Claim::Queued(i)) => {
                let _ = INSTANCE.set(i);
                return Start::Run;
            }
            Ok(Claim::Taken) => match instance::forward(args) {
                Forward::Delivered => return Start::Exit(0),
                Forward::Become(state) => {
                    *handover = Some(serde_json::from_str(&state).unwrap_or_default());
                }
                Forward::NoInstance => {}
                Forward::Unknown(detail) => {
                    eprintln!("clickdial: {}", instance::unknown_message(&detail));
                    return Start::Exit(1);
                }
            },
            Err(e) => {
                eprintln!("Clickdial runs without its single-instance check: {e}");
                return Start::Run;
            }
        }
    }
    Start::Run
}

/// The app is ready for launches: those that came early are delivered now. Then the hotkey,
/// once the name is this process's (a queued window waits for the keeper to let the keys go).
pub fn ready<R: Runtime>(app: &AppHandle<R>) {
    let early = {
        let mut early = EARLY.lock().unwrap_or_else(|p| p.into_inner());
        let handle = app.clone();
        let _ = DELIVER.set(Box::new(move |argv| {
            crate::links::from_second_instance(&handle, argv)
        }));
        std::mem::take(&mut *early)
    };
    for argv in early {
        crate::links::from_second_instance(app, argv);
    }
    let app = app.clone();
    tauri::async_runtime::spawn(async move {
        crate::window::first_page_loaded().await;
        let handed = match INSTANCE.get() {
            Some(instance) if !instance.is_owner().await => {
                instance.wait_until_owner(Duration::from_secs(60)).await
            }
            _ => false,
        };
        let patience = if handed {
            Duration::from_secs(3)
        } else {
            Duration::ZERO
        };
        let _ = tauri::async_runtime::spawn_blocking(move || {
            crate::hotkey::register_hotkey_within(&app, patience)
        })
        .await;
    });
}

/// Closed to the tray (after the grace period): unless this process must stay (the demo's
/// simulator is its child, and its session lives here; a call is still followed, for its
/// outcome and notification), start the keeper with this app's state, give it the name, and
/// end. If the keeper does not come, stay.
pub fn hand_off<R: Runtime>(app: &AppHandle<R>) {
    let Some(instance) = INSTANCE.get() else {
        return;
    };
    let state = app.state::<AppState>();
    if state.in_demo() || state.follower().is_some_and(|f| f.following()) {
        return;
    }
    if HANDING_OFF.swap(true, Ordering::SeqCst) {
        return;
    }
    let handover = tauri::async_runtime::block_on(state.handover());
    let program = clickdial_services::process::sibling("clickdial");
    let mut command = Command::new(&program);
    command
        .arg(clickdial_cli::KEEPER_FLAG)
        .env(HANDOVER_VAR, handover.to_json());
    // The keeper, and the windows it starts, get the user's environment, not this one's WebKit
    // settings.
    clickdial_services::process::untuned(&mut command);
    let mut keeper = match command.spawn() {
        Ok(child) => child,
        Err(e) => {
            eprintln!("Clickdial could not start {}: {e}", program.display());
            HANDING_OFF.store(false, Ordering::SeqCst);
            return;
        }
    };
    let handed = tauri::async_runtime::block_on(instance.hand_over(
        KEEPER_TIMEOUT,
        || matches!(keeper.try_wait(), Ok(None)),
        || crate::hotkey::unregister_hotkeys(app),
    ));
    if handed {
        app.exit(0);
    } else {
        eprintln!("Clickdial's tray keeper did not start; the app stays in the tray itself.");
        let _ = keeper.kill();
        let _ = keeper.wait();
        HANDING_OFF.store(false, Ordering::SeqCst);
    }
}
