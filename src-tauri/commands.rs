//! Tauri commands: each takes the state, calls one service, and returns `{code, message}` on
//! failure. No logic lives here. Every command runs inside [`contained`], so even a bug that
//! panics answers the page with an error instead of leaving its promise pending forever.

use std::future::Future;
use std::panic::AssertUnwindSafe;

use clickdial_core::api::{Agent, CallerId};
use clickdial_core::Number;
use clickdial_services::accounts::{AccountForm, ConnectionCheck};
use clickdial_services::app::history::{Exported, HistoryEntry};
use clickdial_services::app::team::ColleagueCall;
use clickdial_services::app::wrapup::WrapUp;
use clickdial_services::dialer::{DialInput, DialOutcome};
use clickdial_services::follow::FollowedCall;
use clickdial_services::handler::browser::Prepared;
use clickdial_services::handler::{open_through_os, Desktop, HandlerStatus};
use clickdial_services::ledger::{CallRow, HistoryQuery, Source};
use clickdial_services::{Code, Error};
use futures_util::FutureExt;
use serde::Serialize;
use tauri::State;

use crate::state::{AppState, LinkState, Preferences, Status};

/// Runs a command's work; a panic becomes an error the page can show.
async fn contained<T>(work: impl Future<Output = Result<T, Error>>) -> Result<T, Error> {
    AssertUnwindSafe(work)
        .catch_unwind()
        .await
        .unwrap_or_else(|_| {
            Err(Error::internal(
            "Something went wrong inside Clickdial, and nothing more was sent. Please try again.",
        ))
        })
}

#[tauri::command]
pub async fn get_status(state: State<'_, AppState>) -> Result<Status, Error> {
    contained(async { Ok(state.status().await) }).await
}

#[tauri::command]
pub async fn start_demo(state: State<'_, AppState>) -> Result<Status, Error> {
    contained(async {
        state.start_demo().await?;
        Ok(state.status().await)
    })
    .await
}

#[derive(Debug, Serialize)]
pub struct Connected {
    pub status: Status,
    pub check: ConnectionCheck,
}

#[tauri::command]
pub async fn save_account(
    state: State<'_, AppState>,
    form: AccountForm,
) -> Result<Connected, Error> {
    contained(async {
        let check = state.save_account(form).await?;
        Ok(Connected {
            status: state.status().await,
            check,
        })
    })
    .await
}

#[tauri::command]
pub async fn check_connection(state: State<'_, AppState>) -> Result<ConnectionCheck, Error> {
    contained(state.check_connection()).await
}

#[tauri::command]
pub async fn sign_out(state: State<'_, AppState>) -> Result<Status, Error> {
    contained(async {
        state.sign_out().await?;
        Ok(state.status().await)
    })
    .await
}

// One argument per preference, as the page sends them (absent: unchanged).
#[allow(clippy::too_many_arguments)]
#[tauri::command]
pub async fn save_preferences<R: tauri::Runtime>(
    app: tauri::AppHandle<R>,
    state: State<'_, AppState>,
    region: String,
    call_timeout: Option<u32>,
    links_without_asking: Option<bool>,
    hotkey: Option<String>,
    hang_up_hotkey: Option<String>,
    start_hidden: Option<bool>,
    history_days: Option<u32>,
    notify: Option<bool>,
    choose_agent_each_call: Option<bool>,
    team_check: Option<bool>,
    after_call_kind: Option<String>,
    after_call_url: Option<String>,
) -> Result<Status, Error> {
    contained(async {
        // Absent: unchanged; `off`: none; else `post` or `open` with its address or template.
        let after_call = match after_call_kind.as_deref().map(str::trim) {
            None => None,
            Some("off") | Some("") => Some(None),
            Some(kind) => Some(Some((kind.to_string(), after_call_url.unwrap_or_default()))),
        };
        // Empty: back to the default. Otherwise it must be a shortcut the OS can grab.
        let hotkey = match hotkey.as_deref().map(str::trim) {
            None => None,
            Some("") => Some(None),
            Some(h) => {
                crate::hotkey::check_hotkey(h)?;
                Some(Some(h.to_ascii_lowercase()))
            }
        };
        // Empty: none (the default: a stray key must not end a customer's call).
        let hang_up_hotkey = match hang_up_hotkey.as_deref().map(str::trim) {
            None => None,
            Some("") => Some(None),
            Some(h) => {
                crate::hotkey::check_hotkey(h)?;
                Some(Some(h.to_string()))
            }
        };
        let changed = hotkey.is_some() || hang_up_hotkey.is_some();
        state.save_preferences(Preferences {
            region,
            call_timeout,
            links_without_asking,
            hotkey,
            hang_up_hotkey,
            start_hidden,
            history_days,
            notify,
            choose_agent_each_call,
            team_check,
            after_call,
        })?;
        if changed {
            crate::hotkey::register_hotkey(&app);
        }
        Ok(state.status().await)
    })
    .await
}

