//! What the running app holds: the session in use (the saved account, or the demo with its
//! simulator, a child process), the services shared with the CLI, cached dropdown lists. The
//! settings are not held here: the settings file is read when needed, so a change another
//! process made (`clickdial login`, say) is picked up before the account is next used, and
//! nothing stale is ever written back.

use std::sync::{Arc, Mutex, MutexGuard};

use clickdial_core::api::{Agent, CallerId};
use clickdial_core::settings::{Settings, SignIn};
use clickdial_core::types::BaseUrl;
use clickdial_core::{Client, Number, Region, Secret};
use clickdial_services::accounts::{
    self, AccountForm, AccountKey, Accounts, ConnectionCheck, Lists,
};
use clickdial_services::demo::DemoServer;
use clickdial_services::dialer::{system_wall_clock, DialInput, DialOutcome, Dialer, Session};
use clickdial_services::follow::Follower;
use clickdial_services::instance::Handover;
use clickdial_services::ledger::{Ledger, Source, LEDGER_FILE};
use clickdial_services::links::{Arrival, Inbox, Request};
use clickdial_services::secrets::SecretStore;
use clickdial_services::settings_file::{SettingsFile, Stamp, SETTINGS_FILE};
use clickdial_services::{Code, Error};
use clickdial_sim::DEMO_TOKEN;
use futures_util::future::BoxFuture;
use serde::Serialize;

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
}

impl AppSession {
    fn new(session: Session, demo: Option<DemoGuard>, lists: Lists) -> Self {
        AppSession {
            session,
            demo,
            agents: tokio::sync::Mutex::new(lists.agents),
            caller_ids: tokio::sync::Mutex::new(lists.caller_ids),
        }
    }

    pub fn client(&self) -> &Client {
        &self.session.client
    }

    /// The agents, from the cache unless `refresh`.
    pub async fn agents(&self, refresh: bool) -> Result<Vec<Agent>, Error> {
        cached(&self.agents, refresh, self.client().users()).await
    }

    pub async fn caller_ids(&self, refresh: bool) -> Result<Vec<CallerId>, Error> {
        cached(&self.caller_ids, refresh, self.client().my_numbers()).await
    }

    /// The lists as cached, without asking the server (the tray's refresh must never cause
    /// requests while the agent is idle).
    pub fn cached_lists(&self) -> (Vec<Agent>, Vec<CallerId>) {
        let agents = self.agents.try_lock().ok().and_then(|l| l.clone());
        let callers = self.caller_ids.try_lock().ok().and_then(|l| l.clone());
        (agents.unwrap_or_default(), callers.unwrap_or_default())
    }
}

/// The cached list, or a fresh one (kept for next time) when there is none or `refresh`.
async fn cached<T: Clone>(
    cache: &tokio::sync::Mutex<Option<Vec<T>>>,
    refresh: bool,
    load: impl std::future::Future<Output = Result<Vec<T>, clickdial_core::ApiError>>,
) -> Result<Vec<T>, Error> {
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
    /// The preset id (`servetel`, `smartflo`, `acefone`, `acefone-uk`, `custom`); `demo` in the demo.
    pub provider: Option<String>,
    /// The API server's address (a connected account) or the simulator's (demo).
    pub base_url: Option<String>,
    pub sign_in: SignIn,
    /// The login ID for password sign-in.
    pub email: Option<String>,
    pub region: String,
    pub call_timeout: Option<u32>,
    pub last_agent: Option<String>,
    pub last_caller_by_agent: std::collections::BTreeMap<String, String>,
    /// The agent the user said they are; `None` until they have (nobody is preselected).
    pub me: Option<String>,
    /// Supervisors: the agent is chosen for each call instead of "me".
    pub choose_agent_each_call: bool,
    /// Days until the portal password expires, when the server said (password sign-in).
    pub password_days_left: Option<u32>,
    /// Dial `tel:` links at once instead of asking on the confirm sheet.
    pub links_without_asking: bool,
    /// The global shortcut that dials the selected text.
    pub hotkey: String,
    /// Whether global shortcuts can work in this session (not on Wayland).
    pub shortcuts_supported: bool,
    /// Started at login, stay in the tray.
    pub start_hidden: bool,
    /// Days of call history kept; 0 keeps it all.
    pub history_days: u32,
    /// Desktop notifications for answered and failed calls.
    pub notify: bool,
    /// Whether this system can show them (Linux's notification service; not yet elsewhere).
    pub notify_supported: bool,
    /// A message to show once (settings reset, keyring unavailable, history started anew).
    pub notice: Option<String>,
    /// What was in the number field when the window last closed.
    pub draft: String,
}

