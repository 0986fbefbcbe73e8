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
    stderr: String,
}

#[cfg_attr(target_os = "macos", allow(dead_code))]
impl Ran {
    /// The first non-empty line of stdout, trimmed.
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

// ---------------------------------------------------------------------------------------
// Linux and other freedesktop systems: desktop entries, xdg-mime, gio.

#[cfg(not(any(windows, target_os = "macos")))]
mod imp {
    use super::*;

    /// The desktop entry Clickdial writes when no installed one can be used.
    pub(super) const OWN_ID: &str = "clickdial-links.desktop";
    const PROGRAM_NAMES: [&str; 2] = [LINK_PROGRAM, "clickdial-window"];
    /// The program the desktop runs for a link: `clickdial`, which loads no GTK or WebKit, so a
    /// click reaches the running app at once. `clickdial-window` (the app) is installed next to it.
    const LINK_PROGRAM: &str = "clickdial";

    /// What an entry written by Clickdial runs: `clickdial` beside `exe` when present.
    fn link_program(exe: &Path) -> PathBuf {
        exe.parent()
            .map(|dir| dir.join(LINK_PROGRAM))
            .filter(|p| is_executable(p))
            .unwrap_or_else(|| exe.to_path_buf())
    }
    const MISSING_TOOLS: &str = "Install the xdg-utils package (for example with \
        `sudo apt install xdg-utils`), then try again.";

    fn mime(scheme: &str) -> String {
        format!("x-scheme-handler/{scheme}")
    }

    pub(super) fn status(d: &Desktop, exe: &Path) -> HandlerStatus {
        let xdg_mime = d.find_tool("xdg-mime");
        let gio = d.find_tool("gio");
        let exe = std::fs::canonicalize(exe).unwrap_or_else(|_| exe.to_path_buf());
        let mut schemes = Vec::new();
        let mut opens = Vec::new();
        for scheme in SCHEMES {
            let mime = mime(scheme);
            let handler = xdg_mime.as_ref().and_then(|t| {
                let mut cmd = d.command(t);
                cmd.args(["query", "default", &mime]);
                run(cmd)
                    .ok()
                    .filter(|r| r.ok)
                    .and_then(|r| r.first_line())
                    .filter(|id| valid_id(id))
            });
            let entry = handler.as_deref().and_then(|id| find_entry(d, id));
            let ours = entry.as_ref().is_some_and(|e| e.is_ours(&exe));
            let gio = gio.as_ref().and_then(|t| {
                let mut cmd = d.command(t);
                cmd.args(["mime", &mime]);
                run(cmd)
                    .ok()
                    .and_then(|r| r.first_line().or_else(|| first_line(&r.stderr)))
            });
            opens.push((
                scheme,
                match (&handler, entry.and_then(|e| e.name)) {
                    _ if ours => "Clickdial".to_string(),
                    (Some(id), Some(name)) => format!("{name} ({id})"),
                    (Some(id), None) => id.clone(),
                    (None, _) => "nothing yet".to_string(),
                },
            ));
            schemes.push(SchemeStatus {
                scheme: scheme.to_string(),
                handler,
                ours,
                gio,
            });
        }
        if xdg_mime.is_none() {
            return finish(
                schemes,
                "Clickdial cannot check which app opens tel: and callto: links: the xdg-utils \
                 tools are missing."
                    .into(),
                false,
                Some(MISSING_TOOLS.into()),
            );
        }
        finish(schemes, summarize(&opens), true, None)
    }

