//! The per-node member cache (bus/rosters.rs): a send is checked against and
//! delivered to cached members, yet a message reaches exactly the members of
//! its commit, a member just added is never refused, and a change on one node
//! reaches the other node's cache through the bus.

use std::{str::FromStr, time::Duration};

use reqwest::{Method, StatusCode};
use serde_json::json;

use crate::{
    backend_tests,
    cluster::{nodes_with, redis_url},
    helpers::{spawn_app, Backend, Session, TestApp},
    ws_client::Ws,
};

backend_tests!(
    a_message_reaches_the_members_of_its_commit_whatever_the_cache_holds,
    a_change_on_one_node_reaches_the_other_nodes_cache,
);

fn conversation(id: &str) -> confab::domain::ConversationId {
    confab::domain::ConversationId::from_str(id).unwrap()
}

async fn remove(app: &TestApp, owner: &Session, group: &str, user: &Session) {
    let path = format!("/api/v1/conversations/{group}/members/{}", user.user_id);
    let r = app
        .request(Method::DELETE, &path, Some(&owner.access), None)
        .await;
    assert_eq!(r.status, StatusCode::NO_CONTENT, "{:?}", r.body);
}

/// Bodies of the messages `ws` receives within `wait`.
async fn bodies(ws: &mut Ws, wait: Duration) -> Vec<String> {
    let mut out = Vec::new();
    while let Some(f) = ws.try_next(wait).await {
        if f["type"] == "message.new" {
            out.push(f["message"]["body"].as_str().unwrap_or_default().to_owned());
        }
    }
    out
}

async fn a_message_reaches_the_members_of_its_commit_whatever_the_cache_holds(b: Backend) {
    let Some(app) = spawn_app(b).await else {
        return;
    };
    let (ann, bob, cat) = (
        app.register("ann").await,
        app.register("bob").await,
        app.register("cat").await,
    );
    let group = app.group(&ann, "Ward", &[&bob]).await;
    let id = conversation(&group);
    let mut bob_ws = Ws::connect(&app, &bob.access).await;
    assert_eq!(
        app.say(&ann, &group, "m1", "one").await.status,
        StatusCode::CREATED
    );
    assert_eq!(
        bodies(&mut bob_ws, Duration::from_millis(300)).await,
        ["one"]
    );
    let before = app.chat.rosters.get(id).expect("the send kept the roster");

    // Bob leaves and Cat joins; then the cache is made to hold the roster from
    // before, as a node that has not heard of either change yet would.
    remove(&app, &ann, &group, &bob).await;
    let r = app
        .post(
            &format!("/api/v1/conversations/{group}/members"),
            Some(&ann.access),
            json!({"user_id": cat.user_id, "role": "member"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    let stale = || {
        app.chat.rosters.clear();
        app.chat.rosters.put(id, before.clone());
    };

    // Ann passes the (stale) check; the message goes to the members of its
    // commit, which Bob is not among.
    stale();
    let mut cat_ws = Ws::connect(&app, &cat.access).await;
    assert_eq!(
        app.say(&ann, &group, "m2", "two").await.status,
        StatusCode::CREATED
    );
    assert_eq!(
        bodies(&mut cat_ws, Duration::from_millis(300)).await,
        ["two"]
    );
    assert_eq!(
        bodies(&mut bob_ws, Duration::from_millis(300)).await,
        Vec::<String>::new(),
        "a member who left gets nothing sent after"
    );

    // A stale roster without Cat does not turn her away.
    stale();
    let r = app.say(&cat, &group, "m3", "three").await;
    assert_eq!(r.status, StatusCode::CREATED, "{:?}", r.body);
    // And with the cache current, Bob cannot send.
    let r = app.say(&bob, &group, "m4", "four").await;
    assert_eq!(r.status, StatusCode::NOT_FOUND, "{:?}", r.body);

    // A stale roster that still holds Bob lets his send past the check; the
    // commit sees that he left and refuses it, with nothing stored.
    stale();
    let r = app.say(&bob, &group, "m5", "five").await;
    assert_eq!(r.status, StatusCode::NOT_FOUND, "{:?}", r.body);
    assert_eq!(r.code(), "not_found");
    let page = app
        .get(
            &format!("/api/v1/conversations/{group}/messages"),
            &ann.access,
        )
        .await;
    let stored: Vec<&str> = page.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|m| m["body"].as_str())
        .collect();
    assert!(!stored.contains(&"five"), "{stored:?}");
    assert!(stored.contains(&"three"), "{stored:?}");
}

async fn a_change_on_one_node_reaches_the_other_nodes_cache(b: Backend) {
    let Some(redis) = redis_url() else { return };
    let id = uuid::Uuid::now_v7().simple().to_string();
    let Some((node_a, node_b)) = nodes_with(b, &redis, &id, &[]).await else {
        return;
    };
    let (ann, bob) = (node_a.register("ann").await, node_a.register("bob").await);
    let group = node_a.group(&ann, "Ward", &[&bob]).await;
    let conv = conversation(&group);
    // Node B learns the roster by carrying a send.
    assert_eq!(
        node_b.say(&bob, &group, "m1", "one").await.status,
        StatusCode::CREATED
    );
    let held = node_b
        .chat
        .rosters
        .get(conv)
        .expect("node B keeps the roster");
    assert!(held.contains(confab::domain::UserId::from_str(&bob.user_id).unwrap()));

    remove(&node_a, &ann, &group, &bob).await;
    let deadline = tokio::time::Instant::now() + Duration::from_secs(5);
    while node_b
        .chat
        .rosters
        .get(conv)
        .is_some_and(|r| r.meta_ev == held.meta_ev)
    {
        assert!(
            tokio::time::Instant::now() < deadline,
            "node B still holds the roster from before the change"
        );
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    let r = node_b.say(&bob, &group, "m2", "two").await;
    assert_eq!(r.status, StatusCode::NOT_FOUND, "{:?}", r.body);
}
