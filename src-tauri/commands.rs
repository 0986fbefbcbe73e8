//! Tauri commands: each takes the state, calls one function, and maps the error to
//! `{code, message}`. No logic lives here.

use std::sync::Arc;
use std::time::Instant;

use clickdial_core::api::{Agent, CallerId};
use clickdial_core::{place_call, DialRequest, Number};
use serde::Serialize;
use tauri::State;

use crate::account::ConnectionCheck;
use crate::error::{AppError, Code};
use crate::state::{AccountForm, AppState, Status};

#[tauri::command]
pub async fn get_status(state: State<'_, AppState>) -> Result<Status, AppError> {
    state.ensure_init().await;
    Ok(state.status())
}

#[tauri::command]
pub async fn start_demo(state: State<'_, AppState>) -> Result<Status, AppError> {
    state.start_demo().await?;
    Ok(state.status())
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
) -> Result<Connected, AppError> {
    let check = state.save_account(form).await?;
    Ok(Connected {
        status: state.status(),
        check,
    })
}

#[tauri::command]
pub async fn check_connection(state: State<'_, AppState>) -> Result<ConnectionCheck, AppError> {
    state.check_connection().await
}

#[tauri::command]
pub async fn sign_out(state: State<'_, AppState>) -> Result<Status, AppError> {
    state.sign_out().await?;
    Ok(state.status())
}

#[tauri::command]
pub async fn save_preferences(
    state: State<'_, AppState>,
    region: String,
    call_timeout: Option<u32>,
) -> Result<Status, AppError> {
    state.update_settings(|s| {
        s.region = region.trim().to_ascii_uppercase();
        s.call_timeout = call_timeout;
    })?;
    Ok(state.status())
}

#[tauri::command]
pub async fn list_agents(
    state: State<'_, AppState>,
    refresh: Option<bool>,
) -> Result<Vec<Agent>, AppError> {
    state.session()?.agents(refresh.unwrap_or(false)).await
}

#[tauri::command]
pub async fn list_caller_ids(
    state: State<'_, AppState>,
    refresh: Option<bool>,
) -> Result<Vec<CallerId>, AppError> {
    state.session()?.caller_ids(refresh.unwrap_or(false)).await
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Preview {
    pub e164: String,
    pub international: String,
    pub ext: Option<String>,
}

#[tauri::command]
pub fn preview_number(state: State<'_, AppState>, input: String) -> Result<Preview, AppError> {
    let n = Number::parse(&input, state.region())?;
    Ok(Preview {
        e164: n.e164().to_string(),
        international: n.international().to_string(),
        ext: n.ext().map(str::to_string),
    })
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct DialOutcome {
    pub e164: String,
    pub international: String,
    pub ref_id: Option<String>,
    pub call_id: Option<String>,
    pub message: String,
}

#[tauri::command]
pub async fn dial(
    state: State<'_, AppState>,
    agent: String,
    caller_id: Option<String>,
    number: String,
) -> Result<DialOutcome, AppError> {
    let settings = state.settings();
    let number = Number::parse(&number, settings.region())?;
    let agent = agent.trim();
    if agent.is_empty() {
        return Err(AppError::new(Code::InvalidInput, "Pick an agent first."));
    }
    let caller_id = caller_id
        .map(|c| c.trim().to_string())
        .filter(|c| !c.is_empty());
    let session = state.session()?;
    let request = DialRequest {
        agent_number: agent,
        destination: &number,
        caller_id: caller_id.as_deref(),
        call_timeout: settings.call_timeout,
    };
    let queued = place_call(&session.client, &state.guard, &request, Instant::now).await?;
    // The call is queued; failing to remember the picks must not turn that into an error.
    // Demo picks are not remembered: they mean nothing to a real account.
    // Nor are they written if the account changed while this call was being placed.
    // And only written when they changed, to keep file writes off the usual dial.
    let still_current = state.session().is_ok_and(|s| Arc::ptr_eq(&s, &session));
    let changed = settings.last_agent.as_deref() != Some(agent)
        || settings.last_caller_for(agent) != caller_id.as_deref();
    if session.demo.is_none() && still_current && changed {
        let _ = state.update_settings(|s| {
            s.last_agent = Some(agent.to_string());
            match &caller_id {
                Some(c) => s.last_caller_by_agent.insert(agent.to_string(), c.clone()),
                None => s.last_caller_by_agent.remove(agent),
            };
        });
    }
    Ok(DialOutcome {
        e164: number.e164().to_string(),
        international: number.international().to_string(),
        ref_id: queued.ref_id,
        call_id: queued.call_id,
        message: queued.message,
    })
}
