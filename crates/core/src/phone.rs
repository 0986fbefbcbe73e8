//! Phone numbers: everything an agent pastes or a web page links, turned into E.164.
//!
//! `Number::parse` accepts `tel:` / `callto:` URIs (RFC 3966: `%`-escapes, visual separators,
//! `;ext=`, `;phone-context=`) and free text (spaces, no-break spaces, ASCII and Unicode dashes,
//! dots, brackets, the `+CC` / `CC` / `0` / `00CC` prefixes and a stray `(0)` after the country
//! code). Validity comes from libphonenumber's metadata (the `phonenumber` crate); we never turn
//! letters into digits the way libphonenumber does for vanity numbers, because an agent who
//! pasted a name or a typo must be told, not dialled.
//!
//! After parsing, nothing downstream re-validates: a `Number` is always a valid E.164 number.

use std::fmt;

use phonenumber::metadata::DATABASE;
use phonenumber::{country, Mode, PhoneNumber};

mod error;
pub use error::{NumberError, NumberErrorKind};

/// Longest input we look at. Real numbers with every separator and a URI wrapper fit easily;
/// anything longer is pasted text, and scanning it gains nothing.
const MAX_INPUT_CHARS: usize = 256;
/// E.164 allows at most 15 digits including the country code.
const MAX_E164_DIGITS: usize = 15;

/// A default region for numbers written without a country code, such as `IN`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Region {
    id: country::Id,
}

impl Region {
    pub const INDIA: Region = Region {
        id: country::Id::IN,
    };

    /// Parses an ISO 3166 two-letter code (`IN`, `us`, ...).
    pub fn parse(code: &str) -> Result<Region, String> {
        let upper = code.trim().to_ascii_uppercase();
        match upper.parse::<country::Id>() {
            Ok(id) if DATABASE.by_id(upper.as_str()).is_some() => Ok(Region { id }),
            _ => Err(format!(
                "'{}' is not a region code; use a two-letter country code such as IN or US",
                code.trim()
            )),
        }
    }

    pub fn code(&self) -> &str {
        self.id.as_ref()
    }
}

impl Default for Region {
    fn default() -> Self {
        Region::INDIA
    }
}

/// A valid phone number in E.164 form, with an optional extension.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Number {
    e164: String,
    ext: Option<String>,
    national: String,
    international: String,
    region: Option<String>,
    kind: NumberKind,
    /// Written without a country code: the country came from the default region.
    assumed_country: bool,
}

/// What kind of line a number is, as far as the metadata can tell; shown to the agent before a
/// link is dialled ("India, mobile").
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub enum NumberKind {
    Mobile,
    Landline,
    /// Regions such as the USA, where the digits do not tell mobile from landline.
    MobileOrLandline,
    TollFree,
    PremiumRate,
    Other,
}

impl NumberKind {
    /// Lower-case words for a sentence: "mobile", "toll-free".
    pub fn words(self) -> &'static str {
        match self {
            NumberKind::Mobile => "mobile",
            NumberKind::Landline => "landline",
            NumberKind::MobileOrLandline => "mobile or landline",
            NumberKind::TollFree => "toll-free",
            NumberKind::PremiumRate => "premium rate",
            NumberKind::Other => "other line",
        }
    }
}

/// Decodes India's phone-number metadata and compiles the parser's patterns now (about 10 ms the
/// first time in a process), so the first link or keystroke after start does not wait for them.
/// Other regions are decoded when a number needs them (a few milliseconds each). Call from a
/// background thread.
pub fn warm_up() {
    let _ = Number::parse("+919876543210", Region::INDIA);
}

/// The most text [`find_numbers`] looks through (a CRM row, a signature, a selection).
pub const MAX_FIND_CHARS: usize = 4000;

/// The most numbers [`find_numbers`] returns.
const MAX_FOUND: usize = 10;

