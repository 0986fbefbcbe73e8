//! The login entry as the desktop reads it: GLib (what GNOME's session starts autostart entries
//! with) parses the entry Clickdial writes and runs the program with `--autostart`, from
//! folders whose names hold a space, a `%`, a `$`, a backslash, quotes and a semicolon.
#![cfg(target_os = "linux")]

use std::path::Path;
use std::time::{Duration, Instant};

use clickdial_services::autostart::desktop_entry;

/// A stand-in for `clickdial-window` that writes the arguments it got, one per line.
fn recorder(dir: &Path, out: &Path) -> std::path::PathBuf {
    use std::os::unix::fs::PermissionsExt;
    std::fs::create_dir_all(dir).unwrap();
    let program = dir.join("clickdial-window");
    std::fs::write(
        &program,
        format!(
            "#!/bin/sh\nprintf '%s\\n' \"$@\" > '{}.tmp' && mv '{}.tmp' '{}'\n",
            out.display(),
            out.display(),
            out.display()
        ),
    )
    .unwrap();
    std::fs::set_permissions(&program, std::fs::Permissions::from_mode(0o755)).unwrap();
    program
}

#[test]
fn glib_starts_the_entry_from_awkward_folders() {
    let root = tempfile::tempdir().unwrap();
    for (i, name) in [
        "Asha Rao",
        "100% sure",
        "a$HOME`b`",
        "back\\slash \"quoted\" it's",
        "semi;colon & (more) #1",
    ]
    .iter()
    .enumerate()
    {
        let out = root.path().join(format!("out-{i}"));
        let program = recorder(&root.path().join(name).join("bin"), &out);
        let entry = root.path().join(format!("entry-{i}.desktop"));
        std::fs::write(&entry, desktop_entry(&program)).unwrap();
        let status = std::process::Command::new("gio")
            .arg("launch")
            .arg(&entry)
            .status()
            .expect("gio (libglib2.0-bin) runs");
        assert!(status.success(), "GLib refused the entry for {name:?}");
        let deadline = Instant::now() + Duration::from_secs(10);
        while !out.exists() {
            assert!(
                Instant::now() < deadline,
                "{name:?}: the program did not start"
            );
            std::thread::sleep(Duration::from_millis(20));
        }
        assert_eq!(
            std::fs::read_to_string(&out).unwrap(),
            "--autostart\n",
            "{name:?}"
        );
    }
}
