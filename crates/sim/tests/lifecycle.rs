//! The simulator's call lifecycle over HTTP, as a client sees it: `/v1/live_calls` (stages,
//! fields, filters, order), `/v1/call/hangup`, `/v1/call/records` (outcomes, paging, filters,
//! dates, delay, 403), `/v1/agent/{eid}/block|unblock`, and the `/__sim/timings`,
//! `/__sim/agent` and `/__sim/calls` controls.

use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use clickdial_sim::{Account, Answer, CallTimings, Shapes, Sim, DEMO_TOKEN};
use serde_json::{json, Value};

const ASHA: &str = "0506123456781";
const ASHA_MOBILE: &str = "+919810000001";
const VIKRAM: &str = "0506123456782";
const MEERA: &str = "0506123456783";
const RAHUL: &str = "0506123456784";
const PRIYA: &str = "0506123456785";
const SALES: &str = "918065000101";
const SUPPORT: &str = "918065000102";

fn ms(agent: u64, customer: u64, talk: u64, cdr: u64) -> CallTimings {
    CallTimings {
        agent_ring: Duration::from_millis(agent),
        customer_ring: Duration::from_millis(customer),
        talk: Duration::from_millis(talk),
        cdr_delay: Duration::from_millis(cdr),
    }
}

struct T {
    sim: Sim,
    http: reqwest::Client,
    token: String,
}

impl T {
    async fn new(timings: CallTimings) -> T {
        T::with(Account::demo(), timings).await
    }

    /// The docs sample's shapes, which these tests pin; `real_shapes.rs` pins the default.
    async fn with(account: Account, timings: CallTimings) -> T {
        let sim = Sim::spawn(Account { timings, ..account }).await.unwrap();
        sim.set_shapes(Shapes::docs_sample());
        T {
            sim,
            http: reqwest::Client::new(),
            token: DEMO_TOKEN.to_string(),
        }
    }

    fn url(&self, path: &str) -> String {
        if path.starts_with("/__sim") {
            format!("http://{}{path}", self.sim.addr())
        } else {
            format!("{}{path}", self.sim.url())
        }
    }

    async fn send(&self, req: reqwest::RequestBuilder) -> (u16, Value) {
        let resp = req
            .header("Authorization", format!("Bearer {}", self.token))
            .send()
            .await
            .unwrap();
        let status = resp.status().as_u16();
        (status, resp.json().await.unwrap())
    }

    async fn get(&self, path: &str, query: &[(&str, &str)]) -> (u16, Value) {
        self.send(self.http.get(self.url(path)).query(query)).await
    }

    async fn post(&self, path: &str, body: Option<Value>) -> (u16, Value) {
        let req = self.http.post(self.url(path));
        self.send(match body {
            Some(b) => req.json(&b),
            None => req,
        })
        .await
    }

    /// Queues a call as the app does (`async=1`) and returns the reply.
    async fn try_dial(&self, agent: &str, number: &str, caller_id: Option<&str>) -> Value {
        let mut body = json!({"agent_number": agent, "destination_number": number, "async": "1",
                              "custom_identifier": format!("crm-{number}")});
        if let Some(c) = caller_id {
            body["caller_id"] = json!(c);
        }
        let (status, reply) = self.post("/click_to_call", Some(body)).await;
        assert_eq!(status, 200, "{reply}");
        reply
    }

    /// Queues a call and returns its `ref_id`.
    async fn dial(&self, agent: &str, number: &str, caller_id: Option<&str>) -> String {
        let reply = self.try_dial(agent, number, caller_id).await;
        assert_eq!(reply["success"], true, "{reply}");
        assert_eq!(reply["call_id"], Value::Null, "async=1 has no call id yet");
        reply["ref_id"].as_str().unwrap().to_string()
    }

    async fn live(&self, query: &[(&str, &str)]) -> Vec<Value> {
        let (status, body) = self.get("/live_calls", query).await;
        assert_eq!(status, 200, "{body}");
        body.as_array().expect("a bare array").clone()
    }

    async fn records(&self, query: &[(&str, &str)]) -> Value {
        let (status, body) = self.get("/call/records", query).await;
        assert_eq!(status, 200, "{body}");
        body
    }