/// Phone numbers in free text: "98765-43210 Rahul", "Mobile: +91 98765 43210", a signature with
/// office and mobile lines. Each stretch of characters that can belong to a number (digits,
/// `+`, separators, brackets) is parsed; a stretch holding several numbers separated only by
/// spaces is split at the spaces, longest valid piece first. Invalid stretches are skipped,
/// repeats removed, order kept. Looks at the first [`MAX_FIND_CHARS`] characters only.
pub fn find_numbers(text: &str, region: Region) -> Vec<Number> {
    scan_text(text, region).0
}

/// How many runs of digits in `text` [`find_numbers`] could not read as a number: a stretch of
/// six digits or more that is no number, or a word of three digits or more left over beside
/// the numbers found in its stretch ("98765 4321", a mistyped second number; a PIN code too).
/// A front end that dials text nobody confirms (the CLI) refuses text that has any: the number
/// it found may not be the one meant.
pub fn unread_digit_runs(text: &str, region: Region) -> usize {
    scan_text(text, region).1
}

fn scan_text(text: &str, region: Region) -> (Vec<Number>, usize) {
    let text: String = text.chars().take(MAX_FIND_CHARS).collect();
    let mut found: Vec<Number> = Vec::new();
    let mut unread = 0;
    let push = |n: Number, found: &mut Vec<Number>| {
        if found.len() < MAX_FOUND && !found.iter().any(|f| f.e164 == n.e164) {
            found.push(n);
        }
    };
    let digits_in = |s: &str| s.chars().filter(|c| digit_value(*c).is_some()).count();
    // Separators and brackets at a stretch's ends need no trimming: the parser skips them.
    for stretch in text.split(|c: char| !could_be_in_number(c)) {
        if digits_in(stretch) < 6 {
            continue;
        }
        if let Ok(n) = Number::parse(stretch, region) {
            push(n, &mut found);
            continue;
        }
        // Several numbers side by side: the longest run of words that parses, then on.
        let words: Vec<&str> = stretch.split_whitespace().take(40).collect();
        let mut i = 0;
        let mut hits = 0;
        while i < words.len() {
            let hit = (i + 1..=words.len()).rev().find_map(|j| {
                Number::parse(&words[i..j].join(" "), region)
                    .ok()
                    .map(|n| (j, n))
            });
            match hit {
                Some((j, n)) => {
                    push(n, &mut found);
                    hits += 1;
                    i = j;
                }
                None => {
                    if hits > 0 && digits_in(words[i]) >= 3 {
                        unread += 1;
                    }
                    i += 1;
                }
            }
        }
        if hits == 0 {
            unread += 1;
        }
    }
    (found, unread)
}

/// The numbers a person means by `text`, the one to use first. The whole text when it is one
/// number ("098765 43210", "tel:+91…"). When it is text around numbers (it has letters or
/// characters no number has: "Mob +91-98765 43210 / alt 022 2345 6789"; or several numbers
/// side by side: "022 2345 6789 / 080 2345 6789"), the numbers in it
/// ([`find_numbers`]), mobiles (and numbers that may be mobiles) before the others, each group
/// in the order written. Otherwise, or when the text holds no number, the error for the whole
/// text: digits alone that are too many or too few are never trimmed into another number.
/// Every front end reads typed and pasted text through this.
pub fn numbers_in(text: &str, region: Region) -> Result<Vec<Number>, NumberError> {
    let whole = match Number::parse(text, region) {
        Ok(n) => return Ok(vec![n]),
        Err(e) => e,
    };
    // Too many digits: only as several whole numbers side by side, never one number and a rest.
    let least = match whole.kind() {
        NumberErrorKind::Letters
        | NumberErrorKind::BadCharacter(_)
        | NumberErrorKind::MisplacedPlus => 1,
        NumberErrorKind::TooLong | NumberErrorKind::TooManyDigits { .. } => 2,
        _ => return Err(whole),
    };
    let mut found = find_numbers(text, region);
    if found.len() < least {
        return Err(whole);
    }
    found.sort_by_key(|n| !matches!(n.kind(), NumberKind::Mobile | NumberKind::MobileOrLandline));
    Ok(found)
}

