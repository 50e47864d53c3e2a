//! On SQLite the hot reads (a page of history, the session behind a token) go
//! through SQLite's own API (store/sqlite_native.rs). They must give exactly the
//! answers of the portable sqlx path, which the other backends use: the same
//! messages in the same order, with edits, deletions, reactions and a former
//! member's bound, and the same session and user.

use confab::domain::{SessionId, Timestamp, UserId};
use reqwest::Method;
use serde_json::json;

use crate::helpers::{spawn_app, Backend, Session, TestApp};

async fn react(app: &TestApp, who: &Session, m: &str, emoji: &str) {
    let path = format!("/api/v1/messages/{m}/reactions/{emoji}");
    let r = app
        .request(Method::PUT, &path, Some(&who.access), None)
        .await;
    assert!(r.status.is_success(), "{:?}", r.body);
}

#[tokio::test]
async fn native_reads_answer_as_the_portable_path_does() {
    let app = spawn_app(Backend::Sqlite).await.unwrap();
    let (ann, ben, cat, dan) = (
        app.register("ann").await,
        app.register("ben").await,
        app.register("cat").await,
        app.register("dan").await,
    );
    let c = app.group(&ann, "G", &[&ben, &cat]).await;
    let mut ids = Vec::new();
    for i in 0..30 {
        let who = [&ann, &ben][i % 2];
        let m = app
            .say(who, &c, &format!("m{i}"), &format!("text {i}"))
            .await;
        ids.push(m.body["id"].as_str().unwrap().to_owned());
    }
    react(&app, &ben, &ids[3], "%F0%9F%94%A5").await;
    react(&app, &cat, &ids[3], "%F0%9F%94%A5").await;
    react(&app, &cat, &ids[3], "%F0%9F%8E%89").await;
    react(&app, &ann, &ids[20], "%E2%9D%A4").await;
    let edit = json!({"body": "edited"});
    let r = app
        .request(
            Method::PATCH,
            &format!("/api/v1/messages/{}", ids[4]),
            Some(&ann.access),
            Some(edit),
        )
        .await;
    assert!(r.status.is_success(), "{:?}", r.body);
    let r = app
        .request(
            Method::DELETE,
            &format!("/api/v1/messages/{}", ids[7]),
            Some(&ben.access),
            None,
        )
        .await;
    assert!(r.status.is_success(), "{:?}", r.body);
    let r = app
        .post(
            &format!("/api/v1/conversations/{c}/leave"),
            Some(&cat.access),
            json!({}),
        )
        .await;
    assert!(r.status.is_success(), "{:?}", r.body);
    for i in 30..40 {
        app.say(&ann, &c, &format!("m{i}"), &format!("text {i}"))
            .await;
    }

    let native = app.chat.store.clone();
    assert!(native.reads_natively(), "a SQLite file reads natively");
    let portable = native.portable_reads();
    assert!(!portable.reads_natively());
    let conversation = c.parse().unwrap();
    let mut compared = 0;
    for who in [&ann, &cat, &dan] {
        let reader: UserId = who.user_id.parse().unwrap();
        for (before, after, limit) in [
            (None, None, 50),
            (None, None, 5),
            (Some(10), None, 6),
            (None, Some(2), 6),
            (None, Some(25), 50),
            (Some(41), None, 100),
            (Some(1), None, 5),
            (None, Some(40), 5),
        ] {
            let a = native
                .messages_page(conversation, reader, before, after, limit)
                .await
                .unwrap();
            let b = portable
                .messages_page(conversation, reader, before, after, limit)
                .await
                .unwrap();
            assert_eq!(a, b, "{} {before:?} {after:?} {limit}", who.username);
            compared += a.len();
        }
    }
    // The pages held what the comparison is about, not just empty pages.
    let all = native
        .messages_page(conversation, ann.user_id.parse().unwrap(), None, None, 100)
        .await
        .unwrap();
    assert_eq!(all.len(), 41, "40 messages and the leaving notice");
    assert_eq!(all[3].reactions.len(), 2, "fire (ben, cat) and tada");
    assert_eq!(all[3].reactions[0].user_ids.len(), 2);
    assert_eq!(all[4].body, "edited");
    assert!(all[7].deleted_at.is_some());
    let cats = native
        .messages_page(conversation, cat.user_id.parse().unwrap(), None, None, 100)
        .await
        .unwrap();
    assert!(
        cats.len() < all.len(),
        "a former member reads up to leaving"
    );
    assert!(compared > 150, "compared {compared} messages");

    // What a resume reads: memberships, changes since a point, markers.
    for who in [&ann, &ben, &cat, &dan] {
        let user: UserId = who.user_id.parse().unwrap();
        let a = native.memberships_of(user).await.unwrap();
        assert_eq!(a, portable.memberships_of(user).await.unwrap());
        let a = native.membership(conversation, user).await.unwrap();
        assert_eq!(a, portable.membership(conversation, user).await.unwrap());
        assert_eq!(a.is_some(), who.username != "dan", "{}", who.username);
    }
    for (after_ev, max_seq, limit) in [(0, i64::MAX, 100), (20, 35, 10), (33, i64::MAX, 3)] {
        let a = native
            .messages_changed_since(conversation, after_ev, max_seq, limit)
            .await
            .unwrap();
        let b = portable
            .messages_changed_since(conversation, after_ev, max_seq, limit)
            .await
            .unwrap();
        assert_eq!(a, b, "changed since {after_ev}");
        assert!(!a.is_empty());
        let a = native.markers_since(conversation, after_ev).await.unwrap();
        assert_eq!(
            a,
            portable
                .markers_since(conversation, after_ev)
                .await
                .unwrap()
        );
    }
    let replay = native
        .messages_changed_since(conversation, 0, i64::MAX, 100)
        .await
        .unwrap();
    assert!(
        replay.iter().any(|m| !m.reactions.is_empty()),
        "reactions replayed"
    );

    // The session behind a token: live, signed out, unknown.
    let ben_id: UserId = ben.user_id.parse().unwrap();
    let live = native
        .live_sessions(ben_id, Timestamp::now())
        .await
        .unwrap();
    assert_eq!(live.len(), 1);
    let r = app
        .post("/api/v1/auth/logout", Some(&ben.access), json!({}))
        .await;
    assert!(r.status.is_success(), "{:?}", r.body);
    for id in [live[0].id, SessionId::new()] {
        let a = native.session_with_user(id).await.unwrap();
        let b = portable.session_with_user(id).await.unwrap();
        assert_eq!(a, b);
    }
    let (session, user) = native.session_with_user(live[0].id).await.unwrap().unwrap();
    assert!(session.revoked_at.is_some(), "the sign-out is seen at once");
    assert_eq!(user.id, ben_id);
}
