//! The phone metadata's cost to a process: the first number read (its region of the built-in
//! database is decoded then), and each one after. Issue 10 asks `clickdial normalize` to finish in 30 ms.
//!
//! Run: `cargo bench -p clickdial-core --bench metadata`. Prints figures; asserts nothing about
//! time. The first figure is once per process, so it is measured once.

use std::time::Instant;

use clickdial_core::{Number, Region};

fn main() {
    let started = Instant::now();
    let first = Number::parse("098765 43210", Region::default()).expect("a number");
    let cold = started.elapsed();
    let decoded = phonenumber::metadata::DATABASE.decoded();
    let runs = 1000;
    let started = Instant::now();
    for i in 0..runs {
        let typed = format!("+44 20 7946 {:04}", i % 10_000);
        Number::parse(&typed, Region::default()).expect("a number");
    }
    let warm = started.elapsed() / runs;
    println!(
        "first number in a process (decodes its region): {:.1} ms ({})",
        cold.as_secs_f64() * 1e3,
        first.e164()
    );
    println!(
        "regions decoded for it: {decoded} of {}",
        phonenumber::metadata::DATABASE.len()
    );
    println!("each number after that: {:.1} µs", warm.as_secs_f64() * 1e6);
}
