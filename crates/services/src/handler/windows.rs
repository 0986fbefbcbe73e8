//! Windows: the installer registers Clickdial (packaging/windows/hooks.nsh); the user picks it
//! in Settings › Default apps, which Windows 10/11 let no program do by itself.

use super::*;

/// The ProgId the installer registers for both schemes.
const PROG_ID: &str = "Clickdial.Link";
const ADVICE: &str = "Open Settings › Apps › Default apps, search for Clickdial, and choose \
    it for TEL and CALLTO.";

pub(super) fn status(d: &Desktop, _: &Path) -> HandlerStatus {
    let mut schemes = Vec::new();
    let mut opens = Vec::new();
    for scheme in SCHEMES {
        let key = format!(
            "HKCU\\Software\\Microsoft\\Windows\\Shell\\Associations\\UrlAssociations\\\
             {scheme}\\UserChoice"
        );
        let mut cmd = d.command(Path::new("reg"));
        cmd.args(["query", &key, "/v", "ProgId"]);
        // A line like `    ProgId    REG_SZ    Clickdial.Link`.
        let handler = run(cmd).ok().filter(|r| r.ok).and_then(|r| {
            r.stdout.lines().find_map(|l| {
                let mut words = l.split_whitespace();
                (words.next() == Some("ProgId") && words.next() == Some("REG_SZ"))
                    .then(|| words.collect::<Vec<_>>().join(" "))
                    .filter(|id| !id.is_empty())
            })
        });
        let ours = handler.as_deref() == Some(PROG_ID);
        opens.push((
            scheme,
            match &handler {
                _ if ours => "Clickdial".to_string(),
                Some(id) => id.clone(),
                None => "nothing yet".to_string(),
            },
        ));
        schemes.push(SchemeStatus {
            scheme: scheme.to_string(),
            handler,
            ours,
            gio: None,
        });
    }
    let status = finish(schemes, summarize(&opens), true, None);
    HandlerStatus {
        advice: (!status.is_default).then(|| ADVICE.into()),
        ..status
    }
}

pub(super) fn install(d: &Desktop, exe: &Path) -> Result<HandlerStatus, Error> {
    // Opens Clickdial's own page where Windows supports it (Windows 11), else Default apps.
    let mut cmd = d.command(Path::new("rundll32"));
    cmd.args([
        "url.dll,FileProtocolHandler",
        "ms-settings:defaultapps?registeredAppUser=Clickdial",
    ]);
    start_opener(cmd, "Settings")?;
    let status = status(d, exe);
    Ok(HandlerStatus {
        advice: Some(
            "Windows opened Default apps: choose Clickdial for TEL and CALLTO there, then \
             check again."
                .into(),
        ),
        ..status
    })
}

pub(super) fn open(d: &Desktop, url: &str) -> Result<(), Error> {
    // Not `cmd /c start`: cmd would read `%` and `^` in the link as its own syntax.
    let mut cmd = d.command(Path::new("rundll32"));
    cmd.args(["url.dll,FileProtocolHandler", url]);
    start_opener(cmd, "Windows")
}
