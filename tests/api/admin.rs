use confab::domain::Role;
use reqwest::{Method, StatusCode};
use serde_json::json;

use crate::{
    backend_tests,
    helpers::{spawn_app, Backend, PASSWORD},
};

backend_tests!(
    only_admins_may_administer,
    a_role_change_applies_to_the_next_request,
    deactivation_is_immediate_and_reactivation_restores_exactly,
    the_last_admin_cannot_be_removed,
    two_admins_stepping_down_at_once_leave_one,
    deactivated_members_show_as_deactivated_with_no_profile,
);

async fn only_admins_may_administer(b: Backend) {
    let Some(app) = spawn_app(b).await else {
        return;
    };
    let patient = app.register("olga").await;
    let path = format!("/api/v1/admin/users/{}", patient.user_id);
    for (method, path, body) in [
        (Method::GET, "/api/v1/admin/users".to_owned(), None),
        (Method::PATCH, path.clone(), Some(json!({"role": "admin"}))),
        (Method::POST, format!("{path}/deactivate"), None),
        (Method::POST, format!("{path}/reactivate"), None),
    ] {
        let r = app
            .request(method.clone(), &path, Some(&patient.access), body)
            .await;
        assert_eq!(
            (r.status, r.code()),
            (StatusCode::FORBIDDEN, "forbidden"),
            "{method} {path}"
        );
    }
    assert_eq!(
        app.get("/api/v1/users/me", &patient.access).await.body["role"],
        "patient"
    );
}

async fn a_role_change_applies_to_the_next_request(b: Backend) {
    let Some(app) = spawn_app(b).await else {
        return;
    };
    let admin = app.admin("root").await;
    let user = app.register("paul").await;
    let path = format!("/api/v1/admin/users/{}", user.user_id);
    let patch = |role: &str| {
        app.request(
            Method::PATCH,
            &path,
            Some(&admin.access),
            Some(json!({"role": role})),
        )
    };
    let r = patch("admin").await;
    assert_eq!(
        (r.status, &r.body["role"]),
        (StatusCode::OK, &json!("admin"))
    );
    // Paul's access token still says "patient", but the server reads the role now.
    assert_eq!(
        app.get("/api/v1/admin/users", &user.access).await.status,
        StatusCode::OK
    );
    patch("doctor").await;
    assert_eq!(
        app.get("/api/v1/admin/users", &user.access).await.status,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        app.get("/api/v1/users/me", &user.access).await.body["role"],
        "doctor"
    );
    assert_eq!(
        patch("nurse").await.status,
        StatusCode::UNPROCESSABLE_ENTITY
    );
}

