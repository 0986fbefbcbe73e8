//! HTTPS goes through the system's TLS (OpenSSL on Linux) and its certificate store. A server
//! this computer does not trust is refused before anything is sent, in words an agent can act
//! on (not "check your internet connection").
// Not on Windows: the test server is OpenSSL's, and SSL_CERT_FILE is OpenSSL's; Windows
// trusts through SChannel and its certificate store (docs/WINDOWS.md, "Not run under wine").
#![cfg(not(windows))]

mod tls_server;

use std::sync::atomic::Ordering;

use clickdial_core::api::ErrorCode;
use clickdial_core::{ApiError, Client, ClientOptions, Secret};
use tls_server::{self_signed, serve};

#[tokio::test]
async fn an_untrusted_certificate_is_refused_before_anything_is_sent() {
    let (cert, key) = self_signed();
    let (url, requests) = serve(&cert, &key);
    let client = Client::with_options(&url, Secret::new("token"), ClientOptions::default())
        .expect("an https address on this computer");

    let refused = client.my_numbers().await.expect_err("an untrusted server");
    assert!(
        matches!(refused, ApiError::Untrusted { .. }),
        "not an untrusted-certificate error: {refused:?}"
    );
    assert_eq!(refused.code(), ErrorCode::Unreachable);
    assert!(!refused.outcome_unknown(), "nothing was sent");
    let message = refused.to_string();
    assert!(
        message.contains("does not trust the server's certificate"),
        "{message}"
    );
    assert!(!message.contains("token"), "{message}");
    assert_eq!(requests.load(Ordering::SeqCst), 0, "a request got through");
}
