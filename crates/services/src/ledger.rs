//! The call ledger: one SQLite file in the user data directory, shared by every Clickdial
//! process (the window, any number of CLI commands, and later `tel:` links, the tray and the
//! hotkey).
//!
//! Every dial writes its row *before* the HTTP request ([`Ledger::begin`], state `pending`) and
//! updates it afterwards ([`Ledger::finish`]). The duplicate-dial guard runs inside the same
//! `BEGIN IMMEDIATE` transaction that inserts the pending row. SQLite lets one writer in at a
//! time across every connection to the file, so the guard holds between processes, not just
//! between threads: two agents' clicks, or a click and a CLI command, cannot both dial one number.
//!
//! The ledger is also the call history later features show and search, so a row keeps
//! everything about the call and the schema carries indexes for listing and finding by number.
//!
//! Times are Unix milliseconds of the wall clock, passed in by the caller (see [`wall_clock_ms`])
//! so tests can move time exactly instead of sleeping.

use std::fmt;
use std::fs;
use std::io;
use std::path::{Path, PathBuf};
use std::str::FromStr;
use std::sync::{Mutex, MutexGuard};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use clickdial_core::api::Outcome;
use rusqlite::config::DbConfig;
use rusqlite::{params, Connection, ErrorCode, OptionalExtension, TransactionBehavior};
use serde::Serialize;

/// The ledger's file name inside the user data directory.
pub const LEDGER_FILE: &str = "calls.sqlite3";

/// A repeat of a number that may have reached the server is refused for this long.
///
/// Long enough to swallow a double click, a second CLI command fired by a script, or a `tel:`
/// link opened twice; short enough that an agent redialling on purpose barely waits.
pub const BOUNCE_WINDOW: Duration = Duration::from_secs(5);

/// A pending row older than this is treated as interrupted ("may have been placed"): longer than
/// any dial can take (the dial service gives every dial a 45 s deadline, see
/// `clickdial_services::dialer::DIAL_DEADLINE`).
pub const STALE_PENDING: Duration = Duration::from_secs(60);

/// The reason a pending row reads with once its process stopped (or it went stale) before the
/// server answered: the call may or may not have been placed.
pub const INTERRUPTED_REASON: &str = "Clickdial stopped before the server answered";

/// How long a connection waits for another process's write before giving up.
const BUSY_TIMEOUT: Duration = Duration::from_secs(5);

/// The current wall-clock time in Unix milliseconds, for callers passing `now_ms`.
///
/// A clock before 1970 reads as 0.
pub fn wall_clock_ms() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
        .unwrap_or_default()
}

// ---------------------------------------------------------------------------------------------
// Schema

/// Ordered migrations; `PRAGMA user_version` counts how many have run. Migrations are additive
/// only (new tables, columns, indexes), so an older Clickdial can keep using a file a newer one
/// migrated further: it leaves a higher `user_version` alone and never rewrites it.
const MIGRATIONS: &[&str] = &[
    // v1: the calls table.
    "CREATE TABLE calls (
        id                INTEGER PRIMARY KEY AUTOINCREMENT,
        account           TEXT    NOT NULL,
        e164              TEXT    NOT NULL,
        ext               TEXT,
        agent             TEXT    NOT NULL,
        caller_id         TEXT,
        source            TEXT    NOT NULL,
        state             TEXT    NOT NULL,
        reason            TEXT,
        ref_id            TEXT,
        call_id           TEXT,
        custom_identifier TEXT    NOT NULL,
        message           TEXT,
        pid               INTEGER,
        created_at_ms     INTEGER NOT NULL,
        finished_at_ms    INTEGER,
        outcome           TEXT,
        duration_s        INTEGER
    );
    -- The guard: recent calls to one number on one account.
    CREATE INDEX calls_account_e164_created ON calls (account, e164, created_at_ms);
    -- The guard and history: one agent's calls on one account.
    CREATE INDEX calls_account_agent_state ON calls (account, agent, state);
    -- The guard's sweep: the few rows still pending (a partial index stays tiny).
    CREATE INDEX calls_pending ON calls (state) WHERE state = 'pending';
    -- History: newest first, and every call to one number.
    CREATE INDEX calls_created ON calls (created_at_ms);
    CREATE INDEX calls_e164_created ON calls (e164, created_at_ms);",
    // v2: following a call: when it ended and the record's words (outcome and duration_s,
    // the talk time, are in v1).
    "ALTER TABLE calls ADD COLUMN ended_at_ms INTEGER;
    ALTER TABLE calls ADD COLUMN detail TEXT;",
];

/// The schema version this build writes.
const SCHEMA_VERSION: i64 = MIGRATIONS.len() as i64;