async fn deactivation_is_immediate_and_reactivation_restores_exactly(b: Backend) {
    let Some(app) = spawn_app(b).await else {
        return;
    };
    let admin = app.admin("root").await;
    let quinn = app.register("quinn").await;
    app.request(
        Method::PATCH,
        "/api/v1/users/me",
        Some(&quinn.access),
        Some(json!({"bio": "hello"})),
    )
    .await;
    let before = app
        .get(&format!("/api/v1/users/{}", quinn.user_id), &admin.access)
        .await
        .body;

    let r = app
        .post(
            &format!("/api/v1/admin/users/{}/deactivate", quinn.user_id),
            Some(&admin.access),
            json!({}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    assert!(r.body["deactivated_at"].is_string());

    let me = app.get("/api/v1/users/me", &quinn.access).await;
    assert_eq!(
        (me.status, me.code()),
        (StatusCode::UNAUTHORIZED, "session_revoked")
    );
    // The signed-in tab learns why, so it can tell the user.
    let refreshed = app.refresh(&quinn.refresh).await;
    assert_eq!(
        (refreshed.status, refreshed.code()),
        (StatusCode::UNAUTHORIZED, "account_deactivated")
    );
    let login = app.login_raw("quinn", PASSWORD).await;
    assert_eq!(
        (login.status, login.code()),
        (StatusCode::FORBIDDEN, "account_deactivated")
    );
    let other = app.register("rita").await;
    assert_eq!(
        app.get("/api/v1/users?q=quinn", &other.access).await.body["items"],
        json!([])
    );
    assert_eq!(
        app.get(&format!("/api/v1/users/{}", quinn.user_id), &other.access)
            .await
            .status,
        StatusCode::NOT_FOUND
    );
    let listed = app.get("/api/v1/admin/users?q=quinn", &admin.access).await;
    assert!(
        listed.body["items"][0]["deactivated_at"].is_string(),
        "admins still see them"
    );

    let r = app
        .post(
            &format!("/api/v1/admin/users/{}/reactivate", quinn.user_id),
            Some(&admin.access),
            json!({}),
        )
        .await;
    assert_eq!(
        (r.status, &r.body["deactivated_at"]),
        (StatusCode::OK, &json!(null))
    );
    let back = app.login("quinn").await;
    let after = app
        .get(&format!("/api/v1/users/{}", quinn.user_id), &admin.access)
        .await
        .body;
    assert_eq!(
        before, after,
        "profile, role and creation time are exactly as before"
    );
    assert_eq!(
        app.get("/api/v1/users/me", &back.access).await.body["bio"],
        "hello"
    );
}

async fn the_last_admin_cannot_be_removed(b: Backend) {
    let Some(app) = spawn_app(b).await else {
        return;
    };
    let admin = app.admin("root").await;
    let path = format!("/api/v1/admin/users/{}", admin.user_id);
    let demote = app
        .request(
            Method::PATCH,
            &path,
            Some(&admin.access),
            Some(json!({"role": "doctor"})),
        )
        .await;
    assert_eq!(
        (demote.status, demote.code()),
        (StatusCode::CONFLICT, "last_admin")
    );
    let off = app
        .post(
            &format!("{path}/deactivate"),
            Some(&admin.access),
            json!({}),
        )
        .await;
    assert_eq!(
        (off.status, off.code()),
        (StatusCode::CONFLICT, "last_admin")
    );
    // With a second admin, the first may step down.
    let second = app.register("sam").await;
    app.request(
        Method::PATCH,
        &format!("/api/v1/admin/users/{}", second.user_id),
        Some(&admin.access),
        Some(json!({"role": "admin"})),
    )
    .await;
    let demote = app
        .request(
            Method::PATCH,
            &path,
            Some(&admin.access),
            Some(json!({"role": "doctor"})),
        )
        .await;
    assert_eq!(demote.status, StatusCode::OK);
    let missing = app
        .post(
            &format!("/api/v1/admin/users/{}/deactivate", uuid::Uuid::now_v7()),
            Some(&second.access),
            json!({}),
        )
        .await;
    assert_eq!(missing.status, StatusCode::NOT_FOUND);
}

/// The last-admin guard is atomic: two admins demoting (or deactivating) each
/// other at the same moment must leave exactly one admin, every time.
async fn two_admins_stepping_down_at_once_leave_one(b: Backend) {
    let Some(app) = spawn_app(b).await else {
        return;
    };
    for round in 0..8 {
        let mut ids = Vec::new();
        for n in 0..2 {
            let u = app
                .chat
                .create_user(
                    &format!("adm{round}x{n}"),
                    PASSWORD,
                    "Admin",
                    None,
                    Role::Admin,
                    None,
                )
                .await
                .unwrap();
            ids.push(u.id);
        }
        // Every earlier round's survivor steps aside first, so the two new ones
        // are the only admins.
        let listed = app
            .chat
            .store
            .search_users(confab::store::users::UserSearch {
                query: None,
                after: None,
                limit: 1000,
                include_deactivated: false,
            })
            .await
            .unwrap();
        for u in listed
            .iter()
            .filter(|u| u.role == Role::Admin && !ids.contains(&u.id))
        {
            app.chat
                .set_role_as_operator(u.id, Role::Doctor)
                .await
                .unwrap();
        }
        let (first, second) = if round % 2 == 0 {
            tokio::join!(
                app.chat.set_role_as_operator(ids[0], Role::Doctor),
                app.chat.set_role_as_operator(ids[1], Role::Patient),
            )
        } else {
            tokio::join!(
                app.chat.deactivate_as_operator(ids[0]),
                app.chat.set_role_as_operator(ids[1], Role::Doctor),
            )
        };
        let refused = [&first, &second]
            .iter()
            .filter(|r| matches!(r, Err(e) if e.code == "last_admin"))
            .count();
        assert_eq!(
            (first.is_ok() as u8 + second.is_ok() as u8, refused),
            (1, 1),
            "round {round}: exactly one steps down: {:?} / {:?}",
            first.as_ref().err(),
            second.as_ref().err()
        );
    }
}

/// docs/permissions.md: deactivated users are hidden everywhere. In a group they
/// stay a member (their messages remain), shown as a deactivated user: no name,
/// no username, no presence; and they come back as they were on reactivation.
async fn deactivated_members_show_as_deactivated_with_no_profile(b: Backend) {
    let Some(app) = spawn_app(b).await else {
        return;
    };
    let admin = app.admin("root").await;
    let (ann, ben) = (app.register("ann").await, app.register("ben").await);
    let g = app.group(&ann, "ward", &[&ben]).await;
    let deactivate = app
        .post(
            &format!("/api/v1/admin/users/{}/deactivate", ben.user_id),
            Some(&admin.access),
            json!({}),
        )
        .await;
    assert_eq!(deactivate.status, StatusCode::OK);

    let member = |body: &serde_json::Value| {
        body["members"]
            .as_array()
            .unwrap()
            .iter()
            .find(|m| m["user_id"] == json!(ben.user_id))
            .cloned()
            .expect("still a member")
    };
    let one = app
        .get(&format!("/api/v1/conversations/{g}"), &ann.access)
        .await;
    let listed = app.get("/api/v1/conversations", &ann.access).await;
    for m in [member(&one.body), member(&listed.body["items"][0])] {
        assert_eq!(m["deactivated"], true, "{m}");
        assert_eq!(m["full_name"], "Deactivated user", "{m}");
        assert_ne!(m["username"], "ben", "no username: {m}");
        assert!(m.get("presence").is_none(), "no presence: {m}");
    }
    let profile = app
        .get(&format!("/api/v1/users/{}", ben.user_id), &ann.access)
        .await;
    assert_eq!(profile.status, StatusCode::NOT_FOUND);

    app.post(
        &format!("/api/v1/admin/users/{}/reactivate", ben.user_id),
        Some(&admin.access),
        json!({}),
    )
    .await;
    let one = app
        .get(&format!("/api/v1/conversations/{g}"), &ann.access)
        .await;
    let m = member(&one.body);
    assert_eq!(
        (m["username"].as_str(), m.get("deactivated")),
        (Some("ben"), None),
        "{m}"
    );
}
