//! `clickdial note` and the after-call hand-off through the real binary: the wrap-up `POST`ed
//! at once and said ("Sent to your CRM"), a CRM that cannot be reached said with its reason
//! (exit 0: the note is saved) and in `--json`, and a link template rendered with a hostile
//! note, encoded, nothing injected.

use super::*;

/// The agent's hand-off, as the window saves it, in `home`'s settings.
fn hand_off_to(home: &std::path::Path, kind: &str, url: &str) {
    let dir = home.join("data").join(clickdial_services::IDENTIFIER);
    std::fs::create_dir_all(&dir).unwrap();
    let settings = serde_json::json!({
        "settings": {"version": 2, "afterCall": {"kind": kind, "url": url}}
    });
    std::fs::write(dir.join("settings.json"), settings.to_string()).unwrap();
}

/// A CRM on loopback answering 200 to each `POST`: its address, and the bodies it got.
fn crm() -> (String, std::sync::mpsc::Receiver<serde_json::Value>) {
    use std::io::{BufRead, BufReader, Read, Write};
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!(
        "http://127.0.0.1:{}/hook?token=s3cret",
        listener.local_addr().unwrap().port()
    );
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { return };
            let mut reader = BufReader::new(stream.try_clone().unwrap());
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
                }
            }
            let mut body = vec![0; length];
            reader.read_exact(&mut body).unwrap();
            let _ = tx.send(serde_json::from_slice(&body).unwrap());
            let _ = stream.write_all(b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n");
        }
    });
    (url, rx)
}

#[tokio::test(flavor = "multi_thread")]
async fn note_hands_the_wrap_up_to_the_crm_and_says_so() {
    let sim = sim().await;
    let url = sim.url();
    let home = tempfile::tempdir().unwrap();
    let h = home.path();
    let (crm_url, bodies) = crm();
    hand_off_to(h, "post", &crm_url);
    let (code, _, err) = run(call_in(h, &url, &["98765 43210", "--agent", AGENT])).await;
    assert_eq!(code, 0, "{err}");
    let (code, out, err) = run(cmd_in(
        h,
        &url,
        &["note", "--disposition", "2", "--text", "Thursday 4 pm"],
    ))
    .await;
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("Call back · Thursday 4 pm"), "{out}");
    assert!(out.trim_end().ends_with("Sent to your CRM."), "{out}");
    let body = bodies.recv_timeout(Duration::from_secs(5)).unwrap();
    assert_eq!(body["type"], "wrapup");
    assert_eq!(body["note"], "Thursday 4 pm");
    assert_eq!(body["call"]["number"], "+919876543210");
    // The same object `clickdial events` printed for that wrap-up.
    let (_, out, _) = run(cmd_in(h, &url, &["events"])).await;
    let printed: serde_json::Value = out
        .lines()
        .map(|l| serde_json::from_str::<serde_json::Value>(l).unwrap())
        .rfind(|e| e["type"] == "wrapup")
        .unwrap();
    assert_eq!(body, printed);

    // A CRM that cannot be reached: said, with its reason; the note is saved (exit 0).
    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = closed.local_addr().unwrap().port();
    drop(closed);
    hand_off_to(
        h,
        "post",
        &format!("http://127.0.0.1:{port}/hook?token=s3cret"),
    );
    let (code, out, err) = run(cmd_in(h, &url, &["note", "--text", "again", "--json"])).await;
    assert_eq!(code, 0, "{err}");
    let v: serde_json::Value = serde_json::from_str(&out).expect("JSON");
    assert_eq!(v["call"]["note"], "again");
    assert_eq!(v["handoff"]["delivered"], false);
    assert_eq!(
        v["handoff"]["reason"],
        "127.0.0.1 could not be reached (3 tries)"
    );
    assert_eq!(v["call"]["handoff"]["delivered"], false, "kept on the call");
    assert!(
        !out.contains("s3cret") && !err.contains("s3cret"),
        "{out}{err}"
    );
    let (code, out, _) = run(cmd_in(h, &url, &["note", "--text", "once more"])).await;
    assert_eq!(code, 0);
    assert!(
        out.contains("Not delivered to your CRM: 127.0.0.1 could not be reached"),
        "{out}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn note_renders_the_link_template_with_a_hostile_note_encoded() {
    let sim = sim().await;
    let url = sim.url();
    let home = tempfile::tempdir().unwrap();
    let h = home.path();
    hand_off_to(
        h,
        "open",
        "https://crm.example.com/log?phone={e164}&ref={ref_id}&note={note}",
    );
    let (code, _, err) = run(call_in(h, &url, &["98765 43210", "--agent", AGENT])).await;
    assert_eq!(code, 0, "{err}");
    let hostile = "a&ref=evil#x%0d\"<script>";
    let (code, out, err) = run(cmd_in(
        h,
        &url,
        &["note", "--text", hostile, "--no-open", "--json"],
    ))
    .await;
    assert_eq!(code, 0, "{err}");
    let v: serde_json::Value = serde_json::from_str(&out).expect("JSON");
    let link = v["handoff"]["link"].as_str().unwrap();
    let parsed = url::Url::parse(link).unwrap();
    assert_eq!(parsed.host_str(), Some("crm.example.com"));
    assert_eq!(parsed.fragment(), None, "{link}");
    let pairs: Vec<(String, String)> = parsed.query_pairs().into_owned().collect();
    let keys: Vec<&str> = pairs.iter().map(|(k, _)| k.as_str()).collect();
    assert_eq!(keys, ["phone", "ref", "note"], "{link}");
    assert_eq!(pairs[0].1, "+919876543210");
    assert_eq!(pairs[1].1, v["call"]["refId"].as_str().unwrap());
    assert_eq!(pairs[2].1, hostile);
}
