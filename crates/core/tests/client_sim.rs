//! The client against the simulator on loopback: success and every fault, each asserting how
//! many requests reached the server (a dial is never resent, except once after a 401).

use std::time::Duration;

use clickdial_core::api::{AgentStatus, ErrorCode};
use clickdial_core::{ApiError, Client, ClientOptions, DialRequest, Number, Region, Secret};
use clickdial_sim::{Account, Fault, Sim, DEMO_TOKEN};

const AGENT: &str = "0506123456781";
const DID: &str = "918065000101";

fn number() -> Number {
    Number::parse("+91 98765 43210", Region::INDIA).unwrap()
}

fn client(sim: &Sim, token: &str) -> Client {
    let options = ClientOptions {
        connect_timeout: Duration::from_secs(2),
        timeout: Duration::from_millis(700),
        ..ClientOptions::default()
    };
    Client::with_options(&sim.url(), Secret::new(token), options).unwrap()
}

async fn dial(c: &Client) -> Result<clickdial_core::Queued, ApiError> {
    let n = number();
    c.click_to_call(&DialRequest {
        agent_number: AGENT,
        destination: &n,
        caller_id: Some(DID),
        call_timeout: Some(120),
    })
    .await
}

#[tokio::test]
async fn dial_is_queued_with_the_seed_body() {
    let sim = Sim::spawn(Account::demo()).await.unwrap();
    let q = dial(&client(&sim, DEMO_TOKEN)).await.unwrap();
    let reqs = sim.requests_to("/click_to_call");
    assert_eq!(reqs.len(), 1);
    let r = &reqs[0];
    assert_eq!(r.method, "POST");
    assert_eq!(r.authorization.as_deref(), Some("Bearer demo-token"));
    let b = &r.body;
    assert_eq!(b["agent_number"], AGENT);
    assert_eq!(b["destination_number"], "919876543210");
    assert_eq!(b["caller_id"], DID);
    assert_eq!(b["async"], 1);
    assert_eq!(b["get_call_id"], 1);
    assert_eq!(b["call_timeout"], 120);
    assert_eq!(b["custom_identifier"], q.custom_identifier.as_str());
    assert_eq!(q.message, "Originate successfully queued");
    assert_eq!(q.ref_id.as_ref().map(String::len), Some(36));
    assert!(q.call_id.as_deref().is_some_and(|c| c.contains('.')));
}

#[tokio::test]
async fn every_dial_gets_a_fresh_custom_identifier() {
    let sim = Sim::spawn(Account::demo()).await.unwrap();
    let c = client(&sim, DEMO_TOKEN);
    let a = dial(&c).await.unwrap();
    let b = dial(&c).await.unwrap();
    assert_ne!(a.custom_identifier, b.custom_identifier);
    assert_eq!(sim.requests_to("/click_to_call").len(), 2);
}

#[tokio::test]
async fn bearer_refused_retries_once_raw_and_remembers() {
    let account = Account {
        bearer_accepted: false,
        ..Account::demo()
    };
    let sim = Sim::spawn(account).await.unwrap();
    let c = client(&sim, DEMO_TOKEN);
    dial(&c).await.unwrap();
    let auths: Vec<_> = sim
        .requests()
        .into_iter()
        .map(|r| r.authorization.unwrap_or_default())
        .collect();
    assert_eq!(auths, ["Bearer demo-token", "demo-token"]);
    // The raw form is now known to work: one request, no second 401.
    c.my_numbers().await.unwrap();
    assert_eq!(sim.requests().len(), 3);
    assert_eq!(
        sim.requests()[2].authorization.as_deref(),
        Some("demo-token")
    );
}

