//! The Tauri shell on the mock runtime: real IPC deserialization, real commands, the demo
//! simulator, the shared services (settings file, call ledger), with an in-memory secret store
//! and a temporary data folder.

use std::path::Path;
use std::sync::Arc;

use clickdial_app::state::AppState;
use clickdial_core::Secret;
use clickdial_services::secrets::{MemoryStore, SecretStore, LEGACY_TOKEN_KEY};
use clickdial_sim::{Account, Sim, DEMO_EMAIL, DEMO_PASSWORD, DEMO_TOKEN};
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

/// The demo's simulator, run in this process by the harness's starter.
fn demo_sim(session: &clickdial_app::state::AppSession) -> &Sim {
    session
        .demo
        .as_ref()
        .and_then(|guard| guard.downcast_ref::<Sim>())
        .expect("the demo's simulator")
}

impl Harness {
    /// An app whose data folder is `settings`'s folder (settings.json and the call ledger).
    fn new(secrets: Arc<dyn SecretStore>, settings: &Path) -> Harness {
        Harness::started_with(secrets, settings, None)
    }

    /// An app started by the desktop with `link` (a cold start from a `tel:` link).
    fn started_with(secrets: Arc<dyn SecretStore>, settings: &Path, link: Option<&str>) -> Harness {
        assert_eq!(settings.file_name().unwrap(), "settings.json");
        let data_dir = settings.parent().unwrap().to_path_buf();
        let launch = clickdial_app::Launch {
            link: link.map(str::to_string),
            ..Default::default()
        };
        let mut app = clickdial_app::build_app(mock_builder(), secrets, data_dir, launch)
            .build(mock_context(noop_assets()))
            .expect("app builds");
        // The setup hook (which manages the state) runs on the first event-loop iteration.
        #[allow(deprecated)]
        app.run_iteration(|_, _| {});
        // The demo's simulator runs in this process, so the tests can read its requests and
        // inject faults (the app runs it as a child process: module `demo` in tests/cli.rs).
        app.state::<AppState>().set_demo_starter(Arc::new(|| {
            Box::pin(async {
                let sim = Sim::spawn(Account::demo())
                    .await
                    .map_err(|e| e.to_string())?;
                Ok((sim.url(), Box::new(sim) as clickdial_app::state::DemoGuard))
            })
        }));
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
                // The page's origin on the mock runtime: Windows serves it over http.
                url: if cfg!(windows) {
                    "http://tauri.localhost"
                } else {
                    "tauri://localhost"
                }
                .parse()
                .unwrap(),
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
        assert!(
            keys == ["code", "message"] || keys == ["code", "detail", "message"],
            "errors are {{code, message}} and maybe a typed detail: {keys:?}"
        );
        if let Some(detail) = e.get("detail") {
            assert!(
                detail["kind"].is_string(),
                "a detail names its kind: {detail}"
            );
        }
        e
    }
}

use clickdial_testkit::{password_entry, token_entry};

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
        json!({"e164": "+919876543210", "international": "+91 98765 43210", "ext": "7",
               "region": "IN", "assumedCountry": false})
    );

    // Pasted text: the numbers in it, mobiles first, the country shown when it was assumed.
    let found = h.ok(
        "find_numbers",
        json!({"text": "Rahul Sharma, Mobile: 98765 43210 / Office +1 (415) 555-0100"}),
    );
    assert_eq!(found["whole"], false);
    let numbers = &found["numbers"];
    assert_eq!(numbers[0]["international"], "+91 98765 43210");
    assert_eq!(numbers[0]["assumedCountry"], true);
    assert_eq!(numbers[1]["e164"], "+14155550100");
    assert_eq!(numbers[1]["assumedCountry"], false);
    // Issue 25 item 5: a CRM line with a mobile and a landline; the mobile first.
    let crm = h.ok(
        "find_numbers",
        json!({"text": "Cust: Ravi K, Mob +91-98765 43210 / alt 022 2345 6789"}),
    );
    assert_eq!(
        crm["numbers"]
            .as_array()
            .unwrap()
            .iter()
            .map(|n| n["international"].as_str().unwrap())
            .collect::<Vec<_>>(),
        ["+91 98765 43210", "+91 22 2345 6789"]
    );
    // One number as written is `whole`; text without a number says why, as preview does.
    let one = h.ok("find_numbers", json!({"text": "098765 43210"}));
    assert_eq!(one["whole"], true);
    assert_eq!(one["numbers"].as_array().unwrap().len(), 1);
    let none = h.err("find_numbers", json!({"text": "no number here"}));
    assert_eq!(none["code"], "invalidNumber");

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
    let session = tauri::async_runtime::block_on(state.session()).unwrap();
    let sim = demo_sim(&session);
    let dials = sim.requests_to("/click_to_call");
    assert_eq!(
        dials.len(),
        2,
        "one queued, one rejected, the bounce never sent"
    );
    assert_eq!(dials[0].body["destination_number"], "919876543210");
    assert_eq!(dials[0].body["caller_id"], "918065000101");

    // Issue 25 item 4: the demo's calls are marked as the demo's in the ledger and listed in
    // the demo's history; a real account connected next shows none of them, nor the demo's
    // last call.
    let history = h.ok("history", json!({}));
    let accounts: Vec<&str> = history
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["account"].as_str().unwrap())
        .collect();
    assert_eq!(accounts.len(), 2, "{history}");
    assert!(
        accounts
            .iter()
            .all(|a| a.starts_with("demo http://127.0.0.1:")),
        "{accounts:?}"
    );
    assert_eq!(h.ok("calls", json!({})).as_array().unwrap().len(), 1);
    let real = tauri::async_runtime::block_on(Sim::spawn(Account {
        tokens: vec![TOKEN.to_string()],
        ..Account::demo()
    }))
    .unwrap();
    h.ok("save_account", custom(&real, json!({"token": TOKEN})));
    assert_eq!(h.ok("history", json!({})), json!([]));
    assert_eq!(
        h.ok("calls", json!({})),
        json!([]),
        "the demo's call is gone"
    );
    let queued = h.ok("dial", dial_args("0506123456781", "98765 43212"));
    let history = h.ok("history", json!({}));
    assert_eq!(history.as_array().unwrap().len(), 1, "{history}");
    assert_eq!(history[0]["id"], queued["call"]);
    assert!(history[0]["account"]
        .as_str()
        .unwrap()
        .starts_with("http://127.0.0.1:"));

    let status = h.ok("sign_out", json!({}));
    assert_eq!(status["configured"], false);
}

fn custom(sim: &Sim, fields: Value) -> Value {
    let mut form = json!({"provider": "custom", "baseUrl": sim.url(), "signIn": "token"});
    form.as_object_mut()
        .unwrap()
        .extend(fields.as_object().unwrap().clone());
    json!({ "form": form })
}

