//! Server text made safe to show: no terminal escapes, no bidi tricks, no invisible characters,
//! and never longer than a given number of characters.
//!
//! Everything the API sends that reaches a person (error messages, agent and caller-ID names,
//! reference ids) goes through [`clean_text`] where it enters the client. The CLI prints these
//! texts to a terminal, where `ESC ] 52 ; c ; …` could write the clipboard and `ESC [ 2 J` clear
//! the screen; the window shows them, where U+202E could reverse a number.

/// The longest server message we keep, in characters.
pub const MAX_SERVER_TEXT: usize = 300;
/// The longest name (agent, caller ID) we keep, in characters.
pub const MAX_NAME: usize = 80;
/// The longest id (agent EID, DID, `ref_id`, `call_id`) we keep, in characters.
pub const MAX_ID: usize = 64;

const ESC: char = '\u{1b}';
const BEL: char = '\u{7}';

/// True for the characters [`clean_text`] never lets through: C0 controls, DEL, C1 controls,
/// bidi controls, and format characters that hide or reorder text.
pub fn is_forbidden(c: char) -> bool {
    matches!(c,
        '\u{0}'..='\u{1f}'
        | '\u{7f}'..='\u{9f}'
        // Soft hyphen: invisible unless a line breaks there.
        | '\u{ad}'
        // Arabic number signs, Arabic letter mark, end of ayah, Syriac abbreviation mark.
        | '\u{600}'..='\u{605}'
        | '\u{61c}'
        | '\u{6dd}'
        | '\u{70f}'
        | '\u{180e}'
        // Zero-width space / non-joiner / joiner, LRM, RLM.
        | '\u{200b}'..='\u{200f}'
        // LRE, RLE, PDF, LRO, RLO.
        | '\u{202a}'..='\u{202e}'
        // Word joiner, invisible operators, LRI, RLI, FSI, PDI, deprecated format controls.
        | '\u{2060}'..='\u{2064}'
        | '\u{2066}'..='\u{206f}'
        | '\u{feff}'
        // Interlinear annotation controls.
        | '\u{fff9}'..='\u{fffb}'
        // Tag characters: invisible copies of ASCII that can smuggle text.
        | '\u{e0000}'..='\u{e007f}'
    )
}

/// Removes control, bidi and invisible format characters from `s`, drops terminal escape
/// sequences whole (CSI `ESC [ … final`, OSC `ESC ] … BEL`, and the like), turns tabs and line
/// breaks into spaces, collapses runs of whitespace, trims, and keeps at most `max_chars`
/// characters, adding "…" when it cut. The result never holds a character for which
/// [`is_forbidden`] is true, and has at most `max_chars + 1` characters.
pub fn clean_text(s: &str, max_chars: usize) -> String {
    let mut out = String::with_capacity(s.len().min(max_chars.saturating_mul(4)) + 3);
    let mut count = 0usize;
    // A space is owed before the next visible character.
    let mut pending_space = false;
    let mut cut = false;
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        let visible = match c {
            '\t' | '\n' | '\r' => {
                pending_space = true;
                continue;
            }
            ESC => {
                skip_escape(&mut chars);
                continue;
            }
            // C1 forms of CSI, OSC, DCS, SOS, PM, APC.
            '\u{9b}' => {
                skip_csi(&mut chars);
                continue;
            }
            '\u{9d}' | '\u{90}' | '\u{98}' | '\u{9e}' | '\u{9f}' => {
                skip_string(&mut chars);
                continue;
            }
            c if is_forbidden(c) => continue,
            c if c.is_whitespace() => {
                pending_space = true;
                continue;
            }
            c => c,
        };
        let needed = if pending_space && count > 0 { 2 } else { 1 };
        if count + needed > max_chars {
            cut = true;
            break;
        }
        if needed == 2 {
            out.push(' ');
        }
        out.push(visible);
        count += needed;
        pending_space = false;
    }
    if cut {
        out.push('…');
    }
    out
}

type Chars<'a> = std::iter::Peekable<std::str::Chars<'a>>;

