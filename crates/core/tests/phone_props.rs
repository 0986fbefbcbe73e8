//! Property tests: parsing never panics on arbitrary input, and normalising its own output is a
//! fixed point (E.164 in, the same E.164 out, in every display form we produce).

use clickdial_core::phone::{Number, Region};
use proptest::prelude::*;

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    #[test]
    fn never_panics_on_any_string(s in "\\PC{0,64}") {
        let _ = Number::parse(&s, Region::INDIA);
    }

    #[test]
    fn never_panics_on_phone_like_text(s in "(tel:|callto:|callto://)?[+0-9 ()\\-.;=%a-fA-F\u{a0}\u{2013}]{0,40}") {
        let _ = Number::parse(&s, Region::INDIA);
    }

    #[test]
    fn normalising_is_idempotent(s in "(\\+91|0091|91|0)?[ -]?[6-9][0-9]{4}[ -]?[0-9]{5}") {
        if let Ok(n) = Number::parse(&s, Region::INDIA) {
            for form in [n.e164(), n.international(), n.national()] {
                let again = Number::parse(form, Region::INDIA).expect("own output parses");
                prop_assert_eq!(again.e164(), n.e164());
            }
            let uri = format!("tel:{}", n.e164());
            let via_uri = Number::parse(&uri, Region::INDIA).unwrap();
            prop_assert_eq!(via_uri.e164(), n.e164());
        }
    }

    #[test]
    fn accepted_numbers_are_well_formed_e164(s in "[+]?[0-9 ]{3,20}") {
        if let Ok(n) = Number::parse(&s, Region::INDIA) {
            prop_assert!(n.e164().starts_with('+'));
            prop_assert!(n.digits().chars().all(|c| c.is_ascii_digit()));
            prop_assert!((8..=16).contains(&n.e164().len()), "{}", n.e164());
        }
    }
}
