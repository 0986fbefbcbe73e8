//! Clickdial's shared services: everything two front ends (the window, the CLI, and later
//! `tel:` links, the tray and the hotkey) need, without Tauri. Entry points translate their
//! input and call these; they hold no rules of their own.
//!
//! - [`app`]: the application every front end opens ([`app::Clickdial`]): the session in use,
//!   the rules around a dial, preferences, the link inbox. Front ends call it, nothing else.
//! - [`dialer`]: the one dial function: parse, validate, guard, send once, record, remember.
//! - [`ledger`]: the call ledger (SQLite, shared by every process) and the cross-process
//!   duplicate-dial guard.
//! - [`follow`]: following queued calls (live status, hang-up, the outcome into history).
//! - [`notify`]: desktop notifications over the session bus.
//! - [`links`]: the confirm sheet's inbox for dials not typed into the window (links, later
//!   the tray and the hotkey); coalesces floods, never dials by itself.
//! - [`instance`]: hands a link to the running app before anything heavy loads.
//! - [`tray`]: the tray menu as a pure function of the app's state.
//! - [`agents`]: the agent someone meant, by ID, name or mobile number (unique matches only).
//! - [`accounts`]: connecting, the saved account, signing out; secrets bound to their server.
//! - [`settings_file`]: the one writer of the settings file (lock, re-read, atomic replace).
//! - [`secrets`]: the OS keyring.
//! - [`error`]: `{code, message}`, and the CLI's exit codes.
//! - [`handler`]: whether the OS sends `tel:`/`callto:` links to Clickdial; making it the default.
//! - [`process`]: process hygiene (no core dumps).

pub mod accounts;
pub mod agents;
pub mod app;
pub mod demo;
pub mod dialer;
pub mod error;
pub mod follow;
pub mod handler;
pub mod instance;
pub mod ledger;
pub mod links;
pub mod notify;
pub mod process;
pub mod secrets;
pub mod settings_file;
pub mod tray;

pub use error::{Code, Error};

/// Where the app keeps its files: `<data dir>/<identifier>/`. Must match `identifier` in
/// tauri.conf.json, so the window, the CLI and every other process share one folder.
pub const IDENTIFIER: &str = "in.clickdial.desktop";

/// The app's data folder (`~/.local/share/in.clickdial.desktop` on Linux).
pub fn data_dir() -> Option<std::path::PathBuf> {
    dirs::data_dir().map(|d| d.join(IDENTIFIER))
}

/// Where exported files go: the Downloads folder, else the home folder.
pub fn export_dir() -> Option<std::path::PathBuf> {
    dirs::download_dir().or_else(dirs::home_dir)
}

/// Runs blocking work (keyring, file lock, SQLite) off the async threads.
pub(crate) async fn blocking<T: Send + 'static>(
    f: impl FnOnce() -> Result<T, Error> + Send + 'static,
) -> Result<T, Error> {
    tokio::task::spawn_blocking(f)
        .await
        .map_err(|_| Error::internal("A keyring, file or history operation did not finish."))?
}
