//! Several nodes on one database and one Redis: what is sent on one node
//! reaches connections on another, once and in order, and a Redis outage
//! delays live delivery but loses nothing (gap repair from the database).

use std::{
    process::{Child, Command, Stdio},
    time::Duration,
};

use serde_json::Value;

use crate::{
    backend_tests,
    helpers::{spawn_app_with, Backend, TestApp},
    ws_client::Ws,
};

backend_tests!(
    a_message_sent_on_one_node_arrives_on_the_other_once,
    a_redis_outage_delays_but_loses_nothing,
    signing_out_on_one_node_closes_that_session_on_another_at_once,
    a_broken_link_is_caught_up_without_waiting_for_the_next_event,
    presence_spans_nodes_and_a_silent_node_is_reaped,
);

/// The Redis the tests use, or `None` (outside CI) without one.
pub(crate) fn redis_url() -> Option<String> {
    match std::env::var("CONFAB_TEST_REDIS_URL") {
        Ok(u) if !u.is_empty() => Some(u),
        _ if std::env::var("CI").is_ok_and(|v| v == "true") => {
            panic!("CONFAB_TEST_REDIS_URL is not set: CI must test the Redis bus")
        }
        _ => {
            eprintln!("CONFAB_TEST_REDIS_URL not set: cluster tests NOT run");
            None
        }
    }
}

/// Two nodes sharing a database and a Redis channel of their own.
async fn two_nodes(b: Backend, redis: &str) -> Option<(TestApp, TestApp)> {
    two_nodes_with(b, redis, &uuid::Uuid::now_v7().simple().to_string()).await
}

async fn two_nodes_with(b: Backend, redis: &str, id: &str) -> Option<(TestApp, TestApp)> {
    nodes_with(b, redis, id, &[]).await
}

/// Two nodes on a channel named after `id`, with `extra` flags on both.
pub(crate) async fn nodes_with(
    b: Backend,
    redis: &str,
    id: &str,
    extra: &[&str],
) -> Option<(TestApp, TestApp)> {
    let channel = format!("confab-t-{id}");
    // Sockets re-check their session only when told (the hourly re-check never
    // comes within a test): a close proves the bus carried the news. Nodes beat
    // every second and count for 3 s without one.
    let flags = [
        "--redis-url",
        redis,
        "--redis-channel",
        &channel,
        "--ws-recheck-secs",
        "3600",
        "--node-ttl-secs",
        "3",
        "--presence-grace-secs",
        "0",
    ];
    let flags: Vec<&str> = flags.iter().chain(extra).copied().collect();
    let a = spawn_app_with(b, &flags).await?;
    let b = a.another_node().await;
    Some((a, b))
}

/// Bodies of the `message.new` frames `ws` receives within `wait`.
async fn bodies(ws: &mut Ws, wait: Duration) -> Vec<String> {
    let mut out = Vec::new();
    while let Some(f) = ws.try_next(wait).await {
        if f["type"] == "message.new" {
            out.push(f["message"]["body"].as_str().unwrap_or_default().to_owned());
        }
    }
    out
}

async fn a_message_sent_on_one_node_arrives_on_the_other_once(b: Backend) {
    let Some(redis) = redis_url() else { return };
    let Some((node_a, node_b)) = two_nodes(b, &redis).await else {
        return;
    };
    let ann = node_a.register("ann").await;
    let bob = node_a.register("bob").await;
    let cat = node_a.register("cat").await;
    let group = node_a.group(&ann, "Ward", &[&bob, &cat]).await;

    let mut bob_on_b = Ws::connect(&node_b, &bob.access).await;
    let mut cat_on_a = Ws::connect(&node_a, &cat.access).await;
    for i in 0..20 {
        let node = if i % 2 == 0 { &node_a } else { &node_b };
        node.say(&ann, &group, &format!("m{i}"), &format!("{i}"))
            .await;
    }
    let want: Vec<String> = (0..20).map(|i| i.to_string()).collect();
    assert_eq!(
        bodies(&mut bob_on_b, Duration::from_millis(800)).await,
        want,
        "node B: once, in order"
    );
    assert_eq!(
        bodies(&mut cat_on_a, Duration::from_millis(300)).await,
        want,
        "node A: once, in order"
    );

    // Typing crosses nodes too (an ephemeral event, through the same bus).
    let mut ann_ws = Ws::connect(&node_a, &ann.access).await;
    ann_ws
        .send(serde_json::json!({"type": "typing", "conversation_id": group, "state": "start"}))
        .await;
    let typing: Value = bob_on_b.next_of("typing").await;
    assert_eq!(typing["user_id"], ann.user_id.as_str());
}

