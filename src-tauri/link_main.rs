// Release builds on Windows get no console window.
#![cfg_attr(not(debug_assertions), windows_subsystem = "windows")]

//! `clickdial-link`: what the desktop entry runs (`Exec=clickdial-link %u`). A clicked link is
//! handed to the running Clickdial over D-Bus by this small program, which loads neither GTK nor
//! WebKit; when no Clickdial runs (or with no link), it becomes `clickdial` with the same
//! arguments, from the same folder.

use std::ffi::OsString;

fn main() {
    let args: Vec<OsString> = std::env::args_os().collect();
    if let [_, link] = args.as_slice() {
        if link.to_str().is_some_and(clickdial_core::phone::is_link) {
            let argv: Vec<String> = args
                .iter()
                .map(|a| a.to_string_lossy().into_owned())
                .collect();
            use clickdial_services::instance::{forward, unknown_message, Forward};
            match forward(&argv) {
                Forward::Delivered => return,
                Forward::NoInstance => {}
                Forward::Unknown(detail) => {
                    eprintln!("clickdial-link: {}", unknown_message(&detail));
                    std::process::exit(1);
                }
            }
        }
    }
    let app = std::env::current_exe()
        .ok()
        .and_then(|me| Some(me.parent()?.join("clickdial")))
        .filter(|p| p.is_file())
        .unwrap_or_else(|| "clickdial".into());
    let mut command = std::process::Command::new(&app);
    // `skip`, not `[1..]`: a program can be started with no arguments at all, not even its name.
    command.args(args.iter().skip(1));
    #[cfg(unix)]
    {
        use std::os::unix::process::CommandExt;
        let e = command.exec();
        eprintln!("clickdial-link: could not start {}: {e}", app.display());
        std::process::exit(1);
    }
    #[cfg(not(unix))]
    std::process::exit(match command.status() {
        Ok(s) => s.code().unwrap_or(1),
        Err(e) => {
            eprintln!("clickdial-link: could not start {}: {e}", app.display());
            1
        }
    });
}
