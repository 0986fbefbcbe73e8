//! How `tel:`/`callto:` links reach the running app, translated into one call:
//! [`AppState::receive`]. Three roads lead here:
//! - a cold start: the desktop ran `clickdial tel:…` and no Clickdial was running;
//! - a second process: the single-instance plugin hands its arguments to this one over D-Bus
//!   (Linux) or a named pipe (Windows) and exits;
//! - macOS: the OS delivers the URL as an event (the deep-link plugin).
//!
//! The raw argument is parsed by our own RFC 3966 parser (in the services), not by a URL
//! library first, so a link that is not a valid URL still reaches the sheet and explains itself
//! instead of vanishing.

use clickdial_services::ledger::Source;
use tauri::{AppHandle, Emitter, Manager, Runtime};

use crate::state::AppState;
use crate::window;

/// The first link among a process's arguments (after the program name).
pub fn link_in_args<I, S>(args: I) -> Option<String>
where
    I: IntoIterator<Item = S>,
    S: AsRef<str>,
{
    args.into_iter()
        .skip(1)
        .find(|a| clickdial_core::phone::is_link(a.as_ref()))
        .map(|a| a.as_ref().to_string())
}

/// A second `clickdial` was started: bring the window forward, and take its link, if any.
pub fn from_second_instance<R: Runtime>(app: &AppHandle<R>, argv: Vec<String>) {
    match link_in_args(&argv) {
        Some(link) => deliver(app, link, Source::Link),
        None => window::show(app),
    }
}

/// A number for the confirm sheet: a link, or text from the tray or the hotkey. Brings the
/// window forward, hands the text to the app state, then tells the page. Returns at once; the
/// work runs on the async runtime (the single-instance callback must not block D-Bus).
pub fn deliver<R: Runtime>(app: &AppHandle<R>, text: String, source: Source) {
    window::show(app);
    let app = app.clone();
    tauri::async_runtime::spawn(async move {
        let Some(state) = app.try_state::<AppState>() else {
            return;
        };
        state.receive(&text, source).await;
        let _ = app.emit_to(window::MAIN, crate::events::LINKS_EVENT, ());
        // Then, without holding up the sheet: is a colleague on a call with that customer?
        if state.check_colleagues().await {
            let _ = app.emit_to(window::MAIN, crate::events::LINKS_EVENT, ());
        }
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_link_is_found_after_the_program_name_only() {
        assert_eq!(
            link_in_args(["clickdial", "tel:+91"]).as_deref(),
            Some("tel:+91")
        );
        assert_eq!(link_in_args(["tel:+91"]), None);
        assert_eq!(link_in_args(["clickdial"]), None);
        assert_eq!(
            link_in_args(["clickdial", "--x", "CALLTO://+1"]).as_deref(),
            Some("CALLTO://+1")
        );
    }
}
