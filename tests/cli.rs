//! The `clickdial` command line, run as a real process against the simulator on loopback.

use std::process::{Output, Stdio};
use std::time::Duration;

use clickdial_sim::{Account, Fault, Sim};
use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::process::Command;

const BIN: &str = env!("CARGO_BIN_EXE_clickdial");
const TOKEN: &str = "tok-CLI-Secret-7f3a";
const AGENT: &str = "0506123456781";

/// A command with a private HOME so no real keyring or settings file is ever read.
fn clickdial(home: &std::path::Path) -> Command {
    let mut c = Command::new(BIN);
    c.env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .env("HOME", home)
        .env("XDG_DATA_HOME", home.join("data"))
        .env("DBUS_SESSION_BUS_ADDRESS", "unix:path=/nonexistent")
        .stdin(Stdio::null())
        .kill_on_drop(true);
    c
}

async fn run(mut c: Command) -> (i32, String, String) {
    let Output {
        status,
        stdout,
        stderr,
    } = tokio::time::timeout(Duration::from_secs(30), c.output())
        .await
        .expect("clickdial finished in time")
        .expect("clickdial ran");
    (
        status.code().unwrap_or(-1),
        String::from_utf8_lossy(&stdout).into_owned(),
        String::from_utf8_lossy(&stderr).into_owned(),
    )
}

async fn sim() -> Sim {
    Sim::spawn(Account {
        tokens: vec![TOKEN.to_string()],
        ..Account::demo()
    })
    .await
    .unwrap()
}

async fn call(sim_url: &str, token: &str, args: &[&str]) -> (i32, String, String) {
    let home = tempfile::tempdir().unwrap();
    let mut c = clickdial(home.path());
    c.env("CLICKDIAL_BASE_URL", sim_url)
        .env("CLICKDIAL_TOKEN", token)
        .arg("call")
        .args(args);
    let out = run(c).await;
    assert!(
        !out.1.contains(token) && !out.2.contains(token),
        "the token must never be printed: {out:?}"
    );
    out
}

#[tokio::test]
async fn normalize_agrees_with_every_public_vector() {
    let home = tempfile::tempdir().unwrap();
    let table = include_str!("../crates/core/tests/number-vectors.tsv");
    let mut checked = 0;
    for line in table
        .lines()
        .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
    {
        let (input, expected) = line.split_once('\t').unwrap();
        let mut c = clickdial(home.path());
        c.args(["normalize", "--", input]);
        let (code, out, err) = run(c).await;
        if expected == "ERR" {
            assert_eq!(code, 2, "{input:?}: {out} {err}");
            assert!(
                out.is_empty() && err.starts_with("clickdial: "),
                "{input:?}: {err}"
            );
        } else {
            assert_eq!((code, out.trim()), (0, expected), "{input:?}: {err}");
        }
        checked += 1;
    }
    assert!(checked >= 21);
}

#[tokio::test]
async fn normalize_json_has_e164_and_ext() {
    let home = tempfile::tempdir().unwrap();
    let mut c = clickdial(home.path());
    c.args(["normalize", "tel:+919876543210;ext=12", "--json"]);
    let (code, out, _) = run(c).await;
    assert_eq!(code, 0);
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v, serde_json::json!({"e164": "+919876543210", "ext": "12"}));

    let mut c = clickdial(home.path());
    c.args(["normalize", "98765abcde", "--json"]);
    let (code, out, err) = run(c).await;
    assert_eq!(code, 2);
    assert!(err.contains("has letters"), "{err}");
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["error"]["code"], "invalidNumber");
}

#[tokio::test(flavor = "multi_thread")]
async fn call_is_queued_and_sent_once() {
    let sim = sim().await;
    let (code, out, err) = call(
        &sim.url(),
        TOKEN,
        &[
            "+91 98765 43210",
            "--agent",
            AGENT,
            "--caller-id",
            "918065000102",
            "--call-timeout",
            "90",
        ],
    )
    .await;
    assert_eq!(code, 0, "{err}");
    assert!(
        out.starts_with("Queued: Originate successfully queued"),
        "{out}"
    );
    let reqs = sim.requests_to("/click_to_call");
    assert_eq!(reqs.len(), 1);
    assert_eq!(reqs[0].body["destination_number"], "919876543210");
    assert_eq!(reqs[0].body["caller_id"], "918065000102");
    assert_eq!(reqs[0].body["call_timeout"], 90);

    let (code, out, _) = call(
        &sim.url(),
        TOKEN,
        &["9876543211", "--agent", AGENT, "--json"],
    )
    .await;
    assert_eq!(code, 0);
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["status"], "queued");
    assert_eq!(v["e164"], "+919876543211");
    assert!(v["refId"].is_string());
}