    /// Waits until `/call/records` with `query` counts `n` rows.
    async fn records_when(&self, query: &[(&str, &str)], n: u64) -> Value {
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            let page = self.records(query).await;
            if page["count"] == n {
                return page;
            }
            assert!(Instant::now() < deadline, "still {page}");
            sleep(20).await;
        }
    }

    async fn sim_calls(&self) -> Vec<Value> {
        let (status, body) = self.get("/__sim/calls", &[]).await;
        assert_eq!(status, 200);
        body.as_array().unwrap().clone()
    }

    /// Waits until the call to `customer` reaches `stage` in `/__sim/calls`.
    async fn stage_when(&self, customer: &str, stage: &str) -> Value {
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            let calls = self.sim_calls().await;
            let call = calls.iter().find(|c| c["customer"] == customer).unwrap();
            if call["stage"] == stage {
                return call.clone();
            }
            assert!(Instant::now() < deadline, "still {call}");
            sleep(10).await;
        }
    }

    async fn agent_status(&self, eid: &str) -> Value {
        let (status, body) = self.get("/users", &[("limit", "100")]).await;
        assert_eq!(status, 200);
        let agent = body["data"]
            .as_array()
            .unwrap()
            .iter()
            .find(|u| u["agent"]["id"] == eid)
            .unwrap();
        agent["agent"]["status"].clone()
    }
}

async fn sleep(ms: u64) {
    tokio::time::sleep(Duration::from_millis(ms)).await;
}

fn ist(t: SystemTime) -> String {
    clickdial_core::clock::format_ist(t.duration_since(UNIX_EPOCH).unwrap().as_secs() as i64)
}

fn customers(rows: &[Value], key: &str) -> Vec<String> {
    rows.iter()
        .map(|r| r[key].as_str().unwrap().to_string())
        .collect()
}

