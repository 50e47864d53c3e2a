//! A burst across nodes: many sends at once on one node all reach a member on
//! another node live, without waiting for a later event or a resume. (The
//! Redis client hands received messages over a bounded channel; a burst bigger
//! than it used to be dropped there, and nothing told the connections to catch
//! up: found by the `fanout` benchmark across three nodes.)

use std::{collections::BTreeSet, time::Duration};

use serde_json::json;

use crate::{
    backend_tests,
    cluster::{nodes_with, redis_url},
    helpers::Backend,
    ws_client::Ws,
};

backend_tests!(a_burst_on_one_node_reaches_another_whole,);

const BURST: usize = 400;

async fn a_burst_on_one_node_reaches_another_whole(b: Backend) {
    let Some(redis) = redis_url() else { return };
    let id = uuid::Uuid::now_v7().simple().to_string();
    let Some((a, b)) = nodes_with(b, &redis, &id, &[]).await else {
        return;
    };
    let (ann, ben) = (a.register("ann").await, a.register("ben").await);
    let c = a.direct(&ann, &ben).await;
    let mut on_b = Ws::connect(&b, &ben.access).await;
    let mut on_a = Ws::connect(&a, &ann.access).await;
    for i in 0..BURST {
        let id = format!("b{i:04}");
        on_a.send(json!({"type": "send", "ref": id, "conversation_id": c, "client_msg_id": id, "body": id}))
            .await;
    }
    let mut got = BTreeSet::new();
    // Generous: the point is that they come without another event, not how fast.
    while got.len() < BURST {
        let Some(f) = on_b.try_next(Duration::from_secs(10)).await else {
            break;
        };
        if f["type"] == "message.new" {
            got.insert(f["message"]["client_msg_id"].as_str().unwrap().to_owned());
        }
    }
    assert_eq!(got.len(), BURST, "the member on the other node missed some");
}