fn could_be_in_number(c: char) -> bool {
    digit_value(c).is_some() || is_plus(c) || is_separator(c) || is_bracket(c)
}

/// Whether `s` is a `tel:` or `callto:` link, by its scheme alone. Cheap on purpose: it loads no
/// phone metadata, so a process that only forwards a link to the running app stays fast.
pub fn is_link(s: &str) -> bool {
    strip_scheme(s.trim_start_matches(is_ignorable)).is_some()
}

impl Number {
    /// Parses anything an agent pastes or a page links; see the module docs.
    pub fn parse(input: &str, default_region: Region) -> Result<Number, NumberError> {
        let err = |kind| NumberError::new(input, kind);
        let trimmed = input.trim_matches(is_ignorable);
        if trimmed.is_empty() {
            return Err(err(NumberErrorKind::Empty));
        }
        if trimmed.chars().count() > MAX_INPUT_CHARS {
            return Err(err(NumberErrorKind::TooLong));
        }

        let (text, ext, context) = match strip_scheme(trimmed) {
            Some(rest) => parse_uri(rest).map_err(err)?,
            None => {
                let (text, ext) = split_plain_extension(trimmed);
                (text.to_string(), ext, None)
            }
        };
        let ext = match ext {
            Some(e) => Some(clean_extension(&e).ok_or_else(|| err(NumberErrorKind::BadExtension))?),
            None => None,
        };

        let (mut plus, mut digits) = scan(&text).map_err(err)?;
        // RFC 3966 local number: a global phone-context supplies the country (and area) prefix.
        if !plus {
            // A domain-name context (`;phone-context=example.com`) says nothing about digits.
            if let Some(ctx) = context.filter(|c| c.trim_start().starts_with('+')) {
                let (ctx_plus, ctx_digits) = scan(&ctx).map_err(err)?;
                if ctx_plus && !ctx_digits.is_empty() {
                    digits = format!("{ctx_digits}{digits}");
                    plus = true;
                }
            }
        }
        if digits.is_empty() {
            return Err(err(NumberErrorKind::NoDigits));
        }

        let phone = resolve(plus, &digits, default_region).map_err(err)?;
        let mut number = Number::from_phone(&phone, ext);
        number.assumed_country = !plus && !digits.starts_with("00");
        Ok(number)
    }

    fn from_phone(phone: &PhoneNumber, ext: Option<String>) -> Number {
        use phonenumber::Type;
        let kind = match phone.number_type(&DATABASE) {
            Type::Mobile => NumberKind::Mobile,
            Type::FixedLine => NumberKind::Landline,
            Type::FixedLineOrMobile => NumberKind::MobileOrLandline,
            Type::TollFree => NumberKind::TollFree,
            Type::PremiumRate => NumberKind::PremiumRate,
            _ => NumberKind::Other,
        };
        Number {
            region: phone.country().id().map(|id| id.as_ref().to_string()),
            kind,
            assumed_country: false,
            e164: phone.format().mode(Mode::E164).to_string(),
            national: phone.format().mode(Mode::National).to_string(),
            international: phone.format().mode(Mode::International).to_string(),
            ext,
        }
    }

    /// `+919876543210`
    pub fn e164(&self) -> &str {
        &self.e164
    }

    /// The extension from `;ext=` (digits only), if any.
    pub fn ext(&self) -> Option<&str> {
        self.ext.as_deref()
    }

    /// `+91 98765 43210`, for showing to people.
    pub fn international(&self) -> &str {
        &self.international
    }

    /// `098765 43210`, as dialled inside the country.
    pub fn national(&self) -> &str {
        &self.national
    }

    /// The number's country, as an ISO 3166 code (`IN`), when the metadata names one.
    pub fn region(&self) -> Option<&str> {
        self.region.as_deref()
    }

    /// Mobile, landline, toll-free…
    pub fn kind(&self) -> NumberKind {
        self.kind
    }

    /// Whether the number was written without a country code, so the country is the default
    /// region's (worth showing: "(415) 555-0100" typed in India is an Indian number).
    pub fn assumed_country(&self) -> bool {
        self.assumed_country
    }

