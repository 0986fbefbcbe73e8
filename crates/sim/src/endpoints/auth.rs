//! Tokens: the check on every request (Bearer and raw forms, permanent and short-lived tokens),
//! `/auth/login` with its lockout, `/auth/refresh` and `/auth/logout`.

use std::time::{Instant, SystemTime};

use axum::http::StatusCode;
use axum::response::Response;
use serde_json::{json, Value};

use super::{reply, text};
use crate::date;
use crate::server::{lock, Shared};

#[derive(Default)]
pub(crate) struct Lockout {
    bad_in_a_row: u32,
    until: Option<(Instant, SystemTime)>,
}

/// The token of an `Authorization` header, without `Bearer `.
pub(crate) fn bare_token(header: Option<&str>) -> String {
    let h = header.unwrap_or_default();
    h.strip_prefix("Bearer ").unwrap_or(h).to_string()
}

pub(crate) fn authorized(shared: &Shared, header: Option<&str>) -> bool {
    let account = &shared.account;
    let Some(h) = header else { return false };
    let (token, bearer) = match h.strip_prefix("Bearer ") {
        Some(t) => (t, true),
        None => (h, false),
    };
    let form_ok = if bearer {
        account.bearer_accepted
    } else {
        account.raw_accepted
    };
    let mut sessions = lock(&shared.sessions);
    sessions.retain(|_, expires| *expires > Instant::now());
    form_ok && (account.tokens.iter().any(|t| t == token) || sessions.contains_key(token))
}

fn issue_token(shared: &Shared) -> Response {
    let token = format!("st-{}", uuid::Uuid::new_v4().simple());
    let ttl = shared.account.token_ttl;
    lock(&shared.sessions).insert(token.clone(), Instant::now() + ttl);
    let mut out = json!({"success": true, "access_token": token, "token_type": "bearer",
                         "expires_in": ttl.as_secs().max(1)});
    if let Some(days) = shared.account.password_days_left {
        out["number_of_days_left"] = json!(days);
    }
    reply(StatusCode::OK, out)
}

pub(crate) fn login(shared: &Shared, body: &Value) -> Response {
    let mut lockout = lock(&shared.lockout);
    if let Some((until, wall)) = lockout.until {
        if Instant::now() < until {
            // `retry_after` is `YYYY-MM-DD HH:MM:SS` in India Standard Time, as the platform
            // writes it.
            return reply(
                StatusCode::TOO_MANY_REQUESTS,
                json!({"success": false, "message": "Too many login attempts. Please try again later.",
                       "retry_after": date::format_ist(date::unix(wall))}),
            );
        }
        *lockout = Lockout::default();
    }
    let email = text(body.get("email")).unwrap_or_default();
    let password = text(body.get("password")).unwrap_or_default();
    let ok = shared
        .account
        .logins
        .iter()
        .any(|l| l.email.eq_ignore_ascii_case(email.trim()) && l.password == password);
    if ok {
        lockout.bad_in_a_row = 0;
        drop(lockout);
        return issue_token(shared);
    }
    lockout.bad_in_a_row += 1;
    let failed = lockout.bad_in_a_row;
    if failed >= shared.account.lockout_after {
        let d = shared.account.lockout_for;
        lockout.until = Some((Instant::now() + d, SystemTime::now() + d));
    }
    // The documented failure body (servetel-api.md §1.2); the status is our assumption.
    reply(
        StatusCode::UNAUTHORIZED,
        json!({"success": false, "message": "The username or password is incorrect.",
               "login_failed_count": failed}),
    )
}

pub(crate) fn refresh(shared: &Shared, authorization: Option<&str>) -> Response {
    // (The lock is released before issue_token takes it again.)
    let short_lived = lock(&shared.sessions).contains_key(&bare_token(authorization));
    if short_lived {
        issue_token(shared)
    } else {
        // A permanent token cannot be refreshed.
        reply(
            StatusCode::UNAUTHORIZED,
            json!({"success": false, "message": "Token cannot be refreshed"}),
        )
    }
}

pub(crate) fn logout(shared: &Shared, authorization: Option<&str>) -> Response {
    lock(&shared.sessions).remove(&bare_token(authorization));
    reply(
        StatusCode::OK,
        json!({"success": true, "message": "Successfully logged out"}),
    )
}
