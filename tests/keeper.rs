//! The tray keeper (`clickdial --keeper`) as a process, on a private D-Bus daemon and without a
//! display: it takes the name from a window that hands over, answers a launch at once with the
//! state it was given, gives the name to the window that launch became, and ends cleanly.
#![cfg(target_os = "linux")]

use clickdial_testkit::bus;
use std::io::Read;
use std::process::{Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use bus::{launch, Bus};
use clickdial_services::instance::{Claim, Handover, Instance, HANDOVER_VAR};

const BIN: &str = env!("CARGO_BIN_EXE_clickdial");

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_keeper_takes_over_from_the_window_and_hands_back_to_a_launch() {
    let bus = Bus::start();
    let home = tempfile::tempdir().unwrap();
    let window_answer = Arc::new(|_argv: Vec<String>| String::new());
    let Claim::Owner(window) = Instance::claim(window_answer, false, Some(&bus.address))
        .await
        .unwrap()
    else {
        panic!("the window owns the name");
    };
    let handover = Handover {
        draft: "98765 43210".into(),
        notices: vec!["Clickdial is still running in the tray.".into()],
        ..Handover::default()
    };
    let mut keeper = Command::new(BIN)
        .arg("--keeper")
        .env(HANDOVER_VAR, handover.to_json())
        .env("DBUS_SESSION_BUS_ADDRESS", &bus.address)
        .env("HOME", home.path())
        .env("XDG_DATA_HOME", home.path().join("data"))
        .env("XDG_CONFIG_HOME", home.path().join("config"))
        .env_remove("DISPLAY")
        .env_remove("WAYLAND_DISPLAY")
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    assert!(
        window
            .hand_over(
                Duration::from_secs(20),
                || matches!(keeper.try_wait(), Ok(None)),
                || {}
            )
            .await,
        "the keeper queued for the name"
    );

    // A launch is answered by the keeper with what the window gave it.
    let started = Instant::now();
    let state: Handover = loop {
        match launch(&bus, &[]).await {
            Ok(json) => break serde_json::from_str(&json).unwrap(),
            Err(_) if started.elapsed() < Duration::from_secs(20) => {
                tokio::time::sleep(Duration::from_millis(50)).await;
            }
            Err(e) => panic!("no answer from the keeper: {e}"),
        }
    };
    assert_eq!(state.draft, "98765 43210");
    assert_eq!(state.notices, handover.notices);

    // The launch became the window: it queues, and the keeper lets go and ends, cleanly.
    let new_window = Arc::new(|_argv: Vec<String>| String::new());
    let Claim::Queued(new_window) = Instance::claim(new_window, true, Some(&bus.address))
        .await
        .unwrap()
    else {
        panic!("the new window queues behind the keeper");
    };
    assert!(new_window.wait_until_owner(Duration::from_secs(20)).await);
    let deadline = Instant::now() + Duration::from_secs(20);
    let status = loop {
        if let Some(status) = keeper.try_wait().unwrap() {
            break status;
        }
        assert!(Instant::now() < deadline, "the keeper did not end");
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    let mut stderr = String::new();
    keeper
        .stderr
        .take()
        .unwrap()
        .read_to_string(&mut stderr)
        .unwrap();
    assert!(status.success(), "the keeper ended with {status}: {stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");
}