const SELECT_ROW: &str = "SELECT id, account, e164, ext, agent, caller_id, source, state, reason,
        ref_id, call_id, custom_identifier, message, created_at_ms, finished_at_ms, pid,
        outcome, duration_s, ended_at_ms, detail
    FROM calls";

// ---------------------------------------------------------------------------------------------
// Types

/// Which entry point placed a call, so history can say where a call came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Source {
    /// The main window's dial box or history.
    Window,
    /// The `clickdial call` command.
    Cli,
    /// A `tel:` / `callto:` link opened by the system.
    Link,
    /// The tray menu.
    Tray,
    /// The global hotkey.
    Hotkey,
}

impl Source {
    /// Every source, in the order above.
    pub const ALL: [Source; 5] = [
        Source::Window,
        Source::Cli,
        Source::Link,
        Source::Tray,
        Source::Hotkey,
    ];

    /// The stored (and serialized) name: `window`, `cli`, `link`, `tray` or `hotkey`.
    pub fn as_str(self) -> &'static str {
        match self {
            Source::Window => "window",
            Source::Cli => "cli",
            Source::Link => "link",
            Source::Tray => "tray",
            Source::Hotkey => "hotkey",
        }
    }
}

impl fmt::Display for Source {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Source {
    type Err = String;

    /// Reads a stored name back; anything else is an error naming the text.
    fn from_str(s: &str) -> Result<Source, String> {
        Source::ALL
            .into_iter()
            .find(|source| source.as_str() == s)
            .ok_or_else(|| format!("'{s}' is not a call source"))
    }
}

/// What one dial asks the ledger to record before the request goes out.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NewCall<'a> {
    /// Which signed-in account dials; the guard never lets one account block another.
    pub account: &'a str,
    /// The destination in E.164 (`+919876543210`), as `Number::e164` gives it.
    pub e164: &'a str,
    /// The extension, if the number had one.
    pub ext: Option<&'a str>,
    /// The agent whose phone rings first.
    pub agent: &'a str,
    /// The caller ID shown to the callee, when one was chosen.
    pub caller_id: Option<&'a str>,
    /// Which entry point placed the call.
    pub source: Source,
    /// The identifier sent with the request, to match the platform's records later.
    pub custom_identifier: &'a str,
}

/// How a dial ended, as the dial path learnt it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Finish<'a> {
    /// The platform accepted the call.
    Queued {
        /// The platform's reference for the request, if it sent one.
        ref_id: Option<&'a str>,
        /// The platform's call ID, if it sent one.
        call_id: Option<&'a str>,
        /// The platform's message, for history.
        message: &'a str,
    },
    /// Certainly not placed (refused by the server, unreachable, not signed in...): does not
    /// start the bounce window.
    NotPlaced {
        /// Why, in words for the agent.
        reason: &'a str,
    },
    /// May have been placed (timeout, reset, 5xx, unreadable reply): starts the bounce window
    /// like a queued call.
    Unknown {
        /// Why the outcome is unknown, in words for the agent.
        reason: &'a str,
    },
}

/// Where a call stands.
///
/// A pending row that is stale ([`STALE_PENDING`]) or whose process is gone reads as
/// [`CallState::Unknown`] with [`INTERRUPTED_REASON`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum CallState {
    /// The request is being sent by a live process.
    Pending,
    /// The platform accepted the call.
    Queued,
    /// The call was certainly not placed.
    NotPlaced,
    /// The call may have been placed; the outcome was never learnt.
    Unknown,
}

impl CallState {
    /// The stored (and serialized) name: `pending`, `queued`, `notPlaced` or `unknown`.
    pub fn as_str(self) -> &'static str {
        match self {
            CallState::Pending => "pending",
            CallState::Queued => "queued",
            CallState::NotPlaced => "notPlaced",
            CallState::Unknown => "unknown",
        }
    }
}

impl fmt::Display for CallState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for CallState {
    type Err = String;

    /// Reads a stored name back; anything else is an error naming the text.
    fn from_str(s: &str) -> Result<CallState, String> {
        [
            CallState::Pending,
            CallState::Queued,
            CallState::NotPlaced,
            CallState::Unknown,
        ]
        .into_iter()
        .find(|state| state.as_str() == s)
        .ok_or_else(|| format!("'{s}' is not a call state"))
    }
}

