//! The web client's refresh token lives in an HttpOnly cookie scoped to the auth
//! path, never in script-readable storage; refreshing from the cookie needs the
//! client's own header (CSRF) and a same-origin Origin. API clients keep the JSON
//! body form (tests/api/auth.rs).

use reqwest::{header::HeaderMap, StatusCode};
use serde_json::{json, Value};

use crate::{
    backend_tests,
    helpers::{spawn_app, Backend, TestApp, PASSWORD},
};

backend_tests!(the_web_client_refreshes_from_an_http_only_cookie);

struct Answer {
    status: StatusCode,
    headers: HeaderMap,
    body: Value,
}

async fn post(app: &TestApp, path: &str, headers: &[(&str, &str)], body: Value) -> Answer {
    let mut req = app
        .client
        .post(format!("{}/api/v1{path}", app.base))
        .json(&body);
    for (k, v) in headers {
        req = req.header(*k, *v);
    }
    let res = req.send().await.unwrap();
    let (status, headers) = (res.status(), res.headers().clone());
    let body = res.json().await.unwrap_or(Value::Null);
    Answer {
        status,
        headers,
        body,
    }
}

/// The `confab_refresh` Set-Cookie line of an answer.
fn set_cookie(a: &Answer) -> String {
    a.headers
        .get_all("set-cookie")
        .iter()
        .map(|v| v.to_str().unwrap().to_owned())
        .find(|c| c.starts_with("confab_refresh="))
        .unwrap_or_else(|| panic!("no refresh cookie: {:?}", a.headers))
}

fn value_of(cookie: &str) -> String {
    cookie
        .split(';')
        .next()
        .unwrap()
        .trim_start_matches("confab_refresh=")
        .to_owned()
}

async fn the_web_client_refreshes_from_an_http_only_cookie(b: Backend) {
    let Some(app) = spawn_app(b).await else {
        return;
    };
    app.register("ann").await;
    let web = ("x-confab-refresh", "cookie");
    let login = post(
        &app,
        "/auth/login",
        &[web],
        json!({"username": "ann", "password": PASSWORD}),
    )
    .await;
    assert_eq!(login.status, StatusCode::OK, "{:?}", login.body);
    assert!(
        login.body.get("refresh_token").is_none(),
        "not readable by scripts: {}",
        login.body
    );
    assert!(login.body["access_token"].is_string());
    let cookie = set_cookie(&login);
    for attr in ["HttpOnly", "SameSite=Strict", "Path=/api/v1/auth"] {
        assert!(cookie.contains(attr), "{attr} in {cookie}");
    }
    assert!(!cookie.contains("Secure"), "plain http: {cookie}");
    let behind_tls = post(
        &app,
        "/auth/login",
        &[web, ("x-forwarded-proto", "https")],
        json!({"username": "ann", "password": PASSWORD}),
    )
    .await;
    assert!(set_cookie(&behind_tls).contains("Secure"));

    // A refresh from the cookie rotates it.
    let first = value_of(&cookie);
    let jar = format!("confab_refresh={first}");
    let refreshed = post(&app, "/auth/refresh", &[web, ("cookie", &jar)], json!({})).await;
    assert_eq!(refreshed.status, StatusCode::OK, "{:?}", refreshed.body);
    assert!(refreshed.body.get("refresh_token").is_none());
    let second = value_of(&set_cookie(&refreshed));
    assert_ne!(second, first, "rotated");

    // Without the client's header, or from another origin: refused, nothing spent.
    let jar2 = format!("confab_refresh={second}");
    let forged = post(&app, "/auth/refresh", &[("cookie", &jar2)], json!({})).await;
    assert_eq!(
        (forged.status, forged.body["error"]["code"].as_str()),
        (StatusCode::FORBIDDEN, Some("csrf")),
        "no header"
    );
    let cross = post(
        &app,
        "/auth/refresh",
        &[web, ("cookie", &jar2), ("origin", "http://evil.example")],
        json!({}),
    )
    .await;
    assert_eq!(cross.status, StatusCode::FORBIDDEN, "another origin");
    let same_origin = app.base.clone();
    let ok = post(
        &app,
        "/auth/refresh",
        &[web, ("cookie", &jar2), ("origin", &same_origin)],
        json!({}),
    )
    .await;
    assert_eq!(
        ok.status,
        StatusCode::OK,
        "same origin, token unspent: {:?}",
        ok.body
    );

    // The first cookie again is reuse: the session is signed out.
    let reused = post(&app, "/auth/refresh", &[web, ("cookie", &jar)], json!({})).await;
    assert_eq!(reused.body["error"]["code"], "refresh_token_reused");

    // No cookie at all: a clear 401.
    let none = post(&app, "/auth/refresh", &[web], json!({})).await;
    assert_eq!(
        (none.status, none.body["error"]["code"].as_str()),
        (StatusCode::UNAUTHORIZED, Some("missing_refresh_token"))
    );

    // Logout clears the cookie.
    let login = post(
        &app,
        "/auth/login",
        &[web],
        json!({"username": "ann", "password": PASSWORD}),
    )
    .await;
    let access = login.body["access_token"].as_str().unwrap().to_owned();
    let bearer = format!("Bearer {access}");
    let out = post(
        &app,
        "/auth/logout",
        &[web, ("authorization", &bearer)],
        json!({}),
    )
    .await;
    assert_eq!(out.status, StatusCode::NO_CONTENT);
    let cleared = set_cookie(&out);
    assert!(cleared.contains("Max-Age=0"), "{cleared}");
}
