//! Dials that were not typed into the window (`tel:`/`callto:` links today; the tray and the
//! hotkey later) wait here for the agent's yes: the confirm sheet. The inbox holds at most one
//! request. A flood of links (a page that opens twenty `tel:` URLs) replaces it with the latest
//! and counts the arrivals; it never turns into twenty dials.
//!
//! Nothing here dials. [`Inbox::receive`] parses the link (the number is validated before it can
//! go anywhere) and says whether to ask or, when the agent trusts links, to dial at once;
//! [`Inbox::take`] hands a confirmed request to the caller, who dials it through the
//! [`crate::dialer`] and so through the ledger's duplicate guard like every other dial.

use std::sync::{Mutex, MutexGuard};
use std::time::{Duration, Instant};

use clickdial_core::phone::{find_numbers, is_link};
use clickdial_core::sanitize::clean_text;
use clickdial_core::{Number, NumberKind, Region};
use serde::Serialize;

use crate::ledger::Source;
use crate::{Code, Error};

/// Links arriving closer together than this belong to one burst: only the first of a burst may
/// be dialled without asking; the rest wait on the sheet.
pub const FLOOD_WINDOW: Duration = Duration::from_secs(2);

/// At most one link is dialled without asking in this time; the next one waits on the sheet,
/// so a page that opens a link every few seconds cannot dial on its own.
pub const TRUSTED_INTERVAL: Duration = Duration::from_secs(60);

/// How long a self-test link is awaited after it was sent through the OS.
pub const SELF_TEST_WAIT: Duration = Duration::from_secs(60);

/// The longest link text shown on the sheet.
const MAX_LINK_SHOWN: usize = 120;

/// The parameter that marks the doctor's self-test link.
const SELF_TEST_PARAM: &str = "clickdial-test=";

/// A validated number, as the sheet shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct LinkNumber {
    pub e164: String,
    pub international: String,
    pub ext: Option<String>,
    /// ISO 3166 code of the number's country, when known (`IN`).
    pub region: Option<String>,
    pub kind: NumberKind,
}

impl From<&Number> for LinkNumber {
    fn from(n: &Number) -> Self {
        LinkNumber {
            e164: n.e164().to_string(),
            international: n.international().to_string(),
            ext: n.ext().map(str::to_string),
            region: n.region().map(str::to_string),
            kind: n.kind(),
        }
    }
}

/// One request on the sheet.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Request {
    /// Changes whenever the sheet's content changes, so a confirmation given for an older
    /// number can never dial a newer one.
    pub id: u64,
    pub source: Source,
    /// The link as it arrived, cleaned of control and invisible characters and shortened.
    pub link: String,
    /// The number to dial; `None` when the link holds no valid number (then `problem` says why).
    pub number: Option<LinkNumber>,
    pub problem: Option<String>,
    /// How many links arrived in this burst, this one included.
    pub count: u32,
    /// The doctor's test link: proof that the OS routes links here. Never dialled.
    pub self_test: bool,
    /// Why a link the agent trusts to dial without asking waits on the sheet instead.
    pub asked: Option<Asked>,
}

/// Why a trusted link was not dialled at once: the sheet says so.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum Asked {
    /// Another link was dialled without asking less than [`TRUSTED_INTERVAL`] ago.
    Recent,
    /// The number is in another country than the one in the settings.
    OtherCountry,
    /// A premium-rate or unrecognised kind of number.
    Unusual,
}

/// What to do with a link that just arrived.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Arrival {
    /// Show the sheet (the inbox holds the request).
    Ask(Request),
    /// Dial it now: the agent turned on "dial links without asking", the number is valid and
    /// this link is not part of a burst. Not kept in the inbox.
    Dial(Request),
}

/// The number in a selection or the clipboard: the text itself, or the one number found in it.
/// Several numbers are not guessed between: the agent selects just one.
fn number_in_text(text: &str, region: Region) -> Result<Number, String> {
    let whole = Number::parse(text, region);
    if let Ok(n) = whole {
        return Ok(n);
    }
    let mut found = find_numbers(text, region);
    match found.len() {
        0 => Err(whole.err().map(|e| e.to_string()).unwrap_or_default()),
        1 => Ok(found.remove(0)),
        n => Err(format!(
            "The text holds {n} numbers ({}); select just the one to call.",
            found
                .iter()
                .take(3)
                .map(|f| f.international())
                .collect::<Vec<_>>()
                .join(", ")
        )),
    }
}

#[derive(Default)]
struct Inner {
    next_id: u64,
    current: Option<Request>,
    /// When the last link arrived.
    last: Option<Instant>,
    /// Links that arrived since the agent last answered the sheet, while it was open or in
    /// one burst.
    unanswered: u32,
    /// The self-test link's marker, and when it was sent.
    self_test: Option<(String, Instant)>,
    /// When a link was last dialled without asking.
    last_trusted: Option<Instant>,
}

#[derive(Default)]
pub struct Inbox {
    inner: Mutex<Inner>,
}

impl Inbox {
    pub fn new() -> Self {
        Inbox::default()
    }

