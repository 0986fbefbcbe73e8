//! The Clickdial desktop shell: window and commands. Thin by design: the rules live in
//! `clickdial-core` (parsing, the API client) and `clickdial-services` (the dial service, the
//! account, the settings file, the call ledger), which the CLI shares; this crate only
//! translates the window's requests into calls to them.

/// The command line lives in its own crate (no Tauri), so `clickdial <command>` never loads GTK;
/// this crate takes only its notion of which arguments open the window.
use clickdial_cli as cli;
pub mod commands;
pub mod events;
mod hotkey;
pub mod links;
#[cfg(target_os = "linux")]
mod single;
pub mod state;
pub mod tray;
mod webkit;
pub mod window;

use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use clickdial_services::ledger::Source;
use clickdial_services::secrets::{KeyringStore, SecretStore};
use tauri::{Builder, Emitter, Manager, Runtime, WindowEvent};

use crate::state::AppState;

pub use clickdial_services::IDENTIFIER;

/// Entry point of `clickdial-window`, the app: no arguments, a `tel:`/`callto:` link or
/// `--autostart`. Commands are `clickdial`'s, which starts this program when a window is wanted;
/// the command line is not linked in here (about 0.4 MB).
pub fn main() -> i32 {
    clickdial_services::process::harden();
    let args: Vec<std::ffi::OsString> = std::env::args_os().collect();
    if !cli::opens_window(&args) {
        tell(&format!(
            "clickdial-window is the Clickdial app and takes no commands; run `clickdial {}` \
             instead.",
            args.iter()
                .skip(1)
                .map(|a| a.to_string_lossy())
                .collect::<Vec<_>>()
                .join(" ")
        ));
        return 2;
    }
    if let Some(message) = no_display().or_else(clickdial_services::webview::missing_runtime) {
        tell(&message);
        return 1;
    }
    // Before any thread starts.
    webkit::tune();
    let Some(data_dir) = clickdial_services::data_dir() else {
        eprintln!("Clickdial could not find your data folder (is HOME set?).");
        return 1;
    };
    // Carried over from the tray keeper (or a launch it answered); read before any thread.
    #[allow(unused_mut)]
    let mut handover = clickdial_services::instance::Handover::take_from_env();
    // A link that started the app cold. `clickdial` already offered it to
    // a running Clickdial before starting this binary; the single-instance check below still
    // hands it over if one appeared meanwhile.
    let link = links::link_in_args(args.iter().map(|a| a.to_string_lossy()));
    let autostart = args.iter().any(|a| a == cli::AUTOSTART_FLAG);
    #[cfg(target_os = "linux")]
    {
        // Started at login with "start hidden": the tray keeper, without ever loading a window.
        if autostart && handover.is_none() && starts_hidden(&data_dir) {
            return become_keeper();
        }
        // Single instance first: a second process hands its launch to the running app and
        // exits before anything else starts.
        let argv: Vec<String> = args
            .iter()
            .map(|a| a.to_string_lossy().into_owned())
            .collect();
        if let single::Start::Exit(code) = single::claim(&argv, &mut handover) {
            return code;
        }
    }
    // Kept out of `build_app`, so tests on the mock runtime never claim (or find) the
    // desktop's instance.
    let builder = Builder::default();
    #[cfg(not(target_os = "linux"))]
    let builder = builder.plugin(tauri_plugin_single_instance::init(|app, argv, _cwd| {
        links::from_second_instance(app, argv)
    }));
    let builder = builder.plugin(tauri_plugin_deep_link::init());
    #[cfg(not(any(windows, target_os = "linux")))]
    let builder = builder.plugin(tauri_plugin_autostart::init(
        tauri_plugin_autostart::MacosLauncher::LaunchAgent,
        Some(vec![cli::AUTOSTART_FLAG]),
    ));
    // Linux and Windows: the shared services write the login item (commands::LoginItem).
    #[cfg(any(windows, target_os = "linux"))]
    let builder = builder.manage(commands::LoginItem);
    let builder = builder
        .plugin(tauri_plugin_window_state::Builder::default().build())
        .plugin(tauri_plugin_dialog::init())
        .on_window_event(on_window_event)
        .on_page_load(|_, page| {
            if page.event() == tauri::webview::PageLoadEvent::Finished {
                window::page_loaded();
            }
        });
    let launch = Launch {
        autostart,
        link,
        desktop: true,
        handover,
    };
    match build_app(builder, Arc::new(KeyringStore::new()), data_dir, launch)
        .build(tauri::generate_context!())
    {
        Ok(app) => {
            app.run(|app, event| match event {
                // Closing the window (to the tray) is not quitting; Quit (`exit`) is.
                tauri::RunEvent::ExitRequested {
                    code: None, api, ..
                } if app.tray_by_id(tray::TRAY_ID).is_some() => api.prevent_exit(),
                // macOS: a click on the Dock icon with the window closed builds it again.
                #[cfg(target_os = "macos")]
                tauri::RunEvent::Reopen {
                    has_visible_windows: false,
                    ..
                } => window::show(app),
                _ => {}
            });
            0
        }
        Err(e) => {
            tell(&format!("Clickdial could not start: {e}"));
            1
        }
    }
}

