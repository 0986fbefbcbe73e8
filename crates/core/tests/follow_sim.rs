//! The client's call-following endpoints against the simulator's call lifecycle on loopback:
//! `/v1/live_calls` (stages, filters, the real field shapes), `/v1/call/hangup`,
//! `/v1/call/records` (outcomes, paging, filters, delay, 403) and agent block / unblock.

use std::time::Duration;

use clickdial_core::api::{AgentStatus, LiveState, Outcome, RecordQuery};
use clickdial_core::{ApiError, Client, DialRequest, Number, Region, Secret};
use clickdial_sim::{Account, Answer, CallTimings, Shapes, Sim, DEMO_TOKEN};

const AGENT: &str = "0506123456781";
const AGENT_MOBILE: &str = "+919810000001";
const DID: &str = "918065000101";

/// These tests pin the docs sample's shapes (`tests/real_shapes.rs` of the simulator pins the
/// default, real ones).
async fn docs_sim(account: Account) -> Sim {
    let sim = Sim::spawn(account).await.unwrap();
    sim.set_shapes(Shapes::docs_sample());
    sim
}

fn client(sim: &Sim) -> Client {
    Client::new(&sim.url(), Secret::new(DEMO_TOKEN)).unwrap()
}

fn timings(agent_ms: u64, customer_ms: u64, talk_ms: u64) -> CallTimings {
    clickdial_testkit::timings(agent_ms, customer_ms, talk_ms, 100)
}

async fn dial(c: &Client, number: &str, agent: &str) -> String {
    let n = Number::parse(number, Region::INDIA).unwrap();
    c.click_to_call(&DialRequest {
        custom_identifier: "clickdial-follow",
        agent_number: agent,
        destination: &n,
        caller_id: Some(DID),
        call_timeout: None,
    })
    .await
    .unwrap()
    .ref_id
    .unwrap()
}

async fn sleep(ms: u64) {
    tokio::time::sleep(Duration::from_millis(ms)).await;
}

#[tokio::test]
async fn live_calls_show_each_leg_then_the_record_tells_the_end() {
    let sim = docs_sim(Account::demo()).await;
    sim.set_timings(CallTimings {
        cdr_delay: Duration::from_millis(400),
        ..timings(500, 500, 1000)
    });
    let c = client(&sim);
    assert!(
        c.live_calls(None).await.unwrap().is_empty(),
        "no call, empty list"
    );
    let ref_id = dial(&c, "+91 98765 43210", AGENT).await;

    let rows = c.live_calls(None).await.unwrap();
    assert_eq!(rows.len(), 1);
    let r = &rows[0];
    let call_id = r.call_id.clone().unwrap();
    assert_ne!(call_id, ref_id);
    assert_eq!(r.state, LiveState::Ringing);
    assert_eq!(
        r.customer.as_deref(),
        Some("9876543210"),
        "ten digits, as the platform writes it"
    );
    assert_eq!(
        r.destinations,
        vec!["919810000001"],
        "only the agent's leg rings"
    );
    assert!(r.is_to("919876543210"));
    assert_eq!(r.did.as_deref(), Some(DID));
    assert_eq!(r.agent_name.as_deref(), Some("Asha Rao"));
    assert_eq!(r.direction, Some(2));
    let created = r.created_at.unwrap();
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64;
    assert!(
        (now - created).abs() <= 2,
        "created_at is IST wall time: {created} vs {now}"
    );

    sleep(600).await;
    let r = c.live_calls(None).await.unwrap().remove(0);
    assert_eq!(r.state, LiveState::Ringing);
    assert_eq!(
        r.destinations,
        vec!["919810000001", "919876543210"],
        "the customer's leg"
    );
    sleep(500).await;
    let r = c.live_calls(None).await.unwrap().remove(0);
    assert_eq!(r.state, LiveState::Answered);
    assert!(
        c.call_records(&RecordQuery {
            call_id: Some(call_id.clone()),
            ..RecordQuery::default()
        })
        .await
        .unwrap()
        .records
        .is_empty(),
        "no record while live"
    );
    sleep(1000).await;
    assert!(
        c.live_calls(None).await.unwrap().is_empty(),
        "gone once ended"
    );
    let early = c
        .call_records(&RecordQuery {
            call_id: Some(call_id.clone()),
            ..RecordQuery::default()
        })
        .await
        .unwrap();
    assert!(
        early.records.is_empty(),
        "a record takes a moment to appear"
    );
    sleep(400).await;
    let page = c
        .call_records(&RecordQuery {
            call_id: Some(call_id.clone()),
            ..RecordQuery::default()
        })
        .await
        .unwrap();
    assert_eq!(page.total, Some(1));
    let rec = &page.records[0];
    assert_eq!(rec.outcome, Outcome::Answered);
    assert_eq!(rec.ref_id.as_deref(), Some(ref_id.as_str()));
    assert_eq!(rec.custom_identifier.as_deref(), Some("clickdial-follow"));
    assert_eq!(rec.customer.as_deref(), Some("919876543210"));
    assert_eq!(rec.agent.as_deref(), Some(AGENT));
    assert_eq!(rec.duration_s, Some(2), "whole seconds");
    assert_eq!(
        rec.talk_s,
        Some(1),
        "a string on the wire, read as a number"
    );
    assert_eq!(
        rec.description.as_deref(),
        Some("Call answered by customer")
    );
    assert_eq!(rec.hangup_cause.as_deref(), Some("NORMAL_CLEARING"));
}

