//! Browser policies that let a CRM's pages open `tel:` and `callto:` links without the
//! browser's "Open xdg-open?" prompt (which managed desks often show without "always allow").
//!
//! Chrome, Edge and Chromium: `AutoLaunchProtocolsFromOrigins`, a managed policy listing the
//! origins allowed to launch each scheme. Firefox: its `Handlers` policy, which sends the
//! schemes to Clickdial without asking (Firefox has no per-origin rule). Printed for an admin,
//! or written into the browser's system policy folder (`--install`, as root).

use std::path::{Path, PathBuf};

use clickdial_core::types::BaseUrl;
use serde::Serialize;
use serde_json::{json, Value};

use super::SCHEMES;
use crate::{Code, Error};

/// The browsers whose policy Clickdial can write.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Browser {
    Chrome,
    Edge,
    Chromium,
    Firefox,
}

impl Browser {
    pub fn parse(name: &str) -> Result<Browser, Error> {
        Ok(match name.trim().to_ascii_lowercase().as_str() {
            "chrome" | "google-chrome" => Browser::Chrome,
            "edge" | "msedge" => Browser::Edge,
            "chromium" => Browser::Chromium,
            "firefox" => Browser::Firefox,
            other => {
                return Err(Error::invalid(format!(
                    "'{}' is not a browser Clickdial knows: use chrome, edge, chromium or firefox.",
                    clickdial_core::sanitize::clean_text(other, 30)
                )))
            }
        })
    }

    pub fn name(self) -> &'static str {
        match self {
            Browser::Chrome => "Google Chrome",
            Browser::Edge => "Microsoft Edge",
            Browser::Chromium => "Chromium",
            Browser::Firefox => "Firefox",
        }
    }

    /// The file name the policy is written as in [`Browser::folder`].
    pub fn file_name(self) -> &'static str {
        match self {
            Browser::Firefox => "policies.json",
            _ => "clickdial.json",
        }
    }

    /// Where the browser reads its system policy on this OS: a folder of JSON files (Linux),
    /// else where an admin sets it (the registry key or the profile on Windows and macOS).
    pub fn folder(self) -> &'static str {
        if cfg!(windows) {
            match self {
                Browser::Chrome => r"HKEY_LOCAL_MACHINE\Software\Policies\Google\Chrome",
                Browser::Edge => r"HKEY_LOCAL_MACHINE\Software\Policies\Microsoft\Edge",
                Browser::Chromium => r"HKEY_LOCAL_MACHINE\Software\Policies\Chromium",
                Browser::Firefox => r"C:\Program Files\Mozilla Firefox\distribution",
            }
        } else if cfg!(target_os = "macos") {
            match self {
                Browser::Chrome => "/Library/Managed Preferences (com.google.Chrome)",
                Browser::Edge => "/Library/Managed Preferences (com.microsoft.Edge)",
                Browser::Chromium => "/Library/Managed Preferences (org.chromium.Chromium)",
                Browser::Firefox => "/Applications/Firefox.app/Contents/Resources/distribution",
            }
        } else {
            match self {
                Browser::Chrome => "/etc/opt/chrome/policies/managed",
                Browser::Edge => "/etc/opt/edge/policies/managed",
                Browser::Chromium => "/etc/chromium/policies/managed",
                Browser::Firefox => "/etc/firefox/policies",
            }
        }
    }

    /// Whether [`Browser::folder`] is a folder `--install` can write a file into.
    pub fn installable(self) -> bool {
        cfg!(target_os = "linux") || (cfg!(windows) && self == Browser::Firefox)
    }
}

/// `https://crm.example.com/any/page` → `https://crm.example.com`: a browser matches origins.
pub fn origin(input: &str) -> Result<String, Error> {
    let url = BaseUrl::parse(input).map_err(|e| {
        Error::invalid(format!(
            "The CRM's address: {e}. Give it as https://crm.example.com."
        ))
    })?;
    Ok(url.origin())
}

