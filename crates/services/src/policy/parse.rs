//! Reading a policy: TOML text (with the line of every value) or the registry's values, into
//! a [`Policy`]; a wrong value makes the whole policy broken, an unknown key is a warning.

use clickdial_core::settings::{provider, MAX_HISTORY_DAYS};
use clickdial_core::types::{BaseUrl, CallerIdValue};

use super::{
    caller_key, AfterCall, AllowedCallerId, LockedServer, Policy, PolicyState, Shortcut,
    SignInRule, KEYS,
};

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
                names.push(text("each of dispositions", item)?);
            }
            p.dispositions = Some(
                super::clean_dispositions(&names)
                    .ok_or_else(|| "dispositions must list 1 to 9 names".to_string())?,
            );
        }
        "after_call" => {
            let s = text(key, raw)?;
            p.after_call = Some(AfterCall::from_text(&s).map_err(|e| format!("{key}: {e}"))?);
        }
        // Unknown: a warning, given by the caller.
        _ => {}
    }
    Ok(())
}

/// A list's items: each string of the `REG_MULTI_SZ`, split again at `[~]`, MSI's list
/// separator, which an MSI property given on the `msiexec` command line keeps as written
/// (`CALLER_IDS="080650 00101[~]080650 00102"`). Empty items are dropped.
#[cfg_attr(not(windows), allow(dead_code))]
pub(super) fn list_items(strings: Vec<String>) -> Vec<String> {
    strings
        .iter()
        .flat_map(|s| s.split("[~]"))
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_string)
        .collect()
}
