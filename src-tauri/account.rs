//! The account, shared by the window and the CLI: which credentials it uses, where their
//! secret lives (one keyring entry per secret), and the connection check run on save.

use std::sync::Arc;

use clickdial_core::api::{Agent, CallerId, Credentials};
use clickdial_core::clock::SystemClock;
use clickdial_core::settings::{Settings, SignIn};
use clickdial_core::{ApiError, Client, ClientOptions};
use serde::Serialize;

use crate::secrets::{SecretError, SecretStore, PASSWORD_KEY, TOKEN_KEY};

/// The saved account's credentials; `None` when it is not (fully) set up.
pub fn credentials(
    settings: &Settings,
    secrets: &dyn SecretStore,
) -> Result<Option<Credentials>, SecretError> {
    if settings.base_url.is_none() {
        return Ok(None);
    }
    Ok(match settings.sign_in {
        SignIn::Token => secrets.get(TOKEN_KEY)?.map(Credentials::Token),
        SignIn::Password => match &settings.email {
            Some(email) => secrets
                .get(PASSWORD_KEY)?
                .map(|password| Credentials::Password {
                    email: email.clone(),
                    password,
                }),
            None => None,
        },
    })
}

/// Keeps the secret of `credentials` and removes the other kind, so one account has one secret.
pub fn remember(secrets: &dyn SecretStore, credentials: &Credentials) -> Result<(), SecretError> {
    match credentials {
        Credentials::Token(token) => {
            secrets.set(TOKEN_KEY, token)?;
            secrets.delete(PASSWORD_KEY)
        }
        Credentials::Password { password, .. } => {
            secrets.set(PASSWORD_KEY, password)?;
            secrets.delete(TOKEN_KEY)
        }
    }
}

/// Deletes every secret of the account (a missing entry is fine).
pub fn forget(secrets: &dyn SecretStore) -> Result<(), SecretError> {
    secrets.delete(TOKEN_KEY)?;
    secrets.delete(PASSWORD_KEY)
}

pub fn client(base_url: &str, credentials: Credentials) -> Result<Client, String> {
    Client::build(
        base_url,
        credentials,
        ClientOptions::default(),
        Arc::new(SystemClock),
    )
}

/// What the server said when the account was checked.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct ConnectionCheck {
    /// How many agents were found; `None` when the token may not list them (403).
    pub agents: Option<usize>,
    pub caller_ids: Option<usize>,
    pub message: String,
}

/// Loads `/users` and `/my_number`. A rejected token, an unreachable server or a lockout is an
/// error; a 403 on a list is not (the agent can type that value by hand).
pub async fn check(
    client: &Client,
) -> Result<(ConnectionCheck, Option<Vec<Agent>>, Option<Vec<CallerId>>), ApiError> {
    let (agents, callers) = tokio::join!(client.users(), client.my_numbers());
    let agents = match agents {
        Ok(a) => Some(a),
        Err(ApiError::Forbidden { .. }) => None,
        Err(e) => return Err(e),
    };
    let callers = match callers {
        Ok(c) => Some(c),
        Err(ApiError::Forbidden { .. }) => None,
        Err(e) => return Err(e),
    };
    let count =
        |n: usize, one: &str, many: &str| format!("{n} {}", if n == 1 { one } else { many });
    let message = match (&agents, &callers) {
        (Some(a), Some(c)) => format!(
            "Connected: {} and {} found.",
            count(a.len(), "agent", "agents"),
            count(c.len(), "caller ID", "caller IDs")
        ),
        (Some(a), None) => format!(
            "Connected: {} found. This token may not list caller IDs, so type the caller ID when you dial (or leave it empty for the account's default).",
            count(a.len(), "agent", "agents")
        ),
        (None, Some(c)) => format!(
            "Connected: {} found. This token may not list agents, so type the agent ID when you dial.",
            count(c.len(), "caller ID", "caller IDs")
        ),
        (None, None) => "Connected, but this token may not list agents or caller IDs: type them when you dial.".to_string(),
    };
    Ok((
        ConnectionCheck {
            agents: agents.as_ref().map(Vec::len),
            caller_ids: callers.as_ref().map(Vec::len),
            message,
        },
        agents,
        callers,
    ))
}
