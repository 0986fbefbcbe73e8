//! Windows only, run under wine by scripts/test-windows.sh (and on a real Windows by a plain
//! `cargo test`): the two programs' PE headers (console and GUI), what the command line links,
//! the window's answer when the WebView2 Runtime is missing, start at login (the Run key), and
//! the portable data folder.
#![cfg(windows)]

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use clickdial_services::autostart;

const CLI: &str = env!("CARGO_BIN_EXE_clickdial");
const APP: &str = env!("CARGO_BIN_EXE_clickdial-window");

/// The two PE header fields these tests read.
struct Pe {
    /// Optional header Subsystem: 2 is a GUI program (no console), 3 a console program.
    subsystem: u16,
    /// The DLLs the program imports, lowercase.
    imports: Vec<String>,
}

/// Reads `path`'s PE headers (PE32+, as x86_64 programs are).
fn pe(path: &str) -> Pe {
    let bytes = std::fs::read(path).unwrap_or_else(|e| panic!("reading {path}: {e}"));
    let u16_at = |at: usize| u16::from_le_bytes([bytes[at], bytes[at + 1]]);
    let u32_at = |at: usize| u32::from_le_bytes(bytes[at..at + 4].try_into().unwrap());
    assert_eq!(&bytes[..2], b"MZ", "{path}: not a Windows program");
    let header = u32_at(0x3C) as usize;
    assert_eq!(
        &bytes[header..header + 4],
        b"PE\0\0",
        "{path}: no PE header"
    );
    let coff = header + 4;
    let sections = u16_at(coff + 2) as usize;
    let optional = coff + 20;
    assert_eq!(u16_at(optional), 0x20B, "{path}: not PE32+");
    let subsystem = u16_at(optional + 68);
    // Data directory 1, the import table, and the section table to find it in the file.
    let import_rva = u32_at(optional + 112 + 8) as usize;
    let table = optional + u16_at(coff + 16) as usize;
    let file_offset = |rva: usize| {
        (0..sections)
            .map(|i| table + i * 40)
            .find_map(|s| {
                let (size, va, raw) = (
                    u32_at(s + 8) as usize,
                    u32_at(s + 12) as usize,
                    u32_at(s + 20) as usize,
                );
                (va..va + size).contains(&rva).then(|| rva - va + raw)
            })
            .unwrap_or_else(|| panic!("{path}: RVA {rva:#x} in no section"))
    };
    let mut imports = Vec::new();
    let mut descriptor = file_offset(import_rva);
    // Each descriptor is 20 bytes, the DLL's name at 12; an all-zero one ends the list.
    while u32_at(descriptor + 12) != 0 {
        let name = file_offset(u32_at(descriptor + 12) as usize);
        let end = bytes[name..].iter().position(|&b| b == 0).unwrap();
        imports.push(String::from_utf8_lossy(&bytes[name..name + end]).to_lowercase());
        descriptor += 20;
    }
    Pe { subsystem, imports }
}

const GUI: u16 = 2;
const CONSOLE: u16 = 3;

/// `clickdial.exe` is the command line: a console program, so a terminal or a script gets its
/// answers and exit codes. `clickdial-window.exe` is what links, the Start menu and start at
/// login run: a GUI program, so no console window flashes up.
#[test]
fn the_command_line_is_a_console_program_and_the_app_a_gui_one() {
    assert_eq!(pe(CLI).subsystem, CONSOLE, "clickdial.exe");
    assert_eq!(pe(APP).subsystem, GUI, "clickdial-window.exe");
}

/// Commands load no GUI library and no web view, as on Linux (no GTK or WebKit).
#[test]
fn the_command_line_loads_no_gui_library() {
    let cli = pe(CLI).imports;
    for gui in [
        "user32.dll",
        "gdi32.dll",
        "comctl32.dll",
        "webview2loader.dll",
    ] {
        assert!(
            !cli.contains(&gui.to_string()),
            "clickdial.exe imports {gui}: {cli:?}"
        );
    }
    // The reader reads: the app does import them.
    let app = pe(APP).imports;
    for gui in ["user32.dll", "webview2loader.dll"] {
        assert!(app.contains(&gui.to_string()), "{app:?}");
    }
}