/// A Redis of the test's own, to stop and start.
pub(crate) struct OwnRedis {
    pub(crate) port: u16,
    child: Option<Child>,
}

impl OwnRedis {
    /// One on a free port, or `None` where the cluster tests do not run.
    pub(crate) fn on_a_free_port() -> Option<Self> {
        redis_url()?;
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        drop(listener);
        Some(Self::start(port))
    }

    pub(crate) fn start(port: u16) -> Self {
        let child = Command::new("redis-server")
            .args([
                "--port",
                &port.to_string(),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
            ])
            .stdout(Stdio::null())
            .spawn()
            .expect("redis-server starts");
        std::thread::sleep(Duration::from_millis(300));
        Self {
            port,
            child: Some(child),
        }
    }

    pub(crate) fn stop(&mut self) {
        if let Some(mut c) = self.child.take() {
            let _ = c.kill();
            let _ = c.wait();
        }
    }
}

impl Drop for OwnRedis {
    fn drop(&mut self) {
        self.stop();
    }
}

async fn a_redis_outage_delays_but_loses_nothing(b: Backend) {
    let Some(mut redis) = OwnRedis::on_a_free_port() else {
        return;
    };
    let port = redis.port;
    let url = format!("redis://127.0.0.1:{}", redis.port);
    let Some((node_a, node_b)) = two_nodes(b, &url).await else {
        return;
    };
    let ann = node_a.register("ann").await;
    let bob = node_a.register("bob").await;
    let direct = node_a.direct(&ann, &bob).await;
    let mut bob_on_b = Ws::connect(&node_b, &bob.access).await;
    node_a.say(&ann, &direct, "m1", "before").await;
    assert_eq!(
        bodies(&mut bob_on_b, Duration::from_millis(500)).await,
        ["before"]
    );

    // Redis goes away: sends are still accepted and acked.
    redis.stop();
    let r = node_a.say(&ann, &direct, "m2", "during").await;
    assert!(
        r.status.is_success(),
        "sends go on while Redis is down: {:?}",
        r.body
    );
    tokio::time::sleep(Duration::from_millis(500)).await;

    // Redis is back: the nodes reconnect and re-subscribe. "during" arrives
    // either from fred's queue, replayed on reconnect, or, if that was lost, by
    // bob's connection filling the gap the next message shows from the
    // database; either way once and in order.
    let _redis = OwnRedis::start(port);
    tokio::time::sleep(Duration::from_millis(2500)).await;
    node_a.say(&ann, &direct, "m3", "after").await;
    assert_eq!(
        bodies(&mut bob_on_b, Duration::from_millis(1500)).await,
        ["during", "after"]
    );
}

async fn signing_out_on_one_node_closes_that_session_on_another_at_once(b: Backend) {
    let Some(redis) = redis_url() else { return };
    let Some((node_a, node_b)) = two_nodes(b, &redis).await else {
        return;
    };
    let laptop = node_a.register("ann").await;
    let phone = node_a.login("ann").await;
    let mut laptop_ws = Ws::connect(&node_b, &laptop.access).await;
    let mut phone_ws = Ws::connect(&node_b, &phone.access).await;

    // The laptop signs out through node A; its socket on node B closes now
    // (the periodic re-check is an hour away).
    let r = node_a
        .post(
            "/api/v1/auth/logout",
            Some(&laptop.access),
            serde_json::json!({}),
        )
        .await;
    assert_eq!(r.status, reqwest::StatusCode::NO_CONTENT);
    assert_eq!(laptop_ws.close_code().await, Some(4003));
    // The phone's session is still live: its socket stays.
    phone_ws.expect_quiet(Duration::from_millis(500)).await;
    phone_ws.send(serde_json::json!({"type": "ping"})).await;
    assert_eq!(phone_ws.next_of("pong").await["type"], "pong");
}

