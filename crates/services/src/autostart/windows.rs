//! Windows: a value named `Clickdial` under `HKCU\Software\Microsoft\Windows\CurrentVersion\Run`
//! that starts `clickdial-window.exe`, the GUI program (no console window flashes up at login),
//! with `--autostart`. The path is quoted: a per-user install lives under `C:\Users\<name>\…`,
//! and a name with a space would otherwise make Windows try to run `C:\Users\Asha` first.
//!
//! Windows lets the user turn a login item off in Task Manager (or Settings › Apps › Startup),
//! which it records under `…\Explorer\StartupApproved\Run`; such an item reads as off here, and
//! turning it on in Clickdial clears that mark, as the user has just asked for it.

use std::path::Path;

use windows_registry::CURRENT_USER;

use super::FLAG;
use crate::Error;

/// The Run key and Clickdial's value in it.
pub const RUN_KEY: &str = r"Software\Microsoft\Windows\CurrentVersion\Run";
pub const RUN_VALUE: &str = "Clickdial";
/// Where Windows records a login item the user turned off (first byte odd: off).
const APPROVED_KEY: &str =
    r"Software\Microsoft\Windows\CurrentVersion\Explorer\StartupApproved\Run";

/// The command line the Run value holds for `exe`: the path quoted, then the flag.
pub fn command_line(exe: &Path) -> String {
    format!("\"{}\" {FLAG}", exe.display())
}

fn failed(e: windows_registry::Result<()>) -> Result<(), Error> {
    e.map_err(|e| super::failed(e.message()))
}

/// Whether Clickdial starts at login: its Run value is there and not turned off by the user.
pub fn enabled() -> bool {
    let Some(command) = CURRENT_USER
        .open(RUN_KEY)
        .ok()
        .and_then(|k| k.get_string(RUN_VALUE).ok())
    else {
        return false;
    };
    let turned_off = CURRENT_USER
        .open(APPROVED_KEY)
        .ok()
        .and_then(|k| k.get_value(RUN_VALUE).ok())
        .is_some_and(|v| v.first().is_some_and(|b| b % 2 == 1));
    !command.trim().is_empty() && !turned_off
}

/// Starts `program` at login (with [`FLAG`]); answers the new state.
pub fn turn_on(program: &Path) -> Result<bool, Error> {
    let command = command_line(program);
    failed(
        CURRENT_USER
            .create(RUN_KEY)
            .and_then(|k| k.set_string(RUN_VALUE, &command)),
    )?;
    // The user asks for it now: an earlier "off" from Task Manager no longer holds.
    if let Ok(approved) = CURRENT_USER.options().read().write().open(APPROVED_KEY) {
        let _ = approved.remove_value(RUN_VALUE);
    }
    Ok(enabled())
}

/// Starts nothing at login any more; answers the new state.
pub fn turn_off() -> Result<bool, Error> {
    if let Ok(run) = CURRENT_USER.options().read().write().open(RUN_KEY) {
        if run.get_type(RUN_VALUE).is_ok() {
            failed(run.remove_value(RUN_VALUE))?;
        }
    }
    Ok(enabled())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_path_is_quoted_and_the_flag_follows() {
        let exe = Path::new(r"C:\Users\Asha Rao\AppData\Local\Clickdial\clickdial-window.exe");
        assert_eq!(
            command_line(exe),
            r#""C:\Users\Asha Rao\AppData\Local\Clickdial\clickdial-window.exe" --autostart"#
        );
    }
}
