//! Unit tests of `phone`.

use super::*;

fn ok(input: &str) -> String {
    Number::parse(input, Region::INDIA)
        .unwrap_or_else(|e| panic!("{input:?} should parse: {e}"))
        .e164()
        .to_string()
}

fn kind(input: &str) -> NumberErrorKind {
    Number::parse(input, Region::INDIA)
        .expect_err(input)
        .kind()
        .clone()
}

#[test]
fn every_public_vector() {
    let table = include_str!("../../tests/number-vectors.tsv");
    let mut checked = 0;
    for line in table.lines() {
        if line.starts_with('#') || line.trim().is_empty() {
            continue;
        }
        let (input, expected) = line.split_once('\t').expect("input<TAB>expected");
        let got = Number::parse(input, Region::INDIA);
        match expected {
            "ERR" => assert!(got.is_err(), "{input:?} should be rejected, got {got:?}"),
            e164 => assert_eq!(
                got.map(|n| n.e164().to_string()),
                Ok(e164.to_string()),
                "{input:?}"
            ),
        }
        checked += 1;
    }
    assert!(checked >= 21, "only {checked} vectors read");
}

/// The whole number must fit its country's plan, not just its first digits
/// (vendor/phonenumber: the crate matched a pattern at the start only). Each of these has a
/// possible length and a valid beginning; libphonenumber 9.0.43 rejects all three.
#[test]
fn a_number_whose_start_fits_is_not_enough() {
    for input in ["+880 8011234567", "+880 276111234", "+61 1305123456"] {
        assert!(
            matches!(kind(input), NumberErrorKind::Invalid { .. }),
            "{input}"
        );
    }
    // Their valid neighbours still pass.
    assert_eq!(ok("+880 1712345678"), "+8801712345678");
    assert_eq!(ok("+61 1300123456"), "+611300123456");
}

#[test]
fn unicode_separators_and_digits() {
    assert_eq!(ok("98765\u{00A0}43210"), "+919876543210");
    assert_eq!(ok("98765\u{202F}43210"), "+919876543210");
    assert_eq!(ok("+91\u{2013}98765\u{2014}43210"), "+919876543210");
    assert_eq!(ok("+91\u{2212}98765.43210"), "+919876543210");
    assert_eq!(ok("\u{200E}+91 98765 43210\u{200F}"), "+919876543210");
    assert_eq!(ok("\u{FEFF}[+91] 98765/43210"), "+919876543210");
    assert_eq!(ok("९८७६५४३२१०"), "+919876543210");
    assert_eq!(ok("＋９１ ９８７６５ ４３２１０"), "+919876543210");
    assert_eq!(ok("0 98765 43210"), "+919876543210");
}

#[test]
fn extensions_are_kept_apart() {
    let n = Number::parse("tel:+919876543210;ext=12", Region::INDIA).unwrap();
    assert_eq!((n.e164(), n.ext()), ("+919876543210", Some("12")));
    let n = Number::parse("022 2345 6789 ext. 45", Region::INDIA).unwrap();
    assert_eq!((n.e164(), n.ext()), ("+912223456789", Some("45")));
    let n = Number::parse("022 2345 6789 x45", Region::INDIA).unwrap();
    assert_eq!(n.ext(), Some("45"));
    assert_eq!(
        kind("tel:+919876543210;ext=ab"),
        NumberErrorKind::BadExtension
    );
}

#[test]
fn uri_edge_cases() {
    assert_eq!(ok("TEL:+91-98765-43210"), "+919876543210");
    assert_eq!(ok("tel:+91%E2%80%9198765%E2%80%9143210"), "+919876543210");
    assert_eq!(ok("callto://+919876543210?call"), "+919876543210");
    assert_eq!(ok("tel:+919876543210;isub=1;postd=pp22"), "+919876543210");
    assert_eq!(
        ok("tel:98765-43210;phone-context=example.com"),
        "+919876543210"
    );
    assert_eq!(kind("tel:%2"), NumberErrorKind::BadEscape);
    assert_eq!(kind("tel:%zz9876543210"), NumberErrorKind::BadEscape);
    assert_eq!(kind("tel:"), NumberErrorKind::BadLink);
    assert_eq!(kind("callto://"), NumberErrorKind::BadLink);
    // An escaped ';' must not smuggle in a parameter.
    assert_eq!(
        kind("tel:+919876543210%3Bext=1"),
        NumberErrorKind::BadCharacter(';')
    );
}

#[test]
fn rejections_teach_the_fix() {
    assert_eq!(kind(""), NumberErrorKind::Empty);
    assert_eq!(kind("  \u{00A0} "), NumberErrorKind::Empty);
    assert_eq!(kind("+"), NumberErrorKind::NoDigits);
    assert_eq!(kind("98765abcde"), NumberErrorKind::Letters);
    assert_eq!(kind("1-800-FLOWERS"), NumberErrorKind::Letters);
    assert_eq!(kind("12345"), NumberErrorKind::TooShort);
    assert_eq!(kind("+91 98765 43210 98765"), NumberErrorKind::TooLong);
    assert_eq!(kind("98765+43210"), NumberErrorKind::MisplacedPlus);
    assert_eq!(kind("98765*43210"), NumberErrorKind::BadCharacter('*'));
    assert_eq!(kind("+999 1234 5678"), NumberErrorKind::UnknownCountryCode);
    assert!(matches!(
        kind("+1 123 456 7890"),
        NumberErrorKind::Invalid { .. }
    ));
    let msg = Number::parse("98765abcde", Region::INDIA)
        .unwrap_err()
        .to_string();
    assert!(msg.contains("'98765abcde' has letters"), "{msg}");
    let long = "9".repeat(1000);
    assert_eq!(kind(&long), NumberErrorKind::TooLong);
}