/// The Settings page's preferences; `None` leaves a field as it is.
#[derive(Debug, Clone, Default)]
pub struct Preferences {
    pub region: String,
    pub call_timeout: Option<u32>,
    pub links_without_asking: Option<bool>,
    /// `Some(None)`: back to the default shortcut.
    pub hotkey: Option<Option<String>>,
    pub start_hidden: Option<bool>,
    pub history_days: Option<u32>,
    pub notify: Option<bool>,
    pub choose_agent_each_call: Option<bool>,
}

/// What the confirm sheet needs: the request waiting for the agent, and the result of a link
/// dialled without asking (given once).
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct LinkState {
    pub request: Option<Request>,
    pub dialled: Option<LinkDialled>,
}

/// A link dialled without asking, and how it went.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct LinkDialled {
    pub international: String,
    pub outcome: Option<DialOutcome>,
    pub error: Option<Error>,
}

/// The saved account's session, as of one version of the settings file.
struct Resolved {
    stamp: Option<Stamp>,
    session: Option<Arc<AppSession>>,
}

/// Keeps the demo's simulator running while it lives.
pub type DemoGuard = Box<dyn std::any::Any + Send + Sync>;

/// Starts the demo's simulator: its base URL, and what keeps it running.
pub type DemoStarter =
    Arc<dyn Fn() -> BoxFuture<'static, Result<(String, DemoGuard), String>> + Send + Sync>;

/// The demo's simulator as the app runs it: `clickdial sim --for-parent`, a child process.
fn child_simulator() -> BoxFuture<'static, Result<(String, DemoGuard), String>> {
    Box::pin(async {
        let sim = DemoServer::start(&clickdial_services::process::sibling("clickdial")).await?;
        Ok((sim.url().to_string(), Box::new(sim) as DemoGuard))
    })
}

pub struct AppState {
    accounts: Accounts,
    /// Tests replace it ([`AppState::set_demo_starter`]) to inspect the simulator they run.
    demo_starter: Mutex<DemoStarter>,
    dialer: Result<Dialer, Error>,
    demo: Mutex<Option<Arc<AppSession>>>,
    saved: tokio::sync::Mutex<Option<Resolved>>,
    notices: Mutex<Vec<String>>,
    inbox: Inbox,
    link_dialled: Mutex<Option<LinkDialled>>,
    /// The agent and caller ID the tray last chose (the page's pickers follow), if any.
    picks: Mutex<Option<Picks>>,
    /// Follows each queued call (live status, hang-up, outcome); absent without a ledger.
    follower: Option<Arc<Follower>>,
    /// The number being typed, kept for the next page: closing the window to the tray destroys
    /// the page. In memory only.
    draft: Mutex<String>,
}

pub use clickdial_services::tray::Picks;

/// The longest number-field text kept between pages (a pasted paragraph is cut, not kept).
const MAX_DRAFT: usize = 200;

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

