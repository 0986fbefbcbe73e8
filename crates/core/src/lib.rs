//! Clickdial's core: everything that can be tested without a window or a keyring.
//!
//! - [`phone`]: `Number::parse`, the only way a string becomes something we dial.
//! - [`guard`]: the duplicate-dial lock every entry point goes through.
//! - [`api`]: the Servetel / Smartflo HTTP client and its typed errors.
//! - [`clock`]: time passed in, and IST dates.
//! - [`dial`]: the one dial path every front end funnels into.
//! - [`secret`]: a string that never prints, for tokens and passwords.
//! - [`settings`]: the typed, versioned non-secret settings.

pub mod api;
pub mod clock;
pub mod dial;
pub mod guard;
pub mod phone;
pub mod secret;
pub mod settings;

pub use api::{ApiError, Client, ClientOptions, DialRequest, Queued};
pub use dial::{place_call, DialError};
pub use guard::{DialGuard, GuardError};
pub use phone::{Number, NumberError, Region};
pub use secret::Secret;
