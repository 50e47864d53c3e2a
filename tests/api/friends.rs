use reqwest::{Method, StatusCode};
use serde_json::json;

use crate::{
    backend_tests,
    helpers::{spawn_app, Backend, Session, TestApp},
};

backend_tests!(
    the_friend_request_lifecycle,
    reject_cancel_and_unfriend,
    request_edge_cases_have_defined_outcomes,
    a_block_is_enforced_and_never_announced,
);

async fn request(app: &TestApp, from: &Session, to: &Session) -> crate::helpers::Reply {
    app.post(
        "/api/v1/friends/requests",
        Some(&from.access),
        json!({"user_id": to.user_id}),
    )
    .await
}

fn kinds(app_reply: &serde_json::Value) -> Vec<String> {
    app_reply["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n["kind"].as_str().unwrap().to_owned())
        .collect()
}

async fn the_friend_request_lifecycle(b: Backend) {
    let Some(app) = spawn_app(b).await else {
        return;
    };
    let (ann, ben) = (app.register("ann").await, app.register("ben").await);
    let r = request(&app, &ann, &ben).await;
    assert_eq!(
        (r.status, &r.body["status"]),
        (StatusCode::CREATED, &json!("pending")),
        "{:?}",
        r.body
    );
    let id = r.body["id"].as_str().unwrap().to_owned();
    let out = app
        .get("/api/v1/friends/requests?direction=outgoing", &ann.access)
        .await
        .body;
    assert_eq!(out[0]["user"]["username"], "ben");
    let inc = app.get("/api/v1/friends/requests", &ben.access).await.body;
    assert_eq!(
        (
            inc[0]["id"].as_str(),
            inc[0]["user"]["username"].as_str(),
            inc[0]["incoming"].as_bool()
        ),
        (Some(id.as_str()), Some("ann"), Some(true))
    );
    assert_eq!(
        kinds(&app.get("/api/v1/notifications", &ben.access).await.body),
        ["friend_request"]
    );

    let ok = app
        .post(
            &format!("/api/v1/friends/requests/{id}/accept"),
            Some(&ben.access),
            json!({}),
        )
        .await;
    assert_eq!(
        (ok.status, &ok.body["status"]),
        (StatusCode::OK, &json!("accepted"))
    );
    let friends = app.get("/api/v1/friends", &ann.access).await.body;
    assert_eq!(friends[0]["username"], "ben");
    assert!(friends[0]["presence"]["status"].is_string());
    assert_eq!(
        app.get("/api/v1/friends", &ben.access).await.body[0]["username"],
        "ann"
    );
    // Accepting made their direct conversation.
    let convs = app.get("/api/v1/conversations", &ann.access).await.body;
    assert_eq!(
        (
            convs["items"].as_array().unwrap().len(),
            convs["items"][0]["kind"].as_str()
        ),
        (1, Some("direct"))
    );
    assert_eq!(
        kinds(&app.get("/api/v1/notifications", &ann.access).await.body),
        ["friend_accepted"]
    );
    assert_eq!(
        app.get("/api/v1/friends/requests", &ben.access).await.body,
        json!([])
    );
}

async fn reject_cancel_and_unfriend(b: Backend) {
    let Some(app) = spawn_app(b).await else {
        return;
    };
    let (ann, cat) = (app.register("ann").await, app.register("cat").await);
    let id = request(&app, &ann, &cat).await.body["id"]
        .as_str()
        .unwrap()
        .to_owned();
    // Only the recipient answers, only the sender cancels.
    assert_eq!(
        app.post(
            &format!("/api/v1/friends/requests/{id}/accept"),
            Some(&ann.access),
            json!({})
        )
        .await
        .status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        app.request(
            Method::DELETE,
            &format!("/api/v1/friends/requests/{id}"),
            Some(&cat.access),
            None
        )
        .await
        .status,
        StatusCode::NOT_FOUND
    );
    let r = app
        .post(
            &format!("/api/v1/friends/requests/{id}/reject"),
            Some(&cat.access),
            json!({}),
        )
        .await;
    assert_eq!(r.status, StatusCode::NO_CONTENT);
    assert_eq!(
        kinds(&app.get("/api/v1/notifications", &ann.access).await.body),
        ["friend_rejected"]
    );
    assert_eq!(
        app.post(
            &format!("/api/v1/friends/requests/{id}/accept"),
            Some(&cat.access),
            json!({})
        )
        .await
        .status,
        StatusCode::NOT_FOUND,
        "no longer pending"
    );

    // Asking again after a rejection is a new request; the sender may withdraw it.
    let again = request(&app, &ann, &cat).await;
    assert_eq!(again.status, StatusCode::CREATED);
    let id2 = again.body["id"].as_str().unwrap();
    assert_ne!(id2, id);
    assert_eq!(
        app.request(
            Method::DELETE,
            &format!("/api/v1/friends/requests/{id2}"),
            Some(&ann.access),
            None
        )
        .await
        .status,
        StatusCode::NO_CONTENT
    );
    assert_eq!(
        app.get("/api/v1/friends/requests", &cat.access).await.body,
        json!([])
    );

    let id3 = request(&app, &ann, &cat).await.body["id"]
        .as_str()
        .unwrap()
        .to_owned();
    app.post(
        &format!("/api/v1/friends/requests/{id3}/accept"),
        Some(&cat.access),
        json!({}),
    )
    .await;
    let path = format!("/api/v1/friends/{}", cat.user_id);
    assert_eq!(
        app.request(Method::DELETE, &path, Some(&ann.access), None)
            .await
            .status,
        StatusCode::NO_CONTENT
    );
    assert_eq!(
        app.get("/api/v1/friends", &cat.access).await.body,
        json!([]),
        "unfriending ends it both ways"
    );
    assert_eq!(
        app.request(Method::DELETE, &path, Some(&ann.access), None)
            .await
            .status,
        StatusCode::NOT_FOUND
    );
}

async fn request_edge_cases_have_defined_outcomes(b: Backend) {
    let Some(app) = spawn_app(b).await else {
        return;
    };
    let admin = app.admin("root").await;
    let (ann, ben, gone) = (
        app.register("ann").await,
        app.register("ben").await,
        app.register("gone").await,
    );
    app.post(
        &format!("/api/v1/admin/users/{}/deactivate", gone.user_id),
        Some(&admin.access),
        json!({}),
    )
    .await;

    let me = request(&app, &ann, &ann).await;
    assert_eq!(
        (me.status, me.code()),
        (StatusCode::UNPROCESSABLE_ENTITY, "self_request")
    );
    assert_eq!(
        request(&app, &ann, &gone).await.status,
        StatusCode::NOT_FOUND,
        "deactivated users are not found"
    );
    let ghost = app
        .post(
            "/api/v1/friends/requests",
            Some(&ann.access),
            json!({"user_id": uuid::Uuid::now_v7()}),
        )
        .await;
    assert_eq!(ghost.status, StatusCode::NOT_FOUND);
    let neither = app
        .post("/api/v1/friends/requests", Some(&ann.access), json!({}))
        .await;
    assert_eq!(neither.code(), "invalid_target");

    // By username; twice is the same request.
    let first = app
        .post(
            "/api/v1/friends/requests",
            Some(&ann.access),
            json!({"username": "BEN"}),
        )
        .await;
    assert_eq!(first.status, StatusCode::CREATED);
    let twice = request(&app, &ann, &ben).await;
    assert_eq!(
        (twice.status, &twice.body["id"]),
        (StatusCode::OK, &first.body["id"])
    );
    assert_eq!(
        app.get("/api/v1/friends/requests", &ben.access)
            .await
            .body
            .as_array()
            .unwrap()
            .len(),
        1
    );
    // Asking someone who already asked you accepts their request.
    let crossed = request(&app, &ben, &ann).await;
    assert_eq!(
        (crossed.status, &crossed.body["status"], &crossed.body["id"]),
        (StatusCode::OK, &json!("accepted"), &first.body["id"])
    );
    assert_eq!(
        app.get("/api/v1/friends", &ann.access).await.body[0]["username"],
        "ben"
    );
    let again = request(&app, &ann, &ben).await;
    assert_eq!(
        (again.status, again.code()),
        (StatusCode::CONFLICT, "already_friends")
    );

    let cat = app.register("cat").await;
    app.post(
        "/api/v1/blocks",
        Some(&ann.access),
        json!({"user_id": cat.user_id}),
    )
    .await;
    let blocked = request(&app, &ann, &cat).await;
    assert_eq!(
        (blocked.status, blocked.code()),
        (StatusCode::CONFLICT, "user_blocked")
    );
}

async fn a_block_is_enforced_and_never_announced(b: Backend) {
    let Some(app) = spawn_app(b).await else {
        return;
    };
    let (ann, ben) = (app.register("ann").await, app.register("ben").await);
    let id = request(&app, &ann, &ben).await.body["id"]
        .as_str()
        .unwrap()
        .to_owned();
    app.post(
        &format!("/api/v1/friends/requests/{id}/accept"),
        Some(&ben.access),
        json!({}),
    )
    .await;
    let c = app.get("/api/v1/conversations", &ann.access).await.body["items"][0]["id"]
        .as_str()
        .unwrap()
        .to_owned();

    assert_eq!(
        app.post(
            "/api/v1/blocks",
            Some(&ben.access),
            json!({"user_id": ann.user_id})
        )
        .await
        .status,
        StatusCode::NO_CONTENT
    );
    assert_eq!(
        app.get("/api/v1/friends", &ann.access).await.body,
        json!([]),
        "blocking ends the friendship"
    );
    assert_eq!(
        app.get("/api/v1/blocks", &ben.access).await.body[0]["username"],
        "ann"
    );
    // Ann is not told: no notification, and her request is "sent" as usual...
    let before = app.get("/api/v1/notifications", &ann.access).await.body["items"]
        .as_array()
        .unwrap()
        .len();
    let sent = request(&app, &ann, &ben).await;
    assert_eq!(sent.status, StatusCode::CREATED);
    assert_eq!(
        app.get("/api/v1/notifications", &ann.access).await.body["items"]
            .as_array()
            .unwrap()
            .len(),
        before
    );
    // ...but Ben never sees it, and it cannot be accepted.
    assert_eq!(
        app.get("/api/v1/friends/requests", &ben.access).await.body,
        json!([])
    );
    let hidden = sent.body["id"].as_str().unwrap();
    assert_eq!(
        app.post(
            &format!("/api/v1/friends/requests/{hidden}/accept"),
            Some(&ben.access),
            json!({})
        )
        .await
        .status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        kinds(&app.get("/api/v1/notifications", &ben.access).await.body),
        ["friend_request"],
        "only the first, pre-block request notified him"
    );

    // No direct messages either way, even under the open policy.
    let say = app.say(&ann, &c, "x1", "hello?").await;
    assert_eq!(
        (say.status, say.code()),
        (StatusCode::FORBIDDEN, "messaging_not_allowed")
    );
    assert_eq!(
        app.say(&ben, &c, "y1", "hi").await.status,
        StatusCode::FORBIDDEN
    );
    // Unblocking restores messaging.
    assert_eq!(
        app.request(
            Method::DELETE,
            &format!("/api/v1/blocks/{}", ann.user_id),
            Some(&ben.access),
            None
        )
        .await
        .status,
        StatusCode::NO_CONTENT
    );
    assert_eq!(
        app.say(&ann, &c, "x2", "hello again").await.status,
        StatusCode::CREATED
    );
    assert_eq!(
        app.post(
            "/api/v1/blocks",
            Some(&ben.access),
            json!({"user_id": ben.user_id})
        )
        .await
        .code(),
        "self_block"
    );
}