#[test]
fn token_account_goes_to_the_keyring_only() {
    let dir = tempfile::tempdir().unwrap();
    let settings = dir.path().join("settings.json");
    let secrets = Arc::new(MemoryStore::default());
    let h = Harness::new(secrets.clone(), &settings);
    let sim = tauri::async_runtime::block_on(Sim::spawn(Account {
        tokens: vec![TOKEN.to_string()],
        ..Account::demo()
    }))
    .unwrap();

    let wrong = h.err("save_account", custom(&sim, json!({"token": "nope"})));
    assert_eq!(wrong["code"], "unauthorized");
    assert!(secrets.keys().is_empty(), "a refused token is not saved");
    assert!(
        !settings.exists()
            || !std::fs::read_to_string(&settings)
                .unwrap()
                .contains("baseUrl\": \"http")
    );

    let insecure = h.err(
        "save_account",
        json!({"form": {"provider": "custom", "baseUrl": "http://api.servetel.in/v1", "signIn": "token", "token": TOKEN}}),
    );
    assert_eq!(insecure["code"], "invalidInput");
    let empty = h.err("save_account", custom(&sim, json!({"token": "  "})));
    assert_eq!(empty["message"], "Paste your API token.");

    let saved = h.ok(
        "save_account",
        custom(&sim, json!({"token": format!("  Bearer {TOKEN}\n")})),
    );
    assert_eq!(
        saved["check"],
        json!({"agents": 5, "callerIds": 2, "message": "Connected: 5 agents and 2 caller IDs found."})
    );
    let status = &saved["status"];
    assert_eq!(status["configured"], true);
    assert_eq!(status["demo"], false);
    assert_eq!(status["provider"], "custom");
    assert_eq!(status["signIn"], "token");
    assert_eq!(
        secrets.keys(),
        [token_entry(&sim.url())],
        "bound to its server"
    );
    assert_eq!(
        secrets.get(&token_entry(&sim.url())).unwrap(),
        Some(Secret::new(TOKEN)),
        "stored without the pasted prefix and whitespace"
    );
    // The lists came with the check: no second load.
    let before = sim.requests().len();
    h.ok("list_agents", json!({}));
    h.ok("list_caller_ids", json!({}));
    assert_eq!(sim.requests().len(), before);
    let pages = sim.requests_to("/users").len();
    h.ok("list_agents", json!({"refresh": true}));
    assert_eq!(
        sim.requests_to("/users").len(),
        pages + 3,
        "refresh reloads every page"
    );

    let queued = h.ok("dial", dial_args("0506123456782", "9876543210"));
    assert!(queued["refId"].is_string());
    let auth = sim.requests_to("/click_to_call")[0].authorization.clone();
    assert_eq!(auth.as_deref(), Some(format!("Bearer {TOKEN}").as_str()));

    let file: Value = serde_json::from_str(&std::fs::read_to_string(&settings).unwrap()).unwrap();
    assert_eq!(file["settings"]["lastAgent"], "0506123456782");
    assert_eq!(
        file["settings"]["lastCallerByAgent"]["0506123456782"],
        "918065000101"
    );
    assert!(
        !file.to_string().contains(TOKEN),
        "token leaked into the settings file"
    );

    let status = h.ok("sign_out", json!({}));
    assert_eq!(status["configured"], false);
    assert!(secrets.keys().is_empty());
    let file: Value = serde_json::from_str(&std::fs::read_to_string(&settings).unwrap()).unwrap();
    assert_eq!(file["settings"]["baseUrl"], Value::Null, "{file}");
    // Only the picks stay, under the server's address, for when the account signs in again.
    assert_eq!(
        file["settings"]["keptPicks"][0][0],
        sim.url().as_str(),
        "{file}"
    );
    assert_eq!(
        file["settings"]["keptPicks"][0][1]["lastAgent"],
        "0506123456782"
    );
    assert_eq!(file["settings"]["lastAgent"], Value::Null);
}

#[test]
fn password_sign_in_survives_a_restart_and_never_reaches_the_page() {
    let dir = tempfile::tempdir().unwrap();
    let settings = dir.path().join("settings.json");
    let secrets = Arc::new(MemoryStore::default());
    let sim = tauri::async_runtime::block_on(Sim::spawn(Account::demo())).unwrap();
    let mut replies = Vec::new();
    {
        let h = Harness::new(secrets.clone(), &settings);
        let bad = h.err(
            "save_account",
            custom(
                &sim,
                json!({"signIn": "password", "email": DEMO_EMAIL, "password": "wrong"}),
            ),
        );
        assert_eq!(bad["code"], "unauthorized");
        assert!(bad["message"]
            .as_str()
            .unwrap()
            .contains("email or password"));
        replies.push(bad);

        let saved = h.ok(
            "save_account",
            custom(&sim, json!({"signIn": "password", "email": DEMO_EMAIL, "password": DEMO_PASSWORD, "token": "ignored"})),
        );
        assert_eq!(saved["status"]["email"], DEMO_EMAIL);
        assert_eq!(saved["status"]["signIn"], "password");
        assert_eq!(
            secrets
                .get(&password_entry(&sim.url(), DEMO_EMAIL))
                .unwrap(),
            Some(Secret::new(DEMO_PASSWORD))
        );
        assert_eq!(
            secrets.keys(),
            [password_entry(&sim.url(), DEMO_EMAIL)],
            "one secret per account"
        );
        replies.push(saved);
    }
    // A new run of the app: the account opens from settings + keyring and signs in by itself.
    let h = Harness::new(secrets.clone(), &settings);
    let status = h.ok("get_status", json!({}));
    assert_eq!(status["configured"], true);
    replies.push(status);
    replies.push(h.ok("check_connection", json!({})));
    replies.push(h.ok("dial", dial_args("0506123456781", "9876543210")));
    assert_eq!(
        sim.requests_to("/auth/login").len(),
        3,
        "bad, good, and one after the restart"
    );
    let issued = sim.requests_to("/click_to_call")[0]
        .authorization
        .clone()
        .unwrap();
    replies.push(h.ok("sign_out", json!({})));
    assert!(secrets.keys().is_empty());
    // The session token was ended on the server before it was forgotten.
    let logouts = sim.requests_to("/auth/logout");
    assert_eq!(logouts.len(), 1);
    assert_eq!(
        logouts[0].authorization.as_deref(),
        Some(issued.trim_start_matches("Bearer "))
    );

    // Leak probe: no reply the page saw, and not the settings file, holds a secret.
    let file = std::fs::read_to_string(&settings).unwrap();
    for secret in [DEMO_PASSWORD, issued.trim_start_matches("Bearer ")] {
        for r in &replies {
            assert!(
                !r.to_string().contains(secret),
                "{secret} reached the page: {r}"
            );
        }
        assert!(!file.contains(secret), "{secret} is in the settings file");
    }
}

