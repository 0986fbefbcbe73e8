//! The after-call hand-off (issue 27, item 3): a wrap-up the agent saved goes to their CRM,
//! `POST`ed as the wrap-up event's JSON (the object `clickdial events` prints for it) or as a
//! link rendered from a template and opened in the browser. The target is the policy's
//! `after_call`, else the agent's setting; the rule for it is `clickdial_core::handoff`.
//!
//! Never without a saved wrap-up (an edit of one sends again), never for the demo's calls
//! (they are not the account's: no other program sees them). A `POST` is tried a few times
//! ([`Pace`]) and only again for what may pass (no connection, no answer in time, 5xx, 429); the
//! result is kept on the call in the ledger (delivered, or not and why) so it survives a restart
//! and Recent calls show it. The window runs it in the background; `clickdial note` waits for
//! it. A reason never holds the address's query (it may carry a token) nor a header.

use std::collections::HashMap;
use std::time::Duration;

use clickdial_core::handoff::{render, Target};
use serde::Serialize;
use serde_json::Value;

use super::Clickdial;
use crate::ledger::{CallEvent, CallRow, CallState, EventKind, Source, DEMO_PREFIX};
use crate::{Code, Error};

/// How a `POST` is tried: at most `tries` times, `pause` apart, each given `timeout`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Pace {
    pub tries: u32,
    pub pause: Duration,
    pub timeout: Duration,
}

impl Default for Pace {
    /// Three tries, 2 s apart, 5 s each: at most about 19 s, in the background.
    fn default() -> Self {
        Pace {
            tries: 3,
            pause: Duration::from_secs(2),
            timeout: Duration::from_secs(5),
        }
    }
}

/// What came of one hand-off.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Delivery {
    /// `post` or `open`.
    pub kind: &'static str,
    /// The CRM took the `POST` (2xx), or the link was handed to the browser.
    pub delivered: bool,
    /// Why not, in a few words.
    pub reason: Option<String>,
    /// The link rendered from the template (`open`).
    pub link: Option<String>,
    /// What the agent is told: "Sent to your CRM.", "Not delivered to your CRM: …".
    pub message: String,
}

/// The sample call a preview renders.
const SAMPLE_NOTE: &str = "Call back Thursday 4 pm";

impl Clickdial {
    /// Where saved wrap-ups go: the policy's `after_call`, else the agent's setting.
    pub fn after_call(&self) -> Option<Target> {
        self.settings().after_call
    }

    /// Hands call `id`'s saved wrap-up to the CRM and keeps the result on the call. `None`:
    /// nothing to do (no hand-off set, no wrap-up saved, or a demo call). `open_link`: a link
    /// is opened in the browser (else only rendered, for the CLI's `--no-open`).
    pub async fn hand_off(&self, id: i64, open_link: bool) -> Result<Option<Delivery>, Error> {
        let Some(target) = self.after_call() else {
            return Ok(None);
        };
        let ledger = self.dialer()?.ledger().clone();
        let Some(event) = ledger.wrapup_event(id, self.now_ms())? else {
            return Ok(None);
        };
        if event.call.account.starts_with(DEMO_PREFIX) {
            return Ok(None);
        }
        let body = event.to_json(&self.agent_names());
        // A newer wrap-up of the call (an edit) supersedes this one: its own hand-off sends
        // and records it, and this one's retries stop.
        let seq = event.seq;
        let current = || ledger.last_wrapup_seq(id).ok().flatten() == Some(seq);
        let delivery = match &target {
            Target::Post(url) => {
                // One key per saved wrap-up: a CRM that honours it keeps one record of a
                // wrap-up tried again after a reply that never came.
                let key = format!("clickdial-{}-{seq}", event.call.custom_identifier);
                let result = match post(url, &body, &key, &self.handoff_pace, &current).await {
                    Err(PostFailure::Superseded) => return Ok(None),
                    Err(PostFailure::NotDelivered(why)) => Err(why),
                    Ok(()) => Ok(()),
                };
                Delivery {
                    kind: "post",
                    delivered: result.is_ok(),
                    message: match &result {
                        Ok(()) => "Sent to your CRM.".to_string(),
                        Err(why) => format!("Not delivered to your CRM: {why}."),
                    },
                    reason: result.err(),
                    link: None,
                }
            }
            Target::Open(template) => {
                let link = render(template, &body).map_err(Error::invalid)?;
                let opened = if open_link {
                    let to_open = link.clone();
                    crate::blocking(move || open_in_browser(&to_open))
                        .await
                        .map_err(|e| e.message)
                } else {
                    Ok(())
                };
                Delivery {
                    kind: "open",
                    delivered: opened.is_ok(),
                    message: match (&opened, open_link) {
                        (Ok(()), true) => "Opened your CRM's page.".to_string(),
                        (Ok(()), false) => format!("Your CRM's page: {link}"),
                        (Err(why), _) => format!("Not delivered to your CRM: {why}"),
                    },
                    reason: opened.err(),
                    link: Some(link),
                }
            }
        };
        if !current() {
            return Ok(None);
        }
        ledger.set_handoff(
            id,
            delivery.delivered,
            delivery.reason.as_deref(),
            self.now_ms(),
        )?;
        Ok(Some(delivery))
    }

