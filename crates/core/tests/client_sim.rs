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
        custom_identifier: "clickdial-test",
        agent_number: AGENT,
        destination: &n,
        caller_id: Some(DID),
        call_timeout: Some(120),
    })
    .await
}

/// An account whose preset names another host for following calls (Acefone UK): live calls,
/// call records and hang-up go there, with the same token; everything else to the base URL.
#[tokio::test]
async fn following_goes_to_the_follow_host_when_a_preset_has_one() {
    let main = Sim::spawn(Account::demo()).await.unwrap();
    let follow = Sim::spawn(Account::demo()).await.unwrap();
    let c = Client::with_options(
        &main.url(),
        Secret::new(DEMO_TOKEN),
        ClientOptions {
            follow_base: Some(follow.url()),
            ..ClientOptions::default()
        },
    )
    .unwrap();
    dial(&c).await.unwrap();
    c.users().await.unwrap();
    c.live_calls(None).await.unwrap();
    c.call_records(&clickdial_core::api::RecordQuery::default())
        .await
        .unwrap();
    let _ = c.hangup("1.1").await;
    let paths = |s: &Sim| -> Vec<String> { s.requests().into_iter().map(|r| r.path).collect() };
    let mut on_main = paths(&main);
    on_main.dedup(); // `/users` is paged
    assert_eq!(on_main, ["/v1/click_to_call", "/v1/users"]);
    assert_eq!(
        paths(&follow),
        ["/v1/live_calls", "/v1/call/records", "/v1/call/hangup"]
    );
    assert!(follow
        .requests()
        .iter()
        .all(|r| r.authorization.as_deref() == Some("Bearer demo-token")));
    // Never plain http to another machine.
    let far = Client::with_options(
        &main.url(),
        Secret::new(DEMO_TOKEN),
        ClientOptions {
            follow_base: Some("http://example.com/v1".into()),
            ..ClientOptions::default()
        },
    )
    .unwrap();
    far.live_calls(None).await.unwrap();
    assert_eq!(
        main.requests_to("/live_calls").len(),
        1,
        "stays on the base URL"
    );
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
    // With async=1 the platform has no call id yet (it comes once the agent answers).
    assert_eq!(q.call_id, None);
}

#[tokio::test]
async fn simulator_gives_a_call_id_only_to_a_synchronous_dial() {
    let sim = Sim::spawn(Account::demo()).await.unwrap();
    let post = |body: serde_json::Value| {
        let url = format!("{}/click_to_call", sim.url());
        async move {
            reqwest::Client::new()
                .post(url)
                .header("Authorization", "demo-token")
                .json(&body)
                .send()
                .await
                .unwrap()
                .json::<serde_json::Value>()
                .await
                .unwrap()
        }
    };
    let base = serde_json::json!({"agent_number": AGENT, "destination_number": "919876543210",
                                  "get_call_id": 1});
    let mut asynchronous = base.clone();
    asynchronous["async"] = serde_json::json!(1);
    let v = post(asynchronous).await;
    assert_eq!(v["success"], true);
    assert!(v["ref_id"].is_string());
    assert!(
        v.get("call_id").is_some_and(serde_json::Value::is_null),
        "{v}"
    );
    let v = post(base.clone()).await;
    assert!(
        v["call_id"].as_str().is_some_and(|c| c.len() == 36),
        "a UUID, as real accounts' live rows carry: {v}"
    );
    let mut sync = base.clone();
    sync["async"] = serde_json::json!("0");
    assert!(post(sync).await["call_id"].is_string());
    let mut no_id = base;
    no_id["get_call_id"] = serde_json::json!(0);
    assert!(post(no_id).await["call_id"].is_null());
}