/// One call as history shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CallRow {
    /// The ledger's ID for the call.
    pub id: i64,
    /// The account that dialled.
    pub account: String,
    /// The destination in E.164.
    pub e164: String,
    /// The extension, if any.
    pub ext: Option<String>,
    /// The agent whose phone rang first.
    pub agent: String,
    /// The caller ID, if one was chosen.
    pub caller_id: Option<String>,
    /// The entry point that placed the call.
    pub source: Source,
    /// Where the call stands (interrupted pending rows read as `Unknown`).
    pub state: CallState,
    /// Why the call was not placed, or why its outcome is unknown.
    pub reason: Option<String>,
    /// The platform's reference, once queued.
    pub ref_id: Option<String>,
    /// The platform's call ID, once queued.
    pub call_id: Option<String>,
    /// The identifier sent with the request.
    pub custom_identifier: String,
    /// The platform's message, once queued.
    pub message: Option<String>,
    /// When the dial started (Unix ms).
    pub created_at_ms: i64,
    /// When the outcome was recorded (Unix ms), if it was.
    pub finished_at_ms: Option<i64>,
    /// How the call went, once followed to its end.
    pub outcome: Option<Outcome>,
    /// Talk time in seconds, when it was answered.
    pub talk_s: Option<i64>,
    /// When the call ended (Unix ms), once followed to its end.
    pub ended_at_ms: Option<i64>,
    /// The call record's words about the end.
    pub detail: Option<String>,
}

/// What a follower learnt about a queued call; `None` fields leave the stored value alone.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Progress<'a> {
    pub call_id: Option<&'a str>,
    pub outcome: Option<Outcome>,
    pub talk_s: Option<u64>,
    pub ended_at_ms: Option<i64>,
    pub detail: Option<&'a str>,
}

/// What history asks for; newest first.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct HistoryQuery {
    /// Digits the number must contain (`98765` finds `+919876543210`).
    pub digits: Option<String>,
    /// Calls started at or after (Unix ms).
    pub since_ms: Option<i64>,
    /// Calls started before (Unix ms).
    pub until_ms: Option<i64>,
    /// Only calls older than this row (the id of the last row of the previous page).
    pub before_id: Option<i64>,
    pub limit: usize,
}

/// Why [`Ledger::begin`] refused a dial.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refusal {
    /// The same number (or the same agent's phone) is being dialled right now by some process.
    InFlight {
        /// The number being dialled (for the agent rule, the other call's number).
        e164: String,
        /// How long ago that dial started.
        started_ms_ago: i64,
    },
    /// The same number was dialled moments ago and that call may have reached the server.
    Repeated {
        /// The number.
        e164: String,
        /// How long ago the earlier dial started.
        ago_ms: i64,
        /// How long after that a dial of the number is accepted again.
        retry_in_ms: i64,
    },
}

impl fmt::Display for Refusal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Refusal::InFlight { e164, .. } => write!(
                f,
                "Already dialling {}; wait for that call to be placed.",
                display_number(e164)
            ),
            Refusal::Repeated { e164, ago_ms, .. } => {
                // Rounded up, at least 1 s: "0 s ago" reads like a bug.
                let secs = ((*ago_ms).max(0) as u64).div_ceil(1000).max(1);
                write!(
                    f,
                    "Already dialled {} {secs} s ago, so this repeat was ignored. \
                     Wait a few seconds to call it again.",
                    display_number(e164)
                )
            }
        }
    }
}

/// What can go wrong using the ledger.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LedgerError {
    /// The duplicate-dial guard refused the call; nothing was written.
    Refused(Refusal),
    /// The file could not be used (permissions, a full disk, another process holding it too
    /// long...). The text is a plain detail for the agent, shown inside a full sentence.
    Storage(String),
}

impl fmt::Display for LedgerError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            LedgerError::Refused(refusal) => refusal.fmt(f),
            LedgerError::Storage(detail) => {
                write!(f, "Clickdial could not use its call history ({detail}).")
            }
        }
    }
}

impl std::error::Error for LedgerError {}

impl From<Refusal> for LedgerError {
    fn from(refusal: Refusal) -> Self {
        LedgerError::Refused(refusal)
    }
}

/// `+91 98765 43210` for people; the raw text if it does not parse.
pub fn display_number(e164: &str) -> String {
    clickdial_core::Number::parse(e164, clickdial_core::Region::default())
        .map(|n| n.international().to_string())
        .unwrap_or_else(|_| e164.to_string())
}

/// A SQLite failure in plain words.
fn storage(e: rusqlite::Error) -> LedgerError {
    LedgerError::Storage(describe(&e))
}

