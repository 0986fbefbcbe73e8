//! Which session is in use, and signing in and out.

use std::sync::Arc;

use clickdial_core::api::{Agent, AgentDetail, CallerId, Credentials};
use clickdial_core::follow::Owner;
use clickdial_core::settings::SignIn;
use clickdial_core::types::BaseUrl;
use clickdial_core::{Client, Secret};

use super::lists::ListsFile;
use super::{lock, Clickdial};
use crate::accounts::{self, AccountForm, AccountKey, ConnectionCheck, Lists};
use crate::demo::{DemoServer, DEMO_TOKEN};
use crate::dialer::Session;
use crate::settings_file::Stamp;
use crate::{Code, Error};

impl AsRef<Client> for AppSession {
    fn as_ref(&self) -> &Client {
        &self.session.client
    }
}

/// A session and what the window caches for it.
pub struct AppSession {
    pub session: Session,
    /// Kept alive for as long as the demo session; dropping it stops the simulator (a
    /// [`DemoServer`], or what a test's [`DemoStarter`] gave).
    pub demo: Option<DemoGuard>,
    agents: tokio::sync::Mutex<Option<Vec<Agent>>>,
    caller_ids: tokio::sync::Mutex<Option<Vec<CallerId>>>,
    /// The lists shared with other processes; none for the demo.
    shared: Option<ListsFile>,
    /// `/v1/user/{id}` answers, by user id: asked once per agent per session.
    details: tokio::sync::Mutex<std::collections::HashMap<String, AgentDetail>>,
}

impl AppSession {
    fn new(session: Session, demo: Option<DemoGuard>, lists: Lists) -> Self {
        AppSession {
            session,
            demo,
            agents: tokio::sync::Mutex::new(lists.agents),
            caller_ids: tokio::sync::Mutex::new(lists.caller_ids),
            shared: None,
            details: tokio::sync::Mutex::new(std::collections::HashMap::new()),
        }
    }

    /// Shares the lists with other processes through the file in `dir`.
    fn sharing(mut self, dir: Option<&std::path::Path>) -> Self {
        self.shared = dir.map(|d| ListsFile::new(d, self.session.key.as_str()));
        if let Some(shared) = &self.shared {
            let now = crate::ledger::wall_clock_ms();
            if let Some(agents) = self.agents.get_mut() {
                shared.keep_agents(agents, now);
            }
            if let Some(callers) = self.caller_ids.get_mut() {
                shared.keep_caller_ids(callers, now);
            }
        }
        self
    }

    pub fn client(&self) -> &Client {
        &self.session.client
    }

    /// The agents: this process's, else another's listed in the last minutes (the shared
    /// file), else the server's; always the server's with `refresh`.
    pub async fn agents(&self, refresh: bool) -> Result<Vec<Agent>, Error> {
        let shared = self.shared.as_ref();
        cached(
            &self.agents,
            refresh,
            || shared.and_then(|s| s.agents(crate::ledger::wall_clock_ms())),
            self.client().users(),
            |list| {
                if let Some(s) = shared {
                    s.keep_agents(list, crate::ledger::wall_clock_ms());
                }
            },
        )
        .await
    }

    /// The caller IDs, as [`AppSession::agents`] finds them.
    pub async fn caller_ids(&self, refresh: bool) -> Result<Vec<CallerId>, Error> {
        let shared = self.shared.as_ref();
        cached(
            &self.caller_ids,
            refresh,
            || shared.and_then(|s| s.caller_ids(crate::ledger::wall_clock_ms())),
            self.client().my_numbers(),
            |list| {
                if let Some(s) = shared {
                    s.keep_caller_ids(list, crate::ledger::wall_clock_ms());
                }
            },
        )
        .await
    }

    /// The agents this process or, minutes ago, another one listed; never asks the server.
    pub fn known_agents(&self) -> Option<Vec<Agent>> {
        let mut cache = self.agents.try_lock().ok()?;
        if cache.is_none() {
            *cache = self
                .shared
                .as_ref()
                .and_then(|s| s.agents(crate::ledger::wall_clock_ms()));
        }
        cache.clone()
    }

    /// The mobile of agent `id`, when the agents' list is known: how a live row or a call
    /// record may name the agent (servetel-api.md §5.6).
    pub fn phone_of(&self, id: &str) -> Option<String> {
        self.known_agents()?
            .into_iter()
            .find(|a| a.id == id)
            .and_then(|a| a.follow_me_number)
    }

