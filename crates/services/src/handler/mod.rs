//! The default-handler "doctor": does the OS send `tel:` and `callto:` links to Clickdial,
//! making Clickdial the default, and opening a link through the OS (the self-test).
//!
//! Linux (and other freedesktop systems) asks `xdg-mime`, the tool `xdg-open` itself uses, and
//! shows `gio`'s answer next to it (GNOME and KDE hand links to gio/kde-open, and the two can
//! disagree). macOS only lets the user choose (FaceTime › Settings › "Default for calls"), and
//! Windows 10/11 only through Settings › Default apps, so there the doctor explains and opens
//! the right page. Nothing here panics: a missing tool, odd output or a non-UTF-8 path gives a
//! status or an error in plain words.

use std::ffi::OsString;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use serde::Serialize;

use crate::{Code, Error};

pub mod browser;

/// The link schemes Clickdial handles.
pub const SCHEMES: [&str; 2] = ["tel", "callto"];

/// How long a query tool (xdg-mime, gio, reg) may take before it is stopped.
const TOOL_TIMEOUT: Duration = Duration::from_secs(10);
/// How long `open_through_os` waits to hear that the opener failed.
const OPENER_WAIT: Duration = Duration::from_secs(3);

/// Where the desktop looks for applications and associations. `Desktop::from_env()` reads
/// HOME, XDG_DATA_HOME, XDG_CONFIG_HOME, XDG_DATA_DIRS (with the XDG defaults). Tests build one
/// over a temp dir. Every child process (xdg-mime, gio, update-desktop-database) is run with
/// exactly these values in its environment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Desktop {
    pub home: PathBuf,
    pub data_home: PathBuf,
    pub config_home: PathBuf,
    pub data_dirs: Vec<PathBuf>,
    /// Where to look for the tools (a PATH-style list), also given to them as their PATH.
    /// `None`: this process's PATH. Lets tests pick the tools without changing the process
    /// environment.
    pub tools_path: Option<OsString>,
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SchemeStatus {
    pub scheme: String,
    /// Desktop id from `xdg-mime query default x-scheme-handler/<scheme>` (Windows: the ProgId
    /// the user chose); `None` when nothing is set or it cannot be known.
    pub handler: Option<String>,
    pub ours: bool,
    /// The default app line from `gio mime x-scheme-handler/<scheme>`, `None` when gio is missing.
    pub gio: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct HandlerStatus {
    pub schemes: Vec<SchemeStatus>,
    /// Both schemes open Clickdial.
    pub is_default: bool,
    /// One sentence for the agent, e.g. "tel: and callto: links open Clickdial."
    pub summary: String,
    /// False where the OS makes the user choose (macOS) or the tools are missing.
    pub can_install: bool,
    pub advice: Option<String>,
}

impl Desktop {
    /// The current user's desktop; `None` without a usable HOME.
    pub fn from_env() -> Option<Desktop> {
        // The XDG spec says relative paths in these variables are invalid: ignore them.
        let var = |k: &str| {
            std::env::var_os(k)
                .map(PathBuf::from)
                .filter(|p| p.is_absolute())
        };
        let home = var("HOME").or_else(|| {
            if cfg!(windows) {
                var("USERPROFILE")
            } else {
                None
            }
        })?;
        let data_dirs: Vec<PathBuf> = std::env::var_os("XDG_DATA_DIRS")
            .map(|v| {
                std::env::split_paths(&v)
                    .filter(|p| p.is_absolute())
                    .collect()
            })
            .unwrap_or_default();
        Some(Desktop {
            data_home: var("XDG_DATA_HOME").unwrap_or_else(|| home.join(".local/share")),
            config_home: var("XDG_CONFIG_HOME").unwrap_or_else(|| home.join(".config")),
            data_dirs: if data_dirs.is_empty() {
                vec!["/usr/local/share".into(), "/usr/share".into()]
            } else {
                data_dirs
            },
            home,
            tools_path: None,
        })
    }

    /// Which app each scheme opens now. Never fails: what cannot be known is said so.
    pub fn status(&self, exe: &Path) -> HandlerStatus {
        imp::status(self, exe)
    }

    /// Makes Clickdial the default for both schemes (Windows: opens Settings for the user to
    /// choose), and returns the new status.
    pub fn install(&self, exe: &Path) -> Result<HandlerStatus, Error> {
        imp::install(self, exe)
    }

    /// A command for `program`, with this desktop's environment and no stdin.
    fn command(&self, program: &Path) -> Command {
        let mut cmd = Command::new(program);
        cmd.env("HOME", &self.home)
            .env("XDG_DATA_HOME", &self.data_home)
            .env("XDG_CONFIG_HOME", &self.config_home)
            .env("XDG_DATA_DIRS", join_dirs(&self.data_dirs))
            .stdin(Stdio::null());
        crate::process::untuned(&mut cmd);
        if let Some(path) = &self.tools_path {
            cmd.env("PATH", path);
        }
        #[cfg(windows)]
        {
            use std::os::windows::process::CommandExt;
            cmd.creation_flags(0x0800_0000); // CREATE_NO_WINDOW: no console flashing up
        }
        cmd
    }

    /// The executable `name` on the tools path, if any.
    #[cfg_attr(any(windows, target_os = "macos"), allow(dead_code))]
    fn find_tool(&self, name: &str) -> Option<PathBuf> {
        let path = self
            .tools_path
            .clone()
            .or_else(|| std::env::var_os("PATH"))?;
        std::env::split_paths(&path)
            .filter(|dir| dir.is_absolute())
            .map(|dir| dir.join(name))
            .find(|p| is_executable(p))
    }
}

/// XDG_DATA_DIRS as one value. A directory with ':' in its name cannot be listed; it is left out.
fn join_dirs(dirs: &[PathBuf]) -> OsString {
    let mut out = OsString::new();
    for d in dirs
        .iter()
        .filter(|d| !d.as_os_str().as_encoded_bytes().contains(&b':'))
    {
        if !out.is_empty() {
            out.push(":");
        }
        out.push(d);
    }
    out
}

#[cfg_attr(any(windows, target_os = "macos"), allow(dead_code))]
fn is_executable(p: &Path) -> bool {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::metadata(p).is_ok_and(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
    }
    #[cfg(not(unix))]
    {
        p.is_file()
    }
}

/// What a finished tool printed.
#[cfg_attr(target_os = "macos", allow(dead_code))]
struct Ran {
    ok: bool,
    stdout: String,
    /// Read by the freedesktop half only (xdg-mime's complaints).
    #[cfg_attr(any(windows, target_os = "macos"), allow(dead_code))]
    stderr: String,
}

#[cfg_attr(target_os = "macos", allow(dead_code))]
impl Ran {
    /// The first non-empty line of stdout, trimmed.
    #[cfg_attr(any(windows, target_os = "macos"), allow(dead_code))]
    fn first_line(&self) -> Option<String> {
        first_line(&self.stdout)
    }
}

fn first_line(s: &str) -> Option<String> {
    s.lines()
        .map(str::trim)
        .find(|l| !l.is_empty())
        .map(str::to_owned)
}

/// Runs `cmd` to completion (at most `TOOL_TIMEOUT`, then it is killed). `Err` says, in plain
/// words, why it could not run. Output is read on threads so a chatty tool cannot block.
#[cfg_attr(target_os = "macos", allow(dead_code))]
fn run(mut cmd: Command) -> Result<Ran, String> {
    let mut child = cmd
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| format!("it could not be started ({e})"))?;
    let reader = |pipe: Option<Box<dyn Read + Send>>| {
        std::thread::spawn(move || {
            let mut buf = Vec::new();
            if let Some(mut p) = pipe {
                let _ = p.read_to_end(&mut buf);
            }
            String::from_utf8_lossy(&buf).into_owned()
        })
    };
    let out = reader(
        child
            .stdout
            .take()
            .map(|p| Box::new(p) as Box<dyn Read + Send>),
    );
    let err = reader(
        child
            .stderr
            .take()
            .map(|p| Box::new(p) as Box<dyn Read + Send>),
    );
    let start = Instant::now();
    let status = loop {
        match child.try_wait() {
            Ok(Some(status)) => break Some(status),
            Ok(None) if start.elapsed() < TOOL_TIMEOUT => {
                std::thread::sleep(Duration::from_millis(10))
            }
            _ => {
                let _ = child.kill();
                let _ = child.wait();
                break None;
            }
        }
    };
    // A grandchild that kept the pipes open would block these joins; the tools used here
    // don't leave any behind (and `open_through_os`, whose opener may, doesn't use `run`).
    let stdout = out.join().unwrap_or_default();
    let stderr = err.join().unwrap_or_default();
    match status {
        Some(s) => Ok(Ran {
            ok: s.success(),
            stdout,
            stderr,
        }),
        None => Err("it did not answer in time".into()),
    }
}

