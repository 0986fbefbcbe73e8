//! Reading the ledger: recent calls, one call, history pages and searches, calls still to
//! follow, CSV export, and pruning by age; and what following a call learnt.

use std::collections::HashMap;
use std::fs;
use std::io;
use std::path::{Path, PathBuf};

use clickdial_core::api::Outcome;
use rusqlite::{params, OptionalExtension};

use super::guard::interrupted;
use super::{
    io_storage, server_forms, storage, CallRow, CallState, HistoryQuery, Ledger, LedgerError,
    Party, Progress, Source, INTERRUPTED_REASON,
};

pub(super) const SELECT_ROW: &str =
    "SELECT id, account, e164, ext, agent, caller_id, source, state, reason,
        ref_id, call_id, custom_identifier, message, created_at_ms, finished_at_ms, pid,
        outcome, duration_s, ended_at_ms, detail, recording, stage, disposition, note,
        handoff, handoff_reason, handoff_at_ms
    FROM calls";

impl Ledger {
    /// Newest first.
    ///
    /// Reading changes nothing: a pending row whose process is gone (or that is stale) reads as
    /// `Unknown` with [`INTERRUPTED_REASON`] until the next [`Ledger::begin`] records that.
    pub fn recent(&self, limit: usize, now_ms: i64) -> Result<Vec<CallRow>, LedgerError> {
        let conn = self.conn();
        let mut stmt = conn
            .prepare_cached(&format!(
                "{SELECT_ROW} ORDER BY created_at_ms DESC, id DESC LIMIT ?1"
            ))
            .map_err(storage)?;
        let limit = i64::try_from(limit).unwrap_or(i64::MAX);
        let rows = stmt
            .query_map([limit], |r| read_row(r, now_ms))
            .map_err(storage)?;
        rows.collect::<Result<Vec<_>, _>>().map_err(storage)
    }

    /// One call by its id, read like [`Ledger::recent`]; `None` if there is no such call.
    pub fn get(&self, id: i64, now_ms: i64) -> Result<Option<CallRow>, LedgerError> {
        let conn = self.conn();
        let mut stmt = conn
            .prepare_cached(&format!("{SELECT_ROW} WHERE id = ?1"))
            .map_err(storage)?;
        stmt.query_row([id], |r| read_row(r, now_ms))
            .optional()
            .map_err(storage)
    }

    /// Records what following the call `id` learnt. Fields left `None` keep their value. A call
    /// id found live proves a "may have been placed" call was placed: it becomes queued.
    pub fn record_progress(&self, id: i64, p: &Progress<'_>) -> Result<(), LedgerError> {
        let conn = self.conn();
        conn.prepare_cached(
            "UPDATE calls SET state = CASE WHEN ?2 IS NOT NULL AND state = 'unknown'
                                           THEN 'queued' ELSE state END,
                              call_id = COALESCE(?2, call_id), outcome = COALESCE(?3, outcome),
                              duration_s = COALESCE(?4, duration_s),
                              ended_at_ms = COALESCE(?5, ended_at_ms),
                              detail = COALESCE(?6, detail),
                              recording = CASE WHEN ?7 THEN 1 ELSE recording END,
                              stage_at_ms = CASE WHEN ?8 IS NOT NULL AND ?8 IS NOT stage
                                                 THEN ?9 ELSE stage_at_ms END,
                              stage = COALESCE(?8, stage)
             WHERE id = ?1",
        )
        .and_then(|mut s| {
            s.execute(params![
                id,
                p.call_id,
                p.outcome.map(Outcome::as_str),
                p.talk_s.map(|t| i64::try_from(t).unwrap_or(i64::MAX)),
                p.ended_at_ms,
                p.detail,
                p.recording,
                p.stage,
                p.at_ms,
            ])
        })
        .map_err(storage)?;
        Ok(())
    }

