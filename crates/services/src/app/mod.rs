//! The application every front end opens: the window, the CLI and the tray keeper hold one
//! [`Clickdial`] and call it, so a rule lives here once and holds at every entry point.
//!
//! - [`session`]: which session is in use: the demo, the environment's (the CLI's
//!   `CLICKDIAL_BASE_URL` / `CLICKDIAL_TOKEN`), else the saved account; signing in and out.
//! - [`dial`]: the live-call rule, then the one [`Dialer`], then following the call.
//! - [`prefs`]: preferences (validated), retention, "who am I" and the tray's picks.
//! - [`inbox`]: links, the tray and the hotkey: the confirm sheet and the trust rule.
//! - [`desk`]: what the tray and the window hand each other (the typed number, the menu).
//! - [`wrapup`]: after the call: the agent's disposition and note.
//! - [`team`]: a colleague already on a call with the sheet's customer (one cached read).
//! - [`policy`]: the fleet policy's rules (locked server, caller IDs, preferences, demo).
//!
//! The settings are not held here: the settings file is read when needed, so a change another
//! process made (`clickdial login`, say) is picked up before the account is next used, and
//! nothing stale is ever written back.

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, MutexGuard};

use clickdial_core::settings::{Settings, SignIn};
use clickdial_core::Region;
use serde::Serialize;

use crate::accounts::Accounts;
use crate::dialer::{system_wall_clock, Dialer, WallClock};
use crate::follow::Follower;
use crate::ledger::{Ledger, LEDGER_FILE};
use crate::links::Inbox;
use crate::policy::{PolicySource, PolicyState};
use crate::secrets::SecretStore;
use crate::settings_file::{SettingsFile, SETTINGS_FILE};
use crate::{Code, Error};
use session::Resolved;

pub mod availability;
pub mod desk;
pub mod dial;
pub mod handoff;
pub mod history;
pub mod inbox;
pub mod lists;
mod live;
pub mod policy;
pub mod prefs;
pub mod session;
pub mod team;
pub mod wrapup;

pub use handoff::{Delivery, Pace};
pub use inbox::{LinkDialled, LinkState};
pub use prefs::Preferences;
pub use session::{AppSession, DemoGuard, DemoStarter, Overrides};
pub use wrapup::{WrapUp, DEFAULT_DISPOSITIONS};

/// What the desktop around the app can do, for [`Status`]; the CLI has none of it.
#[derive(Debug, Clone, Default)]
pub struct Desk {
    /// The global shortcut used when the agent chose none.
    pub default_hotkey: String,
    /// Whether global shortcuts can work in this session (not on Wayland).
    pub shortcuts_supported: bool,
    /// Whether this system can show desktop notifications.
    pub notify_supported: bool,
}

/// How a front end opens the application.
#[derive(Default)]
pub struct Options {
    pub desk: Desk,
    /// Follow queued calls (the window and the keeper); the CLI leaves its calls to them.
    pub follow: bool,
    /// A session given by the environment, which wins over the saved account.
    pub overrides: Overrides,
    /// The wall clock every rule reads (the ledger's times, the live-call rule, retention);
    /// the system's when `None`. Tests pass their own, to be exact at the limits.
    pub clock: Option<WallClock>,
    /// Where the fleet policy is read: the system's fixed place unless a test says otherwise.
    pub policy: PolicySource,
    /// How the after-call hand-off tries a `POST` (tests make it quick).
    pub handoff_pace: Pace,
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
    /// Before the window's own Call, look for a colleague on a call with that customer.
    pub team_check: bool,
    /// Days until the portal password expires, when the server said (password sign-in).
    pub password_days_left: Option<u32>,
    /// Dial `tel:` links at once instead of asking on the confirm sheet.
    pub links_without_asking: bool,
    /// The global shortcut that dials the selected text.
    pub hotkey: String,
    /// The global shortcut that hangs up, when the agent chose one (off by default).
    pub hang_up_hotkey: Option<String>,
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
    /// The settings the organization's policy fixed (`linksWithoutAsking`, `notify`, `hotkey`,
    /// `startAtLogin`, `callerIds`, `server`, …): the page shows them as managed.
    pub locked: Vec<&'static str>,
    /// The most days of history the policy lets the agent keep.
    pub history_days_max: Option<u32>,
    /// Whether the policy allows the demo.
    pub demo_allowed: bool,
    /// Recent calls were open when last shown: the page opens them so.
    pub history_open: bool,
    /// Where the Save dialog for a CSV starts: Downloads, else the home folder.
    pub export_dir: Option<String>,
    /// What came of a call, offered after it ends (digits 1–9 pick them).
    pub dispositions: Vec<String>,
    /// The agent's own list (Settings), whether or not the policy's wins; empty: none.
    pub disposition_setting: Vec<String>,
    /// Where a saved wrap-up goes (`{"kind":"post"|"open","url":…}`); `afterCall` is in
    /// `locked` when the policy set it.
    pub after_call: Option<clickdial_core::handoff::Target>,
}