/// Starts `cmd` (an opener) and waits briefly to hear that it failed; one still running after
/// that is left to finish (and reaped) on a thread.
fn start_opener(mut cmd: Command, what: &str) -> Result<(), Error> {
    let failed = |why: String| {
        Error::new(
            Code::Internal,
            format!("The computer could not open the test link with {what}: {why}."),
        )
    };
    let mut child = cmd
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| failed(format!("it could not be started ({e})")))?;
    let start = Instant::now();
    loop {
        match child.try_wait() {
            Ok(Some(s)) if s.success() => return Ok(()),
            Ok(Some(_)) => {
                let mut msg = String::new();
                if let Some(mut e) = child.stderr.take() {
                    let _ = e.read_to_string(&mut msg);
                }
                let why = first_line(&msg).unwrap_or_else(|| "it reported an error".into());
                return Err(failed(why));
            }
            Ok(None) if start.elapsed() < OPENER_WAIT => {
                std::thread::sleep(Duration::from_millis(20))
            }
            Ok(None) => {
                // Still running (e.g. xdg-open waiting for the app): it started, which is all
                // we promise. Drop its stderr so it can never block on a full pipe.
                drop(child.stderr.take());
                std::thread::spawn(move || child.wait());
                return Ok(());
            }
            Err(e) => return Err(failed(e.to_string())),
        }
    }
}

