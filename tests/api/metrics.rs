//! `GET /metrics` (Prometheus) on its own address: what it counts moves with
//! what the server does, and the public listener never serves it.
//!
//! The registry is the process's, shared by every server a test binary runs, so
//! these tests assert how much a figure moved, and `cargo test` runs them apart
//! from the other tests, one at a time (scripts/test.sh); cargo-nextest gives
//! every test its own process anyway.

use std::{collections::HashMap, time::Duration};

use crate::{
    backend_tests,
    cluster::{nodes_with, redis_url},
    helpers::{free_port, spawn_app_with, Backend, TestApp},
    ws_client::Ws,
};

backend_tests!(
    metrics_count_connections_sends_deliveries_and_resumes,
    metrics_count_the_bus_between_nodes,
);

/// The samples at `addr`'s /metrics, by name (labels included, as written).
async fn scrape(app: &TestApp, port: u16) -> HashMap<String, f64> {
    let r = app
        .client
        .get(format!("http://127.0.0.1:{port}/metrics"))
        .send()
        .await
        .unwrap();
    assert!(r.status().is_success());
    let kind = r.headers()["content-type"].to_str().unwrap().to_owned();
    assert!(kind.starts_with("application/openmetrics-text"), "{kind}");
    parse(&r.text().await.unwrap())
}

fn parse(text: &str) -> HashMap<String, f64> {
    assert!(text.trim_end().ends_with("# EOF"), "{text}");
    text.lines()
        .filter(|l| !l.starts_with('#'))
        .filter_map(|l| {
            let (name, value) = l.rsplit_once(' ')?;
            Some((name.to_owned(), value.parse().ok()?))
        })
        .collect()
}

async fn metrics_count_connections_sends_deliveries_and_resumes(b: Backend) {
    let port = free_port();
    let at = format!("127.0.0.1:{port}");
    let Some(app) = spawn_app_with(b, &["--metrics-listen", &at]).await else {
        return;
    };
    // The public address does not serve them.
    let public = app
        .client
        .get(format!("{}/metrics", app.base))
        .send()
        .await
        .unwrap();
    assert!(
        !public.text().await.unwrap().contains("confab_"),
        "public /metrics"
    );

    let before = scrape(&app, port).await;
    let moved = |m: &HashMap<String, f64>, name: &str| m[name] - before[name];
    let (ann, ben) = (app.register("ann").await, app.register("ben").await);
    let c = app.direct(&ann, &ben).await;
    let mut a = Ws::connect(&app, &ann.access).await;
    let mut b = Ws::connect(&app, &ben.access).await;
    for i in 0..3 {
        a.send_message(&c, &format!("m{i}"), "hello").await;
        b.next_of("message.new").await;
    }
    let m = scrape(&app, port).await;
    assert_eq!(moved(&m, "confab_ws_connections"), 2.0);
    assert_eq!(moved(&m, "confab_sends_total"), 3.0);
    assert_eq!(moved(&m, "confab_send_ack_seconds_count"), 3.0);
    assert!(moved(&m, "confab_send_ack_seconds_sum") > 0.0);
    assert!(moved(&m, "confab_writer_batch_size_sum") >= 3.0, "{m:?}");
    // Each send passed through every stage of a send once; its event was routed
    // and written out (at least once per message: ben waited for each).
    let stage = |name: &str| format!("confab_message_stage_seconds_count{{stage=\"{name}\"}}");
    for name in ["check", "turn", "queue", "commit", "wake", "publish"] {
        assert_eq!(moved(&m, &stage(name)), 3.0, "{name}: {m:?}");
    }
    assert!(moved(&m, &stage("route")) >= 3.0, "{m:?}");
    assert!(moved(&m, &stage("deliver")) >= 3.0, "{m:?}");
    // Each message reached both of ann's and ben's connections.
    assert!(moved(&m, "confab_events_delivered_total") >= 6.0, "{m:?}");
    assert!(m["confab_db_pool_connections"] >= 1.0);
    let resumes = m["confab_resumes_total"];

    // Ben comes back from before the three messages: a resume that replays them.
    drop(b);
    let (_b, replayed) = Ws::resume(&app, &ben.access, HashMap::from([(c.clone(), 0)])).await;
    assert_eq!(
        replayed
            .iter()
            .filter(|f| f["type"] == "message.new")
            .count(),
        3
    );
    let m = scrape(&app, port).await;
    assert_eq!(m["confab_resumes_total"], resumes + 1.0);
    assert!(
        moved(&m, "confab_resume_replayed_events_sum") >= 3.0,
        "{m:?}"
    );
    drop(a);
    tokio::time::sleep(Duration::from_millis(300)).await;
    let m = scrape(&app, port).await;
    assert_eq!(moved(&m, "confab_ws_connections"), 1.0);
}

async fn metrics_count_the_bus_between_nodes(b: Backend) {
    let Some(redis) = redis_url() else { return };
    let id = uuid::Uuid::now_v7().simple().to_string();
    let Some((a, b)) = nodes_with(b, &redis, &id, &[]).await else {
        return;
    };
    let before = parse(&confab::metrics::METRICS.render());
    let (ann, ben) = (a.register("ann").await, a.register("ben").await);
    let c = a.direct(&ann, &ben).await;
    let mut on_b = Ws::connect(&b, &ben.access).await;
    a.say(&ann, &c, "x1", "across").await;
    on_b.next_of("message.new").await;
    // Both nodes run in this test's process and count into its one registry
    // (the listener is the other test's subject).
    let m = parse(&confab::metrics::METRICS.render());
    let moved = |name: &str| m[name] - before[name];
    assert!(moved("confab_bus_published_total") >= 1.0, "{m:?}");
    assert!(moved("confab_bus_received_total") >= 1.0, "{m:?}");
    assert_eq!(moved("confab_bus_reconnects_total"), 0.0);
}