#[tokio::test]
async fn a_call_rings_the_agent_then_the_customer_then_talks_and_leaves_a_record() {
    let t = T::new(ms(1000, 1000, 1200, 150)).await;
    assert!(t.live(&[]).await.is_empty());
    let ref_id = t.dial(ASHA, "919876543210", Some(SUPPORT)).await;

    let rows = t.live(&[]).await;
    assert_eq!(rows.len(), 1);
    let r = &rows[0];
    let call_id = r["call_id"]
        .as_str()
        .expect("call_id is a string")
        .to_string();
    let (epoch, seq) = call_id.split_once('.').unwrap();
    assert!(epoch.parse::<u64>().unwrap() > 1_700_000_000);
    assert!(seq.parse::<u64>().is_ok());
    assert!(r["id"].is_u64(), "id is a number: {r}");
    assert_eq!(r["user_id"], 314671);
    assert_eq!(r["client_id"], Value::Null);
    assert_eq!(r["direction"], 2);
    assert_eq!(r["source"], "+918065000102");
    assert_eq!(r["did"], "+918065000102");
    assert_eq!(r["type"], "click-to-call");
    assert_eq!(r["multiple_destination_type"], "c2c");
    assert_eq!(r["multiple_destination_name"], "SIP/+919810000001");
    assert_eq!(r["state"], "Ringing");
    assert_eq!(r["destination"], ASHA_MOBILE, "only the agent's leg rings");
    assert_eq!(r["queue_state"], Value::Null);
    assert!(r["channel_id"].as_str().unwrap().starts_with("SIP/"));
    let created = r["created_at"].as_str().unwrap().to_string();
    assert_eq!(created.len(), 19, "{created}");
    assert_eq!(&created[10..11], " ");
    assert_eq!(r["sip_domain"], "10.0.0.1");
    assert_eq!(r["broadcast_id"], Value::Null);
    assert_eq!(r["broadcast_no"], Value::Null);
    assert_eq!(r["call_time"], "00:00:00");
    assert_eq!(r["agent_name"], "Asha Rao");
    assert_eq!(r["customer_number"], "9876543210");
    let calls = t.sim_calls().await;
    assert_eq!(calls.len(), 1);
    assert_eq!(
        calls[0],
        json!({"call_id": call_id, "ref_id": ref_id, "customer": "919876543210",
               "agent": ASHA, "stage": "agent_ringing", "status": null})
    );

    // Watch the stages go by until the call leaves the list.
    let mut seen: Vec<(String, String)> = Vec::new();
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let rows = t.live(&[]).await;
        let Some(r) = rows.first() else { break };
        assert_eq!(r["call_id"], call_id.as_str());
        let now = (
            r["state"].as_str().unwrap().to_string(),
            r["destination"].as_str().unwrap().to_string(),
        );
        if seen.last() != Some(&now) {
            seen.push(now);
        }
        assert!(Instant::now() < deadline);
        sleep(20).await;
    }
    let both = "+919810000001,+919876543210".to_string();
    assert_eq!(
        seen,
        [
            ("Ringing".to_string(), ASHA_MOBILE.to_string()),
            ("Ringing".to_string(), both.clone()),
            ("Answered".to_string(), both),
        ]
    );

    let page = t.records_when(&[], 1).await;
    assert_eq!(
        (page["size"].clone(), page["page"].clone()),
        (json!(1), json!(1))
    );
    let rec = &page["results"][0];
    assert_eq!(rec["call_id"], call_id.as_str());
    assert_eq!(rec["ref_id"], ref_id.as_str());
    assert_eq!(rec["custom_identifier"], "crm-919876543210");
    assert_eq!(rec["status"], "answered");
    assert_eq!(rec["direction"], "outbound");
    assert_eq!(rec["service"], "Click to Call");
    assert_eq!(rec["description"], "Call answered by customer");
    assert_eq!(rec["reason"], "Call Disconnected By Callee");
    assert_eq!(rec["hangup_cause"], "NORMAL_CLEARING");
    assert_eq!(rec["hangup_cause_code"], "16");
    assert_eq!(rec["call_duration"], 3, "3.2 s, rounded down");
    assert_eq!(
        rec["answered_seconds"], "1",
        "a string, as the platform sends it"
    );
    assert_eq!(rec["agent_ring_time"], "1");
    assert_eq!(rec["agent_number"], ASHA);
    assert_eq!(rec["agent_name"], "Asha Rao");
    assert_eq!(rec["client_number"], "+919876543210");
    assert_eq!(rec["did_number"], "+918065000102");
    assert_eq!(
        rec["recording_url"],
        format!("https://customer.servetel.in/file/recording?callId={call_id}&type=rec&token=sim")
    );
    let id = rec["id"].as_str().unwrap();
    assert_eq!(id.len(), 24);
    assert!(id
        .chars()
        .all(|c| c.is_ascii_hexdigit() && !c.is_ascii_uppercase()));
    let uuid = rec["uuid"].as_str().unwrap();
    assert_eq!((uuid.len(), &uuid[14..15]), (36, "4"), "{uuid}");
    assert_eq!(
        format!(
            "{} {}",
            rec["date"].as_str().unwrap(),
            rec["time"].as_str().unwrap()
        ),
        created
    );
    let end = rec["end_stamp"].as_str().unwrap();
    assert_eq!(end.len(), 19);
    assert!(end > created.as_str(), "{end} after {created}");
    // Stable: the same row on a second read.
    assert_eq!(t.records(&[]).await["results"][0], *rec);
    let calls = t.sim_calls().await;
    assert_eq!(
        (calls[0]["stage"].clone(), calls[0]["status"].clone()),
        (json!("ended"), json!("answered"))
    );
}