    fn lock(&self) -> MutexGuard<'_, Inner> {
        self.inner.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Takes in a link (or, from the tray or the hotkey, text holding a number).
    /// `dial_without_asking` is the agent's setting, already combined with "an account and an
    /// agent are known"; it applies to links only. Never panics, whatever `raw` holds.
    pub fn receive(
        &self,
        raw: &str,
        source: Source,
        region: Region,
        dial_without_asking: bool,
        now: Instant,
    ) -> Arrival {
        // A link must be one; the tray and the hotkey hand over plain text (the clipboard, a
        // selection, a recent number).
        let parsed = if is_link(raw) {
            Number::parse(raw, region).map_err(|e| e.to_string())
        } else if source != Source::Link {
            number_in_text(raw, region)
        } else {
            Err(format!(
                "'{}' is not a phone link; Clickdial opens tel: and callto: links.",
                clean_text(raw, 40)
            ))
        };
        let mut inner = self.lock();
        let self_test = match &inner.self_test {
            Some((marker, sent)) => {
                now.saturating_duration_since(*sent) <= SELF_TEST_WAIT && raw.contains(marker)
            }
            None => false,
        };
        if self_test {
            inner.self_test = None;
        }
        let in_burst = inner
            .last
            .is_some_and(|at| now.saturating_duration_since(at) < FLOOD_WINDOW);
        inner.last = Some(now);
        // A sheet already open means the agent has not decided yet: the new link joins it.
        let alone = !in_burst && inner.current.is_none();
        inner.unanswered = if alone { 1 } else { inner.unanswered + 1 };
        let count = inner.unanswered;
        inner.next_id += 1;
        let (number, problem) = match parsed {
            Ok(n) => (Some(LinkNumber::from(&n)), None),
            Err(problem) => (None, Some(problem)),
        };
        let mut request = Request {
            id: inner.next_id,
            source,
            link: clean_text(raw, MAX_LINK_SHOWN),
            number,
            problem,
            count,
            self_test,
            asked: None,
        };
        // Only links may be trusted to dial without asking; the tray and hotkey always ask.
        let trusted = dial_without_asking && source == Source::Link;
        if let (true, true, false, Some(number)) = (trusted, alone, self_test, &request.number) {
            let recent = inner
                .last_trusted
                .is_some_and(|at| now.saturating_duration_since(at) < TRUSTED_INTERVAL);
            request.asked = if recent {
                Some(Asked::Recent)
            } else if number.region.as_deref() != Some(region.code()) {
                Some(Asked::OtherCountry)
            } else if !matches!(
                number.kind,
                NumberKind::Mobile
                    | NumberKind::Landline
                    | NumberKind::MobileOrLandline
                    | NumberKind::TollFree
            ) {
                Some(Asked::Unusual)
            } else {
                None
            };
            if request.asked.is_none() {
                inner.last_trusted = Some(now);
                return Arrival::Dial(request);
            }
        }
        inner.current = Some(request.clone());
        Arrival::Ask(request)
    }

    /// The request on the sheet, if any.
    pub fn current(&self) -> Option<Request> {
        self.lock().current.clone()
    }

    /// The agent confirmed request `id`: hands it over for dialling and clears the sheet.
    /// Refused when a newer link replaced it, or when it cannot be dialled.
    pub fn take(&self, id: u64) -> Result<(Request, LinkNumber), Error> {
        let mut inner = self.lock();
        let Some(current) = inner.current.as_ref() else {
            return Err(Error::invalid(
                "That link was already dealt with; nothing was dialled.",
            ));
        };
        if current.id != id {
            return Err(Error::invalid(
                "Another link arrived meanwhile; check the number on the sheet and confirm again.",
            ));
        }
        if current.self_test {
            return Err(Error::invalid(
                "That was the test link; it is never dialled.",
            ));
        }
        let Some(number) = current.number.clone() else {
            let problem = current.problem.clone().unwrap_or_default();
            return Err(Error::new(Code::InvalidNumber, problem));
        };
        let request = inner.current.take().expect("checked above");
        inner.unanswered = 0;
        Ok((request, number))
    }

    /// The window closed: a request left on the sheet is dropped, so reopening the window never
    /// offers a link the agent walked away from. Returns whether one was dropped.
    pub fn dismiss_current(&self) -> bool {
        let mut inner = self.lock();
        inner.unanswered = 0;
        inner.current.take().is_some()
    }

    /// The agent cancelled request `id` (or closed the sheet). An older id changes nothing.
    pub fn dismiss(&self, id: u64) -> bool {
        let mut inner = self.lock();
        if inner.current.as_ref().is_some_and(|r| r.id == id) {
            inner.current = None;
            inner.unanswered = 0;
            return true;
        }
        false
    }

    /// Prepares the doctor's self-test: the link to open through the OS. When it comes back,
    /// the sheet says the link arrived, and it is never dialled.
    pub fn self_test_link(&self, now: Instant) -> String {
        let marker = format!("{SELF_TEST_PARAM}{}", uuid::Uuid::new_v4().simple());
        let link = format!("tel:+919876543210;{marker}");
        self.lock().self_test = Some((marker, now));
        link
    }
}

#[cfg(test)]
mod tests;