    /// History, newest first: every call from every entry point, filtered by number digits
    /// or by agent and caller ID (either matching, see [`HistoryQuery`]) and dates, one page
    /// at a time.
    pub fn history(&self, q: &HistoryQuery, now_ms: i64) -> Result<Vec<CallRow>, LedgerError> {
        let digits: Option<String> = q
            .digits
            .as_ref()
            .map(|d| d.chars().filter(char::is_ascii_digit).collect())
            .filter(|d: &String| !d.is_empty());
        // SQLite's `lower` folds ASCII letters only: the text is folded the same way, so
        // "RAVI" finds "Ravi" and an accented letter matches as written.
        let words: Option<String> = q
            .wrap_up_text
            .as_deref()
            .map(|w| w.trim().to_ascii_lowercase())
            .filter(|w| !w.is_empty());
        let names = !q.agents.is_empty() || !q.caller_ids.is_empty() || words.is_some();
        // `:demo`, whether the demo's calls are asked for: their account starts with "demo "
        // (`DEMO_PREFIX`, 5 characters).
        let within = "(:since IS NULL OR created_at_ms >= :since)
                      AND (:until IS NULL OR created_at_ms < :until)
                      AND (:before IS NULL OR id < :before)
                      AND (:demo IS NULL OR (substr(account, 1, 5) = 'demo ') = :demo)";
        // A number search scans the (e164, created_at_ms) index, a tenth of the table's size,
        // for the page's ids (`instr` can use no index, so this is the smallest scan there is),
        // then reads just those rows.
        let by_number = format!(
            "SELECT id FROM calls INDEXED BY calls_e164_created
             WHERE instr(e164, :digits) > 0 AND {within} ORDER BY id DESC LIMIT :limit"
        );
        // A name search walks the calls newest first and stops at a page: the agents and
        // caller IDs a name stands for are few, and a name is looked for among recent calls.
        // Its words also look in the wrap-ups (`instr`: the text is never a pattern).
        let wrapped = if words.is_some() {
            "OR instr(lower(disposition), :words) > 0 OR instr(lower(note), :words) > 0"
        } else {
            ""
        };
        let by_name = format!(
            "SELECT id FROM calls
             WHERE (agent IN (SELECT value FROM json_each(:agents))
                    OR caller_id IN (SELECT value FROM json_each(:callers)) {wrapped})
               AND {within} ORDER BY id DESC LIMIT :limit"
        );
        let sql = match (digits.is_some(), names) {
            (true, false) => format!("{SELECT_ROW} WHERE id IN ({by_number}) ORDER BY id DESC"),
            (false, true) => format!("{SELECT_ROW} WHERE id IN ({by_name}) ORDER BY id DESC"),
            (true, true) => format!(
                "{SELECT_ROW} WHERE id IN (SELECT id FROM ({by_number})
                                           UNION SELECT id FROM ({by_name}))
                 ORDER BY id DESC LIMIT :limit"
            ),
            (false, false) => format!("{SELECT_ROW} WHERE {within} ORDER BY id DESC LIMIT :limit"),
        };
        let conn = self.conn();
        let mut stmt = conn.prepare_cached(&sql).map_err(storage)?;
        let limit = i64::try_from(q.limit.max(1)).unwrap_or(i64::MAX);
        let agents = serde_json::to_string(&q.agents).unwrap_or_default();
        let callers = serde_json::to_string(&q.caller_ids).unwrap_or_default();
        let every: [(&str, &dyn rusqlite::ToSql); 9] = [
            (":words", &words),
            (":demo", &q.demo),
            (":digits", &digits),
            (":since", &q.since_ms),
            (":until", &q.until_ms),
            (":before", &q.before_id),
            (":limit", &limit),
            (":agents", &agents),
            (":callers", &callers),
        ];
        // Only the names this statement uses are bound.
        let bound: Vec<(&str, &dyn rusqlite::ToSql)> =
            every.into_iter().filter(|(n, _)| sql.contains(n)).collect();
        let rows = stmt
            .query_map(bound.as_slice(), |r| read_row(r, now_ms))
            .map_err(storage)?;
        rows.collect::<Result<Vec<_>, _>>().map_err(storage)
    }

    /// A value that changes whenever any connection, in any process, commits a change to the
    /// ledger: SQLite's `data_version` (other connections' commits) beside this connection's
    /// own changes. One pragma, no table read: cheap enough to ask every few seconds.
    pub fn change_stamp(&self) -> Result<(i64, u64), LedgerError> {
        let conn = self.conn();
        let version: i64 = conn
            .query_row("PRAGMA data_version", [], |r| r.get(0))
            .map_err(storage)?;
        Ok((version, conn.total_changes()))
    }

    /// This account's (this server's, the demo's calls or not) calls to a number, or ringing an agent, started in `[from_ms, to_ms)`
    /// whose end is not known (queued or may have been placed, with no outcome yet), newest
    /// first, at most 10. Read through an index that starts with the account and the number or
    /// the agent: its cost does not grow with history.
    pub fn unended_calls(
        &self,
        account: &str,
        party: Party<'_>,
        from_ms: i64,
        to_ms: i64,
        now_ms: i64,
    ) -> Result<Vec<CallRow>, LedgerError> {
        let (index, column, value) = match party {
            Party::Number(e164) => ("calls_account_e164_created", "e164", e164),
            Party::Agent(agent) => ("calls_account_agent_state", "agent", agent),
        };
        // The server's calls, the demo's or not: one server, one rule.
        let [plain, demo] = server_forms(account);
        let conn = self.conn();
        let mut stmt = conn
            .prepare_cached(&format!(
                "{SELECT_ROW} INDEXED BY {index}
                 WHERE account IN (?1, ?5) AND {column} = ?2
                   AND created_at_ms >= ?3 AND created_at_ms < ?4
                   AND state IN ('queued', 'unknown', 'pending')
                   AND outcome IS NULL AND ended_at_ms IS NULL
                 ORDER BY created_at_ms DESC LIMIT 10"
            ))
            .map_err(storage)?;
        let rows = stmt
            .query_map(params![plain, value, from_ms, to_ms, demo], |r| {
                read_row(r, now_ms)
            })
            .map_err(storage)?;
        let rows = rows.collect::<Result<Vec<_>, _>>().map_err(storage)?;
        Ok(rows
            .into_iter()
            .filter(|r| matches!(r.state, CallState::Queued | CallState::Unknown))
            .collect())
    }

    /// The newest call whose reference, call id or custom identifier is `reference`.
    pub fn find(&self, reference: &str, now_ms: i64) -> Result<Option<CallRow>, LedgerError> {
        let conn = self.conn();
        let mut stmt = conn
            .prepare_cached(&format!(
                "{SELECT_ROW} WHERE ref_id = ?1 OR call_id = ?1 OR custom_identifier = ?1
                 ORDER BY id DESC LIMIT 1"
            ))
            .map_err(storage)?;
        stmt.query_row([reference], |r| read_row(r, now_ms))
            .optional()
            .map_err(storage)
    }

    /// Queued calls since `since_ms` whose outcome was never learnt (placed while the app was
    /// closed, or followed by a process that stopped): for filling in from the call records.
    pub fn without_outcome(&self, since_ms: i64, now_ms: i64) -> Result<Vec<CallRow>, LedgerError> {
        let conn = self.conn();
        let mut stmt = conn
            .prepare_cached(&format!(
                "{SELECT_ROW} WHERE created_at_ms >= ?1 AND state = 'queued' AND outcome IS NULL
                 ORDER BY id DESC LIMIT 200"
            ))
            .map_err(storage)?;
        let rows = stmt
            .query_map([since_ms], |r| read_row(r, now_ms))
            .map_err(storage)?;
        rows.collect::<Result<Vec<_>, _>>().map_err(storage)
    }

    /// Writes the calls `q` finds (all of them, whatever `q.limit`) as CSV to a new file in
    /// `dir`, `clickdial-calls-<date>.csv` (`-2`, `-3`… when that exists; nothing is
    /// overwritten), readable by its owner only. Returns the file's path.
    pub fn export_csv(
        &self,
        q: &HistoryQuery,
        now_ms: i64,
        dir: &Path,
        names: &HashMap<String, String>,
    ) -> Result<PathBuf, LedgerError> {
        let all = HistoryQuery {
            limit: 10_000_000,
            ..q.clone()
        };
        let text = csv(&self.history(&all, now_ms)?, names);
        let date = clickdial_core::clock::format_ist(now_ms / 1000);
        let date = &date[..10];
        for n in 1..1000 {
            let name = if n == 1 {
                format!("clickdial-calls-{date}.csv")
            } else {
                format!("clickdial-calls-{date}-{n}.csv")
            };
            let path = dir.join(name);
            let mut options = fs::OpenOptions::new();
            options.write(true).create_new(true);
            #[cfg(unix)]
            {
                use std::os::unix::fs::OpenOptionsExt;
                options.mode(0o600);
            }
            match options.open(&path) {
                Ok(mut f) => {
                    use std::io::Write;
                    f.write_all(text.as_bytes())
                        .and_then(|()| f.write_all(b"\n"))
                        .map_err(|e| io_storage("could not write", &path, &e))?;
                    return Ok(path);
                }
                Err(e) if e.kind() == io::ErrorKind::AlreadyExists => continue,
                Err(e) => return Err(io_storage("could not create", &path, &e)),
            }
        }
        Err(LedgerError::Storage(format!(
            "{} has too many exports of today; move some away",
            dir.display()
        )))
    }

    /// Deletes calls that started before `before_ms` (the retention setting); how many went.
    /// Calls still pending are kept whatever their age.
    pub fn prune(&self, before_ms: i64) -> Result<usize, LedgerError> {
        let conn = self.conn();
        conn.prepare_cached("DELETE FROM calls WHERE created_at_ms < ?1 AND state != 'pending'")
            .and_then(|mut s| s.execute([before_ms]))
            .map_err(storage)
    }
}

