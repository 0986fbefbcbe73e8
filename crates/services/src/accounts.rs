//! The account, one implementation for the window and the CLI: which server and sign-in the
//! settings name, where the secret lives (one keyring entry per secret, named after the account
//! it belongs to), the connection check, connecting and signing out.

use std::sync::Arc;

use clickdial_core::api::{clean_token, Agent, CallerId, Credentials};
use clickdial_core::clock::SystemClock;
use clickdial_core::settings::{provider, Settings, SignIn};
use clickdial_core::types::BaseUrl;
use clickdial_core::{ApiError, Client, ClientOptions, Secret};
use serde::{Deserialize, Serialize};

use crate::blocking;
use crate::error::Error;
use crate::secrets::{SecretError, SecretStore, LEGACY_PASSWORD_KEY, LEGACY_TOKEN_KEY};
use crate::settings_file::SettingsFile;

/// Who a secret belongs to: the server's origin and, for password sign-in, the login ID.
/// The ledger's guard and the keyring entry names both use it, so a token saved for one
/// server can never be read for another, whatever a settings file says.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct AccountKey(String);

/// What the demo's keys, and its calls' ledger rows, start with ("demo http://127.0.0.1:…").
pub const DEMO_LABEL: &str = "demo";

impl AccountKey {
    pub fn new(base_url: &BaseUrl, sign_in: SignIn, email: Option<&str>) -> AccountKey {
        let origin = base_url.origin();
        AccountKey(match (sign_in, email) {
            (SignIn::Password, Some(email)) => {
                format!("{origin} {}", email.trim().to_lowercase())
            }
            _ => origin,
        })
    }

    /// The account of whatever a settings file names; `None` when it names no server.
    pub fn of(settings: &Settings) -> Option<AccountKey> {
        let url = BaseUrl::parse(settings.base_url.as_deref()?).ok()?;
        Some(AccountKey::new(
            &url,
            settings.sign_in,
            settings.email.as_deref(),
        ))
    }

    /// A key for a session that has no saved account (the demo, environment overrides).
    pub fn unsaved(label: &str, base_url: &str) -> AccountKey {
        AccountKey(format!("{label} {base_url}"))
    }

    /// The demo's key: [`AccountKey::unsaved`] labelled [`DEMO_LABEL`].
    pub fn demo(base_url: &str) -> AccountKey {
        AccountKey::unsaved(DEMO_LABEL, base_url)
    }

    /// Whether this is the demo's key.
    pub fn is_demo(&self) -> bool {
        self.0
            .strip_prefix(DEMO_LABEL)
            .is_some_and(|rest| rest.starts_with(' '))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    fn token_entry(&self) -> String {
        format!("api-token {}", self.0)
    }

    fn password_entry(&self) -> String {
        format!("password {}", self.0)
    }
}

/// The account form, as the window sends it (the CLI builds the same from its flags).
#[derive(Deserialize, Debug, Clone)]
#[serde(rename_all = "camelCase")]
pub struct AccountForm {
    /// A preset id from `PROVIDERS`, or `custom`.
    pub provider: String,
    /// Only for the `custom` provider.
    pub base_url: Option<String>,
    pub sign_in: SignIn,
    pub token: Option<Secret>,
    pub email: Option<String>,
    /// Never trimmed: spaces can be part of a password.
    pub password: Option<Secret>,
}

/// A validated form: the server, its preset id, and the credentials.
struct Target {
    provider: String,
    base_url: BaseUrl,
    credentials: Credentials,
}

impl AccountForm {
    /// The server the form names: its preset's, or the address given for `custom`.
    pub fn server(&self) -> Result<BaseUrl, Error> {
        match provider(&self.provider) {
            Some(p) => BaseUrl::parse(p.base_url).map_err(Error::internal),
            None if self.provider == "custom" => {
                BaseUrl::parse(self.base_url.as_deref().unwrap_or_default()).map_err(Error::invalid)
            }
            None => Err(Error::invalid("Choose your provider.")),
        }
    }

