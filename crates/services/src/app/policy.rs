//! The fleet policy's rules ([`crate::policy`]), applied here once for every front end: the
//! server and sign-in locks, the environment's token, the caller IDs agents may use, the
//! preferences an administrator fixed, the demo. A refusal is [`Code::Policy`] (CLI exit 7),
//! decided before anything is sent.

use clickdial_core::api::CallerId;
use clickdial_core::settings::Settings;
use clickdial_core::types::BaseUrl;

use super::session::AppSession;
use super::{Clickdial, Preferences};
use crate::accounts::AccountForm;
use crate::dialer::DialInput;
use crate::policy::{Policy, PolicyState, Shortcut};
use crate::{Code, Error};

use crate::policy::{refused, REFUSED};

/// A shortcut as the settings keep it (`ctrl+alt+d`).
fn shortcut_text(keys: &str) -> String {
    clickdial_core::shortcut::normalize(keys).unwrap_or_else(|| keys.to_ascii_lowercase())
}

/// The settings as the policy leaves them: what it fixed wins over the file's values.
pub fn apply(policy: &Policy, s: &mut Settings) {
    if policy.links_without_asking == Some(false) {
        s.links_without_asking = false;
    }
    if let Some(cap) = policy.history_days {
        // 0 keeps everything: past any cap.
        if s.history_days == 0 || s.history_days > cap {
            s.history_days = cap;
        }
    }
    if let Some(notify) = policy.notifications {
        s.notify = notify;
    }
    if let Some(Shortcut::Keys(keys)) = &policy.hotkey {
        s.hotkey = Some(shortcut_text(keys));
    }
    match &policy.hangup_hotkey {
        Some(Shortcut::Keys(keys)) => s.hang_up_hotkey = Some(shortcut_text(keys)),
        Some(Shortcut::Off) => s.hang_up_hotkey = None,
        None => {}
    }
    if let Some(target) = &policy.after_call {
        s.after_call = Some(target.clone());
    }
}

impl Clickdial {
    /// The policy as read when the application opened.
    pub fn policy(&self) -> &PolicyState {
        &self.policy
    }

    /// The policy, or the error that stops dialling when it could not be read.
    pub(super) fn policy_in_force(&self) -> Result<&Policy, Error> {
        self.policy.check()
    }

    /// The global shortcut to register: the policy's, the agent's, else `default`; `None` when
    /// the policy turned shortcuts off.
    pub fn hotkey_or(&self, default: &str) -> Option<String> {
        if self.policy.policy.hotkey == Some(Shortcut::Off) {
            return None;
        }
        Some(
            self.settings()
                .hotkey
                .unwrap_or_else(|| default.to_string()),
        )
    }

    /// Whether the policy wants Clickdial started at login (the front end writes the entry).
    pub fn start_at_login_forced(&self) -> bool {
        self.policy.policy.start_at_login == Some(true)
    }

    /// Turning "start at login" off, when the policy keeps it on: refused.
    pub fn check_start_at_login(&self, enabled: bool) -> Result<(), Error> {
        self.policy.check_start_at_login(enabled)
    }

    /// A sign-in to the server `url`: refused when the policy locks another server.
    pub(super) fn check_server(&self, url: &BaseUrl, what: &str) -> Result<(), Error> {
        self.policy.check_server(url, what)
    }

    /// A sign-in from the window, before anything is sent.
    pub(super) fn check_form(&self, form: &AccountForm) -> Result<(), Error> {
        self.policy.check_form(form)
    }

    /// The environment's session (`CLICKDIAL_BASE_URL`, `CLICKDIAL_TOKEN`), before it is used.
    pub(super) fn check_environment(
        &self,
        url: Option<&BaseUrl>,
        token: bool,
    ) -> Result<(), Error> {
        let policy = self.policy_in_force()?;
        if token && policy.allow_environment_token == Some(false) {
            return Err(refused("Using CLICKDIAL_TOKEN"));
        }
        if let Some(url) = url {
            self.check_server(url, "CLICKDIAL_BASE_URL, naming")?;
        }
        Ok(())
    }

    /// A saved account (perhaps saved before the policy came): its server and sign-in.
    pub(super) fn check_saved(&self, session: &AppSession) -> Result<(), Error> {
        let url = BaseUrl::parse(session.client().base_url()).map_err(Error::internal)?;
        self.check_server(&url, "The saved account's server")?;
        self.policy
            .check_sign_in(self.settings_file().read().settings().sign_in)
    }

