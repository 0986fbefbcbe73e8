//! The duplicate-dial guard against a reference model of its documented rules: random
//! interleavings of dials, finishes, crashes and clock moves over several connections to one
//! file (SQLite locks them exactly as it locks processes), with pending rows of this process,
//! of other live processes and of processes that died. The guard's real conditions are SQL,
//! which mutation testing cannot reach; this checks them rule by rule instead.

#![cfg(unix)]

use std::collections::HashSet;
use std::process::{Child, Command};

use clickdial_services::ledger::{
    CallState, Finish, Ledger, LedgerError, NewCall, Refusal, Source, BOUNCE_WINDOW,
    INTERRUPTED_REASON, LEDGER_FILE, STALE_PENDING,
};
use proptest::prelude::*;

/// An arbitrary wall-clock time (2023-11-14), so the model never reads the real clock.
const T0: i64 = 1_700_000_000_000;
const ACCOUNTS: [&str; 2] = ["acme", "globex"];
const NUMBERS: [&str; 2] = ["+919876543210", "+919812345678"];
const AGENTS: [&str; 2] = ["1001", "1002"];
/// Ledgers open on the one file, as separate processes would have them.
const CONNECTIONS: usize = 3;
/// Slot 0 is this process, which never dies; the others hold a real child process each, whose
/// pid the slot's dials record and which a crash kills (and replaces with a new one).
const PROCESSES: usize = 3;

const BOUNCE_MS: i64 = BOUNCE_WINDOW.as_millis() as i64;
const STALE_MS: i64 = STALE_PENDING.as_millis() as i64;

#[derive(Debug, Clone, Copy)]
enum How {
    Queued,
    NotPlaced,
    Unknown,
}

#[derive(Debug, Clone)]
enum Op {
    /// A dial from process slot `process` through connection `conn`.
    Begin {
        process: usize,
        conn: usize,
        account: usize,
        number: usize,
        agent: usize,
    },
    /// The process that began a call (alive, not yet finished; the `pick`-th such call) records
    /// how it ended.
    Finish { pick: usize, conn: usize, how: How },
    /// The process in slot `process` (never 0) dies mid-request, its pending dials unfinished.
    Crash { process: usize },
    /// The wall clock moves (backwards too: clocks get set).
    Wait { ms: i64 },
}

fn op() -> impl Strategy<Value = Op> {
    let how = prop_oneof![Just(How::Queued), Just(How::NotPlaced), Just(How::Unknown)];
    let wait = prop_oneof![
        4 => 0i64..=1_500,
        1 => Just(BOUNCE_MS - 1),
        1 => Just(BOUNCE_MS),
        2 => BOUNCE_MS - 1_000..=BOUNCE_MS + 1_000,
        1 => Just(STALE_MS),
        1 => Just(STALE_MS + 1),
        1 => STALE_MS - 2_000..=STALE_MS + 2_000,
        1 => 100_000i64..=300_000,
        1 => -6_000i64..=-1,
        1 => -70_000i64..=-6_000,
    ];
    prop_oneof![
        5 => (0..PROCESSES, 0..CONNECTIONS, 0..ACCOUNTS.len(), 0..NUMBERS.len(), 0..AGENTS.len())
            .prop_map(|(process, conn, account, number, agent)| Op::Begin {
                process,
                conn,
                account,
                number,
                agent,
            }),
        3 => (0..4usize, 0..CONNECTIONS, how).prop_map(|(pick, conn, how)| Op::Finish {
            pick,
            conn,
            how,
        }),
        1 => (1..PROCESSES).prop_map(|process| Op::Crash { process }),
        4 => wait.prop_map(|ms| Op::Wait { ms }),
    ]
}

// --- The model --------------------------------------------------------------------------------

#[derive(Debug, Clone)]
struct Call {
    id: i64,
    account: usize,
    number: usize,
    agent: usize,
    /// Which process dialled (0 is this one; children are numbered from 1 as they start).
    owner: u32,
    created: i64,
    /// As stored: a sweep turns a pending call unknown; reading does not.
    state: CallState,
    finished: Option<i64>,
    /// The dialling process recorded the outcome; it never does twice.
    finished_by_owner: bool,
}

