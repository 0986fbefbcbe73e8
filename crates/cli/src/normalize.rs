//! `clickdial normalize`: a number as written, in E.164 form.

use std::io::Write;

use clickdial_core::{Number, Region};
use clickdial_services::Error;
use serde_json::json;

use crate::{invalid, Failure};

pub(crate) fn normalize(input: &str, region: &str, json: bool) -> Result<String, Failure> {
    let region = Region::parse(region).map_err(invalid)?;
    // As the window reads typed or pasted text: a line with numbers in it gives the first
    // mobile; the others are named.
    let found = clickdial_core::phone::numbers_in(input, region).map_err(Error::from)?;
    let Some((n, others)) = found.split_first() else {
        return Err(invalid("Type or paste a phone number."));
    };
    if json {
        let others: Vec<&str> = others.iter().map(Number::e164).collect();
        return Ok(
            json!({"e164": n.e164(), "ext": n.ext(), "region": n.region(),
                         "kind": n.kind(), "assumedCountry": n.assumed_country(),
                         "others": others})
            .to_string(),
        );
    }
    if !others.is_empty() {
        let listed: Vec<&str> = others.iter().map(Number::international).collect();
        let _ = writeln!(
            std::io::stderr(),
            "clickdial: the text has {} numbers; this is the first {}. Also: {}.",
            found.len(),
            n.kind().words(),
            listed.join(", ")
        );
    }
    // Standard output stays the bare number, for scripts; what a person should know about it
    // goes to standard error.
    if n.assumed_country() {
        let _ = writeln!(
            std::io::stderr(),
            "clickdial: no country code was given, so {} was assumed (--region).",
            region.code()
        );
    }
    if let Some(ext) = n.ext() {
        let _ = writeln!(
            std::io::stderr(),
            "clickdial: extension {ext} is not part of the number and is not dialled."
        );
    }
    Ok(n.e164().to_string())
}