async fn a_broken_link_is_caught_up_without_waiting_for_the_next_event(b: Backend) {
    let Some(redis) = OwnRedis::on_a_free_port() else {
        return;
    };
    let port = redis.port;
    let Some((node_a, node_b)) = two_nodes(b, &format!("redis://127.0.0.1:{port}")).await else {
        return;
    };
    let ann = node_a.register("ann").await;
    let bob = node_a.register("bob").await;
    let direct = node_a.direct(&ann, &bob).await;
    let mut bob_on_b = Ws::connect(&node_b, &bob.access).await;

    // Redis drops the nodes' subscriptions (their publishers stay): what node A
    // publishes before node B is subscribed again never reaches node B.
    let killed = Command::new("redis-cli")
        .args(["-p", &port.to_string(), "CLIENT", "KILL", "TYPE", "pubsub"])
        .output()
        .expect("redis-cli runs");
    assert!(killed.status.success());
    node_a.say(&ann, &direct, "m1", "during the break").await;
    // No later event shows a gap: node B catches up on its own once re-linked.
    assert_eq!(
        bodies(&mut bob_on_b, Duration::from_secs(3)).await,
        ["during the break"]
    );
}

/// The presence events `ws` receives within `wait`: (user, status).
async fn presence(ws: &mut Ws, wait: Duration) -> Vec<(String, String)> {
    let mut out = Vec::new();
    while let Some(f) = ws.try_next(wait).await {
        if f["type"] == "presence" {
            out.push((
                f["user_id"].as_str().unwrap().to_owned(),
                f["presence"]["status"].as_str().unwrap().to_owned(),
            ));
        }
    }
    out
}

async fn presence_spans_nodes_and_a_silent_node_is_reaped(b: Backend) {
    let Some(redis) = redis_url() else { return };
    let id = uuid::Uuid::now_v7().simple().to_string();
    let Some((node_a, node_b)) = two_nodes_with(b, &redis, &id).await else {
        return;
    };
    let ann = node_a.register("ann").await;
    let bob = node_a.register("bob").await;
    let cat = node_a.register("cat").await;
    node_a.group(&bob, "Ward", &[&ann, &cat]).await;
    // A watcher that keeps presence frames (Ws::connect skips them).
    let (mut bob_ws, _) = Ws::resume_all(&node_a, &bob.access, Default::default(), None, &[]).await;
    let online = |u: &str| (u.to_owned(), "online".to_owned());
    let offline = |u: &str| (u.to_owned(), "offline".to_owned());

    // Ann opens a tab on node A, then one on node B: online once.
    let tab_a = Ws::connect(&node_a, &ann.access).await;
    assert_eq!(
        presence(&mut bob_ws, Duration::from_millis(700)).await,
        [online(&ann.user_id)]
    );
    let tab_b = Ws::connect(&node_b, &ann.access).await;
    // Closing the tab on A leaves her online: her tab on B is still open.
    drop(tab_a);
    assert_eq!(presence(&mut bob_ws, Duration::from_millis(1500)).await, []);
    // Lists served by node A show her online too (the directory says where).
    let listed = node_a.get("/api/v1/conversations", &bob.access).await.body;
    let her = listed["items"][0]["members"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["user_id"] == ann.user_id.as_str())
        .unwrap()
        .clone();
    assert_eq!(her["presence"]["status"], "online", "{her}");
    drop(tab_b);
    assert_eq!(
        presence(&mut bob_ws, Duration::from_millis(1500)).await,
        [offline(&ann.user_id)]
    );

    // A third node has Cat and dies without a word (no goodbye, no more
    // heartbeats): within its TTL (1 s here) and a beat of the others, they
    // announce her offline.
    let ghost = confab::bus::directory::Directory::connect(
        &redis,
        &format!("confab-t-{id}"),
        Duration::from_secs(1),
    )
    .await
    .unwrap();
    let cat_id: confab::domain::UserId = cat.user_id.parse().unwrap();
    assert!(ghost.arrived(cat_id).await.unwrap());
    ghost.vanish().await;
    assert_eq!(
        presence(&mut bob_ws, Duration::from_millis(3500)).await,
        [offline(&cat.user_id)]
    );
}
