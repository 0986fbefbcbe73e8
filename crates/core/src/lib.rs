//! Clickdial's core: everything that can be tested without a window or a keyring.
//!
//! - [`phone`]: `Number::parse`, the only way a string becomes something we dial.
//! - [`guard`]: the duplicate-dial lock every entry point goes through.
//! - [`api`]: the Servetel / Smartflo HTTP client and its typed errors.
//! - [`secret`]: a string that never prints, for tokens and passwords.

pub mod api;
pub mod guard;
pub mod phone;
pub mod secret;

pub use api::{ApiError, Client, ClientOptions, DialRequest, Queued};
pub use guard::{DialGuard, GuardError};
pub use phone::{Number, NumberError, Region};
pub use secret::Secret;
