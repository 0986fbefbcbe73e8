//! The fleet policy: what an administrator locks on every desk, read-only to the agent.
//!
//! Read from a fixed place no environment variable can move or hide (an agent could otherwise
//! escape it): [`POLICY_FILE`] (TOML) on Linux, `HKLM\Software\Policies\Clickdial`
//! ([`POLICY_KEY`]; lists as `REG_MULTI_SZ`, booleans as `REG_DWORD`) on Windows, the managed
//! preferences domain `in.clickdial.desktop` ([`MANAGED_PREFERENCES`], from a configuration
//! profile), else the file, on macOS. Tests and debug builds pass another file through
//! [`PolicySource`] in the application's options.
//!
//! Fail closed: a policy that cannot be read or parsed is [`PolicyState::broken`], and the
//! application refuses to dial or sign in until it is fixed (the message names the file and
//! the line). An unknown key is a warning. The policy holds no secret; the app never writes it.
//! The rules are applied by the application object (`app::policy`), once for every front end.

use std::path::PathBuf;

use clickdial_core::settings::SignIn;
use clickdial_core::types::BaseUrl;
use serde::Serialize;

use crate::{Code, Error};

#[cfg(any(target_os = "macos", test))]
mod macos;
mod parse;
#[cfg(windows)]
mod windows;

pub use parse::parse_toml;

/// The policy file on Linux and macOS. Fixed: no environment variable moves it.
pub const POLICY_FILE: &str = "/etc/clickdial/policy.toml";

/// The policy on macOS: the managed preferences of the domain `in.clickdial.desktop`, where a
/// configuration profile's payload lands (else [`POLICY_FILE`]).
pub const MANAGED_PREFERENCES: &str = "/Library/Managed Preferences/in.clickdial.desktop.plist";

/// The policy key on Windows, under `HKEY_LOCAL_MACHINE` (the MSI writes it).
pub const POLICY_KEY: &str = r"Software\Policies\Clickdial";

/// The variable debug builds (tests) read for another policy file. Release builds never do:
/// [`PolicySource::for_this_build`] compiles it in only with debug assertions.
pub const TEST_POLICY_VAR: &str = "CLICKDIAL_TEST_POLICY";

/// The largest policy file read (a long caller-ID list is a few kilobytes).
const MAX_FILE: u64 = 1 << 20;

/// Where the application reads its policy.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub enum PolicySource {
    /// The system's: [`POLICY_FILE`], or the registry key on Windows.
    #[default]
    System,
    /// Another file (tests; debug builds' `CLICKDIAL_TEST_POLICY`, never release builds).
    File(PathBuf),
}

impl PolicySource {
    /// What every front end reads: the system's policy. A debug build (the tests' binary) reads
    /// the file [`TEST_POLICY_VAR`] names instead, when it is set; a release build ignores it,
    /// so no agent can move or hide the policy.
    pub fn for_this_build() -> PolicySource {
        #[cfg(debug_assertions)]
        if let Some(path) = std::env::var_os(TEST_POLICY_VAR).filter(|p| !p.is_empty()) {
            return PolicySource::File(PathBuf::from(path));
        }
        PolicySource::System
    }
}

/// `sign_in`: how agents may sign in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum SignInRule {
    Token,
    Password,
    Any,
}

impl SignInRule {
    pub fn allows(self, s: SignIn) -> bool {
        matches!(
            (self, s),
            (SignInRule::Any, _)
                | (SignInRule::Token, SignIn::Token)
                | (SignInRule::Password, SignIn::Password)
        )
    }
}

/// `hotkey` / `hangup_hotkey`: a shortcut every desk uses, or none at all (`false`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Shortcut {
    Off,
    Keys(String),
}

impl Serialize for Shortcut {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            Shortcut::Off => s.serialize_bool(false),
            Shortcut::Keys(k) => s.serialize_str(k),
        }
    }
}

/// `server`: the one server agents may use.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct LockedServer {
    /// The preset's id when the policy named one (`servetel`, `smartflo`, …).
    pub provider: Option<String>,
    pub base_url: BaseUrl,
}

impl LockedServer {
    /// Whether `url` is this server (its origin: `/v1` and `/v1/` are one server).
    pub fn allows(&self, url: &BaseUrl) -> bool {
        url.origin() == self.base_url.origin()
    }
}

