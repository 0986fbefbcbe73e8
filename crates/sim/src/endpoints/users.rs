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
