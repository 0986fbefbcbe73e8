//! Whether this computer can show Clickdial's window. On Windows the page runs in the Microsoft
//! Edge WebView2 Runtime: Windows 11 has it, and Windows 10 gets it with Edge, but a locked-down
//! or long-unpatched desk may not. Without it the window cannot open, so `clickdial-window.exe`
//! (and `clickdial.exe` when it would start the window) says what to install instead of failing
//! inside the web view. Elsewhere the web view comes with the package (WebKitGTK) or the OS
//! (WKWebView), and this answers `None`.
//!
//! Detection follows Microsoft's guide for installers ("Detect if a WebView2 Runtime is already
//! installed"): the `pv` value of the runtime's EdgeUpdate client key, per machine (the 32-bit
//! view on 64-bit Windows) or per user, present and not `0.0.0.0`.

/// Where to get the runtime (Microsoft's page; "Evergreen Bootstrapper" is the small download).
pub const WEBVIEW2_DOWNLOAD: &str = "https://developer.microsoft.com/microsoft-edge/webview2/";

/// What to tell the agent when the window cannot open because the runtime is missing.
pub fn missing_message() -> String {
    format!(
        "Clickdial's window needs the Microsoft Edge WebView2 Runtime, which is not installed on \
         this computer. Install the Evergreen WebView2 Runtime from {WEBVIEW2_DOWNLOAD} (or ask \
         your IT team to), then start Clickdial again. The command line works without it: run \
         `clickdial --help`."
    )
}

/// Why the window cannot open here, if the web view it needs is missing: the message to show.
pub fn missing_runtime() -> Option<String> {
    #[cfg(windows)]
    {
        if webview2_version().is_none() {
            return Some(missing_message());
        }
    }
    None
}

/// The runtime's client id, the same for every channel of the Evergreen runtime.
#[cfg(windows)]
const CLIENT: &str = r"Microsoft\EdgeUpdate\Clients\{F3017226-FE2A-4295-8BDF-00C3A9A7E4C5}";

/// The installed WebView2 Runtime's version, if there is one. A runtime the program is pointed
/// at by `WEBVIEW2_BROWSER_EXECUTABLE_FOLDER` (a fixed-version runtime an IT team ships) counts
/// as installed: the loader uses it before looking at the registry.
#[cfg(windows)]
pub fn webview2_version() -> Option<String> {
    use windows_registry::{CURRENT_USER, LOCAL_MACHINE};
    if let Some(folder) = std::env::var_os("WEBVIEW2_BROWSER_EXECUTABLE_FOLDER") {
        if std::path::Path::new(&folder).is_dir() {
            return Some(format!("fixed version in {}", folder.to_string_lossy()));
        }
    }
    let places = [
        (LOCAL_MACHINE, format!(r"SOFTWARE\WOW6432Node\{CLIENT}")),
        (LOCAL_MACHINE, format!(r"SOFTWARE\{CLIENT}")),
        (CURRENT_USER, format!(r"Software\{CLIENT}")),
    ];
    places.iter().find_map(|(root, path)| {
        let version = root.open(path).ok()?.get_string("pv").ok()?;
        usable(&version).then_some(version)
    })
}

/// A `pv` that names an installed runtime: not empty, not `0.0.0.0` (left by an uninstall).
#[cfg_attr(not(windows), allow(dead_code))]
fn usable(pv: &str) -> bool {
    let pv = pv.trim();
    !pv.is_empty()
        && pv
            .split('.')
            .any(|part| !part.trim_start_matches('0').is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_version_left_by_an_uninstall_is_no_runtime() {
        assert!(usable("131.0.2903.86"));
        assert!(usable("1.0"));
        assert!(!usable("0.0.0.0"));
        assert!(!usable(""));
        assert!(!usable("  "));
    }

    #[test]
    fn the_message_says_what_to_install_and_where() {
        let m = missing_message();
        assert!(m.contains("WebView2 Runtime"), "{m}");
        assert!(m.contains(WEBVIEW2_DOWNLOAD), "{m}");
        assert!(m.contains("clickdial --help"), "{m}");
    }

    /// Linux and macOS: the web view comes with the package or the OS.
    #[cfg(not(windows))]
    #[test]
    fn nothing_is_missing_outside_windows() {
        assert_eq!(missing_runtime(), None);
    }
}
