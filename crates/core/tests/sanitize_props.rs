//! `clean_text` on arbitrary input: nothing forbidden ever comes out, and never more than
//! `max_chars + 1` characters.

use clickdial_core::sanitize::{clean_text, is_forbidden};
use proptest::prelude::*;

/// Mostly the characters that matter: escapes, controls, bidi and invisible ones, spaces.
fn nasty_char() -> impl Strategy<Value = char> {
    prop_oneof![
        3 => any::<char>(),
        2 => prop::sample::select(vec![
            '\u{1b}', '\u{7}', '\u{0}', '\t', '\n', '\r', '\u{7f}', '\u{85}', '\u{9b}', '\u{9c}',
            '\u{9d}', '\u{61c}', '\u{200b}', '\u{200d}', '\u{200e}', '\u{200f}', '\u{202a}',
            '\u{202e}', '\u{2060}', '\u{2066}', '\u{2069}', '\u{feff}', '\u{a0}', '\u{2028}',
            '\u{e0041}', ' ', '[', ']', ';', '\\', '2', 'J', 'a', '…',
        ]),
    ]
}

fn forbidden_classes(c: char) -> bool {
    matches!(c,
        '\u{0}'..='\u{1f}' | '\u{7f}' | '\u{80}'..='\u{9f}'
        | '\u{61c}' | '\u{200e}' | '\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}'
        | '\u{200b}'..='\u{200d}' | '\u{2060}' | '\u{feff}')
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    #[test]
    fn nothing_forbidden_and_never_too_long(
        s in prop::collection::vec(nasty_char(), 0..200).prop_map(|v| v.into_iter().collect::<String>()),
        max in 0usize..120,
    ) {
        let out = clean_text(&s, max);
        prop_assert!(out.chars().count() <= max + 1, "{out:?}");
        for c in out.chars() {
            prop_assert!(!forbidden_classes(c), "U+{:04X} in {out:?}", c as u32);
            prop_assert!(!is_forbidden(c), "U+{:04X} in {out:?}", c as u32);
        }
        prop_assert_eq!(out.trim(), out.as_str());
        prop_assert!(!out.contains("  "), "{out:?}");
        // Clean text stays as it is, once cut.
        if !out.ends_with('…') {
            prop_assert_eq!(clean_text(&out, max), out.clone());
        }
    }

    #[test]
    fn plain_text_is_only_trimmed_collapsed_and_cut(s in "[a-zA-Z0-9.,:!?@+-]{1,40}( [a-zA-Z0-9.,:!?@+-]{1,20}){0,5}") {
        prop_assert_eq!(clean_text(&s, 1000), s.clone());
        let cut = clean_text(&s, 10);
        if s.chars().count() <= 10 {
            prop_assert_eq!(cut, s);
        } else {
            prop_assert!(cut.ends_with('…'));
            let kept = cut.trim_end_matches('…');
            prop_assert!(s.starts_with(kept), "{kept:?} / {s:?}");
        }
    }
}
