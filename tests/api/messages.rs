use std::collections::HashSet;

use reqwest::{Method, StatusCode};
use serde_json::json;

use crate::{
    backend_tests,
    helpers::{spawn_app, spawn_app_with, Backend},
};

backend_tests!(
    a_retried_send_is_stored_once,
    history_pages_by_seq_both_ways,
    edit_delete_and_restore_follow_the_rules,
    bodies_and_replies_are_validated,
    fifty_concurrent_senders_get_seq_one_to_fifty,
);

async fn a_retried_send_is_stored_once(b: Backend) {
    let Some(app) = spawn_app(b).await else {
        return;
    };
    let (ann, ben) = (app.register("ann").await, app.register("ben").await);
    let c = app.direct(&ann, &ben).await;
    let first = app.say(&ann, &c, "retry-me", "hello").await;
    assert_eq!(first.status, StatusCode::CREATED, "{:?}", first.body);
    let again = app.say(&ann, &c, "retry-me", "hello").await;
    assert_eq!(again.status, StatusCode::OK);
    assert_eq!(
        (&again.body["id"], &again.body["seq"]),
        (&first.body["id"], &first.body["seq"])
    );
    // The key is the sender's: another sender may use the same client id.
    assert_eq!(
        app.say(&ben, &c, "retry-me", "mine").await.status,
        StatusCode::CREATED
    );
    let h = app
        .get(&format!("/api/v1/conversations/{c}/messages"), &ann.access)
        .await
        .body;
    assert_eq!(h["items"].as_array().unwrap().len(), 2);
    // The same id for another conversation is refused, not silently mapped.
    let other = app.direct(&ann, &app.register("cat").await).await;
    assert_eq!(
        app.say(&ann, &other, "retry-me", "hello").await.code(),
        "client_msg_id_reused"
    );
}

