//! The one window, and what closing it means. With a tray, closing the window destroys its
//! webview (and with it WebKit's web process, most of the app's memory) while the app stays in
//! the tray; showing it again builds a fresh one from `tauri.conf.json`. The page keeps nothing
//! of its own: it asks the app for its state when it loads (the typed number included, see
//! `Clickdial::keep_draft`).

use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use tauri::{AppHandle, Emitter, Manager, Runtime, WebviewWindow, WebviewWindowBuilder};

/// The window's label (`tauri.conf.json`, where it has `"create": false`).
pub const MAIN: &str = "main";

/// Builds the main window from its configuration, unless it exists.
fn open<R: Runtime>(app: &AppHandle<R>) -> tauri::Result<WebviewWindow<R>> {
    if let Some(window) = app.get_webview_window(MAIN) {
        return Ok(window);
    }
    let config = app
        .config()
        .app
        .windows
        .iter()
        .find(|w| w.label == MAIN)
        .ok_or_else(|| tauri::Error::WindowNotFound)?
        .clone();
    WebviewWindowBuilder::from_config(app, &config)?.build()
}

/// Set while a thread builds the window: Tauri records a window only once it is built, so two
/// shows at once (a burst of links, a double click on the tray icon) would each build one.
static BUILDING: AtomicBool = AtomicBool::new(false);

/// Builds the window at start (from setup, on the main thread), unless a link's show is
/// already building it.
pub fn open_at_start<R: Runtime>(app: &AppHandle<R>) -> tauri::Result<()> {
    if BUILDING.swap(true, Ordering::SeqCst) {
        return Ok(());
    }
    let built = open(app).map(|_| ());
    BUILDING.store(false, Ordering::SeqCst);
    built
}

/// Shows, restores and focuses the main window, building it first if it was closed to the tray.
/// The building happens off the calling thread: this is called from menu, tray and
/// single-instance callbacks, where building a webview synchronously can deadlock (Windows).
pub fn show<R: Runtime>(app: &AppHandle<R>) {
    if let Some(window) = app.get_webview_window(MAIN) {
        raise(app, &window);
        return;
    }
    if BUILDING.swap(true, Ordering::SeqCst) {
        return; // Another show is building it, and raises it when built.
    }
    let app = app.clone();
    std::thread::spawn(move || {
        match open(&app) {
            Ok(window) => raise(&app, &window),
            Err(e) => eprintln!("Clickdial could not open its window: {e}"),
        }
        BUILDING.store(false, Ordering::SeqCst);
    });
}

fn raise<R: Runtime>(app: &AppHandle<R>, window: &WebviewWindow<R>) {
    let _ = window.unminimize();
    let _ = window.show();
    let _ = window.set_focus();
    // A page that stayed open picks up what happened while it was hidden (a notice, say); a
    // new one asks for everything when it loads.
    let _ = app.emit_to(MAIN, crate::events::SHOWN_EVENT, ());
}

/// Set once a page of this process has loaded.
static LOADED: AtomicBool = AtomicBool::new(false);
static LOADED_NOW: tokio::sync::Notify = tokio::sync::Notify::const_new();

/// A page finished loading (`Builder::on_page_load`).
pub fn page_loaded() {
    LOADED.store(true, Ordering::SeqCst);
    LOADED_NOW.notify_waiters();
}

/// How long [`first_page_loaded`] waits at most (no window: started hidden).
const FIRST_PAGE_PATIENCE: Duration = Duration::from_secs(2);

/// Waits until the window's first page has loaded, or for [`FIRST_PAGE_PATIENCE`]. What the app
/// sets up at start but nobody needs at once (the global shortcut) waits for this, so it stays
/// out of WebKit's way while the page starts (see `hotkey::shortcut_plugin`).
pub async fn first_page_loaded() {
    let loaded = LOADED_NOW.notified();
    if !LOADED.load(Ordering::SeqCst) {
        let _ = tokio::time::timeout(FIRST_PAGE_PATIENCE, loaded).await;
    }
}
