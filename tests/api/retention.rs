//! The retention sweep deletes ended sessions with their tokens, spent refresh
//! tokens and read notifications past the retention period, and nothing else.

use confab::{domain::Timestamp, store::retention::Swept};
use reqwest::StatusCode;
use serde_json::json;

use crate::{
    backend_tests,
    helpers::{spawn_app_with, Backend},
};

backend_tests!(the_sweep_deletes_only_what_ended_before_the_retention_period);

async fn the_sweep_deletes_only_what_ended_before_the_retention_period(b: Backend) {
    let Some(app) = spawn_app_with(b, &["--retention-days", "1"]).await else {
        return;
    };
    let first = app.register("ann").await;
    let second = app.login("ann").await;
    let third = app.login("ann").await;
    let (ben, cat) = (app.register("ben").await, app.register("cat").await);

    // first: signed out. second: refreshed once (its old token is spent).
    let out = app
        .post("/api/v1/auth/logout", Some(&first.access), json!({}))
        .await;
    assert_eq!(out.status, StatusCode::NO_CONTENT);
    let renewed = app.refresh(&second.refresh).await;
    assert_eq!(renewed.status, StatusCode::OK);
    let second_refresh = renewed.body["refresh_token"].as_str().unwrap().to_owned();

    // One notification read, one not.
    for from in [&ben, &cat] {
        let r = app
            .post(
                "/api/v1/friends/requests",
                Some(&from.access),
                json!({"user_id": first.user_id}),
            )
            .await;
        assert!(r.status.is_success());
        if from.username == "ben" {
            let r = app
                .post(
                    "/api/v1/notifications/read-all",
                    Some(&third.access),
                    json!({}),
                )
                .await;
            assert!(r.status.is_success(), "{:?}", r.body);
        }
    }

    // Within the period nothing goes.
    let now = Timestamp::now();
    assert_eq!(
        app.chat.sweep_retention(now).await.unwrap(),
        Swept::default()
    );

    // Two days on, what ended before the cut-off goes.
    let later = now.plus_secs(2 * 86_400);
    let swept = app.chat.sweep_retention(later).await.unwrap();
    assert_eq!(
        swept,
        Swept {
            sessions: 1,
            refresh_tokens: 2,
            notifications: 1,
            ..Swept::default()
        },
        "the signed-out session and its token, the spent token, the read notification"
    );
    assert_eq!(
        app.chat.sweep_retention(later).await.unwrap(),
        Swept::default()
    );

    // What is live is untouched.
    assert_eq!(
        app.get("/api/v1/users/me", &third.access).await.status,
        StatusCode::OK
    );
    assert_eq!(app.refresh(&second_refresh).await.status, StatusCode::OK);
    let left = app.get("/api/v1/notifications", &third.access).await.body;
    let items = left["items"]
        .as_array()
        .or(left.as_array())
        .unwrap()
        .clone();
    assert_eq!(items.len(), 1, "the unread one stays: {left}");
}
