//! The simulator's `/__sim/*` controls (every request seen, with its Authorization header, and
//! fault injection) answer a guarded simulator only with its control token: the demo's and
//! `clickdial sim` are reachable by any local user.

use std::net::SocketAddr;

use clickdial_sim::{Account, Sim, CONTROL_HEADER, DEMO_TOKEN};

async fn get(sim: &Sim, path: &str, token: Option<&str>) -> u16 {
    let mut req = reqwest::Client::new().get(format!("http://{}{path}", sim.addr()));
    if let Some(t) = token {
        req = req.header(CONTROL_HEADER, t);
    }
    req.header("Authorization", DEMO_TOKEN)
        .send()
        .await
        .unwrap()
        .status()
        .as_u16()
}

#[tokio::test]
async fn a_guarded_simulator_answers_its_controls_only_with_its_token() {
    let addr = SocketAddr::from(([127, 0, 0, 1], 0));
    let sim = Sim::bind_guarded(addr, Account::demo(), Some("s3cret".into()))
        .await
        .unwrap();
    assert_eq!(get(&sim, "/__sim/requests", None).await, 403);
    assert_eq!(get(&sim, "/__sim/requests", Some("wrong")).await, 403);
    assert_eq!(get(&sim, "/__sim/calls", Some("")).await, 403);
    assert_eq!(get(&sim, "/__sim/requests", Some("s3cret")).await, 200);
    // The API itself is the account's, as ever.
    assert_eq!(get(&sim, "/v1/users", None).await, 200);
    // A refused control changes nothing.
    let fault = reqwest::Client::new()
        .post(format!("http://{}/__sim/fault", sim.addr()))
        .body(r#"{"status": 500, "times": 5}"#)
        .send()
        .await
        .unwrap();
    assert_eq!(fault.status().as_u16(), 403);
    assert_eq!(get(&sim, "/v1/users", None).await, 200);

    // A simulator for tests in the same process has no guard.
    let open = Sim::spawn(Account::demo()).await.unwrap();
    assert_eq!(get(&open, "/__sim/requests", None).await, 200);
}