#[tokio::test]
async fn every_outcome_of_the_agent_and_the_customer_reaches_the_record() {
    let t = T::new(ms(60, 60, 60, 30)).await;
    t.sim.set_agent_answer(VIKRAM, Answer::NoAnswer);
    let (status, body) = t
        .post(
            "/__sim/agent",
            Some(json!({"eid": MEERA, "answer": "busy"})),
        )
        .await;
    assert_eq!((status, body), (200, json!({"ok": true})));
    assert!(t.sim.set_agent_answer(PRIYA, Answer::Offline));
    // (customer, agent) → (status, cause, code, reason, description, agent ring time)
    let cases = [
        (
            "919876500001",
            ASHA,
            (
                "answered",
                "NORMAL_CLEARING",
                "16",
                "Call Disconnected By Callee",
                "Call answered by customer",
                "0",
            ),
        ),
        (
            "919876500486",
            ASHA,
            ("missed", "USER_BUSY", "17", "busy", "Customer busy", "0"),
        ),
        (
            "919876500408",
            ASHA,
            (
                "missed",
                "NO_ANSWER",
                "19",
                "noanswer",
                "Call missed by customer",
                "0",
            ),
        ),
        (
            "919876500404",
            ASHA,
            (
                "missed",
                "SUBSCRIBER_ABSENT",
                "20",
                "unreachable",
                "Customer unreachable",
                "0",
            ),
        ),
        (
            "919876500002",
            VIKRAM,
            (
                "missed",
                "NO_ANSWER",
                "19",
                "noanswer",
                "Call missed by agent",
                "N.A.",
            ),
        ),
        (
            "919876500003",
            MEERA,
            ("missed", "USER_BUSY", "17", "busy", "Agent busy", "N.A."),
        ),
        (
            "919876500004",
            PRIYA,
            (
                "missed",
                "SUBSCRIBER_ABSENT",
                "20",
                "unreachable",
                "Agent unreachable",
                "N.A.",
            ),
        ),
    ];
    for (number, agent, _) in cases {
        t.dial(agent, number, None).await;
    }
    let page = t.records_when(&[], cases.len() as u64).await;
    let rows = page["results"].as_array().unwrap();
    for (number, agent, (status, cause, code, reason, description, rang)) in cases {
        let rec = rows
            .iter()
            .find(|r| r["client_number"] == format!("+{number}"))
            .unwrap();
        let got = (
            rec["status"].as_str().unwrap(),
            rec["hangup_cause"].as_str().unwrap(),
            rec["hangup_cause_code"].as_str().unwrap(),
            rec["reason"].as_str().unwrap(),
            rec["description"].as_str().unwrap(),
            rec["agent_ring_time"].as_str().unwrap(),
        );
        assert_eq!(
            got,
            (status, cause, code, reason, description, rang),
            "{number}"
        );
        assert_eq!(rec["agent_number"], agent);
        assert_eq!(
            rec["did_number"], "+918065000101",
            "the first DID when none is sent"
        );
        assert_eq!(
            rec["recording_url"].is_string(),
            status == "answered",
            "{rec}"
        );
        if status == "missed" {
            assert_eq!(rec["answered_seconds"], "0");
        }
    }
    let statuses: Vec<Value> = t
        .sim_calls()
        .await
        .iter()
        .map(|c| c["status"].clone())
        .collect();
    assert_eq!(statuses.iter().filter(|s| **s == "answered").count(), 1);
    assert_eq!(statuses.iter().filter(|s| **s == "missed").count(), 6);
}

#[tokio::test]
async fn hang_up_by_call_id_ends_a_connected_or_ringing_call() {
    let t = T::new(ms(50, 50, 60_000, 0)).await;
    t.dial(ASHA, "919876543210", None).await;
    t.stage_when("919876543210", "connected").await;
    sleep(1100).await;
    let live = t.live(&[]).await;
    assert_eq!(live[0]["state"], "Answered");
    let connected = live[0]["call_id"].as_str().unwrap().to_string();
    let (status, body) = t
        .post("/call/hangup", Some(json!({"call_id": connected})))
        .await;
    assert_eq!(
        (status, body),
        (
            200,
            json!({"success": true, "message": "Call hangup successfully"})
        )
    );
    assert!(t.live(&[]).await.is_empty());
    let rec = t.records_when(&[("call_id", &connected)], 1).await["results"][0].clone();
    assert_eq!(rec["status"], "answered");
    assert_eq!(rec["reason"], "Call Disconnected By Caller");
    assert_eq!(rec["hangup_cause"], "NORMAL_CLEARING");
    assert_eq!(rec["hangup_cause_code"], "16");
    assert_eq!(rec["answered_seconds"], "1", "the talk so far");
    assert_eq!(rec["call_duration"], 1);
    // Once ended, the call is not found any more.
    let (status, body) = t
        .post("/call/hangup", Some(json!({"call_id": connected})))
        .await;
    assert_eq!(
        (status, body),
        (200, json!({"success": false, "message": "Call not found"}))
    );

    // Still ringing the agent: cancelled.
    t.sim.set_timings(ms(60_000, 60_000, 60_000, 0));
    let ref_id = t.dial(VIKRAM, "919876543211", None).await;
    let ringing = t
        .live(&[])
        .await
        .first()
        .map(|r| r["call_id"].as_str().unwrap().to_string())
        .unwrap();
    // A ref_id is refused, and the call goes on.
    let (status, body) = t
        .post("/call/hangup", Some(json!({"call_id": ref_id})))
        .await;
    assert_eq!(
        (status, body),
        (200, json!({"success": false, "message": "Invalid call_id"}))
    );
    assert_eq!(t.live(&[]).await.len(), 1);
    let (_, body) = t
        .post("/call/hangup", Some(json!({"call_id": ringing})))
        .await;
    assert_eq!(body["success"], true);
    assert!(t.live(&[]).await.is_empty());
    let rec = t.records_when(&[("call_id", &ringing)], 1).await["results"][0].clone();
    assert_eq!(rec["status"], "missed");
    assert_eq!(rec["reason"], "Call Disconnected By Caller");
    assert_eq!(rec["description"], "Call cancelled by agent");
    assert_eq!(rec["hangup_cause_code"], "16");
    assert_eq!(rec["agent_ring_time"], "N.A.");
    assert_eq!(rec["recording_url"], Value::Null);

    let (status, body) = t
        .post("/call/hangup", Some(json!({"call_id": "1714657799.1"})))
        .await;
    assert_eq!(
        (status, body),
        (200, json!({"success": false, "message": "Call not found"}))
    );
    for missing in [json!({}), json!({"call_id": ""})] {
        let (status, body) = t.post("/call/hangup", Some(missing)).await;
        assert_eq!(
            (status, body),
            (422, json!({"call_id": "The call id field is required."}))
        );
    }
}

