//! The global shortcut: the selected text to the confirm sheet. Registered once the window's
//! first page has loaded; let go of when the tray keeper takes over.

use std::time::Duration;

use clickdial_services::ledger::Source;
use tauri::{AppHandle, Manager, Runtime};

use crate::links;
use crate::state::AppState;

pub use clickdial_desktop::{shortcuts_supported, DEFAULT_HOTKEY};

/// The hotkey: the selected text (the PRIMARY selection on Linux), else the clipboard, to the
/// confirm sheet. The clipboard is only read, never changed.
pub fn on_hotkey<R: Runtime>(app: &AppHandle<R>) {
    let text = clickdial_desktop::selection().unwrap_or_default();
    links::deliver(app, text, Source::Hotkey);
}

/// The agent's global Hang-up shortcut, when they chose one.
fn hang_up_shortcut<R: Runtime>(
    app: &AppHandle<R>,
) -> Option<tauri_plugin_global_shortcut::Shortcut> {
    let state = app.try_state::<AppState>()?;
    state.settings().hang_up_hotkey?.parse().ok()
}

/// The global Hang-up key: ends the call on show, as its Hang up button would.
fn on_hang_up_key<R: Runtime>(app: &AppHandle<R>) {
    let Some(follower) = app
        .try_state::<AppState>()
        .and_then(|s| s.follower().cloned())
    else {
        return;
    };
    tauri::async_runtime::spawn(async move {
        if let Err(e) = follower.hang_up(None).await {
            eprintln!("Clickdial: the Hang-up shortcut: {e}");
        }
    });
}

/// The global-shortcut plugin, added when the shortcut is first registered (once the window's
/// first page has loaded) rather than at start: on X11 its manager opens an X connection of its
/// own, and doing that while WebKit's page process starts delays the first paint by up to
/// 0.5 s.
fn shortcut_plugin<R: Runtime>() -> tauri::plugin::TauriPlugin<R> {
    tauri_plugin_global_shortcut::Builder::new()
        .with_handler(|app, shortcut, event| {
            if event.state() != tauri_plugin_global_shortcut::ShortcutState::Pressed {
                return;
            }
            if hang_up_shortcut(app).is_some_and(|h| h.id() == shortcut.id()) {
                on_hang_up_key(app);
            } else {
                on_hotkey(app);
            }
        })
        .build()
}

/// The plugin's manager, once added.
fn shortcuts<R: Runtime>(
    app: &AppHandle<R>,
) -> Option<tauri::State<'_, tauri_plugin_global_shortcut::GlobalShortcut<R>>> {
    app.try_state::<tauri_plugin_global_shortcut::GlobalShortcut<R>>()
}

/// Lets go of every global shortcut this process holds.
pub fn unregister_hotkeys<R: Runtime>(app: &AppHandle<R>) {
    if let Some(shortcuts) = shortcuts(app) {
        let _ = shortcuts.unregister_all();
    }
}

/// The plugin's manager, adding [`shortcut_plugin`] first unless it is there: on the main
/// thread (where Windows and macOS need its manager), waited for. Never call this on the main
/// thread.
fn shortcuts_added<R: Runtime>(
    app: &AppHandle<R>,
) -> Option<tauri::State<'_, tauri_plugin_global_shortcut::GlobalShortcut<R>>> {
    if shortcuts(app).is_none() {
        let (done, added) = std::sync::mpsc::channel();
        let handle = app.clone();
        app.run_on_main_thread(move || {
            if shortcuts(&handle).is_none() {
                if let Err(e) = handle.plugin(shortcut_plugin()) {
                    eprintln!("Clickdial runs without its global shortcut: {e}");
                }
            }
            let _ = done.send(());
        })
        .ok()?;
        added.recv_timeout(Duration::from_secs(10)).ok()?;
    }
    shortcuts(app)
}

/// Registers the agent's global shortcut (default Ctrl+Alt+D). Where global shortcuts cannot
/// work (Wayland), or the combination is taken, the app runs without one and says so. Off the
/// main thread only.
pub fn register_hotkey<R: Runtime>(app: &AppHandle<R>) {
    register_hotkey_within(app, Duration::ZERO);
}

/// [`register_hotkey`], trying again for up to `patience` while the keys are taken: the tray
/// keeper that just handed over lets go of them a moment after the name.
pub fn register_hotkey_within<R: Runtime>(app: &AppHandle<R>, patience: Duration) {
    let Some(state) = app.try_state::<AppState>() else {
        return;
    };
    // The policy's shortcuts when it fixed them; `None`: it turned the dial shortcut off.
    let hotkey = state.hotkey_or(DEFAULT_HOTKEY);
    let hang_up = state.settings().hang_up_hotkey;
    unregister_hotkeys(app);
    if !shortcuts_supported() {
        return;
    }
    let Some(shortcuts) = shortcuts_added(app) else {
        return;
    };
    if let Some(h) = hang_up.as_deref() {
        if let Err(e) = shortcuts.register(h) {
            eprintln!("Clickdial could not register the Hang-up shortcut {h}: {e}");
        }
    }
    let Some(hotkey) = hotkey else {
        return;
    };
    let deadline = std::time::Instant::now() + patience;
    loop {
        match shortcuts.register(hotkey.as_str()) {
            Ok(()) => return,
            Err(_) if std::time::Instant::now() < deadline => {
                std::thread::sleep(Duration::from_millis(100));
            }
            Err(e) => {
                eprintln!("Clickdial could not register the shortcut {hotkey}: {e}");
                return;
            }
        }
    }
}

/// Checks a shortcut the agent typed (`ctrl+alt+d`, `super+shift+k`).
pub fn check_hotkey(text: &str) -> Result<(), clickdial_services::Error> {
    text.parse::<tauri_plugin_global_shortcut::Shortcut>()
        .map(|_| ())
        .map_err(|_| {
            clickdial_services::Error::invalid(format!(
                "'{}' is not a shortcut Clickdial can use; write it like ctrl+alt+d.",
                clickdial_core::sanitize::clean_text(text, 40)
            ))
        })
}