    /// What a sample call's wrap-up would send to the target the agent is typing (`kind`
    /// `post` or `open`), before it is saved: the JSON body, or the rendered link. A bad target
    /// is refused with the rule's message.
    pub fn preview_after_call(&self, kind: &str, text: &str) -> Result<String, Error> {
        let target = Target::new(kind, text).map_err(Error::invalid)?;
        let body = sample_event(self.now_ms());
        match target {
            Target::Post(_) => {
                serde_json::to_string_pretty(&body).map_err(|e| Error::internal(e.to_string()))
            }
            Target::Open(t) => render(&t, &body).map_err(Error::invalid),
        }
    }
}

/// A wrap-up event of a made-up call, in the published form.
fn sample_event(now_ms: i64) -> Value {
    let call = CallRow {
        id: 1,
        account: String::new(),
        e164: "+919876543210".into(),
        ext: None,
        agent: "0506123456781".into(),
        caller_id: Some("918065000101".into()),
        source: Source::Window,
        state: CallState::Queued,
        reason: None,
        ref_id: Some("1234567890.123456".into()),
        call_id: Some("1234567890.123456".into()),
        custom_identifier: "clickdial-sample".into(),
        message: None,
        created_at_ms: now_ms - 180_000,
        finished_at_ms: Some(now_ms - 179_000),
        outcome: Some(clickdial_core::api::Outcome::Answered),
        talk_s: Some(95),
        ended_at_ms: Some(now_ms - 60_000),
        detail: None,
        has_recording: true,
        stage: None,
        disposition: Some("Call back".into()),
        note: Some(SAMPLE_NOTE.into()),
        handoff: None,
    };
    let names = HashMap::from([(call.agent.clone(), "Asha Rao".to_string())]);
    CallEvent {
        seq: 1,
        at_ms: now_ms,
        kind: EventKind::Wrapup {
            disposition: call.disposition.clone(),
            note: call.note.clone(),
        },
        call,
    }
    .to_json(&names)
}

/// Opens `link` in the browser through the OS's handler (the path Play recording takes).
fn open_in_browser(link: &str) -> Result<(), Error> {
    let desktop = crate::handler::Desktop::from_env().ok_or_else(|| {
        Error::new(
            Code::Internal,
            "Clickdial could not find the desktop to open your CRM's page with.",
        )
    })?;
    crate::handler::open_web(&desktop, link, "your CRM's page")
}

/// Why [`post`] did not deliver.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PostFailure {
    /// `current` said, before a retry, that a newer wrap-up of the call replaced this one.
    Superseded,
    /// Why not, in a few words naming only the server (the query may hold a token; reqwest's
    /// own errors repeat the whole address, so they are never shown).
    NotDelivered(String),
}

/// `POST`s `body` to `url` as `pace` says, with `key` as its `Idempotency-Key`; before each
/// retry, `current` must still hold.
pub async fn post(
    url: &str,
    body: &Value,
    key: &str,
    pace: &Pace,
    current: &(dyn Fn() -> bool + Sync),
) -> Result<(), PostFailure> {
    use PostFailure::{NotDelivered, Superseded};
    let target = Target::Post(url.to_string());
    target.check().map_err(NotDelivered)?;
    let host = target.host();
    let parsed =
        reqwest::Url::parse(url).map_err(|_| NotDelivered("its address is not valid".into()))?;
    let mut http = reqwest::Client::builder()
        .timeout(pace.timeout)
        .connect_timeout(pace.timeout)
        // A redirect could take the call's details somewhere the agent never chose.
        .redirect(reqwest::redirect::Policy::none())
        .user_agent(concat!("Clickdial/", env!("CARGO_PKG_VERSION")));
    if clickdial_core::api::is_loopback_url(&parsed) {
        http = http.no_proxy();
    }
    let http = http
        .build()
        .map_err(|_| NotDelivered("Clickdial could not prepare the request".into()))?;
    let tries = pace.tries.max(1);
    let secs = pace.timeout.as_secs().max(1);
    let mut why = String::new();
    for attempt in 1..=tries {
        if attempt > 1 && !current() {
            return Err(Superseded);
        }
        let request = http
            .post(parsed.clone())
            .header("Idempotency-Key", key)
            .json(body);
        match request.send().await {
            Ok(r) if r.status().is_success() => return Ok(()),
            Ok(r) => {
                let status = r.status();
                why = format!(
                    "{host} answered {} {}",
                    status.as_u16(),
                    status.canonical_reason().unwrap_or("")
                )
                .trim_end()
                .to_string();
                if !(status.is_server_error() || status.as_u16() == 429) {
                    return Err(NotDelivered(why));
                }
            }
            Err(e) if e.is_timeout() => why = format!("{host} did not answer within {secs} s"),
            Err(e) if e.is_connect() => why = format!("{host} could not be reached"),
            Err(_) => return Err(NotDelivered(format!("the request to {host} failed"))),
        }
        if attempt < tries {
            tokio::time::sleep(pace.pause).await;
        }
    }
    Err(NotDelivered(if tries > 1 {
        format!("{why} ({tries} tries)")
    } else {
        why
    }))
}
