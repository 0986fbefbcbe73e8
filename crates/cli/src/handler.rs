//! `clickdial handler`: which app opens tel: and callto: links; `clickdial autostart`: start at
//! login.

use clickdial_services::handler::{Desktop, HandlerStatus};
use clickdial_services::Error;

use crate::{Failure, HandlerAction};

pub(crate) fn handler(action: HandlerAction) -> Result<String, Failure> {
    let desktop = Desktop::from_env()
        .ok_or_else(|| Failure::from(Error::internal("no home folder (is HOME set?)")))?;
    let exe = std::env::current_exe().map_err(|e| {
        Failure::from(Error::internal(format!(
            "could not tell where Clickdial is installed: {e}"
        )))
    })?;
    let (status, json) = match action {
        HandlerAction::Status { json } => (desktop.status(&exe), json),
        HandlerAction::Install { json } => (desktop.install(&exe)?, json),
    };
    Ok(if json {
        serde_json::to_string_pretty(&status).unwrap_or_default()
    } else {
        handler_text(&status)
    })
}

/// The handler doctor's answer, for a terminal.
fn handler_text(status: &HandlerStatus) -> String {
    let mut out = status.summary.clone();
    for s in &status.schemes {
        let handler = s.handler.as_deref().unwrap_or("(none)");
        out.push_str(&format!("\n  {:<8} {handler}", format!("{}:", s.scheme)));
        if let Some(gio) = &s.gio {
            out.push_str(&format!("  (gio: {gio})"));
        }
    }
    if let Some(advice) = &status.advice {
        out.push('\n');
        out.push_str(advice);
    }
    out
}

/// `clickdial autostart [on|off]`: the login item the window's Settings also change.
pub(crate) fn autostart(state: Option<&str>, json: bool) -> Result<String, Failure> {
    #[cfg(any(windows, target_os = "linux"))]
    {
        use clickdial_services::autostart;
        let on = match state {
            Some(s) => autostart::set(s == "on")?,
            None => autostart::enabled(),
        };
        Ok(if json {
            serde_json::json!({ "startAtLogin": on }).to_string()
        } else if on {
            "Clickdial starts at login.".to_string()
        } else {
            "Clickdial does not start at login.".to_string()
        })
    }
    #[cfg(not(any(windows, target_os = "linux")))]
    {
        let _ = (state, json);
        Err(crate::invalid(
            "Turn starting at login on or off in the app's Settings on this system.",
        ))
    }
}
