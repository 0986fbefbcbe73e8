//! A secret (API token, password) that cannot leak by accident: `Debug` and `Display` print
//! `<redacted>`, there is no `Serialize` (only `Deserialize`, for input), and the only way to the text is `expose()`, which is
//! greppable.

use std::fmt;

#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    /// Trims surrounding whitespace, which copy-paste from a portal often adds.
    pub fn new(s: impl Into<String>) -> Self {
        let s: String = s.into();
        Secret(s.trim().to_string())
    }

    pub fn expose(&self) -> &str {
        &self.0
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

/// Secrets arrive from the user (the account form); they are never serialized back out.
impl<'de> serde::Deserialize<'de> for Secret {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        String::deserialize(d).map(Secret::new)
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("<redacted>")
    }
}

impl fmt::Display for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("<redacted>")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn never_prints_its_value() {
        let s = Secret::new("  tok-123  ");
        assert_eq!(s.expose(), "tok-123");
        assert_eq!(format!("{s:?} {s}"), "<redacted> <redacted>");
        assert!(!format!("{:?}", Some(&s)).contains("tok"));
    }
}
