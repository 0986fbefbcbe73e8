//! The Tauri shell on the mock runtime: real IPC deserialization, real commands, the demo
//! simulator and the store plugin, with an in-memory secret store and a temporary settings file.

use std::path::Path;
use std::sync::Arc;

use clickdial_app::secrets::{MemoryStore, SecretStore, TOKEN_KEY};
use clickdial_app::state::AppState;
use clickdial_core::Secret;
use clickdial_sim::{Account, Sim};
use serde_json::{json, Value};
use tauri::ipc::{CallbackFn, InvokeBody};
use tauri::test::{mock_builder, mock_context, noop_assets, MockRuntime, INVOKE_KEY};
use tauri::webview::InvokeRequest;
use tauri::{App, Manager, WebviewWindow, WebviewWindowBuilder};

const TOKEN: &str = "tok-Sh3ll-Secret-42";

struct Harness {
    app: App<MockRuntime>,
    window: WebviewWindow<MockRuntime>,
}

impl Harness {
    fn new(secrets: Arc<dyn SecretStore>, settings: &Path) -> Harness {
        let mut app = clickdial_app::build_app(mock_builder(), secrets, settings.to_path_buf())
            .build(mock_context(noop_assets()))
            .expect("app builds");
        // The setup hook (which manages the state) runs on the first event-loop iteration.
        #[allow(deprecated)]
        app.run_iteration(|_, _| {});
        let window = WebviewWindowBuilder::new(&app, "main", Default::default())
            .build()
            .expect("window builds");
        Harness { app, window }
    }

    fn invoke(&self, cmd: &str, args: Value) -> Result<Value, Value> {
        tauri::test::get_ipc_response(
            &self.window,
            InvokeRequest {
                cmd: cmd.into(),
                callback: CallbackFn(0),
                error: CallbackFn(1),
                url: "tauri://localhost".parse().unwrap(),
                body: InvokeBody::Json(args),
                headers: Default::default(),
                invoke_key: INVOKE_KEY.to_string(),
            },
        )
        .map(|body| body.deserialize::<Value>().expect("JSON reply"))
    }

    fn ok(&self, cmd: &str, args: Value) -> Value {
        self.invoke(cmd, args)
            .unwrap_or_else(|e| panic!("{cmd} failed: {e}"))
    }

    fn err(&self, cmd: &str, args: Value) -> Value {
        let e = self
            .invoke(cmd, args)
            .expect_err(&format!("{cmd} should fail"));
        let keys: Vec<&String> = e.as_object().expect("error object").keys().collect();
        assert_eq!(
            keys,
            ["code", "message"],
            "errors are exactly {{code, message}}"
        );
        e
    }
}

fn dial_args(agent: &str, number: &str) -> Value {
    json!({"agent": agent, "callerId": "918065000101", "number": number})
}

#[test]
fn demo_dial_through_real_ipc() {
    let dir = tempfile::tempdir().unwrap();
    let h = Harness::new(
        Arc::new(MemoryStore::default()),
        &dir.path().join("settings.json"),
    );

    let status = h.ok("get_status", json!({}));
    assert_eq!(status["configured"], false);
    assert_eq!(
        h.err("dial", dial_args("0506123456781", "9876543210"))["code"],
        "notConfigured"
    );

    let bad = h.err("preview_number", json!({"input": "98765abcde"}));
    assert_eq!(bad["code"], "invalidNumber");
    assert!(bad["message"].as_str().unwrap().contains("has letters"));
    let good = h.ok(
        "preview_number",
        json!({"input": "tel:+91-98765-43210;ext=7"}),
    );
    assert_eq!(
        good,
        json!({"e164": "+919876543210", "international": "+91 98765 43210", "ext": "7"})
    );

    let status = h.ok("start_demo", json!({}));
    assert_eq!(status["configured"], true);
    assert_eq!(status["demo"], true);
    assert!(status["baseUrl"]
        .as_str()
        .unwrap()
        .starts_with("http://127.0.0.1:"));

    let agents = h.ok("list_agents", json!({}));
    assert_eq!(agents.as_array().unwrap().len(), 5);
    assert_eq!(agents[3]["status"], "blocked");
    let callers = h.ok("list_caller_ids", json!({}));
    assert_eq!(callers[0]["value"], "918065000101");

    let queued = h.ok("dial", dial_args("0506123456781", "098765 43210"));
    assert_eq!(queued["e164"], "+919876543210");
    assert_eq!(queued["message"], "Originate successfully queued");
    assert!(queued["refId"].as_str().is_some());

    // A bounce (double click, repeated link) right after is refused, not sent.
    let again = h.err("dial", dial_args("0506123456781", "+91 98765 43210"));
    assert_eq!(again["code"], "busy");

    let rejected = h.err("dial", dial_args("0000000000000", "9876543211"));
    assert_eq!(rejected["code"], "rejected");
    assert!(rejected["message"]
        .as_str()
        .unwrap()
        .starts_with("The call was not placed."));

    let state = h.app.state::<AppState>();
    let session = state.session().unwrap();
    let sim = session.demo.as_ref().unwrap();
    let dials = sim.requests_to("/click_to_call");
    assert_eq!(
        dials.len(),
        2,
        "one queued, one rejected, the bounce never sent"
    );
    assert_eq!(dials[0].body["destination_number"], "919876543210");
    assert_eq!(dials[0].body["caller_id"], "918065000101");

    let status = h.ok("sign_out", json!({}));
    assert_eq!(status["configured"], false);
}