#[tokio::test]
async fn every_outcome_from_the_agent_and_the_customer() {
    let sim = docs_sim(Account::demo()).await;
    sim.set_timings(timings(100, 100, 100));
    let c = client(&sim);
    let agents = [
        "0506123456781",
        "0506123456782",
        "0506123456783",
        "0506123456785",
    ];
    sim.set_agent_answer(agents[1], Answer::NoAnswer);
    sim.set_agent_answer(agents[2], Answer::Busy);
    sim.set_agent_answer(agents[3], Answer::Offline);
    let cases = [
        ("+91 98765 00486", agents[0], Outcome::Busy),
        ("+91 98765 00408", agents[0], Outcome::Missed),
        ("+91 98765 00404", agents[0], Outcome::Failed),
        ("+91 98765 00001", agents[1], Outcome::AgentMissed),
        ("+91 98765 00002", agents[2], Outcome::Busy),
        ("+91 98765 00003", agents[3], Outcome::Failed),
        ("+91 98765 00004", agents[0], Outcome::Answered),
    ];
    for (number, agent, _) in cases {
        dial(&c, number, agent).await;
    }
    sleep(600).await;
    let page = c
        .call_records(&RecordQuery {
            limit: 100,
            ..RecordQuery::default()
        })
        .await
        .unwrap();
    assert_eq!(page.records.len(), cases.len());
    for (number, _, want) in cases {
        let digits: String = number.chars().filter(char::is_ascii_digit).collect();
        let rec = page
            .records
            .iter()
            .find(|r| r.customer.as_deref() == Some(digits.as_str()))
            .unwrap();
        assert_eq!(rec.outcome, want, "{number}: {rec:?}");
    }
    // Newest first.
    assert_eq!(page.records[0].customer.as_deref(), Some("919876500004"));
}

#[tokio::test]
async fn hang_up_by_call_id_only() {
    let sim = docs_sim(Account::demo()).await;
    sim.set_timings(timings(100, 100, 60_000));
    let c = client(&sim);
    let ref_id = dial(&c, "+91 98765 43210", AGENT).await;
    sleep(250).await;
    let live = c.live_calls(None).await.unwrap().remove(0);
    assert_eq!(live.state, LiveState::Answered);
    let call_id = live.call_id.unwrap();

    // The ref_id is refused, a made-up id is not found: both are rejections under HTTP 200.
    match c.hangup(&ref_id).await {
        Err(ApiError::Rejected { message, .. }) => assert_eq!(message, "Invalid call_id"),
        other => panic!("{other:?}"),
    }
    match c.hangup("1.2").await {
        Err(ApiError::Rejected { message, .. }) => assert_eq!(message, "Call not found"),
        other => panic!("{other:?}"),
    }
    assert_eq!(
        c.hangup(&call_id).await.unwrap(),
        "Call hangup successfully"
    );
    assert!(c.live_calls(None).await.unwrap().is_empty());
    assert!(
        matches!(c.hangup(&call_id).await, Err(ApiError::Rejected { .. })),
        "already ended"
    );
    sleep(150).await;
    let rec = c
        .call_records(&RecordQuery::default())
        .await
        .unwrap()
        .records
        .remove(0);
    assert_eq!(rec.outcome, Outcome::Answered);
    assert_eq!(rec.reason.as_deref(), Some("Call Disconnected By Caller"));

    // While the agent's phone rings: cancelled.
    sim.set_timings(timings(60_000, 100, 100));
    dial(&c, "+91 98765 11111", AGENT).await;
    let id = c.live_calls(None).await.unwrap().remove(0).call_id.unwrap();
    c.hangup(&id).await.unwrap();
    sleep(150).await;
    let rec = c
        .call_records(&RecordQuery::default())
        .await
        .unwrap()
        .records
        .remove(0);
    assert_eq!(rec.outcome, Outcome::Cancelled);
    let bodies = sim.requests_to("/call/hangup");
    assert_eq!(bodies[0].body, serde_json::json!({"call_id": ref_id}));
}

