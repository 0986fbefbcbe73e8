//! `GET /v1/my_number`: the account's DIDs.

use axum::http::StatusCode;
use axum::response::Response;
use serde_json::{json, Value};

use super::reply;
use crate::account::Account;

pub(crate) fn my_number(account: &Account) -> Response {
    let rows: Vec<Value> = account
        .dids
        .iter()
        .map(|d| json!({"id": d.id, "name": d.name, "did": d.did, "alias": d.alias, "destination": null}))
        .collect();
    reply(StatusCode::OK, Value::Array(rows))
}
