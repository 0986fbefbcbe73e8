//! Helpers shared by Clickdial's tests (a dev-dependency only): the keyring entries a sign-in
//! writes, the simulator's call timings, and a D-Bus daemon of a test's own.

use std::time::Duration;

use clickdial_sim::CallTimings;

#[cfg(target_os = "linux")]
pub mod bus;

/// The keyring entry of a token saved for `url`'s server.
pub fn token_entry(url: &str) -> String {
    let u = url::Url::parse(url).expect("a test URL");
    format!("api-token {}", u.origin().ascii_serialization())
}

/// The keyring entry of a password saved for `email` on `url`'s server.
pub fn password_entry(url: &str, email: &str) -> String {
    let u = url::Url::parse(url).expect("a test URL");
    format!("password {} {email}", u.origin().ascii_serialization())
}

/// A simulated call that rings the agent, then the customer, then talks, in milliseconds; its
/// record appears `record_ms` after the end.
pub fn timings(agent_ms: u64, customer_ms: u64, talk_ms: u64, record_ms: u64) -> CallTimings {
    CallTimings {
        agent_ring: Duration::from_millis(agent_ms),
        customer_ring: Duration::from_millis(customer_ms),
        talk: Duration::from_millis(talk_ms),
        cdr_delay: Duration::from_millis(record_ms),
    }
}