#[tokio::test]
async fn live_calls_are_newest_first_and_filtered() {
    let t = T::new(ms(60_000, 60_000, 60_000, 0)).await;
    t.dial(ASHA, "919876500001", Some(SALES)).await;
    t.dial(VIKRAM, "919876500002", Some(SUPPORT)).await;
    t.dial(ASHA_MOBILE, "919876500003", None).await;
    let all = t.live(&[]).await;
    assert_eq!(
        customers(&all, "customer_number"),
        ["9876500003", "9876500002", "9876500001"]
    );
    let ids: Vec<u64> = all.iter().map(|r| r["id"].as_u64().unwrap()).collect();
    assert!(ids[0] > ids[1] && ids[1] > ids[2], "{ids:?}");
    let asha = ["9876500003", "9876500001"];
    for by in [ASHA, ASHA_MOBILE, "919810000001"] {
        assert_eq!(
            customers(&t.live(&[("agent_number", by)]).await, "customer_number"),
            asha,
            "{by}"
        );
    }
    assert!(t.live(&[("agent_number", PRIYA)]).await.is_empty());
    let vikram_call = all[1]["call_id"].as_str().unwrap();
    let one = t.live(&[("call_id", vikram_call)]).await;
    assert_eq!(customers(&one, "customer_number"), ["9876500002"]);
    assert_eq!(one[0]["agent_name"], "Vikram Singh");
    assert!(t.live(&[("call_id", "1.2")]).await.is_empty());
    assert_eq!(
        customers(&t.live(&[("did_number", SUPPORT)]).await, "customer_number"),
        ["9876500002"]
    );
    assert_eq!(
        customers(
            &t.live(&[("did_number", "+918065000101")]).await,
            "customer_number"
        ),
        asha
    );
    // Filters combine.
    assert!(t
        .live(&[("agent_number", ASHA), ("did_number", SUPPORT)])
        .await
        .is_empty());
    // The token is checked as on every route.
    let resp = t.http.get(t.url("/live_calls")).send().await.unwrap();
    assert_eq!(resp.status().as_u16(), 401);
}