#[test]
fn an_unreachable_server_saves_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let settings = dir.path().join("settings.json");
    let secrets = Arc::new(MemoryStore::default());
    let h = Harness::new(secrets.clone(), &settings);
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let form = json!({"form": {"provider": "custom", "baseUrl": format!("http://127.0.0.1:{port}/v1"),
                               "signIn": "token", "token": TOKEN}});
    let e = h.err("save_account", form);
    assert_eq!(e["code"], "unreachable");
    assert!(e["message"]
        .as_str()
        .unwrap()
        .contains("Could not reach the server"));
    assert!(secrets.keys().is_empty());
    assert!(
        !settings.exists()
            || !std::fs::read_to_string(&settings)
                .unwrap()
                .contains(&port.to_string())
    );
    assert_eq!(h.ok("get_status", json!({}))["configured"], false);
}

#[test]
fn a_token_that_may_not_list_caller_ids_still_connects() {
    let dir = tempfile::tempdir().unwrap();
    let h = Harness::new(
        Arc::new(MemoryStore::default()),
        &dir.path().join("settings.json"),
    );
    let sim = tauri::async_runtime::block_on(Sim::spawn(Account {
        tokens: vec!["limited".into()],
        restricted_tokens: vec!["limited".into()],
        ..Account::demo()
    }))
    .unwrap();
    let saved = h.ok("save_account", custom(&sim, json!({"token": "limited"})));
    assert_eq!(saved["check"]["agents"], 5);
    assert!(saved["check"]["callerIds"].is_null());
    assert!(saved["check"]["message"]
        .as_str()
        .unwrap()
        .contains("may not list caller IDs"));
    assert_eq!(h.err("list_caller_ids", json!({}))["code"], "forbidden");
    // The agent types a caller ID by hand (or none).
    assert!(h.ok(
        "dial",
        json!({"agent": "0506123456781", "callerId": null, "number": "9876543210"})
    )["refId"]
        .is_string());
}

/// An account that refuses block / unblock: the switch's error says so plainly, with a typed
/// detail the page acts on; an account that allows them changes the agent's status.
#[test]
fn breaks_an_account_refuses_are_said_plainly() {
    for refused in [false, true] {
        let dir = tempfile::tempdir().unwrap();
        let h = Harness::new(
            Arc::new(MemoryStore::default()),
            &dir.path().join("settings.json"),
        );
        let sim = tauri::async_runtime::block_on(Sim::spawn(Account {
            breaks_refused: refused,
            ..Account::demo()
        }))
        .unwrap();
        h.ok("save_account", custom(&sim, json!({"token": DEMO_TOKEN})));
        let args = json!({"agent": "0506123456781", "available": false});
        if refused {
            let e = h.err("set_availability", args);
            assert_eq!(e["code"], "forbidden");
            assert_eq!(e["detail"]["kind"], "breaksNotAllowed");
            assert!(
                e["message"]
                    .as_str()
                    .unwrap()
                    .starts_with("This account does not let"),
                "{e}"
            );
        } else {
            let agents = h.ok("set_availability", args);
            let asha = agents
                .as_array()
                .unwrap()
                .iter()
                .find(|a| a["id"] == "0506123456781")
                .unwrap();
            assert_eq!(asha["status"], "blocked");
        }
        assert_eq!(sim.requests_to("/block").len(), 1);
    }
}

/// An account whose live rows name the agent by their softphone extension, which `/v1/users`
/// leaves out: the window learns it from `/v1/user/{id}` (once) and ties the call, so Hang up
/// is offered; a colleague's call to another customer is not mistaken for it meanwhile.
#[test]
fn a_call_named_by_the_agents_extension_is_ours() {
    let dir = tempfile::tempdir().unwrap();
    let h = Harness::new(
        Arc::new(MemoryStore::default()),
        &dir.path().join("settings.json"),
    );
    let sim = tauri::async_runtime::block_on(Sim::spawn(Account::demo())).unwrap();
    sim.set_shapes(clickdial_sim::Shapes {
        legs: clickdial_sim::Legs::Extension,
        ..clickdial_sim::Shapes::default()
    });
    sim.set_timings(clickdial_sim::CallTimings {
        agent_ring: std::time::Duration::from_millis(200),
        customer_ring: std::time::Duration::from_millis(200),
        talk: std::time::Duration::from_secs(60),
        cdr_delay: std::time::Duration::from_millis(10),
    });
    h.ok("save_account", custom(&sim, json!({"token": DEMO_TOKEN})));
    h.ok("dial", dial_args("0506123456781", "9876543210"));
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(15);
    while h.ok("calls", json!({}))[0]["canHangUp"] != true {
        assert!(
            std::time::Instant::now() < deadline,
            "never tied by the extension"
        );
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
    let call = &h.ok("calls", json!({}))[0];
    assert_eq!(call["callId"], sim.calls()[0].call_id.as_str());
    assert_eq!(call["stage"], "connected");
    let asked = sim.requests_to("/user/314671");
    assert_eq!(asked.len(), 1, "asked once");
}

#[test]
fn preferences_are_validated_and_used() {
    let dir = tempfile::tempdir().unwrap();
    let h = Harness::new(
        Arc::new(MemoryStore::default()),
        &dir.path().join("settings.json"),
    );
    assert_eq!(
        h.err(
            "save_preferences",
            json!({"region": "XX", "callTimeout": null})
        )["code"],
        "invalidInput"
    );
    assert_eq!(
        h.err(
            "save_preferences",
            json!({"region": "IN", "callTimeout": 5})
        )["code"],
        "invalidInput"
    );
    let status = h.ok(
        "save_preferences",
        json!({"region": "us", "callTimeout": 600}),
    );
    assert_eq!(
        (status["region"].clone(), status["callTimeout"].clone()),
        (json!("US"), json!(600))
    );
    let p = h.ok("preview_number", json!({"input": "(415) 555-0123"}));
    assert_eq!(p["e164"], "+14155550123");
    h.ok("start_demo", json!({}));
    h.ok("dial", dial_args("0506123456781", "415 555 0123"));
    let state = h.app.state::<AppState>();
    let session = tauri::async_runtime::block_on(state.session()).unwrap();
    let body = &demo_sim(&session).requests_to("/click_to_call")[0].body;
    assert_eq!(body["destination_number"], "14155550123");
    assert_eq!(body["call_timeout"], 600);
}

/// Issue 25: a global shortcut is taken from the whole desktop, so the save path refuses the
/// system's own (Ctrl+C, Alt+F4, a plain letter) with words for the agent, for both shortcuts;
/// the Hang-up one is off until chosen and may not be the dial one.
#[test]
fn shortcuts_refuse_system_combinations() {
    let dir = tempfile::tempdir().unwrap();
    let h = Harness::new(
        Arc::new(MemoryStore::default()),
        &dir.path().join("settings.json"),
    );
    let status = h.ok("get_status", json!({}));
    assert_eq!(status["hangUpHotkey"], Value::Null, "off by default");
    for (field, combo, words) in [
        ("hotkey", "ctrl+c", "Ctrl+C is for copy"),
        ("hotkey", "F9", "F9 alone"),
        ("hangUpHotkey", "alt+f4", "Alt+F4 is for close a window"),
        ("hangUpHotkey", "ctrl+v", "Ctrl+V is for paste"),
        ("hangUpHotkey", "h", "H alone"),
    ] {
        let e = h.err("save_preferences", json!({"region": "IN", field: combo}));
        assert_eq!(e["code"], "invalidInput", "{field} {combo}");
        let message = e["message"].as_str().unwrap();
        assert!(message.contains(words), "{field} {combo}: {message}");
    }
    let e = h.err(
        "save_preferences",
        json!({"region": "IN", "hangUpHotkey": "ctrl+alt+d"}),
    );
    assert!(e["message"]
        .as_str()
        .unwrap()
        .contains("dials the selection"));
    let status = h.ok(
        "save_preferences",
        json!({"region": "IN", "hotkey": "Ctrl+Alt+K", "hangUpHotkey": "Ctrl+Shift+H"}),
    );
    assert_eq!(status["hotkey"], "ctrl+alt+k");
    assert_eq!(status["hangUpHotkey"], "ctrl+shift+h");
    let status = h.ok(
        "save_preferences",
        json!({"region": "IN", "hangUpHotkey": ""}),
    );
    assert_eq!(status["hangUpHotkey"], Value::Null, "emptied: off again");
}

#[test]
fn corrupt_settings_are_moved_aside_and_secrets_kept() {
    let dir = tempfile::tempdir().unwrap();
    let settings = dir.path().join("settings.json");
    std::fs::write(&settings, "{ this is not json").unwrap();
    let secrets = Arc::new(MemoryStore::default());
    secrets.set(LEGACY_TOKEN_KEY, &Secret::new(TOKEN)).unwrap();

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
        secrets.get(LEGACY_TOKEN_KEY).unwrap().is_some(),
        "secrets untouched"
    );
}

