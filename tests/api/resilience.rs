//! The WebSocket gateway under stress: slow clients, hostile frames, bad identity.

use std::time::Duration;

use serde_json::json;
use tokio_tungstenite::tungstenite::Message;

use crate::{
    backend_tests,
    helpers::{spawn_app, spawn_app_with, Backend},
    ws_client::Ws,
};

backend_tests!(
    a_slow_client_is_closed_and_resumes_without_loss,
    malformed_frames_get_errors_and_the_server_serves_on,
    identity_comes_only_from_a_valid_token,
    shutdown_closes_sockets_and_a_restarted_server_resumes_them,
    a_silent_peer_is_dropped_after_two_and_a_half_heartbeats,
);

async fn a_silent_peer_is_dropped_after_two_and_a_half_heartbeats(b: Backend) {
    let Some(app) = spawn_app_with(b, &["--ws-heartbeat-secs", "1"]).await else {
        return;
    };
    let (ann, ben) = (app.register("ann").await, app.register("ben").await);
    // Ann's client reads (and so answers pings); Ben's reads nothing at all, as a
    // peer gone without a FIN would.
    let mut live = Ws::connect(&app, &ann.access).await;
    let mut silent = Ws::connect(&app, &ben.access).await;
    let quiet_until = tokio::time::Instant::now() + Duration::from_secs(4);
    while tokio::time::Instant::now() < quiet_until {
        assert!(
            live.try_next(Duration::from_millis(500)).await.is_none() && !live.ended,
            "a peer that answers pings stays connected"
        );
    }
    while silent.try_next(Duration::from_secs(2)).await.is_some() {}
    assert!(silent.ended, "the silent peer was dropped");
}

async fn a_slow_client_is_closed_and_resumes_without_loss(b: Backend) {
    let Some(app) = spawn_app_with(
        b,
        &[
            "--ws-queue",
            "8",
            "--socket-send-buffer-bytes",
            "16384",
            "--ws-write-timeout-ms",
            "300",
        ],
    )
    .await
    else {
        return;
    };
    let (ann, ben) = (app.register("ann").await, app.register("ben").await);
    let c = app.direct(&ann, &ben).await;
    let mut slow = Ws::connect_with_small_buffer(&app, &ben.access).await;
    let mut fast = Ws::connect(&app, &ann.access).await;
    // Ben stops reading while big messages pour in; his socket buffers fill, a
    // write waits past the write timeout, and the server closes him rather than
    // wait longer.
    let body = "x".repeat(3900);
    let total = 300;
    for i in 1..=total {
        let ack = fast.send_message(&c, &format!("m{i}"), &body).await;
        assert_eq!(
            ack["type"], "ack",
            "the fast sender is never held up: {ack}"
        );
    }
    // Not reading for longer than the write timeout.
    tokio::time::sleep(Duration::from_millis(1000)).await;
    let mut seen: Vec<i64> = Vec::new();
    while let Some(f) = slow.try_next(Duration::from_secs(5)).await {
        if f["type"] == "message.new" {
            seen.push(f["message"]["seq"].as_i64().unwrap());
        }
    }
    // The close frame itself may not get through a clogged socket: then the
    // connection is dropped without one.
    assert!(
        slow.closed == Some(4008) || (slow.closed.is_none() && slow.ended),
        "closed as a slow consumer after {} messages (close code {:?}, ended {})",
        seen.len(),
        slow.closed,
        slow.ended
    );
    assert!(
        seen.len() < total,
        "the slow client was cut off before the end"
    );
    let (mut again, replayed) = Ws::resume(&app, &ben.access, slow.positions.clone()).await;
    seen.extend(
        replayed
            .iter()
            .filter(|f| f["type"] == "message.new")
            .map(|f| f["message"]["seq"].as_i64().unwrap()),
    );
    assert_eq!(
        seen,
        (1..=total as i64).collect::<Vec<_>>(),
        "everything, once, in order"
    );
    again.expect_quiet(Duration::from_millis(200)).await;
}

