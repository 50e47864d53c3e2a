use reqwest::StatusCode;
use serde_json::json;

use crate::{
    backend_tests,
    helpers::{spawn_app, spawn_app_with, Backend, PASSWORD},
};

backend_tests!(
    register_signs_in_with_the_default_role,
    register_refuses_bad_input_with_field_errors,
    usernames_are_unique_ignoring_case,
    login_does_not_reveal_whether_a_username_exists,
    repeated_failures_are_throttled_with_retry_after,
    a_guesser_does_not_lock_the_owner_out,
    refresh_rotates_and_a_reused_token_revokes_the_session,
    logout_revokes_the_session_at_once,
    change_password_signs_out_other_sessions,
    the_default_role_is_configurable,
);

async fn register_signs_in_with_the_default_role(b: Backend) {
    let Some(app) = spawn_app(b).await else {
        return;
    };
    let r = app
        .register_raw(json!({"username": "Ada.L", "password": PASSWORD, "full_name": " Ada Lovelace ", "email": "ada@example.org"}))
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{:?}", r.body);
    assert_eq!(r.body["token_type"], "Bearer");
    assert_eq!(r.body["expires_in"], 900);
    let user = &r.body["user"];
    assert_eq!(user["username"], "Ada.L", "spelling kept");
    assert_eq!(user["full_name"], "Ada Lovelace", "trimmed");
    assert_eq!(user["role"], "patient");
    assert_eq!(user["email"], "ada@example.org");
    assert!(user.get("password_hash").is_none() && user.get("password").is_none());

    let me = app
        .get("/api/v1/users/me", r.body["access_token"].as_str().unwrap())
        .await;
    assert_eq!(me.status, StatusCode::OK);
    assert_eq!(me.body["id"], user["id"]);
}