/// The rules `Ledger::begin` documents, written plainly over a list of calls.
#[derive(Debug, Default)]
struct Model {
    calls: Vec<Call>,
    /// Processes that died.
    gone: HashSet<u32>,
}

impl Model {
    /// A pending call that will never be finished: older than STALE_PENDING (either way: a
    /// call from the "future" means the clock was set back), or its process died.
    fn interrupted(&self, c: &Call, now: i64) -> bool {
        c.state == CallState::Pending
            && ((now - c.created).abs() > STALE_MS || self.gone.contains(&c.owner))
    }

    /// A call as history reads it at `now`: (state, finished at).
    fn read(&self, c: &Call, now: i64) -> (CallState, Option<i64>) {
        if self.interrupted(c, now) {
            (CallState::Unknown, c.finished)
        } else {
            (c.state, c.finished)
        }
    }

    fn begin(
        &mut self,
        account: usize,
        number: usize,
        agent: usize,
        now: i64,
    ) -> Result<(), Refusal> {
        // Interrupted calls become unknown ("may have been placed"), ended now; refused or not.
        for i in 0..self.calls.len() {
            if self.interrupted(&self.calls[i], now) {
                let c = &mut self.calls[i];
                c.state = CallState::Unknown;
                c.finished = Some(now);
            }
        }
        // In flight on this account: the same number first, then the same agent's phone.
        let pending = |c: &&Call| c.state == CallState::Pending && c.account == account;
        let in_flight = self
            .calls
            .iter()
            .filter(pending)
            .find(|c| c.number == number)
            .or_else(|| self.calls.iter().filter(pending).find(|c| c.agent == agent));
        if let Some(c) = in_flight {
            return Err(Refusal::InFlight {
                e164: NUMBERS[c.number].into(),
                started_ms_ago: (now - c.created).max(0),
            });
        }
        // A call to this number on this account that may have reached the server (anything but
        // not placed) and ended within the bounce window. No request outlives STALE_PENDING, so
        // a call counts as ended by then at the latest; a call dated more than a window ahead
        // (the clock was set back) does not count.
        let last_end = self
            .calls
            .iter()
            .filter(|c| c.account == account && c.number == number)
            .filter(|c| c.state != CallState::NotPlaced)
            .filter(|c| c.created <= now + BOUNCE_MS)
            .map(|c| (c, c.finished.unwrap_or(c.created)))
            .filter(|(c, end)| (*end).min(c.created + STALE_MS) > now - BOUNCE_MS)
            .map(|(_, end)| end)
            .max();
        if let Some(end) = last_end {
            let ago_ms = (now - end).max(0);
            return Err(Refusal::Repeated {
                e164: NUMBERS[number].into(),
                ago_ms,
                retry_in_ms: (BOUNCE_MS - ago_ms).max(0),
            });
        }
        Ok(())
    }
}

// --- The real thing ---------------------------------------------------------------------------

/// Child processes standing in for other Clickdial processes; killed when dropped.
struct Processes {
    children: Vec<Option<Child>>,
    /// Each slot's current process, as the model numbers them.
    owners: Vec<u32>,
    next_owner: u32,
}

impl Processes {
    fn new() -> Processes {
        let mut p = Processes {
            children: (0..PROCESSES).map(|_| None).collect(),
            owners: vec![0; PROCESSES],
            next_owner: 1,
        };
        for slot in 1..PROCESSES {
            p.start(slot);
        }
        p
    }

    fn start(&mut self, slot: usize) {
        let child = Command::new("sleep")
            .arg("600")
            .spawn()
            .expect("sleep runs");
        self.children[slot] = Some(child);
        self.owners[slot] = self.next_owner;
        self.next_owner += 1;
    }

    fn pid(&self, slot: usize) -> Option<i64> {
        self.children[slot].as_ref().map(|c| i64::from(c.id()))
    }

    /// Kills the slot's process (reaped, so its pid names nothing) and starts another.
    fn crash(&mut self, slot: usize) -> u32 {
        let gone = self.owners[slot];
        if let Some(mut child) = self.children[slot].take() {
            let _ = child.kill();
            let _ = child.wait();
        }
        self.start(slot);
        gone
    }
}