/// A browser policy ready to hand to an admin: what the CLI prints and Settings shows.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Prepared {
    /// "Google Chrome".
    pub browser: &'static str,
    /// The policy JSON, pretty-printed: a file the admin can use as it is.
    pub text: String,
    /// The file name it is written as in `folder`.
    pub file_name: &'static str,
    /// Where the browser reads it on this system.
    pub folder: &'static str,
    /// Whether `clickdial handler browser-policy --install` can write it there.
    pub installable: bool,
    /// The origins it trusts, as the browser matches them.
    pub origins: Vec<String>,
    #[serde(skip)]
    pub policy: Value,
}

/// The policy letting the CRM pages at `origins` (any address on them) open phone links in
/// `browser` (a name [`Browser::parse`] knows), for Clickdial installed at `program`.
pub fn prepare(browser: &str, origins: &[String], program: &Path) -> Result<Prepared, Error> {
    let browser = Browser::parse(browser)?;
    let origins = origins
        .iter()
        .map(|o| origin(o))
        .collect::<Result<Vec<_>, _>>()?;
    if origins.is_empty() && browser != Browser::Firefox {
        return Err(Error::invalid(
            "Give the CRM's address, such as https://crm.example.com.",
        ));
    }
    let policy = policy(browser, &origins, program);
    Ok(Prepared {
        browser: browser.name(),
        text: serde_json::to_string_pretty(&policy).unwrap_or_default(),
        file_name: browser.file_name(),
        folder: browser.folder(),
        installable: browser.installable(),
        origins,
        policy,
    })
}

/// The policy for `browser` letting `origins` open phone links; `program` is Clickdial's path
/// (Firefox's handler runs it).
pub fn policy(browser: Browser, origins: &[String], program: &Path) -> Value {
    match browser {
        Browser::Firefox => {
            let handler = json!({
                "action": "useHelperApp",
                "ask": false,
                "handlers": [{"name": "Clickdial", "path": program.display().to_string()}],
            });
            let schemes: serde_json::Map<String, Value> = SCHEMES
                .iter()
                .map(|s| (s.to_string(), handler.clone()))
                .collect();
            json!({"policies": {"Handlers": {"schemes": schemes}}})
        }
        _ => json!({
            "AutoLaunchProtocolsFromOrigins": SCHEMES
                .iter()
                .map(|s| json!({"protocol": s, "allowed_origins": origins}))
                .collect::<Vec<_>>(),
        }),
    }
}