#[tokio::test]
async fn wrong_token_is_unauthorized_after_two_tries_and_is_not_echoed() {
    let sim = Sim::spawn(Account::demo()).await.unwrap();
    let err = dial(&client(&sim, "s3cret-wrong-token")).await.unwrap_err();
    assert_eq!(err.code(), ErrorCode::Unauthorized);
    assert_eq!(
        err.server_message(),
        Some("Deleted or blacklisted token provided")
    );
    assert!(!err.outcome_unknown());
    assert!(!err.to_string().contains("s3cret"));
    assert!(!format!("{err:?}").contains("s3cret"));
    assert_eq!(sim.requests_to("/click_to_call").len(), 2);
}

#[tokio::test]
async fn caller_id_not_on_the_account_is_a_field_keyed_422() {
    let sim = Sim::spawn(Account::demo()).await.unwrap();
    let n = number();
    let err = client(&sim, DEMO_TOKEN)
        .click_to_call(&DialRequest {
            agent_number: AGENT,
            destination: &n,
            caller_id: Some("9876500000"),
            call_timeout: None,
        })
        .await
        .unwrap_err();
    match &err {
        ApiError::Rejected {
            status,
            message,
            fields,
        } => {
            assert_eq!(*status, 422);
            assert_eq!(message, "Provide a vaild caller_id.");
            assert_eq!(fields[0].0, "caller_id");
        }
        other => panic!("{other:?}"),
    }
    assert!(err.to_string().contains("Pick another caller ID"));
    assert_eq!(sim.requests_to("/click_to_call").len(), 1);
}

#[tokio::test]
async fn unknown_agent_is_success_false_under_200() {
    let sim = Sim::spawn(Account::demo()).await.unwrap();
    let n = number();
    let err = client(&sim, DEMO_TOKEN)
        .click_to_call(&DialRequest {
            agent_number: "0000000000000",
            destination: &n,
            caller_id: None,
            call_timeout: None,
        })
        .await
        .unwrap_err();
    assert_eq!(err.status(), Some(200));
    assert_eq!(
        err.server_message(),
        Some("This agent_number doesn't belong to your associated agent.")
    );
    assert_eq!(err.code(), ErrorCode::Rejected);
    assert_eq!(sim.requests().len(), 1);
}

/// Injects `fault` on click_to_call, dials once, and checks exactly one request arrived.
async fn dial_with_fault(fault: Fault) -> ApiError {
    let sim = Sim::spawn(Account::demo()).await.unwrap();
    sim.inject(fault.on("/click_to_call"));
    let err = dial(&client(&sim, DEMO_TOKEN)).await.unwrap_err();
    assert_eq!(
        sim.requests_to("/click_to_call").len(),
        1,
        "a failed dial must never be resent ({err:?})"
    );
    err
}

#[tokio::test]
async fn forbidden_403() {
    let err = dial_with_fault(Fault::respond(
        403,
        r#"{"success":false,"message":"Forbidden"}"#,
    ))
    .await;
    assert_eq!(
        err,
        ApiError::Forbidden {
            message: Some("Forbidden".into())
        }
    );
    assert!(!err.outcome_unknown());
}

