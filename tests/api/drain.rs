//! A node stopping for a rolling restart (SIGTERM): it takes no new
//! connections, finishes the sends it already took (and acks them), then tells
//! its clients to reconnect elsewhere (1001). So what a client learns is exactly
//! what was stored: every acked send is kept, and nothing unacked is kept behind
//! the client's back.

use std::{collections::BTreeSet, time::Duration};

use serde_json::json;

use crate::{
    backend_tests,
    helpers::{spawn_app, Backend},
    ws_client::Ws,
};

backend_tests!(a_stopping_node_acks_every_send_it_took_then_says_going_away,);

async fn a_stopping_node_acks_every_send_it_took_then_says_going_away(b: Backend) {
    let Some(mut app) = spawn_app(b).await else {
        return;
    };
    let (ann, ben) = (app.register("ann").await, app.register("ben").await);
    let c = app.direct(&ann, &ben).await;
    let mut ws = Ws::connect(&app, &ann.access).await;
    // Many sends in flight at once; the node is told to stop as soon as the
    // first ack shows it is working through them.
    for i in 0..100 {
        let id = format!("m{i:03}");
        ws.send(json!({"type": "send", "ref": id, "conversation_id": c, "client_msg_id": id, "body": id}))
            .await;
    }
    let mut acked = BTreeSet::new();
    let first = ws.next_of("ack").await;
    acked.insert(first["ref"].as_str().unwrap().to_owned());
    let port = app.base.rsplit(':').next().unwrap().to_owned();
    app.stop().await;
    while let Some(f) = ws.try_next(Duration::from_secs(10)).await {
        assert_ne!(f["type"], "error", "a send failed in the drain: {f}");
        if f["type"] == "ack" {
            acked.insert(f["ref"].as_str().unwrap().to_owned());
        }
    }
    assert_eq!(ws.closed, Some(1001), "told to go elsewhere");
    // Stopped: the port takes no new connections.
    assert!(
        tokio::net::TcpStream::connect(format!("127.0.0.1:{port}"))
            .await
            .is_err(),
        "no new connections while draining"
    );

    // What the database holds is exactly what was acked.
    let app = app.restart().await;
    let ann = app.login("ann").await;
    let page = app
        .get(
            &format!("/api/v1/conversations/{c}/messages?limit=100"),
            &ann.access,
        )
        .await
        .body;
    let stored: BTreeSet<String> = page["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["client_msg_id"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(stored, acked, "stored = acked ({} acked)", acked.len());
    // The node had read many frames when it was told to stop (it takes up to 64
    // at once, and they were all waiting in its socket when the first ack left):
    // it finished them rather than dropping them.
    assert!(
        acked.len() > 1,
        "only {} acked: sends taken were dropped",
        acked.len()
    );
}
