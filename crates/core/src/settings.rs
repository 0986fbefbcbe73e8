//! Non-secret settings, one typed and versioned value (the shell keeps it in tauri-plugin-store,
//! the CLI reads and writes the same file). Secrets never live here.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::phone::Region;

pub const SETTINGS_VERSION: u32 = 2;
/// The key under which the store file holds the settings value.
pub const SETTINGS_KEY: &str = "settings";

/// The platforms that share this API, and their base URLs.
pub const PROVIDERS: [Provider; 4] = [
    Provider {
        id: "servetel",
        name: "Servetel",
        base_url: "https://api.servetel.in/v1",
        follow_base_url: None,
    },
    Provider {
        id: "smartflo",
        name: "Tata Smartflo",
        base_url: "https://api-smartflo.tatateleservices.com/v1",
        follow_base_url: None,
    },
    Provider {
        id: "acefone",
        name: "Acefone India",
        base_url: "https://api.acefone.in/v1",
        follow_base_url: None,
    },
    Provider {
        id: "acefone-uk",
        name: "Acefone UK",
        base_url: "https://api.acefone.co.uk/v1",
        // Its live-calls, call-records and hang-up pages show another host than its
        // click-to-call page (servetel-api.md §5.6).
        follow_base_url: Some("https://api-account-uk.acefone.com/v1"),
    },
];

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Provider {
    pub id: &'static str,
    pub name: &'static str,
    pub base_url: &'static str,
    /// Where live calls, call records and hang-up live, when not at `base_url`.
    pub follow_base_url: Option<&'static str>,
}

pub fn provider(id: &str) -> Option<Provider> {
    PROVIDERS.iter().copied().find(|p| p.id == id)
}

/// The host following a call uses for an account at `base_url`: a preset's own, when it has
/// one. Only presets say so, so a secret never goes to a host the user did not choose a
/// provider for.
pub fn follow_base_for(base_url: &str) -> Option<&'static str> {
    let base = base_url.trim().trim_end_matches('/');
    PROVIDERS
        .iter()
        .find(|p| p.base_url == base)
        .and_then(|p| p.follow_base_url)
}

/// How the account signs in; the secret for each lives in the keyring.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum SignIn {
    /// A permanent API token from the portal.
    #[default]
    Token,
    /// Email (login ID) and password; short-lived tokens are kept in memory only.
    Password,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct Settings {
    pub version: u32,
    /// A preset id from [`PROVIDERS`], or `custom`.
    pub provider: Option<String>,
    /// API base URL including the version path, e.g. `https://api.servetel.in/v1`.
    pub base_url: Option<String>,
    pub sign_in: SignIn,
    /// The login ID for password sign-in (not secret; shown as "signed in as").
    pub email: Option<String>,
    /// Region for numbers typed without a country code.
    pub region: String,
    /// Longest talk time sent as `call_timeout`, in seconds (whole minutes from the window);
    /// `None` leaves the account default.
    pub call_timeout: Option<u32>,
    pub last_agent: Option<String>,
    /// The caller ID last used with each agent.
    pub last_caller_by_agent: BTreeMap<String, String>,
    /// Dial `tel:`/`callto:` links at once, without the confirm sheet (off by default: a link
    /// in a web page must never ring anyone by surprise).
    pub links_without_asking: bool,
    /// The agent was told, once, that closing the window keeps Clickdial in the tray.
    pub tray_notice_shown: bool,
    /// The global shortcut that dials the selected text (`ctrl+alt+d` when unset).
    pub hotkey: Option<String>,
    /// The global shortcut that hangs up the call on show; `None` (the default): none, since a
    /// stray key must not end a customer's call.
    pub hang_up_hotkey: Option<String>,
    /// Started at login, Clickdial stays in the tray instead of opening its window.
    pub start_hidden: bool,
    /// Days of call history kept; 0 keeps it all.
    pub history_days: u32,
    /// Desktop notifications when the customer answers or a call fails (off: the agent's phone
    /// rings anyway).
    pub notify: bool,
    /// The agent the user said they are ("This is me"): calls ring this agent's phone, and no
    /// one else is ever preselected. `None` until they have said.
    pub me: Option<String>,
    /// For supervisors who dial for others: the agent is chosen for each call instead.
    pub choose_agent_each_call: bool,
    /// Seconds a window closed to the tray keeps its process before the tray keeper takes its
    /// place (Linux): reopening within them is quicker, GTK and WebKit being still loaded.
    /// 0 hands over at once. Not on the Settings page; at most [`MAX_TRAY_GRACE_SECS`].
    pub tray_grace_secs: u32,
    /// Each signed-out or switched-away server's picks, kept for when it comes back: (base
    /// URL, picks), the most recently left last, [`KEPT_PICKS`] at most.
    pub kept_picks: Vec<(String, Picks)>,
    /// Recent calls were open when the window last showed them (the list opens so again).
    pub history_open: bool,
    /// What came of a call, as the agent listed them in Settings (the wrap-up offers them;
    /// the policy's list wins). Empty: the defaults.
    pub dispositions: Vec<String>,
    /// Before a call from the window's own Call, one read of the account's live calls tells
    /// whether a colleague is already on a call with that customer (off by default: the plain
    /// dial sends nothing more than the dial).
    pub team_check: bool,
    /// Where a saved wrap-up goes (the after-call hand-off); `None` (the default): nowhere.
    /// Read leniently: one this build cannot read or check (a newer kind or placeholder, a
    /// hand edit) is dropped, never a reason to set the whole file aside.
    #[serde(deserialize_with = "lenient_target")]
    pub after_call: Option<crate::handoff::Target>,
    /// Version 1 kept one caller ID for all agents; read only to migrate it.
    #[serde(skip_serializing)]
    last_caller_id: Option<String>,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            version: SETTINGS_VERSION,
            provider: None,
            base_url: None,
            sign_in: SignIn::Token,
            email: None,
            region: Region::default().code().to_string(),
            call_timeout: None,
            last_agent: None,
            last_caller_by_agent: BTreeMap::new(),
            links_without_asking: false,
            tray_notice_shown: false,
            hotkey: None,
            hang_up_hotkey: None,
            start_hidden: false,
            history_days: DEFAULT_HISTORY_DAYS,
            notify: false,
            me: None,
            choose_agent_each_call: false,
            tray_grace_secs: DEFAULT_TRAY_GRACE_SECS,
            kept_picks: Vec::new(),
            history_open: false,
            dispositions: Vec::new(),
            team_check: false,
            after_call: None,
            last_caller_id: None,
        }
    }
}

