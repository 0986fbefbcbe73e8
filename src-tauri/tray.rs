//! The tray icon, its menu, the global hotkey and "close to tray": translation only. The menu
//! is [`clickdial_services::tray::menu`] of the state; a clicked item becomes an
//! [`Action`]; a dial from the tray or the hotkey goes to the confirm sheet
//! ([`AppState::receive`]) and from there through the one dial service and its guard.

use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use clickdial_services::ledger::Source;
use clickdial_services::tray::{self, Action, Item, TrayState};
use tauri::menu::{CheckMenuItem, IsMenuItem, Menu, MenuItem, PredefinedMenuItem, Submenu};
use tauri::tray::{MouseButton, MouseButtonState, TrayIconBuilder, TrayIconEvent};
use tauri::{AppHandle, Emitter, Manager, Runtime, WindowEvent};

use crate::links;
use crate::state::AppState;
use crate::window;

pub const TRAY_ID: &str = "main";

/// The event that tells the page the tray chose another agent or caller ID.
pub const PICKS_EVENT: &str = "picks-changed";

/// How often the tray looks at the clipboard and the call history to refresh its menu.
const REFRESH: Duration = Duration::from_secs(2);

pub use clickdial_desktop::{shortcuts_supported, DEFAULT_HOTKEY};

/// Builds the tray and starts its refresh loop. An error (no tray on this desktop) is reported
/// and the app runs without it.
pub fn setup<R: Runtime>(app: &AppHandle<R>) -> tauri::Result<()> {
    let menu = build_menu(app, &tray::menu(&TrayState::default()))?;
    let mut builder = TrayIconBuilder::with_id(TRAY_ID)
        .menu(&menu)
        .tooltip("Clickdial")
        .show_menu_on_left_click(false)
        .on_menu_event(|app, event| on_menu(app, event.id().as_ref()))
        .on_tray_icon_event(|icon, event| {
            // Windows and macOS: a left click shows the window (Linux sends no clicks).
            if let TrayIconEvent::Click {
                button: MouseButton::Left,
                button_state: MouseButtonState::Up,
                ..
            } = event
            {
                window::show(icon.app_handle());
            }
        });
    if let Some(icon) = app.default_window_icon() {
        builder = builder.icon(icon.clone());
    }
    builder.build(app)?;
    let app = app.clone();
    std::thread::Builder::new()
        .name("tray-refresh".into())
        .spawn(move || refresh_loop(app))
        .map(|_| ())
        .map_err(tauri::Error::Io)
}

/// Rebuilds the menu when what it shows changed: the clipboard, the recent calls, the lists,
/// the picks. Cheap when nothing changed (one clipboard read, cached lists, one small query).
fn refresh_loop<R: Runtime>(app: AppHandle<R>) {
    let mut clipboard = clickdial_desktop::ClipboardReader::new();
    let mut shown: Option<(Vec<Item>, String)> = None;
    loop {
        let text = clipboard.text();
        let Some(state) = app.try_state::<AppState>() else {
            std::thread::sleep(REFRESH);
            continue;
        };
        let tray_state = tauri::async_runtime::block_on(state.tray_state(text));
        let next = (tray::menu(&tray_state), tray::tooltip(&tray_state));
        if shown.as_ref() != Some(&next) {
            if let Some(icon) = app.tray_by_id(TRAY_ID) {
                if let Ok(menu) = build_menu(&app, &next.0) {
                    let _ = icon.set_menu(Some(menu));
                }
                let _ = icon.set_tooltip(Some(&next.1));
            }
            shown = Some(next);
        }
        std::thread::sleep(REFRESH);
    }
}

fn build_menu<R: Runtime>(app: &AppHandle<R>, items: &[Item]) -> tauri::Result<Menu<R>> {
    let menu = Menu::new(app)?;
    for item in items {
        menu.append(&*build_item(app, item)?)?;
    }
    Ok(menu)
}

fn build_item<R: Runtime>(
    app: &AppHandle<R>,
    item: &Item,
) -> tauri::Result<Box<dyn IsMenuItem<R>>> {
    Ok(match item {
        Item::Action { id, label, enabled } => Box::new(MenuItem::with_id(
            app,
            id.as_str(),
            label,
            *enabled,
            None::<&str>,
        )?),
        Item::Radio { id, label, checked } => Box::new(CheckMenuItem::with_id(
            app,
            id.as_str(),
            label,
            true,
            *checked,
            None::<&str>,
        )?),
        Item::Submenu {
            label,
            enabled,
            items,
        } => {
            let sub = Submenu::new(app, label, *enabled)?;
            for i in items {
                sub.append(&*build_item(app, i)?)?;
            }
            Box::new(sub)
        }
        Item::Separator => Box::new(PredefinedMenuItem::separator(app)?),
    })
}

