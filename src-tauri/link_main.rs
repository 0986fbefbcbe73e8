// Release builds on Windows get no console window.
#![cfg_attr(not(debug_assertions), windows_subsystem = "windows")]

//! `clickdial-link`: what the desktop entry runs (`Exec=clickdial-link %u`). A clicked link is
//! handed to the running Clickdial over D-Bus by this small program, which loads neither GTK nor
//! WebKit; when no Clickdial runs (or with no link), it becomes `clickdial-window`, the desktop
//! app, with the same arguments, from the same folder.

fn main() {
    let args: Vec<std::ffi::OsString> = std::env::args_os().collect();
    clickdial_services::instance::hand_over_or_become(&args, "clickdial-window", "clickdial-link")
}
