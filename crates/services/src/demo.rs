//! The demo's simulator, for the app's window: run by Clickdial's other program
//! (`clickdial sim --for-parent`) as a child process, so the window's program does not carry
//! the simulator's HTTP server (issue 10: 0.27 MB of it).

use std::process::Stdio;
use std::time::Duration;

use tokio::io::{AsyncBufReadExt, AsyncReadExt, BufReader};

pub use clickdial_core::DEMO_TOKEN;

/// Where the demo's simulator writes its address and its control token, in the data folder
/// (readable by this user only; see `clickdial_sim::run_for_parent`).
pub const CONTROL_FILE: &str = "demo-simulator.json";

/// How long the child may take to say where it listens.
const START_TIMEOUT: Duration = Duration::from_secs(10);

/// The most of the child's output read for its address (a URL is about 30 bytes).
const MAX_ANSWER: u64 = 256;

/// A running demo simulator. Dropping it stops the child; if this process ends without
/// dropping it (a crash), the child sees its standard input close and stops by itself.
#[derive(Debug)]
pub struct DemoServer {
    url: String,
    // Held for its standard input (open while we live) and killed on drop.
    _child: tokio::process::Child,
}

impl DemoServer {
    /// Starts `program sim --for-parent` (the command-line program beside this one, see
    /// [`crate::process::sibling`]) and waits for the base URL it prints.
    pub async fn start(program: &std::path::Path) -> Result<DemoServer, String> {
        let mut command = std::process::Command::new(program);
        command
            .args(["sim", "--for-parent"])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::null());
        crate::process::untuned(&mut command);
        let mut command = tokio::process::Command::from(command);
        command.kill_on_drop(true);
        let mut child = command
            .spawn()
            .map_err(|e| format!("could not start {}: {e}", program.display()))?;
        let stdout = child.stdout.take().ok_or("no output from the simulator")?;
        let mut lines = BufReader::new(stdout.take(MAX_ANSWER)).lines();
        let line = match tokio::time::timeout(START_TIMEOUT, lines.next_line()).await {
            Ok(Ok(Some(line))) => line,
            Ok(Ok(None)) => return Err("the simulator stopped before it started".into()),
            Ok(Err(e)) => return Err(format!("could not read from the simulator: {e}")),
            Err(_) => return Err("the simulator did not start in time".into()),
        };
        let url = line.trim();
        // Only our own simulator's answer is believed: a loopback address and nothing else.
        if !url.starts_with("http://127.0.0.1:") || url.len() > 40 {
            return Err("the simulator gave an address that is not its own".into());
        }
        Ok(DemoServer {
            url: url.to_string(),
            _child: child,
        })
    }

    /// The simulator's base URL (`http://127.0.0.1:PORT/v1`).
    pub fn url(&self) -> &str {
        &self.url
    }
}