fn describe(e: &rusqlite::Error) -> String {
    match e.sqlite_error_code() {
        Some(ErrorCode::DiskFull) => "the disk is full".into(),
        Some(ErrorCode::PermissionDenied | ErrorCode::ReadOnly) => {
            "it may not write its file; check the folder's permissions".into()
        }
        Some(ErrorCode::CannotOpen) => {
            "its file could not be opened; check the folder exists and can be written".into()
        }
        Some(ErrorCode::DatabaseBusy | ErrorCode::DatabaseLocked) => {
            "another Clickdial window or command kept it busy; try again".into()
        }
        Some(ErrorCode::SystemIoFailure) => "the disk reported an error".into(),
        Some(ErrorCode::DatabaseCorrupt | ErrorCode::NotADatabase) => "its file is damaged".into(),
        Some(ErrorCode::OutOfMemory) => "the computer ran out of memory".into(),
        _ => e.to_string(),
    }
}

fn io_storage(what: &str, path: &Path, e: &io::Error) -> LedgerError {
    let why = match e.kind() {
        io::ErrorKind::PermissionDenied => "permission denied".to_string(),
        io::ErrorKind::StorageFull => "the disk is full".to_string(),
        io::ErrorKind::NotADirectory => "part of the path is a file, not a folder".to_string(),
        io::ErrorKind::ReadOnlyFilesystem => "the disk is read-only".to_string(),
        _ => e.to_string(),
    };
    LedgerError::Storage(format!("{what} {}: {why}", path.display()))
}

// ---------------------------------------------------------------------------------------------
// Processes

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
    #[cfg(not(unix))]
    {
        let _ = pid;
        false
    }
}

fn own_pid() -> i64 {
    i64::from(std::process::id())
}

/// A pending row that will never be finished: stale, or its process is gone.
fn interrupted(pid: Option<i64>, created_at_ms: i64, now_ms: i64) -> bool {
    // Either direction: a row from far in the "future" means the clock jumped back.
    let age = now_ms.saturating_sub(created_at_ms).unsigned_abs();
    u128::from(age) > STALE_PENDING.as_millis()
        || pid.is_some_and(|pid| pid != own_pid() && process_is_gone(pid))
}

fn duration_ms(d: Duration) -> i64 {
    i64::try_from(d.as_millis()).unwrap_or(i64::MAX)
}

// ---------------------------------------------------------------------------------------------
// The ledger

/// The open ledger: one connection kept open (prepared statements cached), shared by every
/// thread of a process. Each process opens its own; SQLite's file locks coordinate them.
pub struct Ledger {
    conn: Mutex<Connection>,
    path: PathBuf,
    bounce_ms: i64,
}

impl fmt::Debug for Ledger {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Ledger")
            .field("path", &self.path)
            .field("bounce_ms", &self.bounce_ms)
            .finish_non_exhaustive()
    }
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

/// Why a file could not be set up.
enum SetupError {
    /// Not a database, or a damaged one: move it aside and start again.
    Corrupt,
    /// Another process held the file in a way SQLite reports at once, without waiting for the
    /// busy timeout (two processes switching a new file to WAL together): try again.
    Busy(LedgerError),
    /// Anything else (permissions, a full disk...): report it, touch nothing.
    Other(LedgerError),
}

impl From<rusqlite::Error> for SetupError {
    fn from(e: rusqlite::Error) -> Self {
        match e.sqlite_error_code() {
            Some(ErrorCode::NotADatabase | ErrorCode::DatabaseCorrupt) => SetupError::Corrupt,
            Some(ErrorCode::DatabaseBusy | ErrorCode::DatabaseLocked) => {
                SetupError::Busy(storage(e))
            }
            _ => SetupError::Other(storage(e)),
        }
    }
}

impl Ledger {
    /// Opens (creating dirs and the file) with WAL, synchronous=NORMAL, busy_timeout 5 s,
    /// foreign_keys on; runs migrations. Returns a one-time notice when a corrupt or unreadable
    /// database was moved aside.
    ///
    /// A damaged file is never deleted: it is renamed to `<name>.corrupt-<unix secs>` (with its
    /// `-wal` and `-shm` files) and a new ledger is started. Other failures (permissions, a full
    /// disk) are [`LedgerError::Storage`] and leave the file alone.
    pub fn open(path: &Path) -> Result<(Ledger, Option<String>), LedgerError> {
        Ledger::open_with(path, Check::Whole)
    }

    /// Like [`Ledger::open`], without reading the whole file first (on 100,000 calls that
    /// read is most of the time taken to open): only a file that is not a database at all is
    /// moved aside here. For a process that shows history at once and calls [`Ledger::verify`]
    /// in the background, or a one-shot read whose errors say the file is damaged.
    pub fn open_unchecked(path: &Path) -> Result<(Ledger, Option<String>), LedgerError> {
        Ledger::open_with(path, Check::Header)
    }