#[tokio::test]
async fn rate_limited_429_keeps_retry_after() {
    let err = dial_with_fault(
        Fault::respond(429, r#"{"success":false,"message":"Too many requests"}"#)
            .header("Retry-After", "7"),
    )
    .await;
    assert_eq!(
        err,
        ApiError::RateLimited {
            retry_after: Some(Duration::from_secs(7)),
            message: Some("Too many requests".into())
        }
    );
    assert!(err.to_string().contains("Try again in 7 s"));
}

#[tokio::test]
async fn a_redirect_is_not_followed() {
    let err = dial_with_fault(
        Fault::respond(307, "").header("Location", "http://127.0.0.1:9/v1/click_to_call"),
    )
    .await;
    assert_eq!(err.code(), ErrorCode::BadResponse);
    assert!(err.to_string().contains("redirect"), "{err}");
}

#[tokio::test]
async fn server_error_5xx_is_outcome_unknown() {
    let err = dial_with_fault(Fault::respond(503, "")).await;
    assert_eq!(
        err,
        ApiError::Server {
            status: 503,
            message: None
        }
    );
    assert!(err.outcome_unknown());
}

#[tokio::test]
async fn html_instead_of_json_is_outcome_unknown() {
    let err = dial_with_fault(Fault::respond(200, "<html><body>Maintenance</body></html>")).await;
    assert_eq!(err.code(), ErrorCode::BadResponse);
    assert!(err.outcome_unknown());
    assert!(err.to_string().contains("web page"));
}

#[tokio::test]
async fn garbage_and_unconfirmed_json_are_outcome_unknown() {
    let err = dial_with_fault(Fault::respond(200, "\u{1}\u{2}garbage")).await;
    assert_eq!(err.code(), ErrorCode::BadResponse);
    let err = dial_with_fault(Fault::respond(200, "{}")).await;
    assert_eq!(err.code(), ErrorCode::BadResponse);
    assert!(err.outcome_unknown());
}

#[tokio::test]
async fn slow_server_times_out_without_resending() {
    let err = dial_with_fault(Fault::delay(Duration::from_secs(3))).await;
    assert_eq!(err, ApiError::Timeout);
    assert!(err.outcome_unknown());
}

#[tokio::test]
async fn reset_mid_reply_is_outcome_unknown() {
    let err = dial_with_fault(Fault::reset()).await;
    assert_eq!(err.code(), ErrorCode::Network);
    assert!(err.outcome_unknown());
}

#[tokio::test]
async fn unreachable_server_means_nothing_was_sent() {
    // Bind, learn the port, and close it again: connecting is refused.
    let port = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap().port()
    };
    let c = Client::new(&format!("http://127.0.0.1:{port}/v1"), Secret::new("t")).unwrap();
    let err = dial(&c).await.unwrap_err();
    assert_eq!(err.code(), ErrorCode::Unreachable);
    assert!(!err.outcome_unknown());
    assert!(err.to_string().contains("Could not reach the server"));
}

#[tokio::test]
async fn users_reads_every_page() {
    let sim = Sim::spawn(Account::demo()).await.unwrap();
    let agents = client(&sim, DEMO_TOKEN).users().await.unwrap();
    let names: Vec<_> = agents.iter().map(|a| a.name.as_str()).collect();
    assert_eq!(
        names,
        [
            "Asha Rao",
            "Vikram Singh",
            "Meera Iyer",
            "Rahul Das",
            "Priya Nair"
        ]
    );
    assert_eq!(agents[0].id, "0506123456781");
    assert_eq!(agents[3].status, AgentStatus::Blocked);
    let queries: Vec<_> = sim.requests().into_iter().map(|r| r.query).collect();
    assert_eq!(queries, ["", "last_seen_id=314672", "last_seen_id=314674"]);
}

#[tokio::test]
async fn users_stops_when_a_server_repeats_its_cursor() {
    let sim = Sim::spawn(Account::demo()).await.unwrap();
    let page = r#"{"has_more":true,"last_seen_id":7,"data":[{"id":7,"name":"Loop","agent":{"id":"05x"}}]}"#;
    sim.inject(Fault::respond(200, page).on("/users").times(10));
    let agents = client(&sim, DEMO_TOKEN).users().await.unwrap();
    assert_eq!(agents.len(), 2);
    assert_eq!(sim.requests().len(), 2);
}

