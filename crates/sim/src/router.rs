//! Every request's way in: the `/__sim/*` controls, the request log, injected faults, then the
//! API route.

use std::sync::Arc;
use std::time::Instant;

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, Method, StatusCode, Uri};
use axum::response::Response;
use serde::Serialize;
use serde_json::{json, Value};

use crate::control;
use crate::endpoints::{self, auth, reply};
use crate::fault::{self, FaultAction};
use crate::server::{lock, Shared};

/// One request as it reached the simulator.
#[derive(Debug, Clone, Serialize)]
pub struct Recorded {
    pub method: String,
    /// Path without the query, e.g. `/v1/click_to_call`.
    pub path: String,
    pub query: String,
    pub authorization: Option<String>,
    /// The JSON body, `null` when empty, or a string when the body is not JSON.
    pub body: Value,
    #[serde(skip)]
    pub at: Instant,
}

/// `%XX` and `+` in a query value.
fn decode(v: &str) -> String {
    let bytes = v.as_bytes();
    let hex = |b: u8| (b as char).to_digit(16);
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'+' => out.push(b' '),
            b'%' if i + 2 < bytes.len() => match (hex(bytes[i + 1]), hex(bytes[i + 2])) {
                (Some(h), Some(l)) => {
                    out.push((h * 16 + l) as u8);
                    i += 2;
                }
                _ => out.push(b'%'),
            },
            b => out.push(b),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

pub(crate) async fn handle(
    State(shared): State<Arc<Shared>>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let path = uri.path().to_string();
    let token = headers
        .get(crate::server::CONTROL_HEADER)
        .and_then(|v| v.to_str().ok());
    if let Some(response) = control::handle(&shared, &method, &path, token, &body) {
        return response;
    }
    let body_value = if body.is_empty() {
        Value::Null
    } else {
        serde_json::from_slice(&body)
            .unwrap_or_else(|_| Value::String(String::from_utf8_lossy(&body).into_owned()))
    };
    let authorization = headers
        .get("authorization")
        .and_then(|v| v.to_str().ok())
        .map(str::to_string);
    lock(&shared.requests).push(Recorded {
        method: method.to_string(),
        path: path.clone(),
        query: uri.query().unwrap_or_default().to_string(),
        authorization: authorization.clone(),
        body: body_value.clone(),
        at: Instant::now(),
    });

    if lock(&shared.outage_until).is_some_and(|until| Instant::now() < until) {
        return fault::respond(
            503,
            "<html><body><h1>503 Service Temporarily Unavailable</h1></body></html>".into(),
            "text/html".into(),
            Vec::new(),
            false,
        );
    }
    let mut delay = None;
    match fault::take(&shared.faults, &path) {
        Some(FaultAction::Respond {
            status,
            body,
            content_type,
            headers,
            chunked,
        }) => return fault::respond(status, body, content_type, headers, chunked),
        Some(FaultAction::Reset) => return fault::reset(),
        Some(FaultAction::Delay(d)) => delay = Some(d),
        None => {}
    }

    let response = route(&shared, &method, &path, &uri, authorization, &body_value);
    if let Some(d) = delay {
        tokio::time::sleep(d).await;
    }
    response
}

/// The API itself, once faults are dealt with: synchronous, so a delayed reply (a slow server)
/// has already done its work, as a real server that answers late has.
fn route(
    shared: &Arc<Shared>,
    method: &Method,
    path: &str,
    uri: &Uri,
    authorization: Option<String>,
    body_value: &Value,
) -> Response {
    let shared = shared.clone();
    let method = method.clone();
    let path = path.to_string();
    let body_value = body_value.clone();
    let account = &shared.account;
    if (method.as_str(), path.as_str()) == ("POST", "/v1/auth/login") {
        return auth::login(&shared, &body_value);
    }
    if !auth::authorized(&shared, authorization.as_deref()) {
        return reply(
            StatusCode::UNAUTHORIZED,
            json!({"success": false, "message": "Deleted or blacklisted token provided"}),
        );
    }

    let query: Vec<(String, String)> = uri
        .query()
        .unwrap_or_default()
        .split('&')
        .filter_map(|kv| kv.split_once('='))
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    let param = |name: &str| {
        query
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    };

    let decoded = |name: &str| param(name).map(decode);
    let agent_action = path
        .strip_prefix("/v1/agent/")
        .and_then(|rest| rest.split_once('/'))
        .filter(|_| method == Method::POST);
    if let Some((eid, action @ ("block" | "unblock"))) = agent_action {
        return endpoints::set_blocked(&shared, &decode(eid), action == "block");
    }
    match (method.as_str(), path.as_str()) {
        ("POST", "/v1/click_to_call") => endpoints::click_to_call(&shared, &body_value),
        ("GET", "/v1/live_calls") => endpoints::live_calls(&shared, &decoded),
        ("POST", "/v1/call/hangup") => endpoints::hangup(&shared, &body_value),
        ("GET", "/v1/call/records")
            if account
                .cdr_forbidden_tokens
                .contains(&auth::bare_token(authorization.as_deref())) =>
        {
            reply(
                StatusCode::FORBIDDEN,
                json!({"success": false, "message": "You are not authorized to access this resource."}),
            )
        }
        ("GET", "/v1/call/records") => endpoints::call_records(&shared, &decoded),
        ("GET", "/v1/users") => endpoints::users(&shared, param("last_seen_id"), param("limit")),
        ("GET", p) if p.starts_with("/v1/user/") => {
            endpoints::user(&shared, &p["/v1/user/".len()..])
        }
        ("GET", "/v1/my_number")
            if account
                .restricted_tokens
                .contains(&auth::bare_token(authorization.as_deref())) =>
        {
            reply(
                StatusCode::FORBIDDEN,
                json!({"success": false, "message": "You are not authorized to access this resource."}),
            )
        }
        ("GET", "/v1/my_number") => endpoints::my_number(account),
        ("POST", "/v1/auth/refresh") => auth::refresh(&shared, authorization.as_deref()),
        ("POST", "/v1/auth/logout") => auth::logout(&shared, authorization.as_deref()),
        _ => reply(
            StatusCode::NOT_FOUND,
            json!({"success": false, "message": format!("simulator: no route for {method} {path}")}),
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn query_values_are_decoded() {
        assert_eq!(decode("2026-11-28+10%3A00%3A00"), "2026-11-28 10:00:00");
        assert_eq!(decode("%2B91%20"), "+91 ");
        assert_eq!(decode("100%"), "100%");
        assert_eq!(decode("%zz%e2%82%ac"), "%zz€");
    }
}