    /// The digits without `+`, as the Servetel API takes `destination_number`.
    pub fn digits(&self) -> &str {
        &self.e164[1..]
    }
}

impl fmt::Display for Number {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.e164)
    }
}

/// Characters that carry no meaning in a pasted number: whitespace (including no-break and
/// narrow spaces), zero-width and bidi marks that web pages and spreadsheets add.
fn is_ignorable(c: char) -> bool {
    c.is_whitespace()
        || matches!(
            c,
            '\u{200B}'..='\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2060}'..='\u{2064}' | '\u{FEFF}'
        )
}

/// Visual separators per RFC 3966 plus what people type: dashes of every kind, dots, slashes.
fn is_separator(c: char) -> bool {
    is_ignorable(c)
        || matches!(
            c,
            '-' | '.' | '/' | '\u{2010}'
                ..='\u{2015}'
                    | '\u{2212}'
                    | '\u{FE58}'
                    | '\u{FE63}'
                    | '\u{FF0D}'
                    | '\u{FF0E}'
                    | '\u{FF0F}'
                    | '\u{30FC}'
        )
}

fn is_bracket(c: char) -> bool {
    matches!(c, '(' | ')' | '[' | ']' | '\u{FF08}' | '\u{FF09}')
}

/// Decimal digits from the scripts an Indian (or any) keyboard or web page may produce.
fn digit_value(c: char) -> Option<char> {
    const ZEROS: [u32; 13] = [
        0x30, 0xFF10, 0x0660, 0x06F0, 0x0966, 0x09E6, 0x0A66, 0x0AE6, 0x0B66, 0x0BE6, 0x0C66,
        0x0CE6, 0x0D66,
    ];
    let cp = c as u32;
    ZEROS
        .iter()
        .find(|&&zero| (zero..zero + 10).contains(&cp))
        .and_then(|&zero| char::from_digit(cp - zero, 10))
}

fn is_plus(c: char) -> bool {
    matches!(c, '+' | '\u{FF0B}')
}

/// Strips `tel:`, `callto:` or `callto://` (any case); `None` when the input is not a link.
fn strip_scheme(s: &str) -> Option<&str> {
    for scheme in ["tel:", "callto:"] {
        if s.len() >= scheme.len()
            && s.is_char_boundary(scheme.len())
            && s[..scheme.len()].eq_ignore_ascii_case(scheme)
        {
            let rest = &s[scheme.len()..];
            return Some(rest.strip_prefix("//").unwrap_or(rest));
        }
    }
    None
}

type UriParts = (String, Option<String>, Option<String>);

/// RFC 3966 `telephone-subscriber`: number, then `;name=value` parameters. Percent-escapes are
/// decoded per part, after splitting, so an escaped `;` cannot forge a parameter.
fn parse_uri(rest: &str) -> Result<UriParts, NumberErrorKind> {
    // Anything after `?` or `#` is not part of the number (callto: links sometimes add queries).
    let rest = rest.split(['?', '#']).next().unwrap_or_default();
    let mut parts = rest.split(';');
    let number = percent_decode(parts.next().unwrap_or_default())?;
    let mut ext = None;
    let mut context = None;
    for param in parts {
        let (name, value) = param.split_once('=').unwrap_or((param, ""));
        let value = percent_decode(value)?;
        if name.eq_ignore_ascii_case("ext") {
            ext = Some(value);
        } else if name.eq_ignore_ascii_case("phone-context") {
            context = Some(value);
        }
        // isub, postd and unknown parameters carry nothing we dial.
    }
    if number.trim_matches(is_ignorable).is_empty() {
        return Err(NumberErrorKind::BadLink);
    }
    Ok((number, ext, context))
}

