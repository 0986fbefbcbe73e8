//! Unit tests of `links`.

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
