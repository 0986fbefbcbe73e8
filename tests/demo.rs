//! The demo's simulator as the window runs it: `clickdial sim --for-parent`, a child process
//! (services::demo), reached over HTTP on loopback like any account.

use std::path::Path;
use std::process::Stdio;
use std::time::Duration;

use clickdial_core::api::Credentials;
use clickdial_core::types::BaseUrl;
use clickdial_core::Secret;
use clickdial_services::demo::DemoServer;
use tokio::io::{AsyncBufReadExt, BufReader};

const BIN: &str = env!("CARGO_BIN_EXE_clickdial");

async fn reachable(url: &str) -> bool {
    let addr = url
        .trim_start_matches("http://")
        .trim_end_matches("/v1")
        .to_string();
    tokio::net::TcpStream::connect(addr).await.is_ok()
}

#[tokio::test]
async fn the_demo_serves_the_demo_account_and_stops_when_dropped() {
    let demo = DemoServer::start(Path::new(BIN))
        .await
        .expect("the demo starts");
    let url = demo.url().to_string();
    assert!(
        url.starts_with("http://127.0.0.1:") && url.ends_with("/v1"),
        "{url}"
    );

    let client = clickdial_services::accounts::client(
        &BaseUrl::parse(&url).expect("a base URL"),
        Credentials::Token(Secret::new(clickdial_sim::DEMO_TOKEN)),
    )
    .expect("a client");
    let agents = client.users().await.expect("the demo's agents");
    assert_eq!(agents.len(), clickdial_sim::Account::demo().agents.len());
    assert!(!agents.is_empty());

    drop(demo);
    let mut gone = false;
    for _ in 0..50 {
        if !reachable(&url).await {
            gone = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(
        gone,
        "the simulator still answers at {url} after the demo ended"
    );
}

/// If the window's process dies without dropping it (a crash), the child's standard input
/// closes, and the child ends by itself.
#[tokio::test]
async fn the_simulator_ends_when_its_parent_goes() {
    let mut child = tokio::process::Command::new(BIN)
        .args(["sim", "--for-parent"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .expect("clickdial sim");
    let stdout = child.stdout.take().expect("stdout");
    let url = BufReader::new(stdout)
        .lines()
        .next_line()
        .await
        .expect("a line")
        .expect("the address");
    assert!(reachable(&url).await, "{url}");

    drop(child.stdin.take());
    let status = tokio::time::timeout(Duration::from_secs(5), child.wait())
        .await
        .expect("the simulator ended within 5 s of its input closing")
        .expect("its status");
    assert!(status.success(), "{status}");
    assert!(!reachable(&url).await);
}

/// Only a loopback address from the child is believed, and a child that says nothing is an
/// error, not a hang.
#[tokio::test]
async fn a_program_that_is_not_the_simulator_is_refused() {
    // `echo sim --for-parent` answers with its arguments.
    let echo = DemoServer::start(Path::new("echo")).await;
    assert_eq!(
        echo.unwrap_err(),
        "the simulator gave an address that is not its own"
    );
    let silent = DemoServer::start(Path::new("true")).await;
    assert_eq!(
        silent.unwrap_err(),
        "the simulator stopped before it started"
    );
    let missing = DemoServer::start(Path::new("/nonexistent/clickdial")).await;
    assert!(missing
        .unwrap_err()
        .starts_with("could not start /nonexistent/clickdial"));
}
