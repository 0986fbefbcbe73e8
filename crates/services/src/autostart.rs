//! Start at login, written by Clickdial itself for every front end (the window's *Settings*,
//! `clickdial autostart`, and a fleet policy that forces it on): it starts the GUI program,
//! `clickdial-window`, with `--autostart`, its path quoted so an install folder with a space or
//! a `%` in its name still starts.
//!
//! - Linux: an XDG autostart entry, `$XDG_CONFIG_HOME/autostart/Clickdial.desktop` (the name
//!   the autostart plugin of earlier versions used, so their entry is replaced, not doubled),
//!   its `Exec` quoted per the Desktop Entry Specification.
//! - Windows: the Run key ([`windows`]).
//! - macOS: the window's autostart plugin (a launch agent); not here.

use std::path::PathBuf;

use crate::{Code, Error};

#[cfg(target_os = "linux")]
mod linux;
#[cfg(windows)]
mod windows;

#[cfg(target_os = "linux")]
pub use linux::{desktop_entry, enabled, entry_path, turn_off, turn_on};
#[cfg(windows)]
pub use windows::{command_line, enabled, turn_off, turn_on, RUN_KEY, RUN_VALUE};

/// The argument that tells the app it was started at login.
pub const FLAG: &str = "--autostart";

/// Turns starting at login on (for `clickdial-window` beside this program) or off, and answers
/// the new state.
pub fn set(on: bool) -> Result<bool, Error> {
    if on {
        turn_on(&window_program()?)
    } else {
        turn_off()
    }
}

/// The program login starts: `clickdial-window` beside this program.
fn window_program() -> Result<PathBuf, Error> {
    let exe = crate::process::sibling("clickdial-window");
    if exe.is_absolute() && exe.is_file() {
        Ok(exe)
    } else {
        Err(Error::new(
            Code::Storage,
            format!(
                "Clickdial could not change starting at login: {} is not beside this program. \
                 Reinstall Clickdial.",
                exe.file_name()
                    .map(|n| n.to_string_lossy().into_owned())
                    .unwrap_or_default()
            ),
        ))
    }
}

/// The failure to write or remove the login item, in words.
fn failed(what: impl std::fmt::Display) -> Error {
    Error::new(
        Code::Storage,
        format!("Clickdial could not change starting at login: {what}"),
    )
}
