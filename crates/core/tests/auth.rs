//! Sign-in with email and password against the simulator, with an injected clock: token reuse,
//! renewal before expiry, one re-login on a 401, and no sign-in storm (or any sign-in at all)
//! while the server's lockout lasts.

use std::sync::Arc;
use std::time::Duration;

use clickdial_core::api::Credentials;
use clickdial_core::clock::{Clock, ManualClock, SystemClock};
use clickdial_core::{ApiError, Client, ClientOptions, Secret};
use clickdial_sim::{Account, Fault, Sim, DEMO_EMAIL, DEMO_PASSWORD};

fn signed_in(sim: &Sim, password: &str, clock: &ManualClock) -> Client {
    Client::build(
        &sim.url(),
        Credentials::Password {
            email: DEMO_EMAIL.to_string(),
            password: Secret::new(password),
        },
        ClientOptions::default(),
        Arc::new(clock.clone()),
    )
    .unwrap()
}

fn clock() -> ManualClock {
    ManualClock::new(SystemClock.unix_now())
}

fn count(sim: &Sim, path: &str) -> usize {
    sim.requests_to(path).len()
}

#[tokio::test]
async fn signs_in_once_and_reuses_the_token() {
    let sim = Sim::spawn(Account::demo()).await.unwrap();
    let c = signed_in(&sim, DEMO_PASSWORD, &clock());
    c.my_numbers().await.unwrap();
    c.users().await.unwrap();
    assert_eq!(count(&sim, "/auth/login"), 1);
    let login = &sim.requests_to("/auth/login")[0];
    assert_eq!(login.authorization, None);
    assert_eq!(login.body["email"], DEMO_EMAIL);
    let auth = sim.requests_to("/my_number")[0]
        .authorization
        .clone()
        .unwrap();
    assert!(auth.starts_with("Bearer st-"), "{auth}");
    assert!(!format!("{c:?}").contains(DEMO_PASSWORD));
}

/// Signing out ends the short-lived token on the server (once), and never signs in to do so.
#[tokio::test]
async fn ending_a_session_logs_its_token_out_once() {
    let sim = Sim::spawn(Account::demo()).await.unwrap();
    let c = signed_in(&sim, DEMO_PASSWORD, &clock());
    assert!(!c.end_session().await, "never signed in: nothing to end");
    assert_eq!(count(&sim, "/auth/login") + count(&sim, "/auth/logout"), 0);
    c.users().await.unwrap();
    let used = sim.requests_to("/users")[0].authorization.clone().unwrap();
    assert!(c.end_session().await);
    let out = sim.requests_to("/auth/logout");
    assert_eq!(out.len(), 1);
    assert_eq!(
        out[0].authorization.as_deref(),
        used.strip_prefix("Bearer ")
    );
    assert!(!c.end_session().await, "already ended");
    assert_eq!(count(&sim, "/auth/logout"), 1);
    // The ended token is not used again: the next request signs in anew.
    c.users().await.unwrap();
    assert_eq!(count(&sim, "/auth/login"), 2);
    // A permanent token has no session to end.
    let token = Client::new(&sim.url(), Secret::new(clickdial_sim::DEMO_TOKEN)).unwrap();
    assert!(!token.end_session().await);
    assert_eq!(count(&sim, "/auth/logout"), 1);
}

#[tokio::test]
async fn concurrent_requests_share_one_sign_in() {
    let sim = Sim::spawn(Account::demo()).await.unwrap();
    let c = signed_in(&sim, DEMO_PASSWORD, &clock());
    let results = futures_all((0..8).map(|_| c.my_numbers()).collect()).await;
    assert!(results.iter().all(Result::is_ok));
    assert_eq!(count(&sim, "/auth/login"), 1);
}

async fn futures_all<F: std::future::Future>(futs: Vec<F>) -> Vec<F::Output> {
    let mut pinned: Vec<_> = futs.into_iter().map(Box::pin).collect();
    let mut results: Vec<Option<F::Output>> = (0..pinned.len()).map(|_| None).collect();
    std::future::poll_fn(|cx| {
        let mut pending = false;
        for (i, f) in pinned.iter_mut().enumerate() {
            if results[i].is_none() {
                match f.as_mut().poll(cx) {
                    std::task::Poll::Ready(v) => results[i] = Some(v),
                    std::task::Poll::Pending => pending = true,
                }
            }
        }
        if pending {
            std::task::Poll::Pending
        } else {
            std::task::Poll::Ready(())
        }
    })
    .await;
    results.into_iter().map(Option::unwrap).collect()
}

