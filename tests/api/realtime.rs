//! The WebSocket gateway with real clients: delivery, exactly-once and order across
//! disconnects, typing, receipts.

use std::{collections::HashMap, time::Duration};

use reqwest::{Method, StatusCode};
use serde_json::json;

use crate::{
    backend_tests,
    helpers::{spawn_app, Backend},
    ws_client::Ws,
};

backend_tests!(
    two_members_chat_both_ways_and_every_device_receives,
    a_stranger_receives_nothing,
    a_client_that_missed_100_messages_resumes_with_all_once_in_order,
    a_replay_longer_than_two_pages_arrives_whole,
    fifty_concurrent_socket_senders_are_delivered_in_seq_order,
    typing_is_relayed_rate_limited_and_expires,
    read_receipts_and_edits_propagate,
    a_resume_replays_what_moved_and_reports_every_position,
);

/// A resume reads nothing for a conversation that did not move since the
/// client's position: the moved ones (a message, a rename) still arrive, once,
/// and `resumed` names every conversation's position, the unmoved ones included.
async fn a_resume_replays_what_moved_and_reports_every_position(b: Backend) {
    let Some(app) = spawn_app(b).await else {
        return;
    };
    let (ann, ben, cat) = (
        app.register("ann").await,
        app.register("ben").await,
        app.register("cat").await,
    );
    let with_ann = app.direct(&ann, &ben).await;
    let with_cat = app.direct(&cat, &ben).await;
    let group = app.group(&ann, "G", &[&ben, &cat]).await;
    app.say(&cat, &with_cat, "c1", "before").await;
    let bb = Ws::connect(&app, &ben.access).await;
    let before = bb.positions.clone();
    drop(bb);
    assert_eq!(before.len(), 3, "{before:?}");

    app.say(&ann, &with_ann, "a1", "while away").await;
    app.request(
        Method::PATCH,
        &format!("/api/v1/conversations/{group}"),
        Some(&ann.access),
        Some(json!({"name": "G2"})),
    )
    .await;
    let (_, replayed) = Ws::resume(&app, &ben.access, before.clone()).await;
    let kinds: Vec<(String, String)> = replayed
        .iter()
        .filter(|f| f["conversation_id"].is_string())
        .map(|f| {
            let c = f["conversation_id"].as_str().unwrap().to_owned();
            (c, f["type"].as_str().unwrap().to_owned())
        })
        .collect();
    assert!(
        kinds.iter().all(|(c, _)| *c != with_cat),
        "nothing for the unmoved one: {kinds:?}"
    );
    assert!(
        kinds.contains(&(with_ann.clone(), "message.new".into())),
        "{kinds:?}"
    );
    assert!(
        kinds.contains(&(group.clone(), "conversation.updated".into())),
        "{kinds:?}"
    );
    let bb = Ws::resume(&app, &ben.access, before.clone()).await.0;
    let resumed = &bb.resumed["positions"];
    assert_eq!(resumed[&with_cat], before[&with_cat], "{resumed}");
    assert!(
        resumed[&with_ann].as_i64() > Some(before[&with_ann]),
        "{resumed}"
    );
    assert!(resumed[&group].as_i64() > Some(before[&group]), "{resumed}");
}