/// How a call stands or ended, in one lower-case phrase: its outcome once known ("answered",
/// "busy"), else where it stands ("queued", "not placed", "may have been placed"). One column
/// in the CSV and in `clickdial history`, so a row never says "queued" beside "answered".
pub fn status_words(r: &CallRow) -> String {
    match (r.outcome, r.state) {
        (Some(o), _) => o.describe().to_lowercase(),
        (None, CallState::Queued) => "queued".into(),
        (None, CallState::NotPlaced) => "not placed".into(),
        (None, CallState::Pending) => "being placed".into(),
        (None, CallState::Unknown) => "may have been placed".into(),
    }
}

/// History as RFC 4180 CSV, times in IST (the platform's own zone), agents named as `names`
/// gives them. Phone numbers are written in their international form with spaces, so a
/// spreadsheet keeps them as text (a bare `+919876543210` becomes the number 919876543210).
/// Free text that a spreadsheet would run as a formula gets a leading `'`. A recording is
/// only said to exist; its address is never written.
pub fn csv(rows: &[CallRow], names: &HashMap<String, String>) -> String {
    fn cell(s: &str, text: bool) -> String {
        let s = if text && s.starts_with(['=', '+', '-', '@', '\t', '\r']) {
            format!("'{s}")
        } else {
            s.to_string()
        };
        if s.contains([',', '"', '\n', '\r']) {
            format!("\"{}\"", s.replace('"', "\"\""))
        } else {
            s
        }
    }
    let mut out = String::from(
        "time_ist,number,agent,agent_name,caller_id,source,status,talk_seconds,recording,reference,call_id,custom_identifier,detail,disposition,note",
    );
    for r in rows {
        // A caller ID that is a phone number is ours to write; anything else is the server's
        // text, defused like the rest.
        let (caller_id, raw) = match r.caller_id.as_deref().map(caller_id_number) {
            Some(Some(number)) => (number, false),
            _ => (r.caller_id.clone().unwrap_or_default(), true),
        };
        let fields = [
            cell(
                &clickdial_core::clock::format_ist(r.created_at_ms / 1000),
                false,
            ),
            cell(&super::display_number(&r.e164), false),
            cell(&r.agent, true),
            cell(
                names.get(&r.agent).map(String::as_str).unwrap_or_default(),
                true,
            ),
            cell(&caller_id, raw),
            cell(r.source.as_str(), false),
            cell(&status_words(r), false),
            r.talk_s.map(|t| t.to_string()).unwrap_or_default(),
            if r.has_recording { "yes" } else { "" }.to_string(),
            cell(r.ref_id.as_deref().unwrap_or_default(), true),
            cell(r.call_id.as_deref().unwrap_or_default(), true),
            cell(&r.custom_identifier, true),
            cell(
                r.detail
                    .as_deref()
                    .or(r.reason.as_deref())
                    .unwrap_or_default(),
                true,
            ),
            cell(r.disposition.as_deref().unwrap_or_default(), true),
            cell(r.note.as_deref().unwrap_or_default(), true),
        ];
        out.push('\n');
        out.push_str(&fields.join(","));
    }
    out
}

