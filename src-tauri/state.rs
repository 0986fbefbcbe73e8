//! What the running app holds: the account session (or the demo), settings, the dial guard,
//! cached dropdown lists. Shell-level glue only; the logic it calls lives in `clickdial-core`.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex, MutexGuard};

use clickdial_core::api::{clean_token, Agent, CallerId, Credentials};
use clickdial_core::settings::{provider, validate_base_url, Settings, SignIn};
use clickdial_core::{Client, DialGuard, Region, Secret};
use clickdial_sim::{Account, Sim, DEMO_TOKEN};
use serde::{Deserialize, Serialize};

use crate::account::{self, ConnectionCheck};
use crate::error::{AppError, Code};
use crate::secrets::{SecretError, SecretStore};
use crate::settings::Persist;

/// A connected account, or the demo with its in-process simulator.
pub struct Session {
    pub client: Client,
    /// Kept alive for as long as the demo session; dropping it stops the simulator.
    pub demo: Option<Sim>,
    agents: tokio::sync::Mutex<Option<Vec<Agent>>>,
    caller_ids: tokio::sync::Mutex<Option<Vec<CallerId>>>,
}

impl Session {
    fn new(client: Client, demo: Option<Sim>) -> Self {
        Session {
            client,
            demo,
            agents: Default::default(),
            caller_ids: Default::default(),
        }
    }

    /// The agents, from the cache unless `refresh`.
    pub async fn agents(&self, refresh: bool) -> Result<Vec<Agent>, AppError> {
        cached(&self.agents, refresh, self.client.users()).await
    }

    pub async fn caller_ids(&self, refresh: bool) -> Result<Vec<CallerId>, AppError> {
        cached(&self.caller_ids, refresh, self.client.my_numbers()).await
    }
}

/// The cached list, or a fresh one (kept for next time) when there is none or `refresh`.
async fn cached<T: Clone>(
    cache: &tokio::sync::Mutex<Option<Vec<T>>>,
    refresh: bool,
    load: impl std::future::Future<Output = Result<Vec<T>, clickdial_core::ApiError>>,
) -> Result<Vec<T>, AppError> {
    let mut cache = cache.lock().await;
    match &*cache {
        Some(list) if !refresh => Ok(list.clone()),
        _ => {
            let list = load.await?;
            *cache = Some(list.clone());
            Ok(list)
        }
    }
}

/// What the UI may know about the account: never a token or password.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct Status {
    pub configured: bool,
    pub demo: bool,
    /// The preset id (`servetel`, `smartflo`, `acefone`, `custom`); `demo` in the demo.
    pub provider: Option<String>,
    /// The API server's address (a connected account) or the simulator's (demo).
    pub base_url: Option<String>,
    pub sign_in: SignIn,
    /// The login ID for password sign-in.
    pub email: Option<String>,
    pub region: String,
    pub call_timeout: Option<u32>,
    pub last_agent: Option<String>,
    pub last_caller_by_agent: BTreeMap<String, String>,
    /// A message to show once (settings reset, keyring unavailable).
    pub notice: Option<String>,
}