/// Tells the agent why the app cannot go on: on stderr, and on Windows, when this GUI program
/// has no stderr (started from a link, the Start menu or at login), in a message box, so a
/// failure is never silent.
pub fn tell(message: &str) {
    eprintln!("{message}");
    #[cfg(windows)]
    windows_box(message);
}

#[cfg(windows)]
fn windows_box(message: &str) {
    use std::ffi::c_void;
    #[link(name = "kernel32")]
    extern "system" {
        fn GetStdHandle(which: u32) -> *mut c_void;
    }
    #[link(name = "user32")]
    extern "system" {
        fn MessageBoxW(owner: *mut c_void, text: *const u16, title: *const u16, kind: u32) -> i32;
    }
    const STD_ERROR_HANDLE: u32 = -12_i32 as u32;
    const MB_OK_ICONWARNING: u32 = 0x30;
    // SAFETY: GetStdHandle takes a constant and returns a handle (null or -1: none), not read.
    let stderr = unsafe { GetStdHandle(STD_ERROR_HANDLE) };
    if !stderr.is_null() && stderr as isize != -1 {
        return; // Someone reads stderr: a terminal, `clickdial.exe`, a script or a test.
    }
    let wide = |s: &str| s.encode_utf16().chain([0]).collect::<Vec<u16>>();
    let (text, title) = (wide(message), wide("Clickdial"));
    // SAFETY: both strings are NUL-terminated UTF-16 that outlive the call; no owner window.
    unsafe {
        MessageBoxW(
            std::ptr::null_mut(),
            text.as_ptr(),
            title.as_ptr(),
            MB_OK_ICONWARNING,
        )
    };
}

/// Whether the agent chose to start in the tray at login.
#[cfg(target_os = "linux")]
fn starts_hidden(data_dir: &std::path::Path) -> bool {
    use clickdial_services::settings_file::{SettingsFile, SETTINGS_FILE};
    SettingsFile::new(data_dir.join(SETTINGS_FILE))
        .read()
        .settings()
        .start_hidden
}

/// Becomes `clickdial --keeper` (the same process), which loads no GTK or WebKit.
#[cfg(target_os = "linux")]
fn become_keeper() -> i32 {
    use std::os::unix::process::CommandExt;
    let program = clickdial_services::process::sibling("clickdial");
    let e = std::process::Command::new(&program)
        .arg(cli::KEEPER_FLAG)
        .exec();
    eprintln!("Clickdial could not start {}: {e}", program.display());
    1
}

/// Why the window cannot open here, if it cannot: on Linux and the BSDs a window needs an X11
/// or Wayland display (GTK would otherwise panic).
fn no_display() -> Option<String> {
    if cfg!(any(target_os = "windows", target_os = "macos")) {
        return None;
    }
    let set = |v: &str| std::env::var_os(v).is_some_and(|s| !s.is_empty());
    (!set("DISPLAY") && !set("WAYLAND_DISPLAY")).then(|| {
        "Clickdial needs a desktop session to open its window (neither DISPLAY nor \
         WAYLAND_DISPLAY is set). From a terminal, the commands work without one: see \
         `clickdial --help`."
            .to_string()
    })
}