#[tokio::test]
async fn renews_before_expiry_then_signs_in_after_it() {
    let sim = Sim::spawn(Account::demo()).await.unwrap();
    let clock = clock();
    let c = signed_in(&sim, DEMO_PASSWORD, &clock);
    c.my_numbers().await.unwrap();
    let first = sim.requests_to("/my_number")[0].authorization.clone();

    // 54 minutes in: still well before the 60-minute expiry, no renewal.
    clock.advance(Duration::from_secs(54 * 60));
    c.my_numbers().await.unwrap();
    assert_eq!(count(&sim, "/auth/refresh"), 0);

    // 56 minutes in: inside the 5-minute margin, renewed with the current token (raw form).
    clock.advance(Duration::from_secs(2 * 60));
    c.my_numbers().await.unwrap();
    let refresh = &sim.requests_to("/auth/refresh")[0];
    assert_eq!(
        refresh
            .authorization
            .as_deref()
            .map(|a| format!("Bearer {a}")),
        first
    );
    let renewed = sim.requests_to("/my_number")[2].authorization.clone();
    assert_ne!(renewed, first);
    assert_eq!(count(&sim, "/auth/login"), 1);

    // Long idle: the token expired, so a fresh sign-in (no refresh of a dead token).
    clock.advance(Duration::from_secs(2 * 3600));
    c.my_numbers().await.unwrap();
    assert_eq!(count(&sim, "/auth/refresh"), 1);
    assert_eq!(count(&sim, "/auth/login"), 2);
}