/// A caller ID (DID, as the account lists it: "918065000102") written as a phone number, when
/// it is one.
fn caller_id_number(did: &str) -> Option<String> {
    let did = did.trim();
    let plus = if did.starts_with('+') {
        did.to_string()
    } else {
        format!("+{did}")
    };
    clickdial_core::Number::parse(&plus, clickdial_core::Region::default())
        .ok()
        .map(|n| n.international().to_string())
}

pub(super) fn read_row(r: &rusqlite::Row<'_>, now_ms: i64) -> rusqlite::Result<CallRow> {
    let source: String = r.get(6)?;
    let state: String = r.get(7)?;
    let created_at_ms: i64 = r.get(13)?;
    let pid: Option<i64> = r.get(15)?;
    let mut reason: Option<String> = r.get(8)?;
    // States a newer Clickdial may add read as "may have been placed", the cautious answer.
    let mut state = state.parse().unwrap_or(CallState::Unknown);
    if state == CallState::Pending && interrupted(pid, created_at_ms, now_ms) {
        state = CallState::Unknown;
        reason = Some(INTERRUPTED_REASON.to_string());
    }
    Ok(CallRow {
        id: r.get(0)?,
        account: r.get(1)?,
        e164: r.get(2)?,
        ext: r.get(3)?,
        agent: r.get(4)?,
        caller_id: r.get(5)?,
        // A source a newer Clickdial may add reads as the window, so history still lists it.
        source: source.parse().unwrap_or(Source::Window),
        state,
        reason,
        ref_id: r.get(9)?,
        call_id: r.get(10)?,
        custom_identifier: r.get(11)?,
        message: r.get(12)?,
        created_at_ms,
        finished_at_ms: r.get(14)?,
        outcome: r
            .get::<_, Option<String>>(16)?
            .map(|o| Outcome::parse(&o).unwrap_or(Outcome::Ended)),
        talk_s: r.get(17)?,
        ended_at_ms: r.get(18)?,
        detail: r.get(19)?,
        has_recording: r.get::<_, Option<i64>>(20)? == Some(1),
        stage: r.get(21)?,
        disposition: r.get(22)?,
        note: r.get(23)?,
        handoff: match (
            r.get::<_, Option<String>>(24)?,
            r.get::<_, Option<i64>>(26)?,
        ) {
            (Some(state), Some(at_ms)) => Some(super::Handoff {
                delivered: state == "delivered",
                reason: r.get(25)?,
                at_ms,
            }),
            _ => None,
        },
    })
}

#[cfg(test)]
mod tests;