    fn open_with(path: &Path, check: Check) -> Result<(Ledger, Option<String>), LedgerError> {
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            fs::create_dir_all(dir)
                .map_err(|e| io_storage("could not create the folder", dir, &e))?;
        }
        let (conn, notice) = open_repairing(path, check)?;
        Ok((
            Ledger {
                conn: Mutex::new(conn),
                path: path.to_path_buf(),
                bounce_ms: duration_ms(BOUNCE_WINDOW),
            },
            notice,
        ))
    }

    /// Reads the whole file for damage, on a second connection so dialling is not held up. A
    /// damaged file is moved aside and replaced as [`Ledger::open`] does; returns that notice.
    pub fn verify(&self) -> Result<Option<String>, LedgerError> {
        let damaged = match Connection::open_with_flags(
            &self.path,
            rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY | rusqlite::OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )
        .and_then(|c| {
            c.busy_timeout(BUSY_TIMEOUT)?;
            c.query_row("PRAGMA quick_check(1)", [], |r| r.get::<_, String>(0))
        }) {
            Ok(check) => check != "ok",
            Err(e) => match SetupError::from(e) {
                SetupError::Corrupt => true,
                SetupError::Other(e) | SetupError::Busy(e) => return Err(e),
            },
        };
        if !damaged {
            return Ok(None);
        }
        let mut conn = self.conn();
        // Closed before it is moved: nothing may write into the file being kept aside.
        let old = std::mem::replace(&mut *conn, Connection::open_in_memory().map_err(storage)?);
        let _ = old.set_db_config(DbConfig::SQLITE_DBCONFIG_NO_CKPT_ON_CLOSE, true);
        drop(old);
        let (fresh, notice) = open_repairing(&self.path, Check::Whole)?;
        *conn = fresh;
        Ok(notice)
    }

    /// Changes the bounce window (normally [`BOUNCE_WINDOW`]); for tests.
    pub fn with_bounce_window(mut self, d: Duration) -> Self {
        self.bounce_ms = duration_ms(d);
        self
    }

    /// The ledger file's path.
    pub fn path(&self) -> &Path {
        &self.path
    }

    fn conn(&self) -> MutexGuard<'_, Connection> {
        // A panic elsewhere while holding the lock leaves the connection usable: any open
        // transaction was rolled back when it was dropped during unwinding.
        self.conn.lock().unwrap_or_else(|p| p.into_inner())
    }

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
            } else if row.account == call.account {
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
                 WHERE account = ?1 AND e164 = ?2
                   AND created_at_ms > ?5 AND created_at_ms <= ?4
                   AND state IN ('pending', 'queued', 'unknown')
                   AND COALESCE(finished_at_ms, created_at_ms) > ?3
                 ORDER BY ended DESC LIMIT 1",
            )
            .and_then(|mut s| {
                s.query_row(
                    params![
                        call.account,
                        call.e164,
                        now_ms.saturating_sub(self.bounce_ms),
                        now_ms.saturating_add(self.bounce_ms),
                        // Calls that started before this cannot have ended inside the window
                        // (no request outlives STALE_PENDING); keeps the search on the index.
                        now_ms
                            .saturating_sub(self.bounce_ms)
                            .saturating_sub(duration_ms(STALE_PENDING)),
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
}

impl Ledger {
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
                              detail = COALESCE(?6, detail)
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
            ])
        })
        .map_err(storage)?;
        Ok(())
    }

    /// History, newest first: every call from every entry point, filtered by number digits
    /// and dates, one page at a time.
    pub fn history(&self, q: &HistoryQuery, now_ms: i64) -> Result<Vec<CallRow>, LedgerError> {
        let digits: Option<String> = q
            .digits
            .as_ref()
            .map(|d| d.chars().filter(char::is_ascii_digit).collect())
            .filter(|d: &String| !d.is_empty());
        let conn = self.conn();
        // A number search scans the (e164, created_at_ms) index, a tenth of the table's size,
        // for the page's ids (`instr` can use no index, so this is the smallest scan there is),
        // then reads just those rows.
        let sql = if digits.is_some() {
            format!(
                "{SELECT_ROW} WHERE id IN (
                     SELECT id FROM calls INDEXED BY calls_e164_created
                     WHERE instr(e164, ?1) > 0
                       AND (?2 IS NULL OR created_at_ms >= ?2)
                       AND (?3 IS NULL OR created_at_ms < ?3)
                       AND (?4 IS NULL OR id < ?4)
                     ORDER BY id DESC LIMIT ?5)
                 ORDER BY id DESC"
            )
        } else {
            format!(
                "{SELECT_ROW}
                 WHERE ?1 IS NULL
                   AND (?2 IS NULL OR created_at_ms >= ?2)
                   AND (?3 IS NULL OR created_at_ms < ?3)
                   AND (?4 IS NULL OR id < ?4)
                 ORDER BY id DESC LIMIT ?5"
            )
        };
        let mut stmt = conn.prepare_cached(&sql).map_err(storage)?;
        let limit = i64::try_from(q.limit.max(1)).unwrap_or(i64::MAX);
        let rows = stmt
            .query_map(
                params![digits, q.since_ms, q.until_ms, q.before_id, limit],
                |r| read_row(r, now_ms),
            )
            .map_err(storage)?;
        rows.collect::<Result<Vec<_>, _>>().map_err(storage)
    }

    /// This account's calls to `e164` started in `[from_ms, to_ms)` whose end is not known
    /// (queued or may have been placed, with no outcome yet), newest first, at most 10. Read
    /// through the (account, e164, created_at) index: its cost does not grow with history.
    pub fn unended_calls_to(
        &self,
        account: &str,
        e164: &str,
        from_ms: i64,
        to_ms: i64,
        now_ms: i64,
    ) -> Result<Vec<CallRow>, LedgerError> {
        let conn = self.conn();
        let mut stmt = conn
            .prepare_cached(&format!(
                "{SELECT_ROW} INDEXED BY calls_account_e164_created
                 WHERE account = ?1 AND e164 = ?2 AND created_at_ms >= ?3 AND created_at_ms < ?4
                   AND state IN ('queued', 'unknown', 'pending')
                   AND outcome IS NULL AND ended_at_ms IS NULL
                 ORDER BY created_at_ms DESC LIMIT 10"
            ))
            .map_err(storage)?;
        let rows = stmt
            .query_map(params![account, e164, from_ms, to_ms], |r| {
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
    ) -> Result<PathBuf, LedgerError> {
        let all = HistoryQuery {
            limit: 10_000_000,
            ..q.clone()
        };
        let text = csv(&self.history(&all, now_ms)?);
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

/// History as RFC 4180 CSV, times in IST (the platform's own zone). Free text that a spreadsheet would run as a formula gets a leading `'`.
pub fn csv(rows: &[CallRow]) -> String {
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
        "time_ist,number,agent,caller_id,source,state,outcome,talk_seconds,reference,call_id,custom_identifier,note",
    );
    for r in rows {
        let fields = [
            cell(
                &clickdial_core::clock::format_ist(r.created_at_ms / 1000),
                false,
            ),
            cell(&r.e164, false),
            cell(&r.agent, true),
            cell(r.caller_id.as_deref().unwrap_or_default(), false),
            cell(r.source.as_str(), false),
            cell(r.state.as_str(), false),
            cell(r.outcome.map(|o| o.as_str()).unwrap_or_default(), false),
            r.talk_s.map(|t| t.to_string()).unwrap_or_default(),
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
        ];
        out.push('\n');
        out.push_str(&fields.join(","));
    }
    out
}

fn read_row(r: &rusqlite::Row<'_>, now_ms: i64) -> rusqlite::Result<CallRow> {
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
    })
}