#[tokio::test]
async fn a_failed_renewal_keeps_the_still_valid_token_and_a_refused_one_signs_in() {
    let sim = Sim::spawn(Account::demo()).await.unwrap();
    let clock = clock();
    let c = signed_in(&sim, DEMO_PASSWORD, &clock);
    c.my_numbers().await.unwrap();
    clock.advance(Duration::from_secs(58 * 60));
    // A passing server error: the token has two minutes left, so keep using it.
    sim.inject(Fault::respond(500, "<html>oops</html>").on("/auth/refresh"));
    c.my_numbers().await.unwrap();
    assert_eq!(count(&sim, "/auth/refresh"), 1);
    assert_eq!(count(&sim, "/auth/login"), 1);
    // The server refuses to renew: sign in again.
    sim.inject(
        Fault::respond(401, r#"{"success":false,"message":"Token expired"}"#).on("/auth/refresh"),
    );
    c.my_numbers().await.unwrap();
    assert_eq!(count(&sim, "/auth/refresh"), 2);
    assert_eq!(count(&sim, "/auth/login"), 2);
}

#[tokio::test]
async fn concurrent_401s_share_one_new_sign_in() {
    let sim = Sim::spawn(Account::demo()).await.unwrap();
    let c = signed_in(&sim, DEMO_PASSWORD, &clock());
    c.users().await.unwrap();
    sim.expire_sessions();
    let results = futures_all((0..6).map(|_| c.my_numbers()).collect()).await;
    assert!(results.iter().all(Result::is_ok));
    assert_eq!(
        count(&sim, "/auth/login"),
        2,
        "one at the start, one after the expiry"
    );
}

#[tokio::test]
async fn absurd_server_times_do_not_break_the_client() {
    let sim = Sim::spawn(Account {
        tokens: vec!["st-x".into()],
        ..Account::demo()
    })
    .await
    .unwrap();
    let clock = clock();
    sim.inject(
        Fault::respond(
            200,
            r#"{"success":true,"access_token":"st-x","expires_in":"18446744073709551615"}"#,
        )
        .on("/auth/login"),
    );
    let c = signed_in(&sim, DEMO_PASSWORD, &clock);
    // The token is believed for a day at most.
    c.my_numbers().await.unwrap();
    clock.advance(Duration::from_secs(23 * 3600));
    c.my_numbers().await.unwrap();
    assert_eq!(count(&sim, "/auth/login"), 1);
    clock.advance(Duration::from_secs(2 * 3600));
    c.my_numbers().await.unwrap();
    assert_eq!(count(&sim, "/auth/login"), 2);

    let c = signed_in(&sim, DEMO_PASSWORD, &clock);
    sim.inject(
        Fault::respond(429, "{}")
            .header("Retry-After", "18446744073709551615")
            .on("/auth/login"),
    );
    let err = c.users().await.unwrap_err();
    assert_eq!(
        err,
        ApiError::LockedOut {
            retry_after: Duration::from_secs(24 * 3600)
        }
    );
    sim.inject(Fault::respond(429, r#"{"retry_after":"99999-01-01 00:00:00"}"#).on("/auth/login"));
    let c = signed_in(&sim, DEMO_PASSWORD, &clock);
    assert!(matches!(c.users().await, Err(ApiError::LockedOut { .. })));
}

#[tokio::test]
async fn a_revoked_token_signs_in_again_once_then_stops() {
    let sim = Sim::spawn(Account::demo()).await.unwrap();
    let c = signed_in(&sim, DEMO_PASSWORD, &clock());
    c.my_numbers().await.unwrap();
    sim.expire_sessions();
    c.my_numbers().await.unwrap();
    assert_eq!(count(&sim, "/auth/login"), 2);
    assert_eq!(count(&sim, "/my_number"), 3);

    // A server that refuses every token: one more sign-in, then a clear stop.
    sim.inject(
        Fault::respond(
            401,
            r#"{"success":false,"message":"Deleted or blacklisted token provided"}"#,
        )
        .on("/my_number")
        .times(10),
    );
    let err = c.my_numbers().await.unwrap_err();
    assert!(matches!(err, ApiError::SessionRefused { .. }), "{err:?}");
    assert!(err.to_string().contains("Sign in again"), "{err}");
    assert_eq!(count(&sim, "/auth/login"), 3);
    assert_eq!(count(&sim, "/my_number"), 5);
}

#[tokio::test]
async fn a_refused_password_is_never_sent_again() {
    let sim = Sim::spawn(Account::demo()).await.unwrap();
    let c = signed_in(&sim, "not-the-password", &clock());
    let (a, b) = tokio::join!(c.users(), c.my_numbers());
    for err in [a.unwrap_err(), b.unwrap_err()] {
        assert!(matches!(err, ApiError::BadLogin { .. }), "{err:?}");
        assert!(err
            .to_string()
            .contains("email or password was not accepted"));
        assert!(!err.to_string().contains("not-the-password"));
    }
    assert!(matches!(c.users().await, Err(ApiError::BadLogin { .. })));
    assert_eq!(sim.requests().len(), 1, "one sign-in, nothing else");
}

#[tokio::test]
async fn lockout_is_respected_without_a_login_storm() {
    let sim = Sim::spawn(Account::demo()).await.unwrap();
    let clock = clock();
    // Three bad passwords (each typed anew) lock sign-in on the server for 10 minutes.
    for _ in 0..3 {
        let c = signed_in(&sim, "wrong", &clock);
        assert!(matches!(c.users().await, Err(ApiError::BadLogin { .. })));
    }
    let c = signed_in(&sim, DEMO_PASSWORD, &clock);
    let err = c.users().await.unwrap_err();
    let ApiError::LockedOut { retry_after } = err.clone() else {
        panic!("{err:?}")
    };
    assert!(
        (590..=601).contains(&retry_after.as_secs()),
        "{retry_after:?}"
    );
    assert!(err.to_string().contains("Try again in 10 min"), "{err}");
    assert_eq!(count(&sim, "/auth/login"), 4);

    // While locked: many requests, not one more sign-in.
    let results = futures_all((0..10).map(|_| c.users()).collect()).await;
    assert!(results
        .iter()
        .all(|r| matches!(r, Err(ApiError::LockedOut { .. }))));
    clock.advance(Duration::from_secs(5 * 60));
    assert!(matches!(c.users().await, Err(ApiError::LockedOut { .. })));
    assert_eq!(count(&sim, "/auth/login"), 4);

    // After the lockout, the client asks again (and the server, still locked in real time, says so).
    clock.advance(Duration::from_secs(6 * 60));
    assert!(matches!(c.users().await, Err(ApiError::LockedOut { .. })));
    assert_eq!(count(&sim, "/auth/login"), 5);
}

#[tokio::test]
async fn restricted_token_gets_forbidden_on_my_number() {
    let sim = Sim::spawn(Account {
        restricted_tokens: vec!["limited".into()],
        tokens: vec!["limited".into()],
        ..Account::demo()
    })
    .await
    .unwrap();
    let c = Client::new(&sim.url(), Secret::new("limited")).unwrap();
    assert!(c.users().await.is_ok());
    let err = c.my_numbers().await.unwrap_err();
    assert!(matches!(err, ApiError::Forbidden { .. }), "{err:?}");
    assert_eq!(count(&sim, "/my_number"), 1, "403 is not retried");
}

#[tokio::test]
async fn a_password_with_spaces_reaches_the_server_byte_for_byte() {
    let password = " pass word ";
    let sim = Sim::spawn(Account {
        logins: vec![clickdial_sim::SimLogin {
            email: DEMO_EMAIL.to_string(),
            password: password.to_string(),
        }],
        ..Account::demo()
    })
    .await
    .unwrap();
    let c = signed_in(&sim, password, &clock());
    c.my_numbers().await.unwrap();
    assert_eq!(sim.requests_to("/auth/login")[0].body["password"], password);
    // The trimmed password is a different password.
    let c = signed_in(&sim, password.trim(), &clock());
    assert!(matches!(c.users().await, Err(ApiError::BadLogin { .. })));
    assert_eq!(
        sim.requests_to("/auth/login")[1].body["password"],
        "pass word"
    );
}

#[tokio::test]
async fn a_pasted_token_is_still_cleaned() {
    let sim = Sim::spawn(Account::demo()).await.unwrap();
    let c = Client::new(&sim.url(), Secret::new("  Bearer demo-token \n")).unwrap();
    c.my_numbers().await.unwrap();
    assert_eq!(
        sim.requests()[0].authorization.as_deref(),
        Some("Bearer demo-token")
    );
}

#[tokio::test]
async fn a_refused_sign_in_shows_the_documented_message_and_count() {
    let sim = Sim::spawn(Account::demo()).await.unwrap();
    for n in 1..=2 {
        let c = signed_in(&sim, "wrong", &clock());
        let err = c.users().await.unwrap_err();
        assert_eq!(
            err,
            ApiError::BadLogin {
                message: Some("The username or password is incorrect.".into())
            }
        );
        let r = reqwest::Client::new()
            .post(format!("{}/auth/login", sim.url()))
            .json(&serde_json::json!({"email": DEMO_EMAIL, "password": "wrong"}))
            .send()
            .await
            .unwrap();
        if n == 1 {
            assert_eq!(r.status(), 401);
            let v: serde_json::Value = r.json().await.unwrap();
            assert_eq!(
                v,
                serde_json::json!({"success": false,
                    "message": "The username or password is incorrect.",
                    "login_failed_count": 2})
            );
        } else {
            // The third failure in a row locks sign-in.
            assert_eq!(r.status(), 429);
        }
    }
    // A success resets the count.
    let sim = Sim::spawn(Account::demo()).await.unwrap();
    let c = signed_in(&sim, "wrong", &clock());
    assert!(c.users().await.is_err());
    signed_in(&sim, DEMO_PASSWORD, &clock())
        .users()
        .await
        .unwrap();
    let r = reqwest::Client::new()
        .post(format!("{}/auth/login", sim.url()))
        .json(&serde_json::json!({"email": DEMO_EMAIL, "password": "wrong"}))
        .send()
        .await
        .unwrap();
    let v: serde_json::Value = r.json().await.unwrap();
    assert_eq!(v["login_failed_count"], 1);
}

#[tokio::test]
async fn password_days_left_comes_from_sign_in_and_renewal() {
    let sim = Sim::spawn(Account::demo()).await.unwrap();
    let clock = clock();
    let c = signed_in(&sim, DEMO_PASSWORD, &clock);
    assert_eq!(c.password_days_left(), None, "not signed in yet");
    c.my_numbers().await.unwrap();
    assert_eq!(c.password_days_left(), Some(60));

    // A renewal that says otherwise (as a string) updates it.
    clock.advance(Duration::from_secs(57 * 60));
    let token = sim.requests_to("/my_number")[0]
        .authorization
        .clone()
        .unwrap()
        .trim_start_matches("Bearer ")
        .to_string();
    sim.inject(
        Fault::respond(
            200,
            format!(
                r#"{{"success":true,"access_token":"{token}","expires_in":3600,"number_of_days_left":"3"}}"#
            ),
        )
        .on("/auth/refresh"),
    );
    c.my_numbers().await.unwrap();
    assert_eq!(count(&sim, "/auth/refresh"), 1);
    assert_eq!(c.password_days_left(), Some(3));

    // A permanent token never has one.
    let t = Client::new(&sim.url(), Secret::new(clickdial_sim::DEMO_TOKEN)).unwrap();
    t.my_numbers().await.unwrap();
    assert_eq!(t.password_days_left(), None);

    // An account that does not say.
    let sim = Sim::spawn(Account {
        password_days_left: None,
        ..Account::demo()
    })
    .await
    .unwrap();
    let c = signed_in(&sim, DEMO_PASSWORD, &clock);
    c.my_numbers().await.unwrap();
    assert_eq!(c.password_days_left(), None);
}

#[tokio::test]
async fn odd_days_left_values_are_read_tolerantly() {
    for (value, want) in [
        ("5", Some(5)),
        ("\"7\"", Some(7)),
        ("\" 8 \"", Some(8)),
        ("9.0", Some(9)),
        ("-2", Some(0)),
        ("1e20", Some(u32::MAX)),
        ("\"soon\"", None),
        ("null", None),
        ("[1]", None),
    ] {
        let sim = Sim::spawn(Account {
            tokens: vec!["st-x".into()],
            ..Account::demo()
        })
        .await
        .unwrap();
        sim.inject(
            Fault::respond(
                200,
                format!(
                    r#"{{"success":true,"access_token":"st-x","number_of_days_left":{value}}}"#
                ),
            )
            .on("/auth/login"),
        );
        let c = signed_in(&sim, DEMO_PASSWORD, &clock());
        c.my_numbers().await.unwrap();
        assert_eq!(c.password_days_left(), want, "{value}");
    }
}

/// A dial of `n` by the demo's first agent.
fn dial_request(n: &clickdial_core::Number) -> clickdial_core::DialRequest<'_> {
    clickdial_core::DialRequest {
        custom_identifier: "clickdial-test",
        agent_number: "0506123456781",
        destination: n,
        caller_id: None,
        call_timeout: None,
    }
}

/// A session refused by message, under a status other than 401: sign in again once, exactly
/// as after a 401; the dial goes out a second time only because the first was refused.
#[tokio::test]
async fn expired_token_messages_sign_in_again_under_any_status() {
    let n =
        clickdial_core::Number::parse("+91 98765 43210", clickdial_core::Region::INDIA).unwrap();
    let req = dial_request(&n);
    for (status, body) in [
        (200, r#"{"success":false,"message":"Token has expired"}"#),
        (
            403,
            r#"{"success":false,"message":"Deleted or blacklisted token provided"}"#,
        ),
        (400, r#"{"message":"TOKEN HAS EXPIRED."}"#),
        (
            200,
            r#"{"ok":false,"error":"deleted or blacklisted token provided"}"#,
        ),
    ] {
        let sim = Sim::spawn(Account::demo()).await.unwrap();
        let c = signed_in(&sim, DEMO_PASSWORD, &clock());
        sim.inject(Fault::respond(status, body).on("/click_to_call"));
        let q = c.click_to_call(&req).await.unwrap();
        assert!(q.ref_id.is_some());
        assert_eq!(count(&sim, "/auth/login"), 2, "{status} {body}");
        assert_eq!(count(&sim, "/click_to_call"), 2, "{status} {body}");
        let auths: Vec<_> = sim
            .requests_to("/click_to_call")
            .into_iter()
            .map(|r| r.authorization)
            .collect();
        assert_ne!(auths[0], auths[1], "the second try uses the new token");

        // Refused again after the fresh sign-in: stop, with no third dial and no third sign-in.
        sim.inject(Fault::respond(status, body).on("/click_to_call").times(5));
        let err = c.click_to_call(&req).await.unwrap_err();
        assert!(matches!(err, ApiError::SessionRefused { .. }), "{err:?}");
        assert!(!err.outcome_unknown());
        assert_eq!(count(&sim, "/auth/login"), 3, "{status} {body}");
        assert_eq!(count(&sim, "/click_to_call"), 4, "{status} {body}");
    }
}

/// A 5xx says "may have been placed" whatever its message: the dial is not sent again, and the
/// agent is told the outcome is unknown. A list read after the same reply may sign in again.
#[tokio::test]
async fn a_5xx_saying_the_token_expired_never_resends_the_dial() {
    let n =
        clickdial_core::Number::parse("+91 98765 43210", clickdial_core::Region::INDIA).unwrap();
    let req = dial_request(&n);
    for status in [500, 502, 503] {
        let body = r#"{"success":false,"message":"Token has expired"}"#;
        let sim = Sim::spawn(Account::demo()).await.unwrap();
        let c = signed_in(&sim, DEMO_PASSWORD, &clock());
        sim.inject(Fault::respond(status, body).on("/click_to_call"));
        let err = c.click_to_call(&req).await.unwrap_err();
        assert!(err.outcome_unknown(), "{status}: {err:?}");
        assert_eq!(count(&sim, "/click_to_call"), 1, "{status}");
        assert_eq!(count(&sim, "/auth/login"), 1, "{status}");

        sim.inject(Fault::respond(status, body).on("/my_number"));
        c.my_numbers().await.unwrap();
        assert_eq!(
            count(&sim, "/my_number"),
            2,
            "{status}: a read may go again"
        );
        assert_eq!(count(&sim, "/auth/login"), 2, "{status}");
    }
}

#[tokio::test]
async fn a_reply_that_may_have_placed_the_call_is_never_taken_for_an_expired_session() {
    let n =
        clickdial_core::Number::parse("+91 98765 43210", clickdial_core::Region::INDIA).unwrap();
    let req = dial_request(&n);
    for body in [
        // Success, whatever the message says.
        r#"{"success":true,"message":"Token has expired","ref_id":"r1"}"#,
        // No failure flag: we cannot tell, so it is "outcome unknown", not a refusal.
        r#"{"message":"Token has expired"}"#,
        // A refusal flag but an id: something was queued.
        r#"{"success":false,"message":"Token has expired","call_id":"1.2"}"#,
        r#"{"success":false,"message":"Token has expired","data":{"ref_id":"r2"}}"#,
        // A different refusal.
        r#"{"success":false,"message":"Token is fine, agent is offline"}"#,
        "not json Token has expired",
    ] {
        let sim = Sim::spawn(Account::demo()).await.unwrap();
        let c = signed_in(&sim, DEMO_PASSWORD, &clock());
        sim.inject(Fault::respond(200, body).on("/click_to_call"));
        let _ = c.click_to_call(&req).await;
        assert_eq!(count(&sim, "/click_to_call"), 1, "{body}");
        assert_eq!(count(&sim, "/auth/login"), 1, "{body}");
    }
}

#[tokio::test]
async fn a_renewal_refused_by_message_signs_in_again() {
    let sim = Sim::spawn(Account::demo()).await.unwrap();
    let clock = clock();
    let c = signed_in(&sim, DEMO_PASSWORD, &clock);
    c.my_numbers().await.unwrap();
    clock.advance(Duration::from_secs(58 * 60));
    sim.inject(
        Fault::respond(403, r#"{"success":false,"message":"Token has expired"}"#)
            .on("/auth/refresh"),
    );
    c.my_numbers().await.unwrap();
    assert_eq!(count(&sim, "/auth/refresh"), 1);
    assert_eq!(count(&sim, "/auth/login"), 2);
}

#[tokio::test]
async fn a_permanent_token_refused_by_message_is_not_retried() {
    let sim = Sim::spawn(Account::demo()).await.unwrap();
    let c = Client::new(&sim.url(), Secret::new(clickdial_sim::DEMO_TOKEN)).unwrap();
    sim.inject(
        Fault::respond(403, r#"{"success":false,"message":"Token has expired"}"#).on("/users"),
    );
    assert!(matches!(c.users().await, Err(ApiError::Forbidden { .. })));
    assert_eq!(count(&sim, "/users"), 1);
}
