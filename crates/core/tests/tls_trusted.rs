//! HTTPS trusts what the system trusts: a server whose certificate is installed in the system's
//! settings (here `SSL_CERT_FILE`, as a company's root certificate would be) is reached. The
//! same server untrusted is `tls_untrusted.rs`.
// Not on Windows: the test server is OpenSSL's, and SSL_CERT_FILE is OpenSSL's; Windows
// trusts through SChannel and its certificate store (docs/WINDOWS.md, "Not run under wine").
#![cfg(not(windows))]

mod tls_server;

use std::sync::atomic::Ordering;

use clickdial_core::api::ErrorCode;
use clickdial_core::{Client, ClientOptions, Secret};
use tls_server::{self_signed, serve};

#[tokio::test]
async fn a_certificate_the_system_trusts_is_reached() {
    let (cert, key) = self_signed();
    let (url, requests) = serve(&cert, &key);
    // The company's root certificate, installed where the system's TLS looks for it, before
    // this process reads the store.
    let file = std::env::temp_dir().join(format!("clickdial-tls-{}.pem", std::process::id()));
    std::fs::write(&file, cert.to_pem().unwrap()).unwrap();
    std::env::set_var("SSL_CERT_FILE", &file);
    let client = Client::with_options(&url, Secret::new("token"), ClientOptions::default())
        .expect("an https address on this computer");
    let answered = client
        .my_numbers()
        .await
        .expect_err("the server answers 401");
    let _ = std::fs::remove_file(&file);
    assert_eq!(answered.code(), ErrorCode::Unauthorized, "{answered:?}");
    // (A refused token is tried once more without `Bearer `, a platform quirk: two requests.)
    assert!(
        requests.load(Ordering::SeqCst) >= 1,
        "no request got through"
    );
}
