//! Many clients resuming at the same moment. On PostgreSQL and MariaDB their
//! reads are batched across clients (store/batched.rs): one statement answers
//! many users' sessions, memberships and inbox positions, and many
//! conversations' changes, some of them the same conversation from different
//! positions. Each client must still get exactly its own catch-up.

use std::collections::HashMap;

use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

use crate::{
    backend_tests,
    helpers::{spawn_app, Backend, Session},
    ws_client::Ws,
};

backend_tests!(clients_resuming_together_each_get_exactly_their_own_catch_up);

const GROUPS: usize = 3;
const PER_GROUP: usize = 8;

async fn clients_resuming_together_each_get_exactly_their_own_catch_up(b: Backend) {
    let Some(app) = spawn_app(b).await else {
        return;
    };
    let mut users: Vec<Session> = Vec::new();
    for i in 0..GROUPS * PER_GROUP {
        users.push(app.register(&format!("user{i}")).await);
    }
    let mut groups = Vec::new();
    for g in 0..GROUPS {
        let members: Vec<&Session> = users[g * PER_GROUP + 1..(g + 1) * PER_GROUP]
            .iter()
            .collect();
        groups.push(
            app.group(&users[g * PER_GROUP], &format!("g{g}"), &members)
                .await,
        );
    }
    let direct = app.direct(&users[0], &users[PER_GROUP]).await;

    // Everyone is caught up; then the odd ones go away, each group gets its
    // first message, and the even ones (who saw it) go away too: two positions
    // per conversation.
    let mut clients: Vec<Ws> = Vec::new();
    for u in &users {
        clients.push(Ws::connect(&app, &u.access).await);
    }
    let mut positions: Vec<HashMap<String, i64>> = vec![HashMap::new(); users.len()];
    for (i, ws) in clients.iter_mut().enumerate().filter(|(i, _)| i % 2 == 1) {
        positions[i] = ws.positions.clone();
    }
    let mut first_ids = Vec::new();
    for (g, c) in groups.iter().enumerate() {
        let r = app.say(&users[g * PER_GROUP], c, "first", "first").await;
        assert_eq!(r.status, StatusCode::CREATED, "{:?}", r.body);
        first_ids.push(r.body["id"].as_str().unwrap().to_owned());
    }
    for (i, ws) in clients.iter_mut().enumerate().filter(|(i, _)| i % 2 == 0) {
        let seen = ws.next_of("message.new").await;
        assert_eq!(seen["message"]["seq"], 1);
        positions[i] = ws.positions.clone();
    }
    drop(clients);

    // While all are away: 2, 4 and 6 more messages; group 1's first edited;
    // one direct message.
    for (g, c) in groups.iter().enumerate() {
        for k in 0..2 * (g + 1) {
            let sender = &users[g * PER_GROUP + k % PER_GROUP];
            let r = app
                .say(sender, c, &format!("m{k}"), &format!("g{g} m{k}"))
                .await;
            assert_eq!(r.status, StatusCode::CREATED, "{:?}", r.body);
        }
    }
    let r = app
        .request(
            Method::PATCH,
            &format!("/api/v1/messages/{}", first_ids[1]),
            Some(&users[PER_GROUP].access),
            Some(json!({"body": "edited"})),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    app.say(&users[PER_GROUP], &direct, "d", "direct").await;
    // In each group its second member reads up to seq 2: a marker to replay.
    for (g, c) in groups.iter().enumerate() {
        let r = app
            .post(
                &format!("/api/v1/conversations/{c}/read"),
                Some(&users[g * PER_GROUP + 1].access),
                json!({"seq": 2}),
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    }

    // All come back at once.
    let resumes = users
        .iter()
        .zip(&positions)
        .map(|(u, p)| Ws::resume(&app, &u.access, p.clone()));
    let replays: Vec<(Ws, Vec<Value>)> = futures_util::future::join_all(resumes).await;

    for (i, (_, replayed)) in replays.iter().enumerate() {
        let (g, saw_first) = (i / PER_GROUP, i % 2 == 0);
        let group = &groups[g];
        let mine: Vec<&Value> = replayed
            .iter()
            .filter(|f| f["conversation_id"] == group.as_str())
            .collect();
        // In ev order: a message edited while they were away comes where its edit is.
        let mut new: Vec<i64> = mine
            .iter()
            .filter(|f| f["type"] == "message.new")
            .map(|f| f["message"]["seq"].as_i64().unwrap())
            .collect();
        new.sort_unstable();
        let from = if saw_first { 2 } else { 1 };
        let last = 1 + 2 * (g as i64 + 1);
        assert_eq!(new, (from..=last).collect::<Vec<_>>(), "user{i}: {mine:?}");
        let evs: Vec<i64> = mine.iter().filter_map(|f| f["ev"].as_i64()).collect();
        assert!(
            evs.windows(2).all(|w| w[0] < w[1]),
            "user{i}: ev order {evs:?}"
        );
        let first = mine.iter().find(|f| f["message"]["seq"] == 1);
        match (g, saw_first) {
            // The edit of a message they had: an update, once.
            (1, true) => {
                let f = first.expect("the edit");
                assert_eq!(
                    (&f["type"], &f["message"]["body"]),
                    (&json!("message.updated"), &json!("edited"))
                );
            }
            // The message they missed, as it is now.
            (1, false) => assert_eq!(first.unwrap()["message"]["body"], "edited"),
            (_, true) => assert!(first.is_none(), "user{i}: {first:?}"),
            (_, false) => assert_eq!(first.unwrap()["message"]["body"], "first"),
        }
        let reader = &users[g * PER_GROUP + 1].user_id;
        let reads: Vec<&&Value> = mine.iter().filter(|f| f["type"] == "read").collect();
        assert_eq!(reads.len(), 1, "user{i}: {reads:?}");
        assert_eq!(
            (&reads[0]["user_id"], &reads[0]["seq"]),
            (&json!(reader), &json!(2))
        );
        // Nothing of a conversation they are not in.
        let theirs = [group.as_str(), direct.as_str()];
        for f in replayed.iter().filter(|f| f["conversation_id"].is_string()) {
            let c = f["conversation_id"].as_str().unwrap();
            assert!(theirs.contains(&c), "user{i} got {f}");
            assert!(c != direct || i == 0 || i == PER_GROUP, "user{i} got {f}");
        }
        let directs = replayed
            .iter()
            .filter(|f| f["conversation_id"] == direct.as_str() && f["type"] == "message.new")
            .count();
        let in_direct = i == 0 || i == PER_GROUP;
        assert_eq!(
            directs,
            usize::from(in_direct),
            "user{i}: the direct message"
        );
    }
}