    fn validate(self) -> Result<Target, Error> {
        let base_url = self.server()?;
        let credentials = match self.sign_in {
            SignIn::Token => {
                let token = self
                    .token
                    .as_ref()
                    .map(clean_token)
                    .filter(|t| !t.is_empty())
                    .ok_or_else(|| Error::invalid("Paste your API token."))?;
                Credentials::Token(token)
            }
            SignIn::Password => Credentials::Password {
                email: self
                    .email
                    .as_deref()
                    .map(str::trim)
                    .filter(|e| !e.is_empty())
                    .ok_or_else(|| {
                        Error::invalid("Enter the email (login ID) you use for the portal.")
                    })?
                    .to_string(),
                password: self
                    .password
                    .filter(|p| !p.is_empty())
                    .ok_or_else(|| Error::invalid("Enter your password."))?,
            },
        };
        Ok(Target {
            provider: self.provider,
            base_url,
            credentials,
        })
    }
}

/// What the server said when the account was checked.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct ConnectionCheck {
    /// How many agents were found; `None` when the token may not list them (403).
    pub agents: Option<usize>,
    pub caller_ids: Option<usize>,
    pub message: String,
}

/// The lists a connection check loaded, to fill the dropdowns without asking again.
#[derive(Debug, Clone, Default)]
pub struct Lists {
    pub agents: Option<Vec<Agent>>,
    pub caller_ids: Option<Vec<CallerId>>,
}

/// A freshly connected account.
pub struct Connected {
    pub key: AccountKey,
    pub client: Client,
    pub check: ConnectionCheck,
    pub lists: Lists,
    pub settings: Settings,
    /// Set when the settings file had to be moved aside on the way.
    pub notice: Option<String>,
    /// The settings file's version this sign-in wrote.
    pub stamp: Option<crate::settings_file::Stamp>,
}

/// A client for `base_url` with the given credentials, with the app's options (and a preset's
/// own host for following calls, when it has one).
pub fn client(base_url: &BaseUrl, credentials: Credentials) -> Result<Client, Error> {
    Client::build(
        base_url.as_str(),
        credentials,
        ClientOptions {
            follow_base: clickdial_core::settings::follow_base_for(base_url.as_str())
                .map(str::to_string),
            ..ClientOptions::default()
        },
        Arc::new(SystemClock),
    )
    .map_err(Error::invalid)
}

/// Loads `/users` and `/my_number`. A rejected token, an unreachable server or a lockout is an
/// error; a 403 on a list is not (the agent can type that value by hand).
/// A server that has no `/users` route was probably given without its version path
/// (`https://api.servetel.in` for `https://api.servetel.in/v1`): say so.
fn with_version_hint(e: ApiError, base_url: &str) -> Error {
    let not_found = matches!(
        e,
        ApiError::Rejected { status: 404, .. } | ApiError::BadResponse { status: 404, .. }
    );
    let base = base_url.trim_end_matches('/');
    let versioned = base.rsplit('/').next().is_some_and(|last| {
        last.len() > 1 && last.starts_with('v') && last[1..].chars().all(|c| c.is_ascii_digit())
    });
    let mut error = Error::from(e);
    if not_found && !versioned {
        error.message = format!(
            "{} The address may lack the API version: did you mean {base}/v1?",
            error.message
        );
    }
    error
}

