//! The after-call hand-off (issue 27, item 3) on the real [`Clickdial`]: a saved wrap-up
//! `POST`ed to a CRM played by a tiny HTTP server on 127.0.0.1:0 (body: the wrap-up event, as
//! `clickdial events` prints it), tried again after 5xx, given up on a server that never
//! answers without delaying the next call, kept in the ledger; the target checked by the one
//! rule for the setting and the policy, which overrides and locks it.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpListener;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use clickdial_core::handoff::{without_query, Target};
use clickdial_core::Secret;
use clickdial_services::app::{Clickdial, Options, Overrides, Pace, Preferences, WrapUp};
use clickdial_services::dialer::DialInput;
use clickdial_services::ledger::{wall_clock_ms, Source};
use clickdial_services::policy::PolicySource;
use clickdial_services::secrets::MemoryStore;
use clickdial_services::settings_file::{SettingsFile, SETTINGS_FILE};
use clickdial_services::Code;
use clickdial_sim::{Account, Sim, DEMO_TOKEN};
use serde_json::Value;

const AGENT: &str = "0506123456781";

/// What the CRM does with each request, in turn (the last one again after that).
#[derive(Clone, Copy)]
enum Answer {
    Status(u16),
    /// Reads the request and never answers.
    Never,
}

/// A CRM on loopback: the requests' first lines and bodies, in order, and their
/// `Idempotency-Key`s.
struct Crm {
    url: String,
    got: Arc<Mutex<Vec<(String, Value)>>>,
    keys: Arc<Mutex<Vec<String>>>,
}

impl Crm {
    fn start(answers: Vec<Answer>) -> Crm {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let url = format!(
            "http://127.0.0.1:{}/hook?token=s3cret",
            listener.local_addr().unwrap().port()
        );
        let got = Arc::new(Mutex::new(Vec::new()));
        let seen = got.clone();
        let keys = Arc::new(Mutex::new(Vec::new()));
        let keys_seen = keys.clone();
        std::thread::spawn(move || {
            let mut held = Vec::new();
            for (n, stream) in listener.incoming().enumerate() {
                let Ok(mut stream) = stream else { return };
                let mut reader = BufReader::new(stream.try_clone().unwrap());
                let mut first = String::new();
                reader.read_line(&mut first).unwrap();
                let mut length = 0;
                loop {
                    let mut line = String::new();
                    reader.read_line(&mut line).unwrap();
                    if line.trim().is_empty() {
                        break;
                    }
                    if let Some((k, v)) = line.split_once(':') {
                        if k.eq_ignore_ascii_case("content-length") {
                            length = v.trim().parse().unwrap();
                        }
                        if k.eq_ignore_ascii_case("idempotency-key") {
                            keys_seen.lock().unwrap().push(v.trim().to_string());
                        }
                    }
                }
                let mut body = vec![0; length];
                reader.read_exact(&mut body).unwrap();
                seen.lock().unwrap().push((
                    first.trim().to_string(),
                    serde_json::from_slice(&body).unwrap_or(Value::Null),
                ));
                match answers[n.min(answers.len() - 1)] {
                    Answer::Status(code) => {
                        let _ = write!(
                            stream,
                            "HTTP/1.1 {code} X\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
                        );
                    }
                    Answer::Never => held.push(stream),
                }
            }
        });
        Crm { url, got, keys }
    }

    fn requests(&self) -> Vec<(String, Value)> {
        self.got.lock().unwrap().clone()
    }
}

struct World {
    _dir: tempfile::TempDir,
    _sim: Sim,
    app: Clickdial,
}

/// The application on the simulator, its hand-off set to `after_call`, under `policy` (TOML).
async fn world(after_call: Option<Target>, policy: Option<&str>) -> World {
    let pace = Pace {
        tries: 3,
        pause: Duration::from_millis(50),
        timeout: Duration::from_millis(400),
    };
    world_paced(after_call, policy, pace).await
}

