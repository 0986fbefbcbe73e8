//! The policy on Windows: `HKEY_LOCAL_MACHINE\Software\Policies\Clickdial`, values named as the
//! policy file's keys; lists as `REG_MULTI_SZ`, booleans as `REG_DWORD` (0 or 1).

use windows_registry::{Type, LOCAL_MACHINE};

use super::parse::{interpret, list_items, Raw};
use super::{PolicyState, POLICY_KEY};

pub(super) fn load() -> PolicyState {
    let from = format!(r"HKEY_LOCAL_MACHINE\{POLICY_KEY}");
    // No key: an unmanaged desk.
    let Ok(key) = LOCAL_MACHINE.options().read().open(POLICY_KEY) else {
        return PolicyState::default();
    };
    let values = match key.values() {
        Ok(v) => v,
        Err(e) => {
            return PolicyState::broken(
                from.clone(),
                format!("The policy in {from} could not be read ({e})."),
            )
        }
    };
    let entries: Vec<(String, Raw, Option<usize>)> = values
        .map(|(name, value)| {
            let raw = match value.ty() {
                Type::U32 | Type::U64 => u64::try_from(value)
                    .ok()
                    .and_then(|n| i64::try_from(n).ok())
                    .map_or(Raw::Other("an unreadable number"), Raw::Int),
                Type::String | Type::ExpandString => {
                    String::try_from(value).map_or(Raw::Other("unreadable text"), Raw::Str)
                }
                Type::MultiString => Vec::<String>::try_from(value)
                    .map_or(Raw::Other("an unreadable list"), |l| {
                        Raw::List(list_items(l).into_iter().map(Raw::Str).collect())
                    }),
                _ => Raw::Other("binary data"),
            };
            (name, raw, None)
        })
        .collect();
    interpret(entries, &from)
}
