//! macOS: only the user can choose, in FaceTime.

use super::*;

const ADVICE: &str = "On a Mac, you choose the app for call links yourself: open FaceTime, \
    choose FaceTime › Settings, and pick Clickdial under \u{201c}Default for calls\u{201d}.";

pub(super) fn status(_: &Desktop, _: &Path) -> HandlerStatus {
    let schemes = SCHEMES
        .iter()
        .map(|s| SchemeStatus {
            scheme: s.to_string(),
            handler: None,
            ours: false,
            gio: None,
        })
        .collect();
    finish(
        schemes,
        "Clickdial cannot check which app opens tel: and callto: links on a Mac.".into(),
        false,
        Some(ADVICE.into()),
    )
}

pub(super) fn install(_: &Desktop, _: &Path) -> Result<HandlerStatus, Error> {
    Err(Error::invalid(ADVICE))
}

pub(super) fn open(d: &Desktop, url: &str) -> Result<(), Error> {
    let mut cmd = d.command(Path::new("/usr/bin/open"));
    cmd.arg(url);
    start_opener(cmd, "open")
}