#[test]
fn a_damaged_call_history_is_found_after_start_and_replaced() {
    use clickdial_services::ledger::{Finish, Ledger, NewCall, Source, LEDGER_FILE};
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join(LEDGER_FILE);
    {
        let (ledger, _) = Ledger::open(&path).unwrap();
        for i in 0..200 {
            let e164 = format!("+9198765{i:05}");
            let call = NewCall {
                account: "acme",
                e164: &e164,
                ext: None,
                agent: "1001",
                caller_id: None,
                source: Source::Window,
                custom_identifier: "clickdial-test",
            };
            let id = ledger.begin(&call, 1_764_000_000_000 + i * 10_000).unwrap();
            let done = Finish::Queued {
                ref_id: None,
                call_id: None,
                message: "queued",
            };
            ledger
                .finish(id, done, 1_764_000_000_001 + i * 10_000)
                .unwrap();
        }
    }
    let mut bytes = std::fs::read(&path).unwrap();
    for b in &mut bytes[4096..] {
        *b = 0xA5;
    }
    std::fs::write(&path, &bytes).unwrap();

    // The window opens at once; the check runs behind it and tells the window.
    let h = Harness::new(
        Arc::new(MemoryStore::default()),
        &dir.path().join("settings.json"),
    );
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    let notice = loop {
        if let Some(n) = h.ok("get_status", json!({}))["notice"].as_str() {
            break n.to_string();
        }
        assert!(std::time::Instant::now() < deadline, "no notice");
        std::thread::sleep(std::time::Duration::from_millis(20));
    };
    assert!(
        notice.starts_with("Your call history could not be read"),
        "{notice}"
    );
    let kept: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .filter_map(|e| e.ok())
        .filter(|e| e.file_name().to_string_lossy().contains(".corrupt-"))
        .map(|e| e.path())
        .filter(|p| std::fs::read(p).map(|b| b == bytes).unwrap_or(false))
        .collect();
    assert_eq!(kept.len(), 1, "the damaged file is kept as it was");
    let history = h.ok("history", json!({}));
    assert_eq!(history.as_array().map(Vec::len), Some(0), "{history}");
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
    assert_eq!(conf["identifier"], clickdial_services::IDENTIFIER);
}

/// Closing the window to the tray destroys the page; the typed number waits in the app for the
/// next one, cut to a sane length, and in memory only.
#[test]
fn the_typed_number_outlives_the_page() {
    let dir = tempfile::tempdir().unwrap();
    let settings = dir.path().join("settings.json");
    let h = Harness::new(Arc::new(MemoryStore::default()), &settings);
    assert_eq!(h.ok("get_status", json!({}))["draft"], "");
    h.ok("keep_draft", json!({"text": "98765 43210"}));
    assert_eq!(h.ok("get_status", json!({}))["draft"], "98765 43210");
    h.ok("keep_draft", json!({"text": "9".repeat(5000)}));
    assert_eq!(h.ok("get_status", json!({}))["draft"], "9".repeat(200));
    h.ok("keep_draft", json!({"text": ""}));
    assert_eq!(h.ok("get_status", json!({}))["draft"], "");
    h.ok("keep_draft", json!({"text": "98765 43210"}));
    let on_disk: String = std::fs::read_dir(dir.path())
        .unwrap()
        .filter_map(|e| std::fs::read(e.unwrap().path()).ok())
        .map(|b| String::from_utf8_lossy(&b).into_owned())
        .collect();
    assert!(
        !on_disk.contains("98765 43210"),
        "the draft is never written"
    );
}

#[test]
fn the_page_offers_the_same_provider_presets() {
    let ui = include_str!("../ui/backend.js");
    for p in clickdial_core::settings::PROVIDERS {
        assert!(
            ui.contains(&format!(
                "id: '{}', name: '{}', baseUrl: '{}'",
                p.id, p.name, p.base_url
            )),
            "ui/backend.js lacks the {} preset",
            p.name
        );
    }
}