async fn world_paced(after_call: Option<Target>, policy: Option<&str>, pace: Pace) -> World {
    let dir = tempfile::tempdir().unwrap();
    let sim = Sim::spawn(Account::demo()).await.unwrap();
    sim.set_timings(clickdial_testkit::timings(120_000, 1_000, 60_000, 10));
    SettingsFile::new(dir.path().join(SETTINGS_FILE))
        .update(|s| s.after_call = after_call)
        .unwrap();
    let policy = match policy {
        Some(text) => {
            let file = dir.path().join("policy.toml");
            std::fs::write(&file, text).unwrap();
            PolicySource::File(file)
        }
        None => PolicySource::File(dir.path().join("no-policy.toml")),
    };
    let app = Clickdial::open(
        Arc::new(MemoryStore::default()),
        dir.path(),
        Options {
            overrides: Overrides {
                base_url: Some(sim.url()),
                token: Some(Secret::new(DEMO_TOKEN)),
            },
            policy,
            handoff_pace: pace,
            ..Options::default()
        },
    );
    World {
        _dir: dir,
        _sim: sim,
        app,
    }
}

impl World {
    async fn dial(&self, number: &str) {
        self.app
            .dial(DialInput::new(number, AGENT, Source::Cli))
            .await
            .unwrap();
    }

    /// Saves a wrap-up of the last call; its ledger id.
    fn wrap_up(&self, note: &str) -> i64 {
        self.app
            .wrap_up(&WrapUp {
                disposition: Some("2".into()),
                note: Some(note.into()),
                ..WrapUp::default()
            })
            .unwrap()
            .id
    }