/// Writes `policy` into `folder` as `browser` reads it; Firefox's `policies.json` keeps the
/// policies already in it. The path written.
pub fn install_into(browser: Browser, folder: &Path, policy: &Value) -> Result<PathBuf, Error> {
    let failed = |e: std::io::Error| {
        let hint = if e.kind() == std::io::ErrorKind::PermissionDenied {
            " Run it as root (sudo), or give the printed file to your administrator."
        } else {
            ""
        };
        Error::new(
            Code::Storage,
            format!(
                "Could not write the browser policy in {}: {e}.{hint}",
                folder.display()
            ),
        )
    };
    std::fs::create_dir_all(folder).map_err(failed)?;
    let path = folder.join(browser.file_name());
    let mut merged = policy.clone();
    if browser == Browser::Firefox {
        if let Some(mut existing) = std::fs::read_to_string(&path)
            .ok()
            .and_then(|t| serde_json::from_str::<Value>(&t).ok())
            .filter(Value::is_object)
        {
            if existing.get("policies").is_none_or(|p| !p.is_object()) {
                existing["policies"] = json!({});
            }
            let handlers = policy["policies"]["Handlers"].clone();
            if let Some(p) = existing.get_mut("policies").and_then(Value::as_object_mut) {
                let schemes = p
                    .entry("Handlers")
                    .or_insert_with(|| json!({}))
                    .as_object_mut()
                    .map(|h| h.entry("schemes").or_insert_with(|| json!({})));
                if let Some(Value::Object(schemes)) = schemes {
                    for (scheme, handler) in handlers["schemes"].as_object().into_iter().flatten() {
                        schemes.insert(scheme.clone(), handler.clone());
                    }
                }
            }
            merged = existing;
        }
    }
    let text = serde_json::to_string_pretty(&merged).unwrap_or_default();
    let temp = path.with_extension("json.new");
    std::fs::write(&temp, format!("{text}\n")).map_err(failed)?;
    std::fs::rename(&temp, &path).map_err(failed)?;
    Ok(path)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chrome_lets_the_origins_launch_both_schemes() {
        let o = origin("https://crm.example.com/leads?x=1").unwrap_err();
        assert_eq!(o.code, Code::InvalidInput, "a query is not an origin's");
        let o = origin("https://crm.example.com/leads/").unwrap();
        assert_eq!(o, "https://crm.example.com");
        let p = policy(Browser::Chrome, &[o], Path::new("/usr/bin/clickdial"));
        let rules = p["AutoLaunchProtocolsFromOrigins"].as_array().unwrap();
        assert_eq!(rules.len(), 2);
        assert_eq!(rules[0]["protocol"], "tel");
        assert_eq!(rules[1]["protocol"], "callto");
        assert_eq!(rules[1]["allowed_origins"][0], "https://crm.example.com");
        assert!(origin("http://crm.example.com").is_err(), "https only");
    }

    #[test]
    fn prepared_for_the_window_and_the_cli_alike() {
        let program = Path::new("/usr/bin/clickdial");
        let p = prepare(
            "Edge",
            &["https://crm.example.com/leads/42".into()],
            program,
        )
        .unwrap();
        assert_eq!(p.browser, "Microsoft Edge");
        assert_eq!(p.origins, ["https://crm.example.com"]);
        let parsed: Value = serde_json::from_str(&p.text).unwrap();
        assert_eq!(parsed, p.policy);
        assert_eq!(
            parsed["AutoLaunchProtocolsFromOrigins"][0]["allowed_origins"][0],
            "https://crm.example.com"
        );
        for (browser, origins) in [
            ("chrome", vec![]),
            ("chrome", vec![String::new()]),
            ("chrome", vec!["http://crm.example.com".to_string()]),
            ("safari", vec!["https://crm.example.com".to_string()]),
        ] {
            let e = prepare(browser, &origins, program).unwrap_err();
            assert_eq!(e.code, Code::InvalidInput, "{browser} {origins:?}");
        }
        // Firefox has no per-origin rule: it needs no address.
        assert!(prepare("firefox", &[], program).is_ok());
    }

    #[test]
    fn firefox_keeps_the_policies_already_there() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(
            dir.path().join("policies.json"),
            r#"{"policies": {"DisableTelemetry": true, "Handlers": {"schemes": {"mailto": {"ask": true}}}}}"#,
        )
        .unwrap();
        let p = policy(Browser::Firefox, &[], Path::new("/usr/bin/clickdial"));
        let path = install_into(Browser::Firefox, dir.path(), &p).unwrap();
        let v: Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
        assert_eq!(v["policies"]["DisableTelemetry"], true);
        let schemes = &v["policies"]["Handlers"]["schemes"];
        assert_eq!(schemes["mailto"]["ask"], true);
        assert_eq!(schemes["tel"]["ask"], false);
        assert_eq!(
            schemes["callto"]["handlers"][0]["path"],
            "/usr/bin/clickdial"
        );
    }

    #[test]
    fn chrome_writes_its_own_file() {
        let dir = tempfile::tempdir().unwrap();
        let p = policy(
            Browser::Edge,
            &["https://crm.example.com".into()],
            Path::new("x"),
        );
        let path = install_into(Browser::Edge, &dir.path().join("managed"), &p).unwrap();
        assert!(path.ends_with("managed/clickdial.json"));
        let v: Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
        assert_eq!(v, p);
    }
}
