//! Linux: an XDG autostart entry the desktop session runs at login. The path in `Exec` is quoted
//! and escaped per the Desktop Entry Specification ("The Exec key"): an install folder with a
//! space, a `%`, a `$` or a backslash in its name still starts, where the autostart plugin of
//! earlier versions wrote the path bare.

use std::path::{Path, PathBuf};

use super::{failed, FLAG};
use crate::handler::exec_arg;
use crate::Error;

/// The entry's file name: the one the autostart plugin used, so its entry is replaced.
const ENTRY_FILE: &str = "Clickdial.desktop";

/// Where the entry lives: `$XDG_CONFIG_HOME/autostart` (else `~/.config/autostart`).
pub fn entry_path() -> Option<PathBuf> {
    let config = std::env::var_os("XDG_CONFIG_HOME")
        .map(PathBuf::from)
        .filter(|p| p.is_absolute())
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".config")))?;
    Some(config.join("autostart").join(ENTRY_FILE))
}

/// The entry that starts `program` at login with [`FLAG`]. A path with a `%` in it goes through
/// `env`: GLib (GNOME's session) looks for the program named in `Exec` before it turns `%%` back
/// into `%`, so it would refuse an entry whose program path holds one.
pub fn desktop_entry(program: &Path) -> String {
    let program = program.to_string_lossy();
    let exec = if program.contains('%') {
        format!("env {}", exec_arg(&program))
    } else {
        exec_arg(&program)
    };
    format!(
        "[Desktop Entry]\n\
         Type=Application\n\
         Version=1.0\n\
         Name=Clickdial\n\
         Comment=Click-to-call, started at login\n\
         Exec={exec} {FLAG}\n\
         Icon=clickdial\n\
         StartupNotify=false\n\
         Terminal=false\n\
         X-GNOME-Autostart-enabled=true\n"
    )
}

/// Whether Clickdial starts at login: its entry is there and not turned off (`Hidden=true`, or
/// `X-GNOME-Autostart-enabled=false` written by the desktop's startup-applications tool).
pub fn enabled() -> bool {
    let Some(text) = entry_path().and_then(|p| std::fs::read_to_string(p).ok()) else {
        return false;
    };
    !text.lines().any(|line| {
        let line = line.trim();
        line.eq_ignore_ascii_case("Hidden=true")
            || line.eq_ignore_ascii_case("X-GNOME-Autostart-enabled=false")
    })
}

/// Starts `program` at login; answers the new state. The entry is written whole (a temporary
/// file renamed over it), so a session starting meanwhile never reads half of one.
pub fn turn_on(program: &Path) -> Result<bool, Error> {
    let path = entry_path().ok_or_else(|| failed("no home folder (is HOME set?)"))?;
    let dir = path.parent().unwrap_or(Path::new("."));
    std::fs::create_dir_all(dir).map_err(|e| failed(format!("{}: {e}", dir.display())))?;
    let tmp = path.with_extension("desktop.tmp");
    std::fs::write(&tmp, desktop_entry(program))
        .and_then(|()| std::fs::rename(&tmp, &path))
        .map_err(|e| {
            let _ = std::fs::remove_file(&tmp);
            failed(format!("{}: {e}", path.display()))
        })?;
    Ok(enabled())
}

/// Starts nothing at login any more; answers the new state.
pub fn turn_off() -> Result<bool, Error> {
    if let Some(path) = entry_path() {
        match std::fs::remove_file(&path) {
            Ok(()) => {}
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => return Err(failed(format!("{}: {e}", path.display()))),
        }
    }
    Ok(enabled())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_entry_names_the_program_and_the_flag() {
        let entry = desktop_entry(Path::new("/home/asha rao/bin/clickdial-window"));
        assert!(entry.starts_with("[Desktop Entry]\n"), "{entry}");
        assert!(
            entry.contains("\nExec=\"/home/asha rao/bin/clickdial-window\" --autostart\n"),
            "{entry}"
        );
        let entry = desktop_entry(Path::new("/opt/100% sure/clickdial-window"));
        assert!(
            entry.contains("\nExec=env \"/opt/100%% sure/clickdial-window\" --autostart\n"),
            "{entry}"
        );
    }
}
