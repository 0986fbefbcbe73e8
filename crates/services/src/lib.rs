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
//! - [`policy`]: the fleet policy an administrator locks (`/etc/clickdial/policy.toml`).
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
//! - [`webview`]: whether the window's web view is installed (Windows: the WebView2 Runtime).
//! - `autostart` (Linux, Windows): start at login, written by Clickdial itself, its path quoted.

pub mod accounts;
pub mod agents;
pub mod app;
#[cfg(any(windows, target_os = "linux"))]
pub mod autostart;
pub mod demo;
pub mod dialer;
pub mod error;
pub mod follow;
pub mod handler;
pub mod instance;
pub mod ledger;
pub mod links;
pub mod notify;
pub mod policy;
pub mod process;
pub mod secrets;
pub mod settings_file;
pub mod tray;
pub mod webview;

pub use error::{Code, Error};

/// Where the app keeps its files: `<data dir>/<identifier>/`. Must match `identifier` in
/// tauri.conf.json, so the window, the CLI and every other process share one folder.
pub const IDENTIFIER: &str = "in.clickdial.desktop";

/// Portable mode: a folder of the user's choosing for the settings file and the call ledger,
/// instead of the usual one (docs/WINDOWS.md#portable-mode). For a desk that keeps Clickdial on
/// a shared drive or a USB stick, and for tests, which cannot move Windows' AppData the way
/// they move HOME or XDG_DATA_HOME on Linux. Secrets stay in the OS keyring either way.
pub const DATA_DIR_VAR: &str = "CLICKDIAL_DATA_DIR";

/// The app's data folder: `CLICKDIAL_DATA_DIR` when set (portable mode), else
/// `~/.local/share/in.clickdial.desktop` on Linux, `%APPDATA%\in.clickdial.desktop` on Windows,
/// `~/Library/Application Support/in.clickdial.desktop` on macOS. Every process reads it here.
pub fn data_dir() -> Option<std::path::PathBuf> {
    data_dir_from(std::env::var_os(DATA_DIR_VAR), dirs::data_dir)
}

/// [`data_dir`] with its inputs passed in: the override (empty means unset; relative means
/// from the current folder, fixed now so a program started elsewhere finds the same folder)
/// and the OS's data folder.
fn data_dir_from(
    portable: Option<std::ffi::OsString>,
    os_data_dir: impl FnOnce() -> Option<std::path::PathBuf>,
) -> Option<std::path::PathBuf> {
    match portable.filter(|dir| !dir.is_empty()) {
        Some(dir) => std::path::absolute(dir).ok(),
        None => os_data_dir().map(|d| d.join(IDENTIFIER)),
    }
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

#[cfg(test)]
mod tests {
    use std::path::PathBuf;

    use super::*;

    #[test]
    fn the_portable_folder_wins_and_is_made_absolute() {
        let os = || Some(PathBuf::from("/os/data"));
        assert_eq!(
            data_dir_from(None, os),
            Some(PathBuf::from("/os/data").join(IDENTIFIER))
        );
        // Empty is unset, as a shell's `CLICKDIAL_DATA_DIR= clickdial …` means.
        assert_eq!(
            data_dir_from(Some("".into()), os),
            Some(PathBuf::from("/os/data").join(IDENTIFIER))
        );
        let here = std::env::current_dir().unwrap();
        let portable = here.join("Clickdial data");
        assert_eq!(
            data_dir_from(Some(portable.clone().into()), || None),
            Some(portable)
        );
        assert_eq!(
            data_dir_from(Some("Clickdial data".into()), || None),
            Some(here.join("Clickdial data"))
        );
        // No override and no OS folder (no HOME): none, which callers explain.
        assert_eq!(data_dir_from(None, || None), None);
    }
}