    pub(super) fn install(d: &Desktop, exe: &Path) -> Result<HandlerStatus, Error> {
        let xdg_mime = d.find_tool("xdg-mime").ok_or_else(|| {
            Error::new(
                Code::Internal,
                format!(
                    "Clickdial cannot make itself the app for tel: and callto: links: the \
                     xdg-utils tools are missing. {MISSING_TOOLS}"
                ),
            )
        })?;
        let exe = std::fs::canonicalize(exe).map_err(|_| {
            Error::new(
                Code::Internal,
                "Clickdial could not find its own program file, so it cannot register for \
                 links. Reinstall Clickdial and try again.",
            )
        })?;
        let id = match installed_entry(d, &exe) {
            Some(id) => id,
            None => {
                write_own_entry(d, &link_program(&exe))?;
                OWN_ID.to_string()
            }
        };
        for scheme in SCHEMES {
            let mut cmd = d.command(&xdg_mime);
            cmd.args(["default", &id, &mime(scheme)]);
            let why = match run(cmd) {
                Ok(r) if r.ok => continue,
                Ok(r) => first_line(&r.stderr).unwrap_or_else(|| "it reported an error".into()),
                Err(why) => why,
            };
            return Err(Error::new(
                Code::Internal,
                format!(
                    "Clickdial could not make itself the app for {scheme}: links: xdg-mime \
                     failed ({why})."
                ),
            ));
        }
        let status = status(d, &exe);
        if status.is_default {
            Ok(status)
        } else {
            Err(Error::new(
                Code::Internal,
                format!(
                    "Clickdial asked the system to open tel: and callto: links with it, but it \
                     did not take: {} Choose Clickdial for these links in your desktop's \
                     default apps settings, or ask your administrator.",
                    status.summary
                ),
            ))
        }
    }

    pub(super) fn open(d: &Desktop, url: &str) -> Result<(), Error> {
        if let Some(gio) = d.find_tool("gio") {
            let mut cmd = d.command(&gio);
            cmd.args(["open", url]);
            start_opener(cmd, "gio")
        } else if let Some(xdg_open) = d.find_tool("xdg-open") {
            let mut cmd = d.command(&xdg_open);
            cmd.arg(url);
            start_opener(cmd, "xdg-open")
        } else {
            Err(Error::new(
                Code::Internal,
                format!("The computer has no tool to open links with. {MISSING_TOOLS}"),
            ))
        }
    }

    /// A desktop id as a file name: no path, no surprises.
    fn valid_id(id: &str) -> bool {
        id.ends_with(".desktop") && !id.contains('/') && !id.starts_with('.')
    }

    /// `applications` folders in the order the desktop searches them.
    fn app_dirs(d: &Desktop) -> impl Iterator<Item = PathBuf> + '_ {
        std::iter::once(&d.data_home)
            .chain(&d.data_dirs)
            .map(|p| p.join("applications"))
    }

    /// The entry for a desktop id (ids of entries in subfolders, `vendor-app.desktop`, are
    /// not looked up: Clickdial's never are, so such an entry just shows as not ours).
    fn find_entry(d: &Desktop, id: &str) -> Option<Entry> {
        app_dirs(d).find_map(|dir| Entry::read(&dir.join(id)))
    }

    /// An installed entry of ours (e.g. the .deb's `/usr/share/applications/Clickdial.desktop`)
    /// that lists both schemes and that xdg-mime can use: its program unquoted (Debian 12's
    /// xdg-mime cannot read a quoted one) and found. One running exactly `exe` is preferred.
    fn installed_entry(d: &Desktop, exe: &Path) -> Option<String> {
        let mut by_name = None;
        for dir in app_dirs(d) {
            let Ok(list) = std::fs::read_dir(&dir) else {
                continue;
            };
            let mut paths: Vec<PathBuf> = list.flatten().map(|e| e.path()).collect();
            paths.sort(); // a stable choice between several
            for path in paths {
                let Some(id) = path.file_name().and_then(|n| n.to_str()) else {
                    continue;
                };
                if !valid_id(id) || id == OWN_ID {
                    continue; // our own entry is rewritten each time, to follow `exe`
                }
                let Some(e) = Entry::read(&path) else {
                    continue;
                };
                let usable = e.exec_unquoted
                    && SCHEMES.iter().all(|s| e.mime_types.contains(&mime(s)))
                    && e.program().is_some_and(|p| resolve(d, &p).is_some());
                if !usable {
                    continue;
                }
                let runs = e.program().and_then(|p| resolve(d, &p));
                if runs.as_deref() == Some(exe) || runs == Some(link_program(exe)) {
                    return Some(id.to_string());
                }
                if by_name.is_none() && e.is_ours(exe) {
                    by_name = Some(id.to_string());
                }
            }
        }
        by_name
    }

    /// A program from an Exec line as the desktop would find it: absolute, or on the PATH.
    fn resolve(d: &Desktop, program: &Path) -> Option<PathBuf> {
        let found = if program.is_absolute() {
            is_executable(program).then(|| program.to_path_buf())
        } else if program.components().count() == 1 {
            program.to_str().and_then(|name| d.find_tool(name))
        } else {
            None
        }?;
        std::fs::canonicalize(&found).ok()
    }