// ---------------------------------------------------------------------------------------------
// Opening

/// How much of a file is read for damage before it is used.
#[derive(Clone, Copy, PartialEq)]
enum Check {
    /// SQLite's quick check of every page.
    Whole,
    /// Only that it is a SQLite file whose schema can be read.
    Header,
}

/// Sets `path` up, moving a damaged file aside and starting a new one; with the notice that
/// says so.
fn open_repairing(path: &Path, check: Check) -> Result<(Connection, Option<String>), LedgerError> {
    match setup(path, check) {
        Ok(conn) => return Ok((conn, None)),
        Err(SetupError::Other(e) | SetupError::Busy(e)) => return Err(e),
        Err(SetupError::Corrupt) => {}
    }
    // Another process may have found the same damage and already started a new file; look
    // again before moving anything, so its new ledger is not the one moved aside.
    match setup(path, Check::Whole) {
        Ok(conn) => return Ok((conn, None)),
        Err(SetupError::Other(e) | SetupError::Busy(e)) => return Err(e),
        Err(SetupError::Corrupt) => {}
    }
    let kept = move_aside(path)?;
    let notice = format!(
        "Your call history could not be read, so Clickdial started a new one. \
         The old file was kept as {}.",
        kept.display()
    );
    match setup(path, Check::Whole) {
        Ok(conn) => Ok((conn, Some(notice))),
        Err(SetupError::Other(e) | SetupError::Busy(e)) => Err(e),
        Err(SetupError::Corrupt) => Err(LedgerError::Storage(format!(
            "a new file at {} could not be started",
            path.display()
        ))),
    }
}