    /// The wrap-up event of call `id` as `clickdial events` prints it.
    fn printed_event(&self, id: i64) -> Value {
        let ledger = self.app.dialer().unwrap().ledger();
        let page = ledger.events_after(0, None, 100, wall_clock_ms()).unwrap();
        let event = page
            .events
            .iter()
            .rev()
            .find(|e| e.call.id == id && e.to_json(&Default::default())["type"] == "wrapup")
            .unwrap();
        event.to_json(&self.app.agent_names())
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn a_saved_wrap_up_is_posted_as_its_event_and_kept_as_delivered() {
    let crm = Crm::start(vec![Answer::Status(204)]);
    let w = world(Some(Target::Post(crm.url.clone())), None).await;
    w.dial("98765 43210").await;
    let id = w
        .app
        .dialer()
        .unwrap()
        .ledger()
        .recent(1, wall_clock_ms())
        .unwrap()[0]
        .id;
    // Never without a wrap-up the agent saved.
    assert_eq!(w.app.hand_off(id, false).await.unwrap(), None);
    assert!(crm.requests().is_empty());

    let id = w.wrap_up("Thursday 4 pm");
    let d = w.app.hand_off(id, false).await.unwrap().unwrap();
    assert!(d.delivered, "{d:?}");
    assert_eq!(d.message, "Sent to your CRM.");
    let got = crm.requests();
    assert_eq!(got.len(), 1);
    assert_eq!(got[0].0, "POST /hook?token=s3cret HTTP/1.1");
    assert_eq!(got[0].1, w.printed_event(id), "the event, as printed");
    assert_eq!(got[0].1["type"], "wrapup");
    assert_eq!(got[0].1["disposition"], "Call back");
    assert_eq!(got[0].1["note"], "Thursday 4 pm");
    assert!(got[0].1["call"]["recording"].is_boolean());
    let text = got[0].1.to_string();
    assert!(
        !text.contains("recording?") && !text.contains("/file/"),
        "{text}"
    );
    assert!(!text.contains(DEMO_TOKEN), "{text}");

    let row = w
        .app
        .dialer()
        .unwrap()
        .ledger()
        .get(id, wall_clock_ms())
        .unwrap()
        .unwrap();
    let handoff = row.handoff.expect("kept");
    assert!(handoff.delivered);
    assert_eq!(handoff.reason, None);
    // Keeping it logged no event: the wrap-up is still the call's last one.
    let ledger = w.app.dialer().unwrap().ledger();
    let last = ledger.last_event().unwrap();
    assert_eq!(
        ledger
            .wrapup_event(id, wall_clock_ms())
            .unwrap()
            .unwrap()
            .seq,
        last
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_5xx_is_tried_again_and_delivered_once() {
    let crm = Crm::start(vec![
        Answer::Status(500),
        Answer::Status(503),
        Answer::Status(200),
    ]);
    let w = world(Some(Target::Post(crm.url.clone())), None).await;
    w.dial("98765 43210").await;
    let id = w.wrap_up("x");
    let d = w.app.hand_off(id, false).await.unwrap().unwrap();
    assert!(d.delivered, "{d:?}");
    assert_eq!(crm.requests().len(), 3);

    // A 4xx is not tried again; the reason names the server, never the query.
    let crm = Crm::start(vec![Answer::Status(404)]);
    let w = world(Some(Target::Post(crm.url.clone())), None).await;
    w.dial("98765 43210").await;
    let id = w.wrap_up("x");
    let d = w.app.hand_off(id, false).await.unwrap().unwrap();
    assert!(!d.delivered);
    assert_eq!(crm.requests().len(), 1);
    assert_eq!(
        d.reason.as_deref(),
        Some("127.0.0.1 answered 404 Not Found")
    );
    assert!(
        d.message.starts_with("Not delivered to your CRM: "),
        "{}",
        d.message
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_crm_that_never_answers_is_not_delivered_and_delays_no_call() {
    let crm = Crm::start(vec![Answer::Never]);
    let w = world(Some(Target::Post(crm.url.clone())), None).await;
    w.dial("98765 43210").await;
    let id = w.wrap_up("x");
    let (d, dial_took) = tokio::join!(w.app.hand_off(id, false), async {
        tokio::time::sleep(Duration::from_millis(50)).await;
        let started = Instant::now();
        w.dial("98765 11111").await;
        started.elapsed()
    });
    let d = d.unwrap().unwrap();
    assert!(!d.delivered);
    let reason = d.reason.unwrap();
    assert_eq!(reason, "127.0.0.1 did not answer within 1 s (3 tries)");
    assert!(!d.message.contains("s3cret"), "{}", d.message);
    assert!(
        dial_took < Duration::from_millis(1000),
        "the next call waited {dial_took:?}"
    );
    assert_eq!(crm.requests().len(), 3);
    // Kept: Recent calls show it after a restart.
    let row = w
        .app
        .dialer()
        .unwrap()
        .ledger()
        .get(id, wall_clock_ms())
        .unwrap()
        .unwrap();
    let kept = row.handoff.unwrap();
    assert!(!kept.delivered);
    assert_eq!(kept.reason.as_deref(), Some(reason.as_str()));
}

#[tokio::test(flavor = "multi_thread")]
async fn a_bad_target_is_refused_and_nothing_saved() {
    let w = world(None, None).await;
    let save = |kind: &str, url: &str| {
        w.app.save_preferences(Preferences {
            region: "IN".into(),
            after_call: Some(Some((kind.into(), url.into()))),
            ..Preferences::default()
        })
    };
    for (kind, url, words) in [
        ("post", "http://crm.example.com/hook", "https://"),
        ("open", "http://crm.example.com/?p={e164}", "https://"),
        ("open", "https://crm.example.com/?p={phone}", "{phone}"),
        ("post", "https://u:p@crm.example.com/", "no user name"),
    ] {
        let e = save(kind, url).unwrap_err();
        assert_eq!(e.code, Code::InvalidInput, "{url}");
        assert!(e.message.contains(words), "{url}: {}", e.message);
        assert_eq!(w.app.settings().after_call, None, "nothing saved");
    }
    save("open", "https://crm.example.com/log?p={e164}&n={note}").unwrap();
    assert_eq!(
        w.app.status().await.after_call,
        Some(Target::Open(
            "https://crm.example.com/log?p={e164}&n={note}".into()
        ))
    );
    w.app
        .save_preferences(Preferences {
            region: "IN".into(),
            after_call: Some(None),
            ..Preferences::default()
        })
        .unwrap();
    assert_eq!(w.app.settings().after_call, None);

    // The preview: what a sample call sends, before anything is saved.
    let body: Value = serde_json::from_str(
        &w.app
            .preview_after_call("post", "https://crm.example.com/h")
            .unwrap(),
    )
    .unwrap();
    assert_eq!(body["type"], "wrapup");
    assert_eq!(body["call"]["agentName"], "Asha Rao");
    let link = w
        .app
        .preview_after_call("open", "https://crm.example.com/log?p={e164}&n={note}")
        .unwrap();
    assert_eq!(
        link,
        "https://crm.example.com/log?p=%2B919876543210&n=Call%20back%20Thursday%204%20pm"
    );
    assert!(w
        .app
        .preview_after_call("open", "https://x.example/{x}")
        .is_err());
}

#[tokio::test(flavor = "multi_thread")]
async fn the_policy_overrides_and_locks_the_setting() {
    let crm = Crm::start(vec![Answer::Status(200)]);
    let policy = format!("after_call = \"{}\"\n", crm.url);
    let w = world(
        Some(Target::Post("https://elsewhere.example/hook".into())),
        Some(&policy),
    )
    .await;
    let status = w.app.status().await;
    assert!(status.locked.contains(&"afterCall"), "{:?}", status.locked);
    // Where it goes, never its query: the CRM's token is not the agent's to read.
    let shown = status.after_call.clone().expect("shown");
    assert_eq!(
        shown,
        Target::Post(format!("{}?…", without_query(&crm.url)))
    );
    let sent = serde_json::to_string(&status).unwrap();
    assert!(!sent.contains("s3cret"), "{sent}");
    let e = w
        .app
        .save_preferences(Preferences {
            region: "IN".into(),
            after_call: Some(None),
            ..Preferences::default()
        })
        .unwrap_err();
    assert_eq!(e.code, Code::Policy);
    // The policy's own value sent back by the page is no change.
    w.app
        .save_preferences(Preferences {
            region: "IN".into(),
            after_call: Some(Some(("post".into(), crm.url.clone()))),
            ..Preferences::default()
        })
        .unwrap();
    w.dial("98765 43210").await;
    let id = w.wrap_up("x");
    assert!(w.app.hand_off(id, false).await.unwrap().unwrap().delivered);
    assert_eq!(crm.requests().len(), 1, "sent where the policy says");
}

/// An edit while the earlier wrap-up's hand-off waits to try again: the earlier one stops, the
/// newer is delivered and recorded. Each saved wrap-up has its own `Idempotency-Key`, the same
/// on every try of it.
#[tokio::test(flavor = "multi_thread")]
async fn an_edit_supersedes_a_hand_off_waiting_to_try_again() {
    let crm = Crm::start(vec![
        Answer::Status(503),
        Answer::Status(503),
        Answer::Status(200),
    ]);
    let pace = Pace {
        tries: 3,
        pause: Duration::from_millis(800),
        timeout: Duration::from_millis(400),
    };
    let w = Arc::new(world_paced(Some(Target::Post(crm.url.clone())), None, pace).await);
    w.dial("98765 43210").await;
    let id = w.wrap_up("first");
    let earlier = {
        let w = w.clone();
        tokio::spawn(async move { w.app.hand_off(id, false).await })
    };
    // Its first try is refused (503); while it waits to try again, the agent edits.
    let started = Instant::now();
    while crm.requests().is_empty() {
        assert!(started.elapsed() < Duration::from_secs(5), "the first try");
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    w.app
        .wrap_up(&WrapUp {
            id: Some(id),
            disposition: Some("1".into()),
            note: Some("second".into()),
            replace: true,
            ..WrapUp::default()
        })
        .unwrap();
    let newer = w.app.hand_off(id, false).await.unwrap().unwrap();
    assert!(newer.delivered, "{newer:?}");
    assert_eq!(earlier.await.unwrap().unwrap(), None, "superseded");
    let got = crm.requests();
    let notes: Vec<&str> = got
        .iter()
        .map(|(_, b)| b["note"].as_str().unwrap())
        .collect();
    assert_eq!(
        notes,
        ["first", "second", "second"],
        "the earlier one never retried"
    );
    let keys = crm.keys.lock().unwrap().clone();
    assert_eq!(keys.len(), 3);
    assert_ne!(keys[0], keys[1], "one key per saved wrap-up");
    assert_eq!(keys[1], keys[2], "the same key on each try");
    assert!(keys[0].starts_with("clickdial-"), "{keys:?}");
    let row = w
        .app
        .dialer()
        .unwrap()
        .ledger()
        .get(id, wall_clock_ms())
        .unwrap()
        .unwrap();
    assert!(row.handoff.expect("recorded").delivered);
}
