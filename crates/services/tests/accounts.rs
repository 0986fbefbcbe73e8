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

#[tokio::test]
async fn forms_are_checked_before_anything_is_sent() {
    let dir = tempfile::tempdir().unwrap();
    let accounts = Accounts::new(
        SettingsFile::new(dir.path().join(SETTINGS_FILE)),
        Arc::new(MemoryStore::default()),
    );
    let cases = [
        (
            serde_json::json!({"provider": "nope", "signIn": "token", "token": "t"}),
            "Choose your provider.",
        ),
        (
            serde_json::json!({"provider": "servetel", "signIn": "token", "token": " Bearer  "}),
            "Paste your API token.",
        ),
        (
            serde_json::json!({"provider": "servetel", "signIn": "password", "email": " ", "password": "p"}),
            "Enter the email (login ID) you use for the portal.",
        ),
        (
            serde_json::json!({"provider": "servetel", "signIn": "password", "email": "a@b.c", "password": ""}),
            "Enter your password.",
        ),
        (
            serde_json::json!({"provider": "custom", "baseUrl": "http://evil.test/v1", "signIn": "token", "token": "t"}),
            "must start with https://",
        ),
    ];
    for (form, message) in cases {
        let form: AccountForm = serde_json::from_value(form).unwrap();
        let Err(e) = accounts.connect(form).await else {
            panic!("must be refused: {message}")
        };
        assert!(e.message.contains(message), "{} / {message}", e.message);
    }
}

#[tokio::test]
async fn a_password_account_is_bound_to_its_login_id_and_picks_follow_the_server() {
    let dir = tempfile::tempdir().unwrap();
    let store = Arc::new(MemoryStore::default());
    let file = SettingsFile::new(dir.path().join(SETTINGS_FILE));
    let accounts = Accounts::new(file.clone(), store.clone());
    let sim = Sim::spawn(Account::demo()).await.unwrap();
    let form: AccountForm = serde_json::from_value(serde_json::json!({
        "provider": "custom", "baseUrl": sim.url(), "signIn": "password",
        "email": clickdial_sim::DEMO_EMAIL, "password": clickdial_sim::DEMO_PASSWORD
    }))
    .unwrap();
    file.update(|s| s.last_agent = Some("A1".into())).unwrap();
    accounts.connect(form.clone()).await.unwrap();
    assert_eq!(
        store.keys(),
        [format!(
            "password {} {}",
            origin(&sim),
            clickdial_sim::DEMO_EMAIL
        )]
    );
    assert_eq!(
        file.read().settings().last_agent,
        None,
        "a new server forgets the picks"
    );
    file.update(|s| s.last_agent = Some("A2".into())).unwrap();
    accounts.connect(form.clone()).await.unwrap();
    assert_eq!(
        file.read().settings().last_agent.as_deref(),
        Some("A2"),
        "signing in again to the same server keeps them"
    );
    // Signed out, nobody is preselected; the same account back, its picks are back.
    file.update(|s| s.me = Some("A3".into())).unwrap();
    assert!(accounts.sign_out().await.unwrap());
    let out = file.read().settings().clone();
    assert_eq!(
        (
            out.me.as_deref(),
            out.last_agent.as_deref(),
            out.default_agent()
        ),
        (None, None, None)
    );
    accounts.connect(form).await.unwrap();
    let back = file.read().settings().clone();
    assert_eq!(back.me.as_deref(), Some("A3"));
    assert_eq!(back.last_agent.as_deref(), Some("A2"));
    assert!(back.kept_picks.is_empty());
}

/// Issue 9: an address without the API version gets a 404 from the server; the message says
/// which address was probably meant. With the version, no such hint.
#[tokio::test]
async fn an_address_without_v1_gets_a_hint() {
    let dir = tempfile::tempdir().unwrap();
    let store = Arc::new(MemoryStore::default());
    let accounts = Accounts::new(SettingsFile::new(dir.path().join(SETTINGS_FILE)), store);
    let sim = Sim::spawn(Account::demo()).await.unwrap();
    let bare = origin(&sim);
    let unversioned: AccountForm = serde_json::from_value(serde_json::json!({
        "provider": "custom", "baseUrl": format!("{bare}/"), "signIn": "token",
        "token": clickdial_sim::DEMO_TOKEN
    }))
    .unwrap();
    let Err(e) = accounts.connect(unversioned).await else {
        panic!("the simulator has no /users at its root")
    };
    assert!(
        e.message.ends_with(&format!("did you mean {bare}/v1?")),
        "{}",
        e.message
    );
    // A wrong token on the right address says nothing about versions.
    let Err(e) = accounts.connect(form(&sim, "wrong")).await else {
        panic!()
    };
    assert!(!e.message.contains("did you mean"), "{}", e.message);
}