impl AppState {
    /// Opens the settings file and the call ledger in `data_dir`.
    pub fn new(secrets: Arc<dyn SecretStore>, data_dir: &std::path::Path) -> Self {
        let settings = SettingsFile::new(data_dir.join(SETTINGS_FILE));
        let mut notices = Vec::new();
        let (_, notice) = settings.load();
        notices.extend(notice);
        // The whole file is read for damage in the background (`verify_ledger`), not here.
        let dialer = match Ledger::open_unchecked(&data_dir.join(LEDGER_FILE)) {
            Ok((ledger, notice)) => {
                notices.extend(notice);
                Ok(Dialer::new(
                    Arc::new(ledger),
                    settings.clone(),
                    system_wall_clock(),
                ))
            }
            Err(e) => {
                let e = Error::new(
                    Code::Storage,
                    format!("{e} Clickdial will not dial until it can keep its call history, because that is how it stops a call from being placed twice."),
                );
                notices.push(e.message.clone());
                Err(e)
            }
        };
        let follower = dialer
            .as_ref()
            .ok()
            .map(|d| Follower::new(d.ledger().clone(), system_wall_clock()));
        AppState {
            accounts: Accounts::new(settings, secrets),
            follower,
            dialer,
            demo_starter: Mutex::new(Arc::new(child_simulator)),
            demo: Mutex::new(None),
            saved: tokio::sync::Mutex::new(None),
            notices: Mutex::new(notices),
            inbox: Inbox::new(),
            link_dialled: Mutex::new(None),
            picks: Mutex::new(None),
            draft: Mutex::new(String::new()),
        }
    }

    /// Keeps the number field's text for a page built later (see `draft` in [`Status`]).
    pub fn keep_draft(&self, text: &str) {
        *lock(&self.draft) = text.chars().take(MAX_DRAFT).collect();
    }

    fn settings_file(&self) -> &SettingsFile {
        self.accounts.settings_file()
    }

    pub fn settings(&self) -> Settings {
        self.settings_file().read().settings()
    }

    pub fn region(&self) -> Region {
        self.settings().region()
    }

    pub fn dialer(&self) -> Result<&Dialer, Error> {
        self.dialer.as_ref().map_err(Clone::clone)
    }

    /// Queues a message for the page's next status (a page built later still gets it).
    pub fn notice(&self, message: String) {
        let mut notices = lock(&self.notices);
        if !notices.contains(&message) {
            notices.push(message);
        }
    }

    /// The session in use: the demo, else the account the settings file names now. Re-read
    /// whenever the settings file changed, so another process's sign-in or sign-out is followed
    /// and a secret is only ever read for the server it was saved for.
    pub async fn session(&self) -> Result<Arc<AppSession>, Error> {
        if let Some(demo) = lock(&self.demo).clone() {
            return Ok(demo);
        }
        self.saved_session()
            .await?
            .ok_or_else(Error::not_configured)
    }

