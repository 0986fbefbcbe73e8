//! The Clickdial desktop shell: window and commands. Thin by design: the rules live in
//! `clickdial-core` (parsing, the API client) and `clickdial-services` (the dial service, the
//! account, the settings file, the call ledger), which the CLI shares; this crate only
//! translates the window's requests into calls to them.

pub mod cli;
pub mod commands;
pub mod state;

use std::path::PathBuf;
use std::sync::Arc;

use clickdial_services::secrets::{KeyringStore, SecretStore};
use tauri::{Builder, Manager, Runtime};

use crate::state::AppState;

pub use clickdial_services::IDENTIFIER;

/// Entry point of the one binary: the window with no arguments (or a `tel:`/`callto:` link),
/// otherwise the command line.
pub fn main() -> i32 {
    clickdial_services::process::harden();
    let args: Vec<std::ffi::OsString> = std::env::args_os().collect();
    if !cli::opens_window(&args) {
        return cli::run(args);
    }
    if let Some(message) = no_display() {
        eprintln!("{message}");
        return 1;
    }
    let Some(data_dir) = clickdial_services::data_dir() else {
        eprintln!("Clickdial could not find your data folder (is HOME set?).");
        return 1;
    };
    match build_app(Builder::default(), Arc::new(KeyringStore::new()), data_dir)
        .run(tauri::generate_context!())
    {
        Ok(()) => 0,
        Err(e) => {
            eprintln!("Clickdial could not start: {e}");
            1
        }
    }
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

/// Everything but the runtime and context, so tests can run it on `tauri::test::mock_builder()`.
/// `data_dir` holds the settings file and the call ledger, shared with the CLI.
pub fn build_app<R: Runtime>(
    builder: Builder<R>,
    secrets: Arc<dyn SecretStore>,
    data_dir: PathBuf,
) -> Builder<R> {
    builder
        .setup(move |app| {
            app.manage(AppState::new(secrets, &data_dir));
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
        ])
}