pub async fn check(client: &Client) -> Result<(ConnectionCheck, Lists), ApiError> {
    let (agents, callers) = tokio::join!(client.users(), client.my_numbers());
    let agents = match agents {
        Ok(a) => Some(a),
        Err(ApiError::Forbidden { .. }) => None,
        Err(e) => return Err(e),
    };
    let callers = match callers {
        Ok(c) => Some(c),
        Err(ApiError::Forbidden { .. }) => None,
        Err(e) => return Err(e),
    };
    let count =
        |n: usize, one: &str, many: &str| format!("{n} {}", if n == 1 { one } else { many });
    let message = match (&agents, &callers) {
        (Some(a), Some(c)) => format!(
            "Connected: {} and {} found.",
            count(a.len(), "agent", "agents"),
            count(c.len(), "caller ID", "caller IDs")
        ),
        (Some(a), None) => format!(
            "Connected: {} found. This token may not list caller IDs, so type the caller ID when you dial (or leave it empty for the account's default).",
            count(a.len(), "agent", "agents")
        ),
        (None, Some(c)) => format!(
            "Connected: {} found. This token may not list agents, so type the agent ID when you dial.",
            count(c.len(), "caller ID", "caller IDs")
        ),
        (None, None) => "Connected, but this token may not list agents or caller IDs: type them when you dial.".to_string(),
    };
    Ok((
        ConnectionCheck {
            agents: agents.as_ref().map(Vec::len),
            caller_ids: callers.as_ref().map(Vec::len),
            message,
        },
        Lists {
            agents,
            caller_ids: callers,
        },
    ))
}

/// The account service: the settings file and the keyring, shared by every front end.
#[derive(Clone)]
pub struct Accounts {
    settings: SettingsFile,
    secrets: Arc<dyn SecretStore>,
}

/// The saved account, ready to use.
pub struct Saved {
    pub key: AccountKey,
    pub base_url: BaseUrl,
    pub credentials: Credentials,
}

impl Accounts {
    pub fn new(settings: SettingsFile, secrets: Arc<dyn SecretStore>) -> Self {
        Accounts { settings, secrets }
    }

    pub fn settings_file(&self) -> &SettingsFile {
        &self.settings
    }

    /// The account `settings` name and its secret, read from the entry bound to that account.
    /// `None` when no account is set up, or its secret is missing. Blocking (keyring).
    pub fn saved(&self, settings: &Settings) -> Result<Option<Saved>, SecretError> {
        let Some(base_url) = settings
            .base_url
            .as_deref()
            .and_then(|u| BaseUrl::parse(u).ok())
        else {
            return Ok(None);
        };
        let key = AccountKey::new(&base_url, settings.sign_in, settings.email.as_deref());
        let credentials = match settings.sign_in {
            SignIn::Token => self
                .secret(&key, &key.token_entry(), LEGACY_TOKEN_KEY)?
                .map(Credentials::Token),
            SignIn::Password => match &settings.email {
                Some(email) => self
                    .secret(&key, &key.password_entry(), LEGACY_PASSWORD_KEY)?
                    .map(|password| Credentials::Password {
                        email: email.clone(),
                        password,
                    }),
                None => None,
            },
        };
        Ok(credentials.map(|credentials| Saved {
            key,
            base_url,
            credentials,
        }))
    }

    /// Reads `entry`; when it is missing, migrates the unbound entry of the first versions (it
    /// was saved for the account the settings file named, the only one there could be). The
    /// migration runs under the settings lock and only while the settings still name `key`, so
    /// a sign-out or another sign-in racing it cannot get a secret recreated or misfiled.
    fn secret(
        &self,
        key: &AccountKey,
        entry: &str,
        legacy: &str,
    ) -> Result<Option<Secret>, SecretError> {
        if let Some(s) = self.secrets.get(entry)? {
            return Ok(Some(s));
        }
        let migrated = self.settings.update(|s| {
            if AccountKey::of(s).as_ref() != Some(key) {
                return Ok(None);
            }
            // Another process may have migrated it since our first look.
            if let Some(s) = self.secrets.get(entry)? {
                return Ok(Some(s));
            }
            let Some(old) = self.secrets.get(legacy)? else {
                return Ok(None);
            };
            self.secrets.set(entry, &old)?;
            self.secrets.delete(legacy)?;
            Ok(Some(old))
        });
        migrated.map_err(SecretError::Other)?.value
    }