/// One allowed caller ID, as the policy wrote it and as it is compared.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AllowedCallerId {
    pub written: String,
    #[serde(skip)]
    key: String,
}

/// `after_call`: where a saved wrap-up goes, checked by the one rule the agent's setting
/// follows ([`clickdial_core::handoff::Target`]).
pub use clickdial_core::handoff::Target as AfterCall;

/// The effective policy: every key optional; `None` leaves the agent free.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Policy {
    pub server: Option<LockedServer>,
    pub sign_in: Option<SignInRule>,
    pub allow_environment_token: Option<bool>,
    pub caller_ids: Option<Vec<AllowedCallerId>>,
    pub links_without_asking: Option<bool>,
    pub history_days: Option<u32>,
    pub notifications: Option<bool>,
    pub hotkey: Option<Shortcut>,
    pub hangup_hotkey: Option<Shortcut>,
    pub start_at_login: Option<bool>,
    pub demo: Option<bool>,
    pub dispositions: Option<Vec<String>>,
    pub after_call: Option<AfterCall>,
}

/// The policy keys, in the order the documentation lists them.
pub const KEYS: [&str; 13] = [
    "server",
    "sign_in",
    "allow_environment_token",
    "caller_ids",
    "links_without_asking",
    "history_days",
    "notifications",
    "hotkey",
    "hangup_hotkey",
    "start_at_login",
    "demo",
    "dispositions",
    "after_call",
];

/// The digits a caller ID is compared by: its last 10 (at least 10 written), else its digits
/// without leading zeros: "+91 80650 00101", "080650 00101" and "918065000101" are one DID
/// (as `agents::resolve_caller_id` finds them).
pub fn caller_key(written: &str) -> String {
    let digits: String = written.chars().filter(char::is_ascii_digit).collect();
    if digits.len() >= 10 {
        digits[digits.len() - 10..].to_string()
    } else {
        digits.trim_start_matches('0').to_string()
    }
}

impl Policy {
    /// Whether caller ID `written` (any form) may be used; always, without a list.
    pub fn allows_caller_id(&self, written: &str) -> bool {
        let key = caller_key(written);
        self.caller_ids
            .as_ref()
            .is_none_or(|list| list.iter().any(|c| c.key == key))
    }

    /// Whether the agent may use the demo: unless `demo = false`.
    pub fn allows_demo(&self) -> bool {
        self.demo != Some(false)
    }

    /// The settings (as the window's status names them) the agent cannot change.
    pub fn locked_settings(&self) -> Vec<&'static str> {
        let mut locked = Vec::new();
        if self.server.is_some() {
            locked.push("server");
        }
        if matches!(self.sign_in, Some(SignInRule::Token | SignInRule::Password)) {
            locked.push("signIn");
        }
        if self.caller_ids.is_some() {
            locked.push("callerIds");
        }
        if self.links_without_asking == Some(false) {
            locked.push("linksWithoutAsking");
        }
        if self.notifications.is_some() {
            locked.push("notify");
        }
        if self.hotkey.is_some() {
            locked.push("hotkey");
        }
        if self.hangup_hotkey.is_some() {
            locked.push("hangUpHotkey");
        }
        if self.start_at_login == Some(true) {
            locked.push("startAtLogin");
        }
        if self.demo == Some(false) {
            locked.push("demo");
        }
        if self.dispositions.is_some() {
            locked.push("dispositions");
        }
        if self.after_call.is_some() {
            locked.push("afterCall");
        }
        locked
    }
}

/// The policy as read: where from, what it says, what was odd, or why it could not be used.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PolicyState {
    /// The file or registry key it came from; `None`: there is none (an unmanaged desk).
    pub from: Option<String>,
    pub policy: Policy,
    /// Unknown keys, and the like: reported, not fatal.
    pub warnings: Vec<String>,
    /// Why the policy could not be used (code [`Code::Policy`]): dialling stops.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub broken: Option<Error>,
}

impl PolicyState {
    pub fn managed(&self) -> bool {
        self.from.is_some()
    }

    /// The error that stops dialling, when the policy could not be read or parsed.
    pub fn check(&self) -> Result<&Policy, Error> {
        match &self.broken {
            Some(e) => Err(e.clone()),
            None => Ok(&self.policy),
        }
    }