/// The application: one per process, shared by its front ends.
pub struct Clickdial {
    accounts: Accounts,
    /// Tests replace it ([`Clickdial::set_demo_starter`]) to inspect the simulator they run.
    demo_starter: Mutex<DemoStarter>,
    dialer: Result<Dialer, Error>,
    demo: Mutex<Option<Arc<AppSession>>>,
    saved: tokio::sync::Mutex<Option<Resolved>>,
    notices: Mutex<Vec<String>>,
    inbox: Inbox,
    link_dialled: Mutex<Option<LinkDialled>>,
    /// The last read of the account's live calls, for the sheet's colleague check.
    team: team::TeamCache,
    /// The colleague found on a call with the sheet's number, by request id.
    colleague: Mutex<Option<(u64, Option<team::ColleagueCall>)>>,
    /// The agent and caller ID the tray last chose (the page's pickers follow), if any.
    picks: Mutex<Option<Picks>>,
    /// Follows each queued call (live status, hang-up, outcome); absent without a ledger.
    follower: Option<Arc<Follower>>,
    /// The number being typed, kept for the next page: closing the window to the tray destroys
    /// the page. In memory only.
    draft: Mutex<String>,
    desk: Desk,
    overrides: Overrides,
    /// The session [`Overrides`] gave, once built.
    given: Mutex<Option<Arc<AppSession>>>,
    /// The data folder: settings, history, the shared lists.
    data_dir: PathBuf,
    /// Wall-clock milliseconds, as [`Options::clock`] gave them.
    clock: WallClock,
    /// The fleet policy, read once at start.
    policy: PolicyState,
    /// How the after-call hand-off tries a `POST`.
    handoff_pace: Pace,
}

pub use crate::tray::Picks;

/// The longest number-field text kept between pages (a pasted paragraph is cut, not kept).
const MAX_DRAFT: usize = 200;

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