/// Closing the window closes only the window: Clickdial stays in the tray, ready for links and
/// the hotkey, without the webview's memory (the run loop keeps the app from exiting; on Linux
/// the tray keeper takes over, see `single`). The
/// first time, the page explains where it went (the notice comes with the next status).
fn on_window_event<R: Runtime>(window: &tauri::Window<R>, event: &WindowEvent) {
    static TOLD: AtomicBool = AtomicBool::new(false);
    if let WindowEvent::CloseRequested { .. } = event {
        // A sheet never outlives its window: reopened, it would offer a link the agent walked
        // away from, with Call focused.
        if let Some(state) = window.app_handle().try_state::<AppState>() {
            state.window_closed();
        }
        if window.app_handle().tray_by_id(tray::TRAY_ID).is_none() {
            return; // No tray: closing quits, as there would be no way back.
        }
        if !TOLD.swap(true, Ordering::Relaxed) {
            if let Some(state) = window.app_handle().try_state::<AppState>() {
                state.tell_once_about_tray();
            }
        }
        // Linux: the tray keeper takes over, without GTK and WebKit (about 10 MB instead of
        // 140), after a grace period in which reopening is quicker.
        #[cfg(target_os = "linux")]
        crate::single::closed(window.app_handle());
    }
}

/// How the app was started.
#[derive(Debug, Clone, Default)]
pub struct Launch {
    /// The `tel:`/`callto:` link the app was started with.
    pub link: Option<String>,
    /// The real desktop app: tray, global shortcut (not on the mock runtime of tests).
    pub desktop: bool,
    /// Started by the login autostart entry.
    pub autostart: bool,
    /// What the tray keeper handed over: the typed number, picks, notices, numbers to confirm.
    pub handover: Option<clickdial_services::instance::Handover>,
}

