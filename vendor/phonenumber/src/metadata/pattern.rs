// Clickdial's patch: replaces regex-cache's `CachedRegex` (see README.md here).

//! A metadata pattern, compiled the first time it is matched.

use regex_lite::{Regex, RegexBuilder};
use std::fmt;
use std::ops::Deref;
use std::sync::OnceLock;

/// One of the metadata's patterns. It dereferences to its [`Regex`], compiled on first use:
/// a process reading numbers of one country compiles a few dozen of that country's patterns,
/// not the thousands in the metadata.
#[derive(Clone)]
pub struct Pattern {
    source: Box<str>,
    compiled: OnceLock<Regex>,
}

impl Pattern {
    /// The options every metadata pattern compiles with, here and in build.rs: whitespace
    /// ignored, as libphonenumber's XML breaks long patterns over lines. regex-lite's classes
    /// are ASCII, as libphonenumber's are (Java's `\d` is `[0-9]`).
    pub fn builder(source: &str) -> RegexBuilder {
        let mut builder = RegexBuilder::new(source);
        builder.ignore_whitespace(true);
        builder
    }

    /// A pattern, compiled now so that an invalid one is an error here.
    pub fn new(source: &str) -> Result<Self, regex_lite::Error> {
        let compiled = Self::builder(source).build()?;
        Ok(Pattern {
            source: source.into(),
            compiled: OnceLock::from(compiled),
        })
    }

    /// A pattern build.rs has already compiled with [`Pattern::builder`], compiled again on
    /// first use.
    pub(crate) fn checked(source: String) -> Self {
        Pattern {
            source: source.into(),
            compiled: OnceLock::new(),
        }
    }

    /// The pattern's source, without compiling it.
    pub fn as_str(&self) -> &str {
        &self.source
    }
}

impl Deref for Pattern {
    type Target = Regex;

    fn deref(&self) -> &Regex {
        self.compiled.get_or_init(|| {
            Self::builder(&self.source)
                .build()
                .expect("a built-in pattern that build.rs compiled")
        })
    }
}

impl fmt::Debug for Pattern {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("Pattern").field(&self.source).finish()
    }
}
