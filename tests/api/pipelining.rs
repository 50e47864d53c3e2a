//! Clients that send without waiting for each ack: every frame is answered, in
//! the order sent, and every event still arrives (issue: such clients used to be
//! closed as too slow, because the connection served their frames before their
//! events and the event queue overflowed).

use std::time::Duration;

use futures_util::{SinkExt, StreamExt};
use serde_json::{json, Value};
use tokio_tungstenite::tungstenite::Message;

use crate::{
    backend_tests,
    helpers::{spawn_app, spawn_app_with, Backend, Session},
    ws_client::Ws,
};

backend_tests!(
    twenty_members_sending_back_to_back_get_every_ack_and_every_event,
    one_client_sending_1500_frames_back_to_back_keeps_its_connection,
    a_reader_whose_queue_overflows_gets_the_rest_from_the_database,
    replies_of_mixed_frames_come_in_the_order_sent,
);

/// What one client saw: the refs of its acks in arrival order, the seqs of each
/// sender's messages as they arrived, and how the connection ended.
#[derive(Default)]
struct Seen {
    acks: Vec<String>,
    errors: Vec<Value>,
    events: Vec<(String, i64)>,
    /// The `client_msg_id` of each message.new, in arrival (= seq) order.
    stored_ids: Vec<String>,
    closed: Option<u16>,
}

/// Writes `frames` back to back over `ws` from one task while another reads, and
/// reads until `expect_events` message.new events and every ack have arrived (or
/// the socket closes, or nothing comes for 15 s).
async fn blast(ws: Ws, frames: Vec<Value>, expect_events: usize) -> Seen {
    let (mut sink, mut stream) = ws.into_stream().split();
    let expect_acks = frames.len();
    let writer = tokio::spawn(async move {
        for f in frames {
            if sink
                .send(Message::Text(f.to_string().into()))
                .await
                .is_err()
            {
                break;
            }
        }
        sink
    });
    let mut seen = Seen::default();
    while seen.acks.len() + seen.errors.len() < expect_acks || seen.events.len() < expect_events {
        let Ok(Some(Ok(msg))) = tokio::time::timeout(Duration::from_secs(15), stream.next()).await
        else {
            break;
        };
        match msg {
            Message::Text(t) => {
                let f: Value = serde_json::from_str(t.as_str()).unwrap();
                match f["type"].as_str().unwrap_or("") {
                    "ack" => seen.acks.push(f["ref"].as_str().unwrap_or("").to_owned()),
                    "error" => seen.errors.push(f),
                    "message.new" => {
                        let m = &f["message"];
                        seen.events.push((
                            m["sender_id"].as_str().unwrap().to_owned(),
                            m["seq"].as_i64().unwrap(),
                        ));
                        seen.stored_ids
                            .push(m["client_msg_id"].as_str().unwrap().to_owned());
                    }
                    _ => {}
                }
            }
            Message::Close(c) => {
                seen.closed = Some(c.map_or(1005, |c| u16::from(c.code)));
                break;
            }
            _ => {}
        }
    }
    let _ = writer.await;
    seen
}

fn sends(conversation: &str, tag: &str, n: usize) -> (Vec<Value>, Vec<String>) {
    let refs: Vec<String> = (0..n).map(|i| format!("{tag}-{i}")).collect();
    let frames = refs
        .iter()
        .map(|r| json!({"type": "send", "ref": r, "conversation_id": conversation, "client_msg_id": r, "body": format!("message {r}")}))
        .collect();
    (frames, refs)
}

/// Each sender's messages arrive in increasing seq order, and seqs overall are
/// exactly 1..=total once each.
fn assert_gapless_in_order(events: &[(String, i64)], total: usize) {
    let arrived: Vec<i64> = events.iter().map(|(_, s)| *s).collect();
    let out_of_place = arrived.iter().zip(1..).find(|(got, want)| **got != *want);
    assert!(
        arrived.len() == total && out_of_place.is_none(),
        "expected seqs 1..={total} once each in order; got {} events, first out of place (got, expected): {out_of_place:?}",
        arrived.len()
    );
}

