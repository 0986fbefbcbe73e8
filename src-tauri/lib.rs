//! The Clickdial desktop shell: window, commands, keyring and settings. Thin by design: every
//! decision is made in `clickdial-core`; this crate wires it to Tauri and to the CLI.

pub mod account;
pub mod cli;
pub mod commands;
pub mod error;
pub mod secrets;
pub mod settings;
pub mod state;

use std::path::PathBuf;
use std::sync::Arc;

use tauri::{Builder, Manager, Runtime};

use crate::secrets::{KeyringStore, SecretStore};
use crate::state::AppState;

/// Must match `identifier` in tauri.conf.json: the CLI finds the settings file through it.
pub const IDENTIFIER: &str = "in.clickdial.desktop";

/// Entry point of the one binary: CLI subcommands, or the desktop app.
pub fn main() -> i32 {
    let args: Vec<std::ffi::OsString> = std::env::args_os().collect();
    if cli::is_cli(&args) {
        return cli::run(args);
    }
    match build_app(
        Builder::default(),
        Arc::new(KeyringStore::new()),
        PathBuf::from(settings::SETTINGS_FILE),
    )
    .run(tauri::generate_context!())
    {
        Ok(()) => 0,
        Err(e) => {
            eprintln!("Clickdial could not start: {e}");
            1
        }
    }
}

/// Everything but the runtime and context, so tests can run it on `tauri::test::mock_builder()`.
pub fn build_app<R: Runtime>(
    builder: Builder<R>,
    secrets: Arc<dyn SecretStore>,
    store_path: PathBuf,
) -> Builder<R> {
    builder
        .plugin(tauri_plugin_store::Builder::new().build())
        .setup(move |app| {
            let (loaded, notice) = settings::load(app.handle(), &store_path);
            let persist = settings::saver(app.handle().clone(), store_path);
            app.manage(AppState::new(secrets, loaded, notice, persist));
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
