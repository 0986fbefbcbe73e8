//! The policy on Windows: `HKEY_LOCAL_MACHINE\Software\Policies\Clickdial`, values named as the
//! policy file's keys; lists as `REG_MULTI_SZ`, booleans as `REG_DWORD` (0 or 1).

use windows_registry::{Type, LOCAL_MACHINE};

use super::parse::{interpret, list_items, Raw};
use super::{PolicyState, POLICY_KEY};

pub(super) fn load() -> PolicyState {
    let from = format!(r"HKEY_LOCAL_MACHINE\{POLICY_KEY}");
    // No key: an unmanaged desk. A key that is there but cannot be read (access denied) is a
    // policy that cannot be used: fail closed.
    let key = match LOCAL_MACHINE.options().read().open(POLICY_KEY) {
        Ok(key) => key,
        // HRESULT_FROM_WIN32(ERROR_FILE_NOT_FOUND).
        Err(e) if e.code().0 == 0x8007_0002_u32 as i32 => return PolicyState::default(),
        Err(e) => {
            return PolicyState::broken(
                from.clone(),
                format!("The policy in {from} could not be read ({e})."),
            )
        }
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
            // Registry value names are case-insensitive: `Server` is `server`.
            (name.to_ascii_lowercase(), raw, None)
        })
        .collect();
    interpret(entries, &from)
}
