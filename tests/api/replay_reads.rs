//! A resume replays what changed in a conversation after an `ev`
//! (store/changes.rs). On SQLite, messages never changed are found by `seq` and
//! changed ones through a partial index; on the others one index range. From every
//! point, with any page size and bound, the replay must be exactly what a reading
//! of the whole conversation says changed after that point, in `ev` order.

use confab::domain::{ConversationId, Message, UserId};
use reqwest::Method;
use serde_json::json;

use crate::{
    backend_tests,
    helpers::{spawn_app, Backend, Session, TestApp},
};

backend_tests!(a_replay_from_any_point_is_every_change_after_it);

async fn ok(
    app: &TestApp,
    who: &Session,
    method: Method,
    path: &str,
    body: Option<serde_json::Value>,
) {
    let r = app.request(method, path, Some(&who.access), body).await;
    assert!(r.status.is_success(), "{path}: {:?}", r.body);
}

async fn a_replay_from_any_point_is_every_change_after_it(b: Backend) {
    let Some(app) = spawn_app(b).await else {
        return;
    };
    let (ann, ben) = (app.register("ann").await, app.register("ben").await);
    let c = app.group(&ann, "ward", &[&ben]).await;
    // More messages than the first look at the newest ones reads (64), so a point
    // far back is found by the binary search below them.
    let mut ids = Vec::new();
    for i in 0..150 {
        let who = [&ann, &ben][i % 3 / 2];
        let m = app
            .say(who, &c, &format!("m{i}"), &format!("text {i}"))
            .await;
        ids.push(m.body["id"].as_str().unwrap().to_owned());
    }
    // Changes to old and new messages (ben sent every third: 2, 5, ...), a group
    // change among them, then more sends.
    let msg = |i: usize| format!("/api/v1/messages/{}", ids[i]);
    ok(
        &app,
        &ben,
        Method::PATCH,
        &msg(2),
        Some(json!({"body": "edited early"})),
    )
    .await;
    ok(&app, &ben, Method::DELETE, &msg(5), None).await;
    ok(
        &app,
        &ben,
        Method::PUT,
        &format!("{}/reactions/%F0%9F%94%A5", msg(140)),
        None,
    )
    .await;
    let rename = Some(json!({"name": "ward 2"}));
    ok(
        &app,
        &ann,
        Method::PATCH,
        &format!("/api/v1/conversations/{c}"),
        rename,
    )
    .await;
    ok(
        &app,
        &ann,
        Method::PATCH,
        &msg(100),
        Some(json!({"body": "edited late"})),
    )
    .await;
    ok(
        &app,
        &ben,
        Method::POST,
        &format!("{}/restore", msg(5)),
        None,
    )
    .await;
    ok(
        &app,
        &ann,
        Method::PUT,
        &format!("{}/reactions/%F0%9F%8E%89", msg(10)),
        None,
    )
    .await;
    let mut later = Vec::new();
    for i in 150..160 {
        let m = app
            .say(&ann, &c, &format!("m{i}"), &format!("text {i}"))
            .await;
        later.push(m.body["id"].as_str().unwrap().to_owned());
    }
    let last = Some(json!({"body": "edited last"}));
    ok(
        &app,
        &ann,
        Method::PATCH,
        &format!("/api/v1/messages/{}", later[5]),
        last,
    )
    .await;

    let store = &app.chat.store;
    let conversation: ConversationId = c.parse().unwrap();
    let reader: UserId = ann.user_id.parse().unwrap();
    // The whole conversation by seq: no ev index involved.
    let all = store
        .messages_page(conversation, reader, None, Some(0), 500)
        .await
        .unwrap();
    assert_eq!(all.len(), 161, "160 messages and the rename");
    assert!(all.iter().filter(|m| m.ev > m.created_ev).count() >= 6);
    let last_ev = all.iter().map(|m| m.ev).max().unwrap();
    let expect = |after: i64, max_seq: i64, limit: usize| {
        let mut e: Vec<&Message> = all
            .iter()
            .filter(|m| m.ev > after && m.seq <= max_seq)
            .collect();
        e.sort_by_key(|m| m.ev);
        e.into_iter().take(limit).cloned().collect::<Vec<_>>()
    };
    for after in 0..=last_ev + 1 {
        for (max_seq, limit) in [(i64::MAX, 500), (i64::MAX, 3), (120, 500), (40, 7)] {
            let got = store
                .messages_changed_since(conversation, after, max_seq, limit)
                .await
                .unwrap();
            assert_eq!(
                got,
                expect(after, max_seq, limit as usize),
                "after ev {after}, up to seq {max_seq}, {limit} at most"
            );
        }
    }
    // Paging through from the start gives every message once, at its latest.
    let (mut from, mut seen) = (0, Vec::new());
    loop {
        let page = store
            .messages_changed_since(conversation, from, i64::MAX, 7)
            .await
            .unwrap();
        let Some(last) = page.last() else { break };
        from = last.ev;
        seen.extend(page);
    }
    assert_eq!(seen, expect(0, i64::MAX, usize::MAX));
}
