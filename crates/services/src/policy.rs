//! The fleet policy: what an administrator locks on every desk, read-only to the agent.
//!
//! Read from a fixed place no environment variable can move or hide (an agent could otherwise
//! escape it): [`POLICY_FILE`] (TOML) on Linux and macOS, `HKLM\Software\Policies\Clickdial`
//! ([`POLICY_KEY`]; lists as `REG_MULTI_SZ`, booleans as `REG_DWORD`) on Windows. Tests and
//! debug builds pass another file through [`PolicySource`] in the application's options.
//!
//! Fail closed: a policy that cannot be read or parsed is [`PolicyState::broken`], and the
//! application refuses to dial or sign in until it is fixed (the message names the file and
//! the line). An unknown key is a warning. The policy holds no secret; the app never writes it.
//! The rules are applied by the application object (`app::policy`), once for every front end.

use std::path::PathBuf;

use clickdial_core::settings::{provider, SignIn, MAX_HISTORY_DAYS};
use clickdial_core::types::{BaseUrl, CallerIdValue};
use serde::Serialize;

use crate::{Code, Error};

#[cfg(windows)]
mod windows;

/// The policy file on Linux and macOS. Fixed: no environment variable moves it.
pub const POLICY_FILE: &str = "/etc/clickdial/policy.toml";

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

/// `after_call` (read by the after-call hand-off): where a saved wrap-up goes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase", tag = "kind", content = "url")]
pub enum AfterCall {
    /// `POST` the wrap-up event's JSON to this address.
    Post(String),
    /// Open this link template (it has `{placeholders}`) in the browser.
    Open(String),
}

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
        #[cfg(not(windows))]
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

/// A value as a policy source gives it: TOML's, or the registry's.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Raw {
    Bool(bool),
    Int(i64),
    Str(String),
    List(Vec<Raw>),
    /// Anything else (a table, a date, a float): never a valid policy value.
    Other(&'static str),
}

/// Parses policy text in TOML; `from` names the file in messages.
pub fn parse_toml(text: &str, from: &str) -> PolicyState {
    let line_of = |at: usize| text[..at.min(text.len())].matches('\n').count() + 1;
    let table: std::collections::BTreeMap<String, toml::Spanned<toml::Value>> =
        match toml::from_str(text) {
            Ok(t) => t,
            Err(e) => {
                let line = e
                    .span()
                    .map(|s| format!(" at line {}", line_of(s.start)))
                    .unwrap_or_default();
                let why = e.message().trim().trim_end_matches('.').to_string();
                return PolicyState::broken(
                    from.to_string(),
                    format!("The policy file {from} could not be read{line}: {why}."),
                );
            }
        };
    let entries = table.into_iter().map(|(key, value)| {
        let line = line_of(value.span().start);
        (key, raw_of(value.into_inner()), Some(line))
    });
    interpret(entries, from)
}

fn raw_of(v: toml::Value) -> Raw {
    match v {
        toml::Value::Boolean(b) => Raw::Bool(b),
        toml::Value::Integer(i) => Raw::Int(i),
        toml::Value::String(s) => Raw::Str(s),
        toml::Value::Array(a) => Raw::List(a.into_iter().map(raw_of).collect()),
        toml::Value::Float(_) => Raw::Other("a decimal number"),
        toml::Value::Datetime(_) => Raw::Other("a date"),
        toml::Value::Table(_) => Raw::Other("a table"),
    }
}

/// The policy from its keys and values (each with its line, when the source has lines).
pub(crate) fn interpret(
    entries: impl IntoIterator<Item = (String, Raw, Option<usize>)>,
    from: &str,
) -> PolicyState {
    let mut state = PolicyState {
        from: Some(from.to_string()),
        ..PolicyState::default()
    };
    for (key, raw, line) in entries {
        let at = match line {
            Some(l) => format!("{from}, line {l}"),
            None => format!("{from}, value {key}"),
        };
        if let Err(why) = set(&mut state.policy, &key, raw) {
            return PolicyState::broken(
                from.to_string(),
                format!("The policy in {at} could not be used: {why}."),
            );
        }
        if !KEYS.contains(&key.as_str()) {
            state.warnings.push(format!(
                "The policy in {at} has a key Clickdial does not know, \"{}\"; it is ignored.",
                clickdial_core::sanitize::clean_text(&key, 40)
            ));
        }
    }
    state
}

fn kind(raw: &Raw) -> &'static str {
    match raw {
        Raw::Bool(_) => "true or false",
        Raw::Int(_) => "a number",
        Raw::Str(_) => "text",
        Raw::List(_) => "a list",
        Raw::Other(k) => k,
    }
}

fn boolean(key: &str, raw: Raw) -> Result<bool, String> {
    match raw {
        Raw::Bool(b) => Ok(b),
        // The registry's REG_DWORD.
        Raw::Int(0) => Ok(false),
        Raw::Int(1) => Ok(true),
        other => Err(format!("{key} must be true or false, not {}", kind(&other))),
    }
}

fn text(key: &str, raw: Raw) -> Result<String, String> {
    match raw {
        Raw::Str(s) if !s.trim().is_empty() => Ok(s.trim().to_string()),
        Raw::Str(_) => Err(format!("{key} is empty")),
        other => Err(format!("{key} must be text, not {}", kind(&other))),
    }
}