    /// Everything a live row or a call record may name agent `id` by, beyond the ID itself:
    /// their mobile (from the agents' list, loaded if need be) and their extension and intercom
    /// (from the list, else `/v1/user/{id}`, asked once per agent per session). Best effort:
    /// what cannot be learnt is left out. For following a call, after its dial was sent.
    pub async fn owner_of(&self, id: &str) -> Owner {
        self.owner(id, true).await
    }

    /// [`AppSession::owner_of`] without asking `/v1/user/{id}` (an answer this session already
    /// has is used): for checks before a dial, which must not cost a request per agent.
    pub async fn owner_listed(&self, id: &str) -> Owner {
        self.owner(id, false).await
    }

    async fn owner(&self, id: &str, ask: bool) -> Owner {
        let mut owner = Owner::agent(id);
        let Ok(agents) = self.agents(false).await else {
            return owner;
        };
        let Some(agent) = agents.into_iter().find(|a| a.id == id) else {
            return owner;
        };
        if let Some(phone) = &agent.follow_me_number {
            owner = owner.with_phone(phone);
        }
        if let Some(ext) = &agent.extension {
            return owner.with_id(ext);
        }
        let Some(user) = agent.user_id else {
            return owner;
        };
        let mut details = self.details.lock().await;
        if !details.contains_key(&user) {
            if !ask {
                return owner;
            }
            match self.client().agent_detail(&user).await {
                Ok(d) => {
                    details.insert(user.clone(), d);
                }
                // Asked again next time: a passing failure should not hide the extension.
                Err(_) => return owner,
            }
        }
        let detail = &details[&user];
        for id in detail.extension.iter().chain(detail.intercom.iter()) {
            owner = owner.with_id(id);
        }
        owner
    }

    /// The caller IDs, as [`AppSession::known_agents`] finds them.
    pub fn known_caller_ids(&self) -> Option<Vec<CallerId>> {
        let mut cache = self.caller_ids.try_lock().ok()?;
        if cache.is_none() {
            *cache = self
                .shared
                .as_ref()
                .and_then(|s| s.caller_ids(crate::ledger::wall_clock_ms()));
        }
        cache.clone()
    }

    /// Keeps agents just listed from the server, for this process and the others.
    pub fn keep_agents(&self, list: &[Agent]) {
        if let Ok(mut cache) = self.agents.try_lock() {
            *cache = Some(list.to_vec());
        }
        if let Some(s) = &self.shared {
            s.keep_agents(list, crate::ledger::wall_clock_ms());
        }
    }

    /// Keeps caller IDs just listed from the server, likewise.
    pub fn keep_caller_ids(&self, list: &[CallerId]) {
        if let Ok(mut cache) = self.caller_ids.try_lock() {
            *cache = Some(list.to_vec());
        }
        if let Some(s) = &self.shared {
            s.keep_caller_ids(list, crate::ledger::wall_clock_ms());
        }
    }

    /// The lists as cached, without asking the server (the tray's refresh must never cause
    /// requests while the agent is idle).
    pub fn cached_lists(&self) -> (Vec<Agent>, Vec<CallerId>) {
        let agents = self.agents.try_lock().ok().and_then(|l| l.clone());
        let callers = self.caller_ids.try_lock().ok().and_then(|l| l.clone());
        (agents.unwrap_or_default(), callers.unwrap_or_default())
    }
}

/// The cached list, or the shared one, or a fresh one (kept for next time, and shared) when
/// there is none or `refresh`.
async fn cached<T: Clone>(
    cache: &tokio::sync::Mutex<Option<Vec<T>>>,
    refresh: bool,
    shared: impl FnOnce() -> Option<Vec<T>>,
    load: impl std::future::Future<Output = Result<Vec<T>, clickdial_core::ApiError>>,
    share: impl FnOnce(&[T]),
) -> Result<Vec<T>, Error> {
    let mut cache = cache.lock().await;
    if !refresh {
        if let Some(list) = cache.clone().or_else(shared) {
            *cache = Some(list.clone());
            return Ok(list);
        }
    }
    let list = load.await?;
    share(&list);
    *cache = Some(list.clone());
    Ok(list)
}

/// The saved account's session, as of one version of the settings file.
pub(super) struct Resolved {
    stamp: Option<Stamp>,
    session: Option<Arc<AppSession>>,
}