#[test]
fn account_token_goes_to_the_keyring_only() {
    let dir = tempfile::tempdir().unwrap();
    let settings = dir.path().join("settings.json");
    let secrets = Arc::new(MemoryStore::default());
    let h = Harness::new(secrets.clone(), &settings);
    let sim = tauri::async_runtime::block_on(Sim::spawn(Account {
        tokens: vec![TOKEN.to_string()],
        ..Account::demo()
    }))
    .unwrap();

    let wrong = h.err(
        "save_account",
        json!({"baseUrl": sim.url(), "token": "nope"}),
    );
    assert_eq!(wrong["code"], "unauthorized");
    assert!(
        secrets.get(TOKEN_KEY).unwrap().is_none(),
        "a refused token is not saved"
    );

    let insecure = h.err(
        "save_account",
        json!({"baseUrl": "http://api.servetel.in/v1", "token": TOKEN}),
    );
    assert_eq!(insecure["code"], "invalidInput");

    let status = h.ok(
        "save_account",
        json!({"baseUrl": sim.url(), "token": format!("  Bearer {TOKEN}\n")}),
    );
    assert_eq!(status["configured"], true);
    assert_eq!(status["demo"], false);
    assert_eq!(
        secrets.get(TOKEN_KEY).unwrap(),
        Some(Secret::new(TOKEN)),
        "stored without the pasted prefix and whitespace"
    );

    let queued = h.ok("dial", dial_args("0506123456782", "9876543210"));
    assert!(queued["refId"].is_string());
    let auth = sim.requests_to("/click_to_call")[0].authorization.clone();
    assert_eq!(auth.as_deref(), Some(format!("Bearer {TOKEN}").as_str()));

    let file = std::fs::read_to_string(&settings).unwrap();
    assert!(
        file.contains("\"lastAgent\": \"0506123456782\"")
            || file.contains("\"lastAgent\":\"0506123456782\""),
        "{file}"
    );
    assert!(!file.contains(TOKEN), "token leaked into the settings file");
    let status = h.ok("get_status", json!({}));
    assert!(
        !status.to_string().contains(TOKEN),
        "token leaked to the webview"
    );

    let status = h.ok("sign_out", json!({}));
    assert_eq!(status["configured"], false);
    assert!(secrets.get(TOKEN_KEY).unwrap().is_none());
    let file = std::fs::read_to_string(&settings).unwrap();
    assert!(!file.contains(&sim.url()), "{file}");
}

#[test]
fn corrupt_settings_are_moved_aside_and_secrets_kept() {
    let dir = tempfile::tempdir().unwrap();
    let settings = dir.path().join("settings.json");
    std::fs::write(&settings, "{ this is not json").unwrap();
    let secrets = Arc::new(MemoryStore::default());
    secrets.set(TOKEN_KEY, &Secret::new(TOKEN)).unwrap();

    let h = Harness::new(secrets.clone(), &settings);
    let status = h.ok("get_status", json!({}));
    assert_eq!(status["configured"], false);
    let notice = status["notice"].as_str().expect("the user is told");
    assert!(notice.contains("could not be read"), "{notice}");
    // Told once.
    assert!(h.ok("get_status", json!({}))["notice"].is_null());

    let kept: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .filter_map(|e| e.ok())
        .filter(|e| e.file_name().to_string_lossy().contains("unreadable"))
        .collect();
    assert_eq!(kept.len(), 1);
    assert_eq!(
        std::fs::read_to_string(kept[0].path()).unwrap(),
        "{ this is not json"
    );
    assert!(
        secrets.get(TOKEN_KEY).unwrap().is_some(),
        "secrets untouched"
    );
}

#[test]
fn settings_from_a_newer_version_are_kept_aside_too() {
    let dir = tempfile::tempdir().unwrap();
    let settings = dir.path().join("settings.json");
    std::fs::write(
        &settings,
        r#"{"settings":{"version":99,"baseUrl":"https://x/v1"}}"#,
    )
    .unwrap();
    let h = Harness::new(Arc::new(MemoryStore::default()), &settings);
    let status = h.ok("get_status", json!({}));
    assert!(status["notice"].is_string());
    assert!(!settings.exists() || !std::fs::read_to_string(&settings).unwrap().contains("99"));
}

#[test]
fn identifier_matches_tauri_conf() {
    let conf: Value = serde_json::from_str(include_str!("../tauri.conf.json")).unwrap();
    assert_eq!(conf["identifier"], clickdial_app::IDENTIFIER);
}
