//! The link inbox takes whatever a web page, a mail or another program hands the OS. Fuzzed:
//! it never panics, and only a number that passed validation can leave it to be dialled.

use std::time::{Duration, Instant};

use clickdial_core::{Number, Region};
use clickdial_services::ledger::Source;
use clickdial_services::links::{Arrival, Inbox};
use proptest::prelude::*;

/// Whatever leaves the inbox for the dialler must be a valid number in E.164 form that parses
/// back to itself.
fn assert_dialable(e164: &str) {
    let n = Number::parse(e164, Region::INDIA).expect("a dialable number is valid");
    assert_eq!(n.e164(), e164);
}

fn exercise(raw: &str, trusted: bool) {
    let inbox = Inbox::new();
    let now = Instant::now();
    let request = match inbox.receive(raw, Source::Link, Region::INDIA, trusted, now) {
        Arrival::Dial(r) => {
            assert!(trusted, "dialled without being trusted: {raw:?}");
            assert_dialable(&r.number.expect("a dial carries a number").e164);
            return;
        }
        Arrival::Ask(r) => r,
    };
    assert_eq!(
        request.number.is_some(),
        request.problem.is_none(),
        "{raw:?}"
    );
    match inbox.take(request.id) {
        Ok((_, number)) => assert_dialable(&number.e164),
        Err(e) => assert!(!e.message.is_empty()),
    }
    // A second link right after always waits on the sheet, trusted or not.
    let next = inbox.receive(
        raw,
        Source::Link,
        Region::INDIA,
        trusted,
        now + Duration::from_millis(5),
    );
    assert!(matches!(next, Arrival::Ask(_)), "{raw:?}");
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(1000))]

    #[test]
    fn any_text_never_panics(s in "\\PC{0,80}", trusted in any::<bool>()) {
        exercise(&s, trusted);
    }

    #[test]
    fn link_shaped_text_never_panics(
        scheme in "(tel:|TEL:|callto:|callto://|CallTo://)",
        body in "[+0-9 ()\\-.;=%a-fA-F?#/\u{a0}\u{2013}\u{202e}\u{0966}-\u{096f}]{0,40}",
        trusted in any::<bool>(),
    ) {
        exercise(&format!("{scheme}{body}"), trusted);
    }

    #[test]
    fn valid_links_in_every_written_form_reach_the_dialler(
        digits in "[6-9][0-9]{9}",
        form in 0usize..5,
    ) {
        let link = match form {
            0 => format!("tel:+91{digits}"),
            1 => format!("tel:+91-{}-{}", &digits[..5], &digits[5..]),
            2 => format!("callto://+91{digits}"),
            3 => format!("tel:%2B91%20{digits}"),
            _ => format!("tel:{digits};phone-context=+91"),
        };
        let inbox = Inbox::new();
        let parsed = Number::parse(&link, Region::INDIA);
        match inbox.receive(&link, Source::Link, Region::INDIA, true, Instant::now()) {
            Arrival::Dial(r) => {
                let n = r.number.unwrap();
                assert_dialable(&n.e164);
                prop_assert_eq!(n.e164, format!("+91{digits}"));
            }
            // Not every ten digits starting 6-9 is an allocated Indian mobile range.
            Arrival::Ask(r) => prop_assert!(parsed.is_err() && r.problem.is_some(), "{link}"),
        }
    }
}
