//! Why a text is not a phone number, as data (`NumberErrorKind`) and in words (`Display`).

use std::fmt;

/// Why an input is not a phone number; `Display` tells the agent how to fix it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NumberError {
    input: String,
    kind: NumberErrorKind,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NumberErrorKind {
    Empty,
    NoDigits,
    Letters,
    BadCharacter(char),
    MisplacedPlus,
    BadEscape,
    BadLink,
    UnknownCountryCode,
    TooShort,
    TooLong,
    /// A whole mobile or landline number of the country and `extra` digits after it
    /// ("98765 432101"): the country's mobile and landline numbers have `lengths` digits
    /// after `+{country_code}` (or the national prefix, when the country has one).
    TooManyDigits {
        extra: usize,
        lengths: Vec<u16>,
        region: String,
        country_code: u16,
        national_prefix: Option<String>,
    },
    Invalid {
        region: String,
    },
    BadExtension,
}

impl NumberError {
    pub(super) fn new(input: &str, kind: NumberErrorKind) -> Self {
        // Keep the quoted input short: it goes into a one-line message.
        let mut shown: String = input.trim().chars().take(40).collect();
        if input.trim().chars().count() > 40 {
            shown.push('…');
        }
        NumberError { input: shown, kind }
    }

    pub fn kind(&self) -> &NumberErrorKind {
        &self.kind
    }
}

impl fmt::Display for NumberError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let i = &self.input;
        match &self.kind {
            NumberErrorKind::Empty => write!(f, "Type or paste a phone number."),
            NumberErrorKind::NoDigits => write!(f, "'{i}' has no digits; type the phone number."),
            NumberErrorKind::Letters => write!(
                f,
                "'{i}' has letters; a phone number has only digits, spaces, +, -, ( and )."
            ),
            NumberErrorKind::BadCharacter(c) => write!(
                f,
                "'{i}' contains '{c}'; a phone number has only digits, spaces, +, -, ( and )."
            ),
            NumberErrorKind::MisplacedPlus => {
                write!(f, "'{i}' has a + in the middle; + may only start the number.")
            }
            NumberErrorKind::BadEscape => write!(
                f,
                "The link '{i}' is damaged (a broken %-escape); copy the number itself instead."
            ),
            NumberErrorKind::BadLink => write!(
                f,
                "The link '{i}' has no phone number in it; copy the number itself instead."
            ),
            NumberErrorKind::UnknownCountryCode => write!(
                f,
                "'{i}' does not start with a known country code; check the digits after +."
            ),
            NumberErrorKind::TooShort => {
                write!(f, "'{i}' is too short for a phone number; check for missing digits.")
            }
            NumberErrorKind::TooLong => {
                write!(f, "'{i}' is too long for a phone number; check for extra digits.")
            }
            NumberErrorKind::TooManyDigits {
                extra,
                lengths,
                region,
                country_code,
                national_prefix,
            } => {
                let many = if *extra == 1 {
                    "1 digit".to_string()
                } else {
                    format!("{extra} digits")
                };
                let lengths: Vec<String> = lengths.iter().map(u16::to_string).collect();
                let after = match national_prefix {
                    Some(p) => format!("+{country_code} or {p}"),
                    None => format!("+{country_code}"),
                };
                write!(
                    f,
                    "'{i}' has {many} too many: {region} mobile and landline numbers have {} \
                     digits after {after}. Check for extra digits.",
                    lengths.join(" or ")
                )
            }
            NumberErrorKind::Invalid { region } => write!(
                f,
                "'{i}' is not a valid {region} number; check the digits, or add the country code with +."
            ),
            NumberErrorKind::BadExtension => {
                write!(f, "The extension in '{i}' must be digits only.")
            }
        }
    }
}

impl std::error::Error for NumberError {}
