//! The API contract: one error shape, the right status for each client mistake,
//! request ids, OpenAPI and probes.

use reqwest::StatusCode;

use crate::{
    backend_tests,
    helpers::{spawn_app, spawn_app_with, Backend},
};

backend_tests!(
    client_mistakes_get_clear_errors_never_500,
    probes_and_api_docs_are_served
);

async fn client_mistakes_get_clear_errors_never_500(b: Backend) {
    let Some(app) = spawn_app_with(b, &["--max-body-bytes", "1024"]).await else {
        return;
    };
    let url = format!("{}/api/v1/auth/register", app.base);
    let send = |body: String, content_type: &'static str| {
        app.client
            .post(&url)
            .header("content-type", content_type)
            .body(body)
            .send()
    };
    let code_of = |v: serde_json::Value| v["error"]["code"].as_str().unwrap_or("").to_owned();

    let r = send("{not json".into(), "application/json").await.unwrap();
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    assert_eq!(code_of(r.json().await.unwrap()), "malformed_json");

    let r = send("{}".into(), "text/plain").await.unwrap();
    assert_eq!(r.status(), StatusCode::UNSUPPORTED_MEDIA_TYPE);
    assert_eq!(code_of(r.json().await.unwrap()), "unsupported_media_type");

    let big = format!(
        r#"{{"username":"x","password":"{}","full_name":"x"}}"#,
        "p".repeat(2000)
    );
    let r = send(big, "application/json").await.unwrap();
    assert_eq!(r.status(), StatusCode::PAYLOAD_TOO_LARGE);
    assert_eq!(code_of(r.json().await.unwrap()), "payload_too_large");

    // A method the path does not take: 405 in the error shape, with Allow.
    let r = app
        .client
        .delete(format!("{}/api/v1/auth/login", app.base))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::METHOD_NOT_ALLOWED);
    assert!(r.headers().get("allow").is_some(), "{:?}", r.headers());
    assert_eq!(code_of(r.json().await.unwrap()), "method_not_allowed");

    let r = send(
        r#"{"username": 5, "password": "x", "full_name": "x"}"#.into(),
        "application/json",
    )
    .await
    .unwrap();
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);

    let r = send(r#"[1,2,3]"#.into(), "application/json").await.unwrap();
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);

    let r = app
        .client
        .get(format!("{}/api/v1/nothing-here", app.base))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
    assert!(
        r.headers().contains_key("x-request-id"),
        "every response carries a request id"
    );
    assert_eq!(code_of(r.json().await.unwrap()), "not_found");

    // A request id sent by a proxy is kept.
    let r = app
        .client
        .get(format!("{}/healthz", app.base))
        .header("x-request-id", "abc-123")
        .send()
        .await
        .unwrap();
    assert_eq!(r.headers()["x-request-id"], "abc-123");
}

async fn probes_and_api_docs_are_served(b: Backend) {
    let Some(app) = spawn_app(b).await else {
        return;
    };
    let get = |p: &str| app.client.get(format!("{}{p}", app.base)).send();
    assert_eq!(get("/healthz").await.unwrap().status(), StatusCode::OK);
    let ready = get("/readyz").await.unwrap();
    assert_eq!(ready.status(), StatusCode::OK);
    assert_eq!(
        ready.json::<serde_json::Value>().await.unwrap()["status"],
        "ready"
    );

    let doc: serde_json::Value = get("/api/openapi.json")
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert!(doc["openapi"].as_str().unwrap().starts_with("3.1"));
    for path in [
        "/api/v1/auth/register",
        "/api/v1/auth/login",
        "/api/v1/auth/refresh",
        "/api/v1/auth/logout",
        "/api/v1/auth/password",
        "/api/v1/auth/sessions",
        "/api/v1/auth/sessions/{id}",
        "/api/v1/users/me",
        "/api/v1/users",
        "/api/v1/users/{id}",
        "/api/v1/admin/users",
        "/api/v1/admin/users/{id}",
        "/api/v1/admin/users/{id}/deactivate",
        "/api/v1/admin/users/{id}/reactivate",
    ] {
        assert!(doc["paths"].get(path).is_some(), "OpenAPI lacks {path}");
    }
    assert!(doc["components"]["schemas"].get("RegisterInput").is_some());

    let docs = get("/api/docs/").await.unwrap();
    assert_eq!(docs.status(), StatusCode::OK);
    assert!(
        docs.text().await.unwrap().contains("swagger"),
        "browsable docs page"
    );

    app.chat.store.close().await;
    let down = get("/readyz").await.unwrap();
    assert_eq!(down.status(), StatusCode::SERVICE_UNAVAILABLE);
}
