//! One Clickdial per desktop session (Linux: a name on the session bus). A launch (`clickdial`,
//! `clickdial tel:…`) is handed to the running Clickdial before anything heavy is loaded, so a
//! click reaches it in a few milliseconds instead of after GTK and WebKit start ([`forward`]);
//! the process in charge answers launches and can give its place to another with no gap
//! ([`Instance`]): the window to the tray keeper and back.

/// What became of a launch handed to the running Clickdial.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Forward {
    /// The running app's window took it.
    Delivered,
    /// Clickdial runs only in the tray, without its window (the GUI-free keeper): it gave up
    /// its place and its state (a [`Handover`] in JSON), and this process becomes the window.
    Become(String),
    /// No Clickdial runs (or there is no session bus): start the app.
    NoInstance,
    /// An app was there but the call failed in a way that may have delivered the link (a
    /// timeout, say). Delivering it again could dial twice, so the caller reports this instead.
    Unknown(String),
}

/// The single-instance name on the session bus (the one tauri-plugin-single-instance used, so
/// a running older Clickdial and this one still find each other's name).
#[cfg(target_os = "linux")]
pub fn bus_name() -> String {
    format!("{}.SingleInstance", crate::IDENTIFIER)
}

#[cfg(target_os = "linux")]
fn object_path() -> String {
    format!("/{}", bus_name().replace('.', "/").replace('-', "_"))
}

#[cfg(target_os = "linux")]
const INTERFACE: &str = "org.SingleInstance.DBus";

/// Sends `argv` (program name first) to the running Clickdial.
#[cfg(target_os = "linux")]
pub fn forward(argv: &[String]) -> Forward {
    let Ok(connection) = zbus::blocking::Connection::session() else {
        return Forward::NoInstance;
    };
    let cwd = std::env::current_dir()
        .unwrap_or_default()
        .to_string_lossy()
        .into_owned();
    let name = bus_name();
    let reply = connection.call_method(
        Some(name.as_str()),
        object_path().as_str(),
        Some(INTERFACE),
        "TakeOver",
        &(argv, cwd.as_str()),
    );
    match reply {
        Ok(message) => match message.body().deserialize::<String>() {
            Ok(state) if state.is_empty() => Forward::Delivered,
            Ok(state) => Forward::Become(state),
            Err(e) => Forward::Unknown(e.to_string()),
        },
        // Nobody owns the name: the bus refused before anything reached an app.
        Err(zbus::Error::MethodError(error, _, _))
            if matches!(
                error.as_str(),
                "org.freedesktop.DBus.Error.ServiceUnknown"
                    | "org.freedesktop.DBus.Error.NameHasNoOwner"
            ) =>
        {
            Forward::NoInstance
        }
        Err(e) => Forward::Unknown(e.to_string()),
    }
}

/// Elsewhere the plugin forwards from inside the app (a named pipe on Windows; macOS sends
/// links as events to the running app itself).
#[cfg(not(target_os = "linux"))]
pub fn forward(_argv: &[String]) -> Forward {
    Forward::NoInstance
}

/// What the window and the tray keeper hand each other when one takes over from the other:
/// nothing secret (the account stays in the keyring and the settings file), only what the
/// agent would otherwise lose.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct Handover {
    /// What was typed in the number field.
    pub draft: String,
    /// The agent and caller ID the tray chose.
    pub picks: Option<crate::tray::Picks>,
    /// Messages the agent has not seen yet.
    pub notices: Vec<String>,
    /// The lists the tray offers, as the window last loaded them.
    pub agents: Vec<crate::tray::Choice>,
    pub callers: Vec<crate::tray::Choice>,
    /// Numbers for the confirm sheet, in the order they came (the tray, the hotkey).
    pub deliveries: Vec<Delivery>,
}

/// Text for the confirm sheet and where it came from.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Delivery {
    pub text: String,
    pub source: crate::ledger::Source,
}

/// The environment variable that carries a [`Handover`] to the process taking over (read and
/// removed at its start).
pub const HANDOVER_VAR: &str = "CLICKDIAL_HANDOVER";

impl Handover {
    /// The handover this process was started with, if any; removed from the environment so no
    /// program it starts inherits it. Call before any thread starts. A damaged one is ignored:
    /// it only carries conveniences.
    pub fn take_from_env() -> Option<Handover> {
        let value = std::env::var_os(HANDOVER_VAR)?;
        std::env::remove_var(HANDOVER_VAR);
        Some(serde_json::from_str(&value.to_string_lossy()).unwrap_or_default())
    }

    pub fn to_json(&self) -> String {
        serde_json::to_string(self).unwrap_or_default()
    }
}

#[cfg(target_os = "linux")]
pub use server::{Answer, Claim, Instance};

/// Owning the single-instance name, answering launches, and giving the name to another process
/// without a moment in which a clicked link finds nobody (Linux, session bus).
#[cfg(target_os = "linux")]
mod server {
    use std::sync::Arc;
    use std::time::{Duration, Instant};

