//! The single-instance name changing hands between the window and the tray keeper, on a
//! private D-Bus daemon (`dbus-daemon`, as on every Linux desktop): a launch is answered by
//! the one process in charge, never by two, and none is lost while the name moves.
#![cfg(target_os = "linux")]

use std::sync::{Arc, Mutex};
use std::time::Duration;

use clickdial_services::instance::{Answer, Claim, Instance};
use clickdial_testkit::bus::{launch, Bus};

/// A process's answer: records each launch's arguments and answers `reply`.
fn recorder(reply: &'static str) -> (Arc<Mutex<Vec<Vec<String>>>>, Answer) {
    let seen = Arc::new(Mutex::new(Vec::new()));
    let log = seen.clone();
    (
        seen,
        Arc::new(move |argv: Vec<String>| {
            log.lock().unwrap().push(argv);
            reply.to_string()
        }),
    )
}

async fn claim(bus: &Bus, answer: Answer, queue: bool) -> Claim {
    Instance::claim(answer, queue, Some(&bus.address))
        .await
        .unwrap()
}

fn owner(claim: Claim) -> Instance {
    match claim {
        Claim::Owner(i) => i,
        _ => panic!("expected to own the name"),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_process_answers_and_a_second_finds_it_taken() {
    let bus = Bus::start();
    let (seen, answer) = recorder("");
    let first = owner(claim(&bus, answer, false).await);
    assert!(first.is_owner().await);
    let (_, other) = recorder("");
    assert!(matches!(claim(&bus, other, false).await, Claim::Taken));
    assert_eq!(launch(&bus, &["tel:+911"]).await.unwrap(), "");
    assert_eq!(
        *seen.lock().unwrap(),
        vec![vec!["clickdial".to_string(), "tel:+911".to_string()]]
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_name_goes_to_the_queued_process_and_launches_follow_it() {
    let bus = Bus::start();
    let (window_seen, window) = recorder("");
    let window = owner(claim(&bus, window, false).await);
    let (keeper_seen, keeper) = recorder("");
    let Claim::Queued(keeper) = claim(&bus, keeper, true).await else {
        panic!("the keeper queues behind the window");
    };
    assert!(!keeper.is_owner().await);
    let mut released_before = false;
    assert!(
        window
            .hand_over(Duration::from_secs(5), || true, || released_before = true)
            .await
    );
    assert!(released_before, "the hotkey and tray go before the name");
    assert!(keeper.wait_until_owner(Duration::from_secs(5)).await);
    assert_eq!(launch(&bus, &["tel:+912"]).await.unwrap(), "");
    assert!(window_seen.lock().unwrap().is_empty());
    assert_eq!(keeper_seen.lock().unwrap().len(), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn nobody_queued_means_no_handover_and_the_process_stays_in_charge() {
    let bus = Bus::start();
    let (seen, answer) = recorder("");
    let first = owner(claim(&bus, answer, false).await);
    let mut released = false;
    assert!(
        !first
            .hand_over(Duration::from_millis(200), || true, || released = true)
            .await
    );
    assert!(!released);
    // A child that died before queuing ends the wait at once.
    let started = std::time::Instant::now();
    assert!(
        !first
            .hand_over(Duration::from_secs(30), || false, || released = true)
            .await
    );
    assert!(started.elapsed() < Duration::from_secs(5));
    assert!(!released);
    assert_eq!(launch(&bus, &["tel:+913"]).await.unwrap(), "");
    assert_eq!(seen.lock().unwrap().len(), 1);
    assert!(first.is_owner().await);
}

/// The keeper gives its state to the first launch only; a second launch at the same moment (a
/// double click) waits, then reaches the window the first one became: one window opens.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_launches_at_once_make_one_window() {
    let bus = Arc::new(Bus::start());
    let state = "{\"draft\":\"98765\"}";
    let (keeper_seen, keeper) = recorder(state);
    let keeper = owner(claim(&bus, keeper, false).await);
    assert_eq!(launch(&bus, &["tel:+914"]).await.unwrap(), state);
    let waiting = {
        let bus = bus.clone();
        tokio::spawn(async move { launch(&bus, &["tel:+915"]).await })
    };
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert!(!waiting.is_finished(), "held while the name changes hands");
    // The first launch became the window: it queues, and the keeper lets go.
    let (window_seen, window) = recorder("");
    let Claim::Queued(window) = claim(&bus, window, true).await else {
        panic!("the window queues behind the keeper");
    };
    assert!(
        keeper
            .hand_over(Duration::from_secs(5), || true, || {})
            .await
    );
    assert!(window.wait_until_owner(Duration::from_secs(5)).await);
    assert_eq!(waiting.await.unwrap().unwrap(), "");
    assert_eq!(
        keeper_seen.lock().unwrap().len(),
        1,
        "the state went out once"
    );
    assert_eq!(
        *window_seen.lock().unwrap(),
        vec![vec!["clickdial".to_string(), "tel:+915".to_string()]]
    );
}

/// Waiting for the name ends when it comes, however late within the time given, and says no
/// when it does not come.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn waiting_for_the_name_and_handing_it_over_allow_for_a_late_other_side() {
    let bus = Bus::start();
    let (_, answer) = recorder("");
    let window = Arc::new(owner(claim(&bus, answer, false).await));
    let (_, answer) = recorder("");
    // The keeper starts handing over before the next process has queued.
    let handing = {
        let window = window.clone();
        tokio::spawn(async move {
            window
                .hand_over(Duration::from_secs(10), || true, || {})
                .await
        })
    };
    tokio::time::sleep(Duration::from_millis(300)).await;
    let Claim::Queued(next) = claim(&bus, answer, true).await else {
        panic!("queued");
    };
    assert!(handing.await.unwrap(), "a late queue is still seen");
    assert!(next.wait_until_owner(Duration::from_secs(5)).await);

    // Queued behind a process that never lets go: no.
    let (_, answer) = recorder("");
    let Claim::Queued(third) = claim(&bus, answer, true).await else {
        panic!("queued");
    };
    assert!(!third.wait_until_owner(Duration::from_millis(300)).await);
    // ...and yes once it does, even when that is later than the first look.
    let waiting = tokio::spawn(async move {
        let owned = third.wait_until_owner(Duration::from_secs(10)).await;
        (owned, third)
    });
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert!(next.hand_over(Duration::from_secs(5), || true, || {}).await);
    let (owned, third) = waiting.await.unwrap();
    assert!(owned);
    assert!(third.is_owner().await);
}

/// While a window is being started, launches wait; if it does not start, they are answered.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn held_launches_wait_and_are_answered_when_resumed() {
    let bus = Arc::new(Bus::start());
    let (seen, answer) = recorder("");
    let keeper = owner(claim(&bus, answer, false).await);
    keeper.hold_launches();
    let waiting = {
        let bus = bus.clone();
        tokio::spawn(async move { launch(&bus, &["tel:+916"]).await })
    };
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert!(!waiting.is_finished(), "held");
    assert!(seen.lock().unwrap().is_empty());
    keeper.resume_launches();
    assert_eq!(waiting.await.unwrap().unwrap(), "");
    assert_eq!(seen.lock().unwrap().len(), 1);
}

/// The keeper ends with the desktop session: it notices the bus is gone.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_bus_that_went_away_is_noticed() {
    let mut bus = Bus::start();
    let (_, answer) = recorder("");
    let instance = owner(claim(&bus, answer, false).await);
    assert!(instance.bus_alive().await);
    bus.daemon.kill().unwrap();
    bus.daemon.wait().unwrap();
    assert!(!instance.bus_alive().await);
}
