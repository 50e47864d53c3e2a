//! Reactions: any member adds or takes back emoji on a message; each change is
//! stored with an ev, streamed as message.updated and replayed on resume; history
//! carries them; bad emoji, strangers, deleted messages and a 21st kind are refused.

use std::collections::HashMap;

use reqwest::{Method, StatusCode};
use serde_json::Value;

use crate::{
    backend_tests,
    helpers::{spawn_app, Backend, Reply, Session, TestApp},
    ws_client::Ws,
};

backend_tests!(reactions_are_stored_streamed_replayed_and_bounded);

/// Every byte percent-encoded: `#` in a keycap would otherwise end the path.
fn enc(s: &str) -> String {
    s.bytes().map(|b| format!("%{b:02X}")).collect()
}

async fn react(app: &TestApp, who: &Session, m: &str, emoji: &str, add: bool) -> Reply {
    let method = if add { Method::PUT } else { Method::DELETE };
    let path = format!("/api/v1/messages/{m}/reactions/{}", enc(emoji));
    app.request(method, &path, Some(&who.access), None).await
}

/// `[(emoji, [user ids])]` of a message view.
fn reactions(m: &Value) -> Vec<(String, Vec<String>)> {
    m["reactions"]
        .as_array()
        .map(|a| {
            a.iter()
                .map(|r| {
                    let users = r["user_ids"].as_array().unwrap();
                    let users = users.iter().map(|u| u.as_str().unwrap().to_owned());
                    (r["emoji"].as_str().unwrap().to_owned(), users.collect())
                })
                .collect()
        })
        .unwrap_or_default()
}

async fn reactions_are_stored_streamed_replayed_and_bounded(b: Backend) {
    let Some(app) = spawn_app(b).await else {
        return;
    };
    let (ann, ben, cat) = (
        app.register("ann").await,
        app.register("ben").await,
        app.register("cat").await,
    );
    let c = app.direct(&ann, &ben).await;
    let sent = app.say(&ann, &c, "r1", "react to me").await.body;
    let (m, sent_ev) = (
        sent["id"].as_str().unwrap().to_owned(),
        sent["ev"].as_i64().unwrap(),
    );
    let mut bb = Ws::connect(&app, &ben.access).await;

    let r = react(&app, &ann, &m, "👍", true).await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    let (a, bn) = (ann.user_id.clone(), ben.user_id.clone());
    assert_eq!(reactions(&r.body), vec![("👍".to_owned(), vec![a.clone()])]);
    let live = bb.next_of("message.updated").await;
    assert_eq!(reactions(&live["message"]), reactions(&r.body));
    assert!(live["ev"].as_i64().unwrap() > sent_ev);

    let r = react(&app, &ben, &m, "👍", true).await;
    let ev = r.body["ev"].as_i64().unwrap();
    let again = react(&app, &ben, &m, "👍", true).await;
    assert_eq!(again.body["ev"], ev, "adding twice stores nothing");
    react(&app, &ben, &m, "#️⃣", true).await;
    let r = react(&app, &ann, &m, "👍", false).await;
    assert_eq!(
        reactions(&r.body),
        vec![
            ("👍".to_owned(), vec![bn.clone()]),
            ("#️⃣".to_owned(), vec![bn.clone()])
        ]
    );
    let final_ev = r.body["ev"].as_i64().unwrap();
    let gone = react(&app, &ann, &m, "👍", false).await;
    assert_eq!(
        gone.body["ev"], final_ev,
        "taking back twice stores nothing"
    );

    // History and a resume from before the reactions carry the current state.
    let page = app
        .get(&format!("/api/v1/conversations/{c}/messages"), &ann.access)
        .await
        .body;
    assert_eq!(reactions(&page["items"][0]), reactions(&r.body));
    let (_, replayed) = Ws::resume(&app, &ann.access, HashMap::from([(c.clone(), sent_ev)])).await;
    let updates: Vec<_> = replayed
        .iter()
        .filter(|f| f["type"] == "message.updated")
        .collect();
    assert_eq!(updates.len(), 1, "one replay of the message: {replayed:?}");
    assert_eq!(updates[0]["ev"], final_ev);
    assert_eq!(reactions(&updates[0]["message"]), reactions(&r.body));

    // Refusals.
    for bad in ["ok", "1", "👍 👍", "<b>"] {
        let r = react(&app, &ann, &m, bad, true).await;
        assert_eq!(
            r.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{bad}: {:?}",
            r.body
        );
        assert_eq!(r.body["error"]["code"], "invalid_emoji");
    }
    assert_eq!(
        react(&app, &cat, &m, "👍", true).await.status,
        StatusCode::NOT_FOUND
    );
    let kinds = [
        "😀", "😁", "😂", "🤣", "😃", "😄", "😅", "😆", "😉", "😊", "😋", "😎", "😍", "😘", "🥰",
        "😗", "😙", "🥲",
    ];
    for e in kinds {
        let r = react(&app, &ann, &m, e, true).await;
        assert_eq!(r.status, StatusCode::OK, "{e}: {:?}", r.body);
    }
    let over = react(&app, &ann, &m, "🤔", true).await;
    assert_eq!(
        (over.status, over.body["error"]["code"].as_str()),
        (StatusCode::CONFLICT, Some("too_many_reactions"))
    );
    assert_eq!(
        react(&app, &ben, &m, "😀", true).await.status,
        StatusCode::OK,
        "an emoji already there is not a new kind"
    );
    app.request(
        Method::DELETE,
        &format!("/api/v1/messages/{m}"),
        Some(&ann.access),
        None,
    )
    .await;
    let deleted = react(&app, &ben, &m, "😀", false).await;
    assert_eq!(deleted.status, StatusCode::CONFLICT);
    assert_eq!(deleted.body["error"]["code"], "message_deleted");
    let view = app
        .get(&format!("/api/v1/conversations/{c}/messages"), &ben.access)
        .await
        .body;
    assert!(
        view["items"][0].get("reactions").is_none(),
        "a tombstone shows none"
    );

    // A group's notice of a change takes none.
    let g = app.group(&ann, "Ward", &[&ben]).await;
    let renamed = app
        .request(
            Method::PATCH,
            &format!("/api/v1/conversations/{g}"),
            Some(&ann.access),
            Some(serde_json::json!({"name": "Ward 2"})),
        )
        .await;
    assert_eq!(renamed.status, StatusCode::OK, "{:?}", renamed.body);
    let history = app
        .get(&format!("/api/v1/conversations/{g}/messages"), &ben.access)
        .await
        .body;
    let notice = history["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["kind"] == "system")
        .expect("the rename's notice")["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let r = react(&app, &ben, &notice, "👍", true).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "{:?}", r.body);
}