    /// Checks the account against its server, then saves its secret (under the entry bound to
    /// it) and the rest in settings, and removes the previous account's secrets. Nothing is
    /// saved when the check fails.
    pub async fn connect(&self, form: AccountForm) -> Result<Connected, Error> {
        let target = form.validate()?;
        let client = client(&target.base_url, target.credentials.clone())?;
        let (check, lists) = check(&client)
            .await
            .map_err(|e| with_version_hint(e, target.base_url.as_str()))?;
        let (email, sign_in) = match &target.credentials {
            Credentials::Password { email, .. } => (Some(email.clone()), SignIn::Password),
            Credentials::Token(_) => (None, SignIn::Token),
        };
        let key = AccountKey::new(&target.base_url, sign_in, email.as_deref());
        let connected_key = key.clone();
        let this = self.clone();
        let (settings, notice, stamp) = blocking(move || {
            // The keyring writes happen inside the settings lock, so two logins racing each
            // other leave one account whose secret and settings match.
            let updated = this.settings.replace(|s| {
                let previous = AccountKey::of(s);
                let saved = this.store(&key, &target.credentials);
                if saved.is_ok() {
                    // Picks belong to a server: another one's are kept for its return.
                    s.switch_server(target.base_url.as_str());
                    s.provider = Some(target.provider.clone());
                    s.base_url = Some(target.base_url.to_string());
                    s.sign_in = sign_in;
                    s.email = email.clone();
                }
                saved.map(|()| previous)
            });
            let u = match updated {
                Ok(u) => u,
                Err(e) => return Err(Error::new(crate::error::Code::Storage, e)),
            };
            let previous = u.value?;
            // Only now that the settings name the new account are the old secrets removed (a
            // failed write leaves the old account working), under the lock and only while the
            // settings still name the new account.
            let _ = this.settings.update(|s| {
                if AccountKey::of(s).as_ref() == Some(&key) {
                    if let Some(previous) = previous.filter(|p| *p != key) {
                        let _ = this.forget(&previous);
                    }
                    let _ = this.secrets.delete(LEGACY_TOKEN_KEY);
                    let _ = this.secrets.delete(LEGACY_PASSWORD_KEY);
                }
            });
            Ok((u.settings, u.notice, u.stamp))
        })
        .await?;
        Ok(Connected {
            key: connected_key,
            client,
            check,
            lists,
            settings,
            notice,
            stamp,
        })
    }

    /// Keeps the secret of `credentials` under the entries bound to `key`, and removes the
    /// other kind, so one account has one secret.
    fn store(&self, key: &AccountKey, credentials: &Credentials) -> Result<(), SecretError> {
        match credentials {
            Credentials::Token(token) => {
                self.secrets.set(&key.token_entry(), token)?;
                self.secrets.delete(&key.password_entry())
            }
            Credentials::Password { password, .. } => {
                self.secrets.set(&key.password_entry(), password)?;
                self.secrets.delete(&key.token_entry())
            }
        }
    }

    /// Deletes every secret of `key`'s account (a missing entry is fine).
    fn forget(&self, key: &AccountKey) -> Result<(), SecretError> {
        self.secrets.delete(&key.token_entry())?;
        self.secrets.delete(&key.password_entry())
    }

