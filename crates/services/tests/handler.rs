//! The default-handler doctor against the real xdg-mime (and gio, when present), over a
//! throw-away desktop in a temp dir. Tests never change the process environment: the tools get
//! the temp desktop through `Desktop`, which sets their environment.
#![cfg(target_os = "linux")]

use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use clickdial_services::handler::{open_through_os, Desktop, SCHEMES};

fn desktop(root: &Path) -> Desktop {
    let home = root.join("home");
    Desktop {
        data_home: home.join(".local/share"),
        config_home: home.join(".config"),
        data_dirs: vec![root.join("usr/share")],
        home,
        tools_path: None,
    }
}

/// An executable script at `path` (xdg-mime only accepts entries whose program exists).
fn program(path: &Path, body: &str) -> PathBuf {
    use std::os::unix::fs::PermissionsExt;
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, format!("#!/bin/sh\n{body}\n")).unwrap();
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o755)).unwrap();
    path.canonicalize().unwrap()
}

fn entry(dir: &Path, id: &str, text: &str) {
    std::fs::create_dir_all(dir).unwrap();
    std::fs::write(dir.join(id), text).unwrap();
}

/// `xdg-mime default` run the way a user (or another app) would, in the temp desktop.
fn set_default(d: &Desktop, id: &str, scheme: &str) {
    let ok = Command::new("xdg-mime")
        .args(["default", id, &format!("x-scheme-handler/{scheme}")])
        .env("HOME", &d.home)
        .env("XDG_DATA_HOME", &d.data_home)
        .env("XDG_CONFIG_HOME", &d.config_home)
        .env("XDG_DATA_DIRS", &d.data_dirs[0])
        .status()
        .unwrap()
        .success();
    assert!(ok);
}

fn own_entry(d: &Desktop) -> PathBuf {
    d.data_home.join("applications/clickdial-links.desktop")
}

fn has_gio() -> bool {
    Command::new("sh")
        .args(["-c", "command -v gio"])
        .output()
        .is_ok_and(|o| o.status.success())
}

#[test]
fn install_makes_clickdial_the_default_with_an_unquoted_exec() {
    let tmp = tempfile::tempdir().unwrap();
    let d = desktop(tmp.path());
    let exe = program(&tmp.path().join("opt/clickdial/clickdial"), "exit 0");

    let before = d.status(&exe);
    assert!(!before.is_default);
    assert!(before.can_install);
    assert_eq!(before.advice, None);
    assert_eq!(before.summary, "tel: and callto: links open nothing yet.");
    let names: Vec<_> = before.schemes.iter().map(|s| s.scheme.as_str()).collect();
    assert_eq!(names, SCHEMES);
    assert!(before
        .schemes
        .iter()
        .all(|s| s.handler.is_none() && !s.ours));

    let after = d.install(&exe).unwrap();
    assert!(after.is_default, "{after:?}");
    assert_eq!(after.summary, "tel: and callto: links open Clickdial.");
    for s in &after.schemes {
        assert_eq!(s.handler.as_deref(), Some("clickdial-links.desktop"));
        assert!(s.ours);
        if has_gio() {
            let gio = s.gio.as_deref().unwrap();
            assert!(gio.contains("clickdial-links.desktop"), "{gio}");
        }
    }

    let text = std::fs::read_to_string(own_entry(&d)).unwrap();
    let exec = format!("\nExec={} %u\n", exe.display());
    assert!(text.contains(&exec), "{text}");
    assert!(!text.contains('"'), "{text}");
    assert!(text.starts_with("[Desktop Entry]\n"));
    for line in [
        "Type=Application",
        "Name=Clickdial",
        "NoDisplay=true",
        "MimeType=x-scheme-handler/tel;x-scheme-handler/callto;",
    ] {
        assert!(text.lines().any(|l| l == line), "{line} in {text}");
    }
    // What xdg-mime recorded, where every freedesktop desktop reads it.
    let list = std::fs::read_to_string(d.config_home.join("mimeapps.list")).unwrap();
    for scheme in SCHEMES {
        let line = format!("x-scheme-handler/{scheme}=clickdial-links.desktop");
        assert!(list.lines().any(|l| l == line), "{list}");
    }
    // A second look agrees, and installing again changes nothing.
    assert!(d.status(&exe).is_default);
    assert!(d.install(&exe).unwrap().is_default);
}

#[test]
fn another_app_as_default_is_reported_with_its_name_and_id_then_replaced() {
    let tmp = tempfile::tempdir().unwrap();
    let d = desktop(tmp.path());
    let exe = program(&tmp.path().join("opt/clickdial/clickdial"), "exit 0");
    let firefox = program(&tmp.path().join("opt/firefox/firefox"), "exit 0");
    entry(
        &d.data_dirs[0].join("applications"),
        "firefox.desktop",
        &format!(
            "[Desktop Entry]\nType=Application\nName=Firefox\nExec={} %u\n\
             MimeType=text/html;x-scheme-handler/tel;\n",
            firefox.display()
        ),
    );
    set_default(&d, "firefox.desktop", "tel");

    let s = d.status(&exe);
    assert!(!s.is_default);
    assert_eq!(s.schemes[0].handler.as_deref(), Some("firefox.desktop"));
    assert!(!s.schemes[0].ours);
    assert_eq!(s.schemes[1].handler, None);
    assert_eq!(
        s.summary,
        "tel: links open Firefox (firefox.desktop); callto: links open nothing yet."
    );

    let after = d.install(&exe).unwrap();
    assert!(after.is_default, "{after:?}");
    assert_eq!(
        after.schemes[0].handler.as_deref(),
        Some("clickdial-links.desktop")
    );
}

