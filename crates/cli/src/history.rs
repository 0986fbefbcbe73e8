//! `clickdial history`: calls placed from this computer, newest first, within the history the
//! agent keeps (the application's retention rule, as in the window).

use std::path::{Path, PathBuf};

use clickdial_services::ledger::{status_words, wall_clock_ms, CallRow, HistoryQuery};

use crate::app::{files, open_app, tell_notices};
use crate::words::{international, table};
use crate::{invalid, Failure};

/// `YYYY-MM-DD` (midnight, India time) or an age such as `7d` / `12h`, as Unix ms.
pub(crate) fn parse_since(text: &str, now_ms: i64) -> Result<i64, Failure> {
    let t = text.trim();
    let age = |unit: char, secs: i64| {
        t.strip_suffix(unit)
            .and_then(|n| n.parse::<i64>().ok())
            .filter(|n| (0..=100_000).contains(n))
            .map(|n| now_ms - n * secs * 1000)
    };
    if let Some(ms) = age('d', 86_400).or_else(|| age('h', 3600)) {
        return Ok(ms);
    }
    clickdial_core::clock::parse_ist(&format!("{t} 00:00:00"))
        .map(|s| s * 1000)
        .ok_or_else(|| {
            invalid(format!(
                "--since {t}: give a date as YYYY-MM-DD, or an age such as 7d or 12h."
            ))
        })
}

/// Which calls `clickdial history` lists: digits of the number, or the window's search.
pub(crate) struct Filter {
    pub number: Option<String>,
    pub find: Option<String>,
}

pub(crate) fn history(
    since: Option<String>,
    filter: Filter,
    limit: usize,
    json: bool,
    csv: bool,
    output: Option<PathBuf>,
) -> Result<String, Failure> {
    let files = files()?;
    let since_ms = since
        .as_deref()
        .map(|s| parse_since(s, wall_clock_ms()))
        .transpose()?;
    let app = open_app(&files);
    tell_notices(&app);
    let query = HistoryQuery {
        digits: filter.number,
        since_ms,
        limit: limit.clamp(1, 1_000_000),
        ..HistoryQuery::default()
    };
    let rows = app.find_history(filter.find.as_deref().unwrap_or(""), query)?;
    let names = app.agent_names();
    let text = if json {
        serde_json::to_string_pretty(&rows).unwrap_or_default()
    } else if csv {
        clickdial_services::ledger::csv(&rows, &names)
    } else if rows.is_empty() {
        "No calls.".into()
    } else {
        let table_rows: Vec<[String; 6]> = rows
            .iter()
            .map(|r| {
                [
                    clickdial_core::clock::format_ist(r.created_at_ms / 1000)[..16].to_string(),
                    international(&r.e164),
                    names
                        .get(&r.agent)
                        .cloned()
                        .unwrap_or_else(|| r.agent.clone()),
                    outcome_words(r),
                    wrap_up_words(r),
                    r.ref_id.clone().unwrap_or_default(),
                ]
            })
            .collect();
        table(
            [
                "TIME (IST)",
                "NUMBER",
                "AGENT",
                "OUTCOME",
                "WRAP-UP",
                "REFERENCE",
            ],
            &table_rows,
        )
    };
    match output {
        None => Ok(text),
        Some(path) => {
            write_new(&path, &text)?;
            Ok(format!(
                "{} calls written to {}.",
                rows.len(),
                path.display()
            ))
        }
    }
}

/// Writes `text` to a new file at `path`, readable by its owner only; an existing file is
/// never replaced.
fn write_new(path: &Path, text: &str) -> Result<(), Failure> {
    use std::io::Write;
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let shown = path.display();
    let mut file = options.open(path).map_err(|e| {
        invalid(match e.kind() {
            std::io::ErrorKind::AlreadyExists => {
                format!("{shown} exists already; give another name (nothing was replaced).")
            }
            _ => format!("Could not create {shown}: {e}."),
        })
    })?;
    file.write_all(text.as_bytes())
        .and_then(|()| file.write_all(b"\n"))
        .map_err(|e| invalid(format!("Could not write {shown}: {e}.")))
}

/// A call's status, with its talk time when it was answered.
fn outcome_words(r: &CallRow) -> String {
    match (r.outcome, r.talk_s) {
        (Some(clickdial_core::api::Outcome::Answered), Some(t)) => {
            format!("answered {}:{:02}", t / 60, t % 60)
        }
        _ => status_words(r),
    }
}

/// The agent's wrap-up in a table cell: "Call back · Thursday 4 pm", the note cut at 40.
fn wrap_up_words(r: &CallRow) -> String {
    let note = r
        .note
        .as_deref()
        .map(|n| clickdial_core::sanitize::clean_text(n, 40));
    match (r.disposition.as_deref(), note) {
        (Some(d), Some(n)) => format!("{d} · {n}"),
        (Some(d), None) => d.to_string(),
        (None, Some(n)) => n,
        (None, None) => String::new(),
    }
}