    /// Signs out: deletes the saved account's secrets (and the unbound ones of the first
    /// versions) and forgets the account in settings, keeping the agent's preferences.
    /// Returns whether an account was set up.
    pub async fn sign_out(&self) -> Result<bool, Error> {
        let this = self.clone();
        blocking(move || {
            let updated = this.settings.update(|s| {
                let key = AccountKey::of(s);
                let result = key
                    .as_ref()
                    .map_or(Ok(()), |k| this.forget(k))
                    .and_then(|()| this.secrets.delete(LEGACY_TOKEN_KEY))
                    .and_then(|()| this.secrets.delete(LEGACY_PASSWORD_KEY));
                if result.is_ok() {
                    s.sign_out();
                }
                result.map(|()| key.is_some())
            });
            match updated {
                Ok(u) => u.value.map_err(Error::from),
                Err(e) => Err(Error::new(crate::error::Code::Storage, e)),
            }
        })
        .await
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::secrets::MemoryStore;

    #[test]
    fn keys_bind_origin_and_identity() {
        let a = BaseUrl::parse("https://api.servetel.in/v1").unwrap();
        let a2 = BaseUrl::parse("https://api.servetel.in/v1/").unwrap();
        let b = BaseUrl::parse("https://api.acefone.in/v1").unwrap();
        assert_eq!(
            AccountKey::new(&a, SignIn::Token, None),
            AccountKey::new(&a2, SignIn::Token, None)
        );
        assert_ne!(
            AccountKey::new(&a, SignIn::Token, None),
            AccountKey::new(&b, SignIn::Token, None)
        );
        assert_eq!(
            AccountKey::new(&a, SignIn::Password, Some(" Me@X.in ")).as_str(),
            "https://api.servetel.in me@x.in"
        );
    }

    #[test]
    fn legacy_entries_migrate_to_the_bound_name_once() {
        let dir = tempfile::tempdir().unwrap();
        let store = Arc::new(MemoryStore::default());
        store
            .set(LEGACY_TOKEN_KEY, &Secret::new("old-tok"))
            .unwrap();
        let accounts = Accounts::new(SettingsFile::new(dir.path().join("s.json")), store.clone());
        let settings = accounts
            .settings_file()
            .update(|s| s.base_url = Some("https://api.servetel.in/v1".into()))
            .unwrap()
            .settings;
        let saved = accounts.saved(&settings).unwrap().unwrap();
        assert!(matches!(&saved.credentials, Credentials::Token(t) if t.expose() == "old-tok"));
        assert_eq!(
            store.keys(),
            vec!["api-token https://api.servetel.in".to_string()]
        );
        // Another server's settings cannot read it.
        let mut other = Settings::default();
        other.base_url = Some("https://api.acefone.in/v1".into());
        assert!(accounts.saved(&other).unwrap().is_none());
        // Nor is an unbound entry migrated for settings the file does not hold (a stale copy).
        store
            .set(LEGACY_TOKEN_KEY, &Secret::new("old-tok"))
            .unwrap();
        assert!(accounts.saved(&other).unwrap().is_none());
        assert!(store.get(LEGACY_TOKEN_KEY).unwrap().is_some());
    }

    /// Another process (the window, the keeper) migrating the same unbound entry between our
    /// first look and our lock: we find its result, not "no account".
    #[test]
    fn a_migration_by_another_process_in_between_is_found() {
        struct Racing {
            inner: MemoryStore,
            raced: std::sync::atomic::AtomicBool,
        }
        impl SecretStore for Racing {
            fn get(&self, key: &str) -> Result<Option<Secret>, SecretError> {
                let found = self.inner.get(key)?;
                if key != LEGACY_TOKEN_KEY
                    && !self.raced.swap(true, std::sync::atomic::Ordering::SeqCst)
                {
                    let old = self.inner.get(LEGACY_TOKEN_KEY)?.unwrap();
                    self.inner.set(key, &old)?;
                    self.inner.delete(LEGACY_TOKEN_KEY)?;
                }
                Ok(found)
            }
            fn set(&self, key: &str, value: &Secret) -> Result<(), SecretError> {
                self.inner.set(key, value)
            }
            fn delete(&self, key: &str) -> Result<(), SecretError> {
                self.inner.delete(key)
            }
        }
        let dir = tempfile::tempdir().unwrap();
        let store = Arc::new(Racing {
            inner: MemoryStore::default(),
            raced: Default::default(),
        });
        store
            .set(LEGACY_TOKEN_KEY, &Secret::new("old-tok"))
            .unwrap();
        let accounts = Accounts::new(SettingsFile::new(dir.path().join("s.json")), store.clone());
        let settings = accounts
            .settings_file()
            .update(|s| s.base_url = Some("https://api.servetel.in/v1".into()))
            .unwrap()
            .settings;
        let saved = accounts
            .saved(&settings)
            .unwrap()
            .expect("the migrated token");
        assert!(matches!(&saved.credentials, Credentials::Token(t) if t.expose() == "old-tok"));
    }
}
