//! Web push against a push service that decrypts with an independent
//! implementation: the payload decrypts and shows who and where but no text;
//! the VAPID JWT verifies; 410 removes a subscription, 429 is retried after
//! Retry-After; nobody online, muted, blocked or signed out is pushed.

use std::time::Duration;

use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

use crate::{
    backend_tests,
    helpers::{spawn_app_with, Backend, Session, TestApp},
    push_service::PushService,
    ws_client::Ws,
};

backend_tests!(
    a_push_decrypts_and_says_who_and_where_only,
    gone_subscriptions_go_and_busy_services_are_retried,
    nobody_online_muted_blocked_or_signed_out_is_pushed,
    subscriptions_are_checked_listed_and_removed,
);

async fn setup(b: Backend) -> Option<(TestApp, PushService)> {
    let push = PushService::start().await?;
    let origin = push.origin();
    let flags = [
        "--push-allowed-origins",
        &origin,
        "--push-retry-secs",
        "1",
        "--mail-poll-ms",
        "200",
        "--public-url",
        "https://chat.example.org",
        "--presence-grace-secs",
        "0",
    ];
    let app = spawn_app_with(b, &flags).await?;
    Some((app, push))
}

async fn subscribe(app: &TestApp, who: &Session, sub: Value) -> crate::helpers::Reply {
    app.request(
        Method::POST,
        "/api/v1/push/subscriptions",
        Some(&who.access),
        Some(sub),
    )
    .await
}

async fn subscribed(app: &TestApp, push: &PushService, who: &Session, name: &str) {
    let r = subscribe(app, who, push.subscription(name).await).await;
    assert_eq!(r.status, StatusCode::CREATED, "{:?}", r.body);
}

