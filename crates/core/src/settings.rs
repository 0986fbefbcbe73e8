//! Non-secret settings, one typed and versioned value (the shell keeps it in tauri-plugin-store,
//! the CLI reads the same file). Secrets never live here.

use serde::{Deserialize, Serialize};

pub const SETTINGS_VERSION: u32 = 1;
/// The key under which the store file holds the settings value.
pub const SETTINGS_KEY: &str = "settings";

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct Settings {
    pub version: u32,
    /// API base URL including the version path, e.g. `https://api.servetel.in/v1`.
    pub base_url: Option<String>,
    pub last_agent: Option<String>,
    pub last_caller_id: Option<String>,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            version: SETTINGS_VERSION,
            base_url: None,
            last_agent: None,
            last_caller_id: None,
        }
    }
}

impl Settings {
    /// Reads a stored value; `None` for a value that is not ours (wrong shape, newer version).
    pub fn from_stored(v: serde_json::Value) -> Option<Settings> {
        let s: Settings = serde_json::from_value(v).ok()?;
        (s.version <= SETTINGS_VERSION).then_some(s)
    }
}

/// Checks an API base URL: https, or plain http to this machine (the simulator).
pub fn validate_base_url(input: &str) -> Result<String, String> {
    let url = input.trim().trim_end_matches('/');
    let rest = url
        .strip_prefix("https://")
        .or_else(|| {
            url.strip_prefix("http://").filter(|r| {
                let host = r.split(['/', ':']).next().unwrap_or_default();
                host == "127.0.0.1" || host == "localhost" || r.starts_with("[::1]")
            })
        })
        .ok_or_else(|| {
            format!("'{url}' must start with https:// (for example https://api.servetel.in/v1)")
        })?;
    let host = rest.split('/').next().unwrap_or_default();
    if host.is_empty() || host.contains(char::is_whitespace) || url.contains(['?', '#']) {
        return Err(format!(
            "'{url}' is not a valid server address; it should look like https://api.servetel.in/v1"
        ));
    }
    Ok(url.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base_urls() {
        assert_eq!(
            validate_base_url(" https://api.servetel.in/v1/ "),
            Ok("https://api.servetel.in/v1".into())
        );
        assert!(validate_base_url("http://127.0.0.1:4010/v1").is_ok());
        assert!(validate_base_url("http://api.servetel.in/v1").is_err());
        assert!(validate_base_url("http://127.0.0.1.evil.test/v1").is_err());
        assert!(validate_base_url("https://").is_err());
        assert!(validate_base_url("api.servetel.in").is_err());
    }

    #[test]
    fn unknown_or_newer_settings_are_not_ours() {
        assert!(Settings::from_stored(serde_json::json!({"version": 99})).is_none());
        assert!(Settings::from_stored(serde_json::json!("garbage")).is_none());
        let s = Settings::from_stored(serde_json::json!({"baseUrl": "https://x/v1"})).unwrap();
        assert_eq!(s.base_url.as_deref(), Some("https://x/v1"));
    }
}
