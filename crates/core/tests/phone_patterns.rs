//! The patched phonenumber matches with regex-lite (issue 10: regex cost the command-line program
//! about 0.7 MB). Its own test binary: it decodes every region, which `metadata_lazy` must not
//! see.

use phonenumber::metadata::{Pattern, DATABASE};
use phonenumber::{country, Mode};

/// Every built-in pattern compiles. build.rs compiles them all at build time, and the database
/// compiles each again on first use, trusting that; a pattern that failed here would panic in
/// the app at the first number that reached it.
#[test]
fn every_built_in_pattern_compiles() {
    let (mut compiled, mut examples) = (0, 0);
    let mut compile = |pattern: &Pattern| {
        // Dereferencing compiles.
        let _ = pattern.is_match("");
        compiled += 1;
    };
    for meta in DATABASE.iter() {
        let d = meta.descriptors();
        let descriptors = [
            Some(d.general()),
            d.fixed_line(),
            d.mobile(),
            d.toll_free(),
            d.premium_rate(),
            d.shared_cost(),
            d.personal_number(),
            d.voip(),
            d.pager(),
            d.uan(),
            d.emergency(),
            d.voicemail(),
            d.short_code(),
            d.standard_rate(),
            d.carrier(),
            d.no_international(),
        ];
        for descriptor in descriptors.into_iter().flatten() {
            compile(descriptor.national_number());
            // And they match: each number type's example is one of its numbers, whole.
            if let Some(example) = descriptor.example() {
                let pattern = descriptor.national_number();
                assert!(
                    pattern.is_match(example),
                    "{}: {example} against {}",
                    meta.id(),
                    pattern.as_str()
                );
                assert!(
                    !pattern.is_match(&format!("{example}x")),
                    "{}: {example}x",
                    meta.id()
                );
                examples += 1;
            }
        }
        for format in meta.formats().iter().chain(meta.international_formats()) {
            compile(format.pattern());
            format.leading_digits().iter().for_each(&mut compile);
        }
        for pattern in [
            meta.international_prefix(),
            meta.national_prefix_for_parsing(),
            meta.leading_digits(),
        ]
        .into_iter()
        .flatten()
        {
            compile(pattern);
        }
    }
    assert!(
        compiled > 4000 && examples > 1000,
        "only {compiled} patterns, {examples} examples"
    );
}

/// The parser's own Unicode classes, which regex-lite lacks (`\p{Nd}`, `\p{N}`, `\p{L}`, and
/// case folding beyond ASCII), are written out by build.rs. Each expected answer is what the crate
/// gave with the regex crate, before the change.
#[test]
fn unicode_classes_match_as_with_the_regex_crate() {
    let parse = |input: &str| -> String {
        match phonenumber::parse(Some(country::IN), input) {
            Ok(n) => {
                let ext = n
                    .extension()
                    .map(|e| format!(" ext {}", &**e))
                    .unwrap_or_default();
                format!("{}{ext}", n.format().mode(Mode::E164))
            }
            Err(e) => format!("error: {e}"),
        }
    };
    let cases = [
        // Extension words in full-width and accented capitals.
        ("+1 650 253 0000 ＥＸＴ 123", "+16502530000 ext 123"),
        ("+1 650 253 0000 ＥＸＴＮ 12", "+16502530000 ext 12"),
        ("+1 650 253 0000 ＩＮＴ 9", "+16502530000 ext 9"),
        ("+1 650 253 0000 Ｘ 9", "+16502530000 ext 9"),
        ("+1 650 253 0000 EXTENSIÓN 45", "+16502530000 ext 45"),
        ("+1 650 253 0000 extensión 45", "+16502530000 ext 45"),
        // Extension digits of other scripts (`\p{Nd}`).
        ("+1 650 253 0000 ext ٥٦", "+16502530000 ext 56"),
        ("+1 650 253 0000 ext. ５", "+16502530000 ext 5"),
        // Trailing characters that are neither numbers nor letters go (`\P{N}&&\P{L}`)...
        ("+91 98765 43210 ...!?", "+919876543210"),
        ("+91 98765 43210 )", "+919876543210"),
        ("+91 98765 43210 Ⓐ", "+919876543210"),
        // ...but letters and `#` stay, and make the number unreadable.
        ("+91 98765 43210 ééé", "error: not a number"),
        ("+91 98765 43210#", "error: not a number"),
        ("+1 (650) 253-0000 x302/x2303", "+16502530000 ext 302"),
    ];
    for (input, want) in cases {
        assert_eq!(parse(input), want, "{input:?}");
    }
}