/// Who dials and with which caller ID, on one server.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct Picks {
    pub me: Option<String>,
    pub last_agent: Option<String>,
    pub last_caller_by_agent: BTreeMap<String, String>,
}

/// How many servers' picks are kept after leaving them.
pub const KEPT_PICKS: usize = 5;

/// Call history kept by default: a year.
pub const DEFAULT_HISTORY_DAYS: u32 = 365;
/// The longest history that can be asked for: ten years (0 keeps it all).
pub const MAX_HISTORY_DAYS: u32 = 3650;

/// Longest accepted `call_timeout`: 4 hours.
pub const MAX_CALL_TIMEOUT: u32 = 4 * 3600;

/// How long a window closed to the tray keeps its process by default: a minute.
pub const DEFAULT_TRAY_GRACE_SECS: u32 = 60;
/// The longest it may keep it: an hour (a larger value in the file reads as this).
pub const MAX_TRAY_GRACE_SECS: u32 = 3600;

/// A stored hand-off, or `None` when this build cannot read or check it.
fn lenient_target<'de, D>(d: D) -> Result<Option<crate::handoff::Target>, D::Error>
where
    D: serde::Deserializer<'de>,
{
    let v = serde_json::Value::deserialize(d)?;
    Ok(serde_json::from_value::<crate::handoff::Target>(v)
        .ok()
        .filter(|t| t.check().is_ok()))
}

impl Settings {
    /// Reads a stored value, migrating older versions; `None` for a value that is not ours
    /// (wrong shape, invalid fields, a newer version).
    pub fn from_stored(v: serde_json::Value) -> Option<Settings> {
        let mut s: Settings = serde_json::from_value(v).ok()?;
        if s.version > SETTINGS_VERSION {
            return None;
        }
        if s.version < 2 {
            if let (Some(agent), Some(caller)) = (&s.last_agent, s.last_caller_id.take()) {
                s.last_caller_by_agent.insert(agent.clone(), caller);
            }
        }
        s.version = SETTINGS_VERSION;
        // No page sets it: a value edited by hand past the limit is the limit, not a reason
        // to set the whole file aside.
        s.tray_grace_secs = s.tray_grace_secs.min(MAX_TRAY_GRACE_SECS);
        s.validate().ok()?;
        Some(s)
    }

    pub fn region(&self) -> Region {
        Region::parse(&self.region).unwrap_or_default()
    }

    /// How long a window closed to the tray keeps its process ([`Settings::tray_grace_secs`],
    /// at most [`MAX_TRAY_GRACE_SECS`]).
    pub fn tray_grace(&self) -> std::time::Duration {
        std::time::Duration::from_secs(self.tray_grace_secs.min(MAX_TRAY_GRACE_SECS).into())
    }

    /// Checks every field; the message says which one and how to fix it.
    pub fn validate(&self) -> Result<(), String> {
        if let Some(url) = &self.base_url {
            validate_base_url(url)?;
        }
        Region::parse(&self.region)?;
        if let Some(t) = self.call_timeout {
            if !(60..=MAX_CALL_TIMEOUT).contains(&t) {
                return Err(format!(
                    "The longest call must be between 1 minute and {} hours.",
                    MAX_CALL_TIMEOUT / 3600
                ));
            }
        }
        if let Some(target) = &self.after_call {
            target.check()?;
        }
        if self.tray_grace_secs > MAX_TRAY_GRACE_SECS {
            return Err(format!(
                "Clickdial keeps a closed window's process for at most {} seconds.",
                MAX_TRAY_GRACE_SECS
            ));
        }
        Ok(())
    }