#[tokio::test]
async fn the_did_digits_are_sent_as_caller_id_and_the_alias_is_refused() {
    let sim = Sim::spawn(Account::demo()).await.unwrap();
    let c = client(&sim, DEMO_TOKEN);
    let dids = c.my_numbers().await.unwrap();
    let sales = &dids[0];
    assert_eq!(sim.account().dids[0].alias, "Sales-01");
    assert_eq!(sales.value, "918065000101");
    let n = number();
    let req = |caller_id| DialRequest {
        custom_identifier: "clickdial-test",
        agent_number: AGENT,
        destination: &n,
        caller_id: Some(caller_id),
        call_timeout: None,
    };
    c.click_to_call(&req(&sales.value)).await.unwrap();
    c.click_to_call(&req(&sales.did)).await.unwrap();
    let err = c.click_to_call(&req("Sales-01")).await.unwrap_err();
    assert_eq!(
        err,
        ApiError::Rejected {
            status: 422,
            message: "Provide a vaild caller_id.".into(),
            fields: vec![("caller_id".into(), "Provide a vaild caller_id.".into())],
        }
    );
    let sent: Vec<_> = sim
        .requests_to("/click_to_call")
        .iter()
        .map(|r| r.body["caller_id"].as_str().unwrap_or_default().to_string())
        .collect();
    assert_eq!(sent, ["918065000101", "+918065000101", "Sales-01"]);
}

