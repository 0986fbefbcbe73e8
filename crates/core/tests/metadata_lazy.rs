//! The built-in phone metadata is decoded a region at a time, when a number needs it (issue 10:
//! decoding all of it cost every process about 6 MB and 20 ms). Its own test binary, so no
//! other test has decoded regions first.

use clickdial_core::{Number, Region};
use phonenumber::metadata::DATABASE;

#[test]
fn a_number_decodes_only_its_own_region_and_every_region_decodes() {
    let india = Number::parse("098765 43210", Region::INDIA).expect("an Indian number");
    assert_eq!(india.e164(), "+919876543210");
    let after_one = DATABASE.decoded();
    assert!(
        (1..=2).contains(&after_one),
        "one Indian number decoded {after_one} of {} regions",
        DATABASE.len()
    );

    let uk = Number::parse("+44 20 7946 0123", Region::INDIA).expect("a UK number");
    assert_eq!(uk.e164(), "+442079460123");
    // The UK shares +44 with Guernsey, Jersey and the Isle of Man; nothing else is decoded.
    let after_two = DATABASE.decoded();
    assert!(
        after_two > after_one && after_two <= after_one + 4,
        "{after_one} regions became {after_two}"
    );

    // The whole database is sound: every region decodes, with its patterns.
    assert!(DATABASE.len() > 240, "{} regions", DATABASE.len());
    let all = DATABASE.iter().count();
    assert!(all > 240, "{all} regions decoded");
    assert_eq!(DATABASE.decoded(), DATABASE.len());
}
