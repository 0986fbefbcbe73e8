//! Secrets (the API token) live only in the OS keyring: Secret Service on Linux, Keychain on
//! macOS, Credential Manager on Windows. A missing entry reads as "not configured"; deleting a
//! missing entry succeeds; when no keyring is running we say so and never fall back to a file.
//! Debug and release builds use different service names so a dev build cannot touch a real
//! account's token.
//!
//! Each entry's name carries the account it belongs to (see [`crate::accounts::AccountKey`]):
//! a secret is only ever read for the server it was saved for, whatever a settings file says.

use std::collections::HashMap;
use std::sync::Mutex;

use clickdial_core::Secret;

/// The entry names of the first versions, which were not bound to a server; read once to
/// migrate them to the bound names, then deleted.
pub const LEGACY_TOKEN_KEY: &str = "api-token";
pub const LEGACY_PASSWORD_KEY: &str = "password";

pub fn service_name() -> &'static str {
    if cfg!(debug_assertions) {
        "clickdial-dev"
    } else {
        "clickdial"
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SecretError {
    /// No keyring service is running or it is locked.
    Unavailable(String),
    Other(String),
}

impl std::fmt::Display for SecretError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            SecretError::Unavailable(_) => write!(
                f,
                "The system keyring is not available, so Clickdial cannot read or save your sign-in. \
                 Unlock your keyring (on Linux, start GNOME Keyring or KWallet and log in again), then try again."
            ),
            SecretError::Other(detail) => {
                write!(f, "The system keyring reported a problem: {detail}")
            }
        }
    }
}

impl std::error::Error for SecretError {}

pub trait SecretStore: Send + Sync + 'static {
    fn get(&self, key: &str) -> Result<Option<Secret>, SecretError>;
    fn set(&self, key: &str, value: &Secret) -> Result<(), SecretError>;
    fn delete(&self, key: &str) -> Result<(), SecretError>;
}

/// The OS keyring through the `keyring` crate.
pub struct KeyringStore {
    service: String,
}

impl KeyringStore {
    pub fn new() -> Self {
        KeyringStore {
            service: service_name().to_string(),
        }
    }

    fn entry(&self, key: &str) -> Result<keyring::Entry, SecretError> {
        keyring::Entry::new(&self.service, key).map_err(map_error)
    }
}

impl Default for KeyringStore {
    fn default() -> Self {
        KeyringStore::new()
    }
}

fn map_error(e: keyring::Error) -> SecretError {
    match e {
        keyring::Error::PlatformFailure(inner) | keyring::Error::NoStorageAccess(inner) => {
            SecretError::Unavailable(inner.to_string())
        }
        other => SecretError::Other(other.to_string()),
    }
}

impl SecretStore for KeyringStore {
    fn get(&self, key: &str) -> Result<Option<Secret>, SecretError> {
        match self.entry(key)?.get_password() {
            Ok(s) => Ok(Some(Secret::new(s))),
            Err(keyring::Error::NoEntry) => Ok(None),
            Err(e) => Err(map_error(e)),
        }
    }

    fn set(&self, key: &str, value: &Secret) -> Result<(), SecretError> {
        self.entry(key)?
            .set_password(value.expose())
            .map_err(map_error)
    }

    fn delete(&self, key: &str) -> Result<(), SecretError> {
        match self.entry(key)?.delete_credential() {
            Ok(()) | Err(keyring::Error::NoEntry) => Ok(()),
            Err(e) => Err(map_error(e)),
        }
    }
}

/// An in-memory store with the same semantics, for shell tests and benchmarks.
#[derive(Default)]
pub struct MemoryStore(Mutex<HashMap<String, String>>);

impl MemoryStore {
    /// The entry names held, sorted; for tests that check where a secret went.
    pub fn keys(&self) -> Vec<String> {
        let map = self.0.lock().unwrap_or_else(|p| p.into_inner());
        let mut keys: Vec<String> = map.keys().cloned().collect();
        keys.sort();
        keys
    }
}

impl SecretStore for MemoryStore {
    fn get(&self, key: &str) -> Result<Option<Secret>, SecretError> {
        let map = self.0.lock().unwrap_or_else(|p| p.into_inner());
        Ok(map.get(key).map(|s| Secret::new(s.clone())))
    }

    fn set(&self, key: &str, value: &Secret) -> Result<(), SecretError> {
        let mut map = self.0.lock().unwrap_or_else(|p| p.into_inner());
        map.insert(key.to_string(), value.expose().to_string());
        Ok(())
    }

    fn delete(&self, key: &str) -> Result<(), SecretError> {
        let mut map = self.0.lock().unwrap_or_else(|p| p.into_inner());
        map.remove(key);
        Ok(())
    }
}