#[test]
fn display_forms() {
    let n = Number::parse("9876543210", Region::INDIA).unwrap();
    assert_eq!(n.international(), "+91 98765 43210");
    assert_eq!(n.digits(), "919876543210");
    assert_eq!(n.to_string(), "+919876543210");
}

#[test]
fn national_number_starting_with_the_country_code_keeps_its_digits() {
    // Regression: found by the idempotence property test.
    assert_eq!(ok("91725 98687"), "+919172598687");
    assert_eq!(ok("091725 98687"), "+919172598687");
}

#[test]
fn other_default_region() {
    let us = Region::parse("us").unwrap();
    assert_eq!(
        Number::parse("(415) 555-0123", us).unwrap().e164(),
        "+14155550123"
    );
    assert!(Region::parse("XX").is_err());
    assert!(Region::parse("").is_err());
}

#[test]
fn numbers_know_their_country_and_line_kind() {
    let n = Number::parse("+91 98765 43210", Region::INDIA).unwrap();
    assert_eq!((n.region(), n.kind()), (Some("IN"), NumberKind::Mobile));
    let n = Number::parse("+91 80 2345 6789", Region::INDIA).unwrap();
    assert_eq!((n.region(), n.kind()), (Some("IN"), NumberKind::Landline));
    let n = Number::parse("1800 180 1111", Region::INDIA).unwrap();
    assert_eq!(n.kind(), NumberKind::TollFree);
    let n = Number::parse("+1 212 555 0100", Region::INDIA).unwrap();
    assert_eq!(
        (n.region(), n.kind()),
        (Some("US"), NumberKind::MobileOrLandline)
    );
    let n = Number::parse("+44 20 7946 0000", Region::INDIA).unwrap();
    assert_eq!((n.region(), n.kind()), (Some("GB"), NumberKind::Landline));
    let n = Number::parse("+44 901 234 5678", Region::INDIA).unwrap();
    assert_eq!(n.kind(), NumberKind::PremiumRate);
    assert_eq!(NumberKind::MobileOrLandline.words(), "mobile or landline");
    let assumed = |t: &str| Number::parse(t, Region::INDIA).unwrap().assumed_country();
    assert!(assumed("98765 43210") && assumed("098765 43210") && assumed("(415) 555-0100"));
    assert!(!assumed("+91 98765 43210") && !assumed("0091 98765 43210"));
    assert!(!assumed("tel:98765-43210;phone-context=+91"));
}

#[test]
fn is_link_checks_the_scheme_only() {
    for yes in [
        "tel:+919876543210",
        "TEL:x",
        "callto://+91",
        "\u{200e} tel:1",
        "Callto:",
    ] {
        assert!(is_link(yes), "{yes}");
    }
    for no in [
        "",
        "te",
        "+91 98765 43210",
        "telx:1",
        "https://x/tel:1",
        "sms:+91",
        "tél:1",
    ] {
        assert!(!is_link(no), "{no}");
    }
}

#[test]
fn numbers_are_found_in_pasted_text() {
    let found = |t: &str| -> Vec<String> {
        find_numbers(t, Region::INDIA)
            .iter()
            .map(|n| n.e164().to_string())
            .collect()
    };
    // CRM lines
    assert_eq!(found("98765-43210 Rahul"), ["+919876543210"]);
    assert_eq!(found("Mobile: +91 98765 43210"), ["+919876543210"]);
    assert_eq!(
        found("Rahul Sharma\t098765 43210\tMumbai\tHot lead"),
        ["+919876543210"]
    );
    assert_eq!(found("(415) 555-0100 is the US office"), ["+914155550100"]);
    assert_eq!(found("US office: +1 (415) 555-0100"), ["+14155550100"]);
    // A signature with two numbers, and one written twice.
    assert_eq!(
        found("Asha Rao | Sales\nMobile: +91 98765 43210\nOffice: 080 2345 6789\nWhatsApp +919876543210"),
        ["+919876543210", "+918023456789"]
    );
    // Two numbers separated by spaces only.
    assert_eq!(
        found("98765 43210  98765 43211"),
        ["+919876543210", "+919876543211"]
    );
    // No number: words, dates, short codes, amounts.
    assert!(found("Dear Rahul, thanks for your time").is_empty());
    assert!(found("Meeting on 28/11/2026 at 10:30, order #4471, Rs 1,200").is_empty());
    assert!(found("").is_empty());
    // Huge or hostile text is bounded and never panics.
    let flood = "98765 43210 ".repeat(2000);
    assert_eq!(found(&flood), ["+919876543210"]);
    let many: String = (0..50).map(|i| format!("+91 98765 432{i:02}; ")).collect();
    assert_eq!(found(&many).len(), MAX_FOUND);
    let _ = found(&"\u{202e}+\u{0966}".repeat(3000));
}