/// [`setup_once`], tried again for up to the busy timeout while another process setting up the
/// same file makes SQLite answer "busy" at once. Nothing is dialled during setup, so trying
/// again is safe.
fn setup(path: &Path, check: Check) -> Result<Connection, SetupError> {
    let deadline = std::time::Instant::now() + BUSY_TIMEOUT;
    loop {
        match setup_once(path, check) {
            Err(SetupError::Busy(e)) if std::time::Instant::now() >= deadline => {
                return Err(SetupError::Other(e))
            }
            Err(SetupError::Busy(_)) => std::thread::sleep(Duration::from_millis(25)),
            other => return other,
        }
    }
}

/// Opens `path`, sets the connection up, checks it can be read and migrates it.
fn setup_once(path: &Path, check: Check) -> Result<Connection, SetupError> {
    create_private(path)
        .map_err(|e| SetupError::Other(io_storage("could not create the file", path, &e)))?;
    // A file that is not SQLite at all is judged before SQLite touches it: SQLite would treat a
    // `-wal` beside it as its own and delete it on close.
    if !has_sqlite_header(path)
        .map_err(|e| SetupError::Other(io_storage("could not read the file", path, &e)))?
    {
        return Err(SetupError::Corrupt);
    }
    let mut conn = Connection::open(path)?;
    // Until the file has passed its checks, closing must not checkpoint a `-wal` into it, so a
    // damaged file is kept exactly as it was found.
    conn.set_db_config(DbConfig::SQLITE_DBCONFIG_NO_CKPT_ON_CLOSE, true)?;
    // First, so every later step waits for other processes instead of failing at once.
    conn.busy_timeout(BUSY_TIMEOUT)?;
    // Persistent in the file. If the file system cannot do WAL, SQLite keeps the old journal
    // mode, which still locks correctly between processes, just more slowly; carry on.
    let _mode: String = conn.query_row("PRAGMA journal_mode = WAL", [], |r| r.get(0))?;
    conn.execute_batch("PRAGMA synchronous = NORMAL; PRAGMA foreign_keys = ON;")?;
    if check == Check::Whole {
        let check: String = conn.query_row("PRAGMA quick_check(1)", [], |r| r.get(0))?;
        if check != "ok" {
            return Err(SetupError::Corrupt);
        }
    }
    migrate(&mut conn)?;
    conn.set_db_config(DbConfig::SQLITE_DBCONFIG_NO_CKPT_ON_CLOSE, false)?;
    Ok(conn)
}

/// False when the file starts with something other than SQLite's 16-byte magic. A file shorter
/// than that (a new, empty one) is left for SQLite to judge.
fn has_sqlite_header(path: &Path) -> io::Result<bool> {
    use std::io::Read;
    const MAGIC: &[u8; 16] = b"SQLite format 3\0";
    let mut head = Vec::with_capacity(MAGIC.len());
    fs::File::open(path)?
        .take(MAGIC.len() as u64)
        .read_to_end(&mut head)?;
    Ok(head.len() < MAGIC.len() || head == MAGIC)
}

/// Runs the migrations this file has not had. Newer files (a higher `user_version`) are used as
/// they are.
fn migrate(conn: &mut Connection) -> Result<(), SetupError> {
    let version = |c: &Connection| -> rusqlite::Result<i64> {
        c.query_row("PRAGMA user_version", [], |r| r.get(0))
    };
    if version(conn)? >= SCHEMA_VERSION {
        return Ok(());
    }
    // Immediate: two processes starting at once must not both run a migration.
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    let from = version(&tx)?;
    if from < 0 {
        return Err(SetupError::Other(LedgerError::Storage(format!(
            "its file has an unknown version ({from})"
        ))));
    }
    for sql in MIGRATIONS
        .iter()
        .skip(usize::try_from(from).unwrap_or(usize::MAX))
    {
        tx.execute_batch(sql)?;
    }
    if from < SCHEMA_VERSION {
        tx.pragma_update(None, "user_version", SCHEMA_VERSION)?;
    }
    tx.commit()?;
    Ok(())
}

/// Creates the file readable by its owner only (call history is personal data); SQLite gives
/// the `-wal` and `-shm` files the same permissions. An existing file is left as it is.
fn create_private(path: &Path) -> io::Result<()> {
    let mut options = fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    match options.open(path) {
        Ok(_) => Ok(()),
        Err(e) if e.kind() == io::ErrorKind::AlreadyExists => Ok(()),
        Err(e) => Err(e),
    }
}

