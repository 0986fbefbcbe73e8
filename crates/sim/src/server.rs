//! The running simulator: its state, the HTTP server on a local port, and the handle tests hold
//! ([`Sim`]) to read the request log, inject faults and steer calls.

use std::collections::{HashMap, VecDeque};
use std::net::SocketAddr;
use std::sync::atomic::AtomicU64;
use std::sync::{Arc, Mutex};
use std::time::Instant;

use tokio::sync::oneshot;

use crate::account::{Account, SimAgent, DEMO_EMAIL, DEMO_PASSWORD, DEMO_TOKEN};
use crate::control;
use crate::endpoints::auth::Lockout;
use crate::fault::Fault;
use crate::lifecycle::{Answer, CallInfo, CallTimings, SimCall};
use crate::router::{self, Recorded};
use crate::shapes::Shapes;

/// What every request handler shares.
pub(crate) struct Shared {
    pub(crate) account: Account,
    pub(crate) requests: Mutex<Vec<Recorded>>,
    pub(crate) faults: Mutex<VecDeque<Fault>>,
    pub(crate) call_seq: AtomicU64,
    /// Short-lived tokens issued by `/auth/login` and `/auth/refresh`, with their expiry.
    pub(crate) sessions: Mutex<HashMap<String, Instant>>,
    pub(crate) lockout: Mutex<Lockout>,
    pub(crate) timings: Mutex<CallTimings>,
    /// Queued calls, oldest first.
    pub(crate) calls: Mutex<Vec<SimCall>>,
    /// The agents as they are now (block/unblock change `status`, `/__sim/agent` `answer`);
    /// `account.agents` is only their starting point.
    pub(crate) agents: Mutex<Vec<SimAgent>>,
    /// How rows look now.
    pub(crate) shapes: Mutex<Shapes>,
    /// Until when every API request gets a gateway's 503 page (the account's state is kept).
    pub(crate) outage_until: Mutex<Option<Instant>>,
    /// When set, `/__sim/*` answers only requests that carry it in [`CONTROL_HEADER`].
    pub(crate) control_token: Option<String>,
}

/// The header that carries a guarded simulator's control token.
pub const CONTROL_HEADER: &str = "x-sim-control";

/// A running simulator. Dropping it stops the server.
pub struct Sim {
    addr: SocketAddr,
    shared: Arc<Shared>,
    shutdown: Option<oneshot::Sender<()>>,
}

impl Sim {
    /// Starts on 127.0.0.1 with a free port.
    pub async fn spawn(account: Account) -> std::io::Result<Sim> {
        Sim::bind(SocketAddr::from(([127, 0, 0, 1], 0)), account).await
    }

    pub async fn bind(addr: SocketAddr, account: Account) -> std::io::Result<Sim> {
        Sim::bind_guarded(addr, account, None).await
    }

    /// Like [`Sim::bind`], with `/__sim/*` refused (403) to requests without `control_token`
    /// in [`CONTROL_HEADER`]: the demo's simulator and `clickdial sim`, which any local user
    /// could reach, get a token made at random for each launch.
    pub async fn bind_guarded(
        addr: SocketAddr,
        account: Account,
        control_token: Option<String>,
    ) -> std::io::Result<Sim> {
        let listener = tokio::net::TcpListener::bind(addr).await?;
        let addr = listener.local_addr()?;
        let shared = Arc::new(Shared {
            requests: Mutex::new(Vec::new()),
            faults: Mutex::new(VecDeque::new()),
            call_seq: AtomicU64::new(11_930_963),
            sessions: Mutex::new(HashMap::new()),
            lockout: Mutex::new(Lockout::default()),
            timings: Mutex::new(account.timings),
            calls: Mutex::new(Vec::new()),
            agents: Mutex::new(account.agents.clone()),
            shapes: Mutex::new(Shapes::default()),
            outage_until: Mutex::new(None),
            control_token,
            account,
        });
        let app = axum::Router::new()
            .fallback(router::handle)
            .with_state(shared.clone());
        let (tx, rx) = oneshot::channel::<()>();
        tokio::spawn(async move {
            let _ = axum::serve(listener, app)
                .with_graceful_shutdown(async {
                    let _ = rx.await;
                })
                .await;
        });
        Ok(Sim {
            addr,
            shared,
            shutdown: Some(tx),
        })
    }

    /// The API base URL, version path included: `http://127.0.0.1:PORT/v1`.
    pub fn url(&self) -> String {
        format!("http://{}/v1", self.addr)
    }

    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// The account as served now: a snapshot, with the agents' current status and answer.
    pub fn account(&self) -> Account {
        Account {
            agents: lock(&self.shared.agents).clone(),
            timings: *lock(&self.shared.timings),
            ..self.shared.account.clone()
        }
    }

    /// Every request received so far, oldest first.
    pub fn requests(&self) -> Vec<Recorded> {
        lock(&self.shared.requests).clone()
    }

    /// Requests whose path ends with `suffix`, e.g. `/click_to_call`.
    pub fn requests_to(&self, suffix: &str) -> Vec<Recorded> {
        lock(&self.shared.requests)
            .iter()
            .filter(|r| r.path.ends_with(suffix))
            .cloned()
            .collect()
    }

    pub fn inject(&self, fault: Fault) {
        lock(&self.shared.faults).push_back(fault);
    }

    /// Ends every short-lived token at once, as a server-side revocation would.
    pub fn expire_sessions(&self) {
        lock(&self.shared.sessions).clear();
    }

