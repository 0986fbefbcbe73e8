//! `clickdial policy`: the organization's policy in force, and where it came from.

use clickdial_services::policy::{self, AfterCall, PolicySource, Shortcut, POLICY_FILE};
use serde_json::json;

use crate::Failure;

/// Where the system's policy lives, in words.
fn system_place() -> String {
    if cfg!(windows) {
        format!(r"HKEY_LOCAL_MACHINE\{}", policy::POLICY_KEY)
    } else if cfg!(target_os = "macos") {
        format!("{} and {POLICY_FILE}", policy::MANAGED_PREFERENCES)
    } else {
        POLICY_FILE.to_string()
    }
}

pub(crate) fn show(json_out: bool) -> Result<String, Failure> {
    let state = policy::load(&PolicySource::for_this_build());
    for w in &state.warnings {
        eprintln!("clickdial: {w}");
    }
    if let Some(e) = state.broken.clone() {
        return Err(Failure::from(e));
    }
    let p = &state.policy;
    if json_out {
        return Ok(json!({
            "managed": state.managed(),
            "from": state.from,
            "policy": p,
            "locked": p.locked_settings(),
            "warnings": state.warnings,
        })
        .to_string());
    }
    let Some(from) = &state.from else {
        return Ok(format!(
            "No policy: this computer is not managed (Clickdial looks in {}).",
            system_place()
        ));
    };
    let yes_no = |b: bool| if b { "true" } else { "false" };
    let shortcut = |s: &Shortcut| match s {
        Shortcut::Off => "false (off)".to_string(),
        Shortcut::Keys(k) => k.clone(),
    };
    let mut rows: Vec<(&str, String)> = Vec::new();
    if let Some(s) = &p.server {
        rows.push((
            "server",
            match &s.provider {
                Some(id) => format!("{id} ({})", s.base_url),
                None => s.base_url.to_string(),
            },
        ));
    }
    if let Some(s) = p.sign_in {
        rows.push(("sign_in", format!("{s:?}").to_lowercase()));
    }
    if let Some(b) = p.allow_environment_token {
        rows.push(("allow_environment_token", yes_no(b).into()));
    }
    if let Some(ids) = &p.caller_ids {
        let written: Vec<&str> = ids.iter().map(|c| c.written.as_str()).collect();
        rows.push(("caller_ids", written.join(", ")));
    }
    if let Some(b) = p.links_without_asking {
        rows.push(("links_without_asking", yes_no(b).into()));
    }
    if let Some(d) = p.history_days {
        rows.push(("history_days", format!("{d} (at most)")));
    }
    if let Some(b) = p.notifications {
        rows.push(("notifications", yes_no(b).into()));
    }
    if let Some(s) = &p.hotkey {
        rows.push(("hotkey", shortcut(s)));
    }
    if let Some(s) = &p.hangup_hotkey {
        rows.push(("hangup_hotkey", shortcut(s)));
    }
    if let Some(b) = p.start_at_login {
        rows.push(("start_at_login", yes_no(b).into()));
    }
    if let Some(b) = p.demo {
        rows.push(("demo", yes_no(b).into()));
    }
    if let Some(d) = &p.dispositions {
        rows.push(("dispositions", d.join(", ")));
    }
    if let Some(a) = &p.after_call {
        rows.push((
            "after_call",
            match a {
                AfterCall::Post(u) => format!("POST to {u}"),
                AfterCall::Open(t) => format!("open {t}"),
            },
        ));
    }
    let mut out = format!("Policy from {from}");
    if rows.is_empty() {
        out.push_str(": it sets nothing.");
    }
    for (key, value) in rows {
        out.push_str(&format!("\n  {key:<24}{value}"));
    }
    Ok(out)
}
