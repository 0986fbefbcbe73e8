//! The Servetel API as the simulator serves it, one file per area.

mod agents;
pub(crate) mod auth;
mod click_to_call;
mod hangup;
mod live_calls;
mod my_number;
mod records;
mod users;

pub(crate) use agents::set_blocked;
pub(crate) use click_to_call::{click_to_call, queue_call};
pub(crate) use hangup::hangup;
pub(crate) use live_calls::live_calls;
pub(crate) use my_number::my_number;
pub(crate) use records::call_records;
pub(crate) use users::{user, users};

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde_json::Value;

pub(crate) fn reply(status: StatusCode, body: Value) -> Response {
    (status, axum::Json(body)).into_response()
}

/// A JSON string or number as text.
pub(crate) fn text(v: Option<&Value>) -> Option<String> {
    match v? {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

pub(crate) fn digits(s: &str) -> String {
    s.chars().filter(char::is_ascii_digit).collect()
}
