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
//!
//! By job: `guard` ([`Ledger::begin`] and [`Ledger::finish`], and when a pending row counts as
//! interrupted), `history` (reading, searching, exporting and pruning calls) and `schema` (the
//! schema, its migrations, and setting a file up or moving a damaged one aside).

mod events;
mod guard;
mod history;
mod schema;
mod watch;

use std::fmt;
use std::fs;
use std::io;
use std::path::{Path, PathBuf};
use std::str::FromStr;
use std::sync::{Mutex, MutexGuard};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use clickdial_core::api::Outcome;
use rusqlite::config::DbConfig;
use rusqlite::{Connection, ErrorCode};
use serde::Serialize;

pub use events::{CallEvent, EventKind, EventPage, Handoff, EVENT_SCHEMA};
use guard::server_forms;
pub use guard::{same_server, DEMO_PREFIX};
pub use history::{csv, status_words};
use schema::{open_repairing, Check, SetupError};
pub use watch::Watch;

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
    /// The call record says it was recorded (the address is read again to play it).
    pub has_recording: bool,
    /// The stage a follower last saw (`ringing`, `connected`, `ended`…), when one followed it.
    pub stage: Option<String>,
    /// The agent's wrap-up: what came of the call ("Call back"), and their note.
    pub disposition: Option<String>,
    pub note: Option<String>,
    /// The last after-call hand-off of its wrap-up, when there was one.
    pub handoff: Option<Handoff>,
}

/// What a follower learnt about a queued call; `None` fields leave the stored value alone.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Progress<'a> {
    pub call_id: Option<&'a str>,
    pub outcome: Option<Outcome>,
    pub talk_s: Option<u64>,
    pub ended_at_ms: Option<i64>,
    pub detail: Option<&'a str>,
    /// The call record says it was recorded (never unset once set).
    pub recording: bool,
    /// The stage the follower sees now (its serialized name), and when it saw it (Unix ms).
    pub stage: Option<&'a str>,
    pub at_ms: i64,
}

/// Whose calls [`Ledger::unended_calls`] looks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Party<'a> {
    /// Calls to this number (E.164).
    Number(&'a str),
    /// Calls ringing this agent first.
    Agent(&'a str),
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
    /// Only the demo's calls (`Some(true)`: their `account` starts with "demo "), or only the
    /// others (`Some(false)`); every call when `None`. The application sets it for the
    /// session in use ([`crate::Clickdial::scoped`]), so demo calls never mix into a real
    /// account's history or CSV.
    pub demo: Option<bool>,
    /// Calls by these agents (IDs) or with these caller IDs (as dialled) match too, besides
    /// `digits`: a search by name, which the application turns into IDs. Empty: none.
    pub agents: Vec<String>,
    pub caller_ids: Vec<String>,
    /// Calls whose wrap-up (disposition or note) contains this text, in any case, match too,
    /// besides the names: the words of a search. `None`: not asked.
    pub wrap_up_text: Option<String>,
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
}

#[cfg(test)]
mod tests {
    use super::*;

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
}
