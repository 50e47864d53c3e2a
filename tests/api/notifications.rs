//! Notifications: live, after resume, and the recipient's alone.

use std::time::Duration;

use reqwest::{Method, StatusCode};
use serde_json::json;

use crate::{
    backend_tests,
    helpers::{spawn_app, Backend},
    ws_client::Ws,
};

backend_tests!(
    notifications_arrive_live_and_after_resume,
    only_the_recipient_reads_marks_or_deletes,
    mentions_notify_members_only,
    a_resume_replays_more_than_a_page_of_notifications,
);

/// The inbox replays in pages; a short page ends it (no empty read after it), so
/// a client that missed more than a page must still get every notification, in
/// order, once.
async fn a_resume_replays_more_than_a_page_of_notifications(b: Backend) {
    let Some(app) = spawn_app(b).await else {
        return;
    };
    let (ann, ben) = (app.register("ann").await, app.register("ben").await);
    let g = app.group(&ann, "Club", &[&ben]).await;
    let (ws, _) = Ws::resume_all(
        &app,
        &ben.access,
        Default::default(),
        Some(0),
        &["presence"],
    )
    .await;
    let from = ws.inbox;
    drop(ws);
    const MISSED: i64 = 205; // the replay's page is 200
    for i in 0..MISSED {
        let r = app.say(&ann, &g, &format!("m{i}"), "@ben look").await;
        assert!(r.status.is_success(), "{:?}", r.body);
    }
    let (mut back, replayed) = Ws::resume_all(
        &app,
        &ben.access,
        Default::default(),
        Some(from),
        &["presence"],
    )
    .await;
    let seqs: Vec<i64> = replayed
        .iter()
        .filter(|f| f["type"] == "notification.new")
        .map(|f| f["seq"].as_i64().unwrap())
        .collect();
    assert_eq!(seqs, (from + 1..=from + MISSED).collect::<Vec<_>>());
    back.expect_quiet(Duration::from_millis(300)).await;
}

async fn notifications_arrive_live_and_after_resume(b: Backend) {
    let Some(app) = spawn_app(b).await else {
        return;
    };
    let (ann, ben) = (app.register("ann").await, app.register("ben").await);
    let (mut live, _) = Ws::resume_all(
        &app,
        &ben.access,
        Default::default(),
        Some(0),
        &["presence"],
    )
    .await;
    app.post(
        "/api/v1/friends/requests",
        Some(&ann.access),
        json!({"user_id": ben.user_id}),
    )
    .await;
    let n = live.next_of("notification.new").await;
    assert_eq!(
        (n["seq"].as_i64(), n["notification"]["kind"].as_str()),
        (Some(1), Some("friend_request"))
    );
    assert_eq!(n["notification"]["actor"]["username"], "ann");
    let inbox = live.inbox;
    drop(live);

    // While Ben is away: added to a group, mentioned in it.
    let g = app.group(&ann, "Club", &[&ben]).await;
    app.say(&ann, &g, "m1", "welcome @ben!").await;
    let (mut back, replayed) = Ws::resume_all(
        &app,
        &ben.access,
        Default::default(),
        Some(inbox),
        &["presence"],
    )
    .await;
    let missed: Vec<(i64, String)> = replayed
        .iter()
        .filter(|f| f["type"] == "notification.new")
        .map(|f| {
            (
                f["seq"].as_i64().unwrap(),
                f["notification"]["kind"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    assert_eq!(
        missed,
        vec![(2, "group_added".to_owned()), (3, "mention".to_owned())]
    );
    back.expect_quiet(Duration::from_millis(300)).await;

    let page = app.get("/api/v1/notifications", &ben.access).await.body;
    assert_eq!(
        (
            page["unread_count"].as_i64(),
            page["items"].as_array().unwrap().len()
        ),
        (Some(3), 3)
    );
    assert_eq!(page["items"][0]["seq"], 3, "newest first");
    let first = app
        .get("/api/v1/notifications?limit=2", &ben.access)
        .await
        .body;
    let older = app
        .get(
            &format!(
                "/api/v1/notifications?limit=2&before_seq={}",
                first["next_before_seq"]
            ),
            &ben.access,
        )
        .await
        .body;
    assert_eq!(older["items"][0]["seq"], 1);
}

async fn only_the_recipient_reads_marks_or_deletes(b: Backend) {
    let Some(app) = spawn_app(b).await else {
        return;
    };
    let (ann, ben, eve) = (
        app.register("ann").await,
        app.register("ben").await,
        app.register("eve").await,
    );
    app.post(
        "/api/v1/friends/requests",
        Some(&ann.access),
        json!({"user_id": ben.user_id}),
    )
    .await;
    app.group(&ann, "G", &[&ben]).await;
    let items = app.get("/api/v1/notifications", &ben.access).await.body["items"].clone();
    let id = items[0]["id"].as_str().unwrap().to_owned();

    assert_eq!(
        app.get("/api/v1/notifications", &eve.access).await.body["items"],
        json!([])
    );
    for (method, path) in [
        (Method::POST, format!("/api/v1/notifications/{id}/read")),
        (Method::DELETE, format!("/api/v1/notifications/{id}")),
    ] {
        let r = app
            .request(method.clone(), &path, Some(&eve.access), None)
            .await;
        assert_eq!(
            r.status,
            StatusCode::NOT_FOUND,
            "{method} {path} by someone else"
        );
    }
    app.post(
        "/api/v1/notifications/read-all",
        Some(&eve.access),
        json!({}),
    )
    .await;
    assert_eq!(
        app.get("/api/v1/notifications/unread", &ben.access)
            .await
            .body["unread_count"],
        2,
        "eve's read-all touched only hers"
    );

    let r = app
        .post(
            &format!("/api/v1/notifications/{id}/read"),
            Some(&ben.access),
            json!({}),
        )
        .await;
    assert_eq!(
        (r.status, &r.body["unread_count"]),
        (StatusCode::OK, &json!(1))
    );
    let r = app
        .post(
            "/api/v1/notifications/read-all",
            Some(&ben.access),
            json!({}),
        )
        .await;
    assert_eq!(r.body["unread_count"], 0);
    assert_eq!(
        app.request(
            Method::DELETE,
            &format!("/api/v1/notifications/{id}"),
            Some(&ben.access),
            None
        )
        .await
        .status,
        StatusCode::NO_CONTENT
    );
    assert_eq!(
        app.get("/api/v1/notifications", &ben.access).await.body["items"]
            .as_array()
            .unwrap()
            .len(),
        1
    );
}

async fn mentions_notify_members_only(b: Backend) {
    let Some(app) = spawn_app(b).await else {
        return;
    };
    let (ann, ben, cat) = (
        app.register("ann").await,
        app.register("ben").await,
        app.register("cat").await,
    );
    let c = app.direct(&ann, &ben).await;
    app.say(
        &ann,
        &c,
        "m",
        "hey @ben and @cat and @ann, mail ann@example.org",
    )
    .await;
    let kinds = |v: serde_json::Value| {
        v["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|n| n["kind"].as_str().unwrap().to_owned())
            .collect::<Vec<_>>()
    };
    assert_eq!(
        kinds(app.get("/api/v1/notifications", &ben.access).await.body),
        ["mention"]
    );
    assert_eq!(
        kinds(app.get("/api/v1/notifications", &cat.access).await.body),
        Vec::<String>::new(),
        "not a member"
    );
    assert_eq!(
        kinds(app.get("/api/v1/notifications", &ann.access).await.body),
        Vec::<String>::new(),
        "not yourself"
    );
}
