//! What every command opens: the files shared with the app, the application object, its
//! session, and the call history.

use std::io::Write;
use std::sync::Arc;

use clickdial_core::settings::Settings;
use clickdial_core::Secret;
use clickdial_services::accounts::Accounts;
use clickdial_services::app::{AppSession, Clickdial, Options, Overrides};
use clickdial_services::ledger::{wall_clock_ms, CallRow, HistoryQuery, Ledger, LEDGER_FILE};
use clickdial_services::policy::PolicySource;
use clickdial_services::secrets::KeyringStore;
use clickdial_services::settings_file::{Read, SettingsFile, SETTINGS_FILE};
use clickdial_services::{Code, Error};

use crate::{invalid, Failure};

/// The files shared with the app, in its data folder.
pub(crate) struct Files {
    pub(crate) settings: SettingsFile,
    pub(crate) dir: std::path::PathBuf,
}

pub(crate) fn files() -> Result<Files, Failure> {
    let dir = clickdial_services::data_dir().ok_or_else(|| {
        Failure::from(Error::internal(
            "no data folder for the settings file (is HOME set?)",
        ))
    })?;
    Ok(Files {
        settings: SettingsFile::new(dir.join(SETTINGS_FILE)),
        dir,
    })
}

pub(crate) fn accounts(files: &Files) -> Accounts {
    Accounts::new(files.settings.clone(), Arc::new(KeyringStore::new()))
}

/// The app's settings, read without changing the file (the app may be running).
pub(crate) fn saved_settings(files: &Files) -> Settings {
    match files.settings.read() {
        Read::Unreadable => {
            let _ = writeln!(
                std::io::stderr(),
                "clickdial: the settings file could not be read, so defaults are used; \
                 `clickdial login` or the app will set it up again."
            );
            Settings::default()
        }
        Read::Failed(message) => {
            let _ = writeln!(std::io::stderr(), "clickdial: {message}");
            Settings::default()
        }
        other => other.settings(),
    }
}

/// The application as the CLI opens it: the same object the window holds, given the
/// environment's session (`CLICKDIAL_BASE_URL`, `CLICKDIAL_TOKEN`), following no calls.
pub(crate) fn open_app(files: &Files) -> Clickdial {
    let given = |name: &str| std::env::var(name).ok().filter(|v| !v.trim().is_empty());
    Clickdial::open(
        Arc::new(KeyringStore::new()),
        &files.dir,
        Options {
            overrides: Overrides {
                base_url: given("CLICKDIAL_BASE_URL"),
                token: given("CLICKDIAL_TOKEN").map(Secret::new),
            },
            policy: PolicySource::for_this_build(),
            ..Options::default()
        },
    )
}

/// The session in use: the environment's, else the saved account's. The saved secret is only
/// ever sent to the server it was saved for.
pub(crate) async fn session(app: &Clickdial) -> Result<Arc<AppSession>, Failure> {
    app.session().await.map_err(|e| {
        Failure::from(match e.code {
            Code::NotConfigured => Error {
                message: format!(
                    "{} Run `clickdial login`, connect your account in the app, or set \
                     CLICKDIAL_BASE_URL and CLICKDIAL_TOKEN.",
                    e.message
                ),
                ..e
            },
            _ => e,
        })
    })
}

/// What the application noticed while opening (a settings or history file kept aside), once.
pub(crate) fn tell_notices(app: &Clickdial) {
    for n in app.take_notices() {
        let _ = writeln!(std::io::stderr(), "clickdial: {n}");
    }
}

pub(crate) fn open_ledger(files: &Files) -> Result<Arc<Ledger>, Failure> {
    // Without reading the whole file first: these commands only look (a damaged file says so
    // when read, and the next dial or the app repairs it).
    let (ledger, notice) =
        Ledger::open_unchecked(&files.dir.join(LEDGER_FILE)).map_err(Error::from)?;
    if let Some(n) = notice {
        let _ = writeln!(std::io::stderr(), "clickdial: {n}");
    }
    Ok(Arc::new(ledger))
}

/// The call named by `reference`, or the last call.
pub(crate) fn pick_call(ledger: &Ledger, reference: Option<&str>) -> Result<CallRow, Failure> {
    let now = wall_clock_ms();
    let row = match reference {
        Some(r) => ledger.find(r.trim(), now).map_err(Error::from)?,
        None => ledger
            .history(
                &HistoryQuery {
                    limit: 1,
                    // The command line never runs the demo: its calls are not "the last call".
                    demo: Some(false),
                    ..HistoryQuery::default()
                },
                now,
            )
            .map_err(Error::from)?
            .into_iter()
            .next(),
    };
    row.ok_or_else(|| match reference {
        Some(r) => invalid(format!(
            "No call with the reference or call ID {r} is in this computer's history."
        )),
        None => invalid("No call has been placed from this computer yet."),
    })
}