#[tokio::test(flavor = "multi_thread")]
async fn every_fault_maps_to_its_exit_code() {
    let sim = sim().await;
    let url = sim.url();
    let args = ["9876543210", "--agent", AGENT];

    // 2: invalid input, nothing sent.
    let (code, _, err) = call(&url, TOKEN, &["98765abcde", "--agent", AGENT]).await;
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("has letters"));
    assert!(sim.requests().is_empty());

    // 3: authentication.
    let (code, _, err) = call(&url, "wrong-token", &args).await;
    assert_eq!(code, 3, "{err}");
    assert!(err.contains("did not accept your API token"), "{err}");

    // 4: rejected by the API.
    let (code, _, err) = call(
        &url,
        TOKEN,
        &["9876543210", "--agent", AGENT, "--caller-id", "123"],
    )
    .await;
    assert_eq!(code, 4, "{err}");
    assert!(err.contains("Provide a vaild caller_id."), "{err}");
    let (code, _, err) = call(&url, TOKEN, &["9876543210", "--agent", "0000000000000"]).await;
    assert_eq!(code, 4, "{err}");
    sim.inject(Fault::respond(429, "{}").header("Retry-After", "30"));
    let (code, _, err) = call(&url, TOKEN, &args).await;
    assert_eq!(code, 4, "{err}");
    assert!(err.contains("30 s"), "{err}");

    // 5: unknown outcome (5xx, HTML), each sent exactly once.
    for fault in [
        Fault::respond(502, "<html>Bad gateway</html>"),
        Fault::respond(200, "<html>login</html>"),
        Fault::reset(),
    ] {
        let before = sim.requests_to("/click_to_call").len();
        sim.inject(fault);
        let (code, _, err) = call(&url, TOKEN, &args).await;
        assert_eq!(code, 5, "{err}");
        assert!(err.contains("did not try again"), "{err}");
        assert_eq!(sim.requests_to("/click_to_call").len(), before + 1);
    }

    // 5: unreachable.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let (code, _, err) = call(&format!("http://127.0.0.1:{port}/v1"), TOKEN, &args).await;
    assert_eq!(code, 5, "{err}");
    assert!(err.contains("Could not reach the server"), "{err}");
}

#[tokio::test]
async fn no_credentials_is_an_authentication_exit() {
    let home = tempfile::tempdir().unwrap();
    let mut c = clickdial(home.path());
    c.env("CLICKDIAL_TOKEN", TOKEN)
        .args(["call", "9876543210", "--agent", AGENT]);
    let (code, _, err) = run(c).await;
    assert_eq!(code, 3);
    assert!(err.contains("No account is set up"), "{err}");
}