/// Runs `program args` with a private data folder; (exit code, stdout, stderr), at most 30 s.
fn run(program: &str, args: &[&str], data: &Path) -> (i32, String, String) {
    let mut child = Command::new(program)
        .args(args)
        .env(clickdial_services::DATA_DIR_VAR, data)
        .env_remove("CLICKDIAL_TOKEN")
        .env_remove("CLICKDIAL_BASE_URL")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let started = Instant::now();
    while child.try_wait().unwrap().is_none() {
        if started.elapsed() > Duration::from_secs(30) {
            let _ = child.kill();
            panic!("{program} {args:?} still runs after 30 s");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    let out = child.wait_with_output().unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// Without the WebView2 Runtime (wine has none) the window cannot open: every way of asking
/// for it ends at once with a message naming what to install and where, and exit code 1;
/// never a hang, a crash or silence.
#[test]
fn without_webview2_the_window_says_what_to_install() {
    if let Some(version) = clickdial_services::webview::webview2_version() {
        println!(
            "not run: this Windows has the WebView2 Runtime ({version}), and a window would open"
        );
        return;
    }
    let data = tempfile::tempdir().unwrap();
    for (program, args) in [
        (CLI, &["tel:+919876543210"][..]),
        (CLI, &["callto://+919876543210"][..]),
        (CLI, &[][..]),
        (CLI, &["--autostart"][..]),
        (APP, &["tel:+919876543210"][..]),
        (APP, &[][..]),
        (APP, &["--autostart"][..]),
    ] {
        let started = Instant::now();
        let (code, out, err) = run(program, args, data.path());
        let took = started.elapsed();
        let what = format!(
            "{} {args:?}",
            Path::new(program).file_name().unwrap().display()
        );
        assert_eq!(code, 1, "{what}: {err}");
        assert_eq!(out, "", "{what}");
        assert!(err.contains("WebView2 Runtime"), "{what}: {err}");
        assert!(
            err.contains(clickdial_services::webview::WEBVIEW2_DOWNLOAD),
            "{what}: {err}"
        );
        assert!(!err.contains("panicked"), "{what}: {err}");
        assert!(took < Duration::from_secs(15), "{what} took {took:?}");
    }
}

/// The command line's own mistakes stay command-line errors, never a window (the other half of
/// tests/cli.rs's typo test, whose no-display half is Linux's).
#[test]
fn a_typo_is_a_command_line_error_not_a_window() {
    let data = tempfile::tempdir().unwrap();
    let (code, _, err) = run(CLI, &["calll", "98765", "43210"], data.path());
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("'call'"), "a suggestion: {err}");
    let (code, _, err) = run(CLI, &["--autostart", "extra"], data.path());
    assert_eq!(code, 2, "{err}");
}

/// `reg query` of Clickdial's Run value: its data, or None.
fn run_value() -> Option<String> {
    let out = Command::new("reg")
        .args(["query", &format!(r"HKCU\{}", autostart::RUN_KEY)])
        .args(["/v", autostart::RUN_VALUE])
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    // `    Clickdial    REG_SZ    "C:\…\clickdial-window.exe" --autostart`
    text.lines().find_map(|l| {
        let rest = l
            .trim_start()
            .strip_prefix(autostart::RUN_VALUE)?
            .trim_start();
        Some(rest.strip_prefix("REG_SZ")?.trim().to_string())
    })
}

/// Start at login, as the window's Settings and the shared application write it: the GUI
/// program, its path quoted (a user folder with a space in its name), `--autostart`; off in
/// Task Manager reads as off, and turning it on again clears that; off removes the value.
#[test]
fn start_at_login_runs_the_gui_program_quoted() {
    // A folder with a space, as C:\Users\Asha Rao\… would be.
    let dir = tempfile::Builder::new()
        .prefix("Asha Rao ")
        .tempdir()
        .unwrap();
    let program: PathBuf = dir.path().join("clickdial-window.exe");
    std::fs::copy(APP, &program).unwrap();

    assert!(autostart::turn_on(&program).unwrap());
    assert!(autostart::enabled());
    let value = run_value().expect("the Run value is written");
    assert_eq!(value, format!("\"{}\" --autostart", program.display()));
    assert!(value.contains(' ') && value.starts_with('"'), "{value}");

    // Turned off by the user in Task Manager: StartupApproved, first byte 3.
    let approved = r"HKCU\Software\Microsoft\Windows\CurrentVersion\Explorer\StartupApproved\Run";
    let status = Command::new("reg")
        .args([
            "add",
            approved,
            "/v",
            autostart::RUN_VALUE,
            "/t",
            "REG_BINARY",
        ])
        .args(["/d", "030000000000000000000000", "/f"])
        .stdout(Stdio::null())
        .status()
        .unwrap();
    assert!(status.success());
    assert!(!autostart::enabled(), "off in Task Manager is off");
    assert!(autostart::turn_on(&program).unwrap(), "asked again: on");

    assert!(!autostart::turn_off().unwrap());
    assert_eq!(run_value(), None);
    assert!(!autostart::turn_off().unwrap(), "off twice is fine");

    // The same from the command line: `clickdial autostart on` names the GUI program beside it.
    let data = tempfile::tempdir().unwrap();
    let (code, out, err) = run(CLI, &["autostart", "on"], data.path());
    assert_eq!(
        (code, out.trim()),
        (0, "Clickdial starts at login."),
        "{err}"
    );
    // (CLI is the build machine's path; the program sees its Windows one.)
    let value = run_value().expect("the Run value is written");
    assert!(
        value.starts_with('"') && value.ends_with("\\clickdial-window.exe\" --autostart"),
        "{value}"
    );
    let (code, out, _) = run(CLI, &["autostart", "--json"], data.path());
    assert_eq!((code, out.trim()), (0, r#"{"startAtLogin":true}"#));
    let (code, out, _) = run(CLI, &["autostart", "off"], data.path());
    assert_eq!(
        (code, out.trim()),
        (0, "Clickdial does not start at login.")
    );
    assert_eq!(run_value(), None);
}

/// Portable mode: `CLICKDIAL_DATA_DIR` holds the call ledger (and the settings), so a Windows
/// desk (or a test) keeps them where it chooses; `history` reads the same folder.
#[tokio::test(flavor = "multi_thread")]
async fn the_portable_folder_holds_the_ledger() {
    let sim = clickdial_sim::Sim::spawn(clickdial_sim::Account::demo())
        .await
        .unwrap();
    let home = tempfile::tempdir().unwrap();
    let portable = home.path().join("Clickdial on USB");
    let url = sim.url();
    let cli = |args: &'static [&'static str]| {
        let (portable, url) = (portable.clone(), url.clone());
        tokio::task::spawn_blocking(move || {
            let out = Command::new(CLI)
                .args(args)
                .env(clickdial_services::DATA_DIR_VAR, &portable)
                .env("CLICKDIAL_BASE_URL", &url)
                .env("CLICKDIAL_TOKEN", clickdial_sim::DEMO_TOKEN)
                .stdin(Stdio::null())
                .output()
                .unwrap();
            (
                out.status.code(),
                String::from_utf8_lossy(&out.stdout).into_owned(),
            )
        })
    };
    let (code, out) = cli(&["call", "9876543210", "--agent", "0506123456781"])
        .await
        .unwrap();
    assert_eq!(code, Some(0), "{out}");
    assert!(
        portable.join("calls.sqlite3").is_file(),
        "the ledger is in the portable folder"
    );
    let (code, out) = cli(&["history", "--json"]).await.unwrap();
    assert_eq!(code, Some(0), "{out}");
    assert!(out.contains("+919876543210"), "{out}");
    assert!(!out.contains(clickdial_sim::DEMO_TOKEN), "{out}");
}
