//! The window's handle on the shared application: the same [`Clickdial`] the CLI and the
//! keeper open, told what this desktop can do and asked to follow calls. Every rule lives there
//! (`clickdial_services::app`); the window only translates.

use std::path::Path;
use std::sync::Arc;

pub use clickdial_services::app::{
    AppSession, Clickdial as AppState, DemoGuard, DemoStarter, Desk, LinkState, Options,
    Preferences, Status,
};
use clickdial_services::secrets::SecretStore;

/// Opens the application for the window: it follows the calls it places.
pub fn open(secrets: Arc<dyn SecretStore>, data_dir: &Path) -> AppState {
    AppState::open(
        secrets,
        data_dir,
        Options {
            desk: Desk {
                default_hotkey: clickdial_desktop::DEFAULT_HOTKEY.to_string(),
                shortcuts_supported: clickdial_desktop::shortcuts_supported(),
                notify_supported: cfg!(target_os = "linux"),
            },
            follow: true,
            policy: clickdial_services::policy::PolicySource::for_this_build(),
            ..Options::default()
        },
    )
}
