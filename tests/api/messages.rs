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
    history_is_read_by_members_only_whatever_the_page,
    edit_delete_and_restore_follow_the_rules,
    bodies_and_replies_are_validated,
    fifty_concurrent_senders_get_seq_one_to_fifty,
);

/// The page's statement checks membership itself (one query per page): a
/// stranger gets 404 for a page with messages, an empty page and a conversation
/// that does not exist alike; a member's empty page is 200; a former member reads
/// up to leaving in either direction.
async fn history_is_read_by_members_only_whatever_the_page(b: Backend) {
    let Some(app) = spawn_app(b).await else {
        return;
    };
    let (ann, ben, cy) = (
        app.register("ann").await,
        app.register("ben").await,
        app.register("cyd").await,
    );
    let c = app.direct(&ann, &ben).await;
    let base = format!("/api/v1/conversations/{c}/messages");
    let empty = app.get(&base, &ann.access).await;
    assert_eq!(empty.status, StatusCode::OK);
    assert_eq!(empty.body["items"], json!([]));
    for i in 1..=3 {
        app.say(&ann, &c, &format!("m{i}"), "hi").await;
    }
    for page in ["", "?before_seq=2", "?after_seq=3", "?before_seq=1"] {
        let r = app.get(&format!("{base}{page}"), &cy.access).await;
        assert_eq!(r.status, StatusCode::NOT_FOUND, "stranger, page {page:?}");
        assert_eq!(r.code(), "not_found");
    }
    let nowhere = format!("/api/v1/conversations/{}/messages", uuid::Uuid::now_v7());
    assert_eq!(
        app.get(&nowhere, &ann.access).await.status,
        StatusCode::NOT_FOUND
    );
    let past_end = app.get(&format!("{base}?after_seq=3"), &ben.access).await;
    assert_eq!(past_end.status, StatusCode::OK);
    assert_eq!(past_end.body["items"], json!([]));

    let g = app.group(&ann, "Club", &[&ben]).await;
    app.say(&ann, &g, "g1", "before you left").await;
    app.post(
        &format!("/api/v1/conversations/{g}/leave"),
        Some(&ben.access),
        json!({}),
    )
    .await;
    app.say(&ann, &g, "g2", "after you left").await;
    let gbase = format!("/api/v1/conversations/{g}/messages");
    let all = app.get(&gbase, &ann.access).await.body;
    let last_seen = all["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["body"] == json!("before you left"))
        .unwrap()["seq"]
        .as_i64()
        .unwrap();
    let bodies = |v: &serde_json::Value| {
        v["items"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|m| m["kind"] == json!("text"))
            .map(|m| m["body"].clone())
            .collect::<Vec<_>>()
    };
    let forward = app
        .get(&format!("{gbase}?after_seq={}", last_seen - 1), &ben.access)
        .await;
    assert_eq!(forward.status, StatusCode::OK);
    assert_eq!(bodies(&forward.body), vec![json!("before you left")]);
    let later = app
        .get(&format!("{gbase}?after_seq={}", last_seen + 5), &ben.access)
        .await;
    assert_eq!(later.status, StatusCode::OK, "a former member's empty page");
    assert_eq!(later.body["items"], json!([]));
}

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
