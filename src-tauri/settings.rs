//! Loads and saves the typed [`Settings`] through tauri-plugin-store. A corrupt or foreign
//! settings file is moved aside (never deleted), defaults are used, and the user is told once.

use std::path::{Path, PathBuf};

use clickdial_core::settings::{Settings, SETTINGS_KEY};
use tauri::{AppHandle, Runtime};
use tauri_plugin_store::StoreExt;

/// The store file, relative to the app data directory. The CLI reads the same file.
pub const SETTINGS_FILE: &str = "settings.json";

/// Writes settings; kept in the app state so commands need no runtime type.
pub type Persist = Box<dyn Fn(&Settings) -> Result<(), String> + Send + Sync>;

/// Where the app keeps its settings (`<data dir>/<identifier>/settings.json`), for the CLI.
pub fn default_settings_path() -> Option<PathBuf> {
    dirs::data_dir().map(|d| d.join(crate::IDENTIFIER).join(SETTINGS_FILE))
}

pub fn load<R: Runtime>(app: &AppHandle<R>, path: &Path) -> (Settings, Option<String>) {
    // The store plugin silently starts empty on a file it cannot parse, and would overwrite it
    // on the next save: check the file first and keep an unreadable one aside.
    let mut notice = None;
    if let Ok(full) = tauri_plugin_store::resolve_store_path(app, path) {
        if let Ok(bytes) = std::fs::read(&full) {
            if !is_readable(&bytes) {
                notice = Some(moved_aside_notice(move_aside(&full)));
            }
        }
    }
    let settings = app
        .store(path)
        .ok()
        .and_then(|store| store.get(SETTINGS_KEY))
        .and_then(Settings::from_stored)
        .unwrap_or_default();
    (settings, notice)
}

/// A JSON object whose settings value, if any, is one we understand.
fn is_readable(bytes: &[u8]) -> bool {
    serde_json::from_slice::<serde_json::Map<String, serde_json::Value>>(bytes).is_ok_and(|file| {
        file.get(SETTINGS_KEY)
            .is_none_or(|v| Settings::from_stored(v.clone()).is_some())
    })
}

fn move_aside(path: &Path) -> Option<PathBuf> {
    let stamp = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or_default();
    let aside = path.with_extension(format!("json.unreadable-{stamp}"));
    std::fs::rename(path, &aside).ok().map(|_| aside)
}

fn moved_aside_notice(aside: Option<PathBuf>) -> String {
    let kept = aside
        .map(|p| format!(" The old file was kept as {}.", p.display()))
        .unwrap_or_default();
    format!(
        "Your settings could not be read, so Clickdial started with default settings. \
         Your saved token is untouched.{kept}"
    )
}

pub fn saver<R: Runtime>(app: AppHandle<R>, path: PathBuf) -> Persist {
    Box::new(move |settings: &Settings| {
        let store = app.store(&path).map_err(|e| e.to_string())?;
        let value = serde_json::to_value(settings).map_err(|e| e.to_string())?;
        store.set(SETTINGS_KEY, value);
        store.save().map_err(|e| e.to_string())
    })
}
