//! The organization's policy through the real binary: `clickdial policy`, exit 7 with nothing
//! sent, the caller-ID allow list, a malformed file; and `handler browser-policy`'s JSON.

use super::*;

/// A command under the organization's policy `text`, written to a file the debug binary is
/// pointed at (`CLICKDIAL_TEST_POLICY`, which release builds never read).
fn with_policy(home: &std::path::Path, text: &str) -> Command {
    let file = home.join("policy.toml");
    std::fs::write(&file, text).unwrap();
    let mut c = clickdial(home);
    c.env("CLICKDIAL_TEST_POLICY", &file);
    c
}

#[tokio::test]
async fn policy_prints_what_it_locks_and_where_it_came_from() {
    let home = tempfile::tempdir().unwrap();
    let mut c = clickdial(home.path());
    c.arg("policy");
    let (code, out, err) = run(c).await;
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("not managed"), "{out}");

    let text = "server = \"smartflo\"\ncaller_ids = [\"080650 00101\"]\nhistory_days = 30\nhotkey = false\nshoe_size = 9\n";
    let mut c = with_policy(home.path(), text);
    c.arg("policy");
    let (code, out, err) = run(c).await;
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("policy.toml"), "{out}");
    assert!(out.contains("smartflo"), "{out}");
    assert!(out.contains("080650 00101"), "{out}");
    assert!(
        err.contains("shoe_size") && err.contains("line 5"),
        "a warning: {err}"
    );

    let mut c = with_policy(home.path(), text);
    c.args(["policy", "--json"]);
    let (code, out, err) = run(c).await;
    assert_eq!(code, 0, "{err}");
    let v: serde_json::Value = serde_json::from_str(&out).expect("JSON");
    assert_eq!(v["managed"], true);
    assert!(v["from"].as_str().unwrap().ends_with("policy.toml"));
    assert_eq!(v["policy"]["historyDays"], 30);
    assert_eq!(v["policy"]["hotkey"], false);
    assert_eq!(v["policy"]["server"]["provider"], "smartflo");
    let locked: Vec<&str> = v["locked"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l.as_str().unwrap())
        .collect();
    assert_eq!(locked, ["server", "callerIds", "hotkey"]);
    assert_eq!(v["warnings"].as_array().unwrap().len(), 1);
}

