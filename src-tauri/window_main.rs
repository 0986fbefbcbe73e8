// Release builds on Windows get no console window.
#![cfg_attr(not(debug_assertions), windows_subsystem = "windows")]

//! `clickdial-window`: the desktop app (GTK, WebKit, the tray), started by `clickdial` with no
//! arguments, a link or `--autostart`. Commands belong to `clickdial`.

fn main() {
    std::process::exit(clickdial_app::main())
}
