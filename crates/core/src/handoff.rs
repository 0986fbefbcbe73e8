//! The after-call hand-off's rule (issue 27, item 3): where a saved wrap-up goes, checked the
//! same way for the agent's setting and the organization's policy, and a link template rendered
//! from a wrap-up event. No I/O: sending and opening live in the services crate.
//!
//! A target is an address Clickdial `POST`s the wrap-up event's JSON to, or a link template
//! (`https://crm.example.com/log?phone={e164}&ref={ref_id}`) opened in the browser. Either is
//! https, or plain http to this machine only, without user info (the rule API servers follow,
//! `settings::web_address_rule`). A template's server is written out (never a placeholder),
//! and every placeholder's value is percent-encoded whole, so a note cannot add a parameter,
//! end the query or change the path.

use serde::{Deserialize, Serialize};
use serde_json::Value;

/// The placeholders a link template may use, as `{name}`.
pub const PLACEHOLDERS: [&str; 12] = [
    "e164",
    "number",
    "ref_id",
    "call_id",
    "outcome",
    "disposition",
    "note",
    "agent",
    "agent_name",
    "caller_id",
    "talk_seconds",
    "started_at",
];

/// The longest address or template kept.
pub const MAX_TARGET: usize = 2000;

/// Where a saved wrap-up goes. Serialized as `{"kind":"post"|"open","url":"…"}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", tag = "kind", content = "url")]
pub enum Target {
    /// `POST` the wrap-up event's JSON to this address.
    Post(String),
    /// Open this link template (it may have `{placeholders}`) in the browser.
    Open(String),
}

/// One piece of a template.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Piece<'a> {
    Text(&'a str),
    Placeholder(&'a str),
}

impl Target {
    /// The agent's choice: `kind` `post` or `open`, and the address or template, checked.
    pub fn new(kind: &str, text: &str) -> Result<Target, String> {
        let text = text.trim().to_string();
        let target = match kind.trim().to_ascii_lowercase().as_str() {
            "post" => Target::Post(text),
            "open" => Target::Open(text),
            other => {
                return Err(format!(
                    "“{}” is not a kind of hand-off: choose post or open.",
                    crate::sanitize::clean_text(other, 20)
                ))
            }
        };
        target.check()?;
        Ok(target)
    }

    /// The policy's one string: a link template when it has a `{placeholder}`, else an address
    /// to `POST` to; checked.
    pub fn from_text(text: &str) -> Result<Target, String> {
        let kind = if text.contains('{') { "open" } else { "post" };
        Target::new(kind, text)
    }

    /// The address or the template, as written.
    pub fn url(&self) -> &str {
        match self {
            Target::Post(u) | Target::Open(u) => u,
        }
    }

    /// The target as shown to someone who may not see its query (it may carry the CRM's
    /// token): the address up to its query, then `?…` if it had one.
    pub fn without_secrets(&self) -> Target {
        let url = self.url();
        let bare = without_query(url);
        let shown = if bare.len() < url.len() {
            format!("{bare}?…")
        } else {
            bare
        };
        match self {
            Target::Post(_) => Target::Post(shown),
            Target::Open(_) => Target::Open(shown),
        }
    }

    /// Checks the target; the message says what is wrong and how to write it.
    pub fn check(&self) -> Result<(), String> {
        let text = self.url();
        if text.is_empty() {
            return Err(
                "Write the address of your CRM, for example https://crm.example.com/calls.".into(),
            );
        }
        if text.len() > MAX_TARGET || text.chars().any(char::is_control) {
            return Err("That address is too long, or is more than one line.".into());
        }
        let bare = match self {
            Target::Post(u) if u.contains('{') || u.contains('}') => {
                return Err(
                    "An address to send to has no {placeholders}: for a link template, choose \
                     “Open a link”."
                        .into(),
                )
            }
            Target::Post(u) => u.clone(),
            Target::Open(t) => {
                let pieces = pieces(t)?;
                server_has_no_placeholder(t)?;
                pieces
                    .iter()
                    .map(|p| match p {
                        Piece::Text(s) => *s,
                        Piece::Placeholder(_) => "x",
                    })
                    .collect()
            }
        };
        let shown = without_query(text);
        let parsed = reqwest::Url::parse(&bare).map_err(|_| {
            format!("“{shown}” is not a web address; for example https://crm.example.com/calls.")
        })?;
        crate::settings::web_address_rule(&parsed, &shown, "https://crm.example.com/calls").map_err(
            |e| {
                e.unwrap_or_else(|| {
                    format!(
                        "“{shown}” is not an address Clickdial sends to (no user name or \
                         password in it); for example https://crm.example.com/calls."
                    )
                })
            },
        )
    }

    /// The server's name, for messages (never the query, which may hold a token).
    pub fn host(&self) -> String {
        reqwest::Url::parse(&without_query(self.url()).replace(['{', '}'], ""))
            .ok()
            .and_then(|u| u.host_str().map(str::to_string))
            .unwrap_or_else(|| "your CRM".to_string())
    }
}

/// `text` up to its query or fragment (which may hold a token): what messages show.
pub fn without_query(text: &str) -> String {
    text.split(['?', '#'])
        .next()
        .unwrap_or_default()
        .to_string()
}

/// A template's pieces; an unknown placeholder or an unpaired brace is refused, by name.
fn pieces(template: &str) -> Result<Vec<Piece<'_>>, String> {
    let mut out = Vec::new();
    let mut rest = template;
    while !rest.is_empty() {
        let open = rest.find('{');
        let close = rest.find('}');
        match (open, close) {
            (_, Some(c)) if open.is_none_or(|o| c < o) => {
                return Err("The link template has a } without its {.".into())
            }
            (None, _) => {
                out.push(Piece::Text(rest));
                break;
            }
            (Some(o), _) => {
                out.push(Piece::Text(&rest[..o]));
                let after = &rest[o + 1..];
                let end = after
                    .find('}')
                    .ok_or("The link template has a { without its }.")?;
                let name = &after[..end];
                if name.contains('{') {
                    return Err("The link template has a { without its }.".into());
                }
                if !PLACEHOLDERS.contains(&name) {
                    return Err(format!(
                        "The link template has {{{}}}, which Clickdial does not know. Use {}.",
                        crate::sanitize::clean_text(name, 30),
                        PLACEHOLDERS.map(|p| format!("{{{p}}}")).join(", ")
                    ));
                }
                out.push(Piece::Placeholder(name));
                rest = &after[end + 1..];
            }
        }
    }
    Ok(out)
}