    fn write_own_entry(d: &Desktop, exe: &Path) -> Result<(), Error> {
        let exe = exe.to_str().ok_or_else(|| {
            Error::new(
                Code::Internal,
                "Clickdial's folder name has characters the desktop cannot use for links. Move \
                 Clickdial to a folder with a plain name and try again.",
            )
        })?;
        let dir = d.data_home.join("applications");
        let text = format!(
            "[Desktop Entry]\n\
             Type=Application\n\
             Name=Clickdial\n\
             Comment=Dials tel: and callto: links\n\
             Exec={} %u\n\
             Terminal=false\n\
             NoDisplay=true\n\
             MimeType=x-scheme-handler/tel;x-scheme-handler/callto;\n",
            exec_arg(exe)
        );
        // Written aside, then renamed: the desktop never reads half a file.
        let tmp = dir.join(format!(".{OWN_ID}.tmp"));
        std::fs::create_dir_all(&dir)
            .and_then(|_| std::fs::write(&tmp, text))
            .and_then(|_| std::fs::rename(&tmp, dir.join(OWN_ID)))
            .map_err(|e| {
                let _ = std::fs::remove_file(&tmp);
                Error::new(
                    Code::Storage,
                    format!(
                        "Clickdial could not save its link settings in {}: {e}.",
                        dir.display()
                    ),
                )
            })?;
        // Refreshes the desktop's cache of which apps take which links; optional.
        if let Some(tool) = d.find_tool("update-desktop-database") {
            let mut cmd = d.command(&tool);
            cmd.arg(&dir);
            let _ = run(cmd);
        }
        Ok(())
    }

    /// The parts of a desktop entry the doctor needs.
    #[derive(Debug)]
    struct Entry {
        name: Option<String>,
        /// Exec split into arguments (escapes undone); empty without Exec.
        exec: Vec<String>,
        /// Whether the program in Exec is written without quotes.
        exec_unquoted: bool,
        mime_types: Vec<String>,
    }

    impl Entry {
        fn read(path: &Path) -> Option<Entry> {
            let bytes = std::fs::read(path).ok()?;
            Some(Entry::parse(&String::from_utf8_lossy(&bytes)))
        }

        fn parse(text: &str) -> Entry {
            let mut e = Entry {
                name: None,
                exec: Vec::new(),
                exec_unquoted: false,
                mime_types: Vec::new(),
            };
            let mut in_main = false;
            for line in text.lines().map(str::trim) {
                if line.starts_with('[') {
                    in_main = line == "[Desktop Entry]";
                    continue;
                }
                let Some((key, value)) = line.split_once('=') else {
                    continue;
                };
                if !in_main {
                    continue;
                }
                let value = unescape_string(value.trim());
                match key.trim() {
                    "Name" => e.name = Some(value),
                    "Exec" => {
                        e.exec_unquoted = !value.trim_start().starts_with('"');
                        e.exec = split_exec(&value);
                    }
                    "MimeType" => {
                        e.mime_types = value
                            .split(';')
                            .filter(|m| !m.is_empty())
                            .map(str::to_owned)
                            .collect()
                    }
                    _ => {}
                }
            }
            e
        }

        /// The program Exec runs (`%%` is a literal `%`).
        fn program(&self) -> Option<PathBuf> {
            self.exec
                .first()
                .map(|p| PathBuf::from(p.replace("%%", "%")))
        }

        /// Runs `exe` (same canonical path) or a program named `clickdial`.
        fn is_ours(&self, exe: &Path) -> bool {
            let Some(program) = self.program() else {
                return false;
            };
            program
                .file_name()
                .is_some_and(|n| PROGRAM_NAMES.iter().any(|p| n == *p))
                || (program.is_absolute()
                    && std::fs::canonicalize(&program).is_ok_and(|p| p == exe))
        }
    }

    /// Characters that make an Exec argument need quotes (Desktop Entry spec, "The Exec key").
    const RESERVED: &[char] = &[
        ' ', '\t', '\n', '"', '\'', '\\', '>', '<', '~', '|', '&', ';', '$', '*', '?', '#', '(',
        ')', '`',
    ];

