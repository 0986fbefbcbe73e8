//! `clickdial handler`: which app opens tel: and callto: links; `clickdial autostart`: start at
//! login.

use clickdial_services::handler::{Desktop, HandlerStatus};
use clickdial_services::Error;

use crate::{Failure, HandlerAction};

pub(crate) fn handler(action: HandlerAction) -> Result<String, Failure> {
    if let HandlerAction::BrowserPolicy {
        origin,
        browser,
        install,
    } = action
    {
        return browser_policy(&origin, &browser, install);
    }
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
        HandlerAction::BrowserPolicy { .. } => unreachable!("answered above"),
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

/// `clickdial handler browser-policy`: the policy JSON on standard output (a file an admin can
/// use as it is), and where it goes on standard error; with `--install`, written there.
fn browser_policy(origins: &[String], browser: &str, install: bool) -> Result<String, Failure> {
    use clickdial_services::handler::browser;
    let program = clickdial_services::process::sibling("clickdial");
    let prepared = browser::prepare(browser, origins, &program)?;
    let folder = prepared.folder;
    if install {
        if !prepared.installable {
            return Err(Failure::from(Error::invalid(format!(
                "On this system {} reads its policy from {folder}: set it there (Group Policy or \
                 a configuration profile) with the JSON `clickdial handler browser-policy` prints.",
                prepared.browser
            ))));
        }
        let browser = browser::Browser::parse(browser)?;
        let path = browser::install_into(browser, std::path::Path::new(folder), &prepared.policy)?;
        return Ok(format!(
            "Wrote {}. Restart {} for it to take effect.",
            path.display(),
            prepared.browser
        ));
    }
    eprintln!(
        "clickdial: {} reads this as {} in {folder}; `--install` writes it there (as root), or \
         give it to your administrator.",
        prepared.browser, prepared.file_name
    );
    Ok(prepared.text)
}

/// `clickdial autostart [on|off]`: the login item the window's Settings also change.
pub(crate) fn autostart(state: Option<&str>, json: bool) -> Result<String, Failure> {
    #[cfg(any(windows, target_os = "linux"))]
    {
        use clickdial_services::autostart;
        let on = match state {
            Some(s) => {
                // Kept on by the organization's policy: turning it off is refused (exit 7).
                clickdial_services::policy::load(
                    &clickdial_services::policy::PolicySource::for_this_build(),
                )
                .check_start_at_login(s == "on")?;
                autostart::set(s == "on")?
            }
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
