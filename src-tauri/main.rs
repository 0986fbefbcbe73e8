// A console program on Windows, always: it is the command line, and its answers and exit codes
// belong to the terminal or script that ran it. Links, the Start menu and start at login run
// `clickdial-window.exe`, the GUI program, so no console window flashes up for them.

//! `clickdial`: with a subcommand, the command line, which loads neither GTK nor WebKit (the
//! shared libraries a window needs and a command does not). A lone `tel:`/`callto:` link goes
//! to the running Clickdial at once. Otherwise (no arguments, a link with no Clickdial running,
//! `--autostart`) this process becomes `clickdial-window`, the desktop app, from the same
//! folder with the same arguments. `clickdial --keeper` (Linux) is the tray keeper, which the
//! window starts when it is closed to the tray.

fn main() {
    let args: Vec<std::ffi::OsString> = std::env::args_os().collect();
    #[cfg(target_os = "linux")]
    if let [_, flag] = args.as_slice() {
        if flag == clickdial_cli::KEEPER_FLAG {
            let handover = clickdial_services::instance::Handover::take_from_env();
            clickdial_services::process::harden();
            std::process::exit(clickdial_desktop::keeper::run(handover));
        }
    }
    if !clickdial_cli::opens_window(&args) {
        clickdial_services::process::harden();
        std::process::exit(clickdial_cli::run(args));
    }
    // The window cannot open without its web view (Windows: the WebView2 Runtime): say what to
    // install here, where a terminal reads it, rather than start a program that cannot work.
    if let Some(message) = clickdial_services::webview::missing_runtime() {
        eprintln!("{message}");
        std::process::exit(1);
    }
    clickdial_services::instance::hand_over_or_become(&args, "clickdial-window", "clickdial")
}
