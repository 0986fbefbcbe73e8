//! `POST /v1/call/hangup`: ends a live call by its `call_id`.

use std::time::Instant;

use axum::http::StatusCode;
use axum::response::Response;
use serde_json::{json, Value};

use super::{reply, text};
use crate::lifecycle::Stage;
use crate::server::{lock, Shared};

pub(crate) fn hangup(shared: &Shared, body: &Value) -> Response {
    let Some(id) = text(body.get("call_id")).filter(|s| !s.is_empty()) else {
        return reply(
            StatusCode::UNPROCESSABLE_ENTITY,
            json!({"call_id": "The call id field is required."}),
        );
    };
    let now = Instant::now();
    let mut calls = lock(&shared.calls);
    if let Some(call) = calls.iter_mut().find(|c| c.call_id == id) {
        if !matches!(call.stage_at(now), Stage::Ended(_)) {
            call.hung_up_at = Some(now);
            return reply(
                StatusCode::OK,
                json!({"success": true, "message": "Call hangup successfully"}),
            );
        }
    } else if calls.iter().any(|c| c.ref_id == id) {
        // Some accounts refuse the ref_id here (servetel-api.md §5.2).
        return reply(
            StatusCode::OK,
            json!({"success": false, "message": "Invalid call_id"}),
        );
    }
    reply(
        StatusCode::OK,
        json!({"success": false, "message": "Call not found"}),
    )
}
