//! `clickdial history`: calls placed from this computer, newest first, within the history the
//! agent keeps (the application's retention rule, as in the window).

use clickdial_services::ledger::{wall_clock_ms, CallRow, CallState, HistoryQuery};

use crate::app::{files, open_app, tell_notices};
use crate::words::{international, table};
use crate::{invalid, Failure};

/// `YYYY-MM-DD` (midnight, India time) or an age such as `7d` / `12h`, as Unix ms.
fn parse_since(text: &str, now_ms: i64) -> Result<i64, Failure> {
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

pub(crate) fn history(
    since: Option<String>,
    number: Option<String>,
    limit: usize,
    json: bool,
    csv: bool,
) -> Result<String, Failure> {
    let files = files()?;
    let since_ms = since
        .as_deref()
        .map(|s| parse_since(s, wall_clock_ms()))
        .transpose()?;
    let app = open_app(&files);
    tell_notices(&app);
    let rows = app.history(&HistoryQuery {
        digits: number,
        since_ms,
        limit: limit.clamp(1, 1_000_000),
        ..HistoryQuery::default()
    })?;
    if json {
        return Ok(serde_json::to_string_pretty(&rows).unwrap_or_default());
    }
    if csv {
        return Ok(clickdial_services::ledger::csv(&rows));
    }
    if rows.is_empty() {
        return Ok("No calls.".into());
    }
    let table_rows: Vec<[String; 5]> = rows
        .iter()
        .map(|r| {
            [
                clickdial_core::clock::format_ist(r.created_at_ms / 1000)[..16].to_string(),
                international(&r.e164),
                r.agent.clone(),
                outcome_words(r),
                r.ref_id.clone().unwrap_or_default(),
            ]
        })
        .collect();
    Ok(table(
        ["TIME (IST)", "NUMBER", "AGENT", "OUTCOME", "REFERENCE"],
        &table_rows,
    ))
}

fn outcome_words(r: &CallRow) -> String {
    match (r.outcome, r.state) {
        (Some(clickdial_core::api::Outcome::Answered), _) => match r.talk_s {
            Some(t) => format!("answered {}:{:02}", t / 60, t % 60),
            None => "answered".into(),
        },
        (Some(o), _) => o.describe().to_lowercase(),
        (None, CallState::Queued) => "queued".into(),
        (None, CallState::NotPlaced) => "not placed".into(),
        (None, CallState::Pending) => "being placed".into(),
        (None, CallState::Unknown) => "may have been placed".into(),
    }
}