/// Only `tel:`/`callto:` links with harmless characters are opened: the URL reaches other
/// programs' command lines, and this function exists only for the self-test.
fn check_link(url: &str) -> Result<(), Error> {
    let scheme_ok = url
        .split_once(':')
        .is_some_and(|(s, _)| SCHEMES.iter().any(|k| k.eq_ignore_ascii_case(s)));
    let chars_ok = url
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || "+-.()/:;=%,*#".contains(c));
    if scheme_ok && chars_ok && url.len() <= 200 {
        Ok(())
    } else {
        Err(Error::invalid(
            "Only a tel: or callto: link can be used for the test.",
        ))
    }
}

/// Opens a URL through the OS's handler (Linux: `gio open`, else `xdg-open`; macOS `open`;
/// Windows the URL protocol handler of `url.dll`), returning once the opener process started
/// (or with its error when it fails at once); used for the self-test link.
pub fn open_through_os(desktop: &Desktop, url: &str) -> Result<(), Error> {
    check_link(url)?;
    imp::open(desktop, url)
}

/// Opens a call's recording in the browser through the OS's handler, like
/// [`open_through_os`]. The address carries an access token: only `https://` / `http://` is
/// opened, and a failure never repeats the address or what the opener printed.
pub fn open_recording(desktop: &Desktop, url: &clickdial_core::Secret) -> Result<(), Error> {
    open_web(desktop, url.expose(), "the recording")
}

/// Opens a web address (`what` names it in messages: "the recording", "your CRM's page") in the
/// browser through the OS's handler. Only `https://` / `http://` is opened, and a failure never
/// repeats the address (it may carry a token) or what the opener printed.
pub fn open_web(desktop: &Desktop, u: &str, what: &str) -> Result<(), Error> {
    let web = (u.starts_with("https://") || u.starts_with("http://"))
        && u.chars().all(|c| c.is_ascii_graphic());
    if !web {
        return Err(Error::invalid(format!(
            "The address of {what} is not a web address, so Clickdial did not open it."
        )));
    }
    imp::open(desktop, u).map_err(|_| {
        Error::new(
            Code::Internal,
            format!(
                "The computer could not open {what}. Check that a web browser is installed \
                 and set as the default one."
            ),
        )
    })
}

/// "tel: links open X; callto: links open Y." from what each scheme opens ("Clickdial",
/// "Firefox (firefox.desktop)", "nothing yet"); one clause when both open the same.
fn summarize(opens: &[(&str, String)]) -> String {
    match opens {
        [(a, x), (b, y)] if x == y => format!("{a}: and {b}: links open {x}."),
        _ => {
            let parts: Vec<String> = opens
                .iter()
                .map(|(s, what)| format!("{s}: links open {what}"))
                .collect();
            format!("{}.", parts.join("; "))
        }
    }
}

fn finish(
    schemes: Vec<SchemeStatus>,
    summary: String,
    can_install: bool,
    advice: Option<String>,
) -> HandlerStatus {
    HandlerStatus {
        is_default: !schemes.is_empty() && schemes.iter().all(|s| s.ours),
        schemes,
        summary,
        can_install,
        advice,
    }
}

// Each platform's half of the doctor, as `imp`: `status`, `install` and `open`.

#[cfg(not(any(windows, target_os = "macos")))]
mod linux;
#[cfg(not(any(windows, target_os = "macos")))]
use linux as imp;
#[cfg(target_os = "linux")]
pub(crate) use linux::exec_arg;

#[cfg(target_os = "macos")]
mod macos;
#[cfg(target_os = "macos")]
use macos as imp;

#[cfg(windows)]
mod windows;
#[cfg(windows)]
use windows as imp;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn summaries() {
        let s = |a: &str, b: &str| summarize(&[("tel", a.into()), ("callto", b.into())]);
        assert_eq!(
            s("Clickdial", "Clickdial"),
            "tel: and callto: links open Clickdial."
        );
        assert_eq!(
            s("Firefox (firefox.desktop)", "nothing yet"),
            "tel: links open Firefox (firefox.desktop); callto: links open nothing yet."
        );
    }

    #[test]
    fn only_harmless_test_links_are_opened() {
        assert!(check_link("tel:+919876543210").is_ok());
        assert!(check_link("CALLTO://+91-98765-43210;ext=12").is_ok());
        for bad in [
            "https://x",
            "tel:1 & rm",
            "tel:\"x\"",
            "file:/etc",
            "tel",
            "",
        ] {
            assert!(check_link(bad).is_err(), "{bad}");
        }
    }
}
