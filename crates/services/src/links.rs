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
mod tests {
    use super::*;

    fn at(base: Instant, ms: u64) -> Instant {
        base + Duration::from_millis(ms)
    }

    fn ask(a: Arrival) -> Request {
        match a {
            Arrival::Ask(r) => r,
            Arrival::Dial(r) => panic!("dialled without asking: {r:?}"),
        }
    }

    #[test]
    fn a_link_waits_on_the_sheet_with_its_number_kind_and_country() {
        let inbox = Inbox::new();
        let now = Instant::now();
        let r = ask(inbox.receive(
            "tel:+91-98765-43210",
            Source::Link,
            Region::INDIA,
            false,
            now,
        ));
        let n = r.number.clone().unwrap();
        assert_eq!(n.international, "+91 98765 43210");
        assert_eq!(n.region.as_deref(), Some("IN"));
        assert_eq!(n.kind, NumberKind::Mobile);
        assert_eq!((r.count, r.self_test, r.problem.clone()), (1, false, None));
        assert_eq!(inbox.current(), Some(r.clone()));
        let (taken, number) = inbox.take(r.id).unwrap();
        assert_eq!((taken.id, number.e164.as_str()), (r.id, "+919876543210"));
        assert_eq!(
            inbox.current(),
            None,
            "a confirmed request leaves the sheet"
        );
        assert!(inbox.take(r.id).is_err(), "and cannot be confirmed twice");
    }

    #[test]
    fn a_flood_yields_one_sheet_with_the_latest_number_and_the_count() {
        let inbox = Inbox::new();
        let base = Instant::now();
        let mut last = None;
        for i in 0..20u64 {
            let link = format!("tel:+91987654{:04}", 3200 + i);
            // Even with "dial links without asking" on, only the first of a burst may dial.
            match inbox.receive(&link, Source::Link, Region::INDIA, true, at(base, i * 10)) {
                Arrival::Dial(r) => assert_eq!(i, 0, "only the first link of a burst dials: {r:?}"),
                Arrival::Ask(r) => last = Some(r),
            }
        }
        let last = last.unwrap();
        assert_eq!(last.count, 20);
        assert_eq!(last.number.unwrap().e164, "+919876543219");
        assert_eq!(inbox.current().unwrap().id, last.id);
        // Once the agent answers the sheet, the next burst is counted afresh, and it still
        // never dials without asking while links keep coming.
        assert!(inbox.dismiss(last.id));
        for i in 0..3u64 {
            let link = format!("tel:+91987654{:04}", 3300 + i);
            let r = ask(inbox.receive(
                &link,
                Source::Link,
                Region::INDIA,
                true,
                at(base, 300 + i * 10),
            ));
            assert_eq!(r.count, i as u32 + 1);
        }
    }

    #[test]
    fn links_ask_by_default_and_a_trusted_single_link_dials_without_joining_the_sheet() {
        let inbox = Inbox::new();
        let base = Instant::now();
        let link = "tel:+919876543210";
        ask(inbox.receive(link, Source::Link, Region::INDIA, false, base));
        assert!(inbox.dismiss(inbox.current().unwrap().id));
        let later = at(base, 5_000);
        match inbox.receive(link, Source::Link, Region::INDIA, true, later) {
            Arrival::Dial(r) => assert_eq!(r.number.unwrap().e164, "+919876543210"),
            a => panic!("{a:?}"),
        }
        assert_eq!(inbox.current(), None);
        // A link one flood window later is alone again, but one dial without asking a minute
        // is the limit: it asks, and says why.
        let r = ask(inbox.receive(
            link,
            Source::Link,
            Region::INDIA,
            true,
            later + FLOOD_WINDOW,
        ));
        assert_eq!(r.asked, Some(Asked::Recent));
        assert!(inbox.dismiss(r.id));
        match inbox.receive(
            link,
            Source::Link,
            Region::INDIA,
            true,
            later + TRUSTED_INTERVAL,
        ) {
            Arrival::Dial(r) => assert_eq!(r.asked, None),
            a => panic!("{a:?}"),
        }
        // While a sheet is open, even a trusted link waits on it.
        ask(inbox.receive(
            "tel:+9198765",
            Source::Link,
            Region::INDIA,
            false,
            at(base, 9_000),
        ));
        ask(inbox.receive(link, Source::Link, Region::INDIA, true, at(base, 20_000)));
    }

