//! Tauri commands: each takes the state, calls one service, and returns `{code, message}` on
//! failure. No logic lives here. Every command runs inside [`contained`], so even a bug that
//! panics answers the page with an error instead of leaving its promise pending forever.

use std::future::Future;
use std::panic::AssertUnwindSafe;

use clickdial_core::api::{Agent, CallerId};
use clickdial_core::Number;
use clickdial_services::accounts::{AccountForm, ConnectionCheck};
use clickdial_services::dialer::{DialInput, DialOutcome};
use clickdial_services::ledger::Source;
use clickdial_services::Error;
use futures_util::FutureExt;
use serde::Serialize;
use tauri::State;

use crate::state::{AppState, Status};

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

#[tauri::command]
pub async fn save_preferences(
    state: State<'_, AppState>,
    region: String,
    call_timeout: Option<u32>,
) -> Result<Status, Error> {
    contained(async {
        state.save_preferences(&region, call_timeout)?;
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
    contained(async {
        state
            .session()
            .await?
            .caller_ids(refresh.unwrap_or(false))
            .await
    })
    .await
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Preview {
    pub e164: String,
    pub international: String,
    pub ext: Option<String>,
}

#[tauri::command]
pub fn preview_number(state: State<'_, AppState>, input: String) -> Result<Preview, Error> {
    let n = Number::parse(&input, state.region())?;
    Ok(Preview {
        e164: n.e164().to_string(),
        international: n.international().to_string(),
        ext: n.ext().map(str::to_string),
    })
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
