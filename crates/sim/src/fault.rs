//! Faults injected into the simulator's replies: a status and body of the test's choosing
//! (optionally streamed without a length), a delay, or a connection reset.

use std::collections::VecDeque;
use std::sync::Mutex;
use std::time::Duration;

use axum::body::{Body, Bytes};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};

use crate::server::lock;

#[derive(Debug, Clone)]
pub enum FaultAction {
    /// Answer with this status, body and content type instead of the real behaviour.
    Respond {
        status: u16,
        body: String,
        content_type: String,
        headers: Vec<(String, String)>,
        /// Stream the body in pieces without a `Content-Length` (chunked encoding).
        chunked: bool,
    },
    /// Wait, then behave normally.
    Delay(Duration),
    /// Send the headers, then break the connection before the body.
    Reset,
}

/// A fault for the next request(s) whose path ends with `path` (any path when `None`).
#[derive(Debug, Clone)]
pub struct Fault {
    pub path: Option<String>,
    pub action: FaultAction,
    pub times: usize,
}

impl Fault {
    pub fn respond(status: u16, body: impl Into<String>) -> Fault {
        let body = body.into();
        let content_type = if body.trim_start().starts_with('<') {
            "text/html"
        } else {
            "application/json"
        };
        Fault {
            path: None,
            action: FaultAction::Respond {
                status,
                body,
                content_type: content_type.to_string(),
                headers: Vec::new(),
                chunked: false,
            },
            times: 1,
        }
    }

    /// Answers `d` late. The request is handled first, as a slow server does: a `click_to_call`
    /// whose reply never arrives in time is queued all the same.
    pub fn delay(d: Duration) -> Fault {
        Fault {
            path: None,
            action: FaultAction::Delay(d),
            times: 1,
        }
    }

    pub fn reset() -> Fault {
        Fault {
            path: None,
            action: FaultAction::Reset,
            times: 1,
        }
    }

    pub fn on(mut self, path: &str) -> Fault {
        self.path = Some(path.to_string());
        self
    }

    pub fn times(mut self, n: usize) -> Fault {
        self.times = n;
        self
    }

    pub fn header(mut self, name: &str, value: &str) -> Fault {
        if let FaultAction::Respond { headers, .. } = &mut self.action {
            headers.push((name.to_string(), value.to_string()));
        }
        self
    }

    /// Streams a `respond` body in 64 KiB pieces with no `Content-Length`, so a client cannot
    /// tell its size before reading it.
    pub fn chunked(mut self) -> Fault {
        if let FaultAction::Respond { chunked, .. } = &mut self.action {
            *chunked = true;
        }
        self
    }
}

/// The action of the first fault queued for `path`, used up once.
pub(crate) fn take(faults: &Mutex<VecDeque<Fault>>, path: &str) -> Option<FaultAction> {
    let mut faults = lock(faults);
    let i = faults
        .iter()
        .position(|f| f.path.as_deref().is_none_or(|p| path.ends_with(p)))?;
    let fault = &mut faults[i];
    let action = fault.action.clone();
    fault.times = fault.times.saturating_sub(1);
    if fault.times == 0 {
        faults.remove(i);
    }
    Some(action)
}

/// The reply of a [`FaultAction::Respond`].
pub(crate) fn respond(
    status: u16,
    body: String,
    content_type: String,
    headers: Vec<(String, String)>,
    chunked: bool,
) -> Response {
    let mut builder = Response::builder()
        .status(status)
        .header("content-type", content_type);
    for (k, v) in headers {
        builder = builder.header(k, v);
    }
    let body = if chunked {
        let all = Bytes::from(body);
        let pieces: Vec<Result<Bytes, std::io::Error>> = (0..all.len())
            .step_by(64 * 1024)
            .map(|i| Ok(all.slice(i..all.len().min(i + 64 * 1024))))
            .collect();
        Body::from_stream(futures_util::stream::iter(pieces))
    } else {
        Body::from(body)
    };
    builder
        .body(body)
        .unwrap_or_else(|_| StatusCode::INTERNAL_SERVER_ERROR.into_response())
}

/// The reply of a [`FaultAction::Reset`]: headers, then a broken connection.
pub(crate) fn reset() -> Response {
    let broken = futures_util::stream::once(async {
        Err::<Bytes, std::io::Error>(std::io::Error::other("simulated reset"))
    });
    Response::builder()
        .status(200)
        .header("content-type", "application/json")
        .body(Body::from_stream(broken))
        .unwrap_or_else(|_| StatusCode::INTERNAL_SERVER_ERROR.into_response())
}