    /// One Exec argument as written in the file. Quoted only when it must be (Debian 12's
    /// xdg-mime cannot read a quoted program); then the string escapes (`\\`, `\n`, ...) are
    /// applied on top, as the spec layers them.
    pub(super) fn exec_arg(arg: &str) -> String {
        let arg = arg.replace('%', "%%");
        let quoted = if arg.contains(RESERVED) {
            let mut q = String::from("\"");
            for c in arg.chars() {
                if matches!(c, '"' | '`' | '$' | '\\') {
                    q.push('\\');
                }
                q.push(c);
            }
            q.push('"');
            q
        } else {
            arg
        };
        quoted
            .replace('\\', "\\\\")
            .replace('\n', "\\n")
            .replace('\t', "\\t")
            .replace('\r', "\\r")
    }

    /// Undoes the escapes of a `string` value: `\s \n \t \r \\`.
    fn unescape_string(v: &str) -> String {
        let mut out = String::with_capacity(v.len());
        let mut chars = v.chars();
        while let Some(c) = chars.next() {
            if c != '\\' {
                out.push(c);
                continue;
            }
            match chars.next() {
                Some('s') => out.push(' '),
                Some('n') => out.push('\n'),
                Some('t') => out.push('\t'),
                Some('r') => out.push('\r'),
                Some('\\') => out.push('\\'),
                Some(other) => {
                    out.push('\\');
                    out.push(other);
                }
                None => out.push('\\'),
            }
        }
        out
    }

    /// Splits an (unescaped) Exec value into arguments: spaces separate, `"..."` quotes, and
    /// inside quotes a backslash escapes `"`, `` ` ``, `$` and `\`.
    pub(super) fn split_exec(v: &str) -> Vec<String> {
        let mut args = Vec::new();
        let mut cur: Option<String> = None;
        let mut chars = v.chars();
        while let Some(c) = chars.next() {
            match c {
                ' ' | '\t' | '\n' => args.extend(cur.take()),
                '"' => {
                    let arg = cur.get_or_insert_with(String::new);
                    while let Some(q) = chars.next() {
                        match q {
                            '"' => break,
                            '\\' => match chars.next() {
                                Some(n @ ('"' | '`' | '$' | '\\')) => arg.push(n),
                                Some(n) => {
                                    arg.push('\\');
                                    arg.push(n);
                                }
                                None => arg.push('\\'),
                            },
                            _ => arg.push(q),
                        }
                    }
                }
                _ => cur.get_or_insert_with(String::new).push(c),
            }
        }
        args.extend(cur);
        args
    }

    #[cfg(test)]
    mod tests {
        use super::*;

        #[test]
        fn exec_round_trips_through_the_file_format() {
            let cases = [
                ("/opt/clickdial/clickdial", "/opt/clickdial/clickdial"),
                ("/home/a b/clickdial", "\"/home/a b/clickdial\""),
                ("/x/50%/clickdial", "/x/50%%/clickdial"),
                (
                    "/x/a\"b$c`d\\e/clickdial",
                    "\"/x/a\\\\\"b\\\\$c\\\\`d\\\\\\\\e/clickdial\"",
                ),
            ];
            for (path, written) in cases {
                assert_eq!(exec_arg(path), written, "{path}");
                let line = format!("[Desktop Entry]\nExec={written} %u\n");
                let e = Entry::parse(&line);
                assert_eq!(e.program(), Some(PathBuf::from(path)), "{line}");
                assert_eq!(e.exec.get(1).map(String::as_str), Some("%u"));
                assert_eq!(e.exec_unquoted, !written.starts_with('"'));
            }
        }

        #[test]
        fn parse_reads_only_the_main_group_and_survives_junk() {
            let e = Entry::parse(
                "garbage\n[Desktop Action new]\nExec=other\n[Desktop Entry]\nName = Fire fox\n\
                 Exec=firefox %u\nName[de]=Feuerfuchs\nMimeType=text/html;x-scheme-handler/tel;\n\
                 Exec\n=\n",
            );
            assert_eq!(e.name.as_deref(), Some("Fire fox"));
            assert_eq!(e.exec, ["firefox", "%u"]);
            assert_eq!(e.mime_types, ["text/html", "x-scheme-handler/tel"]);
            assert!(split_exec("\"unterminated \\").len() == 1);
            assert!(Entry::parse("").program().is_none());
        }

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
}

// ---------------------------------------------------------------------------------------
// macOS: only the user can choose, in FaceTime.

#[cfg(target_os = "macos")]
mod imp {
    use super::*;

