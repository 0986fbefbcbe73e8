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

/// What is in a settings file.
pub enum FileSettings {
    Missing,
    Read(Settings),
    /// Not JSON, not ours, or from a newer version.
    Unreadable,
}

/// Reads the settings file directly, without Tauri and without changing it.
pub fn read_file(path: &Path) -> FileSettings {
    let Ok(bytes) = std::fs::read(path) else {
        return FileSettings::Missing;
    };
    // A JSON object whose settings value, if any, is one we understand.
    match serde_json::from_slice::<serde_json::Map<String, serde_json::Value>>(&bytes) {
        Ok(mut file) => match file.remove(SETTINGS_KEY) {
            None => FileSettings::Read(Settings::default()),
            Some(v) => {
                Settings::from_stored(v).map_or(FileSettings::Unreadable, FileSettings::Read)
            }
        },
        Err(_) => FileSettings::Unreadable,
    }
}

/// Reads the settings file; one that cannot be read is moved aside (never deleted), defaults
/// are used, and the returned notice tells the user once.
pub fn load_file(path: &Path) -> (Settings, Option<String>) {
    match read_file(path) {
        FileSettings::Missing => (Settings::default(), None),
        FileSettings::Read(s) => (s, None),
        FileSettings::Unreadable => (
            Settings::default(),
            Some(moved_aside_notice(move_aside(path))),
        ),
    }
}

/// Writes the settings into the file in the store plugin's format, keeping other keys, via a
/// temporary file so a crash cannot leave half a file.
pub fn save_file(path: &Path, settings: &Settings) -> Result<(), String> {
    let mut file = std::fs::read(path)
        .ok()
        .and_then(|b| serde_json::from_slice::<serde_json::Map<String, serde_json::Value>>(&b).ok())
        .unwrap_or_default();
    file.insert(
        SETTINGS_KEY.to_string(),
        serde_json::to_value(settings).map_err(|e| e.to_string())?,
    );
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).map_err(|e| e.to_string())?;
    }
    let tmp = path.with_extension("json.tmp");
    let bytes = serde_json::to_vec_pretty(&file).map_err(|e| e.to_string())?;
    std::fs::write(&tmp, bytes).map_err(|e| e.to_string())?;
    std::fs::rename(&tmp, path).map_err(|e| e.to_string())
}

pub fn load<R: Runtime>(app: &AppHandle<R>, path: &Path) -> (Settings, Option<String>) {
    // The store plugin silently starts empty on a file it cannot parse, and would overwrite it
    // on the next save: check the file first (moving an unreadable one aside), then open it.
    let loaded = match tauri_plugin_store::resolve_store_path(app, path) {
        Ok(full) => load_file(&full),
        Err(_) => (Settings::default(), None),
    };
    let _ = app.store(path);
    loaded
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