    pub(super) fn check_demo(&self) -> Result<(), Error> {
        if !self.policy_in_force()?.allows_demo() {
            return Err(refused("The demo"));
        }
        Ok(())
    }

    /// A dial from any entry point: a broken policy stops it; a caller ID must be allowed.
    pub(super) fn check_dial(&self, input: &DialInput) -> Result<(), Error> {
        let policy = self.policy_in_force()?;
        let Some(list) = &policy.caller_ids else {
            return Ok(());
        };
        let allowed = || {
            list.iter()
                .map(|c| c.written.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        };
        match input
            .caller_id
            .as_deref()
            .map(str::trim)
            .filter(|c| !c.is_empty())
        {
            Some(c) if policy.allows_caller_id(c) => Ok(()),
            Some(c) => Err(Error::new(
                Code::Policy,
                format!(
                    "Caller ID {} is {REFUSED}. Choose one of: {}. Nothing was sent.",
                    clickdial_core::sanitize::clean_text(c, 40),
                    allowed()
                ),
            )),
            None => Err(Error::new(
                Code::Policy,
                format!(
                    "Dialling without choosing a caller ID is {REFUSED}. Choose one of: {}. \
                     Nothing was sent.",
                    allowed()
                ),
            )),
        }
    }

    /// The caller IDs a front end may offer: the policy's allowed ones only.
    pub fn allowed_caller_ids(&self, list: Vec<CallerId>) -> Vec<CallerId> {
        let policy = &self.policy.policy;
        if policy.caller_ids.is_none() {
            return list;
        }
        list.into_iter()
            .filter(|c| {
                [&c.value, &c.did]
                    .iter()
                    .any(|v| !v.is_empty() && policy.allows_caller_id(v))
            })
            .collect()
    }

    /// The session's caller IDs (cached, or listed with `refresh`), as the policy allows.
    pub async fn caller_ids(&self, refresh: bool) -> Result<Vec<CallerId>, Error> {
        let list = self.session().await?.caller_ids(refresh).await?;
        Ok(self.allowed_caller_ids(list))
    }

    /// Preferences that change what the policy fixed: refused, nothing saved. A value equal to
    /// the one in force is not a change (the page sends every preference).
    pub(super) fn check_preferences(&self, p: &Preferences) -> Result<(), Error> {
        let policy = self.policy_in_force()?;
        let now = self.settings();
        if policy.links_without_asking == Some(false) && p.links_without_asking == Some(true) {
            return Err(refused("Dialling links without asking"));
        }
        if let (Some(cap), Some(days)) = (policy.history_days, p.history_days) {
            if days == 0 || days > cap {
                return Err(Error::new(
                    Code::Policy,
                    format!("Keeping call history for more than {cap} days is {REFUSED}."),
                ));
            }
        }
        if let (Some(forced), Some(notify)) = (policy.notifications, p.notify) {
            if forced != notify {
                return Err(refused("Changing desktop notifications"));
            }
        }
        let same =
            |locked: &Shortcut, asked: &Option<String>, now: Option<&str>| match (locked, asked) {
                (Shortcut::Off, None) => true,
                (Shortcut::Off, Some(h)) => h.trim().is_empty(),
                (Shortcut::Keys(_), Some(h)) => now == Some(shortcut_text(h).as_str()),
                (Shortcut::Keys(_), None) => false,
            };
        if let (Some(locked), Some(asked)) = (&policy.hotkey, &p.hotkey) {
            if !same(locked, asked, now.hotkey.as_deref()) {
                return Err(refused("Changing the shortcut"));
            }
        }
        if let (Some(locked), Some(asked)) = (&policy.hangup_hotkey, &p.hang_up_hotkey) {
            if !same(locked, asked, now.hang_up_hotkey.as_deref()) {
                return Err(refused("Changing the Hang-up shortcut"));
            }
        }
        if let (Some(locked), Some(asked)) = (&policy.after_call, &p.after_call) {
            let same = asked.as_ref().is_some_and(|(kind, text)| {
                clickdial_core::handoff::Target::new(kind, text).as_ref() == Ok(locked)
            });
            if !same {
                return Err(refused("Changing where a wrap-up goes after the call"));
            }
        }
        Ok(())
    }
}