async fn two_members_chat_both_ways_and_every_device_receives(b: Backend) {
    let Some(app) = spawn_app(b).await else {
        return;
    };
    let (ann, ben) = (app.register("ann").await, app.register("ben").await);
    let ann_phone = app.login("ann").await;
    let c = app.direct(&ann, &ben).await;
    let mut a = Ws::connect(&app, &ann.access).await;
    let mut a2 = Ws::connect(&app, &ann_phone.access).await;
    let mut bb = Ws::connect(&app, &ben.access).await;

    let ack = a.send_message(&c, "a-1", "hi ben").await;
    assert_eq!(ack["type"], "ack", "{ack}");
    assert_eq!(
        (
            ack["for"].as_str(),
            ack["message"]["seq"].as_i64(),
            ack["duplicate"].as_bool()
        ),
        (Some("send"), Some(1), Some(false))
    );
    let got = bb.next_of("message.new").await;
    assert_eq!(
        (
            got["message"]["body"].as_str(),
            got["message"]["sender_id"].as_str()
        ),
        (Some("hi ben"), Some(ann.user_id.as_str()))
    );
    assert_eq!(
        a2.next_of("message.new").await["message"]["id"],
        ack["message"]["id"],
        "the sender's other device gets it too"
    );

    let back = bb.send_message(&c, "b-1", "hi ann").await;
    assert_eq!(back["message"]["seq"], 2);
    assert_eq!(
        bb.next_of("message.new").await["message"]["seq"],
        2,
        "ben's own echo"
    );
    assert_eq!(
        a.next_of("message.new").await["message"]["seq"],
        1,
        "own message echoes to the sending device as an event too"
    );
    assert_eq!(a.next_of("message.new").await["message"]["body"], "hi ann");
    assert_eq!(a2.next_of("message.new").await["message"]["body"], "hi ann");

    // A retried send over the socket: same message, flagged duplicate, no new event.
    let dup = a.send_message(&c, "a-1", "hi ben").await;
    assert_eq!(
        (dup["duplicate"].as_bool(), &dup["message"]["id"]),
        (Some(true), &ack["message"]["id"])
    );
    bb.expect_quiet(Duration::from_millis(300)).await;
}

async fn a_stranger_receives_nothing(b: Backend) {
    let Some(app) = spawn_app(b).await else {
        return;
    };
    let (ann, ben, eve) = (
        app.register("ann").await,
        app.register("ben").await,
        app.register("eve").await,
    );
    let c = app.direct(&ann, &ben).await;
    let mut e = Ws::connect(&app, &eve.access).await;
    app.say(&ann, &c, "m", "private").await;
    e.expect_quiet(Duration::from_millis(400)).await;
    e.send(json!({"type": "send", "ref": "x", "conversation_id": c, "client_msg_id": "x", "body": "let me in"})).await;
    let err = e.next().await;
    assert_eq!(
        (
            err["type"].as_str(),
            err["code"].as_str(),
            err["ref"].as_str()
        ),
        (Some("error"), Some("not_found"), Some("x"))
    );
    e.send(json!({"type": "typing", "conversation_id": c, "state": "start"}))
        .await;
    assert_eq!(e.next().await["code"], "not_found");
    let mut bb = Ws::connect(&app, &ben.access).await;
    bb.expect_quiet(Duration::from_millis(300)).await;

    // Naming the conversation in a resume reveals nothing: no events, and the
    // position comes back as sent, exactly as for an id that does not exist.
    let made_up = "01a1ff8b-64b1-7675-bdec-57f0ec63fc61";
    let asked = HashMap::from([(c.clone(), 0), (made_up.to_owned(), 3)]);
    let (e2, replayed) = Ws::resume(&app, &eve.access, asked).await;
    assert!(replayed.is_empty(), "{replayed:?}");
    assert_eq!(e2.resumed["positions"][&c], 0, "{}", e2.resumed);
    assert_eq!(e2.resumed["positions"][made_up], 3, "{}", e2.resumed);
}

/// Replay reads 500 changes at a time and says when a conversation is complete;
/// 1,100 missed messages take three pages, and the seam between pages must
/// neither drop nor repeat a message.
async fn a_replay_longer_than_two_pages_arrives_whole(b: Backend) {
    let Some(app) = spawn_app(b).await else {
        return;
    };
    let (ann, ben) = (app.register("ann").await, app.register("ben").await);
    let c = app.direct(&ann, &ben).await;
    let bb = Ws::connect(&app, &ben.access).await;
    let positions = bb.positions.clone();
    drop(bb);
    for i in 1..=1100 {
        let r = app.say(&ann, &c, &format!("p{i}"), "missed").await;
        assert_eq!(r.status, StatusCode::CREATED);
    }
    let (_, replayed) = Ws::resume(&app, &ben.access, positions).await;
    let seqs: Vec<i64> = replayed
        .iter()
        .filter(|f| f["type"] == "message.new")
        .map(|f| f["message"]["seq"].as_i64().unwrap())
        .collect();
    assert_eq!(seqs, (1..=1100).collect::<Vec<_>>(), "all, once, in order");
}

