//! The account service against the simulator, with an in-memory keyring and a real settings
//! file: secrets bound to their server, one account at a time.

use std::sync::Arc;

use clickdial_core::Secret;
use clickdial_services::accounts::{AccountForm, Accounts};
use clickdial_services::secrets::{
    MemoryStore, SecretStore, LEGACY_PASSWORD_KEY, LEGACY_TOKEN_KEY,
};
use clickdial_services::settings_file::{SettingsFile, SETTINGS_FILE};
use clickdial_sim::{Account, Sim};

fn form(sim: &Sim, token: &str) -> AccountForm {
    serde_json::from_value(serde_json::json!({
        "provider": "custom", "baseUrl": sim.url(), "signIn": "token", "token": token
    }))
    .unwrap()
}

fn origin(sim: &Sim) -> String {
    format!("http://{}", sim.addr())
}

#[tokio::test]
async fn signing_in_elsewhere_removes_the_previous_and_the_unbound_secrets() {
    let dir = tempfile::tempdir().unwrap();
    let store = Arc::new(MemoryStore::default());
    store.set(LEGACY_TOKEN_KEY, &Secret::new("old")).unwrap();
    store
        .set(LEGACY_PASSWORD_KEY, &Secret::new("old-pw"))
        .unwrap();
    let accounts = Accounts::new(
        SettingsFile::new(dir.path().join(SETTINGS_FILE)),
        store.clone(),
    );
    let a = Sim::spawn(Account {
        tokens: vec!["tok-a".into()],
        ..Account::demo()
    })
    .await
    .unwrap();
    let b = Sim::spawn(Account {
        tokens: vec!["tok-b".into()],
        ..Account::demo()
    })
    .await
    .unwrap();

    accounts.connect(form(&a, "tok-a")).await.unwrap();
    assert_eq!(store.keys(), [format!("api-token {}", origin(&a))]);
    let connected = accounts.connect(form(&b, "Bearer tok-b ")).await.unwrap();
    assert!(connected.stamp.is_some());
    assert_eq!(store.keys(), [format!("api-token {}", origin(&b))]);
    assert_eq!(
        store.get(&format!("api-token {}", origin(&b))).unwrap(),
        Some(Secret::new("tok-b"))
    );
    // The settings name B, and B's secret is the only one that can be read for them.
    let settings = accounts.settings_file().read().settings();
    let saved = accounts.saved(&settings).unwrap().unwrap();
    assert_eq!(saved.base_url.as_str(), b.url());

    assert!(accounts.sign_out().await.unwrap());
    assert!(store.keys().is_empty());
    assert!(
        !accounts.sign_out().await.unwrap(),
        "nothing left to sign out of"
    );
}

#[tokio::test]
async fn a_refused_sign_in_changes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let store = Arc::new(MemoryStore::default());
    let file = SettingsFile::new(dir.path().join(SETTINGS_FILE));
    let accounts = Accounts::new(file.clone(), store.clone());
    let a = Sim::spawn(Account {
        tokens: vec!["tok-a".into()],
        ..Account::demo()
    })
    .await
    .unwrap();
    accounts.connect(form(&a, "tok-a")).await.unwrap();
    let before = std::fs::read(file.path()).unwrap();
    let Err(e) = accounts.connect(form(&a, "wrong")).await else {
        panic!("a wrong token must be refused")
    };
    assert_eq!(e.code, clickdial_services::Code::Unauthorized);
    assert_eq!(std::fs::read(file.path()).unwrap(), before);
    assert_eq!(store.keys(), [format!("api-token {}", origin(&a))]);
}
