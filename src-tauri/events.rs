//! Every event the Rust side sends the page (ui/ipc.js names the same; ui/contract.test.js
//! checks), and the one way to tell the agent something.

use tauri::{Emitter, Manager, Runtime};

use crate::state::AppState;

/// Sent to the page with every followed call whenever one changes (stage, outcome).
pub const CALLS_EVENT: &str = "calls-changed";
/// Sent to the page with a notice for the agent (shown once).
pub const NOTICE_EVENT: &str = "notice";
/// Sent to the page when a hang-up from the tray failed: the message to show.
pub const FOLLOW_ERROR_EVENT: &str = "follow-error";

/// The event that tells the page to ask for [`AppState::link_state`] again.
pub const LINKS_EVENT: &str = "links-changed";

/// The window was shown again (from the tray, a link or a second launch).
pub const SHOWN_EVENT: &str = "window-shown";

/// The tray chose another agent or caller ID.
pub const PICKS_EVENT: &str = "picks-changed";

/// A message for the agent: queued for the page's next status, so a page built later (the window
/// was closed to the tray, or is still loading) gets it, and sent to the page showing now.
pub fn tell<R: Runtime>(app: &tauri::AppHandle<R>, notice: String) {
    if let Some(state) = app.try_state::<AppState>() {
        state.notice(notice.clone());
    }
    let _ = app.emit(NOTICE_EVENT, notice);
}