#[tokio::test]
async fn each_dial_sends_the_custom_identifier_it_was_given() {
    let sim = Sim::spawn(Account::demo()).await.unwrap();
    let c = client(&sim, DEMO_TOKEN);
    let n = number();
    let mut got = Vec::new();
    for id in ["clickdial-a", "clickdial-b"] {
        let q = c
            .click_to_call(&DialRequest {
                custom_identifier: id,
                agent_number: AGENT,
                destination: &n,
                caller_id: None,
                call_timeout: None,
            })
            .await
            .unwrap();
        got.push(q.custom_identifier);
    }
    assert_eq!(got, ["clickdial-a", "clickdial-b"]);
    let sent: Vec<_> = sim
        .requests_to("/click_to_call")
        .iter()
        .map(|r| r.body["custom_identifier"].clone())
        .collect();
    assert_eq!(sent, ["clickdial-a", "clickdial-b"]);
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
            custom_identifier: "clickdial-test",
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
            custom_identifier: "clickdial-test",
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
async fn an_absurd_retry_after_is_capped_at_a_day() {
    let err = dial_with_fault(
        Fault::respond(429, r#"{"success":false}"#).header("Retry-After", "18446744073709551615"),
    )
    .await;
    assert_eq!(
        err,
        ApiError::RateLimited {
            retry_after: Some(Duration::from_secs(24 * 3600)),
            message: None
        }
    );
    assert_eq!(
        err.to_string(),
        "The server is busy and asked us to slow down. Try again in 24 h."
    );
    // Too large even for a u64: still a long wait, not none.
    let err =
        dial_with_fault(Fault::respond(429, "{}").header("Retry-After", &"9".repeat(40))).await;
    assert!(err.to_string().ends_with("Try again in 24 h."), "{err}");
}

#[tokio::test]
async fn an_absurd_body_retry_after_is_capped_at_a_day() {
    for body in [
        r#"{"retry_after":18446744073709551615}"#,
        r#"{"retry_after":1e300}"#,
        r#"{"retry_after":"99999999999999999999999"}"#,
        r#"{"retry_after":"9999-12-31 23:59:59"}"#,
    ] {
        let err = dial_with_fault(Fault::respond(429, body)).await;
        assert_eq!(
            err,
            ApiError::RateLimited {
                retry_after: Some(Duration::from_secs(24 * 3600)),
                message: None
            },
            "{body}"
        );
        assert!(err.to_string().ends_with("Try again in 24 h."), "{err}");
    }
    let err = dial_with_fault(Fault::respond(429, r#"{"retry_after":90}"#)).await;
    assert!(err.to_string().ends_with("Try again in 2 min."), "{err}");
}

/// 64 MiB of one character inside a JSON message, built once for the tests that need it.
fn huge_body() -> &'static str {
    static BODY: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    BODY.get_or_init(|| {
        let mut b = String::with_capacity(64 << 20);
        b.push_str(r#"{"success":false,"message":""#);
        b.extend(std::iter::repeat_n('Z', (64 << 20) - 32));
        b.push_str(r#""}"#);
        b
    })
}

fn assert_too_large(err: &ApiError) {
    assert_eq!(
        err,
        &ApiError::BadResponse {
            status: 200,
            detail: "a reply larger than 2 MiB".into()
        }
    );
    assert!(err.outcome_unknown());
    let shown = err.to_string();
    assert!(shown.len() < 300, "{} chars", shown.len());
    assert!(!shown.contains("ZZZZ"), "{shown}");
    assert!(!format!("{err:?}").contains("ZZZZ"));
}

#[tokio::test]
async fn a_huge_reply_is_refused_by_its_length() {
    let err = dial_with_fault(Fault::respond(200, huge_body())).await;
    assert_too_large(&err);
}

#[tokio::test]
async fn a_huge_reply_without_a_length_is_cut_off_while_reading() {
    let err = dial_with_fault(Fault::respond(200, huge_body()).chunked()).await;
    assert_too_large(&err);
}

#[tokio::test]
async fn a_reply_just_under_the_cap_is_read() {
    use clickdial_core::api::MAX_REPLY_BYTES;
    let sim = Sim::spawn(Account::demo()).await.unwrap();
    let c = client(&sim, DEMO_TOKEN);
    let pad = |n: usize| {
        let head = r#"{"data":[{"id":5,"did":"+918065000199"}],"pad":""#;
        format!("{head}{}\"}}", "p".repeat(n - head.len() - 2))
    };
    for chunked in [false, true] {
        let body = pad(MAX_REPLY_BYTES);
        assert_eq!(body.len(), MAX_REPLY_BYTES);
        let f = Fault::respond(200, body).on("/my_number");
        sim.inject(if chunked { f.chunked() } else { f });
        assert_eq!(c.my_numbers().await.unwrap().len(), 1);
        let f = Fault::respond(200, pad(MAX_REPLY_BYTES + 1)).on("/my_number");
        sim.inject(if chunked { f.chunked() } else { f });
        let err = c.my_numbers().await.unwrap_err();
        assert_eq!(err.to_string(), "The server sent a reply Clickdial could not read (HTTP 200, a reply larger than 2 MiB).");
    }
}

#[tokio::test]
async fn terminal_escapes_and_bidi_in_server_text_never_come_out() {
    let nasty = r"Stop\u001b]52;c;SGVsbG8=\u0007 \u001b[2J\u001b]0;owned\u0007\u202eevil\u202c";
    let bodies = [
        (200, format!(r#"{{"success":false,"message":"{nasty}"}}"#)),
        (422, format!(r#"{{"caller_id":"{nasty}"}}"#)),
        (403, format!(r#"{{"message":"{nasty}"}}"#)),
        (429, format!(r#"{{"message":"{nasty}"}}"#)),
        (503, format!(r#"{{"error":"{nasty}"}}"#)),
    ];
    for (status, body) in bodies {
        let err = dial_with_fault(Fault::respond(status, body)).await;
        for shown in [err.to_string(), format!("{err:?}")] {
            assert!(
                !shown.contains(['\u{1b}', '\u{7}', '\u{202e}', '\u{202c}']),
                "{status}: {shown:?}"
            );
            assert!(!shown.contains("52;c"), "{status}: {shown:?}");
        }
        assert_eq!(err.server_message(), Some("Stop evil"), "{status}");
    }
    // And in what a successful dial returns.
    let sim = Sim::spawn(Account::demo()).await.unwrap();
    sim.inject(
        Fault::respond(
            200,
            format!(
                r#"{{"success":true,"message":"{nasty}","ref_id":"r-\u001b[2J1","call_id":"{}"}}"#,
                "9".repeat(100)
            ),
        )
        .on("/click_to_call"),
    );
    let q = dial(&client(&sim, DEMO_TOKEN)).await.unwrap();
    assert_eq!(q.message, "Stop evil");
    assert_eq!(q.ref_id.as_deref(), Some("r-1"));
    assert_eq!(q.call_id.map(|c| c.chars().count()), Some(65));
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
    // The demo signs in as Asha Rao: her portal login is the demo email.
    assert_eq!(agents[0].login.as_deref(), Some(clickdial_sim::DEMO_EMAIL));
    assert_eq!(
        agents[1].login.as_deref(),
        Some("vikram@demo.clickdial.invalid")
    );

    // A large team (issue 9 asks for 300): every page read, every agent once.
    sim.add_agents(300);
    let team = client(&sim, DEMO_TOKEN).users().await.unwrap();
    assert_eq!(team.len(), 305);
    let ids: std::collections::HashSet<_> = team.iter().map(|a| a.id.as_str()).collect();
    assert_eq!(ids.len(), 305);
    assert_eq!(team[304].name, "Team member 304");
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
    assert_eq!(dids[1].value, "918065000102");
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
