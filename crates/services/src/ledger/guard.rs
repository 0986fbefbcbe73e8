//! The duplicate-dial guard: [`Ledger::begin`] writes a call's pending row only if no other
//! dial of the number (or of the agent's phone) is in flight or just happened, and
//! [`Ledger::finish`] records how the dial ended. A pending row whose process is gone, or that
//! is older than [`STALE_PENDING`], is interrupted: it may have been placed.

#[cfg(unix)]
use std::io;

use rusqlite::{params, OptionalExtension, TransactionBehavior};

use super::{
    duration_ms, storage, CallState, Finish, Ledger, LedgerError, NewCall, Refusal,
    INTERRUPTED_REASON, STALE_PENDING,
};

/// True only when `pid` certainly names no running process. Unknown (another user's process, a
/// pid that cannot be asked about, or a platform without a cheap check) counts as alive, so the
/// row falls back to [`STALE_PENDING`].
fn process_is_gone(pid: i64) -> bool {
    #[cfg(unix)]
    {
        let Ok(pid) = libc::pid_t::try_from(pid) else {
            return false;
        };
        // 0 and negative values name process groups; never ask about those.
        if pid <= 0 {
            return false;
        }
        // SAFETY: signal 0 sends nothing; it only checks whether the process exists.
        let rc = unsafe { libc::kill(pid, 0) };
        rc != 0 && io::Error::last_os_error().raw_os_error() == Some(libc::ESRCH)
    }
    #[cfg(windows)]
    {
        use windows_sys::Win32::Foundation::{
            CloseHandle, GetLastError, ERROR_INVALID_PARAMETER, STILL_ACTIVE,
        };
        use windows_sys::Win32::System::Threading::{
            GetExitCodeProcess, OpenProcess, PROCESS_QUERY_LIMITED_INFORMATION,
        };
        let Ok(pid) = u32::try_from(pid) else {
            return false;
        };
        if pid == 0 {
            return false;
        }
        // SAFETY: plain Win32 calls on a handle this function opens and closes.
        unsafe {
            let handle = OpenProcess(PROCESS_QUERY_LIMITED_INFORMATION, 0, pid);
            if handle.is_null() {
                // "The parameter is incorrect": no process has this ID. Anything else (access
                // denied: another user's process) is unknown.
                return GetLastError() == ERROR_INVALID_PARAMETER;
            }
            let mut code = 0u32;
            let asked = GetExitCodeProcess(handle, &mut code);
            CloseHandle(handle);
            // A process that ended but whose handle someone still holds has its exit code.
            asked != 0 && code != STILL_ACTIVE as u32
        }
    }
    #[cfg(not(any(unix, windows)))]
    {
        let _ = pid;
        false
    }
}

fn own_pid() -> i64 {
    i64::from(std::process::id())
}

/// A pending row that will never be finished: stale, or its process is gone.
pub(super) fn interrupted(pid: Option<i64>, created_at_ms: i64, now_ms: i64) -> bool {
    // Either direction: a row from far in the "future" means the clock jumped back.
    let age = now_ms.saturating_sub(created_at_ms).unsigned_abs();
    u128::from(age) > STALE_PENDING.as_millis()
        || pid.is_some_and(|pid| pid != own_pid() && process_is_gone(pid))
}

/// A pending row, as the guard reads it.
struct PendingRow {
    id: i64,
    account: String,
    e164: String,
    agent: String,
    pid: Option<i64>,
    created_at_ms: i64,
}

/// What a demo call's `account` starts with: "demo http://127.0.0.1:…" (the demo session's
/// [`crate::dialer::Session::ledger_account`]).
pub const DEMO_PREFIX: &str = "demo ";

/// The two ways one server's calls are written in `account`: plain (a real account, the CLI,
/// environment overrides) and marked as the demo's. The guard and the live-call checks treat
/// both as one server (a CLI dialling the demo's simulator shares its guard); history keeps
/// them apart ([`super::HistoryQuery::demo`]).
pub(super) fn server_forms(account: &str) -> [String; 2] {
    let plain = account.strip_prefix(DEMO_PREFIX).unwrap_or(account);
    [plain.to_string(), format!("{DEMO_PREFIX}{plain}")]
}

/// Whether two `account`s are one server's ([`server_forms`]).
pub fn same_server(a: &str, b: &str) -> bool {
    a.strip_prefix(DEMO_PREFIX).unwrap_or(a) == b.strip_prefix(DEMO_PREFIX).unwrap_or(b)
}