fn percent_decode(s: &str) -> Result<String, NumberErrorKind> {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = bytes.get(i + 1..i + 3).ok_or(NumberErrorKind::BadEscape)?;
            let hex = std::str::from_utf8(hex).map_err(|_| NumberErrorKind::BadEscape)?;
            let byte = u8::from_str_radix(hex, 16).map_err(|_| NumberErrorKind::BadEscape)?;
            out.push(byte);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).map_err(|_| NumberErrorKind::BadEscape)
}

/// Free text may carry an extension: `98765 43210 ext. 12`, `x12`, `#12`, `;ext=12`.
fn split_plain_extension(s: &str) -> (&str, Option<String>) {
    // ASCII lowercasing keeps byte offsets, so indices found in `lower` are valid in `s`.
    let lower = s.to_ascii_lowercase();
    for marker in [";ext=", "extension", "ext.", "ext", "#", "x"] {
        if let Some(i) = lower.rfind(marker) {
            let head = &s[..i];
            let tail = s[i + marker.len()..].trim_matches(|c: char| is_ignorable(c) || c == '.');
            let head_has_digits = head.chars().any(|c| digit_value(c).is_some());
            if head_has_digits && !tail.is_empty() && tail.chars().all(|c| digit_value(c).is_some())
            {
                return (head, Some(tail.to_string()));
            }
        }
    }
    (s, None)
}

fn clean_extension(e: &str) -> Option<String> {
    let mut out = String::new();
    for c in e.chars() {
        if let Some(d) = digit_value(c) {
            out.push(d);
        } else if !is_separator(c) {
            return None;
        }
    }
    (!out.is_empty() && out.len() <= 10).then_some(out)
}

/// Reads the number part: a leading `+`, digits, separators and brackets. Returns (has +, digits).
/// A stray national `(0)` right after the country code (`+91 (0) 98765 43210`) is dropped.
fn scan(text: &str) -> Result<(bool, String), NumberErrorKind> {
    let chars: Vec<char> = text.chars().collect();
    let mut plus = false;
    let mut digits = String::new();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if let Some(d) = digit_value(c) {
            digits.push(d);
        } else if is_plus(c) {
            if plus || !digits.is_empty() {
                return Err(NumberErrorKind::MisplacedPlus);
            }
            plus = true;
        } else if c == '(' && plus && !digits.is_empty() && is_trunk_zero(&chars[i..]) {
            i += 3; // skip "(0)"
            continue;
        } else if is_separator(c) || is_bracket(c) {
            // visual only
        } else if c.is_alphabetic() {
            return Err(NumberErrorKind::Letters);
        } else {
            return Err(NumberErrorKind::BadCharacter(c));
        }
        i += 1;
    }
    Ok((plus, digits))
}

fn is_trunk_zero(rest: &[char]) -> bool {
    rest.len() >= 3 && rest[1] == '0' && rest[2] == ')'
}

/// Applies the prefixes (`+CC`, `00CC`, trunk `0`, bare `CC`) and checks the result against
/// libphonenumber's metadata.
fn resolve(plus: bool, digits: &str, region: Region) -> Result<PhoneNumber, NumberErrorKind> {
    if digits.len() < 3 {
        return Err(NumberErrorKind::TooShort);
    }
    if plus {
        return international(digits);
    }
    if let Some(rest) = digits.strip_prefix("00") {
        return international(rest);
    }
    let meta = DATABASE
        .by_id(region.code())
        .ok_or(NumberErrorKind::UnknownCountryCode)?;
    let national = meta
        .national_prefix()
        .and_then(|p| digits.strip_prefix(p))
        .filter(|rest| rest.len() >= 3)
        .unwrap_or(digits);
    // Always hand libphonenumber a full international number: given a region, the `phonenumber`
    // crate guesses that a national number starting with the country's code (`91725 98687`)
    // carries that code, and drops real digits.
    let cc = meta.country_code().to_string();
    if let Ok(n) = phonenumber::parse(None, format!("+{cc}{national}")) {
        if n.is_valid() {
            return Ok(n);
        }
    }
    // Country code written without + (`91 98765 43210`).
    let with_code = digits.starts_with(&cc).then(|| international(digits));
    if let Some(Ok(n)) = with_code {
        return Ok(n);
    }
    match length_verdict(meta.country_code(), national, region) {
        // "91 98765 4321" is a mobile with a digit too many, or one being typed after its
        // country code: the gentler reading, so typing "91 98765 43210" is never told off.
        NumberErrorKind::TooManyDigits { .. }
            if matches!(with_code, Some(Err(NumberErrorKind::TooShort))) =>
        {
            Err(NumberErrorKind::TooShort)
        }
        verdict => Err(verdict),
    }
}