impl Clickdial {
    /// Opens the settings file and the call ledger in `data_dir`.
    pub fn open(secrets: Arc<dyn SecretStore>, data_dir: &Path, options: Options) -> Self {
        let settings = SettingsFile::new(data_dir.join(SETTINGS_FILE));
        let clock = options.clock.clone().unwrap_or_else(system_wall_clock);
        let mut notices = Vec::new();
        let policy = crate::policy::load(&options.policy);
        let (_, notice) = settings.load();
        notices.extend(notice);
        // The whole file is read for damage in the background (`verify_ledger`), not here.
        let dialer = match Ledger::open_unchecked(&data_dir.join(LEDGER_FILE)) {
            Ok((ledger, notice)) => {
                notices.extend(notice);
                Ok(Dialer::new(
                    Arc::new(ledger),
                    settings.clone(),
                    clock.clone(),
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
            .filter(|_| options.follow)
            .map(|d| Follower::new(d.ledger().clone(), clock.clone()));
        Clickdial {
            accounts: Accounts::new(settings, secrets),
            follower,
            dialer,
            demo_starter: Mutex::new(Arc::new(session::child_simulator)),
            demo: Mutex::new(None),
            saved: tokio::sync::Mutex::new(None),
            notices: Mutex::new(notices),
            inbox: Inbox::new(),
            link_dialled: Mutex::new(None),
            team: tokio::sync::Mutex::new(None),
            colleague: Mutex::new(None),
            picks: Mutex::new(None),
            draft: Mutex::new(String::new()),
            desk: options.desk,
            overrides: options.overrides,
            given: Mutex::new(None),
            data_dir: data_dir.to_path_buf(),
            clock,
            policy,
            handoff_pace: options.handoff_pace,
        }
    }

    /// Now, in wall-clock milliseconds (see [`Options::clock`]).
    fn now_ms(&self) -> i64 {
        (self.clock)()
    }

    fn settings_file(&self) -> &SettingsFile {
        self.accounts.settings_file()
    }

    /// The agents' names by ID of the account in use (the demo's, the environment's, else the
    /// saved one), as last listed by any Clickdial process (no request): for naming agents in
    /// history and in `whoami`.
    pub fn agent_names(&self) -> std::collections::HashMap<String, String> {
        let demo = lock(&self.demo).clone();
        if let Some(agents) = demo.and_then(|d| d.known_agents()) {
            return agents
                .into_iter()
                .map(|a| (a.id, clickdial_core::sanitize::clean_text(&a.name, 80)))
                .filter(|(_, name)| !name.is_empty())
                .collect();
        }
        self.lists_file()
            .map(|f| f.agent_names())
            .unwrap_or_default()
    }

    /// The settings as the file holds them now, with what the policy fixed in force: read again
    /// at every call, so a change another process (or a person, or a test) made is seen at once.
    pub fn settings(&self) -> Settings {
        let mut settings = self.settings_file().read().settings();
        policy::apply(&self.policy.policy, &mut settings);
        settings
    }

    pub fn region(&self) -> Region {
        self.settings().region()
    }

    pub fn dialer(&self) -> Result<&Dialer, Error> {
        self.dialer.as_ref().map_err(Clone::clone)
    }

    /// The messages noticed so far (a settings or history file kept aside), once.
    pub fn take_notices(&self) -> Vec<String> {
        std::mem::take(&mut *lock(&self.notices))
    }

    /// Queues a message for the page's next status (a page built later still gets it).
    pub fn notice(&self, message: String) {
        let mut notices = lock(&self.notices);
        if !notices.contains(&message) {
            notices.push(message);
        }
    }

    pub async fn status(&self) -> Status {
        // A policy that cannot be read: the window says why nothing can be dialled.
        if let Some(e) = &self.policy.broken {
            self.notice(e.message.clone());
        }
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
        let dispositions = self.dispositions_in(&settings);
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
            team_check: settings.team_check,
            links_without_asking: settings.links_without_asking,
            hotkey: self
                .hotkey_or(&self.desk.default_hotkey)
                .unwrap_or_default(),
            hang_up_hotkey: settings.hang_up_hotkey.clone(),
            shortcuts_supported: self.desk.shortcuts_supported,
            start_hidden: settings.start_hidden,
            history_days: settings.history_days,
            notify: settings.notify,
            notify_supported: self.desk.notify_supported,
            password_days_left: session
                .as_ref()
                .and_then(|s| s.client().password_days_left()),
            notice,
            draft: lock(&self.draft).clone(),
            locked: self.policy.policy.locked_settings(),
            history_days_max: self.policy.policy.history_days,
            demo_allowed: self.policy.policy.allows_demo(),
            history_open: settings.history_open,
            export_dir: crate::export_dir().map(|d| d.display().to_string()),
            dispositions,
            disposition_setting: settings.dispositions,
            // The organization's: where it goes, never its query (it may carry a token).
            after_call: match &self.policy.policy.after_call {
                Some(_) => settings.after_call.map(|t| t.without_secrets()),
                None => settings.after_call,
            },
        }
    }
}
