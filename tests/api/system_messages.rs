//! Group changes (added, removed, left, renamed) are `system` messages in the
//! conversation's seq: every member's history shows who did what, live members
//! receive them as `message.new`, and nobody can edit or delete them.

use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

use crate::{
    backend_tests,
    helpers::{spawn_app, Backend},
    ws_client::Ws,
};

backend_tests!(membership_changes_are_system_messages_in_every_members_history);

async fn membership_changes_are_system_messages_in_every_members_history(b: Backend) {
    let Some(app) = spawn_app(b).await else {
        return;
    };
    let (ann, ben, cat, dan) = (
        app.register("ann").await,
        app.register("ben").await,
        app.register("cat").await,
        app.register("dan").await,
    );
    let g = app.group(&ann, "ward", &[&ben]).await;
    let mut live = Ws::connect(&app, &ben.access).await;
    let members = format!("/api/v1/conversations/{g}/members");

    let add = |user: &str| app.post(&members, Some(&ann.access), json!({"user_id": user}));
    assert_eq!(add(&cat.user_id).await.status, StatusCode::OK);
    let renamed = app
        .request(
            Method::PATCH,
            &format!("/api/v1/conversations/{g}"),
            Some(&ann.access),
            Some(json!({"name": "ward 2"})),
        )
        .await;
    assert_eq!(renamed.status, StatusCode::OK, "{:?}", renamed.body);

    // Ben sees both live, in order, as messages.
    for (event, field, value) in [
        ("member_added", "user_id", json!(cat.user_id)),
        ("renamed", "name", json!("ward 2")),
    ] {
        let f = live.next_of("message.new").await;
        let m = &f["message"];
        assert_eq!(
            (m["kind"].as_str(), m["sender_id"].as_str()),
            (Some("system"), Some(ann.user_id.as_str())),
            "{f}"
        );
        assert_eq!(m["system"]["event"], event, "{f}");
        assert_eq!(m["system"][field], value, "{f}");
        assert!(m["body"].is_null(), "{f}");
    }

    let removed = app
        .request(
            Method::DELETE,
            &format!("{members}/{}", ben.user_id),
            Some(&ann.access),
            None,
        )
        .await;
    assert!(removed.status.is_success(), "{:?}", removed.body);
    let left = app
        .post(
            &format!("/api/v1/conversations/{g}/leave"),
            Some(&cat.access),
            json!({}),
        )
        .await;
    assert!(left.status.is_success(), "{:?}", left.body);
    assert_eq!(add(&dan.user_id).await.status, StatusCode::OK);
    let left = app
        .post(
            &format!("/api/v1/conversations/{g}/leave"),
            Some(&ann.access),
            json!({}),
        )
        .await;
    assert!(
        left.status.is_success(),
        "the owner leaves: {:?}",
        left.body
    );

    // Dan, who joined last, reads the whole story in seq order.
    let page = app
        .get(&format!("/api/v1/conversations/{g}/messages"), &dan.access)
        .await
        .body;
    let items = page["items"].as_array().unwrap();
    let story: Vec<(i64, &str, &str, Value)> = items
        .iter()
        .map(|m| {
            let note = &m["system"];
            let about = note
                .get("user_id")
                .or(note.get("name"))
                .or(note.get("new_owner"))
                .cloned()
                .unwrap_or(Value::Null);
            (
                m["seq"].as_i64().unwrap(),
                m["sender_id"].as_str().unwrap(),
                note["event"].as_str().unwrap(),
                about,
            )
        })
        .collect();
    assert_eq!(
        story,
        vec![
            (1, ann.user_id.as_str(), "member_added", json!(cat.user_id)),
            (2, ann.user_id.as_str(), "renamed", json!("ward 2")),
            (
                3,
                ann.user_id.as_str(),
                "member_removed",
                json!(ben.user_id)
            ),
            (4, cat.user_id.as_str(), "member_left", Value::Null),
            (5, ann.user_id.as_str(), "member_added", json!(dan.user_id)),
            (6, ann.user_id.as_str(), "member_left", json!(dan.user_id)),
        ],
        "who did what, in order; the owner's leaving names the new owner"
    );

    // Names as they were, for members a client no longer has in its list.
    assert_eq!(items[0]["system"]["actor_name"], "ann Test");
    assert_eq!(items[0]["system"]["user_name"], "cat Test");
    assert_eq!(items[2]["system"]["user_name"], "ben Test");
    assert_eq!(items[3]["system"]["actor_name"], "cat Test");
    assert_eq!(items[5]["system"]["new_owner_name"], "dan Test");

    // Nobody takes a system message back, not even the one who made it.
    let first = items[0]["id"].as_str().unwrap();
    let owner = app.login("dan").await;
    for (method, path, token) in [
        (
            Method::PATCH,
            format!("/api/v1/messages/{first}"),
            &owner.access,
        ),
        (
            Method::DELETE,
            format!("/api/v1/messages/{first}"),
            &owner.access,
        ),
    ] {
        let body = (method == Method::PATCH).then(|| json!({"body": "rewritten"}));
        let r = app.request(method, &path, Some(token), body).await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{path}: {:?}", r.body);
    }
    // A resume from the start replays them like any message.
    let (_ws, replayed) = Ws::resume(&app, &dan.access, [(g.clone(), 0)].into()).await;
    let systems = replayed
        .iter()
        .filter(|f| f["type"] == "message.new" && f["message"]["kind"] == "system")
        .count();
    assert_eq!(systems, 6);
}