#[test]
fn numbers_in_text_put_the_mobile_first() {
    let e164 = |text: &str| -> Vec<String> {
        numbers_in(text, Region::default())
            .unwrap()
            .iter()
            .map(|n| n.e164().to_string())
            .collect()
    };
    assert_eq!(
        e164("Cust: Ravi K, Mob +91-98765 43210 / alt 022 2345 6789"),
        ["+919876543210", "+912223456789"]
    );
    // The landline written first still comes after the mobile.
    assert_eq!(
        e164("Office 022 2345 6789, mobile 98765 43210"),
        ["+919876543210", "+912223456789"]
    );
    // Two landlines keep the order written.
    assert_eq!(
        e164("022 2345 6789 / 080 2345 6789"),
        ["+912223456789", "+918023456789"]
    );
    // One number as a whole, whatever it is.
    assert_eq!(e164("022 2345 6789"), ["+912223456789"]);
    assert_eq!(e164("tel:+919876543210"), ["+919876543210"]);
    // Digits alone are never trimmed into another number: the whole text's error.
    let kind = |text: &str| {
        numbers_in(text, Region::default())
            .unwrap_err()
            .kind()
            .clone()
    };
    for digits in ["98765 43210 22", "98765 43210 98765", "98765"] {
        assert_eq!(
            &kind(digits),
            Number::parse(digits, Region::default()).unwrap_err().kind(),
            "{digits}"
        );
    }
    assert_eq!(kind("98765"), NumberErrorKind::TooShort);
    assert_eq!(kind("call me maybe"), NumberErrorKind::Letters);
}

/// Issue 25 item 9: a whole mobile with digits after it ("98765 432101", 11 digits) says there are too many digits, from
/// the country's mobile and landline lengths in the metadata, not "keep typing" nor "invalid".
#[test]
fn too_many_digits_are_named() {
    for (input, extra) in [
        ("98765 432101", 1),
        ("+91 98765 432101", 1),
        ("098765 432101", 1),
        ("98765 4321012", 2),
    ] {
        match kind(input) {
            NumberErrorKind::TooManyDigits {
                extra: got,
                lengths,
                country_code: 91,
                ..
            } => {
                assert_eq!(got, extra, "{input}");
                assert_eq!(lengths, [10], "{input}");
            }
            other => panic!("{input}: {other:?}"),
        }
    }
    let msg = Number::parse("98765 432101", Region::INDIA)
        .unwrap_err()
        .to_string();
    assert_eq!(
        msg,
        "'98765 432101' has 1 digit too many: Indian mobile and landline numbers have 10 \
         digits after +91 or 0. Check for extra digits."
    );
    // A landline with one digit more, and another country's numbers, the same way.
    assert!(matches!(
        kind("022 2345 67891"),
        NumberErrorKind::TooManyDigits { extra: 1, .. }
    ));
    let us = Number::parse("+1 415 555 01234", Region::INDIA).unwrap_err();
    assert!(
        us.to_string()
            .contains("North American mobile and landline numbers have 10 digits"),
        "{us}"
    );
    // Not a mobile or landline at its start: still "not a valid number"; a valid toll-free
    // number longer than a mobile is still a number.
    assert!(matches!(
        kind("10000 000000"),
        NumberErrorKind::Invalid { .. }
    ));
    assert_eq!(ok("1800 123 4567"), "+9118001234567");
    // A number typed with its country code but no +, not yet complete, is too short, not
    // too long: "91 98765 4321" on the way to "91 98765 43210".
    assert_eq!(kind("91 98765 4321"), NumberErrorKind::TooShort);
    assert_eq!(ok("91 98765 43210"), "+919876543210");
    // Two numbers side by side are still read as two.
    let two = numbers_in("98765 43210 98765 43211", Region::INDIA).unwrap();
    assert_eq!(two.len(), 2);
    assert!(numbers_in("98765 432101", Region::INDIA).is_err());
}

#[test]
fn digits_left_unread_beside_the_numbers_are_counted() {
    let unread = |text: &str| unread_digit_runs(text, Region::default());
    assert_eq!(unread("Cust: Ravi K, Mob +91-98765 11111, Pune"), 0);
    assert_eq!(unread("Mob +91-98765 43210 / alt 022 2345 6789"), 0);
    // A mistyped second number, a stretch that is no number, a PIN code.
    assert_eq!(unread("Mob 98765 43210 / alt 98765 4321"), 1);
    assert_eq!(unread("Mob 98765 43210 98765 4321"), 2, "each word left");
    assert_eq!(unread("Pune 411001, mob 98765 43210"), 1);
    // Short runs (a house number, a date) are not numbers anyone meant to dial.
    assert_eq!(unread("Flat 12, 3rd floor, mob 98765 43210"), 0);
}
