//! Handing a link to the Clickdial that is already running, without starting one: the D-Bus
//! call the single-instance plugin makes (Linux). Used before anything heavy is loaded by
//! `clickdial` (what the desktop runs for a clicked link), so a click reaches the running app in
//! a few milliseconds instead of after GTK and WebKit start.

/// What became of a link handed to the running app.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Forward {
    /// The running app took it.
    Delivered,
    /// No Clickdial runs (or there is no session bus): start the app with the link; the plugin
    /// inside it still forwards if another instance appeared meanwhile.
    NoInstance,
    /// An app was there but the call failed in a way that may have delivered the link (a
    /// timeout, say). Delivering it again could dial twice, so the caller reports this instead.
    Unknown(String),
}

/// Sends `argv` (program name first) to the running Clickdial.
#[cfg(target_os = "linux")]
pub fn forward(argv: &[String]) -> Forward {
    // Must match tauri-plugin-single-instance's Linux names for our identifier.
    let name = format!("{}.SingleInstance", crate::IDENTIFIER);
    let path = format!("/{}", name.replace('.', "/").replace('-', "_"));
    let Ok(connection) = zbus::blocking::Connection::session() else {
        return Forward::NoInstance;
    };
    let cwd = std::env::current_dir()
        .unwrap_or_default()
        .to_string_lossy()
        .into_owned();
    let reply = connection.call_method(
        Some(name.as_str()),
        path.as_str(),
        Some("org.SingleInstance.DBus"),
        "ExecuteCallback",
        &(argv, cwd.as_str()),
    );
    match reply {
        Ok(_) => Forward::Delivered,
        // Nobody owns the name: the bus refused before anything reached an app.
        Err(zbus::Error::MethodError(error, _, _))
            if matches!(
                error.as_str(),
                "org.freedesktop.DBus.Error.ServiceUnknown"
                    | "org.freedesktop.DBus.Error.NameHasNoOwner"
            ) =>
        {
            Forward::NoInstance
        }
        Err(e) => Forward::Unknown(e.to_string()),
    }
}

/// Elsewhere the plugin forwards from inside the app (a named pipe on Windows; macOS sends
/// links as events to the running app itself).
#[cfg(not(target_os = "linux"))]
pub fn forward(_argv: &[String]) -> Forward {
    Forward::NoInstance
}

/// What to tell the agent when a link may or may not have reached the running app.
pub fn unknown_message(detail: &str) -> String {
    format!(
        "Clickdial is running but did not confirm it received the link ({detail}). It was not \
         sent again, so nothing is dialled twice: look at the Clickdial window, and click the \
         link again if no sheet opened."
    )
}

/// What the small front program (`clickdial`) does once it knows the window
/// is wanted: a lone `tel:`/`callto:` link is handed to the running Clickdial (and this process
/// ends); otherwise, or when none runs, this process becomes `program` from its own folder with
/// the same arguments (on Unix the same process, named `clickdial`: GTK takes the program name,
/// the window's WM_CLASS that the desktop entry's StartupWMClass matches, from it). `me` names
/// this program in messages. Never returns.
pub fn hand_over_or_become(args: &[std::ffi::OsString], program: &str, me: &str) -> ! {
    if let [_, link] = args {
        if link.to_str().is_some_and(clickdial_core::phone::is_link) {
            let argv: Vec<String> = args
                .iter()
                .map(|a| a.to_string_lossy().into_owned())
                .collect();
            match forward(&argv) {
                Forward::Delivered => std::process::exit(0),
                Forward::NoInstance => {}
                Forward::Unknown(detail) => {
                    eprintln!("{me}: {}", unknown_message(&detail));
                    std::process::exit(1);
                }
            }
        }
    }
    let file = if cfg!(windows) {
        format!("{program}.exe")
    } else {
        program.to_string()
    };
    let path = std::env::current_exe()
        .ok()
        .and_then(|exe| Some(exe.parent()?.join(&file)))
        .filter(|p| p.is_file())
        .unwrap_or_else(|| file.into());
    let mut command = std::process::Command::new(&path);
    // `skip`, not `[1..]`: a program can be started with no arguments at all, not even its name.
    command.args(args.iter().skip(1));
    #[cfg(unix)]
    {
        use std::os::unix::process::CommandExt;
        let e = command.arg0("clickdial").exec();
        eprintln!("{me}: could not start {}: {e}", path.display());
        std::process::exit(1);
    }
    #[cfg(not(unix))]
    std::process::exit(match command.status() {
        Ok(s) => s.code().unwrap_or(1),
        Err(e) => {
            eprintln!("{me}: could not start {}: {e}", path.display());
            1
        }
    });
}
