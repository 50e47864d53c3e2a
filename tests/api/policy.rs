//! The server-wide messaging policy, each table row allowed and refused.

use reqwest::StatusCode;
use serde_json::json;

use crate::{
    backend_tests,
    helpers::{spawn_app_with, Backend, Session, TestApp},
    ws_client::Ws,
};

backend_tests!(
    friends_policy_allows_only_friends,
    care_policy_lets_patients_reach_doctors_only,
    open_policy_allows_all_but_blocked,
);

async fn open_direct(app: &TestApp, from: &Session, to: &Session) -> crate::helpers::Reply {
    app.post(
        "/api/v1/conversations",
        Some(&from.access),
        json!({"user_id": to.user_id}),
    )
    .await
}

async fn set_role(app: &TestApp, admin: &Session, user: &Session, role: &str) {
    let r = app
        .request(
            reqwest::Method::PATCH,
            &format!("/api/v1/admin/users/{}", user.user_id),
            Some(&admin.access),
            Some(json!({"role": role})),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK);
}

async fn friends_policy_allows_only_friends(b: Backend) {
    let Some(app) = spawn_app_with(b, &["--messaging-policy", "friends"]).await else {
        return;
    };
    let (ann, ben, cat) = (
        app.register("ann").await,
        app.register("ben").await,
        app.register("cat").await,
    );
    let r = open_direct(&app, &ann, &ben).await;
    assert_eq!(
        (r.status, r.code()),
        (StatusCode::FORBIDDEN, "messaging_not_allowed")
    );
    assert!(
        r.body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("friends"),
        "says why: {:?}",
        r.body
    );
    let g = app
        .post(
            "/api/v1/conversations",
            Some(&ann.access),
            json!({"name": "G", "member_ids": [ben.user_id]}),
        )
        .await;
    assert_eq!(
        (g.status, g.body["error"]["field"].as_str()),
        (StatusCode::FORBIDDEN, Some("member_ids"))
    );

    app.befriend(&ann, &ben).await;
    assert_eq!(
        open_direct(&app, &ann, &ben).await.status,
        StatusCode::OK,
        "accepting already made it"
    );
    let g = app
        .post(
            "/api/v1/conversations",
            Some(&ann.access),
            json!({"name": "G", "member_ids": [ben.user_id]}),
        )
        .await;
    assert_eq!(g.status, StatusCode::CREATED);
    let gid = g.body["id"].as_str().unwrap();
    // Adding a stranger to the group follows the policy too.
    let add = app
        .post(
            &format!("/api/v1/conversations/{gid}/members"),
            Some(&ann.access),
            json!({"user_id": cat.user_id}),
        )
        .await;
    assert_eq!(
        (add.status, add.code()),
        (StatusCode::FORBIDDEN, "messaging_not_allowed")
    );
}

async fn care_policy_lets_patients_reach_doctors_only(b: Backend) {
    let Some(app) = spawn_app_with(b, &["--messaging-policy", "care"]).await else {
        return;
    };
    let admin = app.admin("root").await;
    let (pat, pia, doc) = (
        app.register("pat").await,
        app.register("pia").await,
        app.register("doc").await,
    );
    set_role(&app, &admin, &doc, "doctor").await;
    let doc = app.login("doc").await;

    let r = open_direct(&app, &pat, &pia).await;
    assert_eq!(
        (r.status, r.code()),
        (StatusCode::FORBIDDEN, "messaging_not_allowed")
    );
    assert_eq!(
        r.body["error"]["message"],
        "patients can start conversations with doctors only"
    );
    app.befriend(&pat, &pia).await;
    assert_eq!(
        open_direct(&app, &pat, &pia).await.status,
        StatusCode::FORBIDDEN,
        "friendship does not override care"
    );
    assert_eq!(
        app.get("/api/v1/conversations", &pat.access).await.body["items"],
        json!([]),
        "and accepting made no conversation"
    );
    let third = app.register("pam").await;
    assert_eq!(
        open_direct(&app, &pat, &third).await.status,
        StatusCode::FORBIDDEN,
        "friendship does not widen care"
    );
    assert_eq!(
        open_direct(&app, &pat, &admin).await.status,
        StatusCode::FORBIDDEN,
        "patients reach doctors, not admins"
    );
    assert_eq!(
        open_direct(&app, &pat, &doc).await.status,
        StatusCode::CREATED
    );
    assert_eq!(
        open_direct(&app, &doc, &third).await.status,
        StatusCode::CREATED,
        "a doctor reaches anyone"
    );
    assert_eq!(
        open_direct(&app, &admin, &pia).await.status,
        StatusCode::CREATED,
        "an admin reaches anyone"
    );
    let g = app
        .post(
            "/api/v1/conversations",
            Some(&pat.access),
            json!({"name": "Ward", "member_ids": [doc.user_id, third.user_id]}),
        )
        .await;
    assert_eq!(
        g.status,
        StatusCode::FORBIDDEN,
        "a patient cannot put another patient in a group"
    );
    let g = app
        .post(
            "/api/v1/conversations",
            Some(&doc.access),
            json!({"name": "Ward", "member_ids": [pat.user_id, third.user_id]}),
        )
        .await;
    assert_eq!(g.status, StatusCode::CREATED);
}

async fn open_policy_allows_all_but_blocked(b: Backend) {
    let Some(app) = spawn_app_with(b, &["--messaging-policy", "open"]).await else {
        return;
    };
    let (ann, ben, cat) = (
        app.register("ann").await,
        app.register("ben").await,
        app.register("cat").await,
    );
    assert_eq!(
        open_direct(&app, &ann, &ben).await.status,
        StatusCode::CREATED
    );
    app.post(
        "/api/v1/blocks",
        Some(&cat.access),
        json!({"user_id": ann.user_id}),
    )
    .await;
    assert_eq!(
        open_direct(&app, &ann, &cat).await.status,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        open_direct(&app, &cat, &ann).await.status,
        StatusCode::FORBIDDEN,
        "the blocker cannot either"
    );
    // The WebSocket path obeys the same rules: a direct send across a block fails.
    let c = open_direct(&app, &ann, &ben).await.body["id"]
        .as_str()
        .unwrap()
        .to_owned();
    app.post(
        "/api/v1/blocks",
        Some(&ben.access),
        json!({"user_id": ann.user_id}),
    )
    .await;
    let mut ws = Ws::connect(&app, &ann.access).await;
    let reply = ws.send_message(&c, "blocked-1", "hi").await;
    assert_eq!(
        (reply["type"].as_str(), reply["code"].as_str()),
        (Some("error"), Some("messaging_not_allowed"))
    );
}
