//! The one dial path every front end funnels into: guard, send once, classify the outcome.

use std::time::Instant;

use crate::api::{ApiError, Client, DialRequest, Queued};
use crate::guard::{DialGuard, GuardError};

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DialError {
    /// Refused locally: a dial is in flight, or the same number was dialled moments ago.
    Busy(GuardError),
    /// The API call failed. See [`ApiError::outcome_unknown`].
    Api(ApiError),
}

impl DialError {
    /// True when the call may have been placed even though we report a failure.
    pub fn outcome_unknown(&self) -> bool {
        matches!(self, DialError::Api(e) if e.outcome_unknown())
    }
}

impl std::fmt::Display for DialError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            DialError::Busy(g) => write!(f, "{g}"),
            DialError::Api(e) if e.outcome_unknown() => write!(
                f,
                "{e} The call may or may not have been placed, so Clickdial did not try again. \
                 Check your phone before you dial again."
            ),
            DialError::Api(e) => write!(f, "The call was not placed. {e}"),
        }
    }
}

impl std::error::Error for DialError {}

/// Places one call. Never retries after the request may have reached the server; the guard
/// refuses a second dial while this one is in flight, and a repeat of a sent number within its
/// bounce window.
pub async fn place_call(
    client: &Client,
    guard: &DialGuard,
    request: &DialRequest<'_>,
    now: impl Fn() -> Instant,
) -> Result<Queued, DialError> {
    let ticket = guard
        .begin(request.destination.e164(), now())
        .map_err(DialError::Busy)?;
    match client.click_to_call(request).await {
        Ok(q) => {
            ticket.sent(now());
            Ok(q)
        }
        Err(e) => {
            if e.outcome_unknown() {
                ticket.sent(now());
            }
            Err(DialError::Api(e))
        }
    }
}