    pub fn last_caller_for(&self, agent: &str) -> Option<&str> {
        self.last_caller_by_agent.get(agent).map(String::as_str)
    }

    /// The agent a call rings when nobody chose one for this call: "me", or for supervisors
    /// the one they used last. Never a guess.
    pub fn default_agent(&self) -> Option<&str> {
        if self.choose_agent_each_call {
            self.last_agent.as_deref()
        } else {
            self.me.as_deref()
        }
    }

    /// Moves to another server: this one's picks are kept for its return, and the other's
    /// come back if it had any.
    pub fn switch_server(&mut self, base_url: &str) {
        if self.base_url.as_deref() == Some(base_url) {
            return;
        }
        self.keep_picks();
        let picks = self
            .kept_picks
            .iter()
            .position(|(url, _)| url == base_url)
            .map(|i| self.kept_picks.remove(i).1)
            .unwrap_or_default();
        self.me = picks.me;
        self.last_agent = picks.last_agent;
        self.last_caller_by_agent = picks.last_caller_by_agent;
    }

    fn keep_picks(&mut self) {
        let picks = Picks {
            me: self.me.take(),
            last_agent: self.last_agent.take(),
            last_caller_by_agent: std::mem::take(&mut self.last_caller_by_agent),
        };
        let Some(url) = self.base_url.clone() else {
            return;
        };
        if picks == Picks::default() {
            return;
        }
        self.kept_picks.retain(|(u, _)| *u != url);
        let excess = (self.kept_picks.len() + 1).saturating_sub(KEPT_PICKS);
        self.kept_picks.drain(..excess);
        self.kept_picks.push((url, picks));
    }

    /// Forgets the account and everything tied to it; keeps the agent's own preferences.
    pub fn sign_out(&mut self) {
        // The picks stay for when this server's account signs in again.
        self.keep_picks();
        *self = Settings {
            choose_agent_each_call: self.choose_agent_each_call,
            kept_picks: std::mem::take(&mut self.kept_picks),
            region: std::mem::take(&mut self.region),
            call_timeout: self.call_timeout,
            links_without_asking: self.links_without_asking,
            tray_notice_shown: self.tray_notice_shown,
            hotkey: self.hotkey.take(),
            hang_up_hotkey: self.hang_up_hotkey.take(),
            start_hidden: self.start_hidden,
            history_days: self.history_days,
            notify: self.notify,
            tray_grace_secs: self.tray_grace_secs,
            history_open: self.history_open,
            dispositions: std::mem::take(&mut self.dispositions),
            team_check: self.team_check,
            after_call: self.after_call.take(),
            ..Settings::default()
        };
    }
}

/// Checks an API base URL: https, or plain http to this machine (the simulator). Parsed as a
/// real URL, so `http://127.0.0.1:1@elsewhere/` (user info) cannot pass for loopback.
pub fn validate_base_url(input: &str) -> Result<String, String> {
    let url = input.trim().trim_end_matches('/');
    let example = "it should look like https://api.servetel.in/v1";
    let parsed = reqwest::Url::parse(url)
        .map_err(|_| format!("'{url}' is not a server address; {example}"))?;
    web_address_rule(&parsed, url, "https://api.servetel.in/v1").map_err(|e| {
        e.unwrap_or_else(|| format!("'{url}' is not a valid server address; {example}"))
    })?;
    if parsed.query().is_some() || parsed.fragment().is_some() {
        return Err(format!("'{url}' is not a valid server address; {example}"));
    }
    Ok(url.to_string())
}

/// The one rule for an address Clickdial sends to: https, or plain http to this machine
/// (loopback) only; a host; no user info (`http://127.0.0.1:1@elsewhere/` is not loopback).
/// `Err(Some(message))` for the scheme, `Err(None)` for the rest (the caller words it).
pub(crate) fn web_address_rule(
    parsed: &reqwest::Url,
    written: &str,
    example: &str,
) -> Result<(), Option<String>> {
    let loopback = matches!(
        parsed.host(),
        Some(url::Host::Domain("localhost"))
            | Some(url::Host::Ipv4(std::net::Ipv4Addr::LOCALHOST))
            | Some(url::Host::Ipv6(std::net::Ipv6Addr::LOCALHOST))
    );
    match parsed.scheme() {
        "https" => {}
        "http" if loopback => {}
        _ => {
            return Err(Some(format!(
                "'{written}' must start with https:// (for example {example})"
            )))
        }
    }
    if parsed.host_str().is_none_or(str::is_empty)
        || !parsed.username().is_empty()
        || parsed.password().is_some()
    {
        return Err(None);
    }
    Ok(())
}

#[cfg(test)]
mod tests;