    /// A page that opens a link every 2.1 s (past the burst window) got each one dialled.
    #[test]
    fn trusted_links_dial_at_most_one_a_minute() {
        let inbox = Inbox::new();
        let base = Instant::now();
        let mut dialled = Vec::new();
        for i in 0..60u64 {
            let link = format!("tel:+91987654{:04}", 3200 + i);
            match inbox.receive(
                &link,
                Source::Link,
                Region::INDIA,
                true,
                at(base, i * 2_100),
            ) {
                Arrival::Dial(_) => dialled.push(i),
                Arrival::Ask(r) => {
                    assert_eq!(r.asked, Some(Asked::Recent), "{i}");
                    assert!(inbox.dismiss(r.id));
                }
            }
        }
        // 0 s, then the first link at least 60 s later (29 × 2.1 s = 60.9 s), and so on.
        assert_eq!(dialled, [0, 29, 58]);
    }

    #[test]
    fn trusted_links_ask_for_another_country_or_an_unusual_number() {
        let base = Instant::now();
        for (i, (link, region, asked)) in [
            ("tel:+14155550123", Region::INDIA, Some(Asked::OtherCountry)),
            (
                "tel:+919876543210",
                Region::parse("US").unwrap(),
                Some(Asked::OtherCountry),
            ),
            ("tel:+14155550123", Region::parse("US").unwrap(), None),
            ("tel:+919876543210", Region::INDIA, None),
            ("tel:+9118004190000", Region::INDIA, None),
            ("tel:+9118602662222", Region::INDIA, Some(Asked::Unusual)),
            ("tel:+18005550199", Region::parse("US").unwrap(), None),
            (
                "tel:+19005550199",
                Region::parse("US").unwrap(),
                Some(Asked::Unusual),
            ),
        ]
        .into_iter()
        .enumerate()
        {
            let inbox = Inbox::new();
            let now = at(base, i as u64 * 100_000);
            match (inbox.receive(link, Source::Link, region, true, now), asked) {
                (Arrival::Dial(r), None) => assert_eq!(r.asked, None),
                (Arrival::Ask(r), Some(want)) => {
                    assert_eq!(r.asked, Some(want), "{link}");
                    assert_eq!(inbox.current(), Some(r));
                }
                (a, want) => panic!("{link} in {}: {a:?}, wanted {want:?}", region.code()),
            }
        }
        // Asking is not a dial: the next trusted link is not held up by it.
        let inbox = Inbox::new();
        let r = ask(inbox.receive("tel:+14155550123", Source::Link, Region::INDIA, true, base));
        assert!(inbox.dismiss(r.id));
        let later = at(base, 10_000);
        assert!(matches!(
            inbox.receive(
                "tel:+919876543210",
                Source::Link,
                Region::INDIA,
                true,
                later
            ),
            Arrival::Dial(_)
        ));
    }

    #[test]
    fn closing_the_window_drops_the_sheet() {
        let inbox = Inbox::new();
        let base = Instant::now();
        let r = ask(inbox.receive(
            "tel:+919876543210",
            Source::Link,
            Region::INDIA,
            false,
            base,
        ));
        assert!(inbox.dismiss_current());
        assert_eq!(inbox.current(), None);
        assert!(
            inbox.take(r.id).is_err(),
            "a confirmation after closing dials nothing"
        );
        assert!(!inbox.dismiss_current());
        // The next link starts a count of its own.
        let next = ask(inbox.receive(
            "tel:+919876543211",
            Source::Link,
            Region::INDIA,
            false,
            at(base, 10_000),
        ));
        assert_eq!(next.count, 1);
    }

    #[test]
    fn an_invalid_link_explains_itself_and_cannot_be_confirmed() {
        let inbox = Inbox::new();
        let now = Instant::now();
        for (link, words) in [
            ("tel:12", "too short"),
            ("tel:+91-98765-abcde", "has letters"),
            ("callto://", "no phone number"),
            ("https://evil.test/?tel:+919876543210", "not a phone link"),
        ] {
            let r = ask(inbox.receive(link, Source::Link, Region::INDIA, true, now));
            assert!(r.number.is_none(), "{link}");
            let problem = r.problem.clone().unwrap();
            assert!(problem.contains(words), "{link}: {problem}");
            let e = inbox.take(r.id).unwrap_err();
            assert_eq!(e.message, problem);
            assert!(inbox.dismiss(r.id));
        }
    }

