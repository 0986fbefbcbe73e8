//! The policy on macOS: the managed preferences domain `in.clickdial.desktop`, as an MDM
//! configuration profile installs it ([`MANAGED_PREFERENCES`]): keys named as the policy file's,
//! arrays for lists, booleans and integers as they are. Without it, [`super::POLICY_FILE`].
//! [`super::MANAGED_PREFERENCES`] is where a profile's payload for the domain lands.
//! Built and tested on Linux too (the plist reading); only the choice of place is macOS's.

use std::path::Path;

use super::parse::{interpret, Raw};
use super::PolicyState;

/// The managed preferences, else the policy file.
#[cfg(target_os = "macos")]
pub(super) fn load() -> PolicyState {
    load_plist(Path::new(super::MANAGED_PREFERENCES))
        .unwrap_or_else(|| super::load_file(Path::new(super::POLICY_FILE)))
}

/// The policy in the property list at `path`; `None` when there is none.
pub(super) fn load_plist(path: &Path) -> Option<PolicyState> {
    if std::fs::symlink_metadata(path).is_err_and(|e| e.kind() == std::io::ErrorKind::NotFound) {
        return None;
    }
    let from = path.display().to_string();
    Some(match plist::Value::from_file(path) {
        Ok(plist::Value::Dictionary(d)) => {
            interpret(d.into_iter().map(|(k, v)| (k, raw(v), None)), &from)
        }
        Ok(_) => PolicyState::broken(
            from.clone(),
            format!("The managed preferences {from} are not a dictionary of settings."),
        ),
        Err(e) => PolicyState::broken(
            from.clone(),
            format!("The managed preferences {from} could not be read ({e})."),
        ),
    })
}

fn raw(v: plist::Value) -> Raw {
    match v {
        plist::Value::Boolean(b) => Raw::Bool(b),
        plist::Value::Integer(i) => i
            .as_signed()
            .map_or(Raw::Other("a number too large"), Raw::Int),
        plist::Value::String(s) => Raw::Str(s),
        plist::Value::Array(a) => Raw::List(a.into_iter().map(raw).collect()),
        plist::Value::Real(_) => Raw::Other("a decimal number"),
        plist::Value::Date(_) => Raw::Other("a date"),
        plist::Value::Data(_) => Raw::Other("binary data"),
        plist::Value::Dictionary(_) => Raw::Other("a dictionary"),
        _ => Raw::Other("an unknown value"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::policy::Shortcut;

    #[test]
    fn a_profiles_payload_reads_like_the_file() {
        let dir = tempfile::tempdir().unwrap();
        assert_eq!(load_plist(&dir.path().join("none.plist")), None);
        let path = dir.path().join("in.clickdial.desktop.plist");
        std::fs::write(
            &path,
            r#"<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE plist PUBLIC "-//Apple//DTD PLIST 1.0//EN" "http://www.apple.com/DTDs/PropertyList-1.0.dtd">
<plist version="1.0"><dict>
  <key>server</key><string>smartflo</string>
  <key>caller_ids</key><array><string>+91 80650 00101</string></array>
  <key>history_days</key><integer>30</integer>
  <key>demo</key><false/>
  <key>hotkey</key><false/>
</dict></plist>"#,
        )
        .unwrap();
        let s = load_plist(&path).unwrap();
        assert_eq!(s.broken, None);
        assert_eq!(s.from.as_deref(), Some(path.display().to_string().as_str()));
        assert_eq!(s.policy.history_days, Some(30));
        assert_eq!(s.policy.demo, Some(false));
        assert_eq!(s.policy.hotkey, Some(Shortcut::Off));
        assert!(s.policy.allows_caller_id("918065000101"));
        std::fs::write(&path, "not a plist").unwrap();
        let e = load_plist(&path).unwrap().broken.unwrap();
        assert!(
            e.message.contains("in.clickdial.desktop.plist"),
            "{}",
            e.message
        );
    }
}