async fn malformed_frames_get_errors_and_the_server_serves_on(b: Backend) {
    let Some(app) = spawn_app(b).await else {
        return;
    };
    let (ann, ben) = (app.register("ann").await, app.register("ben").await);
    let c = app.direct(&ann, &ben).await;
    let mut a = Ws::connect(&app, &ann.access).await;
    let mut bb = Ws::connect(&app, &ben.access).await;
    for bad in [
        "{not json".to_owned(),
        "[1,2]".to_owned(),
        json!({"type": "warp", "speed": 9}).to_string(),
        json!({"type": "send", "conversation_id": 42, "client_msg_id": "x", "body": "hi"}).to_string(),
        json!({"type": "read", "conversation_id": c, "seq": "three"}).to_string(),
        json!({"type": "send", "conversation_id": c, "client_msg_id": "x", "body": "", "extra": true}).to_string(),
    ] {
        a.send_raw(Message::Text(bad.clone().into())).await;
        let err = a.next().await;
        assert_eq!(err["type"], "error", "{bad} -> {err}");
    }
    a.send_raw(Message::Binary(vec![0, 1, 2].into())).await;
    assert_eq!(a.next().await["code"], "binary_frame");
    a.send(json!({"type": "ping", "ref": "p"})).await;
    assert_eq!(a.next().await["type"], "pong", "the connection lives on");

    // A frame over the limit closes only that connection.
    let mut huge = Ws::connect(&app, &ann.access).await;
    huge.send_raw(Message::Text("x".repeat(200_000).into()))
        .await;
    assert_eq!(huge.close_code().await, Some(1009), "closed as too big");
    // Everyone else is served as before.
    assert_eq!(
        a.send_message(&c, "after", "still here").await["type"],
        "ack"
    );
    assert_eq!(
        bb.next_of("message.new").await["message"]["body"],
        "still here"
    );
}

async fn identity_comes_only_from_a_valid_token(b: Backend) {
    let Some(app) = spawn_app_with(
        b,
        &["--ws-recheck-secs", "1", "--ws-auth-timeout-secs", "1"],
    )
    .await
    else {
        return;
    };
    let ann = app.register("ann").await;
    // A user id instead of a token is not identity.
    let mut w = Ws::open(&app).await;
    w.send(json!({"type": "auth", "user_id": ann.user_id}))
        .await;
    assert_eq!(w.close_code().await, Some(4001));
    let mut w = Ws::open(&app).await;
    w.send(json!({"type": "auth", "token": "forged.token.here"}))
        .await;
    assert_eq!(w.close_code().await, Some(4001));
    let mut w = Ws::open(&app).await;
    w.send(json!({"type": "ping"})).await;
    assert_eq!(
        w.close_code().await,
        Some(4001),
        "the first frame must be auth"
    );
    let mut w = Ws::open(&app).await;
    assert_eq!(
        w.close_code().await,
        Some(4001),
        "silence past the auth timeout"
    );

    // Signing out ends the live connection too.
    let mut live = Ws::connect(&app, &ann.access).await;
    app.post("/api/v1/auth/logout", Some(&ann.access), json!({}))
        .await;
    assert_eq!(live.close_code().await, Some(4003));
}

async fn shutdown_closes_sockets_and_a_restarted_server_resumes_them(b: Backend) {
    let Some(mut app) = spawn_app(b).await else {
        return;
    };
    let (ann, ben) = (app.register("ann").await, app.register("ben").await);
    let c = app.direct(&ann, &ben).await;
    let mut bb = Ws::connect(&app, &ben.access).await;
    for i in 1..=3 {
        app.say(&ann, &c, &format!("m{i}"), &format!("before {i}"))
            .await;
        bb.next_of("message.new").await;
    }
    let positions = bb.positions.clone();
    app.stop().await;
    assert_eq!(
        bb.close_code().await,
        Some(1001),
        "told the server is going away"
    );

    // Same database, new process: acknowledged messages survived, and the client
    // picks up exactly where it stopped.
    let app = app.restart().await;
    let ann = app.login("ann").await;
    let ben = app.login("ben").await;
    for i in 4..=6 {
        assert_eq!(
            app.say(&ann, &c, &format!("m{i}"), &format!("after {i}"))
                .await
                .body["seq"],
            i
        );
    }
    let (mut bb, replayed) = Ws::resume(&app, &ben.access, positions).await;
    let seqs: Vec<i64> = replayed
        .iter()
        .filter(|f| f["type"] == "message.new")
        .map(|f| f["message"]["seq"].as_i64().unwrap())
        .collect();
    assert_eq!(seqs, vec![4, 5, 6]);
    bb.expect_quiet(Duration::from_millis(200)).await;
}
