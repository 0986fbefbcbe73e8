//! Desktop pieces that need no Tauri: the clipboard and the selection the tray and the hotkey
//! read, and on Linux the [`keeper`], which holds Clickdial's place in the tray while its window
//! is closed, without GTK or WebKit loaded.

#[cfg(target_os = "linux")]
pub mod keeper;

/// The most of a clipboard or selection kept: far more than any phone number or CRM line, and
/// a bound on what a huge clipboard costs once read.
pub const MAX_CLIPBOARD: usize = 4096;

/// `text` cut to [`MAX_CLIPBOARD`] bytes, at a character boundary.
fn capped(mut text: String) -> String {
    if text.len() > MAX_CLIPBOARD {
        let mut end = MAX_CLIPBOARD;
        while !text.is_char_boundary(end) {
            end -= 1;
        }
        text.truncate(end);
    }
    text
}

/// The clipboard's text, if it holds text, cut to [`MAX_CLIPBOARD`]. Read once, when asked.
pub fn clipboard() -> Option<String> {
    arboard::Clipboard::new().ok()?.get_text().ok().map(capped)
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
                return Some(capped(text));
            }
        }
    }
    clipboard.get_text().ok().map(capped)
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

#[cfg(test)]
mod tests {
    #[test]
    fn a_huge_clipboard_is_cut_at_a_character() {
        assert_eq!(super::capped("98765 43210".into()), "98765 43210");
        let big = "é".repeat(super::MAX_CLIPBOARD);
        let cut = super::capped(big);
        assert!(cut.len() <= super::MAX_CLIPBOARD && cut.len() >= super::MAX_CLIPBOARD - 1);
        assert!(cut.chars().all(|c| c == 'é'));
    }
}
