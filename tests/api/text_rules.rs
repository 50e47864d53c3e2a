//! What text Confab accepts, the same on every backend: NUL and other control
//! characters are refused with a clear 422 (PostgreSQL answered 500 to a NUL, the
//! others stored it), and cursors are checked before they reach SQL.

use base64::Engine;
use reqwest::{Method, StatusCode};
use serde_json::json;

use crate::{
    backend_tests,
    helpers::{spawn_app, Backend},
};

backend_tests!(control_characters_are_refused_clearly_everywhere);

async fn control_characters_are_refused_clearly_everywhere(b: Backend) {
    let Some(app) = spawn_app(b).await else {
        return;
    };
    let (ann, ben) = (app.register("ann").await, app.register("ben").await);
    let c = app.direct(&ann, &ben).await;
    let path = format!("/api/v1/conversations/{c}/messages");

    for body in ["nul \0 inside", "bell \u{7}", "escape \u{1b}[31m"] {
        let r = app
            .post(
                &path,
                Some(&ann.access),
                json!({"client_msg_id": "m-bad", "body": body}),
            )
            .await;
        assert_eq!(
            r.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{body:?}: {:?}",
            r.body
        );
        assert_eq!(
            (r.code(), r.body["error"]["field"].as_str()),
            ("invalid_characters", Some("body"))
        );
    }
    // Newlines and tabs are text; a Windows line end is kept as a newline.
    let ok = app
        .post(
            &path,
            Some(&ann.access),
            json!({"client_msg_id": "m-ok", "body": "line one\r\n\tline two"}),
        )
        .await;
    assert_eq!(ok.status, StatusCode::CREATED, "{:?}", ok.body);
    assert_eq!(ok.body["body"], "line one\n\tline two");

    let id = ok.body["id"].as_str().unwrap();
    let edit = app
        .request(
            Method::PATCH,
            &format!("/api/v1/messages/{id}"),
            Some(&ann.access),
            Some(json!({"body": "edited \0"})),
        )
        .await;
    assert_eq!(
        edit.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{:?}",
        edit.body
    );

    let search = app.get("/api/v1/users?q=a%00b", &ann.access).await;
    assert_eq!(
        search.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{:?}",
        search.body
    );
    assert_eq!(search.body["error"]["field"], "q");

    let engine = base64::engine::general_purpose::URL_SAFE_NO_PAD;
    for cursor in [
        engine.encode("a\0b"),
        engine.encode([0xff, 0xfe]),
        "%%%".into(),
    ] {
        let users = app
            .get(&format!("/api/v1/users?cursor={cursor}"), &ann.access)
            .await;
        assert_eq!(
            users.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "users cursor {cursor}: {:?}",
            users.body
        );
        assert_eq!(users.code(), "invalid_cursor");
    }
    for raw in [
        "1:not-a-uuid\0",
        "x:0190f3c2-7d9e-7c1a-9a53-3f8a2b1c0d4e",
        "5:0190f3c2\0",
    ] {
        let cursor = engine.encode(raw);
        let list = app
            .get(
                &format!("/api/v1/conversations?cursor={cursor}"),
                &ann.access,
            )
            .await;
        assert_eq!(
            list.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "conversations cursor {raw:?}: {:?}",
            list.body
        );
        assert_eq!(list.code(), "invalid_cursor");
    }
    let name = app
        .request(
            Method::PATCH,
            "/api/v1/users/me",
            Some(&ann.access),
            Some(json!({"full_name": "Ann\0"})),
        )
        .await;
    assert_eq!(name.status, StatusCode::UNPROCESSABLE_ENTITY);
}