fn international(digits: &str) -> Result<PhoneNumber, NumberErrorKind> {
    if digits.len() > MAX_E164_DIGITS {
        return Err(NumberErrorKind::TooLong);
    }
    let (code, nsn) = split_country_code(digits).ok_or(NumberErrorKind::UnknownCountryCode)?;
    let region = DATABASE
        .by_code(&code)
        .and_then(|m| m.first().and_then(|m| m.id().parse().ok()))
        .map(|id| Region { id })
        .unwrap_or_default();
    match phonenumber::parse(None, format!("+{digits}")) {
        Ok(n) if n.is_valid() => Ok(n),
        _ => Err(length_verdict(code, nsn, region)),
    }
}

fn split_country_code(digits: &str) -> Option<(u16, &str)> {
    (1..=3.min(digits.len())).find_map(|len| {
        let code: u16 = digits[..len].parse().ok()?;
        DATABASE.by_code(&code)?;
        Some((code, &digits[len..]))
    })
}

/// Too short, too long, a whole number with digits after it, or the right length but not a
/// number of that country. `nsn`: the national significant number's digits.
fn length_verdict(code: u16, nsn: &str, region: Region) -> NumberErrorKind {
    let nsn_len = nsn.len();
    let metas = DATABASE.by_code(&code).unwrap_or_default();
    // "Too short" is judged against numbers people call (fixed line, mobile), not the short
    // service codes the general descriptor also admits.
    let people = || {
        metas
            .iter()
            .flat_map(|m| [m.descriptors().fixed_line(), m.descriptors().mobile()])
            .flatten()
    };
    let dialable: Vec<u16> = people()
        .flat_map(|d| d.possible_length().iter().copied())
        .collect();
    let general: Vec<u16> = metas
        .iter()
        .flat_map(|m| m.descriptors().general().possible_length().iter().copied())
        .collect();
    let min = dialable.iter().chain(&general).copied().min().unwrap_or(4) as usize;
    let min = dialable.iter().copied().min().map_or(min, usize::from);
    let max = general.iter().copied().max().unwrap_or(14) as usize;
    if nsn_len < min {
        return NumberErrorKind::TooShort;
    }
    if nsn_len > max {
        return NumberErrorKind::TooLong;
    }
    // Longer than any mobile or landline, and its beginning is one ("98765 432101"): too many
    // digits, rather than "not a valid number" (the general lengths also admit longer
    // toll-free and service numbers, so the length alone does not tell).
    let mut lengths = dialable;
    lengths.sort_unstable();
    lengths.dedup();
    let whole = lengths
        .iter()
        .rev()
        .map(|&l| usize::from(l))
        .filter(|&l| l < nsn_len)
        .find(|&l| people().any(|d| d.is_match(&nsn[..l])));
    if let Some(l) = whole.filter(|_| lengths.last().is_some_and(|&m| nsn_len > usize::from(m))) {
        return NumberErrorKind::TooManyDigits {
            extra: nsn_len - l,
            lengths,
            region: region_name(code, region),
            country_code: code,
            national_prefix: metas
                .first()
                .and_then(|m| m.national_prefix())
                .map(str::to_string),
        };
    }
    NumberErrorKind::Invalid {
        region: region_name(code, region),
    }
}

fn region_name(code: u16, region: Region) -> String {
    match code {
        91 => "Indian".to_string(),
        1 => "North American".to_string(),
        44 => "UK".to_string(),
        _ => format!("{} (+{code})", region.code()),
    }
}

#[cfg(test)]
mod tests;