/// Everything but the runtime and context, so tests can run it on `tauri::test::mock_builder()`.
/// `data_dir` holds the settings file and the call ledger, shared with the CLI.
pub fn build_app<R: Runtime>(
    builder: Builder<R>,
    secrets: Arc<dyn SecretStore>,
    data_dir: PathBuf,
    launch: Launch,
) -> Builder<R> {
    builder
        .setup(move |app| {
            // The first number decodes its region's phone metadata and compiles its patterns
            // (about 10 ms in release): do it now, off the main thread, so the first link or
            // keystroke finds it warm.
            std::thread::spawn(clickdial_core::phone::warm_up);
            app.manage(state::open(secrets, &data_dir));
            if let Some(handover) = &launch.handover {
                app.state::<AppState>().resume(handover);
            }
            // The organization's policy keeps "start at login" on: the entry is written here.
            if app.state::<AppState>().start_at_login_forced()
                && commands::autostart(app.handle().clone()) == Some(false)
            {
                let _ = commands::set_autostart(app.handle().clone(), true);
            }
            // With an account set up, the first status builds its client: read the system's
            // certificate store (50-100 ms for OpenSSL) now, beside the window (the settings
            // read too, off the main thread).
            let handle = app.handle().clone();
            std::thread::spawn(move || {
                if handle.state::<AppState>().settings().base_url.is_some() {
                    clickdial_core::api::warm_up_tls();
                }
            });
            if let Some(follower) = app.state::<AppState>().follower().cloned() {
                let handle = app.handle().clone();
                let f = follower.clone();
                let shown =
                    std::sync::Mutex::new(Vec::<clickdial_services::follow::FollowedCall>::new());
                tauri::async_runtime::spawn(follower.clone().run(Arc::new(move |calls| {
                    let mut before = shown.lock().unwrap_or_else(|p| p.into_inner());
                    if handle.state::<AppState>().settings().notify {
                        for call in &calls {
                            let was = before.iter().find(|c| c.id == call.id);
                            if let Some((title, body)) =
                                clickdial_services::follow::notification(was, call)
                            {
                                // Off the async threads; a missing service is not an error
                                // worth showing: the window says the same.
                                std::thread::spawn(move || {
                                    let _ = clickdial_services::notify::show(&title, &body);
                                });
                            }
                        }
                    }
                    *before = calls.clone();
                    drop(before);
                    let _ = handle.emit(events::CALLS_EVENT, calls);
                    // The window was closed while a call was followed: now that it is over,
                    // the tray keeper can take over.
                    #[cfg(target_os = "linux")]
                    if !f.following()
                        && handle.get_webview_window(window::MAIN).is_none()
                        && handle.tray_by_id(tray::TRAY_ID).is_some()
                    {
                        let handle = handle.clone();
                        std::thread::spawn(move || single::hand_off(&handle));
                    }
                    if let Some(notice) = f.take_notice() {
                        events::tell(&handle, notice);
                    }
                })));
                // How calls placed while the window was closed ended (CLI, links before a
                // crash): filled in from the call records once the app has settled.
                let handle = app.handle().clone();
                tauri::async_runtime::spawn(async move {
                    let check = handle.clone();
                    if let Ok(Some(notice)) = tauri::async_runtime::spawn_blocking(move || {
                        check.state::<AppState>().verify_ledger()
                    })
                    .await
                    {
                        events::tell(&handle, notice);
                    }
                    tokio::time::sleep(std::time::Duration::from_secs(5)).await;
                    let prune = handle.clone();
                    let _ = tauri::async_runtime::spawn_blocking(move || {
                        prune.state::<AppState>().apply_retention()
                    })
                    .await;
                    if let Some(notice) = handle.state::<AppState>().backfill(20).await {
                        events::tell(&handle, notice);
                    }
                });
            }
            #[cfg(target_os = "macos")]
            {
                // macOS hands URLs over as events, not arguments.
                use tauri_plugin_deep_link::DeepLinkExt;
                let handle = app.handle().clone();
                app.deep_link().on_open_url(move |event| {
                    for url in event.urls() {
                        links::deliver(&handle, url.to_string(), Source::Link);
                    }
                });
            }
            if launch.desktop {
                if let Err(e) = tray::setup(app.handle()) {
                    eprintln!("Clickdial runs without a tray icon: {e}");
                }
                #[cfg(target_os = "linux")]
                single::ready(app.handle());
                #[cfg(not(target_os = "linux"))]
                {
                    let handle = app.handle().clone();
                    tauri::async_runtime::spawn(async move {
                        window::first_page_loaded().await;
                        let _ = tauri::async_runtime::spawn_blocking(move || {
                            hotkey::register_hotkey(&handle)
                        })
                        .await;
                    });
                }
                // Started at login with "start hidden": stay in the tray (only if there is one),
                // without even building the window.
                let hidden = launch.autostart
                    && app.state::<AppState>().settings().start_hidden
                    && app.tray_by_id(tray::TRAY_ID).is_some();
                if !hidden {
                    window::open_at_start(app.handle())?;
                }
            }
            if let Some(link) = launch.link {
                links::deliver(app.handle(), link, Source::Link);
            }
            for d in launch.handover.into_iter().flat_map(|h| h.deliveries) {
                links::deliver(app.handle(), d.text, d.source);
            }
            Ok(())
        })
        .invoke_handler(tauri::generate_handler![
            commands::get_status,
            commands::start_demo,
            commands::save_account,
            commands::check_connection,
            commands::sign_out,
            commands::save_preferences,
            commands::list_agents,
            commands::list_caller_ids,
            commands::preview_number,
            commands::dial,
            commands::link_state,
            commands::confirm_link,
            commands::dismiss_link,
            commands::handler_status,
            commands::handler_install,
            commands::handler_self_test,
            commands::autostart,
            commands::set_autostart,
            commands::find_numbers,
            commands::calls,
            commands::hang_up,
            commands::history,
            commands::set_availability,
            commands::export_history,
            commands::history_stamp,
            commands::set_history_open,
            commands::play_recording,
            commands::wrap_up,
            commands::set_dispositions,
            commands::retry_handoff,
            commands::preview_after_call,
            commands::set_me,
            commands::keep_draft,
            commands::check_shortcut,
            commands::colleague_before_dial,
            commands::browser_policy,
        ])
}