async fn a_client_that_missed_100_messages_resumes_with_all_once_in_order(b: Backend) {
    let Some(app) = spawn_app(b).await else {
        return;
    };
    let (ann, ben) = (app.register("ann").await, app.register("ben").await);
    let c = app.direct(&ann, &ben).await;
    let mut bb = Ws::connect(&app, &ben.access).await;
    app.say(&ann, &c, "first", "before the drop").await;
    assert_eq!(bb.next_of("message.new").await["message"]["seq"], 1);
    let positions = bb.positions.clone();
    drop(bb);

    for i in 1..=100 {
        assert_eq!(
            app.say(&ann, &c, &format!("m{i}"), &format!("missed {i}"))
                .await
                .status,
            StatusCode::CREATED
        );
    }
    // Edit one of them while ben is away: it must arrive once, edited.
    let fifth = app
        .get(
            &format!("/api/v1/conversations/{c}/messages?after_seq=5&limit=1"),
            &ann.access,
        )
        .await
        .body["items"][0]["id"]
        .clone();
    app.request(
        Method::PATCH,
        &format!("/api/v1/messages/{}", fifth.as_str().unwrap()),
        Some(&ann.access),
        Some(json!({"body": "edited"})),
    )
    .await;

    let (mut bb, replayed) = Ws::resume(&app, &ben.access, positions).await;
    let seqs: Vec<i64> = replayed
        .iter()
        .filter(|f| f["type"] == "message.new")
        .map(|f| f["message"]["seq"].as_i64().unwrap())
        .collect();
    let mut sorted = seqs.clone();
    sorted.sort();
    assert_eq!(
        sorted,
        (2..=101).collect::<Vec<_>>(),
        "every missed message exactly once"
    );
    let evs: Vec<i64> = replayed.iter().filter_map(|f| f["ev"].as_i64()).collect();
    assert!(
        evs.windows(2).all(|w| w[0] < w[1]),
        "replay is in ev order: {evs:?}"
    );
    let sixth = replayed.iter().find(|f| f["message"]["seq"] == 6).unwrap();
    assert_eq!(sixth["message"]["body"], "edited");

    // Live again, with no gap and no duplicate at the seam.
    app.say(&ann, &c, "after", "after resume").await;
    let next = bb.next_of("message.new").await;
    assert_eq!(next["message"]["seq"], 102);
    bb.expect_quiet(Duration::from_millis(300)).await;
}

async fn fifty_concurrent_socket_senders_are_delivered_in_seq_order(b: Backend) {
    let Some(app) = spawn_app(b).await else {
        return;
    };
    let owner = app.register("owner").await;
    let mut senders = Vec::new();
    for i in 0..50 {
        senders.push(app.register(&format!("sender{i}")).await);
    }
    let refs: Vec<&crate::helpers::Session> = senders.iter().collect();
    let g = app.group(&owner, "Crowd", &refs).await;
    let mut listener = Ws::connect(&app, &owner.access).await;
    let mut sockets = Vec::new();
    for s in &senders {
        sockets.push(Ws::connect(&app, &s.access).await);
    }
    let tasks: Vec<_> = sockets
        .into_iter()
        .enumerate()
        .map(|(i, mut ws)| {
            let g = g.clone();
            tokio::spawn(async move {
                ws.send_message(&g, &format!("c{i}"), &format!("from {i}"))
                    .await
            })
        })
        .collect();
    for t in tasks {
        assert_eq!(t.await.unwrap()["type"], "ack");
    }
    let mut got = Vec::new();
    while got.len() < 50 {
        let f = listener.next_of("message.new").await;
        got.push(f["message"]["seq"].as_i64().unwrap());
    }
    assert_eq!(
        got,
        (1..=50).collect::<Vec<_>>(),
        "delivered in seq order, each once"
    );
    listener.expect_quiet(Duration::from_millis(300)).await;
}