impl Drop for Processes {
    fn drop(&mut self) {
        for child in self.children.iter_mut().filter_map(Option::take) {
            let mut child = child;
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

fn run(ops: &[Op]) -> Result<(), TestCaseError> {
    // In memory where there is such a folder: the model has no use for the disk's flushes.
    let dir = tempfile::tempdir_in("/dev/shm")
        .or_else(|_| tempfile::tempdir())
        .unwrap();
    let path = dir.path().join(LEDGER_FILE);
    let ledgers: Vec<Ledger> = (0..CONNECTIONS)
        .map(|_| Ledger::open(&path).unwrap().0)
        .collect();
    let raw = rusqlite::Connection::open(&path).unwrap();
    raw.busy_timeout(std::time::Duration::from_secs(5)).unwrap();
    raw.pragma_update(None, "synchronous", "OFF").unwrap();
    let mut processes = Processes::new();
    let mut model = Model::default();
    let mut now = T0;

    for (step, op) in ops.iter().enumerate() {
        match *op {
            Op::Begin {
                process,
                conn,
                account,
                number,
                agent,
            } => {
                let call = NewCall {
                    account: ACCOUNTS[account],
                    e164: NUMBERS[number],
                    ext: None,
                    agent: AGENTS[agent],
                    caller_id: None,
                    source: Source::Cli,
                    custom_identifier: "model",
                };
                let got = ledgers[conn].begin(&call, now);
                let want = model.begin(account, number, agent, now);
                let got = match got {
                    Ok(id) => {
                        // The row records whoever dialled: for another slot, its child's pid.
                        if let Some(pid) = processes.pid(process) {
                            raw.execute("UPDATE calls SET pid = ?1 WHERE id = ?2", [pid, id])
                                .unwrap();
                        }
                        model.calls.push(Call {
                            id,
                            account,
                            number,
                            agent,
                            owner: processes.owners[process],
                            created: now,
                            state: CallState::Pending,
                            finished: None,
                            finished_by_owner: false,
                        });
                        Ok(())
                    }
                    Err(LedgerError::Refused(r)) => Err(r),
                    Err(e) => return Err(TestCaseError::fail(format!("step {step}: {e}"))),
                };
                prop_assert_eq!(got, want, "step {}: {:?} at +{}", step, op, now - T0);
            }
            Op::Finish { pick, conn, how } => {
                let open: Vec<usize> = (0..model.calls.len())
                    .filter(|&i| {
                        let c = &model.calls[i];
                        !c.finished_by_owner && !model.gone.contains(&c.owner)
                    })
                    .collect();
                let Some(&i) = open.get(pick % open.len().max(1)) else {
                    continue;
                };
                let (finish, state) = match how {
                    How::Queued => (
                        Finish::Queued {
                            ref_id: None,
                            call_id: None,
                            message: "queued",
                        },
                        CallState::Queued,
                    ),
                    How::NotPlaced => (
                        Finish::NotPlaced { reason: "refused" },
                        CallState::NotPlaced,
                    ),
                    How::Unknown => (
                        Finish::Unknown {
                            reason: "timed out",
                        },
                        CallState::Unknown,
                    ),
                };
                ledgers[conn]
                    .finish(model.calls[i].id, finish, now)
                    .unwrap();
                let c = &mut model.calls[i];
                c.state = state;
                c.finished = Some(now);
                c.finished_by_owner = true;
            }
            Op::Crash { process } => {
                let gone = processes.crash(process);
                model.gone.insert(gone);
            }
            Op::Wait { ms } => now += ms,
        }

        // Every call reads as the model says, from any connection, and refusals wrote nothing.
        let rows = ledgers[step % CONNECTIONS].recent(1_000, now).unwrap();
        prop_assert_eq!(rows.len(), model.calls.len(), "step {}", step);
        for c in &model.calls {
            let row = rows.iter().find(|r| r.id == c.id).expect("the row exists");
            prop_assert_eq!(
                (row.state, row.finished_at_ms),
                model.read(c, now),
                "step {}: call {} at +{}",
                step,
                c.id,
                now - T0
            );
            if model.interrupted(c, now) {
                prop_assert_eq!(row.reason.as_deref(), Some(INTERRUPTED_REASON));
            }
        }
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig {
        cases: 128,
        ..ProptestConfig::default()
    })]

    #[test]
    fn the_guard_follows_its_rules(ops in prop::collection::vec(op(), 1..48)) {
        run(&ops)?;
    }
}