    #[test]
    fn a_stale_confirmation_never_dials_the_newer_number() {
        let inbox = Inbox::new();
        let base = Instant::now();
        let first = ask(inbox.receive(
            "tel:+919876543210",
            Source::Link,
            Region::INDIA,
            false,
            base,
        ));
        let second = ask(inbox.receive(
            "tel:+919876543211",
            Source::Link,
            Region::INDIA,
            false,
            at(base, 5_000),
        ));
        assert_eq!(second.count, 2, "the sheet was still open");
        let e = inbox.take(first.id).unwrap_err();
        assert!(e.message.contains("Another link arrived"), "{}", e.message);
        assert!(
            !inbox.dismiss(first.id),
            "an old cancel leaves the new request alone"
        );
        assert_eq!(inbox.take(second.id).unwrap().1.e164, "+919876543211");
    }

    #[test]
    fn the_self_test_link_is_recognised_once_and_never_dialled() {
        let inbox = Inbox::new();
        let base = Instant::now();
        let link = inbox.self_test_link(base);
        assert!(is_link(&link));
        let r = ask(inbox.receive(&link, Source::Link, Region::INDIA, true, at(base, 500)));
        assert!(r.self_test);
        assert!(inbox.take(r.id).unwrap_err().message.contains("test link"));
        assert!(inbox.dismiss(r.id));
        // The same link again is an ordinary link: the marker was used up.
        let again = ask(inbox.receive(&link, Source::Link, Region::INDIA, false, at(base, 9_000)));
        assert!(!again.self_test);
        // A test link that comes back too late is not trusted as the test either.
        let late = inbox.self_test_link(base);
        inbox.dismiss(again.id);
        let r = ask(inbox.receive(
            &late,
            Source::Link,
            Region::INDIA,
            false,
            base + SELF_TEST_WAIT + Duration::from_secs(1),
        ));
        assert!(!r.self_test);
    }

    #[test]
    fn the_tray_and_hotkey_hand_over_text_and_always_ask() {
        let inbox = Inbox::new();
        let base = Instant::now();
        for (i, source) in [Source::Tray, Source::Hotkey].into_iter().enumerate() {
            let now = at(base, 10_000 * i as u64);
            let r = ask(inbox.receive(" 098765 43210 ", source, Region::INDIA, true, now));
            assert_eq!(r.source, source);
            assert_eq!(r.number.unwrap().e164, "+919876543210");
            assert!(inbox.dismiss(r.id));
        }
        // A selection with one number in it: that number; with several: no guess.
        let later = at(base, 60_000);
        let r = ask(inbox.receive(
            "Call Rahul on 98765-43210 today",
            Source::Hotkey,
            Region::INDIA,
            false,
            later,
        ));
        assert_eq!(r.number.unwrap().e164, "+919876543210");
        inbox.dismiss(r.id);
        let r = ask(inbox.receive(
            "98765 43210 or 98765 43211",
            Source::Tray,
            Region::INDIA,
            false,
            later,
        ));
        assert!(r.number.is_none());
        assert!(r
            .problem
            .unwrap()
            .starts_with("The text holds 2 numbers (+91 98765 43210, +91 98765 43211)"));
        inbox.dismiss(r.id);
        // A link is never searched: it is a number or it is refused.
        let r = ask(inbox.receive(
            "https://x.test/98765-43210",
            Source::Link,
            Region::INDIA,
            false,
            later,
        ));
        assert!(r.number.is_none());
    }

    #[test]
    fn the_shown_link_is_cleaned_and_short() {
        let inbox = Inbox::new();
        let raw = format!("tel:+91\u{1b}[31m\u{202e}{}", "9".repeat(500));
        let r = ask(inbox.receive(&raw, Source::Link, Region::INDIA, false, Instant::now()));
        assert!(!r.link.contains('\u{1b}') && !r.link.contains('\u{202e}'));
        assert!(r.link.chars().count() <= MAX_LINK_SHOWN + 1);
    }
}