#[tokio::test]
async fn records_page_filter_by_date_wait_for_the_delay_and_may_be_forbidden() {
    let t = T::new(ms(0, 0, 0, 0)).await;
    for n in 1..=5 {
        t.dial(ASHA, &format!("91987650000{n}"), None).await;
    }
    let page = t.records_when(&[("limit", "2")], 5).await;
    assert_eq!(
        (
            page["limit"].clone(),
            page["size"].clone(),
            page["page"].clone()
        ),
        (json!(2), json!(2), json!(1))
    );
    let results = page["results"].as_array().unwrap();
    assert_eq!(
        customers(results, "client_number"),
        ["+919876500005", "+919876500004"]
    );
    let p3 = t.records(&[("limit", "2"), ("page", "3")]).await;
    assert_eq!(
        (p3["count"].clone(), p3["size"].clone(), p3["page"].clone()),
        (json!(5), json!(1), json!(3))
    );
    assert_eq!(
        customers(p3["results"].as_array().unwrap(), "client_number"),
        ["+919876500001"]
    );
    let p4 = t.records(&[("limit", "2"), ("page", "4")]).await;
    assert_eq!(
        (p4["size"].clone(), p4["results"].clone()),
        (json!(0), json!([]))
    );
    let defaults = t.records(&[]).await;
    assert_eq!(
        (
            defaults["limit"].clone(),
            defaults["page"].clone(),
            defaults["size"].clone()
        ),
        (json!(20), json!(1), json!(5))
    );
    assert_eq!(t.records(&[("limit", "5000")]).await["limit"], 1000);

    let third = results[0]["call_id"].as_str().unwrap().to_string();
    let by_id = t.records(&[("call_id", &third)]).await;
    assert_eq!(
        (
            by_id["count"].clone(),
            by_id["results"][0]["call_id"].clone()
        ),
        (json!(1), json!(third))
    );
    for callerid in ["9876500003", "+919876500003", "0919876500003", "00003"] {
        let got = t.records(&[("callerid", callerid)]).await;
        assert_eq!(
            customers(got["results"].as_array().unwrap(), "client_number"),
            ["+919876500003"],
            "{callerid}"
        );
    }
    assert_eq!(t.records(&[("callerid", "9876500009")]).await["count"], 0);

    let now = SystemTime::now();
    let hour = Duration::from_secs(3600);
    let (before, after) = (ist(now - hour), ist(now + hour));
    assert_eq!(
        t.records(&[("from_date", &before), ("to_date", &after)])
            .await["count"],
        5
    );
    assert_eq!(t.records(&[("from_date", &after)]).await["count"], 0);
    assert_eq!(t.records(&[("to_date", &before)]).await["count"], 0);
    assert_eq!(t.records(&[("from_date", &before)]).await["count"], 5);

    // A record only appears cdr_delay after the end.
    t.sim.set_timings(ms(0, 0, 0, 800));
    t.dial(ASHA, "919876500009", None).await;
    let only = [("callerid", "9876500009")];
    assert_eq!(
        t.stage_when("919876500009", "ended").await["status"],
        "answered"
    );
    assert_eq!(t.records(&only).await["count"], 0, "not yet");
    sleep(900).await;
    assert_eq!(t.records(&only).await["count"], 1);

    // A token without the permission.
    let mut account = Account::demo();
    account.tokens.push("no-cdr".into());
    account.cdr_forbidden_tokens = vec!["no-cdr".into()];
    let mut f = T::with(account, ms(0, 0, 0, 0)).await;
    assert_eq!(f.records(&[]).await["count"], 0);
    f.token = "no-cdr".into();
    assert_eq!(
        f.get("/call/records", &[]).await,
        (
            403,
            json!({"success": false, "message": "You are not authorized to access this resource."})
        )
    );
    assert_eq!(
        f.live(&[]).await,
        Vec::<Value>::new(),
        "other routes still open"
    );
}