#[tauri::command]
pub async fn list_agents(
    state: State<'_, AppState>,
    refresh: Option<bool>,
) -> Result<Vec<Agent>, Error> {
    contained(async {
        state
            .session()
            .await?
            .agents(refresh.unwrap_or(false))
            .await
    })
    .await
}

#[tauri::command]
pub async fn list_caller_ids(
    state: State<'_, AppState>,
    refresh: Option<bool>,
) -> Result<Vec<CallerId>, Error> {
    contained(async { state.caller_ids(refresh.unwrap_or(false)).await }).await
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Preview {
    pub e164: String,
    pub international: String,
    pub ext: Option<String>,
    /// The number's country (`IN`), and whether it was assumed (no country code typed).
    pub region: Option<String>,
    pub assumed_country: bool,
}

#[tauri::command]
pub fn preview_number(state: State<'_, AppState>, input: String) -> Result<Preview, Error> {
    let n = Number::parse(&input, state.region())?;
    Ok(preview(&n))
}

fn preview(n: &Number) -> Preview {
    Preview {
        e164: n.e164().to_string(),
        international: n.international().to_string(),
        ext: n.ext().map(str::to_string),
        region: n.region().map(str::to_string),
        assumed_country: n.assumed_country(),
    }
}

/// What typed or pasted text holds, as `clickdial_core::phone::numbers_in` reads it: the
/// number to use first and the others the page offers beside it. `whole`: the text is that one
/// number as written; else the numbers were picked out of text around them (the field then
/// takes the first).
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Found {
    pub numbers: Vec<Preview>,
    pub whole: bool,
}

/// The numbers in typed or pasted text (a CRM line, a signature), or why there is none.
#[tauri::command]
pub fn find_numbers(state: State<'_, AppState>, text: String) -> Result<Found, Error> {
    let region = state.region();
    let numbers = clickdial_core::phone::numbers_in(&text, region)?;
    Ok(Found {
        whole: Number::parse(&text, region).is_ok(),
        numbers: numbers.iter().map(preview).collect(),
    })
}

/// Before the window's own Call, with the team check on: a colleague already on a call with
/// that number, or null (the check off sends nothing).
#[tauri::command]
pub async fn colleague_before_dial(
    state: State<'_, AppState>,
    number: String,
) -> Result<Option<ColleagueCall>, Error> {
    Ok(state.colleague_before_dial(&number, None).await)
}

/// Settings › Phone links: the browser policy an admin installs so the CRM's pages open phone
/// links without a prompt (the same as `clickdial handler browser-policy`).
#[tauri::command]
pub fn browser_policy(origin: String, browser: String) -> Result<Prepared, Error> {
    let program = clickdial_services::process::sibling("clickdial");
    clickdial_services::handler::browser::prepare(&browser, &[origin], &program)
}

#[tauri::command]
pub async fn dial(
    state: State<'_, AppState>,
    agent: String,
    caller_id: Option<String>,
    number: String,
) -> Result<DialOutcome, Error> {
    let input = DialInput {
        caller_id,
        ..DialInput::new(number, agent, Source::Window)
    };
    contained(state.dial(input)).await
}

/// The confirm sheet's request (a `tel:` link, later the tray or hotkey), if one waits.
#[tauri::command]
pub fn link_state(state: State<'_, AppState>) -> LinkState {
    state.link_state()
}

/// The agent pressed Call on the sheet. The number is the request's, not the page's.
#[tauri::command]
pub async fn confirm_link(
    state: State<'_, AppState>,
    id: u64,
    agent: String,
    caller_id: Option<String>,
) -> Result<DialOutcome, Error> {
    contained(state.confirm_link(id, agent, caller_id)).await
}

#[tauri::command]
pub fn dismiss_link(state: State<'_, AppState>, id: u64) -> bool {
    state.dismiss_link(id)
}

/// Runs the handler doctor off the async threads (it starts xdg-mime, gio…).
async fn doctor<T: Send + 'static>(
    work: impl FnOnce(&Desktop, &std::path::Path) -> Result<T, Error> + Send + 'static,
) -> Result<T, Error> {
    tauri::async_runtime::spawn_blocking(move || {
        let desktop = Desktop::from_env()
            .ok_or_else(|| Error::internal("Clickdial could not find your home folder."))?;
        let exe = std::env::current_exe().map_err(|e| {
            Error::internal(format!(
                "Clickdial could not tell where it is installed: {e}"
            ))
        })?;
        work(&desktop, &exe)
    })
    .await
    .map_err(|_| Error::internal("The check of phone links did not finish."))?
}