/// Writes an app settings file naming `base_url` as the saved account.
fn save_account_settings(home: &std::path::Path, base_url: &str) {
    let dir = home.join("data").join("in.clickdial.desktop");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(
        dir.join("settings.json"),
        format!(r#"{{"settings":{{"version":2,"provider":"custom","baseUrl":"{base_url}"}}}}"#),
    )
    .unwrap();
}

#[tokio::test]
async fn missing_keyring_daemon_is_explained() {
    let home = tempfile::tempdir().unwrap();
    save_account_settings(home.path(), "http://127.0.0.1:9/v1");
    let mut c = clickdial(home.path());
    c.args(["call", "9876543210", "--agent", AGENT]);
    let (code, _, err) = run(c).await;
    assert_eq!(code, 3, "{err}");
    assert!(err.contains("keyring is not available"), "{err}");
}

#[tokio::test]
async fn environment_address_is_checked_and_gets_no_saved_secret() {
    let home = tempfile::tempdir().unwrap();
    save_account_settings(home.path(), "https://api.servetel.in/v1");
    for (url, want) in [
        ("http://evil.example/v1", "must start with https://"),
        (
            "http://127.0.0.1:1@evil.example/v1",
            "must start with https://",
        ),
        (
            "https://elsewhere.example/v1",
            "not the saved account's server",
        ),
    ] {
        let mut c = clickdial(home.path());
        c.env("CLICKDIAL_BASE_URL", url)
            .args(["call", "9876543210", "--agent", AGENT]);
        let (code, _, err) = run(c).await;
        assert!(code == 2 || code == 3, "{url}: {code} {err}");
        assert!(err.contains(want), "{url}: {err}");
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn agents_and_numbers_tables_and_json() {
    let sim = sim().await;
    let home = tempfile::tempdir().unwrap();
    let mut c = clickdial(home.path());
    c.env("CLICKDIAL_BASE_URL", sim.url())
        .env("CLICKDIAL_TOKEN", TOKEN)
        .arg("agents");
    let (code, out, _) = run(c).await;
    assert_eq!(code, 0);
    let lines: Vec<&str> = out.lines().collect();
    assert!(lines[0].starts_with("AGENT ID"));
    assert_eq!(lines.len(), 6);
    assert!(lines[4].contains("Rahul Das") && lines[4].contains("blocked"));

    let mut c = clickdial(home.path());
    c.env("CLICKDIAL_BASE_URL", sim.url())
        .env("CLICKDIAL_TOKEN", TOKEN)
        .args(["numbers", "--json"]);
    let (code, out, _) = run(c).await;
    assert_eq!(code, 0);
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v[1]["value"], "918065000102");
}

#[tokio::test(flavor = "multi_thread")]
async fn call_against_clickdial_sim() {
    let home = tempfile::tempdir().unwrap();
    let mut sim = clickdial(home.path());
    sim.args(["sim", "--port", "0"]).stdout(Stdio::piped());
    let mut child = sim.spawn().unwrap();
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let url = tokio::time::timeout(Duration::from_secs(10), async {
        while let Some(line) = lines.next_line().await.unwrap() {
            if let Some(url) = line.trim().strip_prefix("base URL:") {
                return url.trim().to_string();
            }
        }
        panic!("no base URL printed");
    })
    .await
    .unwrap();
    let (code, out, err) = call(
        &url,
        clickdial_sim::DEMO_TOKEN,
        &["98765 43210", "--agent", AGENT],
    )
    .await;
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("Queued"), "{out}");
    child.kill().await.unwrap();
}

#[tokio::test(flavor = "multi_thread")]
async fn login_needs_a_provider_and_a_good_token_before_touching_the_keyring() {
    let sim = sim().await;
    let home = tempfile::tempdir().unwrap();
    let mut c = clickdial(home.path());
    c.args(["login", "--token-stdin"]);
    let (code, _, err) = run(c).await;
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("--provider"), "{err}");

    // A refused token fails the check (exit 3) before anything is stored.
    let mut c = clickdial(home.path());
    c.args(["login", "--base-url", &sim.url(), "--token-stdin"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let mut child = c.spawn().unwrap();
    use tokio::io::AsyncWriteExt;
    let mut stdin = child.stdin.take().unwrap();
    stdin.write_all(b"wrong-token-123\n").await.unwrap();
    drop(stdin);
    let out = child.wait_with_output().await.unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(3), "{err}");
    assert!(err.contains("did not accept your API token"), "{err}");
    assert!(!err.contains("wrong-token-123"));
    assert!(!home.path().join("data").exists(), "nothing saved");
}

#[tokio::test]
async fn whoami_without_an_account_or_a_keyring() {
    let home = tempfile::tempdir().unwrap();
    let mut c = clickdial(home.path());
    c.arg("whoami");
    let (code, out, err) = run(c).await;
    assert_eq!((code, out.trim()), (0, "Configured: no"), "{err}");

    // An account is set up, but its secret cannot be read: say why.
    save_account_settings(home.path(), "https://api.servetel.in/v1");
    let mut c = clickdial(home.path());
    c.arg("whoami");
    let (code, _, err) = run(c).await;
    assert_eq!(code, 3, "{err}");
    assert!(err.contains("keyring is not available"), "{err}");
}