#[tokio::test]
async fn my_numbers_accepts_array_and_data_envelope() {
    let sim = Sim::spawn(Account::demo()).await.unwrap();
    let c = client(&sim, DEMO_TOKEN);
    let dids = c.my_numbers().await.unwrap();
    assert_eq!(dids.len(), 2);
    assert_eq!(dids[0].value, "918065000101");
    assert_eq!(dids[0].did, "+918065000101");
    assert_eq!(dids[0].name, "Sales line");
    sim.inject(
        Fault::respond(200, r#"{"data":[{"id":5,"did":"+918065000199"}]}"#).on("/my_number"),
    );
    let dids = c.my_numbers().await.unwrap();
    assert_eq!(dids[0].value, "918065000199");
    assert_eq!(dids[0].id, "5");
}

#[tokio::test]
async fn simulator_names_unknown_routes() {
    let sim = Sim::spawn(Account::demo()).await.unwrap();
    let body = reqwest::Client::new()
        .get(format!("{}/nope", sim.url()))
        .header("Authorization", "demo-token")
        .send()
        .await
        .unwrap();
    assert_eq!(body.status(), 404);
    assert!(body
        .text()
        .await
        .unwrap()
        .contains("no route for GET /v1/nope"));
}

#[tokio::test]
async fn simulator_validates_destination_length() {
    let sim = Sim::spawn(Account::demo()).await.unwrap();
    let r = reqwest::Client::new()
        .post(format!("{}/click_to_call", sim.url()))
        .header("Authorization", "demo-token")
        .json(&serde_json::json!({"agent_number": AGENT, "destination_number": "12345"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 422);
    let v: serde_json::Value = r.json().await.unwrap();
    assert!(v["destination_number"]
        .as_str()
        .unwrap()
        .contains("10 and 15 digits"));
}

mod place_call {
    use super::*;
    use clickdial_core::{place_call, DialError, DialGuard, GuardError};
    use std::time::Instant;

    #[tokio::test]
    async fn two_concurrent_dials_send_one_request() {
        let sim = Sim::spawn(Account::demo()).await.unwrap();
        sim.inject(Fault::delay(Duration::from_millis(200)).on("/click_to_call"));
        let c = client(&sim, DEMO_TOKEN);
        let guard = DialGuard::default();
        let n = number();
        let req = DialRequest {
            agent_number: AGENT,
            destination: &n,
            caller_id: None,
            call_timeout: None,
        };
        let (a, b) = tokio::join!(
            place_call(&c, &guard, &req, Instant::now),
            place_call(&c, &guard, &req, Instant::now)
        );
        let (ok, busy): (Vec<_>, Vec<_>) = [a, b].into_iter().partition(Result::is_ok);
        assert_eq!((ok.len(), busy.len()), (1, 1));
        assert!(matches!(
            busy[0],
            Err(DialError::Busy(GuardError::InFlight { .. }))
        ));
        // And a repeat right after the first finished is a bounce.
        let again = place_call(&c, &guard, &req, Instant::now).await;
        assert!(matches!(
            again,
            Err(DialError::Busy(GuardError::Repeated { .. }))
        ));
        assert_eq!(sim.requests_to("/click_to_call").len(), 1);
    }

    #[tokio::test]
    async fn unknown_outcome_blocks_a_quick_repeat_but_a_refusal_does_not() {
        let sim = Sim::spawn(Account::demo()).await.unwrap();
        let c = client(&sim, DEMO_TOKEN);
        let n = number();
        let req = DialRequest {
            agent_number: AGENT,
            destination: &n,
            caller_id: None,
            call_timeout: None,
        };

        let guard = DialGuard::default();
        sim.inject(Fault::respond(502, "").on("/click_to_call"));
        let first = place_call(&c, &guard, &req, Instant::now)
            .await
            .unwrap_err();
        assert!(first.outcome_unknown());
        assert!(first
            .to_string()
            .contains("may or may not have been placed"));
        let repeat = place_call(&c, &guard, &req, Instant::now).await;
        assert!(matches!(repeat, Err(DialError::Busy(_))));
        assert_eq!(sim.requests_to("/click_to_call").len(), 1);

        let guard = DialGuard::default();
        sim.inject(Fault::respond(429, "{}").on("/click_to_call"));
        let refused = place_call(&c, &guard, &req, Instant::now)
            .await
            .unwrap_err();
        assert!(!refused.outcome_unknown());
        assert!(refused.to_string().starts_with("The call was not placed."));
        place_call(&c, &guard, &req, Instant::now)
            .await
            .expect("a refused dial can be retried at once");
        assert_eq!(sim.requests_to("/click_to_call").len(), 3);
    }
}