/// Which app the desktop opens `tel:`/`callto:` links with.
#[tauri::command]
pub async fn handler_status() -> Result<HandlerStatus, Error> {
    contained(doctor(|d, exe| Ok(d.status(exe)))).await
}

/// Makes Clickdial the default for `tel:`/`callto:` links (Windows: opens Settings).
#[tauri::command]
pub async fn handler_install() -> Result<HandlerStatus, Error> {
    contained(doctor(|d, exe| d.install(exe))).await
}

/// Sends a test link through the desktop; when it arrives, the sheet says so (never dials).
#[tauri::command]
pub async fn handler_self_test(state: State<'_, AppState>) -> Result<(), Error> {
    let link = state.self_test_link();
    contained(doctor(move |d, _| open_through_os(d, &link))).await
}

/// Marks the app as allowed to change the login item: managed by the real app, never by
/// tests on the mock runtime. Linux and Windows: `clickdial_services::autostart` writes it
/// (the path quoted); macOS: the autostart plugin's launch agent.
#[cfg(any(windows, target_os = "linux"))]
pub struct LoginItem;

/// Whether Clickdial starts at login (`None` where it cannot be changed: tests).
#[tauri::command]
pub fn autostart<R: tauri::Runtime>(app: tauri::AppHandle<R>) -> Option<bool> {
    use tauri::Manager;
    #[cfg(any(windows, target_os = "linux"))]
    {
        app.try_state::<LoginItem>()?;
        Some(clickdial_services::autostart::enabled())
    }
    #[cfg(not(any(windows, target_os = "linux")))]
    {
        let manager = app.try_state::<tauri_plugin_autostart::AutoLaunchManager>()?;
        manager.is_enabled().ok()
    }
}

/// Turns "start at login" on or off; answers the new state.
#[tauri::command]
pub fn set_autostart<R: tauri::Runtime>(
    app: tauri::AppHandle<R>,
    enabled: bool,
) -> Result<bool, Error> {
    {
        use tauri::Manager;
        // Turning it off, where the organization's policy keeps it on: refused.
        if let Some(state) = app.try_state::<AppState>() {
            state.check_start_at_login(enabled)?;
        }
    }
    #[cfg(any(windows, target_os = "linux"))]
    {
        use tauri::Manager;
        app.try_state::<LoginItem>()
            .ok_or_else(|| Error::internal("Starting at login is not available here."))?;
        clickdial_services::autostart::set(enabled)
    }
    #[cfg(not(any(windows, target_os = "linux")))]
    set_autostart_plugin(&app, enabled)
}

#[cfg(not(any(windows, target_os = "linux")))]
fn set_autostart_plugin<R: tauri::Runtime>(
    app: &tauri::AppHandle<R>,
    enabled: bool,
) -> Result<bool, Error> {
    use tauri::Manager;
    let manager = app
        .try_state::<tauri_plugin_autostart::AutoLaunchManager>()
        .ok_or_else(|| Error::internal("Starting at login is not available here."))?;
    let done = if enabled {
        manager.enable()
    } else {
        manager.disable()
    };
    done.map_err(|e| {
        Error::new(
            clickdial_services::Code::Storage,
            format!("Clickdial could not change starting at login: {e}"),
        )
    })?;
    Ok(manager.is_enabled().unwrap_or(enabled))
}

/// The calls being followed (and the last few that ended), newest first.
#[tauri::command]
pub fn calls(state: State<'_, AppState>) -> Vec<FollowedCall> {
    state.follower().map(|f| f.calls()).unwrap_or_default()
}

/// Ends the live call in ledger row `id`, or the newest live call.
#[tauri::command]
pub async fn hang_up(state: State<'_, AppState>, id: Option<i64>) -> Result<String, Error> {
    let follower = state
        .follower()
        .cloned()
        .ok_or_else(|| Error::new(Code::Storage, "Call history is not available."))?;
    contained(async move { follower.hang_up(id).await }).await
}

/// A shortcut the key recorder heard, as Clickdial would keep it (`ctrl+alt+d`), or why it may
/// not be one (a system combination, a plain key): the save path's own rule.
#[tauri::command]
pub fn check_shortcut(text: String) -> Result<String, Error> {
    crate::hotkey::check_hotkey(&text)?;
    clickdial_core::shortcut::check(&text).map_err(Error::invalid)
}

/// The number field's text, kept for the next page (closing the window destroys this one).
#[tauri::command]
pub fn keep_draft(state: State<'_, AppState>, text: String) {
    state.keep_draft(&text);
}

/// "This is me": the agent whose phone rings for this user's calls (`None` to choose again).
#[tauri::command]
pub async fn set_me(state: State<'_, AppState>, agent: Option<String>) -> Result<Status, Error> {
    contained(async {
        state.set_me(agent)?;
        Ok(state.status().await)
    })
    .await
}