#[test]
fn an_installed_entry_of_ours_is_used_and_a_quoted_one_skipped() {
    let tmp = tempfile::tempdir().unwrap();
    let mut d = desktop(tmp.path());
    // Like the .deb: `clickdial` on the PATH and /usr/share/applications/Clickdial.desktop.
    let bin = tmp.path().join("bin");
    let exe = program(&bin.join("clickdial"), "exit 0");
    let mut path = OsString::from(&bin);
    path.push(":");
    path.push(std::env::var_os("PATH").unwrap_or_default());
    d.tools_path = Some(path);
    entry(
        &d.data_dirs[0].join("applications"),
        "Clickdial.desktop",
        "[Desktop Entry]\nType=Application\nName=Clickdial\nExec=clickdial %u\n\
         MimeType=x-scheme-handler/tel;x-scheme-handler/callto;\n",
    );
    // Like the deep-link plugin's runtime registration: quoted, which Debian 12's xdg-mime
    // cannot read; searched first (data home), yet it must not be chosen.
    entry(
        &d.data_home.join("applications"),
        "clickdial-handler.desktop",
        &format!(
            "[Desktop Entry]\nType=Application\nName=Clickdial\nExec=\"{}\" %u\n\
             MimeType=x-scheme-handler/tel;x-scheme-handler/callto;\n",
            exe.display()
        ),
    );

    let after = d.install(&exe).unwrap();
    assert!(after.is_default, "{after:?}");
    for s in &after.schemes {
        assert_eq!(s.handler.as_deref(), Some("Clickdial.desktop"));
    }
    assert!(!own_entry(&d).exists());
}

#[test]
fn a_path_with_a_space_is_quoted_and_escaped() {
    let tmp = tempfile::tempdir().unwrap();
    let d = desktop(tmp.path());
    // Not named `clickdial`: only reading the Exec back exactly can find it ours.
    let exe = program(&tmp.path().join("My Apps/50% off/Click Dial"), "exit 0");

    let after = d.install(&exe).unwrap();
    let text = std::fs::read_to_string(own_entry(&d)).unwrap();
    let escaped = exe.display().to_string().replace('%', "%%");
    let exec = format!("\nExec=\"{escaped}\" %u\n");
    assert!(text.contains(&exec), "{text}");
    // Read back, the entry runs exactly `exe`.
    assert!(after.is_default, "{after:?}");
    assert!(after.schemes.iter().all(|s| s.ours));
}

#[test]
fn odd_entries_do_not_break_the_status() {
    let tmp = tempfile::tempdir().unwrap();
    let d = desktop(tmp.path());
    let exe = program(&tmp.path().join("opt/clickdial/clickdial"), "exit 0");
    let other = program(&tmp.path().join("opt/other/other"), "exit 0");
    let mut text = b"\xff\xfe junk\n[Desktop Entry]\nName=Caf\xe9\nExec=".to_vec();
    text.extend_from_slice(other.to_str().unwrap().as_bytes());
    text.extend_from_slice(b" %u\nMimeType=x-scheme-handler/callto\n");
    let dir = d.data_home.join("applications");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("odd.desktop"), text).unwrap();
    set_default(&d, "odd.desktop", "callto");

    let s = d.status(&exe);
    assert_eq!(s.schemes[1].handler.as_deref(), Some("odd.desktop"));
    assert!(!s.schemes[1].ours);
    assert_eq!(
        s.summary,
        "tel: links open nothing yet; callto: links open Caf\u{fffd} (odd.desktop)."
    );
}

#[test]
fn without_xdg_mime_the_status_says_what_to_install() {
    let tmp = tempfile::tempdir().unwrap();
    let mut d = desktop(tmp.path());
    let empty = tmp.path().join("no-tools");
    std::fs::create_dir_all(&empty).unwrap();
    d.tools_path = Some(empty.into_os_string());
    let exe = program(&tmp.path().join("opt/clickdial/clickdial"), "exit 0");

    let s = d.status(&exe);
    assert!(!s.can_install);
    assert!(!s.is_default);
    assert!(s.summary.contains("xdg-utils"), "{}", s.summary);
    assert!(s.advice.as_deref().unwrap().contains("xdg-utils"));
    assert!(s
        .schemes
        .iter()
        .all(|s| s.handler.is_none() && s.gio.is_none()));

    let err = d.install(&exe).unwrap_err();
    assert!(err.message.contains("xdg-utils"), "{}", err.message);
    assert!(!own_entry(&d).exists());
    assert!(open_through_os(&d, "tel:+919876543210").is_err());
}

#[test]
fn the_self_test_link_reaches_clickdial_with_the_url() {
    if !has_gio() {
        eprintln!("skipped: no gio");
        return;
    }
    let tmp = tempfile::tempdir().unwrap();
    let d = desktop(tmp.path());
    // A stand-in for Clickdial that writes down the arguments it was started with.
    let got = tmp.path().join("got");
    let exe = program(
        &tmp.path().join("opt/clickdial/clickdial"),
        &format!(
            "printf '%s\\n' \"$@\" > '{}.tmp' && mv '{0}.tmp' '{0}'",
            got.display()
        ),
    );
    d.install(&exe).unwrap();

    assert!(open_through_os(&d, "https://example.com").is_err());
    open_through_os(&d, "tel:+919876543210").unwrap();
    let deadline = Instant::now() + Duration::from_secs(10);
    while !got.exists() && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(20));
    }
    assert_eq!(
        std::fs::read_to_string(&got).unwrap(),
        "tel:+919876543210\n"
    );
}
