//! Desktop notifications, sent straight to the freedesktop notification service over the
//! session bus (the zbus that `instance` already uses), so no second D-Bus stack is built in.
//! Which calls are worth one is decided by [`crate::follow::notification`].

/// Shows `title` / `body` for five seconds. Errors (no notification service, no session bus)
/// are returned for the caller to ignore: the window shows the same.
#[cfg(target_os = "linux")]
pub fn show(title: &str, body: &str) -> Result<(), String> {
    use std::collections::HashMap;
    let connection = zbus::blocking::Connection::session().map_err(|e| e.to_string())?;
    let hints: HashMap<&str, zbus::zvariant::Value<'_>> = HashMap::new();
    connection
        .call_method(
            Some("org.freedesktop.Notifications"),
            "/org/freedesktop/Notifications",
            Some("org.freedesktop.Notifications"),
            "Notify",
            &(
                "Clickdial",
                0u32,
                "call-start",
                title,
                body,
                Vec::<&str>::new(),
                hints,
                5000i32,
            ),
        )
        .map(|_| ())
        .map_err(|e| e.to_string())
}

/// Not on this system yet: Windows and macOS need their own notification APIs.
#[cfg(not(target_os = "linux"))]
pub fn show(_title: &str, _body: &str) -> Result<(), String> {
    Err("desktop notifications are not available on this system yet".into())
}