async fn a_push_decrypts_and_says_who_and_where_only(b: Backend) {
    let Some((app, push)) = setup(b).await else {
        return;
    };
    let ann = app.register("ann").await;
    let bob = app.register("bob").await;
    subscribed(&app, &push, &ann, "ann-laptop").await;
    let direct = app.direct(&bob, &ann).await;
    app.say(&bob, &direct, "m1", "the scan shows a shadow")
        .await;

    let got = push.wait_for(1).await.remove(0);
    assert_eq!(got["encoding"], "aes128gcm");
    assert_eq!(got["ttl"], "86400");
    assert_eq!(got["vapid"]["ok"], true, "{got:#}");
    // web-push-native puts the endpoint's scheme and host in `aud` (no port).
    assert_eq!(got["vapid"]["aud"], "http://127.0.0.1");
    assert_eq!(got["vapid"]["sub"], "https://chat.example.org");
    assert!(got["vapid"]["exp_in"].as_i64().unwrap() <= 86_400);
    let key = app
        .request(Method::GET, "/api/v1/push/key", None, None)
        .await;
    assert_eq!(
        got["vapid"]["k"], key.body["public_key"],
        "signed with the key browsers are given"
    );

    let p = &got["payload"];
    assert_eq!(
        (p["kind"].as_str(), p["title"].as_str(), p["body"].as_str()),
        (Some("message"), Some("bob Test"), Some("New message")),
        "{got:#}"
    );
    assert_eq!(p["conversation_id"], direct.as_str());
    assert_eq!(p["url"], format!("/?conversation={direct}"));
    assert!(
        !got.to_string().contains("shadow"),
        "no text without the operator's say-so"
    );

    // A friend request and being added to a group push too.
    let cat = app.register("cat").await;
    let r = app
        .post(
            "/api/v1/friends/requests",
            Some(&cat.access),
            json!({"user_id": ann.user_id}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{:?}", r.body);
    app.group(&cat, "Night shift", &[&ann]).await;
    let got = push.wait_for(3).await;
    let kinds: Vec<_> = got[1..]
        .iter()
        .map(|g| (g["payload"]["kind"].clone(), g["payload"]["body"].clone()))
        .collect();
    assert!(
        kinds.contains(&(json!("friend_request"), json!("wants to be friends"))),
        "{kinds:?}"
    );
    assert!(
        kinds.contains(&(json!("group_added"), json!("added you to Night shift"))),
        "{kinds:?}"
    );
}

async fn gone_subscriptions_go_and_busy_services_are_retried(b: Backend) {
    let Some((app, push)) = setup(b).await else {
        return;
    };
    let ann = app.register("ann").await;
    let bob = app.register("bob").await;
    subscribed(&app, &push, &ann, "old-phone").await;
    subscribed(&app, &push, &ann, "laptop").await;
    push.answer("old-phone", &[410]).await;
    push.answer("laptop", &[429]).await;
    let direct = app.direct(&bob, &ann).await;
    app.say(&bob, &direct, "m1", "hello").await;

    let got = push.wait_for(3).await;
    let laptop: Vec<_> = got.iter().filter(|g| g["name"] == "laptop").collect();
    assert_eq!(
        laptop
            .iter()
            .map(|g| g["status"].as_u64().unwrap())
            .collect::<Vec<_>>(),
        [429, 201]
    );
    let waited = laptop[1]["at"].as_f64().unwrap() - laptop[0]["at"].as_f64().unwrap();
    assert!(waited >= 0.9, "Retry-After: 1 honoured ({waited} s)");

    let r = app.get("/api/v1/push/subscriptions", &ann.access).await;
    let left: Vec<_> = r
        .body
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["id"].clone())
        .collect();
    assert_eq!(left.len(), 1, "the 410 one is gone: {:?}", r.body);
    app.say(&bob, &direct, "m2", "again").await;
    tokio::time::sleep(Duration::from_millis(1500)).await;
    let got = push.received().await;
    assert_eq!(
        got.iter().filter(|g| g["name"] == "old-phone").count(),
        1,
        "never pushed again"
    );
    assert_eq!(got.iter().filter(|g| g["name"] == "laptop").count(), 3);
}

async fn nobody_online_muted_blocked_or_signed_out_is_pushed(b: Backend) {
    let Some((app, push)) = setup(b).await else {
        return;
    };
    let ann = app.register("ann").await;
    let bob = app.register("bob").await;
    let cat = app.register("cat").await;
    subscribed(&app, &push, &ann, "ann").await;
    let from_bob = app.direct(&bob, &ann).await;
    let group = app.group(&cat, "Ward 3", &[&ann]).await;
    let added = push.wait_for(1).await.remove(0);
    assert_eq!(added["payload"]["kind"], "group_added");

    // Online: the app shows it; no push.
    let ws = Ws::connect(&app, &ann.access).await;
    app.say(&bob, &from_bob, "m1", "you there?").await;
    tokio::time::sleep(Duration::from_millis(800)).await;
    drop(ws);
    tokio::time::sleep(Duration::from_millis(600)).await;

    // Muted: no push.
    let r = app
        .request(
            Method::PUT,
            &format!("/api/v1/conversations/{from_bob}/mute"),
            Some(&ann.access),
            Some(json!({"minutes": 60})),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK);
    app.say(&bob, &from_bob, "m2", "still there?").await;

    // Blocked: Cat's mention pushes nothing.
    let r = app
        .post(
            "/api/v1/blocks",
            Some(&ann.access),
            json!({"user_id": cat.user_id}),
        )
        .await;
    assert!(r.status.is_success(), "{:?}", r.body);
    app.say(&cat, &group, "g1", "@ann look").await;
    tokio::time::sleep(Duration::from_millis(1200)).await;
    assert_eq!(
        push.received().await.len(),
        1,
        "only the group's: {:#?}",
        push.received().await
    );

    // The control: unmuted, a message pushes; then signing out removes the device.
    app.request(
        Method::DELETE,
        &format!("/api/v1/conversations/{from_bob}/mute"),
        Some(&ann.access),
        None,
    )
    .await;
    app.say(&bob, &from_bob, "m3", "now?").await;
    push.wait_for(2).await;
    let r = app
        .post("/api/v1/auth/logout", Some(&ann.access), json!({}))
        .await;
    assert_eq!(r.status, StatusCode::NO_CONTENT);
    app.say(&bob, &from_bob, "m4", "gone?").await;
    tokio::time::sleep(Duration::from_millis(1200)).await;
    assert_eq!(push.received().await.len(), 2);
}

async fn subscriptions_are_checked_listed_and_removed(b: Backend) {
    let Some((app, push)) = setup(b).await else {
        return;
    };
    let ann = app.register("ann").await;
    let mut sub = push.subscription("a").await;

    let mut elsewhere = sub.clone();
    elsewhere["endpoint"] = json!("http://169.254.169.254/latest/meta-data");
    let r = subscribe(&app, &ann, elsewhere).await;
    assert_eq!(
        (r.status, r.code()),
        (StatusCode::UNPROCESSABLE_ENTITY, "endpoint_not_allowed")
    );
    let mut bad = sub.clone();
    bad["keys"]["p256dh"] = json!("AAAA");
    let r = subscribe(&app, &ann, bad).await;
    assert_eq!(
        (r.status, r.code()),
        (StatusCode::UNPROCESSABLE_ENTITY, "invalid_keys")
    );

    let r = subscribe(&app, &ann, sub.clone()).await;
    assert_eq!(
        (r.status, r.body["current"].as_bool()),
        (StatusCode::CREATED, Some(true))
    );
    // The same browser again replaces its subscription rather than adding one.
    sub["keys"] = push.subscription("a").await["keys"].clone();
    let again = subscribe(&app, &ann, sub).await;
    let list = app.get("/api/v1/push/subscriptions", &ann.access).await;
    assert_eq!(list.body.as_array().unwrap().len(), 1, "{:?}", list.body);

    let path = format!(
        "/api/v1/push/subscriptions/{}",
        again.body["id"].as_str().unwrap()
    );
    // Nobody else can see or remove it.
    let eve = app.register("eve").await;
    let r = app.get("/api/v1/push/subscriptions", &eve.access).await;
    assert_eq!(r.body, json!([]));
    let r = app
        .request(Method::DELETE, &path, Some(&eve.access), None)
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    let r = app
        .request(Method::DELETE, &path, Some(&ann.access), None)
        .await;
    assert_eq!(r.status, StatusCode::NO_CONTENT);
    let r = app
        .request(Method::DELETE, &path, Some(&ann.access), None)
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
}