#[tokio::test]
async fn block_and_unblock_show_in_users_and_a_blocked_agent_gets_no_calls() {
    let t = T::new(ms(60_000, 60_000, 60_000, 0)).await;
    assert_eq!(t.agent_status(VIKRAM).await, 0);
    assert_eq!(
        t.post(&format!("/agent/{VIKRAM}/block"), None).await,
        (
            200,
            json!({"success": true, "message": "Agent blocked successfully"})
        )
    );
    assert_eq!(t.agent_status(VIKRAM).await, 1);
    assert_eq!(t.sim.account().agents[1].status, 1);
    assert_eq!(
        t.try_dial(VIKRAM, "919876543210", None).await,
        json!({"success": false, "message": "Agent is blocked"})
    );
    assert!(t.sim_calls().await.is_empty(), "no call queued");
    assert_eq!(
        t.post(&format!("/agent/{VIKRAM}/unblock"), None).await,
        (
            200,
            json!({"success": true, "message": "Agent unblocked successfully"})
        )
    );
    assert_eq!(t.agent_status(VIKRAM).await, 0);
    t.dial(VIKRAM, "919876543210", None).await;
    assert_eq!(t.sim_calls().await.len(), 1);

    // The demo's blocked agent, by EID or mobile, until unblocked.
    assert_eq!(t.agent_status(RAHUL).await, 1);
    for by in [RAHUL, "+919810000004"] {
        assert_eq!(
            t.try_dial(by, "919876543211", None).await["message"],
            "Agent is blocked"
        );
    }
    t.post(&format!("/agent/{RAHUL}/unblock"), None).await;
    t.dial(RAHUL, "919876543211", None).await;

    for action in ["block", "unblock"] {
        assert_eq!(
            t.post(&format!("/agent/0000000000000/{action}"), None)
                .await,
            (404, json!({"success": false, "message": "Agent not found"}))
        );
    }
    assert_eq!(
        t.sim.requests_to(&format!("/agent/{VIKRAM}/block")).len(),
        1
    );
}

#[tokio::test]
async fn timings_and_agent_answers_change_over_http_for_later_calls() {
    let t = T::new(CallTimings::default()).await;
    assert_eq!(t.sim.account().timings, CallTimings::default());
    // Queued under the demo's 3 s agent ring: it keeps them.
    t.dial(ASHA, "919876500001", None).await;
    let (status, body) = t
        .post(
            "/__sim/timings",
            Some(json!({"agent_ring_ms": 40, "customer_ring_ms": 60_000})),
        )
        .await;
    assert_eq!((status, body), (200, json!({"ok": true})));
    assert_eq!(
        t.sim.account().timings,
        CallTimings {
            agent_ring: Duration::from_millis(40),
            customer_ring: Duration::from_secs(60),
            ..CallTimings::default()
        },
        "the rest unchanged"
    );
    t.dial(ASHA, "919876500002", None).await;
    t.stage_when("919876500002", "customer_ringing").await;
    let first = t.sim_calls().await[0].clone();
    assert_eq!(first["customer"], "919876500001");
    assert_eq!(first["stage"], "agent_ringing");

    let (status, body) = t
        .post(
            "/__sim/agent",
            Some(json!({"eid": VIKRAM, "answer": "no_answer"})),
        )
        .await;
    assert_eq!((status, body), (200, json!({"ok": true})));
    assert_eq!(t.sim.account().agents[1].answer, Answer::NoAnswer);
    t.dial(VIKRAM, "919876500003", None).await;
    assert_eq!(
        t.stage_when("919876500003", "ended").await["status"],
        "missed"
    );
    for bad in [
        json!({"eid": VIKRAM, "answer": "maybe"}),
        json!({"answer": "busy"}),
    ] {
        assert_eq!(t.post("/__sim/agent", Some(bad)).await.0, 400);
    }
    assert_eq!(
        t.post(
            "/__sim/agent",
            Some(json!({"eid": "0000", "answer": "busy"}))
        )
        .await
        .0,
        404
    );
    assert!(!t.sim.set_agent_answer("0000", Answer::Busy));
    assert_eq!(t.sim.calls().len(), 3);
}

/// A colleague's call from another desk, placed over HTTP (the end-to-end tests drive the
/// app's own demo simulator this way): listed account-wide like any other call.
#[tokio::test]
async fn a_call_from_another_desk_is_placed_over_http() {
    let t = T::new(CallTimings::default()).await;
    let (status, body) = t
        .post(
            "/__sim/place",
            Some(json!({"eid": VIKRAM, "customer": "919876543210"})),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["customer"], "919876543210");
    let listed = t.live(&[]).await;
    assert_eq!(listed.len(), 1, "{listed:?}");
    assert_eq!(listed[0]["agent_name"], "Vikram Singh");
    assert!(t.sim.requests_to("/click_to_call").is_empty());
    assert_eq!(
        t.post("/__sim/place", Some(json!({"eid": VIKRAM}))).await.0,
        400
    );
    assert_eq!(
        t.post(
            "/__sim/place",
            Some(json!({"eid": "0000", "customer": "919876543210"}))
        )
        .await
        .0,
        404
    );
}
