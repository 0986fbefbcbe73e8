//! The tray icon and its menu: translation only. The menu
//! is [`clickdial_services::tray::menu`] of the state; a clicked item becomes an
//! [`Action`]; a dial from the tray or the hotkey goes to the confirm sheet
//! ([`AppState::receive`]) and from there through the one dial service and its guard.

use std::time::Duration;

use clickdial_services::ledger::Source;
use clickdial_services::tray::{self, Action, Item, TrayState};
use tauri::menu::{CheckMenuItem, IsMenuItem, Menu, MenuItem, PredefinedMenuItem, Submenu};
use tauri::tray::{MouseButton, MouseButtonState, TrayIconBuilder, TrayIconEvent};
use tauri::{AppHandle, Emitter, Manager, Runtime};

use crate::links;
use crate::state::AppState;
use crate::window;

pub const TRAY_ID: &str = "main";

/// How often the tray looks at the call history, the lists and the picks to refresh its menu.
const REFRESH: Duration = Duration::from_secs(2);

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

/// Rebuilds the menu when what it shows changed: the recent calls, the lists, the picks. Cheap
/// when nothing changed (cached lists, one small query). The clipboard is not read here: this
/// tray gets no menu-open event on Linux, so Dial clipboard reads it when clicked.
fn refresh_loop<R: Runtime>(app: AppHandle<R>) {
    let mut shown: Option<(Vec<Item>, String)> = None;
    loop {
        let Some(state) = app.try_state::<AppState>() else {
            std::thread::sleep(REFRESH);
            continue;
        };
        let tray_state = tauri::async_runtime::block_on(state.tray_state());
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
                        let _ = app.emit(crate::events::FOLLOW_ERROR_EVENT, e.message);
                    } else {
                        crate::events::tell(&app, e.message);
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
            let _ = app.emit_to(window::MAIN, crate::events::PICKS_EVENT, picks);
        }
    });
}