/// "Available" (unblock) or "On break" (block) for an agent; the agents list as it is now.
#[tauri::command]
pub async fn set_availability(
    state: State<'_, AppState>,
    agent: String,
    available: bool,
) -> Result<Vec<Agent>, Error> {
    contained(state.set_availability(&agent, available)).await
}

/// Opens the recording of call `id` in the browser (its address is read again from the call
/// record, and never reaches the page).
#[tauri::command]
pub async fn play_recording(state: State<'_, AppState>, id: i64) -> Result<(), Error> {
    contained(state.play_recording(id)).await
}

/// Saves the calls the search `text` finds (every call without one) as CSV in `path`, the file
/// the agent chose in the Save dialog; says where and how many.
#[tauri::command]
pub async fn export_history(
    state: State<'_, AppState>,
    text: Option<String>,
    path: String,
) -> Result<Exported, Error> {
    contained(state.export_history(text.as_deref().unwrap_or(""), std::path::Path::new(&path)))
        .await
}

/// A page of Recent calls, newest first: every call from the window, the CLI and links, found
/// by `text` (a number, an agent's or a caller ID's name), each with its latest stage.
#[tauri::command]
pub async fn history(
    state: State<'_, AppState>,
    text: Option<String>,
    before_id: Option<i64>,
    limit: Option<u32>,
    since_ms: Option<i64>,
    until_ms: Option<i64>,
) -> Result<Vec<HistoryEntry>, Error> {
    let query = HistoryQuery {
        before_id,
        since_ms,
        until_ms,
        limit: limit.unwrap_or(50).clamp(1, 500) as usize,
        ..HistoryQuery::default()
    };
    contained(state.recent_calls(text.as_deref().unwrap_or(""), query)).await
}

/// Changes whenever the call history changed, in any process: the page reads the list again
/// only then.
#[tauri::command]
pub fn history_stamp(state: State<'_, AppState>) -> Result<String, Error> {
    state.history_stamp()
}

/// Remembers whether Recent calls are open.
#[tauri::command]
pub fn set_history_open(state: State<'_, AppState>, open: bool) -> Result<(), Error> {
    state.set_history_open(open)
}

/// The agent's wrap-up of call `id` (the ledger row the call bar or Recent calls show): a
/// disposition (by name or number) and/or a note; `replace`: an edit of the saved one (see
/// [`WrapUp::replace`]). Answers the call as it now stands. The
/// after-call hand-off runs in the background: the answer never waits for the CRM.
#[tauri::command]
pub async fn wrap_up<R: tauri::Runtime>(
    app: tauri::AppHandle<R>,
    state: State<'_, AppState>,
    id: i64,
    disposition: Option<String>,
    note: Option<String>,
    replace: Option<bool>,
) -> Result<CallRow, Error> {
    let row = contained(async {
        state.wrap_up(&WrapUp {
            id: Some(id),
            reference: None,
            disposition,
            note,
            replace: replace.unwrap_or(false),
        })
    })
    .await?;
    hand_off_in_background(app, row.id);
    Ok(row)
}

/// Hands call `id`'s saved wrap-up to the CRM again (Recent calls' Retry); returns at once.
#[tauri::command]
pub fn retry_handoff<R: tauri::Runtime>(app: tauri::AppHandle<R>, id: i64) {
    hand_off_in_background(app, id);
}

/// What a sample call would send to the hand-off the agent is typing (`kind` `post` or `open`):
/// the JSON body or the rendered link; a bad address is refused with the message.
#[tauri::command]
pub fn preview_after_call(
    state: State<'_, AppState>,
    kind: String,
    url: String,
) -> Result<String, Error> {
    state.preview_after_call(&kind, &url)
}

/// Runs the hand-off of call `id` on its own task; a failure is told once, calmly (Recent calls
/// show it on the row, with Retry).
fn hand_off_in_background<R: tauri::Runtime>(app: tauri::AppHandle<R>, id: i64) {
    use tauri::Manager;
    tauri::async_runtime::spawn(async move {
        let state = app.state::<AppState>();
        let delivery = AssertUnwindSafe(state.hand_off(id, true))
            .catch_unwind()
            .await;
        match delivery {
            Ok(Ok(Some(d))) if !d.delivered => crate::events::tell(&app, d.message),
            Ok(Err(e)) => crate::events::tell(&app, e.message),
            _ => {}
        }
    });
}

/// The agent's dispositions (Settings, one per line; none: the defaults); the status after.
#[tauri::command]
pub async fn set_dispositions(
    state: State<'_, AppState>,
    names: Vec<String>,
) -> Result<Status, Error> {
    contained(async {
        state.set_dispositions(&names)?;
        Ok(state.status().await)
    })
    .await
}