/// After an ESC: skips the rest of the escape sequence.
fn skip_escape(chars: &mut Chars<'_>) {
    match chars.peek() {
        Some('[') => {
            chars.next();
            skip_csi(chars);
        }
        // OSC, DCS, SOS, PM, APC: a string ended by BEL or ESC \.
        Some(']' | 'P' | 'X' | '^' | '_') => {
            chars.next();
            skip_string(chars);
        }
        // Intermediate bytes, then one final byte (e.g. `ESC ( B`, `ESC # 8`).
        Some(' '..='/') => {
            while chars.next_if(|c| matches!(c, ' '..='/')).is_some() {}
            chars.next_if(|c| matches!(c, '0'..='~'));
        }
        // A two-character escape such as `ESC c` (reset) or `ESC 7`.
        Some('0'..='~') => {
            chars.next();
        }
        _ => {}
    }
}

/// Skips CSI parameters and intermediates up to and including the final byte.
fn skip_csi(chars: &mut Chars<'_>) {
    while chars
        .next_if(|c| matches!(c, '0'..='?' | ' '..='/'))
        .is_some()
    {}
    chars.next_if(|c| matches!(c, '@'..='~'));
}

/// Skips a control string up to its terminator (BEL, ESC \, or ST), or to the end.
fn skip_string(chars: &mut Chars<'_>) {
    while let Some(c) = chars.next() {
        match c {
            BEL | '\u{9c}' => return,
            ESC => {
                chars.next_if_eq(&'\\');
                return;
            }
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_text_is_kept() {
        assert_eq!(
            clean_text("Provide a vaild caller_id.", 300),
            "Provide a vaild caller_id."
        );
        assert_eq!(clean_text("Asha Rao (सेल्स)", 80), "Asha Rao (सेल्स)");
        assert_eq!(clean_text("", 10), "");
    }

    #[test]
    fn whitespace_is_collapsed_and_trimmed() {
        assert_eq!(clean_text("  a\t\tb\r\n c  ", 100), "a b c");
        assert_eq!(clean_text("a\u{a0}\u{2028}b", 100), "a b");
        assert_eq!(clean_text(" \n\t ", 100), "");
    }

    #[test]
    fn terminal_escapes_are_dropped_whole() {
        // OSC 52 (write the clipboard), screen clear, title change, colour, reset.
        let s = "a\u{1b}]52;c;SGVsbG8=\u{7}b\u{1b}[2Jc\u{1b}]0;pwned\u{1b}\\d\u{1b}[1;31me\u{1b}cf";
        assert_eq!(clean_text(s, 100), "abcdef");
        assert_eq!(clean_text("x\u{9b}2Jy\u{9d}0;t\u{9c}z", 100), "xyz");
        assert_eq!(clean_text("x\u{1b}(By\u{1b}", 100), "xy");
        // An unterminated OSC swallows the rest rather than letting it out.
        assert_eq!(clean_text("ok\u{1b}]52;c;AAAA", 100), "ok");
        assert_eq!(clean_text("a\u{7}b\u{0}c\u{7f}d\u{85}e", 100), "abcde");
    }

    #[test]
    fn bidi_and_invisible_characters_are_removed() {
        assert_eq!(
            clean_text("call \u{202e}0189\u{202c} now", 100),
            "call 0189 now"
        );
        for c in [
            '\u{61c}',
            '\u{200b}',
            '\u{200c}',
            '\u{200d}',
            '\u{200e}',
            '\u{200f}',
            '\u{202a}',
            '\u{202b}',
            '\u{202d}',
            '\u{2060}',
            '\u{2066}',
            '\u{2067}',
            '\u{2068}',
            '\u{2069}',
            '\u{feff}',
            '\u{e0041}',
            '\u{ad}',
        ] {
            assert_eq!(
                clean_text(&format!("a{c}b"), 10),
                "ab",
                "U+{:04X}",
                c as u32
            );
            assert!(is_forbidden(c));
        }
        for c in [
            'a', ' ', '…', 'é', '\u{2026}', '\u{2070}', '\u{2065}', '\u{a0}',
        ] {
            assert!(!is_forbidden(c), "U+{:04X}", c as u32);
        }
    }

    #[test]
    fn long_text_is_cut_with_an_ellipsis() {
        assert_eq!(clean_text("abcdef", 3), "abc…");
        assert_eq!(clean_text("abc", 3), "abc");
        assert_eq!(clean_text("ab cd", 3), "ab…");
        assert_eq!(clean_text("ab   ", 2), "ab");
        assert_eq!(clean_text("éééé", 2), "éé…");
        assert_eq!(clean_text("x", 0), "…");
        assert_eq!(
            clean_text(&"x".repeat(1000), MAX_SERVER_TEXT)
                .chars()
                .count(),
            301
        );
    }
}
