//! The file: its schema and migrations, and setting it up when it is opened, moving a damaged
//! file aside (never deleting it) and starting a new one.

use std::fs;
use std::io;
use std::path::{Path, PathBuf};
use std::time::Duration;

use rusqlite::config::DbConfig;
use rusqlite::{Connection, ErrorCode, TransactionBehavior};

use super::{io_storage, storage, wall_clock_ms, LedgerError, BUSY_TIMEOUT, LEDGER_FILE};

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
    // v3: the call record says it was recorded (1). The address carries a token and is never
    // stored: it is read again from the record when the agent plays it.
    "ALTER TABLE calls ADD COLUMN recording INTEGER;",
    // v4: the stage a follower last saw, the agent's wrap-up, and the event log other programs
    // read (`clickdial events`). The log is written by triggers, in the same write as the
    // change it records, so no path that changes a call (of this version or an older one
    // using a migrated file) can change it without its event.
    "ALTER TABLE calls ADD COLUMN stage TEXT;
    ALTER TABLE calls ADD COLUMN stage_at_ms INTEGER;
    ALTER TABLE calls ADD COLUMN disposition TEXT;
    ALTER TABLE calls ADD COLUMN note TEXT;
    ALTER TABLE calls ADD COLUMN wrapped_at_ms INTEGER;
    CREATE TABLE events (
        seq   INTEGER PRIMARY KEY AUTOINCREMENT,
        call  INTEGER NOT NULL,
        at_ms INTEGER NOT NULL,
        kind  TEXT    NOT NULL,
        value TEXT,
        note  TEXT
    );
    CREATE INDEX events_at ON events (at_ms);
    CREATE INDEX events_call ON events (call);
    CREATE TRIGGER events_dial AFTER UPDATE OF state ON calls
        WHEN OLD.state = 'pending' AND NEW.state != 'pending'
        BEGIN INSERT INTO events (call, at_ms, kind, value)
              VALUES (NEW.id, COALESCE(NEW.finished_at_ms, NEW.created_at_ms), 'dial',
                      NEW.state); END;
    -- SQLite runs the triggers of one change newest first: a call's last stage is logged
    -- before its end.
    CREATE TRIGGER events_end AFTER UPDATE OF outcome ON calls
        WHEN OLD.outcome IS NULL AND NEW.outcome IS NOT NULL
        BEGIN INSERT INTO events (call, at_ms, kind, value)
              VALUES (NEW.id, COALESCE(NEW.ended_at_ms, NEW.stage_at_ms, NEW.finished_at_ms,
                                       NEW.created_at_ms), 'end', NEW.outcome); END;
    CREATE TRIGGER events_stage AFTER UPDATE OF stage ON calls
        WHEN NEW.stage IS NOT NULL AND NEW.stage IS NOT OLD.stage
        BEGIN INSERT INTO events (call, at_ms, kind, value)
              VALUES (NEW.id, COALESCE(NEW.stage_at_ms, NEW.created_at_ms), 'stage',
                      NEW.stage); END;
    CREATE TRIGGER events_wrapup AFTER UPDATE OF wrapped_at_ms ON calls
        WHEN NEW.wrapped_at_ms IS NOT NULL
        BEGIN INSERT INTO events (call, at_ms, kind, value, note)
              VALUES (NEW.id, NEW.wrapped_at_ms, 'wrapup', NEW.disposition, NEW.note); END;
    CREATE TRIGGER events_pruned AFTER DELETE ON calls
        BEGIN DELETE FROM events WHERE call = OLD.id; END;",
    // v5: the after-call hand-off of the call's wrap-up to the CRM: `delivered` or
    // `notDelivered`, why not (a short reason, never the address's query), and when. No
    // trigger watches these columns: keeping this record logs no event.
    "ALTER TABLE calls ADD COLUMN handoff TEXT;
    ALTER TABLE calls ADD COLUMN handoff_reason TEXT;
    ALTER TABLE calls ADD COLUMN handoff_at_ms INTEGER;",
];

/// The schema version this build writes.
const SCHEMA_VERSION: i64 = MIGRATIONS.len() as i64;

/// Why a file could not be set up.
pub(super) enum SetupError {
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

/// How much of a file is read for damage before it is used.
#[derive(Clone, Copy, PartialEq)]
pub(super) enum Check {
    /// SQLite's quick check of every page.
    Whole,
    /// Only that it is a SQLite file whose schema can be read.
    Header,
}

/// Sets `path` up, moving a damaged file aside and starting a new one; with the notice that
/// says so.
pub(super) fn open_repairing(
    path: &Path,
    check: Check,
) -> Result<(Connection, Option<String>), LedgerError> {
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
    use super::super::history::SELECT_ROW;
    use super::super::{Ledger, LEDGER_FILE};

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