impl Ledger {
    /// Guard and pending row in one BEGIN IMMEDIATE transaction; returns the row id.
    ///
    /// In order: pending rows that are stale or whose process is gone become `unknown`
    /// ("may have been placed"); a pending call on the same account to the same number, or
    /// ringing the same agent, refuses with [`Refusal::InFlight`]; a call on the same account to
    /// the same number within the bounce window that may have reached the server (pending,
    /// queued or unknown) refuses with [`Refusal::Repeated`]; otherwise the pending row is
    /// written. `not placed` calls never block, and one account never blocks another.
    pub fn begin(&self, call: &NewCall<'_>, now_ms: i64) -> Result<i64, LedgerError> {
        let mut conn = self.conn();
        let tx = conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(storage)?;

        // 1 and 2: every pending row (the partial index keeps this to the few in flight), read
        // in full before any is updated: changing rows under a running scan is undefined.
        let pending: Vec<PendingRow> = tx
            .prepare_cached(
                "SELECT id, account, e164, agent, pid, created_at_ms
                 FROM calls WHERE state = 'pending'",
            )
            .and_then(|mut s| {
                s.query_map([], |r| {
                    Ok(PendingRow {
                        id: r.get(0)?,
                        account: r.get(1)?,
                        e164: r.get(2)?,
                        agent: r.get(3)?,
                        pid: r.get(4)?,
                        created_at_ms: r.get(5)?,
                    })
                })?
                .collect()
            })
            .map_err(storage)?;
        let mut in_flight: Option<&PendingRow> = None;
        let mut same_agent: Option<&PendingRow> = None;
        for row in &pending {
            if interrupted(row.pid, row.created_at_ms, now_ms) {
                tx.prepare_cached(
                    "UPDATE calls SET state = 'unknown', reason = ?2, finished_at_ms = ?3
                     WHERE id = ?1 AND state = 'pending'",
                )
                .and_then(|mut s| s.execute(params![row.id, INTERRUPTED_REASON, now_ms]))
                .map_err(storage)?;
            } else if same_server(&row.account, call.account) {
                if row.e164 == call.e164 {
                    in_flight = in_flight.or(Some(row));
                } else if row.agent == call.agent {
                    same_agent = same_agent.or(Some(row));
                }
            }
        }
        // Same number first: that is the clearer message when both apply.
        if let Some(row) = in_flight.or(same_agent) {
            let refusal = Refusal::InFlight {
                e164: row.e164.clone(),
                started_ms_ago: now_ms.saturating_sub(row.created_at_ms).max(0),
            };
            // Dropping `tx` would roll back the sweep too; keep it.
            tx.commit().map_err(storage)?;
            return Err(LedgerError::Refused(refusal));
        }

        // 3: a recent call to this number that may have reached the server. The window runs
        // from when that call ended (its reply, or its failure), not from when it started: a
        // dial that timed out after 20 s is as fresh as one answered at once. Rows dated in the
        // future (the clock jumped back) block only within the same window.
        let recent: Option<i64> = tx
            .prepare_cached(
                "SELECT COALESCE(finished_at_ms, created_at_ms) AS ended FROM calls
                 WHERE account IN (?1, ?6) AND e164 = ?2
                   AND created_at_ms > ?5 AND created_at_ms <= ?4
                   AND state IN ('pending', 'queued', 'unknown')
                   AND COALESCE(finished_at_ms, created_at_ms) > ?3
                 ORDER BY ended DESC LIMIT 1",
            )
            .and_then(|mut s| {
                let [plain, demo] = server_forms(call.account);
                s.query_row(
                    params![
                        plain,
                        call.e164,
                        now_ms.saturating_sub(self.bounce_ms),
                        now_ms.saturating_add(self.bounce_ms),
                        // Calls that started before this cannot have ended inside the window
                        // (no request outlives STALE_PENDING); keeps the search on the index.
                        now_ms
                            .saturating_sub(self.bounce_ms)
                            .saturating_sub(duration_ms(STALE_PENDING)),
                        demo,
                    ],
                    |r| r.get(0),
                )
                .optional()
            })
            .map_err(storage)?;
        if let Some(created_at_ms) = recent {
            tx.commit().map_err(storage)?;
            let ago_ms = now_ms.saturating_sub(created_at_ms).max(0);
            return Err(LedgerError::Refused(Refusal::Repeated {
                e164: call.e164.to_string(),
                ago_ms,
                retry_in_ms: self.bounce_ms.saturating_sub(ago_ms).max(0),
            }));
        }

        // 4: the pending row.
        tx.prepare_cached(
            "INSERT INTO calls (account, e164, ext, agent, caller_id, source, state,
                                custom_identifier, pid, created_at_ms)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, 'pending', ?7, ?8, ?9)",
        )
        .and_then(|mut s| {
            s.execute(params![
                call.account,
                call.e164,
                call.ext,
                call.agent,
                call.caller_id,
                call.source.as_str(),
                call.custom_identifier,
                own_pid(),
                now_ms,
            ])
        })
        .map_err(storage)?;
        let id = tx.last_insert_rowid();
        tx.commit().map_err(storage)?;
        Ok(id)
    }

    /// Records how the call `id` (from [`Ledger::begin`]) ended.
    ///
    /// Overwrites whatever the row says, including an `unknown` written by another process's
    /// sweep: the dial path that sent the request knows best.
    pub fn finish(&self, id: i64, finish: Finish<'_>, now_ms: i64) -> Result<(), LedgerError> {
        let (state, reason, ref_id, call_id, message) = match finish {
            Finish::Queued {
                ref_id,
                call_id,
                message,
            } => (CallState::Queued, None, ref_id, call_id, Some(message)),
            Finish::NotPlaced { reason } => (CallState::NotPlaced, Some(reason), None, None, None),
            Finish::Unknown { reason } => (CallState::Unknown, Some(reason), None, None, None),
        };
        let conn = self.conn();
        let changed = conn
            .prepare_cached(
                "UPDATE calls SET state = ?2, reason = ?3, ref_id = ?4, call_id = ?5,
                                  message = ?6, finished_at_ms = ?7
                 WHERE id = ?1",
            )
            .and_then(|mut s| {
                s.execute(params![
                    id,
                    state.as_str(),
                    reason,
                    ref_id,
                    call_id,
                    message,
                    now_ms
                ])
            })
            .map_err(storage)?;
        if changed == 0 {
            return Err(LedgerError::Storage(format!(
                "call {id} is missing from it"
            )));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ledger::{Source, LEDGER_FILE};

    fn call<'a>(e164: &'a str) -> NewCall<'a> {
        NewCall {
            account: "acme",
            e164,
            ext: None,
            agent: "1001",
            caller_id: None,
            source: Source::Window,
            custom_identifier: "cid",
        }
    }

    #[test]
    fn own_and_unknown_processes_are_never_gone() {
        assert!(!process_is_gone(own_pid()));
        assert!(!process_is_gone(0));
        assert!(!process_is_gone(-1));
        assert!(!process_is_gone(i64::MAX));
        // Own pid: only age makes its rows stale.
        assert!(!interrupted(Some(own_pid()), 0, 60_000));
        assert!(interrupted(Some(own_pid()), 0, 60_001));
        assert!(
            interrupted(None, 60_001, 0),
            "a row from far in the future is stale"
        );
    }

    /// `kill(pid, 0)` succeeding leaves `errno` as an earlier call set it, perhaps to "no such
    /// process": a live process must not be read as gone from that. On Windows, the same with
    /// `OpenProcess` and the exit code (a pid of an ended process may still have a handle).
    #[test]
    fn a_live_process_is_not_gone_right_after_a_gone_one() {
        // A program that ends at once, and one that waits for its standard input to close.
        let (quick, waits): (&[&str], &str) = if cfg!(windows) {
            (&["cmd", "/c", "exit"], "cmd")
        } else {
            (&["true"], "cat")
        };
        let mut done = std::process::Command::new(quick[0])
            .args(&quick[1..])
            .spawn()
            .unwrap();
        let gone = i64::from(done.id());
        done.wait().unwrap();
        let mut live = std::process::Command::new(waits)
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::null())
            .spawn()
            .unwrap();
        let pid = i64::from(live.id());
        assert!(process_is_gone(gone));
        assert!(!process_is_gone(pid));
        assert!(!interrupted(Some(pid), 0, 0));
        let _ = live.kill();
        live.wait().unwrap();
        assert!(process_is_gone(pid));
        assert!(interrupted(Some(pid), 0, 0));
    }

    #[test]
    fn a_poisoned_lock_is_recovered() {
        let dir = tempfile::tempdir().unwrap();
        let (ledger, _) = Ledger::open(&dir.path().join(LEDGER_FILE)).unwrap();
        let result = std::thread::scope(|s| {
            s.spawn(|| {
                let _held = ledger.conn.lock();
                panic!("poison the ledger's lock");
            })
            .join()
        });
        assert!(result.is_err());
        assert!(ledger.conn.is_poisoned());
        let id = ledger.begin(&call("+919876543210"), 1_000).unwrap();
        assert!(ledger.get(id, 1_000).unwrap().is_some());
    }

    #[test]
    fn a_panic_inside_a_transaction_leaves_the_ledger_usable() {
        let dir = tempfile::tempdir().unwrap();
        let (ledger, _) = Ledger::open(&dir.path().join(LEDGER_FILE)).unwrap();
        let result = std::thread::scope(|s| {
            s.spawn(|| {
                let mut conn = ledger.conn.lock().unwrap();
                let _tx = conn
                    .transaction_with_behavior(TransactionBehavior::Immediate)
                    .unwrap();
                panic!("die holding the write lock");
            })
            .join()
        });
        assert!(result.is_err());
        ledger.begin(&call("+919876543210"), 1_000).unwrap();
    }
}