/// The scheme and server of a template are written out: a placeholder there could send the
/// agent's browser anywhere.
fn server_has_no_placeholder(template: &str) -> Result<(), String> {
    let (scheme, after) = template.split_once("://").unwrap_or(("", template));
    let server = after.split(['/', '?', '#']).next().unwrap_or_default();
    if scheme.contains('{') || server.contains('{') {
        return Err(
            "The link template's server must be written out (a {placeholder} may only be in \
             its path or query)."
                .into(),
        );
    }
    Ok(())
}

/// Percent-encodes everything but the unreserved characters (`A–Z a–z 0–9 - . _ ~`), so a value
/// can stand anywhere in a path or query without changing its shape.
pub fn encode(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for b in value.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// The value of placeholder `name` for a wrap-up `event` (its published JSON form), unencoded;
/// empty when the event has none.
pub fn value(event: &Value, name: &str) -> String {
    let call = &event["call"];
    let text = |v: &Value| match v {
        Value::String(s) => s.clone(),
        Value::Null => String::new(),
        other => other.to_string(),
    };
    match name {
        "e164" => text(&call["number"]),
        "number" => {
            let e164 = text(&call["number"]);
            crate::Number::parse(&e164, crate::Region::default())
                .map(|n| n.national().to_string())
                .unwrap_or(e164)
        }
        "ref_id" => text(&call["reference"]),
        "call_id" => text(&call["callId"]),
        "outcome" => text(&call["outcome"]),
        "disposition" => text(&event["disposition"]),
        "note" => text(&event["note"]),
        "agent" => text(&call["agent"]),
        "agent_name" => text(&call["agentName"]),
        "caller_id" => text(&call["callerId"]),
        "talk_seconds" => text(&call["talkSeconds"]),
        "started_at" => call["placedAtMs"]
            .as_i64()
            .map(|ms| {
                let t = crate::clock::format_ist(ms.div_euclid(1000));
                format!("{}T{}+05:30", &t[..10], &t[11..19])
            })
            .unwrap_or_default(),
        _ => String::new(),
    }
}

/// A placeholder's value as it goes into a link: percent-encoded ([`encode`]); a value of only
/// dots (`.`, `..`) is left out, since a browser takes it as a step in the path.
fn in_link(value: &str) -> String {
    if !value.is_empty() && value.bytes().all(|b| b == b'.') {
        return String::new();
    }
    encode(value)
}

/// The link a template gives for a wrap-up `event`: each placeholder replaced by its value,
/// percent-encoded ([`in_link`]). The template is checked first; its own text (a space, a
/// letter beyond ASCII) comes out written as a browser sends it.
pub fn render(template: &str, event: &Value) -> Result<String, String> {
    Target::Open(template.to_string()).check()?;
    let rendered: String = pieces(template)?
        .into_iter()
        .map(|p| match p {
            Piece::Text(s) => s.to_string(),
            Piece::Placeholder(name) => in_link(&value(event, name)),
        })
        .collect();
    reqwest::Url::parse(&rendered)
        .map(|u| u.to_string())
        .map_err(|_| "The link template does not make a web address.".to_string())
}

#[cfg(test)]
mod tests;