    async fn saved_session(&self) -> Result<Option<Arc<AppSession>>, Error> {
        let mut saved = self.saved.lock().await;
        let stamp = self.settings_file().stamp();
        if let Some(r) = saved.as_ref().filter(|r| r.stamp == stamp) {
            return Ok(r.session.clone());
        }
        let settings = self.settings();
        let accounts = self.accounts.clone();
        let found = tauri::async_runtime::spawn_blocking(move || accounts.saved(&settings))
            .await
            .map_err(|_| Error::internal("The keyring call did not finish."))?;
        let session = match found {
            Ok(Some(found)) => match accounts::client(&found.base_url, found.credentials) {
                Ok(client) => Some(Arc::new(AppSession::new(
                    Session {
                        key: found.key,
                        client,
                        saved: true,
                    },
                    None,
                    Lists::default(),
                ))),
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

    pub async fn status(&self) -> Status {
        let session = match self.session().await {
            Ok(s) => Some(s),
            Err(e) => {
                if e.code != Code::NotConfigured {
                    self.notice(e.message);
                }
                None
            }
        };
        let settings = self.settings();
        let demo = session.as_ref().is_some_and(|s| s.demo.is_some());
        let notice = {
            let mut n = lock(&self.notices);
            (!n.is_empty()).then(|| std::mem::take(&mut *n).join(" "))
        };
        Status {
            configured: session.is_some(),
            demo,
            provider: if demo {
                Some("demo".to_string())
            } else {
                settings.provider
            },
            base_url: session.as_ref().map(|s| s.client().base_url().to_string()),
            sign_in: settings.sign_in,
            email: settings.email.filter(|_| !demo),
            region: settings.region,
            call_timeout: settings.call_timeout,
            last_agent: settings.last_agent,
            last_caller_by_agent: settings.last_caller_by_agent,
            me: settings.me,
            choose_agent_each_call: settings.choose_agent_each_call,
            links_without_asking: settings.links_without_asking,
            hotkey: settings
                .hotkey
                .clone()
                .unwrap_or_else(|| crate::tray::DEFAULT_HOTKEY.to_string()),
            shortcuts_supported: crate::tray::shortcuts_supported(),
            start_hidden: settings.start_hidden,
            history_days: settings.history_days,
            notify: settings.notify,
            notify_supported: cfg!(target_os = "linux"),
            password_days_left: session
                .as_ref()
                .and_then(|s| s.client().password_days_left()),
            notice,
            draft: lock(&self.draft).clone(),
        }
    }

    /// Saves the agent's preferences through the settings file's one writer.
    pub fn save_preferences(&self, p: Preferences) -> Result<(), Error> {
        let Preferences {
            region,
            call_timeout,
            links_without_asking,
            hotkey,
            start_hidden,
            history_days,
            notify,
            choose_agent_each_call,
        } = p;
        if history_days.is_some_and(|d| d > clickdial_core::settings::MAX_HISTORY_DAYS) {
            return Err(Error::invalid(
                "Keep call history for at most ten years, or choose \"Always\".",
            ));
        }
        let region = Region::parse(&region).map_err(Error::invalid)?;
        let call_timeout = call_timeout
            .map(clickdial_core::types::CallTimeout::from_secs)
            .transpose()
            .map_err(Error::invalid)?;
        let updated = self
            .settings_file()
            .update(|s| {
                s.region = region.code().to_string();
                s.call_timeout = call_timeout.map(|t| t.secs());
                if let Some(trust) = links_without_asking {
                    s.links_without_asking = trust;
                }
                if let Some(hotkey) = hotkey.clone() {
                    s.hotkey = hotkey;
                }
                if let Some(hidden) = start_hidden {
                    s.start_hidden = hidden;
                }
                if let Some(days) = history_days {
                    s.history_days = days;
                }
                if let Some(notify) = notify {
                    s.notify = notify;
                }
                if let Some(each) = choose_agent_each_call {
                    s.choose_agent_each_call = each;
                }
            })
            .map_err(|e| Error::new(Code::Storage, e))?;
        if let Some(n) = updated.notice {
            self.notice(n);
        }
        if history_days.is_some() {
            self.apply_retention();
        }
        Ok(())
    }

    /// Reads the whole ledger for damage; a damaged one is kept aside and replaced. The notice
    /// that says so, once, also kept for the window's next status.
    pub fn verify_ledger(&self) -> Option<String> {
        let notice = match self.dialer().ok()?.ledger().verify() {
            Ok(notice) => notice?,
            Err(e) => e.to_string(),
        };
        self.notice(notice.clone());
        Some(notice)
    }

    /// "This is me": the agent whose phone rings for this user's calls, kept for the saved
    /// account (and the demo's session). `None` forgets it, so the window asks again.
    pub fn set_me(&self, agent: Option<String>) -> Result<(), Error> {
        if let Some(n) = clickdial_services::tray::set_me(self.settings_file(), agent)? {
            self.notice(n);
        }
        Ok(())
    }

    /// Deletes calls older than the agent's history setting; how many went.
    pub fn apply_retention(&self) -> usize {
        let days = self.settings().history_days;
        let Ok(dialer) = self.dialer() else { return 0 };
        if days == 0 {
            return 0;
        }
        let now = clickdial_services::ledger::wall_clock_ms();
        dialer
            .ledger()
            .prune(now - i64::from(days) * 86_400_000)
            .unwrap_or(0)
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
            key: AccountKey::unsaved("demo", url.as_str()),
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
        );
        *lock(&self.demo) = None;
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
        if lock(&self.demo).take().is_some() {
            return Ok(());
        }
        self.accounts.sign_out().await?;
        *self.saved.lock().await = None;
        Ok(())
    }

    /// A dial from the window (or, later, a link, the tray or the hotkey): the shared service.
    pub async fn dial(&self, input: DialInput) -> Result<DialOutcome, Error> {
        let session = self.session().await?;
        // The tray's picks follow the window's last dial.
        *lock(&self.picks) = Some(Picks {
            agent: Some(input.agent.clone()),
            caller_id: input.caller_id.clone(),
        });
        self.dial_in(session, input).await
    }

    /// Dials through the one dial service, then follows the call if it was queued, or if its
    /// outcome is unknown (it may have been placed: following finds it live if it was).
    async fn dial_in(
        &self,
        session: Arc<AppSession>,
        input: DialInput,
    ) -> Result<DialOutcome, Error> {
        let dialer = self.dialer()?;
        let number = Number::parse(
            &input.text,
            match &input.region {
                Some(r) => Region::parse(r).unwrap_or_default(),
                None => self.region(),
            },
        );
        if let (Ok(n), Some(follower)) = (&number, &self.follower) {
            follower.refuse_if_live(n.e164(), clickdial_services::ledger::BOUNCE_WINDOW)?;
        }
        let agent = input.agent.trim().to_string();
        let result = dialer.dial(&session.session, input).await;
        match (&result, &self.follower, &number) {
            (Ok(outcome), Some(follower), _) => {
                follower.follow(
                    outcome.call,
                    &outcome.e164,
                    &outcome.agent,
                    outcome.call_id.as_deref(),
                    session.clone(),
                );
            }
            (Err(e), Some(follower), Ok(n)) if e.code == Code::UnknownOutcome => {
                follower
                    .follow_unknown(n.e164(), &agent, session.clone())
                    .await;
            }
            _ => {}
        }
        result
    }

    /// The follower, when history could be opened.
    pub fn follower(&self) -> Option<&Arc<Follower>> {
        self.follower.as_ref()
    }

    /// A number for the confirm sheet: a `tel:`/`callto:` link (a cold start, a second process,
    /// the OS), or text from the tray or the hotkey (clipboard, selection, a recent number). It
    /// waits on the sheet, unless it is a link, the agent chose to dial links without asking, it
    /// came alone, and the saved account's agent is known: then it is dialled now, through the
    /// same service and guard as every dial.
    pub async fn receive(&self, raw: &str, source: Source) {
        let settings = self.settings();
        // The remembered agent belongs to the saved account; the demo always asks.
        let agent = match self.session().await {
            Ok(s) if s.session.saved => settings.default_agent().map(str::to_string),
            _ => None,
        };
        let trusted = settings.links_without_asking && agent.is_some();
        let arrival = self.inbox.receive(
            raw,
            source,
            settings.region(),
            trusted,
            std::time::Instant::now(),
        );
        let (Arrival::Dial(request), Some(agent)) = (arrival, agent) else {
            return;
        };
        let Some(number) = request.number else {
            return;
        };
        let input = DialInput {
            caller_id: settings.last_caller_for(&agent).map(str::to_string),
            ..DialInput::new(number.e164, agent, Source::Link)
        };
        let result = self.dial(input).await;
        *lock(&self.link_dialled) = Some(LinkDialled {
            international: number.international,
            outcome: result.as_ref().ok().cloned(),
            error: result.err(),
        });
    }

    /// The sheet's request and the last link dialled without asking (given once).
    pub fn link_state(&self) -> LinkState {
        LinkState {
            request: self.inbox.current(),
            dialled: lock(&self.link_dialled).take(),
        }
    }

    /// The agent confirmed the sheet's request `id` with this agent and caller ID. The number
    /// comes from the request, never from the page. Without an account the request stays.
    pub async fn confirm_link(
        &self,
        id: u64,
        agent: String,
        caller_id: Option<String>,
    ) -> Result<DialOutcome, Error> {
        let session = self.session().await?;
        self.dialer()?;
        let (request, number) = self.inbox.take(id)?;
        let input = DialInput {
            caller_id,
            ..DialInput::new(number.e164, agent, request.source)
        };
        self.dial_in(session, input).await
    }

    /// The window is closing: the sheet's request, if any, goes with it.
    pub fn window_closed(&self) {
        self.inbox.dismiss_current();
    }

    /// The agent cancelled the sheet's request `id`.
    pub fn dismiss_link(&self, id: u64) -> bool {
        self.inbox.dismiss(id)
    }

    /// The doctor's self-test: the link to open through the OS; it comes back as a sheet that
    /// says so, and is never dialled.
    pub fn self_test_link(&self) -> String {
        self.inbox.self_test_link(std::time::Instant::now())
    }

    /// The agent and caller ID for dials not typed into the page: the tray's last choice, else
    /// the remembered ones of the saved account.
    pub fn picks(&self) -> Picks {
        self.picks_with(&self.settings())
    }

    /// [`Self::picks`], with the settings already read.
    fn picks_with(&self, settings: &Settings) -> Picks {
        clickdial_services::tray::picks(lock(&self.picks).as_ref(), settings)
    }

    /// The tray chose an agent or a caller ID. Remembered for the saved account like a dial's
    /// picks; the page's pickers follow through an event.
    pub async fn choose(&self, agent: Option<String>, caller_id: Option<String>) -> Picks {
        let chosen = lock(&self.picks).clone();
        let (picks, notice) = clickdial_services::tray::choose(
            chosen.as_ref(),
            self.settings_file(),
            agent,
            caller_id,
        );
        if let Some(n) = notice {
            self.notice(n);
        }
        *lock(&self.picks) = Some(picks.clone());
        picks
    }

    /// What the tray menu shows: the clipboard's text, the recent numbers, the lists, the picks.
    pub async fn tray_state(
        &self,
        clipboard: Option<String>,
    ) -> clickdial_services::tray::TrayState {
        use clickdial_services::tray::TrayState;
        let settings = self.settings();
        let session = self.session().await.ok();
        let (agent_list, caller_list) = session
            .as_ref()
            .map(|s| s.cached_lists())
            .unwrap_or_default();
        let agents = clickdial_services::tray::agent_choices(agent_list);
        let callers = clickdial_services::tray::caller_choices(caller_list);
        let recent = self
            .dialer()
            .ok()
            .map(|d| clickdial_services::tray::recent(d.ledger()))
            .unwrap_or_default();
        let picks = self.picks_with(&settings);
        TrayState {
            clipboard,
            region: settings.region(),
            recent,
            agents,
            agent: picks.agent,
            callers,
            caller: picks.caller_id,
            configured: session.is_some(),
            live_call: self.follower().and_then(|f| f.active()).map(|c| {
                clickdial_services::tray::LiveCallItem {
                    number: c.international,
                    summary: c.summary,
                    can_hang_up: c.view.can_hang_up,
                }
            }),
        }
    }

    /// Whether the demo (its simulator is a child of this process) is in use.
    pub fn in_demo(&self) -> bool {
        lock(&self.demo).is_some()
    }

    /// What the tray keeper, or the window after it, needs to carry on where this one stops:
    /// the typed number, the picks, unseen notices and the lists the tray offers. Nothing
    /// secret. A confirm sheet left open is not carried: closing the window cancels it.
    pub async fn handover(&self) -> Handover {
        let (agents, callers) = match self.session().await {
            Ok(s) => s.cached_lists(),
            Err(_) => Default::default(),
        };
        Handover {
            draft: lock(&self.draft).clone(),
            picks: lock(&self.picks).clone(),
            notices: lock(&self.notices).clone(),
            agents: clickdial_services::tray::agent_choices(agents),
            callers: clickdial_services::tray::caller_choices(callers),
            deliveries: Vec::new(),
        }
    }

    /// Carries on from a handover: the typed number, the picks, the notices (its deliveries
    /// are the shell's to deliver).
    pub fn resume(&self, handover: &Handover) {
        self.keep_draft(&handover.draft);
        if let Some(picks) = &handover.picks {
            *lock(&self.picks) = Some(picks.clone());
        }
        for notice in &handover.notices {
            self.notice(notice.clone());
        }
    }

    /// The first time the window is closed to the tray, the agent is told where it went (once
    /// per installation: remembered in the settings).
    pub fn tell_once_about_tray(&self) {
        if self.settings().tray_notice_shown {
            return;
        }
        self.notice(
            "Clickdial is still running in the tray, ready for phone links and the shortcut. \
             To close it, choose Quit in the tray menu."
                .to_string(),
        );
        let _ = self.settings_file().update(|s| s.tray_notice_shown = true);
    }
}
