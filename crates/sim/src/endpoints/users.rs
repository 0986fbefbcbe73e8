//! `GET /v1/users`: the account's agents, paged by `last_seen_id`.

use axum::http::StatusCode;
use axum::response::Response;
use serde_json::{json, Value};

use super::reply;
use crate::account::{login_id, SimAgent};
use crate::server::{lock, Shared};

pub(crate) fn users(shared: &Shared, last_seen_id: Option<&str>, limit: Option<&str>) -> Response {
    let account = &shared.account;
    let agents = lock(&shared.agents).clone();
    let after: u64 = last_seen_id.and_then(|s| s.parse().ok()).unwrap_or(0);
    let limit: usize = limit
        .and_then(|s| s.parse().ok())
        .filter(|&l| l > 0)
        .unwrap_or(account.page_size.max(1));
    let remaining: Vec<&SimAgent> = agents.iter().filter(|a| a.user_id > after).collect();
    let page: Vec<&SimAgent> = remaining.iter().take(limit).copied().collect();
    let data: Vec<Value> = page
        .iter()
        .map(|a| {
            json!({
                "id": a.user_id,
                "name": a.name,
                "agent": {"id": a.eid, "name": a.name,
                          "status": a.status,
                          "follow_me_number": a.follow_me_number},
                "login_id": login_id(a),
                "is_login_based_calling_enabled": false,
                "is_international_outbound_enabled": false,
                "user_role": {"id": 54630, "name": "Agent"},
                "extension": null,
                "user_status": 1,
            })
        })
        .collect();
    reply(
        StatusCode::OK,
        json!({
            "has_more": remaining.len() > page.len(),
            "count": data.len(),
            "last_seen_id": page.last().map(|a| a.user_id),
            "data": data,
        }),
    )
}

/// `GET /v1/user/{id}`: one user, with what the list leaves out (the agent's extension and
/// intercom), in the docs' shape.
pub(crate) fn user(shared: &Shared, id: &str) -> Response {
    let agents = lock(&shared.agents);
    let Some(a) = agents.iter().find(|a| a.user_id.to_string() == id) else {
        return reply(
            StatusCode::NOT_FOUND,
            json!({"success": false, "message": "User not found"}),
        );
    };
    reply(
        StatusCode::OK,
        json!({"data": {
            "id": a.user_id,
            "name": a.name,
            "number": a.follow_me_number,
            "team_member": {"login_id": login_id(a), "status": 1,
                            "role": {"id": 54630, "name": "Agent"}},
            "agent": {"id": a.eid, "intercom": 1000 + a.user_id % 1000,
                      "number": a.follow_me_number, "agent_status": a.status,
                      "extension": {"username": crate::account::extension(a),
                                    "outbound_block": 0}},
        }}),
    )
}