#[tokio::test]
async fn live_call_filters_and_record_queries() {
    let sim = docs_sim(Account::demo()).await;
    sim.set_timings(timings(60_000, 100, 100));
    let c = client(&sim);
    dial(&c, "+91 98765 00001", AGENT).await;
    dial(&c, "+91 98765 00002", "0506123456782").await;
    // By EID or by the agent's mobile, with or without +.
    for filter in [AGENT, AGENT_MOBILE, "919810000001"] {
        let rows = c.live_calls(Some(filter)).await.unwrap();
        assert_eq!(rows.len(), 1, "{filter}");
        assert_eq!(rows[0].customer.as_deref(), Some("9876500001"));
    }
    let all = c.live_calls(None).await.unwrap();
    assert_eq!(
        all[0].customer.as_deref(),
        Some("9876500002"),
        "newest first"
    );
    assert!(c.live_calls(Some("0000")).await.unwrap().is_empty());

    // Records: paging, the customer filter, dates (IST) and the delay.
    sim.set_timings(timings(10, 10, 10));
    for i in 0..5 {
        dial(&c, &format!("+91 98765 1000{i}"), AGENT).await;
    }
    sleep(300).await;
    let q = |page, limit| RecordQuery {
        page,
        limit,
        ..RecordQuery::default()
    };
    let p1 = c.call_records(&q(1, 2)).await.unwrap();
    let p3 = c.call_records(&q(3, 2)).await.unwrap();
    assert_eq!(
        (p1.total, p1.records.len()),
        (Some(5), 2),
        "the two ringing calls have no record"
    );
    assert_eq!(p3.records.len(), 1);
    assert_eq!(
        p3.records[0].customer.as_deref(),
        Some("919876510000"),
        "oldest last"
    );
    let by_number = c
        .call_records(&RecordQuery {
            customer: Some("9876510003".into()),
            ..q(1, 20)
        })
        .await
        .unwrap();
    assert_eq!(by_number.records.len(), 1);
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64;
    let future = c
        .call_records(&RecordQuery {
            from_unix: Some(now + 3600),
            ..q(1, 20)
        })
        .await
        .unwrap();
    assert_eq!(future.total, Some(0));
    let past = c
        .call_records(&RecordQuery {
            from_unix: Some(now - 3600),
            to_unix: Some(now + 60),
            ..q(1, 20)
        })
        .await
        .unwrap();
    assert_eq!(past.total, Some(5));
}

/// Under HTTP 200, only an explicit "nothing" is an empty list: an error object is not read
/// as "no calls" (that would end every followed call).
#[tokio::test]
async fn an_odd_live_calls_reply_is_not_an_empty_list() {
    let sim = docs_sim(Account::demo()).await;
    let c = client(&sim);
    sim.inject(clickdial_sim::Fault::respond(200, r#"{"message":"busy"}"#).on("/live_calls"));
    assert!(matches!(
        c.live_calls(None).await,
        Err(ApiError::BadResponse { .. })
    ));
    sim.inject(clickdial_sim::Fault::respond(200, r#"{"data":null}"#).on("/live_calls"));
    assert!(c.live_calls(None).await.unwrap().is_empty());
    sim.inject(
        clickdial_sim::Fault::respond(200, r#"{"data":[{"call_id":"1.1","state":"Ringing"}]}"#)
            .on("/live_calls"),
    );
    assert_eq!(
        c.live_calls(None).await.unwrap()[0].call_id.as_deref(),
        Some("1.1")
    );
}

#[tokio::test]
async fn records_forbidden_and_availability() {
    let sim = docs_sim(Account {
        cdr_forbidden_tokens: vec![DEMO_TOKEN.into()],
        ..Account::demo()
    })
    .await;
    let c = client(&sim);
    assert!(matches!(
        c.call_records(&RecordQuery::default()).await,
        Err(ApiError::Forbidden { .. })
    ));

    let status = |agents: Vec<clickdial_core::api::Agent>| {
        agents.into_iter().find(|a| a.id == AGENT).unwrap().status
    };
    assert_eq!(status(c.users().await.unwrap()), AgentStatus::Enabled);
    assert_eq!(
        c.set_available(AGENT, false).await.unwrap(),
        "Agent blocked successfully"
    );
    assert_eq!(status(c.users().await.unwrap()), AgentStatus::Blocked);
    assert_eq!(
        c.set_available(AGENT, true).await.unwrap(),
        "Agent unblocked successfully"
    );
    assert_eq!(status(c.users().await.unwrap()), AgentStatus::Enabled);
    assert_eq!(sim.requests_to("/v1/agent/0506123456781/block").len(), 1);
    // An unknown agent: the server's 404; an ID that would change the path never leaves.
    assert!(matches!(
        c.set_available("0000", true).await,
        Err(ApiError::Rejected { status: 404, .. })
    ));
    let before = sim.requests().len();
    for hostile in ["../users", "a/b", "", "x?y=1", "05 06"] {
        assert!(
            c.set_available(hostile, false).await.is_err(),
            "{hostile:?}"
        );
    }
    assert_eq!(
        sim.requests().len(),
        before,
        "nothing sent for an unsafe ID"
    );
}
