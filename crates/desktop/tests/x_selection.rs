//! What the hotkey and the tray read, from a real X server: the PRIMARY selection (the selected
//! text), else the clipboard, each owned by another X client (this program, started again as
//! the owner), and neither changed by reading. The window's hotkey and the tray keeper's both
//! read through `clickdial_desktop::selection`.
//!
//! `scripts/test.sh` runs this under xvfb-run with `CLICKDIAL_X_TESTS=1`, where a missing display
//! is a failure. Without that variable (a plain `cargo test`, maybe on a desktop whose clipboard
//! it would take over), it says it did not run.

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};

/// Set in the owner process: the text it puts in the PRIMARY selection and in the clipboard
/// (empty: left alone).
const OWN_PRIMARY: &str = "CLICKDIAL_TEST_OWN_PRIMARY";
const OWN_CLIPBOARD: &str = "CLICKDIAL_TEST_OWN_CLIPBOARD";

fn main() {
    if cfg!(not(target_os = "linux")) {
        println!("x_selection: X11 only");
        return;
    }
    if let (Ok(primary), Ok(clipboard)) = (std::env::var(OWN_PRIMARY), std::env::var(OWN_CLIPBOARD))
    {
        return own(&primary, &clipboard);
    }
    // Only where asked: on a developer's desktop it would take over their selection and
    // clipboard.
    if std::env::var_os("CLICKDIAL_X_TESTS").is_none() {
        println!("x_selection: not run (scripts/test.sh runs it under xvfb-run)");
        return;
    }
    assert!(
        std::env::var_os("DISPLAY").is_some(),
        "CLICKDIAL_X_TESTS is set but there is no X display (DISPLAY)"
    );
    the_selection_comes_first_and_nothing_is_changed();
    a_blank_selection_falls_back_to_the_clipboard();
    a_huge_clipboard_is_cut();
    nothing_selected_or_copied_is_none();
    println!("x_selection: 4 checks passed");
}

#[cfg(target_os = "linux")]
fn own(primary: &str, clipboard: &str) {
    use arboard::{LinuxClipboardKind, SetExtLinux};
    use std::io::Read;
    let mut owner = arboard::Clipboard::new().expect("an X display");
    for (kind, text) in [
        (LinuxClipboardKind::Clipboard, clipboard),
        (LinuxClipboardKind::Primary, primary),
    ] {
        if !text.is_empty() {
            owner
                .set()
                .clipboard(kind)
                .text(text)
                .expect("owning a selection");
        }
    }
    println!("owning");
    // Owned until the test closes this process's input.
    let _ = std::io::stdin().read_to_end(&mut Vec::new());
}

#[cfg(not(target_os = "linux"))]
fn own(_: &str, _: &str) {}

/// Another X client owning the selection and the clipboard, until dropped.
struct Owner(Child);

impl Owner {
    fn start(primary: &str, clipboard: &str) -> Owner {
        let mut child = Command::new(std::env::current_exe().expect("this test's program"))
            .env(OWN_PRIMARY, primary)
            .env(OWN_CLIPBOARD, clipboard)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .spawn()
            .expect("starting the owner");
        let mut line = String::new();
        BufReader::new(child.stdout.take().expect("piped"))
            .read_line(&mut line)
            .expect("the owner's answer");
        assert_eq!(
            line.trim(),
            "owning",
            "the owner did not take the selections"
        );
        Owner(child)
    }
}

impl Drop for Owner {
    fn drop(&mut self) {
        drop(self.0.stdin.take());
        let _ = self.0.wait();
    }
}

fn the_selection_comes_first_and_nothing_is_changed() {
    let _owner = Owner::start("Please call +91 98765 43210 today", "022 4000 1234");
    assert_eq!(
        clickdial_desktop::selection().as_deref(),
        Some("Please call +91 98765 43210 today")
    );
    // Reading the selection did not copy it: the clipboard is what it was.
    assert_eq!(
        clickdial_desktop::clipboard().as_deref(),
        Some("022 4000 1234")
    );
    assert_eq!(
        clickdial_desktop::selection().as_deref(),
        Some("Please call +91 98765 43210 today")
    );
}

/// A huge clipboard (a log, a document) is cut to what a number could need once read.
fn a_huge_clipboard_is_cut() {
    let huge = format!("+91 98765 43210 {}", "x".repeat(60_000));
    let _owner = Owner::start("", &huge);
    let read = clickdial_desktop::clipboard().unwrap();
    assert_eq!(read.len(), clickdial_desktop::MAX_CLIPBOARD);
    assert!(read.starts_with("+91 98765 43210 xxx"));
}

fn a_blank_selection_falls_back_to_the_clipboard() {
    let _owner = Owner::start(" \t ", "+91 98765 43210");
    assert_eq!(
        clickdial_desktop::selection().as_deref(),
        Some("+91 98765 43210")
    );
}

fn nothing_selected_or_copied_is_none() {
    // Nobody owns either: the owners above have ended.
    let started = std::time::Instant::now();
    assert_eq!(clickdial_desktop::selection(), None);
    assert_eq!(clickdial_desktop::clipboard(), None);
    assert!(
        started.elapsed() < std::time::Duration::from_secs(2),
        "reading an empty selection took {:?}",
        started.elapsed()
    );
}
