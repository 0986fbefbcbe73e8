//! `POST /v1/agent/{eid}/block` and `/unblock`: the agent's status in `/v1/users`.

use axum::http::StatusCode;
use axum::response::Response;
use serde_json::json;

use super::reply;
use crate::server::{lock, Shared};

pub(crate) fn set_blocked(shared: &Shared, eid: &str, blocked: bool) -> Response {
    if shared.account.breaks_refused {
        return reply(
            StatusCode::FORBIDDEN,
            json!({"success": false, "message": "You do not have permission to perform this action."}),
        );
    }
    let mut agents = lock(&shared.agents);
    let Some(agent) = agents.iter_mut().find(|a| a.eid == eid) else {
        return reply(
            StatusCode::NOT_FOUND,
            json!({"success": false, "message": "Agent not found"}),
        );
    };
    agent.status = u8::from(blocked);
    drop(agents);
    reply(
        StatusCode::OK,
        json!({"success": true, "message": if blocked { "Agent blocked successfully" } else { "Agent unblocked successfully" }}),
    )
}