/// The account form, as the window sends it.
#[derive(Deserialize, Debug)]
#[serde(rename_all = "camelCase")]
pub struct AccountForm {
    pub provider: String,
    /// Only for the `custom` provider.
    pub base_url: Option<String>,
    pub sign_in: SignIn,
    pub token: Option<Secret>,
    pub email: Option<String>,
    pub password: Option<Secret>,
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

fn invalid(message: impl Into<String>) -> AppError {
    AppError::new(Code::InvalidInput, message)
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
                let settings = self.settings();
                let Some(base_url) = settings.base_url.clone() else {
                    return;
                };
                let secrets = self.secrets.clone();
                match blocking(move || account::credentials(&settings, &*secrets)).await {
                    Ok(Some(credentials)) => match account::client(&base_url, credentials) {
                        Ok(client) => self.set_session(Some(Session::new(client, None))),
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

    pub fn settings(&self) -> Settings {
        lock(&self.settings).clone()
    }

    pub fn region(&self) -> Region {
        lock(&self.settings).region()
    }

    pub fn status(&self) -> Status {
        let session = lock(&self.session).clone();
        let settings = self.settings();
        let demo = session.as_ref().is_some_and(|s| s.demo.is_some());
        Status {
            configured: session.is_some(),
            demo,
            provider: if demo {
                Some("demo".to_string())
            } else {
                settings.provider
            },
            base_url: session.map(|s| s.client.base_url().to_string()),
            sign_in: settings.sign_in,
            email: settings.email.filter(|_| !demo),
            region: settings.region,
            call_timeout: settings.call_timeout,
            last_agent: settings.last_agent,
            last_caller_by_agent: settings.last_caller_by_agent,
            notice: lock(&self.notice).take(),
        }
    }

    pub fn update_settings(&self, change: impl FnOnce(&mut Settings)) -> Result<(), AppError> {
        let mut settings = lock(&self.settings);
        let mut next = settings.clone();
        change(&mut next);
        next.validate().map_err(invalid)?;
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
        self.set_session(Some(Session::new(client, Some(sim))));
        Ok(())
    }

    /// Checks the account against the server, then keeps its secret in the keyring and the
    /// rest in settings. Nothing is saved when the check fails.
    pub async fn save_account(&self, form: AccountForm) -> Result<ConnectionCheck, AppError> {
        let base_url = match provider(&form.provider) {
            Some(p) => p.base_url.to_string(),
            None if form.provider == "custom" => {
                validate_base_url(form.base_url.as_deref().unwrap_or_default()).map_err(invalid)?
            }
            None => return Err(invalid("Choose your provider.")),
        };
        let credentials = match form.sign_in {
            SignIn::Token => Credentials::Token(clean_token(
                form.token
                    .as_ref()
                    .filter(|t| !t.is_empty())
                    .ok_or_else(|| invalid("Paste your API token."))?,
            )),
            SignIn::Password => Credentials::Password {
                email: form
                    .email
                    .as_deref()
                    .map(str::trim)
                    .filter(|e| !e.is_empty())
                    .ok_or_else(|| invalid("Enter the email (login ID) you use for the portal."))?
                    .to_string(),
                password: form
                    .password
                    .filter(|p| !p.is_empty())
                    .ok_or_else(|| invalid("Enter your password."))?,
            },
        };
        let client = account::client(&base_url, credentials.clone()).map_err(invalid)?;
        let (check, agents, callers) = account::check(&client).await?;

        let secrets = self.secrets.clone();
        let saved = credentials.clone();
        blocking(move || account::remember(&*secrets, &saved)).await?;
        let email = match &credentials {
            Credentials::Password { email, .. } => Some(email.clone()),
            Credentials::Token(_) => None,
        };
        let same_server = self.settings().base_url.as_deref() == Some(base_url.as_str());
        self.update_settings(|s| {
            if !same_server {
                s.last_agent = None;
                s.last_caller_by_agent.clear();
            }
            s.provider = Some(form.provider.clone());
            s.base_url = Some(base_url.clone());
            s.sign_in = form.sign_in;
            s.email = email;
        })?;
        let session = Session::new(client, None);
        *session.agents.lock().await = agents;
        *session.caller_ids.lock().await = callers;
        self.set_session(Some(session));
        Ok(check)
    }

    /// Checks the current session's connection again.
    pub async fn check_connection(&self) -> Result<ConnectionCheck, AppError> {
        let session = self.session()?;
        let (check, agents, callers) = account::check(&session.client).await?;
        *session.agents.lock().await = agents;
        *session.caller_ids.lock().await = callers;
        Ok(check)
    }

    /// Leaves the demo, or signs out: every secret of the account, its settings and session.
    pub async fn sign_out(&self) -> Result<(), AppError> {
        if self.session().is_ok_and(|s| s.demo.is_some()) {
            self.set_session(None);
            return Ok(());
        }
        let secrets = self.secrets.clone();
        blocking(move || account::forget(&*secrets)).await?;
        self.update_settings(Settings::sign_out)?;
        self.set_session(None);
        Ok(())
    }
}