    /// Stage lengths for calls queued from now on.
    pub fn set_timings(&self, timings: CallTimings) {
        *lock(&self.shared.timings) = timings;
    }

    /// How the agent `eid` answers calls queued from now on; `false` for an unknown agent.
    pub fn set_agent_answer(&self, eid: &str, answer: Answer) -> bool {
        control::set_answer(&self.shared, eid, answer)
    }

    /// Adds `extra` agents ("Team member 001" ...), as a large account has.
    pub fn add_agents(&self, extra: usize) {
        control::add_team(&self.shared, extra);
    }

    /// How rows look from now on (live rows of calls already queued keep their call ids).
    pub fn set_shapes(&self, shapes: Shapes) {
        *lock(&self.shared.shapes) = shapes;
    }

    /// An outage: for `d` from now, every API request gets a gateway's HTML 503 page, as when
    /// the platform or the office's link is down. Calls go on meanwhile, and everything is
    /// served as before once it is over.
    pub fn outage(&self, d: std::time::Duration) {
        control::outage(&self.shared, d);
    }

    /// A call placed from another desk (a colleague dialling from the portal or their own
    /// app): agent `eid` to `customer` (digits with the country code), queued now. It is
    /// listed account-wide like any other call. `None` for an unknown agent.
    pub fn place_call(&self, eid: &str, customer: &str) -> Option<CallInfo> {
        control::place_call(&self.shared, eid, customer)
    }

    /// Every queued call and where it stands now, oldest first.
    pub fn calls(&self) -> Vec<CallInfo> {
        let now = Instant::now();
        lock(&self.shared.calls)
            .iter()
            .map(|c| c.info(now))
            .collect()
    }
}

impl Drop for Sim {
    fn drop(&mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
    }
}

/// A mutex's data, even if a handler panicked while holding it.
pub(crate) fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

/// A control token made at random for one launch.
fn control_token() -> String {
    uuid::Uuid::new_v4().simple().to_string()
}

/// Runs the demo account on 127.0.0.1:`port` until Ctrl-C; for `clickdial sim` and the binary.
/// Its controls need the token it prints.
pub async fn run_foreground(port: u16) -> std::io::Result<()> {
    let token = control_token();
    let sim = Sim::bind_guarded(
        SocketAddr::from(([127, 0, 0, 1], port)),
        Account::demo(),
        Some(token.clone()),
    )
    .await?;
    println!("Servetel simulator (demo account) listening.");
    println!("  base URL: {}", sim.url());
    println!("  token:    {DEMO_TOKEN}");
    println!("  controls: /__sim/* with the header {CONTROL_HEADER}: {token}");
    println!("  sign-in:  {DEMO_EMAIL} / {DEMO_PASSWORD}");
    println!(
        "  agents:   {}",
        sim.account()
            .agents
            .iter()
            .map(|a| a.eid.as_str())
            .collect::<Vec<_>>()
            .join(", ")
    );
    println!(
        "  DIDs:     {}",
        sim.account()
            .dids
            .iter()
            .map(|d| format!("{} ({})", d.did.trim_start_matches('+'), d.alias))
            .collect::<Vec<_>>()
            .join(", ")
    );
    println!("Press Ctrl-C to stop.");
    tokio::signal::ctrl_c().await?;
    drop(sim);
    Ok(())
}

/// `clickdial sim --for-parent`: the demo's simulator for the app's window, in a process of its
/// own so that the window's program does not carry the simulator's server. Prints its base URL
/// on one line, then serves until its standard input closes, which happens when the window's
/// process ends for any reason, or until it is killed.
///
/// Its controls need a token made for this launch, written with the URL to `control_file`
/// (`{"url": …, "controlToken": …}`, readable by this user only, removed when it stops): the
/// same user's scripts and tests find it there, other local users cannot.
pub async fn run_for_parent(control_file: Option<&std::path::Path>) -> std::io::Result<()> {
    let token = control_token();
    let sim = Sim::bind_guarded(
        SocketAddr::from(([127, 0, 0, 1], 0)),
        Account::demo(),
        Some(token.clone()),
    )
    .await?;
    let written = match control_file {
        Some(path) => {
            let body = serde_json::json!({"url": sim.url(), "controlToken": token}).to_string();
            write_private(path, &body).ok().map(|()| path.to_path_buf())
        }
        None => None,
    };
    {
        use std::io::Write;
        let mut out = std::io::stdout().lock();
        writeln!(out, "{}", sim.url())?;
        out.flush()?;
    }
    let (closed, stdin_closed) = tokio::sync::oneshot::channel::<()>();
    std::thread::spawn(move || {
        // Nothing is ever written to it: this returns at end of file or on an error.
        let _ = std::io::copy(&mut std::io::stdin().lock(), &mut std::io::sink());
        let _ = closed.send(());
    });
    let ended = tokio::select! {
        _ = stdin_closed => Ok(()),
        r = tokio::signal::ctrl_c() => r,
    };
    if let Some(path) = written {
        let _ = std::fs::remove_file(path);
    }
    drop(sim);
    ended
}

/// Writes `body` to `path` readable by this user only (a new file, renamed over the old).
fn write_private(path: &std::path::Path, body: &str) -> std::io::Result<()> {
    use std::io::Write;
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir)?;
    }
    let tmp = path.with_extension(format!("{}.tmp", std::process::id()));
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    options.open(&tmp)?.write_all(body.as_bytes())?;
    std::fs::rename(&tmp, path)
}
