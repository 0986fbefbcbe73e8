//! The real OS keyring (Secret Service). Ignored in a plain `cargo test`: scripts/test.sh runs
//! these with `--ignored` inside a private D-Bus session with an unlocked gnome-keyring.

use std::process::Command;

use clickdial_app::secrets::{KeyringStore, SecretStore, TOKEN_KEY};
use clickdial_core::Secret;

#[test]
#[ignore = "needs a Secret Service; scripts/test.sh provides one"]
fn round_trip_overwrite_and_delete() {
    let store = KeyringStore::new();
    let key = "clickdial-test-round-trip";
    store
        .delete(key)
        .expect("deleting a missing entry succeeds");
    assert_eq!(
        store.get(key).unwrap(),
        None,
        "missing reads as not configured"
    );
    store.set(key, &Secret::new("tok-keyring-1")).unwrap();
    assert_eq!(store.get(key).unwrap(), Some(Secret::new("tok-keyring-1")));
    store.set(key, &Secret::new("tok-keyring-2")).unwrap();
    assert_eq!(store.get(key).unwrap(), Some(Secret::new("tok-keyring-2")));
    store.delete(key).unwrap();
    assert_eq!(store.get(key).unwrap(), None);
    store.delete(key).unwrap();
}

#[test]
#[ignore = "needs a Secret Service; scripts/test.sh provides one"]
fn cli_uses_the_token_the_app_saved() {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let sim = rt
        .block_on(clickdial_sim::Sim::spawn(clickdial_sim::Account {
            tokens: vec!["tok-from-keyring-9".into()],
            ..clickdial_sim::Account::demo()
        }))
        .unwrap();
    let store = KeyringStore::new();
    store
        .set(TOKEN_KEY, &Secret::new("tok-from-keyring-9"))
        .unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_clickdial"))
        .env_remove("CLICKDIAL_TOKEN")
        .env("CLICKDIAL_BASE_URL", sim.url())
        .args(["call", "9876543210", "--agent", "0506123456781"])
        .output()
        .unwrap();
    store.delete(TOKEN_KEY).unwrap();
    let (stdout, stderr) = (
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr),
    );
    assert_eq!(out.status.code(), Some(0), "{stdout} {stderr}");
    assert!(!stdout.contains("tok-from") && !stderr.contains("tok-from"));
    assert_eq!(
        sim.requests_to("/click_to_call")[0]
            .authorization
            .as_deref(),
        Some("Bearer tok-from-keyring-9")
    );
}
