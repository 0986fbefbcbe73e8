//! Desktop pieces that need no Tauri: the clipboard and the selection the tray and the hotkey
//! read, and on Linux the [`keeper`], which holds Clickdial's place in the tray while its window
//! is closed, without GTK or WebKit loaded.

#[cfg(target_os = "linux")]
pub mod keeper;

/// The clipboard's text, if it holds text.
pub fn clipboard() -> Option<String> {
    arboard::Clipboard::new().ok()?.get_text().ok()
}

/// What the hotkey dials: the selected text (the PRIMARY selection on Linux), else the
/// clipboard. Only read, never changed.
pub fn selection() -> Option<String> {
    let mut clipboard = arboard::Clipboard::new().ok()?;
    #[cfg(target_os = "linux")]
    {
        use arboard::{GetExtLinux, LinuxClipboardKind};
        if let Ok(text) = clipboard
            .get()
            .clipboard(LinuxClipboardKind::Primary)
            .text()
        {
            if !text.trim().is_empty() {
                return Some(text);
            }
        }
    }
    clipboard.get_text().ok()
}

/// Reads the clipboard again and again (the tray's refresh) through one connection.
pub struct ClipboardReader(Option<arboard::Clipboard>);

impl ClipboardReader {
    pub fn new() -> Self {
        ClipboardReader(arboard::Clipboard::new().ok())
    }

    /// The clipboard's text, if it holds text.
    pub fn text(&mut self) -> Option<String> {
        self.0.as_mut()?.get_text().ok()
    }
}

impl Default for ClipboardReader {
    fn default() -> Self {
        Self::new()
    }
}

/// The default global shortcut.
pub const DEFAULT_HOTKEY: &str = "ctrl+alt+d";

/// Global shortcuts need X11 (or Windows, macOS); a Wayland session does not let an app grab
/// keys for the whole desktop.
pub fn shortcuts_supported() -> bool {
    let var = |k: &str| std::env::var(k).unwrap_or_default();
    !(var("XDG_SESSION_TYPE") == "wayland"
        || (var("DISPLAY").is_empty() && !var("WAYLAND_DISPLAY").is_empty()))
}