/// Issue 6, defect 1: signing in to another account from another process (`clickdial login`
/// runs the same `Accounts::connect`) while the window is open. The window must follow it, never
/// send one account's token to the other's server, and never write its stale copy back.
#[test]
fn another_process_sign_in_is_followed_and_never_undone() {
    use clickdial_services::accounts::{AccountForm, Accounts};
    use clickdial_services::settings_file::SettingsFile;

    let dir = tempfile::tempdir().unwrap();
    let settings = dir.path().join("settings.json");
    let secrets = Arc::new(MemoryStore::default());
    let account = |token: &str| Account {
        tokens: vec![token.to_string()],
        ..Account::demo()
    };
    let sim_a = tauri::async_runtime::block_on(Sim::spawn(account("tok-A"))).unwrap();
    let sim_b = tauri::async_runtime::block_on(Sim::spawn(account("tok-B"))).unwrap();

    let h = Harness::new(secrets.clone(), &settings);
    h.ok("save_account", custom(&sim_a, json!({"token": "tok-A"})));
    h.ok("dial", dial_args("0506123456781", "9876543210"));

    // "clickdial login" for B, from another process's point of view.
    let cli = Accounts::new(SettingsFile::new(&settings), secrets.clone());
    let form: AccountForm = serde_json::from_value(
        json!({"provider": "custom", "baseUrl": sim_b.url(), "signIn": "token", "token": "tok-B"}),
    )
    .unwrap();
    tauri::async_runtime::block_on(cli.connect(form)).unwrap();
    assert_eq!(
        secrets.keys(),
        [token_entry(&sim_b.url())],
        "A's secret is gone"
    );

    // The window follows: its next dial goes to B with B's token.
    let status = h.ok("get_status", json!({}));
    assert_eq!(status["baseUrl"], sim_b.url());
    h.ok("dial", dial_args("0506123456781", "9876543211"));
    let to_b = sim_b.requests_to("/click_to_call");
    assert_eq!(to_b.len(), 1);
    assert_eq!(to_b[0].authorization.as_deref(), Some("Bearer tok-B"));
    assert!(sim_a
        .requests()
        .iter()
        .all(|r| r.authorization.as_deref() != Some("Bearer tok-B")));
    assert_eq!(
        sim_a.requests_to("/click_to_call").len(),
        1,
        "only the first dial"
    );

    // A Save in the window and the window closing write nothing stale back.
    h.ok(
        "save_preferences",
        json!({"region": "IN", "callTimeout": 600}),
    );
    drop(h);
    let file: Value = serde_json::from_str(&std::fs::read_to_string(&settings).unwrap()).unwrap();
    assert_eq!(file["settings"]["baseUrl"], sim_b.url());
    assert_eq!(file["settings"]["callTimeout"], 600);
}