fn list(key: &str, raw: Raw) -> Result<Vec<Raw>, String> {
    match raw {
        Raw::List(l) => Ok(l),
        // One value written alone (a REG_SZ, or a TOML string).
        one @ (Raw::Str(_) | Raw::Int(_)) => Ok(vec![one]),
        other => Err(format!("{key} must be a list, not {}", kind(&other))),
    }
}

fn shortcut(key: &str, raw: Raw) -> Result<Shortcut, String> {
    match raw {
        Raw::Bool(false) | Raw::Int(0) => Ok(Shortcut::Off),
        Raw::Str(s) => match clickdial_core::shortcut::normalize(&s) {
            Some(keys) => Ok(Shortcut::Keys(keys)),
            None => Err(format!(
                "{key}: \"{}\" is not a shortcut; write it like \"ctrl+alt+d\", or false",
                clickdial_core::sanitize::clean_text(&s, 40)
            )),
        },
        other => Err(format!(
            "{key} must be a shortcut such as \"Ctrl+Alt+D\", or false, not {}",
            kind(&other)
        )),
    }
}

/// An https address, or plain http to this machine; `{placeholders}` allowed.
fn address(key: &str, s: &str) -> Result<String, String> {
    let mut bare = String::new();
    let mut depth = 0;
    for c in s.chars() {
        match c {
            '{' => depth += 1,
            '}' if depth > 0 => {
                depth -= 1;
                if depth == 0 {
                    bare.push('x');
                }
            }
            _ if depth == 0 => bare.push(c),
            _ => {}
        }
    }
    // The query is the template's business; the server is checked as a server address is.
    let server = bare.split(['?', '#']).next().unwrap_or_default();
    clickdial_core::settings::validate_base_url(server)
        .map(|_| s.to_string())
        .map_err(|e| format!("{key}: {e}"))
}

fn set(p: &mut Policy, key: &str, raw: Raw) -> Result<(), String> {
    match key {
        "server" => {
            let s = text(key, raw)?;
            p.server = Some(match provider(&s.to_ascii_lowercase()) {
                Some(preset) => LockedServer {
                    provider: Some(preset.id.to_string()),
                    base_url: BaseUrl::parse(preset.base_url)?,
                },
                None => LockedServer {
                    provider: None,
                    base_url: BaseUrl::parse(&s).map_err(|e| {
                        format!("server must be servetel, smartflo, acefone, acefone-uk or a server address: {e}")
                    })?,
                },
            });
        }
        "sign_in" => {
            p.sign_in = Some(match text(key, raw)?.to_ascii_lowercase().as_str() {
                "token" => SignInRule::Token,
                "password" => SignInRule::Password,
                "any" => SignInRule::Any,
                other => {
                    return Err(format!(
                        "sign_in must be \"token\", \"password\" or \"any\", not \"{}\"",
                        clickdial_core::sanitize::clean_text(other, 20)
                    ))
                }
            })
        }
        "allow_environment_token" => p.allow_environment_token = Some(boolean(key, raw)?),
        "caller_ids" => {
            let mut ids = Vec::new();
            for item in list(key, raw)? {
                let written = match item {
                    Raw::Str(s) => s.trim().to_string(),
                    Raw::Int(i) => i.to_string(),
                    other => return Err(format!("caller_ids holds {}", kind(&other))),
                };
                CallerIdValue::parse(&written)?;
                ids.push(AllowedCallerId {
                    key: caller_key(&written),
                    written,
                });
            }
            p.caller_ids = Some(ids);
        }
        "links_without_asking" => p.links_without_asking = Some(boolean(key, raw)?),
        "history_days" => {
            p.history_days = Some(match raw {
                Raw::Int(d) if (1..=i64::from(MAX_HISTORY_DAYS)).contains(&d) => d as u32,
                other => {
                    return Err(format!(
                    "history_days must be a number of days from 1 to {MAX_HISTORY_DAYS}, not {}",
                    match other {
                        Raw::Int(d) => d.to_string(),
                        o => kind(&o).to_string(),
                    }
                ))
                }
            })
        }
        "notifications" => p.notifications = Some(boolean(key, raw)?),
        "hotkey" => p.hotkey = Some(shortcut(key, raw)?),
        "hangup_hotkey" => p.hangup_hotkey = Some(shortcut(key, raw)?),
        "start_at_login" => p.start_at_login = Some(boolean(key, raw)?),
        "demo" => p.demo = Some(boolean(key, raw)?),
        "dispositions" => {
            let mut names = Vec::new();
            for item in list(key, raw)? {
                let name = text("each of dispositions", item)?;
                names.push(clickdial_core::sanitize::clean_text(&name, 40));
            }
            if names.is_empty() || names.len() > 9 {
                return Err("dispositions must list 1 to 9 names".to_string());
            }
            p.dispositions = Some(names);
        }
        "after_call" => {
            let s = text(key, raw)?;
            let url = address(key, &s)?;
            p.after_call = Some(if s.contains('{') {
                AfterCall::Open(url)
            } else {
                AfterCall::Post(url)
            });
        }
        // Unknown: a warning, given by the caller.
        _ => {}
    }
    Ok(())
}

#[cfg(test)]
mod tests;