    use tokio::sync::watch;
    use zbus::fdo::{DBusProxy, RequestNameFlags};

    use super::{bus_name, object_path, INTERFACE};

    /// What the process in charge answers a launch with: `""` when it took the launch itself
    /// (the window), or a [`super::Handover`] in JSON for the launching process to become the
    /// window with (the keeper).
    pub type Answer = Arc<dyn Fn(Vec<String>) -> String + Send + Sync>;

    #[derive(Debug, Clone, Copy, PartialEq, Eq)]
    enum Phase {
        InCharge,
        /// Waiting for the next process to queue for the name: launches wait too.
        HandingOver,
        /// The name went to the next process: launches are passed on to it.
        Gone,
    }

    struct Launches {
        answer: Answer,
        phase: Arc<watch::Sender<Phase>>,
    }

    #[zbus::interface(name = "org.SingleInstance.DBus")]
    impl Launches {
        /// A launch (`clickdial`, `clickdial tel:…`): answered by the process in charge, held
        /// while the name changes hands, passed on once it has.
        async fn take_over(
            &self,
            argv: Vec<String>,
            cwd: String,
            #[zbus(connection)] connection: &zbus::Connection,
        ) -> zbus::fdo::Result<String> {
            let mut phase = self.phase.subscribe();
            loop {
                let now = *phase.borrow_and_update();
                match now {
                    Phase::InCharge => {}
                    Phase::HandingOver => {
                        if phase.changed().await.is_err() {
                            return Err(zbus::fdo::Error::Failed("shutting down".into()));
                        }
                        continue;
                    }
                    Phase::Gone => break,
                }
                // Answered under the phase's lock: of two launches at once, only one can be
                // given the handover (the other waits, then goes to the new window).
                let mut answered = None;
                self.phase.send_if_modified(|now| {
                    if *now != Phase::InCharge {
                        return false;
                    }
                    let answer = (self.answer)(argv.clone());
                    let handing_over = !answer.is_empty();
                    answered = Some(answer);
                    if handing_over {
                        *now = Phase::HandingOver;
                    }
                    handing_over
                });
                if let Some(answer) = answered {
                    return Ok(answer);
                }
            }
            let name = bus_name();
            let reply = connection
                .call_method(
                    Some(name.as_str()),
                    object_path().as_str(),
                    Some(INTERFACE),
                    "TakeOver",
                    &(argv, cwd),
                )
                .await
                .map_err(|e| zbus::fdo::Error::Failed(e.to_string()))?;
            reply
                .body()
                .deserialize::<String>()
                .map_err(|e| zbus::fdo::Error::Failed(e.to_string()))
        }
    }

    /// How a claim on the name went.
    pub enum Claim {
        /// This process is in charge.
        Owner(Instance),
        /// Another process is in charge and hands the name over when it sees this one queued.
        Queued(Instance),
        /// Another process is in charge (and `queue` was false).
        Taken,
    }

    /// This process's connection and its place on the name.
    pub struct Instance {
        connection: zbus::Connection,
        phase: Arc<watch::Sender<Phase>>,
    }

    const POLL: Duration = Duration::from_millis(25);

    impl Instance {
        /// Serves launches with `answer` and asks for the name: at once, or (`queue`) after the
        /// process in charge, which hands it over. `address` is the bus (tests); the session's
        /// by default.
        pub async fn claim(
            answer: Answer,
            queue: bool,
            address: Option<&str>,
        ) -> zbus::Result<Claim> {
            let phase = Arc::new(watch::Sender::new(Phase::InCharge));
            let builder = match address {
                Some(a) => zbus::connection::Builder::address(a)?,
                None => zbus::connection::Builder::session()?,
            };
            let connection = builder
                .serve_at(
                    object_path(),
                    Launches {
                        answer,
                        phase: phase.clone(),
                    },
                )?
                .build()
                .await?;
            let flags = if queue {
                enumflags2::BitFlags::empty()
            } else {
                RequestNameFlags::DoNotQueue.into()
            };
            let instance = Instance { connection, phase };
            match instance
                .connection
                .request_name_with_flags(bus_name().as_str(), flags)
                .await
            {
                Ok(zbus::fdo::RequestNameReply::InQueue) => Ok(Claim::Queued(instance)),
                Ok(_) => Ok(Claim::Owner(instance)),
                Err(zbus::Error::NameTaken) => Ok(Claim::Taken),
                Err(e) => Err(e),
            }
        }

        async fn bus(&self) -> zbus::Result<DBusProxy<'_>> {
            DBusProxy::new(&self.connection).await
        }

        /// Whether this process owns the name now.
        pub async fn is_owner(&self) -> bool {
            let Ok(bus) = self.bus().await else {
                return false;
            };
            let me = self.connection.unique_name().map(|n| n.to_string());
            match bus
                .get_name_owner(bus_name().as_str().try_into().unwrap())
                .await
            {
                Ok(owner) => Some(owner.to_string()) == me,
                Err(_) => false,
            }
        }