async fn register_refuses_bad_input_with_field_errors(b: Backend) {
    let Some(app) = spawn_app(b).await else {
        return;
    };
    let cases = [
        (
            json!({"username": "ab", "password": PASSWORD, "full_name": "X"}),
            "username",
            "invalid_username",
        ),
        (
            json!({"username": "bad name", "password": PASSWORD, "full_name": "X"}),
            "username",
            "invalid_username",
        ),
        (
            json!({"username": "carol", "password": "short", "full_name": "X"}),
            "password",
            "password_too_short",
        ),
        (
            json!({"username": "carol", "password": "x".repeat(129), "full_name": "X"}),
            "password",
            "password_too_long",
        ),
        (
            json!({"username": "carol1234", "password": "Carol1234", "full_name": "X"}),
            "password",
            "password_is_username",
        ),
        (
            json!({"username": "carol", "password": "password1", "full_name": "X"}),
            "password",
            "password_too_common",
        ),
        (
            json!({"username": "carol", "password": PASSWORD, "full_name": "  "}),
            "full_name",
            "invalid_length",
        ),
        (
            json!({"username": "carol", "password": PASSWORD, "full_name": "C", "email": "nope"}),
            "email",
            "invalid_email",
        ),
    ];
    for (body, field, code) in cases {
        let r = app.register_raw(body.clone()).await;
        assert_eq!(
            r.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{body}: {:?}",
            r.body
        );
        assert_eq!(r.code(), code, "{body}");
        assert_eq!(r.body["error"]["field"], field, "{body}");
        assert!(!r.body["error"]["message"].as_str().unwrap().is_empty());
    }
    let missing = app
        .register_raw(json!({"username": "carol", "full_name": "C"}))
        .await;
    assert_eq!(missing.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(missing.body["error"]["field"], "password");
    // Nothing was created by any of the refused requests.
    assert_eq!(
        app.login_raw("carol", PASSWORD).await.status,
        StatusCode::UNAUTHORIZED
    );
}

async fn usernames_are_unique_ignoring_case(b: Backend) {
    let Some(app) = spawn_app(b).await else {
        return;
    };
    app.register("Alice").await;
    let r = app
        .register_raw(json!({"username": "aLiCe", "password": PASSWORD, "full_name": "Imposter"}))
        .await;
    assert_eq!(r.status, StatusCode::CONFLICT);
    assert_eq!(r.code(), "username_taken");
    assert_eq!(r.body["error"]["field"], "username");

    app.register_raw(json!({"username": "bob", "password": PASSWORD, "full_name": "Bob", "email": "Bob@Example.org"})).await;
    let r = app
        .register_raw(json!({"username": "bob2", "password": PASSWORD, "full_name": "Bob", "email": "bob@example.ORG"}))
        .await;
    assert_eq!((r.status, r.code()), (StatusCode::CONFLICT, "email_taken"));
    // Either spelling signs in.
    app.login("ALICE").await;
}

async fn login_does_not_reveal_whether_a_username_exists(b: Backend) {
    let Some(app) = spawn_app(b).await else {
        return;
    };
    app.register("dora").await;
    let wrong_password = app.login_raw("dora", "not the password").await;
    let no_such_user = app.login_raw("nobody-here", "not the password").await;
    let invalid_name = app.login_raw("no such user!", "not the password").await;
    assert_eq!(wrong_password.status, StatusCode::UNAUTHORIZED);
    assert_eq!(wrong_password.status, no_such_user.status);
    assert_eq!(wrong_password.body, no_such_user.body);
    assert_eq!(wrong_password.body, invalid_name.body);
    assert_eq!(wrong_password.code(), "invalid_credentials");
}

async fn repeated_failures_are_throttled_with_retry_after(b: Backend) {
    let Some(app) = spawn_app_with(
        b,
        &["--login-max-failures", "3", "--login-lockout-secs", "120"],
    )
    .await
    else {
        return;
    };
    app.register("erin").await;
    for _ in 0..3 {
        assert_eq!(
            app.login_raw("erin", "wrong password").await.status,
            StatusCode::UNAUTHORIZED
        );
    }
    // Locked: even the right password is refused until the window ends.
    let r = app.login_raw("ERIN", PASSWORD).await;
    assert_eq!(r.status, StatusCode::TOO_MANY_REQUESTS);
    let retry: u64 = r.headers["retry-after"].to_str().unwrap().parse().unwrap();
    assert!((1..=120).contains(&retry), "Retry-After {retry}");
    // Another account is not locked by erin's failures.
    app.register("frank").await;
    app.login("frank").await;
}

/// An attacker guessing from one address slows only themselves: the owner, from
/// another address, still signs in; the attacker's delay grows with each lockout.
async fn a_guesser_does_not_lock_the_owner_out(b: Backend) {
    let Some(app) = spawn_app_with(
        b,
        &["--login-max-failures", "3", "--login-lockout-secs", "1"],
    )
    .await
    else {
        return;
    };
    app.register("olga").await;
    let attacker = "127.0.0.2";
    for _ in 0..3 {
        let r = app.login_from(attacker, "olga", "wrong password").await;
        assert_eq!(r.status, StatusCode::UNAUTHORIZED, "{:?}", r.body);
    }
    let r = app.login_from(attacker, "olga", PASSWORD).await;
    assert_eq!(
        r.status,
        StatusCode::TOO_MANY_REQUESTS,
        "attacker throttled"
    );
    let first: u64 = r.headers["retry-after"].to_str().unwrap().parse().unwrap();
    assert_eq!(first, 1, "first lockout: the base delay");

    let owner = app.login_from("127.0.0.1", "olga", PASSWORD).await;
    assert_eq!(
        owner.status,
        StatusCode::OK,
        "owner signs in: {:?}",
        owner.body
    );

    // The attacker waits out the lockout and fails again: the next delay doubles.
    tokio::time::sleep(std::time::Duration::from_millis(1100)).await;
    for _ in 0..3 {
        let r = app.login_from(attacker, "olga", "still wrong").await;
        assert_eq!(r.status, StatusCode::UNAUTHORIZED, "{:?}", r.body);
    }
    let r = app.login_from(attacker, "olga", PASSWORD).await;
    assert_eq!(r.status, StatusCode::TOO_MANY_REQUESTS);
    let second: u64 = r.headers["retry-after"].to_str().unwrap().parse().unwrap();
    assert_eq!(second, 2, "second lockout doubles");
    let owner = app.login_from("127.0.0.1", "olga", PASSWORD).await;
    assert_eq!(owner.status, StatusCode::OK, "owner still signs in");
}

async fn refresh_rotates_and_a_reused_token_revokes_the_session(b: Backend) {
    let Some(app) = spawn_app(b).await else {
        return;
    };
    let s = app.register("gina").await;
    let r1 = app.refresh(&s.refresh).await;
    assert_eq!(r1.status, StatusCode::OK, "{:?}", r1.body);
    let new_refresh = r1.body["refresh_token"].as_str().unwrap().to_owned();
    let new_access = r1.body["access_token"].as_str().unwrap().to_owned();
    assert_ne!(new_refresh, s.refresh);
    assert_eq!(
        app.get("/api/v1/users/me", &new_access).await.status,
        StatusCode::OK
    );

    // The old refresh token was spent: presenting it again is reuse.
    let reuse = app.refresh(&s.refresh).await;
    assert_eq!(
        (reuse.status, reuse.code()),
        (StatusCode::UNAUTHORIZED, "refresh_token_reused")
    );
    // ...which signs the whole session out: the newest tokens die too.
    assert_eq!(
        app.refresh(&new_refresh).await.status,
        StatusCode::UNAUTHORIZED
    );
    let me = app.get("/api/v1/users/me", &new_access).await;
    assert_eq!(
        (me.status, me.code()),
        (StatusCode::UNAUTHORIZED, "session_revoked")
    );
    // Other sessions of the same user are unaffected.
    let other = app.login("gina").await;
    assert_eq!(
        app.get("/api/v1/users/me", &other.access).await.status,
        StatusCode::OK
    );
    // A token never issued is simply invalid.
    assert_eq!(app.refresh("made-up").await.code(), "invalid_refresh_token");
}

async fn logout_revokes_the_session_at_once(b: Backend) {
    let Some(app) = spawn_app(b).await else {
        return;
    };
    let s = app.register("hank").await;
    let other_device = app.login("hank").await;
    let r = app
        .post("/api/v1/auth/logout", Some(&s.access), json!({}))
        .await;
    assert_eq!(r.status, StatusCode::NO_CONTENT);
    let me = app.get("/api/v1/users/me", &s.access).await;
    assert_eq!(
        (me.status, me.code()),
        (StatusCode::UNAUTHORIZED, "session_revoked")
    );
    assert!(me.headers.contains_key("www-authenticate"));
    assert_eq!(
        app.refresh(&s.refresh).await.status,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        app.get("/api/v1/users/me", &other_device.access)
            .await
            .status,
        StatusCode::OK
    );
}

async fn change_password_signs_out_other_sessions(b: Backend) {
    let Some(app) = spawn_app(b).await else {
        return;
    };
    let here = app.register("iris").await;
    let there = app.login("iris").await;
    let put = |body: serde_json::Value| {
        let app = &app;
        let token = here.access.clone();
        async move {
            app.request(
                reqwest::Method::PUT,
                "/api/v1/auth/password",
                Some(&token),
                Some(body),
            )
            .await
        }
    };
    let wrong =
        put(json!({"current_password": "nope nope", "new_password": "a new long phrase"})).await;
    assert_eq!(
        (wrong.status, wrong.code()),
        (StatusCode::UNPROCESSABLE_ENTITY, "wrong_password")
    );
    let weak = put(json!({"current_password": PASSWORD, "new_password": "qwertyuiop"})).await;
    assert_eq!(weak.body["error"]["field"], "new_password");
    let ok = put(json!({"current_password": PASSWORD, "new_password": "a new long phrase"})).await;
    assert_eq!(ok.status, StatusCode::NO_CONTENT, "{:?}", ok.body);

    assert_eq!(
        app.get("/api/v1/users/me", &here.access).await.status,
        StatusCode::OK,
        "this session stays"
    );
    assert_eq!(
        app.get("/api/v1/users/me", &there.access).await.status,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        app.login_raw("iris", PASSWORD).await.status,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        app.login_raw("iris", "a new long phrase").await.status,
        StatusCode::OK
    );
}

async fn the_default_role_is_configurable(b: Backend) {
    let Some(app) = spawn_app_with(b, &["--default-role", "doctor"]).await else {
        return;
    };
    let s = app.register("jane").await;
    assert_eq!(
        app.get("/api/v1/users/me", &s.access).await.body["role"],
        "doctor"
    );
}