async fn history_pages_by_seq_both_ways(b: Backend) {
    let Some(app) = spawn_app(b).await else {
        return;
    };
    let (ann, ben) = (app.register("ann").await, app.register("ben").await);
    let c = app.direct(&ann, &ben).await;
    for i in 1..=25 {
        app.say(&ann, &c, &format!("m{i}"), &format!("message {i}"))
            .await;
    }
    let seqs = |v: &serde_json::Value| {
        v["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|m| m["seq"].as_i64().unwrap())
            .collect::<Vec<_>>()
    };
    let base = format!("/api/v1/conversations/{c}/messages");
    let newest = app.get(&format!("{base}?limit=10"), &ben.access).await.body;
    assert_eq!(
        (seqs(&newest), newest["has_more"].clone()),
        ((16..=25).collect::<Vec<_>>(), json!(true))
    );
    let older = app
        .get(&format!("{base}?limit=10&before_seq=16"), &ben.access)
        .await
        .body;
    assert_eq!(seqs(&older), (6..=15).collect::<Vec<_>>());
    let oldest = app
        .get(&format!("{base}?limit=10&before_seq=6"), &ben.access)
        .await
        .body;
    assert_eq!(
        (seqs(&oldest), oldest["has_more"].clone()),
        ((1..=5).collect::<Vec<_>>(), json!(false))
    );
    let forward = app
        .get(&format!("{base}?after_seq=20"), &ben.access)
        .await
        .body;
    assert_eq!(
        (seqs(&forward), forward["has_more"].clone()),
        ((21..=25).collect::<Vec<_>>(), json!(false))
    );
    assert_eq!(
        app.get(&format!("{base}?limit=101"), &ben.access)
            .await
            .code(),
        "invalid_limit"
    );
    assert_eq!(
        app.get(&format!("{base}?after_seq=1&before_seq=5"), &ben.access)
            .await
            .code(),
        "invalid_range"
    );
}

async fn edit_delete_and_restore_follow_the_rules(b: Backend) {
    let Some(app) = spawn_app(b).await else {
        return;
    };
    let (ann, ben, cat) = (
        app.register("ann").await,
        app.register("ben").await,
        app.register("cat").await,
    );
    let c = app.group(&ann, "G", &[&ben, &cat]).await;
    let m = app.say(&ben, &c, "b1", "tpyo").await.body;
    let path = format!("/api/v1/messages/{}", m["id"].as_str().unwrap());

    let r = app
        .request(
            Method::PATCH,
            &path,
            Some(&cat.access),
            Some(json!({"body": "hijack"})),
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "only the sender edits");
    let r = app
        .request(
            Method::PATCH,
            &path,
            Some(&ben.access),
            Some(json!({"body": "typo"})),
        )
        .await;
    assert_eq!(
        (r.status, &r.body["body"]),
        (StatusCode::OK, &json!("typo"))
    );
    assert!(r.body["edited_at"].is_string());
    assert_eq!(r.body["seq"], m["seq"]);

    assert_eq!(
        app.request(Method::DELETE, &path, Some(&cat.access), None)
            .await
            .status,
        StatusCode::FORBIDDEN
    );
    let del = app
        .request(Method::DELETE, &path, Some(&ann.access), None)
        .await;
    assert_eq!(
        del.status,
        StatusCode::OK,
        "the group owner may delete: {:?}",
        del.body
    );
    assert_eq!(
        (&del.body["body"], &del.body["seq"]),
        (&json!(null), &m["seq"]),
        "a tombstone keeps its seq, not its body"
    );
    let seen = app
        .get(&format!("/api/v1/conversations/{c}/messages"), &cat.access)
        .await
        .body;
    assert_eq!(seen["items"][0]["body"], json!(null));
    assert!(seen["items"][0]["deleted_at"].is_string());
    let edit_deleted = app
        .request(
            Method::PATCH,
            &path,
            Some(&ben.access),
            Some(json!({"body": "x"})),
        )
        .await;
    assert_eq!(
        (edit_deleted.status, edit_deleted.code()),
        (StatusCode::CONFLICT, "message_state_changed")
    );

    assert_eq!(
        app.post(&format!("{path}/restore"), Some(&cat.access), json!({}))
            .await
            .status,
        StatusCode::FORBIDDEN
    );
    let back = app
        .post(&format!("{path}/restore"), Some(&ben.access), json!({}))
        .await;
    assert_eq!(
        (back.status, &back.body["body"]),
        (StatusCode::OK, &json!("typo"))
    );
    assert_eq!(
        app.get(&format!("/api/v1/conversations/{c}/messages"), &cat.access)
            .await
            .body["items"][0]["body"],
        "typo"
    );
}

async fn bodies_and_replies_are_validated(b: Backend) {
    let Some(app) = spawn_app_with(b, &["--max-message-chars", "50"]).await else {
        return;
    };
    let (ann, ben) = (app.register("ann").await, app.register("ben").await);
    let c = app.direct(&ann, &ben).await;
    assert_eq!(app.say(&ann, &c, "e", "   \n ").await.code(), "empty_body");
    assert_eq!(
        app.say(&ann, &c, "l", &"x".repeat(51)).await.code(),
        "body_too_long"
    );
    assert_eq!(
        app.say(&ann, &c, "ok", &"é".repeat(50)).await.status,
        StatusCode::CREATED
    );
    assert_eq!(
        app.say(&ann, &c, "bad id!", "hi").await.code(),
        "invalid_client_msg_id"
    );
    let elsewhere = app.direct(&ann, &app.register("cat").await).await;
    let foreign = app.say(&ann, &elsewhere, "f", "elsewhere").await.body["id"].clone();
    let r = app
        .post(
            &format!("/api/v1/conversations/{c}/messages"),
            Some(&ann.access),
            json!({"client_msg_id": "r", "body": "re", "reply_to": foreign}),
        )
        .await;
    assert_eq!(
        (r.status, r.code()),
        (StatusCode::UNPROCESSABLE_ENTITY, "unknown_message")
    );
    let first = app
        .get(&format!("/api/v1/conversations/{c}/messages"), &ann.access)
        .await
        .body["items"][0]["id"]
        .clone();
    let r = app
        .post(
            &format!("/api/v1/conversations/{c}/messages"),
            Some(&ben.access),
            json!({"client_msg_id": "r", "body": "re", "reply_to": first}),
        )
        .await;
    assert_eq!(
        (r.status, &r.body["reply_to"]),
        (StatusCode::CREATED, &first)
    );
}

async fn fifty_concurrent_senders_get_seq_one_to_fifty(b: Backend) {
    let Some(app) = spawn_app(b).await else {
        return;
    };
    let owner = app.register("owner").await;
    let mut senders = Vec::new();
    for i in 0..50 {
        senders.push(app.register(&format!("sender{i}")).await);
    }
    let refs: Vec<&crate::helpers::Session> = senders.iter().collect();
    let g = app.group(&owner, "Busy", &refs).await;
    let app = std::sync::Arc::new(app);
    let tasks: Vec<_> = senders
        .into_iter()
        .enumerate()
        .map(|(i, s)| {
            let (app, g) = (app.clone(), g.clone());
            tokio::spawn(async move {
                app.say(&s, &g, &format!("c{i}"), &format!("from {i}"))
                    .await
            })
        })
        .collect();
    let mut acked = HashSet::new();
    for t in tasks {
        let r = t.await.unwrap();
        assert_eq!(r.status, StatusCode::CREATED, "{:?}", r.body);
        assert!(
            acked.insert(r.body["seq"].as_i64().unwrap()),
            "duplicate seq"
        );
    }
    assert_eq!(acked, (1..=50).collect::<HashSet<i64>>());
    let h = app
        .get(
            &format!("/api/v1/conversations/{g}/messages?limit=100"),
            &owner.access,
        )
        .await
        .body;
    let seqs: Vec<i64> = h["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["seq"].as_i64().unwrap())
        .collect();
    assert_eq!(seqs, (1..=50).collect::<Vec<_>>());
}