/// A session the environment gives (the CLI reads `CLICKDIAL_BASE_URL` and `CLICKDIAL_TOKEN`
/// into it). With a token, it wins over the saved account; a server alone must be the saved
/// account's, so a saved secret is never sent anywhere else.
#[derive(Clone, Default)]
pub struct Overrides {
    pub base_url: Option<String>,
    pub token: Option<Secret>,
}

/// The demo's simulator starting: its base URL, and what keeps it running.
pub type DemoFuture = std::pin::Pin<
    Box<dyn std::future::Future<Output = Result<(String, DemoGuard), String>> + Send>,
>;

/// Keeps the demo's simulator running while it lives.
pub type DemoGuard = Box<dyn std::any::Any + Send + Sync>;

/// Starts the demo's simulator: its base URL, and what keeps it running.
pub type DemoStarter = Arc<dyn Fn() -> DemoFuture + Send + Sync>;

/// The demo's simulator as the app runs it: `clickdial sim --for-parent`, a child process.
pub(super) fn child_simulator() -> DemoFuture {
    Box::pin(async {
        let sim = DemoServer::start(&crate::process::sibling("clickdial")).await?;
        Ok((sim.url().to_string(), Box::new(sim) as DemoGuard))
    })
}

impl Clickdial {
    /// The session in use: the demo, else the account the settings file names now. Re-read
    /// whenever the settings file changed, so another process's sign-in or sign-out is followed
    /// and a secret is only ever read for the server it was saved for.
    pub async fn session(&self) -> Result<Arc<AppSession>, Error> {
        if let Some(demo) = lock(&self.demo).clone() {
            return Ok(demo);
        }
        if let Some(given) = self.environment_session()? {
            return Ok(given);
        }
        let saved = self
            .saved_session()
            .await?
            .ok_or_else(Error::not_configured)?;
        // An account saved before the policy came is not used against it.
        self.check_saved(&saved)?;
        Ok(saved)
    }

    /// The session the environment gives, if it gives one (see [`Overrides`]).
    fn environment_session(&self) -> Result<Option<Arc<AppSession>>, Error> {
        let Overrides { base_url, token } = &self.overrides;
        if base_url.is_none() && token.is_none() {
            return Ok(None);
        }
        if let Some(given) = lock(&self.given).clone() {
            return Ok(Some(given));
        }
        let from_env = base_url
            .as_deref()
            .map(BaseUrl::parse)
            .transpose()
            .map_err(|m| Error::invalid(format!("CLICKDIAL_BASE_URL: {m}")))?;
        // Before anything is sent: the policy's server lock and its word on the token.
        self.check_environment(from_env.as_ref(), token.is_some())?;
        let saved_url = self
            .settings()
            .base_url
            .as_deref()
            .and_then(|u| BaseUrl::parse(u).ok());
        let Some(token) = token else {
            // A server alone: the saved account's secret goes only to the saved server.
            return match from_env {
                Some(url) if Some(&url) != saved_url.as_ref() => Err(Error::new(
                    Code::NotConfigured,
                    "CLICKDIAL_BASE_URL is not the saved account's server, so its token is \
                     not sent there.",
                )),
                _ => Ok(None),
            };
        };
        let Some(url) = from_env.or(saved_url) else {
            return Err(Error::not_configured());
        };
        self.check_server(&url, "The server")?;
        let client = accounts::client(&url, Credentials::Token(token.clone()))?;
        let given = Arc::new(
            AppSession::new(
                Session {
                    key: AccountKey::new(&url, SignIn::Token, None),
                    client,
                    saved: false,
                },
                None,
                Lists::default(),
            )
            .sharing(Some(&self.data_dir)),
        );
        *lock(&self.given) = Some(given.clone());
        Ok(Some(given))
    }

    async fn saved_session(&self) -> Result<Option<Arc<AppSession>>, Error> {
        let mut saved = self.saved.lock().await;
        let stamp = self.settings_file().stamp();
        if let Some(r) = saved.as_ref().filter(|r| r.stamp == stamp) {
            return Ok(r.session.clone());
        }
        let settings = self.settings();
        let accounts = self.accounts.clone();
        let found = tokio::task::spawn_blocking(move || accounts.saved(&settings))
            .await
            .map_err(|_| Error::internal("The keyring call did not finish."))?;
        let session = match found {
            Ok(Some(found)) => match accounts::client(&found.base_url, found.credentials) {
                Ok(client) => Some(Arc::new(
                    AppSession::new(
                        Session {
                            key: found.key,
                            client,
                            saved: true,
                        },
                        None,
                        Lists::default(),
                    )
                    .sharing(Some(&self.data_dir)),
                )),
                Err(e) => {
                    self.notice(e.message);
                    None
                }
            },
            Ok(None) => None,
            // Not cached: the keyring may be unlocked in a moment.
            Err(e) => {
                *saved = None;
                return Err(Error::from(e));
            }
        };
        *saved = Some(Resolved {
            stamp,
            session: session.clone(),
        });
        Ok(session)
    }