/// Issue 6, defect 5: `Retry-After: 18446744073709551615` overflowed and the IPC promise never
/// settled. Now the page gets an error, and the next dial works.
#[test]
fn an_absurd_retry_after_is_an_error_and_the_window_keeps_dialling() {
    let dir = tempfile::tempdir().unwrap();
    let h = Harness::new(
        Arc::new(MemoryStore::default()),
        &dir.path().join("settings.json"),
    );
    h.ok("start_demo", json!({}));
    let state = h.app.state::<AppState>();
    let session = tauri::async_runtime::block_on(state.session()).unwrap();
    let sim = demo_sim(&session);
    sim.inject(
        clickdial_sim::Fault::respond(429, r#"{"success":false,"message":"slow down"}"#)
            .on("/click_to_call")
            .header("Retry-After", "18446744073709551615"),
    );
    let e = h.err("dial", dial_args("0506123456781", "9876543210"));
    assert_eq!(e["code"], "rateLimited");
    assert!(
        e["message"].as_str().unwrap().contains("Try again in 24 h"),
        "{e}"
    );
    // Refused by the server: nothing was placed, so the same number may be dialled at once.
    h.ok("dial", dial_args("0506123456781", "9876543210"));
    assert_eq!(sim.requests_to("/click_to_call").len(), 2);
}

/// Issue 6, defect 2: the duplicate guard holds across processes. The window dials a number;
/// the CLI, dialling the same server a moment later, is refused with exit code 6 and sends
/// nothing.
#[test]
fn the_window_and_the_cli_share_one_guard() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data").join(clickdial_services::IDENTIFIER);
    std::fs::create_dir_all(&data).unwrap();
    let h = Harness::new(
        Arc::new(MemoryStore::default()),
        &data.join("settings.json"),
    );
    h.ok("start_demo", json!({}));
    h.ok("dial", dial_args("0506123456781", "9876543210"));
    let state = h.app.state::<AppState>();
    let session = tauri::async_runtime::block_on(state.session()).unwrap();
    let sim = demo_sim(&session);

    // The CLI on this data folder (Windows reads no HOME or XDG variable: the portable
    // override names the same folder there).
    let cli = |args: &[&str]| {
        let mut c = std::process::Command::new(env!("CARGO_BIN_EXE_clickdial"));
        c.args(args)
            .env("HOME", dir.path())
            .env("XDG_DATA_HOME", dir.path().join("data"))
            .env("CLICKDIAL_BASE_URL", sim.url())
            .env("CLICKDIAL_TOKEN", clickdial_sim::DEMO_TOKEN);
        #[cfg(windows)]
        c.env(clickdial_services::DATA_DIR_VAR, &data);
        c.output().unwrap()
    };
    let out = cli(&["call", "+91 98765 43210", "--agent", "0506123456781"]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(6), "{stderr}");
    assert!(
        stderr.contains("Already dialled +91 98765 43210"),
        "{stderr}"
    );
    assert_eq!(sim.requests_to("/click_to_call").len(), 1);
    // And the other way round: the window refuses what the CLI just placed.
    let out = cli(&["call", "98765 43299", "--agent", "0506123456782"]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let e = h.err("dial", dial_args("0506123456783", "9876543299"));
    assert_eq!(e["code"], "busy");
    assert_eq!(sim.requests_to("/click_to_call").len(), 2);
}

/// A dial that starts in Rust (a `tel:` link on a cold start, later the tray or the hotkey)
/// works before the page has asked for anything: the saved account opens on demand.
#[test]
fn a_rust_side_dial_needs_nothing_from_the_page() {
    use clickdial_services::dialer::DialInput;
    use clickdial_services::ledger::{CallState, Source};

    let dir = tempfile::tempdir().unwrap();
    let settings = dir.path().join("settings.json");
    let secrets = Arc::new(MemoryStore::default());
    let sim = tauri::async_runtime::block_on(Sim::spawn(Account {
        tokens: vec![TOKEN.to_string()],
        ..Account::demo()
    }))
    .unwrap();
    Harness::new(secrets.clone(), &settings)
        .ok("save_account", custom(&sim, json!({"token": TOKEN})));

    // A new run of the app; the page never calls get_status.
    let h = Harness::new(secrets, &settings);
    let state = h.app.state::<AppState>();
    let input = DialInput {
        caller_id: Some("+91 80650 00101".into()),
        ..DialInput::new("tel:+91-98765-43210", "0506123456781", Source::Link)
    };
    let out = tauri::async_runtime::block_on(state.dial(input)).unwrap();
    assert_eq!(out.e164, "+919876543210");
    let reqs = sim.requests_to("/click_to_call");
    assert_eq!(reqs.len(), 1);
    assert_eq!(
        reqs[0].authorization.as_deref(),
        Some(format!("Bearer {TOKEN}").as_str())
    );
    let row = state
        .dialer()
        .unwrap()
        .ledger()
        .get(out.call, 0)
        .unwrap()
        .unwrap();
    assert_eq!((row.source, row.state), (Source::Link, CallState::Queued));
}

/// Waits until the link handed to the app (on the async runtime) shows on the sheet.
fn sheet(h: &Harness) -> Value {
    for _ in 0..200 {
        let s = h.ok("link_state", json!({}));
        if !s["request"].is_null() {
            return s["request"].clone();
        }
        std::thread::sleep(std::time::Duration::from_millis(10));
    }
    panic!("no request reached the sheet");
}

fn confirm(h: &Harness, id: &Value, agent: &str) -> Result<Value, Value> {
    h.invoke(
        "confirm_link",
        json!({"id": id, "agent": agent, "callerId": "918065000102"}),
    )
}

/// Issue 7: a link that starts the app cold waits on the sheet with its number, before any
/// account exists ("Connect an account to dial…", the number kept); confirming then dials it
/// once, with the agent and caller ID chosen on the sheet; the same link again is refused by
/// the ledger's guard; Cancel and an invalid link send nothing.
#[test]
fn a_link_waits_on_the_sheet_and_dials_once_when_confirmed() {
    let dir = tempfile::tempdir().unwrap();
    let h = Harness::started_with(
        Arc::new(MemoryStore::default()),
        &dir.path().join("settings.json"),
        Some("tel:+91-98765-43210"),
    );
    let request = sheet(&h);
    assert_eq!(request["number"]["international"], "+91 98765 43210");
    assert_eq!(request["number"]["region"], "IN");
    assert_eq!(request["number"]["kind"], "mobile");
    assert_eq!(request["source"], "link");
    assert_eq!(request["count"], 1);
    // No account yet: refused, and the number stays on the sheet.
    let e = confirm(&h, &request["id"], "0506123456781").unwrap_err();
    assert_eq!(e["code"], "notConfigured");
    assert_eq!(sheet(&h)["id"], request["id"]);

    h.ok("start_demo", json!({}));
    let state = h.app.state::<AppState>();
    let session = tauri::async_runtime::block_on(state.session()).unwrap();
    let sim = demo_sim(&session);
    let out = confirm(&h, &request["id"], "0506123456782").unwrap();
    assert_eq!(out["international"], "+91 98765 43210");
    let dials = sim.requests_to("/click_to_call");
    assert_eq!(dials.len(), 1);
    assert_eq!(dials[0].body["agent_number"], "0506123456782");
    assert_eq!(dials[0].body["caller_id"], "918065000102");
    assert!(h.ok("link_state", json!({}))["request"].is_null());
    assert!(
        confirm(&h, &request["id"], "0506123456782").is_err(),
        "not twice"
    );

    // The same link again, from a second process: the guard refuses, nothing is sent.
    clickdial_app::links::from_second_instance(
        h.app.handle(),
        vec!["clickdial".into(), "tel:+919876543210".into()],
    );
    let again = sheet(&h);
    assert_ne!(again["id"], request["id"]);
    let e = confirm(&h, &again["id"], "0506123456781").unwrap_err();
    assert_eq!(e["code"], "busy");
    assert!(e["message"]
        .as_str()
        .unwrap()
        .contains("Already dialled +91 98765 43210"));
    assert_eq!(sim.requests_to("/click_to_call").len(), 1);

    // Cancel sends nothing.
    clickdial_app::links::deliver(
        h.app.handle(),
        "callto://+14155550100".into(),
        clickdial_services::ledger::Source::Link,
    );
    let cancelled = sheet(&h);
    assert_eq!(cancelled["number"]["region"], "US");
    assert_eq!(h.ok("dismiss_link", json!({"id": cancelled["id"]})), true);
    assert!(confirm(&h, &cancelled["id"], "0506123456781").is_err());

    // An invalid link explains itself and can never be confirmed.
    clickdial_app::links::deliver(
        h.app.handle(),
        "tel:+91-98765-abcde".into(),
        clickdial_services::ledger::Source::Link,
    );
    let invalid = sheet(&h);
    assert!(invalid["number"].is_null());
    assert!(invalid["problem"].as_str().unwrap().contains("has letters"));
    assert_eq!(
        confirm(&h, &invalid["id"], "0506123456781").unwrap_err()["code"],
        "invalidNumber"
    );
    assert_eq!(sim.requests_to("/click_to_call").len(), 1);
}

/// With "dial links without asking" on (off by default), a saved account and a remembered
/// agent, a lone link dials at once, through the guard; a flood of 20 links dials at most the
/// first and leaves one sheet with the latest number and the count.
/// Issue 9: dials that nobody typed into the page (links, the tray, the shortcut) go as "me";
/// a supervisor who chooses the agent for each call gets the one used last; never a guess.
#[test]
fn the_default_agent_is_me_or_for_supervisors_the_last_one() {
    let dir = tempfile::tempdir().unwrap();
    let sim = tauri::async_runtime::block_on(Sim::spawn(Account {
        tokens: vec![TOKEN.to_string()],
        ..Account::demo()
    }))
    .unwrap();
    let h = Harness::new(
        Arc::new(MemoryStore::default()),
        &dir.path().join("settings.json"),
    );
    h.ok("save_account", custom(&sim, json!({"token": TOKEN})));
    let state = h.app.state::<AppState>();
    // The agent used last (by another process, or before a restart) is not a guess worth a
    // call. (Within a session, the tray follows the window's own last dial.)
    clickdial_services::settings_file::SettingsFile::new(dir.path().join("settings.json"))
        .update(|s| {
            s.last_agent = Some("0506123456782".into());
            s.last_caller_by_agent
                .insert("0506123456782".into(), "918065000101".into());
        })
        .unwrap();
    assert_eq!(state.picks().agent, None);

    let status = h.ok(
        "save_preferences",
        json!({"region": "IN", "chooseAgentEachCall": true}),
    );
    assert_eq!(status["chooseAgentEachCall"], true);
    assert_eq!(state.picks().agent.as_deref(), Some("0506123456782"));
    assert_eq!(state.picks().caller_id.as_deref(), Some("918065000101"));

    h.ok(
        "save_preferences",
        json!({"region": "IN", "chooseAgentEachCall": false}),
    );
    let status = h.ok("set_me", json!({"agent": "0506123456781"}));
    assert_eq!(status["me"], "0506123456781");
    assert_eq!(state.picks().agent.as_deref(), Some("0506123456781"));
    // Forgotten (Change in the window), the window asks again.
    assert_eq!(h.ok("set_me", json!({"agent": null}))["me"], Value::Null);
    assert_eq!(state.picks().agent, None);
}

#[test]
fn trusted_links_dial_alone_but_a_flood_waits_on_one_sheet() {
    let dir = tempfile::tempdir().unwrap();
    let settings = dir.path().join("settings.json");
    let sim = tauri::async_runtime::block_on(Sim::spawn(Account {
        tokens: vec![TOKEN.to_string()],
        ..Account::demo()
    }))
    .unwrap();
    let h = Harness::new(Arc::new(MemoryStore::default()), &settings);
    h.ok("save_account", custom(&sim, json!({"token": TOKEN})));
    let status = h.ok("get_status", json!({}));
    assert_eq!(status["linksWithoutAsking"], false);

    // Off: the link asks, even with an agent remembered. (Another agent dials here: the one
    // who will be trusted below must not be on a call then.)
    h.ok("dial", dial_args("0506123456781", "9876500001"));
    clickdial_app::links::deliver(
        h.app.handle(),
        "tel:+919876500002".into(),
        clickdial_services::ledger::Source::Link,
    );
    let asked = sheet(&h);
    h.ok("dismiss_link", json!({"id": asked["id"]}));
    assert_eq!(sim.requests_to("/click_to_call").len(), 1);

    let status = h.ok(
        "save_preferences",
        json!({"region": "IN", "callTimeout": null, "linksWithoutAsking": true}),
    );
    assert_eq!(status["linksWithoutAsking"], true);
    std::thread::sleep(clickdial_services::links::FLOOD_WINDOW);
    let state = h.app.state::<AppState>();
    // Trusted, but nobody has said who they are: the agent last used is not a guess worth a
    // call, so the link waits on the sheet.
    assert_eq!(status["me"], Value::Null);
    tauri::async_runtime::block_on(state.receive(
        "tel:+91-98765-00004",
        clickdial_services::ledger::Source::Link,
    ));
    let waiting = sheet(&h);
    h.ok("dismiss_link", json!({"id": waiting["id"]}));
    assert_eq!(sim.requests_to("/click_to_call").len(), 1);
    assert_eq!(
        h.err("set_me", json!({"agent": "05 06"}))["code"],
        "invalidInput"
    );
    let status = h.ok("set_me", json!({"agent": "0506123456782"}));
    assert_eq!(status["me"], "0506123456782");
    std::thread::sleep(clickdial_services::links::FLOOD_WINDOW);
    tauri::async_runtime::block_on(state.receive(
        "tel:+91-98765-00003",
        clickdial_services::ledger::Source::Link,
    ));
    let dials = sim.requests_to("/click_to_call");
    assert_eq!(dials.len(), 2, "a lone trusted link dials at once");
    assert_eq!(dials[1].body["destination_number"], "919876500003");
    assert_eq!(dials[1].body["agent_number"], "0506123456782");
    let s = h.ok("link_state", json!({}));
    assert!(s["request"].is_null());
    assert_eq!(s["dialled"]["outcome"]["international"], "+91 98765 00003");
    assert!(
        h.ok("link_state", json!({}))["dialled"].is_null(),
        "given once"
    );

    std::thread::sleep(clickdial_services::links::FLOOD_WINDOW);
    for i in 10..30 {
        tauri::async_runtime::block_on(state.receive(
            &format!("tel:+9198765000{i}"),
            clickdial_services::ledger::Source::Link,
        ));
    }
    assert_eq!(
        sim.requests_to("/click_to_call").len(),
        2,
        "a link was dialled without asking moments ago: the flood dials nothing"
    );
    let flood = sheet(&h);
    assert_eq!(flood["count"], 20);
    assert_eq!(flood["number"]["e164"], "+919876500029");
}

/// Issue 10: the hotkey (an injected selection) and the tray's items reach the same sheet and
/// the same dial service as links; the ledger records where each dial came from; the tray's
/// menu is built from the app's state (clipboard, recent calls, lists, the picks).
#[test]
fn the_hotkey_and_the_tray_go_through_the_sheet_and_the_guard() {
    use clickdial_services::ledger::Source;
    use clickdial_services::tray::{menu, tooltip, Item};

    let dir = tempfile::tempdir().unwrap();
    let h = Harness::new(
        Arc::new(MemoryStore::default()),
        &dir.path().join("settings.json"),
    );
    h.ok("start_demo", json!({}));
    let state = h.app.state::<AppState>();
    let session = tauri::async_runtime::block_on(state.session()).unwrap();
    let sim = demo_sim(&session);

    clickdial_app::links::deliver(h.app.handle(), " 098765 43210 \n".into(), Source::Hotkey);
    let selected = sheet(&h);
    assert_eq!(selected["source"], "hotkey");
    assert_eq!(selected["number"]["international"], "+91 98765 43210");
    let out = confirm(&h, &selected["id"], "0506123456781").unwrap();
    let row = state
        .dialer()
        .unwrap()
        .ledger()
        .get(out["call"].as_i64().unwrap(), 0)
        .unwrap()
        .unwrap();
    assert_eq!(row.source, Source::Hotkey);

    // The tray's recent number, at once: the guard refuses the repeat.
    clickdial_app::links::deliver(h.app.handle(), "+919876543210".into(), Source::Tray);
    let recent = sheet(&h);
    assert_eq!(recent["source"], "tray");
    assert_eq!(
        confirm(&h, &recent["id"], "0506123456781").unwrap_err()["code"],
        "busy"
    );
    assert_eq!(sim.requests_to("/click_to_call").len(), 1);

    // Text with no number never reaches the dialler.
    clickdial_app::links::deliver(h.app.handle(), "Dear Rahul".into(), Source::Hotkey);
    let none = sheet(&h);
    assert!(none["problem"].as_str().unwrap().contains("has letters"));
    h.ok("dismiss_link", json!({"id": none["id"]}));

    // The menu follows the state: the window's last dial is the tray's pick until the tray
    // chooses another agent. It shows the lists already loaded (the dial above loaded the
    // agents, to know how live rows name its agent), and never loads them itself (no request
    // while the agent is idle).
    let lists = || sim.requests_to("/users").len() + sim.requests_to("/my_number").len();
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    while sim.requests_to("/users").is_empty() {
        assert!(
            std::time::Instant::now() < deadline,
            "the dial never learnt its agent"
        );
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    let before = lists();
    let _ = tauri::async_runtime::block_on(state.tray_state());
    assert_eq!(lists(), before);
    h.ok("list_agents", json!({}));
    h.ok("list_caller_ids", json!({}));
    let picks = tauri::async_runtime::block_on(state.choose(Some("0506123456783".into()), None));
    assert_eq!(picks.agent.as_deref(), Some("0506123456783"));
    // The tray's agent is who you are: the window shows "You: Meera Iyer" from now on.
    assert_eq!(h.ok("get_status", json!({}))["me"], "0506123456783");
    let tray = tauri::async_runtime::block_on(state.tray_state());
    // The clipboard is never polled: the item offers to dial what it will find.
    assert_eq!(tray.clipboard, clickdial_services::tray::Clip::Unread);
    let tray = clickdial_services::tray::TrayState {
        clipboard: clickdial_services::tray::Clip::Read(Some("+91 98765 43211".into())),
        ..tray
    };
    let items = menu(&tray);
    // The hotkey's call is still live (the demo's calls ring for seconds): Hang up comes first.
    assert!(
        matches!(&items[0], Item::Action { label, .. } if label.starts_with("Hang up +91 98765 43210 (")),
        "{:?}",
        items[0]
    );
    assert!(
        matches!(&items[2], Item::Action { label, enabled: true, .. } if label == "Dial clipboard: +91 98765 43211")
    );
    assert_eq!(
        tray.recent.first().map(String::as_str),
        Some("+919876543210")
    );
    assert_eq!(tray.agents.len(), 5);
    assert!(
        tooltip(&tray).starts_with("Clickdial: +91 98765 43210, "),
        "{}",
        tooltip(&tray)
    );
    let idle = clickdial_services::tray::TrayState {
        live_call: None,
        ..tray
    };
    assert_eq!(tooltip(&idle), "Clickdial: Meera Iyer");
}

/// History through IPC: every call, its number for people, a search by digits; the retention
/// setting deletes what is older; the followed calls and Hang up without a live call.
#[test]
fn history_retention_and_following_through_ipc() {
    let dir = tempfile::tempdir().unwrap();
    let h = Harness::new(
        Arc::new(MemoryStore::default()),
        &dir.path().join("settings.json"),
    );
    // A call from 200 days ago: kept by default (a year), gone when 30 days are kept.
    let state = h.app.state::<AppState>();
    let ledger = state.dialer().unwrap().ledger().clone();
    let old_ms = clickdial_services::ledger::wall_clock_ms() - 200 * 86_400_000;
    let old = ledger
        .begin(
            &clickdial_services::ledger::NewCall {
                // The demo's history, where the test lists it.
                account: "demo x",
                e164: "+919876500000",
                ext: None,
                agent: "0506123456781",
                caller_id: None,
                source: clickdial_services::ledger::Source::Cli,
                custom_identifier: "old",
            },
            old_ms,
        )
        .unwrap();
    ledger
        .finish(
            old,
            clickdial_services::ledger::Finish::NotPlaced { reason: "test" },
            old_ms,
        )
        .unwrap();

    h.ok("start_demo", json!({}));
    h.ok("dial", dial_args("0506123456781", "98765 43210"));
    h.ok("dial", dial_args("0506123456782", "98765 11111"));

    let rows = h.ok("history", json!({}));
    let rows = rows.as_array().unwrap();
    assert_eq!(rows.len(), 3);
    assert_eq!(rows[0]["international"], "+91 98765 11111");
    assert_eq!(rows[0]["state"], "queued");
    assert_eq!(rows[0]["source"], "window");
    let found = h.ok("history", json!({"text": "432-10"}));
    assert_eq!(found.as_array().unwrap().len(), 1);
    assert_eq!(found[0]["e164"], "+919876543210");
    let that_day = h.ok(
        "history",
        json!({"sinceMs": old_ms - 1000, "untilMs": old_ms + 1000}),
    );
    assert_eq!(that_day.as_array().unwrap().len(), 1);
    assert_eq!(that_day[0]["e164"], "+919876500000");
    let paged = h.ok("history", json!({"beforeId": rows[0]["id"], "limit": 1}));
    assert_eq!(paged[0]["id"], rows[1]["id"]);

    let status = h.ok("get_status", json!({}));
    assert_eq!(status["historyDays"], 365);
    assert_eq!(
        status["notify"], false,
        "off by default: the phone rings anyway"
    );
    // Desktop notifications are Linux's here (notify-send's service); not on Windows.
    assert_eq!(status["notifySupported"], cfg!(target_os = "linux"));
    assert_eq!(
        h.err(
            "save_preferences",
            json!({"region": "IN", "historyDays": 99999})
        )["code"],
        "invalidInput"
    );
    h.ok(
        "save_preferences",
        json!({"region": "IN", "historyDays": 30}),
    );
    assert_eq!(
        h.ok("history", json!({})).as_array().unwrap().len(),
        2,
        "the old call went"
    );
    assert_eq!(h.ok("get_status", json!({}))["historyDays"], 30);

    // Both calls are being followed; the newest first. Not listed yet: no hang-up.
    let calls = h.ok("calls", json!({}));
    assert_eq!(calls.as_array().unwrap().len(), 2);
    assert_eq!(calls[0]["international"], "+91 98765 11111");
    assert_eq!(calls[0]["stage"], "queued");
    let e = h.err("hang_up", json!({"id": calls[0]["id"]}));
    assert_eq!(e["code"], "invalidInput");
    assert!(
        e["message"]
            .as_str()
            .unwrap()
            .contains("still being set up"),
        "{e}"
    );

    // Once listed (the demo rings the agent for 3 s), the tray's Hang up ends the newest live
    // call through the follower: one request, with that call's live id.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(15);
    while h.ok("calls", json!({}))[0]["canHangUp"] != true {
        assert!(std::time::Instant::now() < deadline, "never listed");
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
    let session = tauri::async_runtime::block_on(state.session()).unwrap();
    let sim = demo_sim(&session);
    // While that call is live, its agent is not rung for another number: refused with the
    // call named, as data the page can act on, and nothing sent.
    let dials = sim.requests_to("/click_to_call").len();
    let agent = h.ok("calls", json!({}))[0]["agent"]
        .as_str()
        .unwrap()
        .to_string();
    let e = h.err("dial", dial_args(&agent, "9876522222"));
    assert_eq!(e["code"], "busy", "{e}");
    assert_eq!(e["detail"]["kind"], "agentBusy", "{e}");
    assert_eq!(e["detail"]["number"], "+91 98765 11111", "{e}");
    // The same from the confirm sheet (a link, the tray's recent numbers, the hotkey): one
    // rule for every entry point.
    use clickdial_services::ledger::Source;
    for (source, text) in [
        (Source::Link, "tel:+919876522222"),
        (Source::Tray, "+91 98765 22222"),
        (Source::Hotkey, "98765 22222"),
    ] {
        clickdial_app::links::deliver(h.app.handle(), text.into(), source);
        let asked = sheet(&h);
        let e = confirm(&h, &asked["id"], &agent).unwrap_err();
        assert_eq!(e["detail"]["kind"], "agentBusy", "{source:?}: {e}");
        let _ = h.invoke("dismiss_link", json!({"id": asked["id"]}));
    }
    assert_eq!(sim.requests_to("/click_to_call").len(), dials);
    assert!(sim.requests_to("/call/hangup").is_empty());
    clickdial_app::tray::on_menu(h.app.handle(), "hang-up");
    while sim.requests_to("/call/hangup").is_empty() {
        assert!(std::time::Instant::now() < deadline, "no hang-up sent");
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    let sent = sim.requests_to("/call/hangup");
    let live = sim.calls();
    let newest = live
        .iter()
        .find(|c| c.customer.ends_with("9876511111"))
        .expect("the newest call");
    assert_eq!(sent.len(), 1);
    assert_eq!(sent[0].body["call_id"], newest.call_id.as_str());
}

#[path = "shell/history.rs"]
mod history;

#[path = "shell/wrapup.rs"]
mod wrapup;
