//! What the running app holds: the account session (or the demo), settings, the dial guard.
//! Shell-level glue only; the logic it calls lives in `clickdial-core`.

use std::sync::{Arc, Mutex, MutexGuard};

use clickdial_core::api::clean_token;
use clickdial_core::settings::{validate_base_url, Settings};
use clickdial_core::{ApiError, Client, DialGuard, Secret};
use clickdial_sim::{Account, Sim, DEMO_TOKEN};
use serde::Serialize;

use crate::error::{AppError, Code};
use crate::secrets::{SecretError, SecretStore, TOKEN_KEY};
use crate::settings::Persist;

/// A connected account, or the demo with its in-process simulator.
pub struct Session {
    pub client: Client,
    /// Kept alive for as long as the demo session; dropping it stops the simulator.
    pub demo: Option<Sim>,
}

/// What the UI may know about the account: never the token.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct Status {
    pub configured: bool,
    pub demo: bool,
    /// The API server's address (a connected account) or the simulator's (demo).
    pub base_url: Option<String>,
    pub last_agent: Option<String>,
    pub last_caller_id: Option<String>,
    /// A message to show once (settings reset, keyring unavailable).
    pub notice: Option<String>,
}

pub struct AppState {
    secrets: Arc<dyn SecretStore>,
    settings: Mutex<Settings>,
    persist: Persist,
    session: Mutex<Option<Arc<Session>>>,
    notice: Mutex<Option<String>>,
    init: tokio::sync::OnceCell<()>,
    pub guard: DialGuard,
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

async fn blocking<T: Send + 'static>(
    f: impl FnOnce() -> Result<T, SecretError> + Send + 'static,
) -> Result<T, AppError> {
    tauri::async_runtime::spawn_blocking(f)
        .await
        .map_err(|_| AppError::new(Code::Internal, "The keyring call did not finish."))?
        .map_err(AppError::from)
}

impl AppState {
    pub fn new(
        secrets: Arc<dyn SecretStore>,
        settings: Settings,
        notice: Option<String>,
        persist: Persist,
    ) -> Self {
        AppState {
            secrets,
            settings: Mutex::new(settings),
            persist,
            session: Mutex::new(None),
            notice: Mutex::new(notice),
            init: tokio::sync::OnceCell::new(),
            guard: DialGuard::default(),
        }
    }

    /// Opens the saved account on first use (reads the keyring off the UI thread).
    pub async fn ensure_init(&self) {
        self.init
            .get_or_init(|| async {
                let Some(base_url) = lock(&self.settings).base_url.clone() else {
                    return;
                };
                let secrets = self.secrets.clone();
                match blocking(move || secrets.get(TOKEN_KEY)).await {
                    Ok(Some(token)) => match Client::new(&base_url, token) {
                        Ok(client) => self.set_session(Some(Session { client, demo: None })),
                        Err(e) => self.set_notice(e),
                    },
                    Ok(None) => {}
                    Err(e) => self.set_notice(e.message),
                }
            })
            .await;
    }

    fn set_notice(&self, message: String) {
        *lock(&self.notice) = Some(message);
    }

    fn set_session(&self, session: Option<Session>) {
        *lock(&self.session) = session.map(Arc::new);
    }

    pub fn session(&self) -> Result<Arc<Session>, AppError> {
        lock(&self.session)
            .clone()
            .ok_or_else(AppError::not_configured)
    }

    pub fn status(&self) -> Status {
        let session = lock(&self.session).clone();
        let settings = lock(&self.settings).clone();
        Status {
            configured: session.is_some(),
            demo: session.as_ref().is_some_and(|s| s.demo.is_some()),
            base_url: session.map(|s| s.client.base_url().to_string()),
            last_agent: settings.last_agent,
            last_caller_id: settings.last_caller_id,
            notice: lock(&self.notice).take(),
        }
    }

    pub fn update_settings(&self, change: impl FnOnce(&mut Settings)) -> Result<(), AppError> {
        let mut settings = lock(&self.settings);
        let mut next = settings.clone();
        change(&mut next);
        (self.persist)(&next).map_err(|e| {
            AppError::new(Code::Internal, format!("Could not save your settings: {e}"))
        })?;
        *settings = next;
        Ok(())
    }

    /// Starts the built-in simulator on loopback and dials it through the same HTTP path.
    pub async fn start_demo(&self) -> Result<(), AppError> {
        if self.session().is_ok_and(|s| s.demo.is_some()) {
            return Ok(());
        }
        let sim = Sim::spawn(Account::demo())
            .await
            .map_err(|e| AppError::new(Code::Internal, format!("Could not start the demo: {e}")))?;
        let client = Client::new(&sim.url(), Secret::new(DEMO_TOKEN))
            .map_err(|e| AppError::new(Code::Internal, e))?;
        self.set_session(Some(Session {
            client,
            demo: Some(sim),
        }));
        Ok(())
    }

    /// Checks the token against the server, then keeps it in the keyring and the URL in settings.
    pub async fn save_account(&self, base_url: &str, token: Secret) -> Result<(), AppError> {
        let base_url =
            validate_base_url(base_url).map_err(|m| AppError::new(Code::InvalidInput, m))?;
        let token = clean_token(&token);
        let client = Client::new(&base_url, token.clone())
            .map_err(|m| AppError::new(Code::InvalidInput, m))?;
        match client.users().await {
            // A token without permission for the agent list is still a working token.
            Ok(_) | Err(ApiError::Forbidden { .. }) => {}
            Err(e) => return Err(e.into()),
        }
        let secrets = self.secrets.clone();
        blocking(move || secrets.set(TOKEN_KEY, &token)).await?;
        self.update_settings(|s| s.base_url = Some(base_url.clone()))?;
        self.set_session(Some(Session { client, demo: None }));
        Ok(())
    }

    /// Leaves the demo, or forgets the account: the keyring entry, the server address and the
    /// session.
    pub async fn sign_out(&self) -> Result<(), AppError> {
        if self.session().is_ok_and(|s| s.demo.is_some()) {
            self.set_session(None);
            return Ok(());
        }
        let secrets = self.secrets.clone();
        blocking(move || secrets.delete(TOKEN_KEY)).await?;
        self.update_settings(|s| {
            s.base_url = None;
            s.last_agent = None;
            s.last_caller_id = None;
        })?;
        self.set_session(None);
        Ok(())
    }
}
