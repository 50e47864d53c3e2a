//! Behind a reverse proxy: X-Forwarded-For names the client only when the
//! request comes from a trusted proxy; sessions and the login throttle see that
//! address, and a forged header from anyone else changes nothing.

use reqwest::StatusCode;
use serde_json::json;

use crate::{
    backend_tests,
    helpers::{spawn_app_with, Backend, TestApp, PASSWORD},
};

backend_tests!(forwarded_for_is_believed_only_from_trusted_proxies);

/// Signs `who` in with an X-Forwarded-For header; returns the address the new
/// session recorded.
async fn login_via(app: &TestApp, who: &str, password: &str, xff: &str) -> (StatusCode, String) {
    let res = app
        .client
        .post(format!("{}/api/v1/auth/login", app.base))
        .header("x-forwarded-for", xff)
        .json(&json!({"username": who, "password": password}))
        .send()
        .await
        .unwrap();
    let status = res.status();
    let body: serde_json::Value = res.json().await.unwrap();
    let Some(token) = body["access_token"].as_str() else {
        return (status, String::new());
    };
    let sessions = app.get("/api/v1/auth/sessions", token).await;
    let mine = sessions
        .body
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["current"] == true)
        .unwrap();
    (status, mine["ip"].as_str().unwrap().to_owned())
}

async fn forwarded_for_is_believed_only_from_trusted_proxies(b: Backend) {
    // Not trusted (the default): the header is ignored.
    let Some(app) = spawn_app_with(b, &[]).await else {
        return;
    };
    app.register("ann").await;
    assert_eq!(
        login_via(&app, "ann", PASSWORD, "203.0.113.7").await.1,
        "127.0.0.1"
    );

    // Loopback trusted, as behind nginx on the same machine.
    let Some(app) = spawn_app_with(
        b,
        &[
            "--trusted-proxies",
            "127.0.0.1/32",
            "--login-max-failures",
            "2",
        ],
    )
    .await
    else {
        return;
    };
    app.register("ann").await;
    assert_eq!(
        login_via(&app, "ann", PASSWORD, "203.0.113.7").await.1,
        "203.0.113.7"
    );
    // What the client wrote in front of the proxy's entry is not believed.
    assert_eq!(
        login_via(&app, "ann", PASSWORD, "6.6.6.6, 203.0.113.8")
            .await
            .1,
        "203.0.113.8"
    );

    // The login throttle counts per real client: one locked out, another not.
    for _ in 0..2 {
        let (s, _) = login_via(&app, "ann", "wrong password!", "198.51.100.1").await;
        assert_eq!(s, StatusCode::UNAUTHORIZED);
    }
    assert_eq!(
        login_via(&app, "ann", PASSWORD, "198.51.100.1").await.0,
        StatusCode::TOO_MANY_REQUESTS
    );
    assert_eq!(
        login_via(&app, "ann", PASSWORD, "198.51.100.2").await.0,
        StatusCode::OK
    );
}
