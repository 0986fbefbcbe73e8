//! A secret (API token, password) that cannot leak by accident: `Debug` and `Display` print
//! `<redacted>`, there is no `Serialize` (only `Deserialize`, for input), the only way to the
//! text is `expose()`, which is greppable, and the bytes are wiped (zeroized) when the value is
//! dropped.
//!
//! The text is kept exactly as given: a password may begin or end with spaces. Tokens pasted
//! from a portal are tidied by [`crate::api::clean_token`], not here.

use std::fmt;

use zeroize::Zeroizing;

#[derive(Clone, PartialEq, Eq)]
pub struct Secret(Zeroizing<String>);

impl Secret {
    /// Keeps `s` byte for byte (no trimming).
    pub fn new(s: impl Into<String>) -> Self {
        Secret(Zeroizing::new(s.into()))
    }

    pub fn expose(&self) -> &str {
        &self.0
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

/// The wrapped `Zeroizing<String>` wipes the bytes when a `Secret` is dropped.
impl zeroize::ZeroizeOnDrop for Secret {}

/// Secrets arrive from the user (the account form); they are never serialized back out.
/// Kept as sent: no trimming.
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
        let s = Secret::new("tok-123");
        assert_eq!(s.expose(), "tok-123");
        assert_eq!(format!("{s:?} {s}"), "<redacted> <redacted>");
        assert!(!format!("{:?}", Some(&s)).contains("tok"));
    }

    #[test]
    fn keeps_surrounding_spaces() {
        let s = Secret::new(" pass word ");
        assert_eq!(s.expose(), " pass word ");
        assert!(!s.is_empty());
        assert!(Secret::new("").is_empty());
        assert!(!Secret::new(" ").is_empty());
        let d: Secret = serde_json::from_str(r#"" pass word\t""#).unwrap();
        assert_eq!(d.expose(), " pass word\t");
    }

    #[test]
    fn is_wiped_on_drop() {
        use zeroize::Zeroize;
        // The wrapper wipes through `Zeroize`; check that wiping leaves nothing behind.
        let mut inner = Zeroizing::new(String::from("hunter2"));
        inner.zeroize();
        assert!(inner.is_empty());
        fn wipes_on_drop<T: zeroize::ZeroizeOnDrop>() {}
        wipes_on_drop::<Zeroizing<String>>();
        wipes_on_drop::<Secret>();
    }
}