/// Renames a damaged ledger (and its `-wal` / `-shm` files) to `<name>.corrupt-<unix secs>`,
/// never over an existing file. Returns the new path.
fn move_aside(path: &Path) -> Result<PathBuf, LedgerError> {
    let secs = wall_clock_ms() / 1000;
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| LEDGER_FILE.to_string());
    let sibling = |p: &Path, suffix: &str| {
        let mut s = p.as_os_str().to_owned();
        s.push(suffix);
        PathBuf::from(s)
    };
    let mut kept = path.with_file_name(format!("{name}.corrupt-{secs}"));
    let mut n = 1;
    while kept.exists() || sibling(&kept, "-wal").exists() || sibling(&kept, "-shm").exists() {
        n += 1;
        kept = path.with_file_name(format!("{name}.corrupt-{secs}-{n}"));
    }
    fs::rename(path, &kept)
        .map_err(|e| io_storage("could not move aside the damaged", path, &e))?;
    for suffix in ["-wal", "-shm"] {
        let from = sibling(path, suffix);
        match fs::rename(&from, sibling(&kept, suffix)) {
            Ok(()) => {}
            Err(e) if e.kind() == io::ErrorKind::NotFound => {}
            Err(e) => return Err(io_storage("could not move aside the damaged", &from, &e)),
        }
    }
    Ok(kept)
}

#[cfg(test)]
mod tests {
    use super::*;

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
    fn source_and_state_names_round_trip() {
        for source in Source::ALL {
            assert_eq!(source.as_str().parse::<Source>(), Ok(source));
        }
        assert!("phone".parse::<Source>().is_err());
        for state in [
            CallState::Pending,
            CallState::Queued,
            CallState::NotPlaced,
            CallState::Unknown,
        ] {
            assert_eq!(state.as_str().parse::<CallState>(), Ok(state));
            assert_eq!(
                serde_json::to_value(state).unwrap(),
                serde_json::Value::String(state.as_str().into())
            );
        }
    }

    #[test]
    fn repeated_seconds_round_up_and_never_read_zero() {
        let msg = |ago_ms| {
            Refusal::Repeated {
                e164: "+919876543210".into(),
                ago_ms,
                retry_in_ms: 0,
            }
            .to_string()
        };
        assert!(msg(0).contains(" 1 s ago"), "{}", msg(0));
        assert!(msg(1).contains(" 1 s ago"));
        assert!(msg(1000).contains(" 1 s ago"));
        assert!(msg(1001).contains(" 2 s ago"));
        assert!(msg(4999).contains(" 5 s ago"));
        assert!(msg(-5).contains(" 1 s ago"));
    }

    #[test]
    fn unparseable_numbers_show_as_stored() {
        let r = Refusal::InFlight {
            e164: "not-a-number".into(),
            started_ms_ago: 0,
        };
        assert_eq!(
            r.to_string(),
            "Already dialling not-a-number; wait for that call to be placed."
        );
    }

    #[test]
    fn storage_errors_read_as_a_sentence() {
        let e = LedgerError::Storage("the disk is full".into());
        assert_eq!(
            e.to_string(),
            "Clickdial could not use its call history (the disk is full)."
        );
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

    /// The guard's and history's queries must use indexes, or every dial slows as history grows.
    #[test]
    fn guard_and_history_queries_use_indexes() {
        let dir = tempfile::tempdir().unwrap();
        let (ledger, _) = Ledger::open(&dir.path().join(LEDGER_FILE)).unwrap();
        let conn = ledger.conn();
        let plan = |sql: &str| {
            let mut stmt = conn.prepare(&format!("EXPLAIN QUERY PLAN {sql}")).unwrap();
            let details: Vec<String> = stmt
                .query_map([], |r| r.get::<_, String>(3))
                .unwrap()
                .map(Result::unwrap)
                .collect();
            details.join("; ")
        };
        let cases = [
            (
                "SELECT id, pid FROM calls WHERE state = 'pending'",
                "calls_pending",
            ),
            (
                "SELECT COALESCE(finished_at_ms, created_at_ms) AS ended FROM calls
                 WHERE account = 'a' AND e164 = 'e'
                   AND created_at_ms > 1 AND created_at_ms <= 2
                   AND state IN ('pending', 'queued', 'unknown')
                   AND COALESCE(finished_at_ms, created_at_ms) > 1
                 ORDER BY ended DESC LIMIT 1",
                "calls_account_e164_created",
            ),
            (
                &format!("{SELECT_ROW} ORDER BY created_at_ms DESC, id DESC LIMIT 50"),
                "calls_created",
            ),
            (
                "SELECT id FROM calls WHERE e164 = 'e' ORDER BY created_at_ms DESC",
                "calls_e164_created",
            ),
            (
                "SELECT id FROM calls WHERE account = 'a' AND agent = 'g' AND state = 'queued'",
                "calls_account_agent_state",
            ),
        ];
        for (sql, index) in cases {
            let p = plan(sql);
            assert!(p.contains(index), "{sql}\n  plan: {p}");
        }
    }
}
