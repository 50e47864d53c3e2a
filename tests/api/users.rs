use reqwest::{Method, StatusCode};
use serde_json::json;

use crate::{
    backend_tests,
    helpers::{spawn_app, Backend},
};

backend_tests!(
    profile_updates_are_validated_and_kept,
    other_users_see_public_fields_only,
    search_pages_through_matches_in_username_order,
    user_endpoints_require_a_token,
);

async fn profile_updates_are_validated_and_kept(b: Backend) {
    let Some(app) = spawn_app(b).await else {
        return;
    };
    let s = app.register("lena").await;
    let patch = |body| {
        app.request(
            Method::PATCH,
            "/api/v1/users/me",
            Some(&s.access),
            Some(body),
        )
    };
    let r = patch(
        json!({"full_name": "Lena Ł. 🌸", "bio": "line one\nline two", "status_text": "on call"}),
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    let r = patch(json!({"status_text": "away"})).await;
    assert_eq!(
        r.body["full_name"], "Lena Ł. 🌸",
        "absent fields are kept, any character is stored"
    );
    assert_eq!(r.body["bio"], "line one\nline two");
    assert_eq!(r.body["status_text"], "away");

    let too_long = patch(json!({"bio": "b".repeat(501)})).await;
    assert_eq!(
        (too_long.status, too_long.body["error"]["field"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("bio"))
    );
    let unknown = patch(json!({"nickname": "L"})).await;
    assert_eq!(unknown.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(unknown.body["error"]["field"], "nickname");
    assert!(unknown.body["error"]["message"]
        .as_str()
        .unwrap()
        .contains("unknown field"));
    let role = patch(json!({"role": "admin"})).await;
    assert_eq!(
        role.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "role is not self-service"
    );

    let me = app.get("/api/v1/users/me", &s.access).await;
    assert_eq!(me.body["full_name"], "Lena Ł. 🌸");
    assert_eq!(me.body["role"], "patient");
}

async fn other_users_see_public_fields_only(b: Backend) {
    let Some(app) = spawn_app(b).await else {
        return;
    };
    let r = app
        .register_raw(json!({"username": "mona", "password": crate::helpers::PASSWORD, "full_name": "Mona", "email": "mona@example.org"}))
        .await;
    let mona_id = r.body["user"]["id"].as_str().unwrap().to_owned();
    let nick = app.register("nick").await;
    let seen = app
        .get(&format!("/api/v1/users/{mona_id}"), &nick.access)
        .await;
    assert_eq!(seen.status, StatusCode::OK);
    assert_eq!(seen.body["username"], "mona");
    assert!(
        seen.body.get("email").is_none(),
        "email is private: {:?}",
        seen.body
    );
    let search = app.get("/api/v1/users?q=mona", &nick.access).await;
    assert!(search.body["items"][0].get("email").is_none());

    let unknown = app
        .get(
            &format!("/api/v1/users/{}", uuid::Uuid::now_v7()),
            &nick.access,
        )
        .await;
    assert_eq!(
        (unknown.status, unknown.code()),
        (StatusCode::NOT_FOUND, "not_found")
    );
    let bad = app.get("/api/v1/users/not-an-id", &nick.access).await;
    assert_eq!(
        (bad.status, bad.code()),
        (StatusCode::BAD_REQUEST, "invalid_path")
    );
}

async fn search_pages_through_matches_in_username_order(b: Backend) {
    let Some(app) = spawn_app(b).await else {
        return;
    };
    let me = app.register("searcher").await;
    for name in ["pat_c", "pat_a", "pat_e", "pat_b", "pat_d"] {
        app.register(name).await;
    }
    // Matches username or full name ("<name> Test"), case-insensitively.
    let mut seen = Vec::new();
    let mut cursor: Option<String> = None;
    for _ in 0..10 {
        let mut path = "/api/v1/users?q=PAT_&limit=2".to_owned();
        if let Some(c) = &cursor {
            path.push_str(&format!("&cursor={c}"));
        }
        let page = app.get(&path, &me.access).await;
        assert_eq!(page.status, StatusCode::OK, "{:?}", page.body);
        let items = page.body["items"].as_array().unwrap();
        assert!(items.len() <= 2);
        seen.extend(
            items
                .iter()
                .map(|u| u["username"].as_str().unwrap().to_owned()),
        );
        match page.body["next_cursor"].as_str() {
            Some(c) => cursor = Some(c.to_owned()),
            None => break,
        }
    }
    assert_eq!(seen, ["pat_a", "pat_b", "pat_c", "pat_d", "pat_e"]);
    // `_` is a literal, not a LIKE wildcard: "patXc" style names would not match.
    let by_full_name = app.get("/api/v1/users?q=c%20test", &me.access).await;
    assert_eq!(by_full_name.body["items"][0]["username"], "pat_c");

    assert_eq!(
        app.get("/api/v1/users?limit=0", &me.access).await.code(),
        "invalid_limit"
    );
    assert_eq!(
        app.get("/api/v1/users?limit=101", &me.access).await.code(),
        "invalid_limit"
    );
    assert_eq!(
        app.get("/api/v1/users?cursor=%25%25", &me.access)
            .await
            .code(),
        "invalid_cursor"
    );
    assert_eq!(
        app.get("/api/v1/users?limit=x", &me.access).await.code(),
        "invalid_query"
    );
}

async fn user_endpoints_require_a_token(b: Backend) {
    let Some(app) = spawn_app(b).await else {
        return;
    };
    for (method, path) in [
        (Method::GET, "/api/v1/users/me"),
        (Method::GET, "/api/v1/users"),
        (Method::GET, "/api/v1/auth/sessions"),
        (Method::POST, "/api/v1/auth/logout"),
        (Method::GET, "/api/v1/admin/users"),
    ] {
        let r = app.request(method.clone(), path, None, None).await;
        assert_eq!(
            (r.status, r.code()),
            (StatusCode::UNAUTHORIZED, "missing_token"),
            "{method} {path}"
        );
        let r = app
            .request(method.clone(), path, Some("not.a.jwt"), None)
            .await;
        assert_eq!(
            (r.status, r.code()),
            (StatusCode::UNAUTHORIZED, "invalid_token"),
            "{method} {path}"
        );
    }
}
