//! `clickdial normalize` for many numbers in one process: reads one number per line on standard
//! input and prints one line each, `OK<TAB>+E164` or `ERR<TAB><why>`, through the same
//! `Number::parse` the CLI uses. For maintainers' checks such as
//! `scripts/check-phone-metadata.py`, which compares the results with Python `phonenumbers`.
//!
//! Run: `cargo run -q -p clickdial-core --example normalize_lines -- IN < numbers.txt`
//! (the argument is the region for numbers written without a country code; default IN).

use std::io::{self, BufRead, BufWriter, Write};
use std::process::ExitCode;

use clickdial_core::{Number, Region};

fn main() -> ExitCode {
    let code = std::env::args().nth(1).unwrap_or_else(|| "IN".to_string());
    let region = match Region::parse(&code) {
        Ok(r) => r,
        Err(e) => {
            eprintln!("normalize_lines: {e}");
            return ExitCode::from(2);
        }
    };
    let stdin = io::stdin().lock();
    let mut out = BufWriter::new(io::stdout().lock());
    for line in stdin.lines() {
        let line = match line {
            Ok(l) => l,
            Err(e) => {
                eprintln!("normalize_lines: {e}");
                return ExitCode::from(2);
            }
        };
        let result = match Number::parse(&line, region) {
            Ok(n) => writeln!(out, "OK\t{}", n.e164()),
            Err(e) => writeln!(out, "ERR\t{:?}", e.kind()),
        };
        if result.is_err() {
            return ExitCode::from(2);
        }
    }
    if out.flush().is_err() {
        return ExitCode::from(2);
    }
    ExitCode::SUCCESS
}
