// A GUI program on Windows, debug builds included: links, the Start menu and start at login run
// it, and a console program would flash a console window up each time. `clickdial.exe` is the
// console program. Messages go to stderr when there is one, else to a message box
// (`clickdial_app::tell`).
#![windows_subsystem = "windows"]

//! `clickdial-window`: the desktop app (GTK, WebKit, the tray), started by `clickdial` with no
//! arguments, a link or `--autostart`. Commands belong to `clickdial`.

fn main() {
    std::process::exit(clickdial_app::main())
}