    /// How the demo's simulator starts (tests run one in their own process, to inspect it).
    pub fn set_demo_starter(&self, starter: DemoStarter) {
        *lock(&self.demo_starter) = starter;
    }

    /// Starts the simulator on loopback (`clickdial sim --for-parent`, a child process) and
    /// dials it through the same HTTP path.
    pub async fn start_demo(&self) -> Result<(), Error> {
        // A number typed for one account is not carried to another.
        self.keep_draft("");
        if lock(&self.demo).is_some() {
            return Ok(());
        }
        self.check_demo()?;
        let start = lock(&self.demo_starter).clone();
        let (url, sim) = start()
            .await
            .map_err(|e| Error::internal(format!("Could not start the demo: {e}")))?;
        let url = BaseUrl::parse(&url).map_err(Error::internal)?;
        let client = accounts::client(
            &url,
            clickdial_core::api::Credentials::Token(Secret::new(DEMO_TOKEN)),
        )?;
        let session = Session {
            key: AccountKey::demo(url.as_str()),
            client,
            saved: false,
        };
        *lock(&self.demo) = Some(Arc::new(AppSession::new(
            session,
            Some(sim),
            Lists::default(),
        )));
        Ok(())
    }

    /// Checks the account against the server, then saves it (the same code as `clickdial
    /// login`). Nothing is saved when the check fails.
    pub async fn save_account(&self, form: AccountForm) -> Result<ConnectionCheck, Error> {
        // Nothing is sent to a server the policy does not allow.
        self.check_form(&form)?;
        let connected = self.accounts.connect(form).await?;
        // A number typed for one account is not carried to another (a failed save changes
        // nothing, the kept number included).
        self.keep_draft("");
        if let Some(n) = connected.notice {
            self.notice(n);
        }
        let session = AppSession::new(
            Session {
                key: connected.key,
                client: connected.client,
                saved: true,
            },
            None,
            connected.lists,
        )
        .sharing(Some(&self.data_dir));
        self.leave_demo();
        // The version this sign-in wrote: if another process signs in again meanwhile, the
        // stamps differ and the next use re-reads the account.
        *self.saved.lock().await = Some(Resolved {
            stamp: connected.stamp,
            session: Some(Arc::new(session)),
        });
        Ok(connected.check)
    }

    /// Checks the current session's connection again, refreshing the cached lists.
    pub async fn check_connection(&self) -> Result<ConnectionCheck, Error> {
        let session = self.session().await?;
        let (check, lists) = accounts::check(session.client()).await?;
        *session.agents.lock().await = lists.agents;
        *session.caller_ids.lock().await = lists.caller_ids;
        Ok(check)
    }

    /// Leaves the demo, or signs out: every secret of the account, and the account in settings.
    pub async fn sign_out(&self) -> Result<(), Error> {
        // A number typed for one account is not carried to another.
        self.keep_draft("");
        if self.leave_demo() {
            return Ok(());
        }
        // A password session's token is ended on the server first (best effort), so it
        // cannot be used after the agent signed out.
        let saved = self
            .saved
            .lock()
            .await
            .as_ref()
            .and_then(|r| r.session.clone());
        if let Some(session) = saved {
            session.client().end_session().await;
        }
        self.accounts.sign_out().await?;
        *self.saved.lock().await = None;
        Ok(())
    }

    /// Ends the demo, if it is in use (its simulator stops), and forgets its calls; whether it
    /// was.
    fn leave_demo(&self) -> bool {
        let Some(demo) = lock(&self.demo).take() else {
            return false;
        };
        if let Some(follower) = &self.follower {
            follower.forget(&demo);
        }
        true
    }

    /// Whether the demo (its simulator is a child of this process) is in use.
    pub fn in_demo(&self) -> bool {
        lock(&self.demo).is_some()
    }
}