    const ADVICE: &str = "On a Mac, you choose the app for call links yourself: open FaceTime, \
        choose FaceTime › Settings, and pick Clickdial under \u{201c}Default for calls\u{201d}.";

    pub(super) fn status(_: &Desktop, _: &Path) -> HandlerStatus {
        let schemes = SCHEMES
            .iter()
            .map(|s| SchemeStatus {
                scheme: s.to_string(),
                handler: None,
                ours: false,
                gio: None,
            })
            .collect();
        finish(
            schemes,
            "Clickdial cannot check which app opens tel: and callto: links on a Mac.".into(),
            false,
            Some(ADVICE.into()),
        )
    }

    pub(super) fn install(_: &Desktop, _: &Path) -> Result<HandlerStatus, Error> {
        Err(Error::invalid(ADVICE))
    }

    pub(super) fn open(d: &Desktop, url: &str) -> Result<(), Error> {
        let mut cmd = d.command(Path::new("/usr/bin/open"));
        cmd.arg(url);
        start_opener(cmd, "open")
    }
}

// ---------------------------------------------------------------------------------------
// Windows: the installer registers Clickdial (packaging/windows/hooks.nsh); the user picks it
// in Settings › Default apps, which Windows 10/11 let no program do by itself.

#[cfg(windows)]
mod imp {
    use super::*;

    /// The ProgId the installer registers for both schemes.
    const PROG_ID: &str = "Clickdial.Link";
    const ADVICE: &str = "Open Settings › Apps › Default apps, search for Clickdial, and choose \
        it for TEL and CALLTO.";

    pub(super) fn status(d: &Desktop, _: &Path) -> HandlerStatus {
        let mut schemes = Vec::new();
        let mut opens = Vec::new();
        for scheme in SCHEMES {
            let key = format!(
                "HKCU\\Software\\Microsoft\\Windows\\Shell\\Associations\\UrlAssociations\\\
                 {scheme}\\UserChoice"
            );
            let mut cmd = d.command(Path::new("reg"));
            cmd.args(["query", &key, "/v", "ProgId"]);
            // A line like `    ProgId    REG_SZ    Clickdial.Link`.
            let handler = run(cmd).ok().filter(|r| r.ok).and_then(|r| {
                r.stdout.lines().find_map(|l| {
                    let mut words = l.split_whitespace();
                    (words.next() == Some("ProgId") && words.next() == Some("REG_SZ"))
                        .then(|| words.collect::<Vec<_>>().join(" "))
                        .filter(|id| !id.is_empty())
                })
            });
            let ours = handler.as_deref() == Some(PROG_ID);
            opens.push((
                scheme,
                match &handler {
                    _ if ours => "Clickdial".to_string(),
                    Some(id) => id.clone(),
                    None => "nothing yet".to_string(),
                },
            ));
            schemes.push(SchemeStatus {
                scheme: scheme.to_string(),
                handler,
                ours,
                gio: None,
            });
        }
        let status = finish(schemes, summarize(&opens), true, None);
        HandlerStatus {
            advice: (!status.is_default).then(|| ADVICE.into()),
            ..status
        }
    }

    pub(super) fn install(d: &Desktop, exe: &Path) -> Result<HandlerStatus, Error> {
        // Opens Clickdial's own page where Windows supports it (Windows 11), else Default apps.
        let mut cmd = d.command(Path::new("rundll32"));
        cmd.args([
            "url.dll,FileProtocolHandler",
            "ms-settings:defaultapps?registeredAppUser=Clickdial",
        ]);
        start_opener(cmd, "Settings")?;
        let status = status(d, exe);
        Ok(HandlerStatus {
            advice: Some(
                "Windows opened Default apps: choose Clickdial for TEL and CALLTO there, then \
                 check again."
                    .into(),
            ),
            ..status
        })
    }

    pub(super) fn open(d: &Desktop, url: &str) -> Result<(), Error> {
        // Not `cmd /c start`: cmd would read `%` and `^` in the link as its own syntax.
        let mut cmd = d.command(Path::new("rundll32"));
        cmd.args(["url.dll,FileProtocolHandler", url]);
        start_opener(cmd, "Windows")
    }
}
