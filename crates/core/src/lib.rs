//! Clickdial's core: everything that can be tested without a window or a keyring.
//!
//! - [`phone`]: `Number::parse`, the only way a string becomes something we dial.
//! - [`api`]: the Servetel / Smartflo HTTP client and its typed errors.
//! - [`clock`]: time passed in, and IST dates.
//! - [`follow`]: where a queued call stands, from live calls and call records.
//! - [`sanitize`]: server text without terminal escapes, bidi tricks or hidden characters.
//! - [`secret`]: a string that never prints, for tokens and passwords.
//! - [`settings`]: the typed, versioned non-secret settings.
//! - [`types`]: typed inputs (agent ID, caller ID, call timeout, base URL), parsed once.

pub mod api;
pub mod clock;
pub mod follow;
pub mod handoff;
pub mod phone;
pub mod sanitize;
pub mod secret;
pub mod settings;
pub mod shortcut;
pub mod types;

pub use api::{ApiError, Client, ClientOptions, DialRequest, Queued};
pub use phone::{Number, NumberError, NumberKind, Region};
pub use secret::Secret;

/// The token the demo's simulator accepts. Public and worthless: the demo dials only the
/// simulator on this computer. Kept here so the window's demo session and the simulator share it
/// without the window linking the simulator.
pub const DEMO_TOKEN: &str = "demo-token";
