//! The duplicate-dial lock. Every entry point (Call button, Enter, `tel:` link, tray, CLI) asks
//! the guard before sending `click_to_call`, so a double click, a held Enter, a repeated link
//! or a hotkey bounce cannot ring the agent twice.
//!
//! Two rules:
//! 1. Only one dial is in flight at a time.
//! 2. A number that was *sent* (queued, or outcome unknown) cannot be dialled again within the
//!    bounce window. A dial that certainly never reached the server (invalid input, auth
//!    rejected, server unreachable) does not start the window, so the agent can fix and retry.
//!
//! Time is passed in, so tests are exact.

use std::sync::Mutex;
use std::time::{Duration, Instant};

/// Long enough to absorb double clicks, key repeat and a link opened twice; short enough that
/// an agent who deliberately redials after a missed call is not blocked.
pub const BOUNCE_WINDOW: Duration = Duration::from_secs(5);

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum GuardError {
    /// Another dial has not finished yet.
    InFlight { e164: String },
    /// The same number was dialled moments ago.
    Repeated { e164: String, ago: Duration },
}

impl std::fmt::Display for GuardError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            GuardError::InFlight { e164 } => write!(
                f,
                "Still placing the call to {e164}; wait for it to finish before dialling again."
            ),
            GuardError::Repeated { e164, ago } => write!(
                f,
                "{e164} was dialled {} s ago, so this repeat was ignored. Wait a few seconds to call it again.",
                ago.as_secs().max(1)
            ),
        }
    }
}

#[derive(Debug, Default)]
struct Inner {
    in_flight: Option<String>,
    last_sent: Option<(String, Instant)>,
}

#[derive(Debug)]
pub struct DialGuard {
    window: Duration,
    inner: Mutex<Inner>,
}

impl Default for DialGuard {
    fn default() -> Self {
        DialGuard::new(BOUNCE_WINDOW)
    }
}

impl DialGuard {
    pub fn new(window: Duration) -> Self {
        DialGuard {
            window,
            inner: Mutex::new(Inner::default()),
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Inner> {
        // A panic elsewhere must not turn the guard off: recover the data.
        self.inner.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Claims the right to dial `e164` now. The returned ticket releases the in-flight slot
    /// when dropped; call [`DialTicket::sent`] once the request may have reached the server.
    pub fn begin(&self, e164: &str, now: Instant) -> Result<DialTicket<'_>, GuardError> {
        let mut inner = self.lock();
        if let Some(current) = &inner.in_flight {
            return Err(GuardError::InFlight {
                e164: current.clone(),
            });
        }
        if let Some((last, at)) = &inner.last_sent {
            let ago = now.saturating_duration_since(*at);
            if last == e164 && ago < self.window {
                return Err(GuardError::Repeated {
                    e164: e164.to_string(),
                    ago,
                });
            }
        }
        inner.in_flight = Some(e164.to_string());
        Ok(DialTicket {
            guard: self,
            e164: e164.to_string(),
        })
    }
}

/// Proof that a dial holds the in-flight slot.
#[derive(Debug)]
pub struct DialTicket<'a> {
    guard: &'a DialGuard,
    e164: String,
}

impl DialTicket<'_> {
    /// Marks the number as sent at `at`: repeats within the window are refused from now on.
    pub fn sent(self, at: Instant) {
        self.guard.lock().last_sent = Some((self.e164.clone(), at));
    }
}

impl Drop for DialTicket<'_> {
    fn drop(&mut self) {
        self.guard.lock().in_flight = None;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const A: &str = "+919876543210";
    const B: &str = "+919876543211";

    #[test]
    fn second_dial_while_first_in_flight_is_refused() {
        let g = DialGuard::default();
        let t0 = Instant::now();
        let ticket = g.begin(A, t0).unwrap();
        assert_eq!(
            g.begin(A, t0).unwrap_err(),
            GuardError::InFlight { e164: A.into() }
        );
        assert!(matches!(g.begin(B, t0), Err(GuardError::InFlight { .. })));
        drop(ticket);
        assert!(g.begin(B, t0).is_ok());
    }

    #[test]
    fn repeat_of_a_sent_number_inside_the_window_is_refused() {
        let g = DialGuard::new(Duration::from_secs(5));
        let t0 = Instant::now();
        g.begin(A, t0).unwrap().sent(t0);
        let err = g.begin(A, t0 + Duration::from_millis(4999)).unwrap_err();
        assert!(matches!(err, GuardError::Repeated { .. }));
        assert!(err.to_string().contains("was dialled"));
        // Another number is fine at once; the same number after the window is fine.
        drop(g.begin(B, t0 + Duration::from_millis(10)).unwrap());
        assert!(g.begin(A, t0 + Duration::from_secs(5)).is_ok());
    }

    #[test]
    fn a_dial_that_never_reached_the_server_does_not_block_a_retry() {
        let g = DialGuard::default();
        let t0 = Instant::now();
        drop(g.begin(A, t0).unwrap()); // e.g. server unreachable: ticket dropped, not sent
        assert!(g.begin(A, t0 + Duration::from_millis(1)).is_ok());
    }

    #[test]
    fn concurrent_begins_admit_exactly_one() {
        let g = std::sync::Arc::new(DialGuard::default());
        let t0 = Instant::now();
        let barrier = std::sync::Arc::new(std::sync::Barrier::new(8));
        let handles: Vec<_> = (0..8)
            .map(|_| {
                let (g, b) = (g.clone(), barrier.clone());
                std::thread::spawn(move || {
                    b.wait();
                    g.begin(A, t0).map(|t| t.sent(t0)).is_ok()
                })
            })
            .collect();
        let admitted = handles
            .into_iter()
            .map(|h| h.join().unwrap())
            .filter(|&ok| ok)
            .count();
        assert_eq!(admitted, 1);
    }
}
