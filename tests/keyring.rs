//! The real OS keyring (Secret Service). Ignored in a plain `cargo test`: scripts/test.sh runs
//! these with `--ignored --test-threads=1` (they share the keyring and the settings file)
//! inside a private D-Bus session with a fresh HOME and an unlocked gnome-keyring. That session
//! bus also carries the desktop notification test. On Windows the same tests run against the
//! Credential Manager, under wine in a fresh prefix (scripts/test-windows.sh).

use std::io::Write;
use std::process::{Command, Stdio};

use clickdial_core::Secret;
use clickdial_services::secrets::{KeyringStore, SecretStore, LEGACY_TOKEN_KEY};
use clickdial_services::settings_file::{SettingsFile, SETTINGS_FILE};

use clickdial_testkit::{password_entry, token_entry};

fn settings_file() -> SettingsFile {
    SettingsFile::new(clickdial_services::data_dir().unwrap().join(SETTINGS_FILE))
}

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
fn cli_uses_the_token_the_app_saved_and_migrates_the_unbound_entry() {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let sim = rt
        .block_on(clickdial_sim::Sim::spawn(clickdial_sim::Account {
            tokens: vec!["tok-from-keyring-9".into()],
            ..clickdial_sim::Account::demo()
        }))
        .unwrap();
    let store = KeyringStore::new();
    // Saved by an earlier version, under the name that was not bound to a server.
    store
        .set(LEGACY_TOKEN_KEY, &Secret::new("tok-from-keyring-9"))
        .unwrap();
    let file = settings_file();
    file.update(|s| {
        s.provider = Some("custom".into());
        s.base_url = Some(sim.url());
    })
    .unwrap();
    let run = |base_url: Option<&str>| {
        let mut c = Command::new(env!("CARGO_BIN_EXE_clickdial"));
        c.env_remove("CLICKDIAL_TOKEN")
            .env_remove("CLICKDIAL_BASE_URL")
            .args(["call", "9876543210", "--agent", "0506123456781"]);
        if let Some(url) = base_url {
            c.env("CLICKDIAL_BASE_URL", url);
        }
        c.output().unwrap()
    };
    // The saved token never goes to another server named in the environment.
    let elsewhere = run(Some("http://127.0.0.1:9/v1"));
    assert_eq!(elsewhere.status.code(), Some(3));
    assert!(String::from_utf8_lossy(&elsewhere.stderr).contains("not the saved account's server"));
    let out = run(None);
    assert_eq!(
        store.get(&token_entry(&sim.url())).unwrap(),
        Some(Secret::new("tok-from-keyring-9")),
        "migrated to the entry bound to its server"
    );
    assert_eq!(store.get(LEGACY_TOKEN_KEY).unwrap(), None);
    store.delete(&token_entry(&sim.url())).unwrap();
    std::fs::remove_file(file.path()).unwrap();
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

/// Runs the CLI with `stdin` and returns (exit code, stdout + stderr).
fn clickdial(args: &[&str], stdin: &str) -> (i32, String) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_clickdial"))
        .env_remove("CLICKDIAL_TOKEN")
        .env_remove("CLICKDIAL_BASE_URL")
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(stdin.as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    (out.status.code().unwrap_or(-1), text)
}

#[test]
#[ignore = "needs a Secret Service; scripts/test.sh provides one"]
fn cli_login_whoami_call_logout_with_token_and_with_password() {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let sim = rt
        .block_on(clickdial_sim::Sim::spawn(clickdial_sim::Account {
            tokens: vec!["tok-cli-login-5".into()],
            ..clickdial_sim::Account::demo()
        }))
        .unwrap();
    let url = sim.url();
    let store = KeyringStore::new();
    let mut transcript = String::new();
    let mut step = |args: &[&str], stdin: &str, want: i32| {
        let (code, out) = clickdial(args, stdin);
        assert_eq!(code, want, "clickdial {args:?}: {out}");
        transcript.push_str(&out);
        out
    };

    let out = step(
        &["login", "--base-url", &url, "--token-stdin"],
        "Bearer tok-cli-login-5\n",
        0,
    );
    assert!(
        out.contains("Connected: 5 agents and 2 caller IDs found."),
        "{out}"
    );
    assert_eq!(
        store.get(&token_entry(&url)).unwrap(),
        Some(Secret::new("tok-cli-login-5"))
    );
    let out = step(&["whoami"], "", 0);
    assert!(
        out.contains("Configured: yes") && out.contains("Sign-in:    API token"),
        "{out}"
    );
    step(&["call", "9876543210", "--agent", "0506123456781"], "", 0);

    let out = step(
        &[
            "login",
            "--base-url",
            &url,
            "--email",
            clickdial_sim::DEMO_EMAIL,
            "--password-stdin",
        ],
        &format!("{}\n", clickdial_sim::DEMO_PASSWORD),
        0,
    );
    assert!(out.contains("Signed in"), "{out}");
    assert!(
        store.get(&token_entry(&url)).unwrap().is_none(),
        "one secret per account"
    );
    let out = step(&["whoami", "--json"], "", 0);
    let v: serde_json::Value = serde_json::from_str(out.lines().next().unwrap()).unwrap();
    assert_eq!(v["signIn"], "password");
    assert_eq!(v["email"], clickdial_sim::DEMO_EMAIL);
    assert_eq!(v["configured"], true);
    step(&["call", "9876543211", "--agent", "0506123456781"], "", 0);
    assert!(sim.requests_to("/click_to_call")[1]
        .authorization
        .as_deref()
        .is_some_and(|a| a.starts_with("Bearer st-")));

    step(&["logout"], "", 0);
    assert!(store
        .get(&password_entry(&url, clickdial_sim::DEMO_EMAIL))
        .unwrap()
        .is_none());
    let out = step(&["logout"], "", 0);
    assert!(out.contains("nothing to sign out of"), "{out}");
    let out = step(&["whoami"], "", 0);
    assert!(out.contains("Configured: no"), "{out}");
    step(&["call", "9876543212", "--agent", "0506123456781"], "", 3);

    for secret in ["tok-cli-login-5", clickdial_sim::DEMO_PASSWORD] {
        assert!(!transcript.contains(secret), "{secret} was printed");
    }
}

/// Drives `clickdial login` at a real terminal (tmux), answering each prompt when it appears.
/// Not on Windows: tmux is a Unix terminal (docs/WINDOWS.md lists what is not run there).
#[cfg(not(windows))]
#[test]
#[ignore = "needs a Secret Service and tmux; scripts/test.sh provides both"]
fn cli_login_prompts_at_a_terminal_and_hides_the_password() {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let sim = rt
        .block_on(clickdial_sim::Sim::spawn(clickdial_sim::Account::demo()))
        .unwrap();
    let socket = format!("clickdial-test-{}", std::process::id());
    let tmux = |args: &[&str]| {
        Command::new("tmux")
            .args(["-L", &socket])
            .args(args)
            .output()
            .expect("tmux runs")
    };
    let screen =
        || String::from_utf8_lossy(&tmux(&["capture-pane", "-p", "-t", "t"]).stdout).into_owned();
    let answer = |prompt: &str, text: &str| {
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(15);
        while !screen().contains(prompt) {
            assert!(
                std::time::Instant::now() < deadline,
                "no prompt {prompt:?}:\n{}",
                screen()
            );
            std::thread::sleep(std::time::Duration::from_millis(100));
        }
        tmux(&["send-keys", "-t", "t", text, "Enter"]);
    };
    let command = format!(
        "env -u CLICKDIAL_TOKEN -u CLICKDIAL_BASE_URL {} login; echo EXIT=$?; sleep 60",
        env!("CARGO_BIN_EXE_clickdial")
    );
    tmux(&[
        "new-session",
        "-d",
        "-s",
        "t",
        "-x",
        "150",
        "-y",
        "30",
        &command,
    ]);
    let another = (clickdial_core::settings::PROVIDERS.len() + 1).to_string();
    answer("Provider [1]:", &another);
    answer("Server address", &sim.url());
    answer("email and password [1]:", "2");
    answer("Email (login ID):", clickdial_sim::DEMO_EMAIL);
    answer("Password:", clickdial_sim::DEMO_PASSWORD);
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(15);
    while !screen().contains("EXIT=") {
        assert!(
            std::time::Instant::now() < deadline,
            "login did not finish:\n{}",
            screen()
        );
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
    let shown = screen();
    tmux(&["kill-server"]);
    assert!(
        shown.contains("Connected: 5 agents and 2 caller IDs found."),
        "{shown}"
    );
    assert!(shown.contains("EXIT=0"), "{shown}");
    assert!(
        !shown.contains(clickdial_sim::DEMO_PASSWORD),
        "the password was echoed:\n{shown}"
    );
    let store = KeyringStore::new();
    assert_eq!(
        store
            .get(&password_entry(&sim.url(), clickdial_sim::DEMO_EMAIL))
            .unwrap(),
        Some(Secret::new(clickdial_sim::DEMO_PASSWORD))
    );
    let (code, out) = clickdial(&["logout"], "");
    assert_eq!(code, 0, "{out}");
}

/// A password is kept as typed: spaces at either end are part of it (only the line ending of
/// standard input is removed).
#[test]
#[ignore = "needs a Secret Service; scripts/test.sh provides one"]
fn a_password_with_spaces_is_kept_as_typed() {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let sim = rt
        .block_on(clickdial_sim::Sim::spawn(clickdial_sim::Account {
            logins: vec![clickdial_sim::SimLogin {
                email: "spaces@clickdial.invalid".into(),
                password: " pass word ".into(),
            }],
            ..clickdial_sim::Account::demo()
        }))
        .unwrap();
    let url = sim.url();
    let (code, out) = clickdial(
        &[
            "login",
            "--base-url",
            &url,
            "--email",
            "spaces@clickdial.invalid",
            "--password-stdin",
        ],
        " pass word \n",
    );
    assert_eq!(code, 0, "{out}");
    assert_eq!(
        KeyringStore::new()
            .get(&password_entry(&url, "spaces@clickdial.invalid"))
            .unwrap(),
        Some(Secret::new(" pass word "))
    );
    let (code, out) = clickdial(&["logout"], "");
    assert_eq!(code, 0, "{out}");
}

/// Issue 6, defect 1, with real processes and the real keyring: the window (Tauri's mock
/// runtime, real IPC) is signed in to A; `clickdial login` for B runs in another process; the
/// window follows B for its next dial and, when it closes, writes nothing back; the next
/// `clickdial call` sends B's token to B, never to A.
#[test]
#[ignore = "needs a Secret Service; scripts/test.sh provides one"]
fn a_cli_login_while_the_window_is_open_never_crosses_tokens() {
    use std::sync::Arc;
    use tauri::ipc::{CallbackFn, InvokeBody};
    use tauri::test::{mock_builder, mock_context, noop_assets, INVOKE_KEY};
    use tauri::webview::InvokeRequest;

    let account = |token: &str| clickdial_sim::Account {
        tokens: vec![token.to_string()],
        ..clickdial_sim::Account::demo()
    };
    let sim_a =
        tauri::async_runtime::block_on(clickdial_sim::Sim::spawn(account("tok-race-A"))).unwrap();
    let sim_b =
        tauri::async_runtime::block_on(clickdial_sim::Sim::spawn(account("tok-race-B"))).unwrap();

    let mut app = clickdial_app::build_app(
        mock_builder(),
        Arc::new(KeyringStore::new()),
        clickdial_services::data_dir().unwrap(),
        Default::default(),
    )
    .build(mock_context(noop_assets()))
    .unwrap();
    #[allow(deprecated)]
    app.run_iteration(|_, _| {});
    let window = tauri::WebviewWindowBuilder::new(&app, "main", Default::default())
        .build()
        .unwrap();
    let invoke = |cmd: &str, args: serde_json::Value| {
        tauri::test::get_ipc_response(
            &window,
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
        .unwrap_or_else(|e| panic!("{cmd}: {e}"))
        .deserialize::<serde_json::Value>()
        .unwrap()
    };
    let dial = |number: &str| {
        invoke(
            "dial",
            serde_json::json!({"agent": "0506123456781", "callerId": null, "number": number}),
        )
    };

    invoke(
        "save_account",
        serde_json::json!({"form": {"provider": "custom", "baseUrl": sim_a.url(),
                                    "signIn": "token", "token": "tok-race-A"}}),
    );
    dial("9876543210");

    let (code, out) = clickdial(
        &["login", "--base-url", &sim_b.url(), "--token-stdin"],
        "tok-race-B\n",
    );
    assert_eq!(code, 0, "{out}");
    let store = KeyringStore::new();
    assert_eq!(
        store.get(&token_entry(&sim_a.url())).unwrap(),
        None,
        "A's token is gone"
    );

    dial("9876543211");
    invoke(
        "save_preferences",
        serde_json::json!({"region": "IN", "callTimeout": null}),
    );
    drop(window);
    drop(app);

    let (code, out) = clickdial(&["call", "9876543212", "--agent", "0506123456781"], "");
    assert_eq!(code, 0, "{out}");

    let auth = |sim: &clickdial_sim::Sim| -> Vec<Option<String>> {
        sim.requests_to("/click_to_call")
            .into_iter()
            .map(|r| r.authorization)
            .collect()
    };
    assert_eq!(auth(&sim_a), [Some("Bearer tok-race-A".to_string())]);
    assert_eq!(
        auth(&sim_b),
        [
            Some("Bearer tok-race-B".to_string()),
            Some("Bearer tok-race-B".to_string())
        ]
    );
    assert!(sim_a
        .requests()
        .iter()
        .all(|r| r.authorization.as_deref() != Some("Bearer tok-race-B")));
    let (code, out) = clickdial(&["logout"], "");
    assert_eq!(code, 0, "{out}");
}

/// Stands in for the desktop's notification daemon: records what it is asked to show.
#[cfg(not(windows))]
struct NotificationDaemon(std::sync::mpsc::Sender<(String, String, String, i32)>);

#[cfg(not(windows))]
#[zbus::interface(name = "org.freedesktop.Notifications")]
impl NotificationDaemon {
    #[allow(clippy::too_many_arguments)]
    fn notify(
        &self,
        app_name: String,
        _replaces_id: u32,
        _app_icon: String,
        summary: String,
        body: String,
        _actions: Vec<String>,
        _hints: std::collections::HashMap<String, zbus::zvariant::OwnedValue>,
        expire_timeout: i32,
    ) -> u32 {
        let _ = self.0.send((app_name, summary, body, expire_timeout));
        7
    }
}

/// Not on Windows: notifications go over the freedesktop session bus (Linux only).
#[cfg(not(windows))]
#[test]
#[ignore = "needs a session bus; scripts/test.sh provides one"]
fn a_notification_reaches_the_desktops_notification_service() {
    // No service yet: an error for the caller to ignore, never a hang or a panic.
    assert!(clickdial_services::notify::show("Answered", "x").is_err());

    let (tx, rx) = std::sync::mpsc::channel();
    let daemon = zbus::blocking::connection::Builder::session()
        .unwrap()
        .name("org.freedesktop.Notifications")
        .unwrap()
        .serve_at("/org/freedesktop/Notifications", NotificationDaemon(tx))
        .unwrap()
        .build()
        .unwrap();
    clickdial_services::notify::show("Customer answered", "+91 98765 43210 · Asha Rao").unwrap();
    let shown = rx
        .recv_timeout(std::time::Duration::from_secs(5))
        .expect("the service was asked");
    assert_eq!(
        shown,
        (
            "Clickdial".to_string(),
            "Customer answered".to_string(),
            "+91 98765 43210 · Asha Rao".to_string(),
            5000
        )
    );
    drop(daemon);
}
