//! `clickdial events` and `clickdial note`: the call events other programs read (one JSON object
//! per line, the schema in the README), and the agent's wrap-up of a call.

use std::io::Write;
use std::time::Duration;

use clickdial_services::app::WrapUp;
use clickdial_services::ledger::{wall_clock_ms, Watch, DEMO_PREFIX};
use clickdial_services::Error;

use crate::app::{files, open_app, tell_notices};
use crate::history::parse_since;
use crate::words::agent_words;
use crate::{invalid, Failure};

/// How many events are read at a time.
const PAGE: usize = 500;

/// How long `--follow` waits for a change notification before it looks anyway.
const LOOK_ANYWAY: Duration = Duration::from_secs(5);

pub(crate) fn events(since: Option<String>, follow: bool) -> Result<String, Failure> {
    let files = files()?;
    let app = open_app(&files);
    tell_notices(&app);
    let ledger = app.dialer()?.ledger().clone();
    let now = wall_clock_ms();
    // Where to start: after a call's dial (a reference), from a date or an age, from the
    // beginning, or (following, with no --since) from now on.
    let (mut seq, since_ms) = match since.as_deref().map(str::trim) {
        None if follow => (ledger.last_event().map_err(Error::from)?, None),
        None => (0, None),
        Some(s) => match parse_since(s, now) {
            Ok(ms) => (0, Some(ms)),
            Err(not_a_date) => {
                let call = ledger
                    .find(s, now)
                    .map_err(Error::from)?
                    .ok_or(not_a_date)?;
                (
                    ledger
                        .before_events_of(call.id)
                        .map_err(Error::from)?
                        .unwrap_or(i64::MAX),
                    None,
                )
            }
        },
    };
    let watch = follow.then(|| Watch::new(&files.dir));
    let mut names = app.agent_names();
    let mut out = std::io::stdout().lock();
    loop {
        let page = ledger
            .events_after(seq, since_ms, PAGE, wall_clock_ms())
            .map_err(Error::from)?;
        for event in &page.events {
            // The demo's calls are not the account's: other programs never see them.
            if event.call.account.starts_with(DEMO_PREFIX) {
                continue;
            }
            if event.call.agent.is_empty() || !names.contains_key(&event.call.agent) {
                names = app.agent_names();
            }
            // A reader that went away ends the command, quietly.
            if writeln!(out, "{}", event.to_json(&names)).is_err() {
                return Ok(String::new());
            }
        }
        seq = page.last_seq;
        let _ = out.flush();
        if page.full {
            continue;
        }
        match &watch {
            Some(w) => w.wait(LOOK_ANYWAY),
            None => return Ok(String::new()),
        }
    }
}

/// Saves the wrap-up, then hands it to the CRM at once (the after-call hand-off: bounded, it
/// may wait a few seconds) and says what came of it. The note is saved either way: exit 0.
pub(crate) async fn note(
    reference: Option<String>,
    disposition: Option<String>,
    text: Option<String>,
    json: bool,
    no_open: bool,
) -> Result<String, Failure> {
    let app = open_app(&files()?);
    tell_notices(&app);
    if disposition.is_none() && text.is_none() {
        let listed: Vec<String> = app
            .dispositions()
            .iter()
            .enumerate()
            .map(|(i, d)| format!("  {} {d}", i + 1))
            .collect();
        return Err(invalid(format!(
            "Give --disposition (a name or its number) and/or --text. The dispositions:\n{}",
            listed.join("\n")
        )));
    }
    let row = app.wrap_up(&WrapUp {
        id: None,
        reference,
        disposition,
        note: text,
        replace: false,
    })?;
    // A link is opened only where there is a desktop to open it on.
    let open = !no_open && has_display();
    let handoff = match app.hand_off(row.id, open).await {
        Ok(d) => d,
        // The note is saved: a hand-off that could not even start is said, not fatal.
        Err(e) => Some(clickdial_services::app::Delivery {
            kind: "post",
            delivered: false,
            message: format!("Not delivered to your CRM: {}", e.message),
            reason: Some(e.message),
            link: None,
        }),
    };
    if json {
        let row = app
            .dialer()?
            .ledger()
            .get(row.id, wall_clock_ms())
            .map_err(Error::from)?
            .unwrap_or(row);
        return Ok(serde_json::to_string_pretty(&serde_json::json!({
            "call": row,
            "handoff": handoff,
        }))
        .unwrap_or_default());
    }
    let names = app.agent_names();
    let what = match (&row.disposition, &row.note) {
        (Some(d), Some(n)) => format!("{d} · {n}"),
        (Some(d), None) => d.clone(),
        (None, Some(n)) => n.clone(),
        (None, None) => String::new(),
    };
    let mut out = format!(
        "Saved for the call to {} ({}): {what}",
        clickdial_services::ledger::display_number(&row.e164),
        agent_words(&row.agent, names.get(&row.agent).map(String::as_str))
    );
    if let Some(d) = handoff {
        out.push('\n');
        out.push_str(&d.message);
    }
    Ok(out)
}

/// Whether a browser can be opened here: a graphical session (Linux: X11 or Wayland).
fn has_display() -> bool {
    if cfg!(target_os = "linux") {
        ["DISPLAY", "WAYLAND_DISPLAY"]
            .iter()
            .any(|v| std::env::var_os(v).is_some_and(|s| !s.is_empty()))
    } else {
        true
    }
}