#[tokio::test]
async fn a_malformed_policy_stops_dialling_naming_file_and_line() {
    let sim = sim().await;
    let home = tempfile::tempdir().unwrap();
    let bad = "demo = false\n\nhistory_days = \"thirty\"\n";
    let mut c = with_policy(home.path(), bad);
    c.env("CLICKDIAL_BASE_URL", sim.url())
        .env("CLICKDIAL_TOKEN", TOKEN)
        .args(["call", "98765 43210", "--agent", AGENT]);
    let (code, _, err) = run(c).await;
    assert_eq!(code, 7, "{err}");
    assert!(
        err.contains("policy.toml") && err.contains("line 3"),
        "{err}"
    );
    assert!(
        err.contains("refused by your organization's policy"),
        "{err}"
    );
    assert!(sim.requests().is_empty(), "nothing sent");
    let mut c = with_policy(home.path(), bad);
    c.args(["policy", "--json"]);
    let (code, out, _) = run(c).await;
    assert_eq!(code, 7);
    let v: serde_json::Value = serde_json::from_str(&out).expect("JSON");
    assert_eq!(v["error"]["code"], "policy");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_locked_server_refuses_the_environment_and_another_login() {
    let sim = sim().await;
    let home = tempfile::tempdir().unwrap();
    let policy = "server = \"https://api.servetel.in/v1\"\n";
    let mut c = with_policy(home.path(), policy);
    c.env("CLICKDIAL_BASE_URL", sim.url())
        .env("CLICKDIAL_TOKEN", TOKEN)
        .args(["call", "98765 43210", "--agent", AGENT]);
    let (code, _, err) = run(c).await;
    assert_eq!(code, 7, "{err}");
    assert!(err.contains("CLICKDIAL_BASE_URL"), "{err}");
    assert!(
        err.contains("refused by your organization's policy"),
        "{err}"
    );

    let mut c = with_policy(home.path(), policy);
    c.args(["login", "--base-url", &sim.url(), "--token-stdin"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let mut child = c.spawn().unwrap();
    use tokio::io::AsyncWriteExt;
    let mut stdin = child.stdin.take().unwrap();
    stdin.write_all(TOKEN.as_bytes()).await.unwrap();
    stdin.write_all(b"\n").await.unwrap();
    drop(stdin);
    let out = child.wait_with_output().await.unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(7), "{err}");
    assert!(
        err.contains("refused by your organization's policy"),
        "{err}"
    );
    assert!(!err.contains(TOKEN));
    assert!(sim.requests().is_empty(), "nothing was sent there");
    let settings = home
        .path()
        .join("data")
        .join(clickdial_services::IDENTIFIER)
        .join(clickdial_services::settings_file::SETTINGS_FILE);
    let saved = std::fs::read_to_string(settings).unwrap_or_default();
    assert!(!saved.contains(&sim.url()), "nothing saved: {saved}");
}

#[tokio::test]
async fn only_the_allowed_caller_ids_are_listed_and_dialled() {
    let sim = sim().await;
    let home = tempfile::tempdir().unwrap();
    let policy = "caller_ids = [\"+91 80650 00101\"]\n";
    let env = |c: &mut Command| {
        c.env("CLICKDIAL_BASE_URL", sim.url())
            .env("CLICKDIAL_TOKEN", TOKEN);
    };
    let mut c = with_policy(home.path(), policy);
    env(&mut c);
    c.args(["numbers", "--json"]);
    let (code, out, err) = run(c).await;
    assert_eq!(code, 0, "{err}");
    let listed: Vec<serde_json::Value> = serde_json::from_str(&out).unwrap();
    assert_eq!(listed.len(), 1, "{out}");
    assert_eq!(listed[0]["did"], "+918065000101");

    let mut c = with_policy(home.path(), policy);
    env(&mut c);
    c.args([
        "call",
        "98765 43210",
        "--agent",
        AGENT,
        "--caller-id",
        "080650 00102",
    ]);
    let (code, _, err) = run(c).await;
    assert_eq!(code, 7, "{err}");
    assert!(
        err.contains("+91 80650 00101"),
        "the allowed ones are named: {err}"
    );
    assert!(sim.requests_to("/click_to_call").is_empty(), "nothing sent");

    let mut c = with_policy(home.path(), policy);
    env(&mut c);
    c.args([
        "call",
        "98765 43210",
        "--agent",
        AGENT,
        "--caller-id",
        "8065000101",
    ]);
    let (code, out, err) = run(c).await;
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("Call queued"), "{out}");
    assert_eq!(sim.requests_to("/click_to_call").len(), 1);
}

#[tokio::test]
async fn browser_policy_prints_json_an_admin_can_use() {
    let home = tempfile::tempdir().unwrap();
    let mut c = clickdial(home.path());
    c.args([
        "handler",
        "browser-policy",
        "--origin",
        "https://crm.example.com/leads",
        "--origin",
        "https://crm2.example.com",
    ]);
    let (code, out, err) = run(c).await;
    assert_eq!(code, 0, "{err}");
    let v: serde_json::Value = serde_json::from_str(&out).expect("the output is JSON");
    let rules = v["AutoLaunchProtocolsFromOrigins"].as_array().unwrap();
    let protocols: Vec<&str> = rules
        .iter()
        .map(|r| r["protocol"].as_str().unwrap())
        .collect();
    assert_eq!(protocols, ["tel", "callto"]);
    assert_eq!(
        rules[0]["allowed_origins"],
        serde_json::json!(["https://crm.example.com", "https://crm2.example.com"])
    );
    #[cfg(target_os = "linux")]
    assert!(
        err.contains("/etc/opt/chrome/policies/managed"),
        "the folder: {err}"
    );

    let mut c = clickdial(home.path());
    c.args([
        "handler",
        "browser-policy",
        "--origin",
        "https://crm.example.com",
        "--browser",
        "firefox",
    ]);
    let (code, out, err) = run(c).await;
    assert_eq!(code, 0, "{err}");
    let v: serde_json::Value = serde_json::from_str(&out).expect("the output is JSON");
    let tel = &v["policies"]["Handlers"]["schemes"]["tel"];
    assert_eq!(tel["ask"], false);
    assert!(tel["handlers"][0]["path"]
        .as_str()
        .unwrap()
        .contains("clickdial"));

    // Plain http to another machine is no CRM origin to trust; an unknown browser is refused.
    for args in [
        ["--origin", "http://crm.example.com", "--browser", "chrome"],
        [
            "--origin",
            "https://crm.example.com",
            "--browser",
            "netscape",
        ],
    ] {
        let mut c = clickdial(home.path());
        c.args(["handler", "browser-policy"]).args(args);
        let (code, out, err) = run(c).await;
        assert_eq!(code, 2, "{args:?}: {err}");
        assert!(out.is_empty());
    }
}

#[tokio::test]
#[cfg(any(windows, target_os = "linux"))]
async fn start_at_login_kept_on_by_the_policy() {
    let home = tempfile::tempdir().unwrap();
    let mut c = with_policy(home.path(), "start_at_login = true\n");
    c.args(["autostart", "off"]);
    let (code, _, err) = run(c).await;
    assert_eq!(code, 7, "{err}");
    assert!(
        err.contains("refused by your organization's policy"),
        "{err}"
    );
    let mut c = with_policy(home.path(), "start_at_login = true\n");
    c.args(["autostart", "on"]);
    let (code, out, err) = run(c).await;
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("starts at login"), "{out}");
}

/// Issue 27 reads the policy's `dispositions`: they replace the defaults for `clickdial note`.
#[tokio::test(flavor = "multi_thread")]
async fn the_policys_dispositions_are_the_ones_offered() {
    let sim = sim().await;
    let home = tempfile::tempdir().unwrap();
    let h = home.path();
    let policy = "dispositions = [\"Sale\", \"No sale\", \"Follow up\"]\n";
    let with = |args: &[&str]| {
        let mut c = with_policy(h, policy);
        c.env("CLICKDIAL_BASE_URL", sim.url())
            .env("CLICKDIAL_TOKEN", TOKEN)
            .args(args);
        c
    };
    let (code, _, err) = run(with(&["call", "98765 43210", "--agent", AGENT])).await;
    assert_eq!(code, 0, "{err}");
    let (code, _, err) = run(with(&["note", "--disposition", "Interested"])).await;
    assert_eq!(code, 2);
    assert!(err.contains("1 Sale, 2 No sale, 3 Follow up"), "{err}");
    let (code, out, err) = run(with(&["note", "--disposition", "3"])).await;
    assert_eq!(code, 0, "{err}");
    assert!(out.ends_with(": Follow up\n"), "{out}");
}