async fn typing_is_relayed_rate_limited_and_expires(b: Backend) {
    let Some(app) = spawn_app(b).await else {
        return;
    };
    let (ann, ben) = (app.register("ann").await, app.register("ben").await);
    let c = app.direct(&ann, &ben).await;
    let mut a = Ws::connect(&app, &ann.access).await;
    let mut bb = Ws::connect(&app, &ben.access).await;
    for _ in 0..5 {
        a.send(json!({"type": "typing", "conversation_id": c, "state": "start"}))
            .await;
    }
    let t = bb.next().await;
    assert_eq!(
        (
            t["type"].as_str(),
            t["state"].as_str(),
            t["user_id"].as_str()
        ),
        (Some("typing"), Some("start"), Some(ann.user_id.as_str()))
    );
    assert!(t.get("ev").is_none(), "typing is ephemeral");
    // Ann never says stop: the server lapses it after a few seconds, once.
    let stop = bb
        .try_next(Duration::from_secs(8))
        .await
        .expect("typing stop after expiry");
    assert_eq!(
        (stop["type"].as_str(), stop["state"].as_str()),
        (Some("typing"), Some("stop"))
    );
    bb.expect_quiet(Duration::from_millis(500)).await;
    a.expect_quiet(Duration::from_millis(100)).await;
}

async fn read_receipts_and_edits_propagate(b: Backend) {
    let Some(app) = spawn_app(b).await else {
        return;
    };
    let (ann, ben) = (app.register("ann").await, app.register("ben").await);
    let c = app.direct(&ann, &ben).await;
    let mut a = Ws::connect(&app, &ann.access).await;
    let mut bb = Ws::connect(&app, &ben.access).await;
    let m = a.send_message(&c, "a1", "read me").await["message"].clone();
    bb.next_of("message.new").await;

    bb.send(json!({"type": "read", "ref": "r", "conversation_id": c, "seq": 1}))
        .await;
    let ack = bb.next_of("ack").await;
    assert_eq!(
        (ack["for"].as_str(), ack["last_read_seq"].as_i64()),
        (Some("read"), Some(1))
    );
    let receipt = a.next_of("read").await;
    assert_eq!(
        (receipt["user_id"].as_str(), receipt["seq"].as_i64()),
        (Some(ben.user_id.as_str()), Some(1))
    );
    assert_eq!(
        app.get(&format!("/api/v1/conversations/{c}"), &ben.access)
            .await
            .body["unread_count"],
        0
    );

    let path = format!("/api/v1/messages/{}", m["id"].as_str().unwrap());
    app.request(
        Method::PATCH,
        &path,
        Some(&ann.access),
        Some(json!({"body": "read me, edited"})),
    )
    .await;
    assert_eq!(
        bb.next_of("message.updated").await["message"]["body"],
        "read me, edited"
    );
    app.request(Method::DELETE, &path, Some(&ann.access), None)
        .await;
    let gone = bb.next_of("message.deleted").await;
    assert_eq!(
        (
            gone["message"]["body"].clone(),
            gone["message"]["seq"].clone()
        ),
        (json!(null), json!(1))
    );
    app.post(&format!("{path}/restore"), Some(&ann.access), json!({}))
        .await;
    assert_eq!(
        bb.next_of("message.restored").await["message"]["body"],
        "read me, edited"
    );
    let renamed = app.group(&ann, "G", &[&ben]).await;
    assert_eq!(
        bb.next_of("conversation.new").await["conversation"]["name"],
        "G"
    );
    app.request(
        Method::PATCH,
        &format!("/api/v1/conversations/{renamed}"),
        Some(&ann.access),
        Some(json!({"name": "G2"})),
    )
    .await;
    assert_eq!(
        bb.next_of("conversation.updated").await["conversation"]["name"],
        "G2"
    );
}
