//! Handing a link to the Clickdial that is already running, without starting one: the D-Bus
//! call the single-instance plugin makes (Linux). Used before anything heavy is loaded, by
//! `clickdial` and by `clickdial-link` (what the desktop runs for a clicked link), so a click
//! reaches the running app in a few milliseconds instead of after GTK and WebKit start.

/// Sends `argv` (program name first) to the running Clickdial. `false` when none runs or the
/// session bus is unreachable: then the caller starts the app, and the plugin inside it
/// forwards if another instance appeared meanwhile.
#[cfg(target_os = "linux")]
pub fn forward(argv: &[String]) -> bool {
    // Must match tauri-plugin-single-instance's Linux names for our identifier.
    let name = format!("{}.SingleInstance", crate::IDENTIFIER);
    let path = format!("/{}", name.replace('.', "/").replace('-', "_"));
    let Ok(connection) = zbus::blocking::Connection::session() else {
        return false;
    };
    let cwd = std::env::current_dir()
        .unwrap_or_default()
        .to_string_lossy()
        .into_owned();
    connection
        .call_method(
            Some(name.as_str()),
            path.as_str(),
            Some("org.SingleInstance.DBus"),
            "ExecuteCallback",
            &(argv, cwd.as_str()),
        )
        .is_ok()
}

/// Elsewhere the plugin forwards from inside the app (a named pipe on Windows; macOS sends
/// links as events to the running app itself).
#[cfg(not(target_os = "linux"))]
pub fn forward(_argv: &[String]) -> bool {
    false
}
