//! Request rates: every limited action answers 429 with `Retry-After` once its
//! bucket is empty, per user or per address, and the WebSocket says the same in
//! an error frame. Limits are set low here so a handful of requests reach them.

use reqwest::StatusCode;
use serde_json::json;

use crate::{
    backend_tests,
    helpers::{spawn_app_with, Backend, Reply, TestApp, PASSWORD},
    ws_client::Ws,
};

backend_tests!(
    each_limited_action_answers_429_with_retry_after,
    websocket_sends_share_the_bucket_and_say_when_to_retry,
    registrations_are_limited_per_address_by_default,
);

fn retry_after(r: &Reply) -> u64 {
    r.headers["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap_or_else(|_| panic!("Retry-After: {:?}", r.headers))
}

fn assert_limited(r: &Reply, what: &str) {
    assert_eq!(
        (r.status, r.code()),
        (StatusCode::TOO_MANY_REQUESTS, "too_many_requests"),
        "{what}: {:?}",
        r.body
    );
    assert!(retry_after(r) >= 1, "{what}");
}

async fn app_with_low_limits(b: Backend) -> Option<TestApp> {
    spawn_app_with(
        b,
        &[
            "--rate-limits",
            "true",
            "--rate-sends",
            "1/h:3",
            "--rate-search",
            "1/h:2",
            "--rate-refresh",
            "1/h:2",
            "--rate-friend-requests",
            "1/h:1",
            "--rate-conversations",
            "1/h:2",
            "--rate-register",
            "off",
        ],
    )
    .await
}

async fn each_limited_action_answers_429_with_retry_after(b: Backend) {
    let Some(app) = app_with_low_limits(b).await else {
        return;
    };
    let (ann, ben, cat, dan) = (
        app.register("ann").await,
        app.register("ben").await,
        app.register("cat").await,
        app.register("dan").await,
    );

    // Conversation creation: two, then refused; another user is not affected.
    let c = app.direct(&ann, &ben).await;
    app.group(&ann, "one", &[&ben]).await;
    let r = app
        .post(
            "/api/v1/conversations",
            Some(&ann.access),
            json!({"user_id": cat.user_id}),
        )
        .await;
    assert_limited(&r, "third conversation");
    app.direct(&ben, &cat).await;

    // Sends: three, then refused; nothing is stored for the refused one.
    for i in 0..3 {
        let r = app.say(&ann, &c, &format!("m{i}"), "hello").await;
        assert_eq!(r.status, StatusCode::CREATED, "{:?}", r.body);
    }
    let r = app.say(&ann, &c, "m3", "one too many").await;
    assert_limited(&r, "fourth send");
    let wait = retry_after(&r);
    assert!((3500..=3600).contains(&wait), "a token per hour: {wait}");
    let page = app
        .get(&format!("/api/v1/conversations/{c}/messages"), &ben.access)
        .await;
    assert_eq!(page.body["items"].as_array().unwrap().len(), 3);
    let r = app.say(&ben, &c, "b0", "my own bucket").await;
    assert_eq!(r.status, StatusCode::CREATED);

    // Search.
    for _ in 0..2 {
        assert_eq!(
            app.get("/api/v1/users?q=an", &ann.access).await.status,
            StatusCode::OK
        );
    }
    assert_limited(&app.get("/api/v1/users?q=an", &ann.access).await, "search");

    // Friend requests.
    let r = app
        .post(
            "/api/v1/friends/requests",
            Some(&cat.access),
            json!({"user_id": ann.user_id}),
        )
        .await;
    assert!(r.status.is_success(), "{:?}", r.body);
    let r = app
        .post(
            "/api/v1/friends/requests",
            Some(&cat.access),
            json!({"user_id": dan.user_id}),
        )
        .await;
    assert_limited(&r, "second friend request");

    // Refresh, per address: two, then refused, whichever session asks.
    let r = app.refresh(&ann.refresh).await;
    assert_eq!(r.status, StatusCode::OK);
    let r = app.refresh(&ben.refresh).await;
    assert_eq!(r.status, StatusCode::OK);
    assert_limited(&app.refresh(&cat.refresh).await, "third refresh");
}

async fn websocket_sends_share_the_bucket_and_say_when_to_retry(b: Backend) {
    let Some(app) = app_with_low_limits(b).await else {
        return;
    };
    let (ann, ben) = (app.register("ann").await, app.register("ben").await);
    let c = app.direct(&ann, &ben).await;
    assert_eq!(
        app.say(&ann, &c, "r0", "over REST").await.status,
        StatusCode::CREATED
    );
    let mut ws = Ws::connect(&app, &ann.access).await;
    for i in 0..2 {
        let ack = ws.send_message(&c, &format!("w{i}"), "over ws").await;
        assert_eq!(ack["type"], "ack", "{ack}");
    }
    let refused = ws.send_message(&c, "w2", "one too many").await;
    assert_eq!(
        (refused["type"].as_str(), refused["code"].as_str()),
        (Some("error"), Some("too_many_requests")),
        "{refused}"
    );
    assert!(refused["retry_after"].as_u64().unwrap() >= 1, "{refused}");
    // The connection stays open and answers.
    ws.send(json!({"type": "ping", "ref": "p"})).await;
    assert_eq!(ws.next_of("pong").await["ref"], "p");
}

/// The defaults are on: an eleventh registration from one address within the hour
/// is refused, while another address still registers.
async fn registrations_are_limited_per_address_by_default(b: Backend) {
    let Some(app) = spawn_app_with(b, &["--rate-limits", "true"]).await else {
        return;
    };
    for i in 0..10 {
        app.register(&format!("user{i}")).await;
    }
    let r = app
        .register_raw(json!({"username": "user10", "password": PASSWORD, "full_name": "Eleven"}))
        .await;
    assert_limited(&r, "eleventh registration");
    let other = app.register_from("127.0.0.3", "user11").await;
    assert_eq!(other.status, StatusCode::CREATED, "{:?}", other.body);
}
