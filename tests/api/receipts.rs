//! Delivery receipts: a member's devices say how far they have received a
//! conversation; the marker is stored, sent to every member, replayed on resume
//! and never moves back or past the newest message (WebSocket and REST alike).

use std::{collections::HashMap, time::Duration};

use reqwest::StatusCode;
use serde_json::json;

use crate::{
    backend_tests,
    helpers::{spawn_app, Backend},
    ws_client::Ws,
};

backend_tests!(delivery_receipts_reach_members_never_move_back_and_replay_on_resume);

async fn delivery_receipts_reach_members_never_move_back_and_replay_on_resume(b: Backend) {
    let Some(app) = spawn_app(b).await else {
        return;
    };
    let (ann, ben, cat) = (
        app.register("ann").await,
        app.register("ben").await,
        app.register("cat").await,
    );
    let c = app.direct(&ann, &ben).await;
    let mut a = Ws::connect(&app, &ann.access).await;
    let mut bb = Ws::connect(&app, &ben.access).await;
    a.send_message(&c, "d1", "one").await;
    let second = a.send_message(&c, "d2", "two").await;
    let sent_ev = second["message"]["ev"].as_i64().unwrap();
    bb.next_of("message.new").await;
    bb.next_of("message.new").await;

    // Ben's device has both: Ann hears it.
    bb.send(json!({"type": "delivered", "ref": "d", "conversation_id": c, "seq": 2}))
        .await;
    let ack = bb.next_of("ack").await;
    assert_eq!(
        (ack["for"].as_str(), ack["last_delivered_seq"].as_i64()),
        (Some("delivered"), Some(2)),
        "{ack}"
    );
    let receipt = a.next_of("delivered").await;
    assert_eq!(
        (
            receipt["user_id"].as_str(),
            receipt["seq"].as_i64(),
            receipt["conversation_id"].as_str()
        ),
        (Some(ben.user_id.as_str()), Some(2), Some(c.as_str()))
    );
    let receipt_ev = receipt["ev"].as_i64().unwrap();
    assert!(receipt_ev > sent_ev, "a stored change of its own");

    // Never back, never past the newest message; nothing announced for either.
    bb.send(json!({"type": "delivered", "ref": "back", "conversation_id": c, "seq": 1}))
        .await;
    assert_eq!(bb.next_of("ack").await["last_delivered_seq"], 2);
    let ahead = app
        .post(
            &format!("/api/v1/conversations/{c}/delivered"),
            Some(&ben.access),
            json!({"seq": 99}),
        )
        .await;
    assert_eq!(ahead.status, StatusCode::OK, "{:?}", ahead.body);
    assert_eq!(ahead.body["last_delivered_seq"], 2);
    a.expect_quiet(Duration::from_millis(300)).await;

    // The conversation says so, and a resume from before the receipt replays it.
    let conv = app
        .get(&format!("/api/v1/conversations/{c}"), &ann.access)
        .await
        .body;
    let bens = conv["members"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["user_id"] == json!(ben.user_id))
        .unwrap()
        .clone();
    assert_eq!(
        (
            bens["last_delivered_seq"].as_i64(),
            bens["last_read_seq"].as_i64()
        ),
        (Some(2), Some(0))
    );
    drop(a);
    let (_, replayed) = Ws::resume(&app, &ann.access, HashMap::from([(c.clone(), sent_ev)])).await;
    let again: Vec<_> = replayed
        .iter()
        .filter(|f| f["type"] == "delivered")
        .collect();
    assert_eq!(again.len(), 1, "{replayed:?}");
    assert_eq!(
        (again[0]["seq"].as_i64(), again[0]["ev"].as_i64()),
        (Some(2), Some(receipt_ev))
    );
    let (_, replayed) =
        Ws::resume(&app, &ann.access, HashMap::from([(c.clone(), receipt_ev)])).await;
    assert!(
        !replayed.iter().any(|f| f["type"] == "delivered"),
        "nothing after its ev: {replayed:?}"
    );

    // Bad input and strangers.
    let path = format!("/api/v1/conversations/{c}/delivered");
    let negative = app.post(&path, Some(&ben.access), json!({"seq": -1})).await;
    assert_eq!(negative.status, StatusCode::UNPROCESSABLE_ENTITY);
    let stranger = app.post(&path, Some(&cat.access), json!({"seq": 1})).await;
    assert_eq!(stranger.status, StatusCode::NOT_FOUND);
}