        /// Waits until the name is this process's (handed over by the one in charge), up to
        /// `timeout`.
        pub async fn wait_until_owner(&self, timeout: Duration) -> bool {
            let deadline = Instant::now() + timeout;
            loop {
                if self.is_owner().await {
                    return true;
                }
                if Instant::now() >= deadline {
                    return false;
                }
                tokio::time::sleep(POLL).await;
            }
        }

        /// Holds launches from now on (a window is being started): they wait, then go to it.
        pub fn hold_launches(&self) {
            self.phase.send_replace(Phase::HandingOver);
        }

        /// Answers launches again (the window did not start).
        pub fn resume_launches(&self) {
            self.phase.send_replace(Phase::InCharge);
        }

        /// Whether the bus is still there (it goes with the desktop session).
        pub async fn bus_alive(&self) -> bool {
            match self.bus().await {
                Ok(bus) => bus.get_id().await.is_ok(),
                Err(_) => false,
            }
        }

        /// Gives the name to the process queued for it, as soon as one is, within `timeout`
        /// and while `waiting()` says it is worth waiting (a child that died before queuing is
        /// not). Launches arriving meanwhile wait, then go to the new owner, so none is
        /// lost or answered twice. `before_release` runs just before (the hotkey's grab and
        /// the tray go first). Returns whether the name was handed over; if not, this process
        /// is still in charge.
        pub async fn hand_over(
            &self,
            timeout: Duration,
            mut waiting: impl FnMut() -> bool,
            before_release: impl FnOnce(),
        ) -> bool {
            self.phase.send_replace(Phase::HandingOver);
            let deadline = Instant::now() + timeout;
            let queued = loop {
                if let Ok(bus) = self.bus().await {
                    if let Ok(owners) = bus
                        .list_queued_owners(bus_name().as_str().try_into().unwrap())
                        .await
                    {
                        if owners.len() >= 2 {
                            break true;
                        }
                    }
                }
                if Instant::now() >= deadline || !waiting() {
                    break false;
                }
                tokio::time::sleep(POLL).await;
            };
            if !queued {
                self.phase.send_replace(Phase::InCharge);
                return false;
            }
            before_release();
            match self.connection.release_name(bus_name().as_str()).await {
                Ok(_) => {
                    self.phase.send_replace(Phase::Gone);
                    true
                }
                Err(_) => {
                    self.phase.send_replace(Phase::InCharge);
                    false
                }
            }
        }
    }
}

/// What to tell the agent when a link may or may not have reached the running app.
pub fn unknown_message(detail: &str) -> String {
    format!(
        "Clickdial is running but did not confirm it received the link ({detail}). It was not \
         sent again, so nothing is dialled twice: look at the Clickdial window, and click the \
         link again if no sheet opened."
    )
}

/// What the small front program (`clickdial`) does once it knows the window
/// is wanted: a launch (no arguments, or a lone `tel:`/`callto:` link) is handed to the running
/// Clickdial's window (and this process ends); otherwise, when none runs, or when Clickdial runs
/// only in the tray (it then hands over its state), this process becomes `program` from its own
/// folder with the same arguments (on Unix the same process, named `clickdial`: GTK takes the program name,
/// the window's WM_CLASS that the desktop entry's StartupWMClass matches, from it). `me` names
/// this program in messages. Never returns.
pub fn hand_over_or_become(args: &[std::ffi::OsString], program: &str, me: &str) -> ! {
    let mut handover = None;
    // A launch (no arguments, or a lone link) goes to the running Clickdial; started at login,
    // the app itself decides (an instance already running keeps its window as it is).
    let launch = match args {
        [_] => true,
        [_, link] => link.to_str().is_some_and(clickdial_core::phone::is_link),
        _ => false,
    };
    if launch {
        let argv: Vec<String> = args
            .iter()
            .map(|a| a.to_string_lossy().into_owned())
            .collect();
        match forward(&argv) {
            Forward::Delivered => std::process::exit(0),
            Forward::Become(state) => handover = Some(state),
            Forward::NoInstance => {}
            Forward::Unknown(detail) if argv.len() == 1 => {
                eprintln!("{me}: Clickdial is running but did not answer ({detail}).");
                std::process::exit(1);
            }
            Forward::Unknown(detail) => {
                eprintln!("{me}: {}", unknown_message(&detail));
                std::process::exit(1);
            }
        }
    }
    let path = crate::process::sibling(program);
    let mut command = std::process::Command::new(&path);
    // `skip`, not `[1..]`: a program can be started with no arguments at all, not even its name.
    command.args(args.iter().skip(1));
    if let Some(state) = handover {
        command.env(HANDOVER_VAR, state);
    }
    #[cfg(unix)]
    {
        use std::os::unix::process::CommandExt;
        let e = command.arg0("clickdial").exec();
        eprintln!("{me}: could not start {}: {e}", path.display());
        std::process::exit(1);
    }
    #[cfg(not(unix))]
    std::process::exit(match command.status() {
        Ok(s) => s.code().unwrap_or(1),
        Err(e) => {
            eprintln!("{me}: could not start {}: {e}", path.display());
            1
        }
    });
}