/// What a tray menu item does, by its id. Public for the tests: the menu itself cannot be
/// clicked headless.
pub fn on_menu<R: Runtime>(app: &AppHandle<R>, id: &str) {
    let Some(action) = tray::action(id) else {
        return;
    };
    match action {
        Action::Show => window::show(app),
        Action::Quit => app.exit(0),
        Action::HangUp => {
            let app = app.clone();
            tauri::async_runtime::spawn(async move {
                let Some(follower) = app.state::<AppState>().follower().cloned() else {
                    return;
                };
                if let Err(e) = follower.hang_up(None).await {
                    // The window says why; the tray has no place for text. A window closed to
                    // the tray is built anew, and its page reads the message from its status.
                    if app.get_webview_window(window::MAIN).is_some() {
                        let _ = app.emit(crate::commands::FOLLOW_ERROR_EVENT, e.message);
                    } else {
                        crate::tell(&app, e.message);
                    }
                    window::show(&app);
                }
            });
        }
        Action::DialClipboard => {
            let text = clickdial_desktop::clipboard().unwrap_or_default();
            links::deliver(app, text, Source::Tray);
        }
        Action::Dial(e164) => links::deliver(app, e164, Source::Tray),
        Action::Agent(agent) => choose(app, Some(agent), None),
        Action::Caller(caller) => choose(app, None, Some(caller)),
    }
}

fn choose<R: Runtime>(app: &AppHandle<R>, agent: Option<String>, caller: Option<String>) {
    let app = app.clone();
    tauri::async_runtime::spawn(async move {
        if let Some(state) = app.try_state::<AppState>() {
            let picks = state.choose(agent, caller).await;
            let _ = app.emit_to(window::MAIN, PICKS_EVENT, picks);
        }
    });
}

/// The hotkey: the selected text (the PRIMARY selection on Linux), else the clipboard, to the
/// confirm sheet. The clipboard is only read, never changed.
pub fn on_hotkey<R: Runtime>(app: &AppHandle<R>) {
    let text = clickdial_desktop::selection().unwrap_or_default();
    links::deliver(app, text, Source::Hotkey);
}

/// Closing the window closes only the window: Clickdial stays in the tray, ready for links and
/// the hotkey, without the webview's memory (the run loop keeps the app from exiting; on Linux
/// the tray keeper takes over, see `single`). The
/// first time, the page explains where it went (the notice comes with the next status).
pub fn on_window_event<R: Runtime>(window: &tauri::Window<R>, event: &WindowEvent) {
    static TOLD: AtomicBool = AtomicBool::new(false);
    if let WindowEvent::CloseRequested { .. } = event {
        // A sheet never outlives its window: reopened, it would offer a link the agent walked
        // away from, with Call focused.
        if let Some(state) = window.app_handle().try_state::<AppState>() {
            state.window_closed();
        }
        if window.app_handle().tray_by_id(TRAY_ID).is_none() {
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

/// The global-shortcut plugin, added when the shortcut is first registered (once the window's
/// first page has loaded) rather than at start: creating its manager at start (on X11 it opens
/// an X connection of its own) stalled 5 of 6 cold starts under Xvfb by 0.5 s. GTK repainted
/// the window while WebKit's page process was starting, and WebKit's paint waits up to 0.5 s
/// for the page process, which was itself waiting on the app (gdb stacks of both).
fn shortcut_plugin<R: Runtime>() -> tauri::plugin::TauriPlugin<R> {
    tauri_plugin_global_shortcut::Builder::new()
        .with_handler(|app, _shortcut, event| {
            if event.state() == tauri_plugin_global_shortcut::ShortcutState::Pressed {
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
    let hotkey = state
        .settings()
        .hotkey
        .unwrap_or_else(|| DEFAULT_HOTKEY.to_string());
    unregister_hotkeys(app);
    if !shortcuts_supported() {
        return;
    }
    let Some(shortcuts) = shortcuts_added(app) else {
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