    fn broken(from: String, what: String) -> PolicyState {
        PolicyState {
            broken: Some(Error::new(
                Code::Policy,
                format!(
                    "{what} Dialling is refused by your organization's policy until your \
                     administrator fixes it."
                ),
            )),
            from: Some(from),
            ..PolicyState::default()
        }
    }
}

/// The words every refusal holds.
pub const REFUSED: &str = "refused by your organization's policy";

/// The most dispositions a list holds (digits 1–9 pick them).
pub const MAX_DISPOSITIONS: usize = 9;

/// A list of dispositions as kept, the policy's and the agent's setting alike: each name one
/// clean line of at most 40 characters (and "…"), names left empty dropped; `None` unless
/// 1 to [`MAX_DISPOSITIONS`] remain.
pub fn clean_dispositions<S: AsRef<str>>(names: &[S]) -> Option<Vec<String>> {
    let names: Vec<String> = names
        .iter()
        .map(|n| clickdial_core::sanitize::clean_text(n.as_ref(), 40))
        .filter(|n| !n.is_empty())
        .collect();
    (1..=MAX_DISPOSITIONS)
        .contains(&names.len())
        .then_some(names)
}

/// "`what` is refused by your organization's policy." ([`Code::Policy`]: CLI exit 7).
pub fn refused(what: impl std::fmt::Display) -> Error {
    Error::new(Code::Policy, format!("{what} is {REFUSED}."))
}

impl PolicyState {
    /// The server `url` (`what` says whose, in the message): refused when the policy locks
    /// another one, or cannot be read.
    pub fn check_server(&self, url: &BaseUrl, what: &str) -> Result<(), Error> {
        match &self.check()?.server {
            Some(locked) if !locked.allows(url) => Err(Error::new(
                Code::Policy,
                format!(
                    "{what} {} is {REFUSED}: use {}.",
                    url.origin(),
                    locked.base_url
                ),
            )),
            _ => Ok(()),
        }
    }

    /// Signing in `how`: refused when the policy wants the other way.
    pub fn check_sign_in(&self, how: SignIn) -> Result<(), Error> {
        match self.check()?.sign_in {
            Some(rule) if !rule.allows(how) => Err(refused(match how {
                SignIn::Token => "Signing in with an API token",
                SignIn::Password => "Signing in with email and password",
            })),
            _ => Ok(()),
        }
    }

    /// Turning "start at login" off, where the policy keeps it on: refused.
    pub fn check_start_at_login(&self, enabled: bool) -> Result<(), Error> {
        if !enabled && self.policy.start_at_login == Some(true) {
            return Err(refused("Turning off “Start at login”"));
        }
        Ok(())
    }

    /// A sign-in from the window or `clickdial login`, before anything is sent or saved.
    pub fn check_form(&self, form: &crate::accounts::AccountForm) -> Result<(), Error> {
        self.check_server(&form.server()?, "Signing in to")?;
        self.check_sign_in(form.sign_in)
    }
}

/// Reads the policy from `source`. Never fails: a broken policy is a [`PolicyState`] too.
pub fn load(source: &PolicySource) -> PolicyState {
    match source {
        PolicySource::File(path) => load_file(path),
        #[cfg(windows)]
        PolicySource::System => windows::load(),
        #[cfg(target_os = "macos")]
        PolicySource::System => macos::load(),
        #[cfg(not(any(windows, target_os = "macos")))]
        PolicySource::System => load_file(std::path::Path::new(POLICY_FILE)),
    }
}

fn load_file(path: &std::path::Path) -> PolicyState {
    use std::io::Read;
    let from = path.display().to_string();
    let mut bytes = Vec::new();
    let read = std::fs::File::open(path).and_then(|f| f.take(MAX_FILE + 1).read_to_end(&mut bytes));
    match read {
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return PolicyState::default(),
        Err(e) => {
            return PolicyState::broken(
                from.clone(),
                format!("The policy file {from} could not be read ({e})."),
            )
        }
        Ok(_) if bytes.len() as u64 > MAX_FILE => {
            return PolicyState::broken(
                from.clone(),
                format!("The policy file {from} is larger than a policy can be (1 MB)."),
            )
        }
        Ok(_) => {}
    }
    let Ok(text) = String::from_utf8(bytes) else {
        return PolicyState::broken(
            from.clone(),
            format!("The policy file {from} is not text (UTF-8)."),
        );
    };
    parse_toml(&text, &from)
}

#[cfg(test)]
mod tests;