async fn twenty_members_sending_back_to_back_get_every_ack_and_every_event(b: Backend) {
    let Some(app) = spawn_app(b).await else {
        return;
    };
    let mut members = Vec::new();
    for i in 0..20 {
        members.push(app.register(&format!("member{i}")).await);
    }
    let others: Vec<&Session> = members[1..].iter().collect();
    let g = app.group(&members[0], "Busy", &others).await;
    let per_sender = 60;
    let total = per_sender * members.len();
    // Everyone is connected before anyone sends.
    let mut sockets = Vec::new();
    for m in &members {
        sockets.push(Ws::connect(&app, &m.access).await);
    }
    let tasks: Vec<_> = sockets
        .into_iter()
        .enumerate()
        .map(|(i, ws)| {
            let g = g.clone();
            tokio::spawn(async move {
                let (frames, refs) = sends(&g, &format!("s{i}"), per_sender);
                (blast(ws, frames, total).await, refs)
            })
        })
        .collect();
    for t in tasks {
        let (seen, refs) = t.await.unwrap();
        assert_eq!(seen.closed, None, "no connection is closed");
        assert!(seen.errors.is_empty(), "{:?}", seen.errors);
        assert_eq!(seen.acks, refs, "every frame acked, in the order sent");
        assert_gapless_in_order(&seen.events, total);
        // Each sender's messages were stored (took their seqs) in the order sent.
        let tag = refs[0].split('-').next().unwrap().to_owned() + "-";
        let own: Vec<&String> = seen
            .stored_ids
            .iter()
            .filter(|id| id.starts_with(&tag))
            .collect();
        assert_eq!(
            own,
            refs.iter().collect::<Vec<_>>(),
            "stored in the order sent"
        );
    }
}

async fn one_client_sending_1500_frames_back_to_back_keeps_its_connection(b: Backend) {
    let Some(app) = spawn_app(b).await else {
        return;
    };
    let (ann, ben) = (app.register("ann").await, app.register("ben").await);
    let c = app.direct(&ann, &ben).await;
    let total = 1500;
    let listener = Ws::connect(&app, &ben.access).await;
    let peer = tokio::spawn(blast(listener, Vec::new(), total));
    let (frames, refs) = sends(&c, "a", total);
    let seen = blast(Ws::connect(&app, &ann.access).await, frames, total).await;
    assert_eq!(seen.closed, None, "the sender is not cut off");
    assert!(seen.errors.is_empty(), "{:?}", seen.errors);
    assert_eq!(seen.acks, refs, "every frame acked, in the order sent");
    assert_gapless_in_order(&seen.events, total);
    assert_eq!(
        seen.stored_ids, refs,
        "seqs follow the order the frames were sent"
    );
    let own = &seen.events;
    assert!(
        own.iter().all(|(s, _)| s == &ann.user_id),
        "its own messages"
    );
    let peer = peer.await.unwrap();
    assert_eq!(peer.closed, None);
    assert_gapless_in_order(&peer.events, total);
}

async fn a_reader_whose_queue_overflows_gets_the_rest_from_the_database(b: Backend) {
    // A queue of 4 events: a burst of 300 overflows it many times over.
    let Some(app) = spawn_app_with(b, &["--ws-queue", "4"]).await else {
        return;
    };
    let (ann, ben) = (app.register("ann").await, app.register("ben").await);
    let c = app.direct(&ann, &ben).await;
    let total = 300;
    let reader = tokio::spawn(blast(
        Ws::connect(&app, &ben.access).await,
        Vec::new(),
        total,
    ));
    let (frames, refs) = sends(&c, "a", total);
    let sender = blast(Ws::connect(&app, &ann.access).await, frames, total).await;
    assert_eq!(sender.acks, refs);
    let reader = reader.await.unwrap();
    assert_eq!(reader.closed, None, "a client that reads is not cut off");
    assert_gapless_in_order(&reader.events, total);
    assert_gapless_in_order(&sender.events, total);
}

async fn replies_of_mixed_frames_come_in_the_order_sent(b: Backend) {
    let Some(app) = spawn_app(b).await else {
        return;
    };
    let (ann, ben) = (app.register("ann").await, app.register("ben").await);
    let c = app.direct(&ann, &ben).await;
    let mut ws = Ws::connect(&app, &ann.access).await;
    // A slow send (its commit) followed by frames answered at once: the quick
    // replies still wait their turn.
    let frames = [
        json!({"type": "send", "ref": "s1", "conversation_id": c, "client_msg_id": "s1", "body": "one"}),
        json!({"type": "ping", "ref": "p1"}),
        json!({"type": "send", "ref": "s2", "conversation_id": c, "client_msg_id": "s2", "body": ""}),
        json!({"type": "send", "ref": "s3", "conversation_id": c, "client_msg_id": "s3", "body": "three"}),
        json!({"type": "read", "ref": "r1", "conversation_id": c, "seq": 1}),
        json!({"type": "ping", "ref": "p2"}),
    ];
    for f in frames {
        ws.send(f).await;
    }
    let mut replies = Vec::new();
    while replies.len() < 6 {
        let f = ws.next().await;
        if let Some(r) = f["ref"].as_str() {
            replies.push(format!("{}:{r}", f["type"].as_str().unwrap()));
        }
    }
    assert_eq!(
        replies,
        ["ack:s1", "pong:p1", "error:s2", "ack:s3", "ack:r1", "pong:p2"],
        "one reply per frame, in the order sent"
    );
}
