//! The simulator's default shapes are the ones real accounts send (servetel-api.md §5.6,
//! `tests/fixtures/real-shapes/`): account-wide live calls with the agent in `source` and the
//! customer alone in `destination`, UUID call ids, customer numbers with the country code or a
//! trunk `0`, and call records that ignore filters, in either order.

use std::collections::BTreeSet;
use std::time::Duration;

use clickdial_sim::{Account, CallTimings, CustomerForm, RecordFilters, Shapes, Sim, DEMO_TOKEN};
use serde_json::{json, Value};

const ASHA: &str = "0506123456781";
const VIKRAM: &str = "0506123456782";
const CUSTOMER: &str = "919876543210";

fn fixture(name: &str) -> Value {
    let path = format!(
        "{}/../../tests/fixtures/real-shapes/{name}",
        env!("CARGO_MANIFEST_DIR")
    );
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

async fn sim(talk_ms: u64) -> Sim {
    let timings = CallTimings {
        agent_ring: Duration::from_millis(200),
        customer_ring: Duration::from_millis(200),
        talk: Duration::from_millis(talk_ms),
        cdr_delay: Duration::from_millis(10),
    };
    Sim::spawn(Account {
        timings,
        ..Account::demo()
    })
    .await
    .unwrap()
}

async fn get(sim: &Sim, path: &str, query: &[(&str, &str)]) -> Value {
    let reply = reqwest::Client::new()
        .get(format!("{}{path}", sim.url()))
        .query(query)
        .header("Authorization", DEMO_TOKEN)
        .send()
        .await
        .unwrap();
    assert_eq!(reply.status(), 200);
    reply.json().await.unwrap()
}

async fn dial(sim: &Sim, agent: &str) -> Value {
    reqwest::Client::new()
        .post(format!("{}/click_to_call", sim.url()))
        .header("Authorization", DEMO_TOKEN)
        .json(
            &json!({"agent_number": agent, "destination_number": CUSTOMER, "async": "1",
                      "custom_identifier": "ours"}),
        )
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap()
}

fn keys(row: &Value) -> BTreeSet<String> {
    row.as_object().unwrap().keys().cloned().collect()
}

#[tokio::test]
async fn live_rows_are_account_wide_and_shaped_like_a_real_account() {
    let sim = sim(60_000).await;
    assert_eq!(dial(&sim, ASHA).await["success"], true);
    // Vikram calls the same customer from his own desk.
    let colleague = sim.place_call(VIKRAM, CUSTOMER).unwrap();
    assert!(sim.place_call("no-such-agent", CUSTOMER).is_none());

    let rows = get(&sim, "/live_calls", &[]).await;
    let rows = rows.as_array().unwrap();
    assert_eq!(rows.len(), 2, "both calls, unfiltered: {rows:?}");
    let real = &fixture("live_calls-smartflo-answered.json")[0];
    for row in rows {
        assert_eq!(
            keys(row),
            keys(real),
            "the captured row's fields, no more, no less"
        );
        let id = row["call_id"].as_str().unwrap();
        assert_eq!(id.len(), 36, "a UUID: {id}");
        assert_eq!(row["channel_id"], row["call_id"]);
        assert_eq!(row["destination"], "+919876543210", "the customer alone");
        assert_eq!(row["customer_number"], CUSTOMER, "12 digits");
        assert_eq!(row["state"], "Ringing");
    }
    // Newest first: Vikram's, in his mobile; then ours, in Asha's.
    assert_eq!(rows[0]["call_id"], colleague.call_id.as_str());
    assert_eq!(rows[0]["source"], "+919810000002");
    assert_eq!(rows[1]["source"], "+919810000001");

    sim.set_shapes(Shapes {
        customer_number: CustomerForm::TrunkZero,
        ..Shapes::default()
    });
    let rows = get(&sim, "/live_calls", &[]).await;
    assert_eq!(rows[0]["customer_number"], "09876543210");
    tokio::time::sleep(Duration::from_millis(500)).await;
    let rows = get(&sim, "/live_calls", &[]).await;
    assert_eq!(rows[0]["state"], "Answered");
    assert_eq!(
        rows[0]["destination"], "+919876543210",
        "still the customer alone"
    );
}

#[tokio::test]
async fn records_ignore_filters_unless_asked_and_come_in_either_order() {
    let sim = sim(100).await;
    let ours = dial(&sim, ASHA).await["ref_id"]
        .as_str()
        .unwrap()
        .to_string();
    tokio::time::sleep(Duration::from_millis(50)).await;
    sim.place_call(VIKRAM, "919811111111").unwrap();
    tokio::time::sleep(Duration::from_millis(1000)).await;

    // A filter on another number and a window in the future: ignored, both come back.
    let future = [
        ("callerid", "919800000000"),
        ("from_date", "2099-01-01 00:00:00"),
    ];
    let all = get(&sim, "/call/records", &future).await;
    let refs = |page: &Value| -> Vec<String> {
        page["results"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r["ref_id"].as_str().unwrap().to_string())
            .collect()
    };
    assert_eq!(all["count"], 2, "{all}");
    assert_eq!(refs(&all)[1], ours, "newest first by default");
    let record = &all["results"][1];
    assert_eq!(
        record["agent_number"], "+919810000001",
        "the agent's mobile"
    );
    for key in keys(&fixture("call_records-rows.json")[2]) {
        assert!(record.get(&key).is_some(), "a real record's {key}");
    }

    sim.set_shapes(Shapes {
        records_oldest_first: true,
        ..Shapes::default()
    });
    assert_eq!(refs(&get(&sim, "/call/records", &[]).await)[0], ours);

    sim.set_shapes(Shapes {
        record_filters: RecordFilters::Dates,
        ..Shapes::default()
    });
    assert_eq!(get(&sim, "/call/records", &future).await["count"], 0);
    let only_dates = [("callerid", "919800000000")];
    assert_eq!(
        get(&sim, "/call/records", &only_dates).await["count"],
        2,
        "the undocumented filter is still ignored"
    );
}
