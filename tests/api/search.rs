//! Message search on every backend's own full-text index: words as prefixes, all
//! of them; only the caller's conversations (a former member's up to leaving);
//! never deleted messages or group notices; filters by conversation, sender and
//! time; newest first, in pages; bad input refused.

use reqwest::{Method, StatusCode};
use serde_json::Value;

use crate::{
    backend_tests,
    helpers::{spawn_app, Backend, Session, TestApp},
};

backend_tests!(search_finds_only_what_the_caller_may_read);

async fn search(app: &TestApp, who: &Session, query: &str) -> (StatusCode, Value) {
    let r = app
        .get(&format!("/api/v1/search/messages?{query}"), &who.access)
        .await;
    (r.status, r.body)
}

/// The bodies found, newest first.
async fn found(app: &TestApp, who: &Session, query: &str) -> Vec<String> {
    let (status, body) = search(app, who, query).await;
    assert_eq!(status, StatusCode::OK, "{query}: {body}");
    body["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["body"].as_str().unwrap().to_owned())
        .collect()
}

async fn search_finds_only_what_the_caller_may_read(b: Backend) {
    let Some(app) = spawn_app(b).await else {
        return;
    };
    let (ann, ben, cat, dan) = (
        app.register("ann").await,
        app.register("ben").await,
        app.register("cat").await,
        app.register("dan").await,
    );
    let direct = app.direct(&ann, &ben).await;
    let group = app.group(&ann, "Reports", &[&ben, &cat]).await;
    let strangers = app.direct(&cat, &dan).await;
    let say = |who: &Session, c: &str, id: &str, body: &str| {
        let (who, c, id, body) = (who.clone(), c.to_owned(), id.to_owned(), body.to_owned());
        let app = &app;
        async move {
            let r = app.say(&who, &c, &id, &body).await;
            assert_eq!(r.status, StatusCode::CREATED, "{:?}", r.body);
            r.body
        }
    };
    let first = say(&ann, &direct, "s1", "The Quarterly REPORT is ready").await;
    say(&ben, &direct, "s2", "report received, thanks").await;
    say(&cat, &group, "s3", "group report: ward three").await;
    say(&cat, &strangers, "s4", "secret report for dan").await;
    let gone = say(&ann, &direct, "s5", "draft report, ignore").await;
    let path = format!("/api/v1/messages/{}", gone["id"].as_str().unwrap());
    app.request(Method::DELETE, &path, Some(&ann.access), None)
        .await;

    // Everything ann may read, newest first; prefixes; every word must match.
    assert_eq!(
        found(&app, &ann, "q=report").await,
        [
            "group report: ward three",
            "report received, thanks",
            "The Quarterly REPORT is ready"
        ]
    );
    assert_eq!(
        found(&app, &ann, "q=repo").await.len(),
        3,
        "a prefix finds the word"
    );
    assert_eq!(
        found(&app, &ann, "q=quarterly%20report").await,
        ["The Quarterly REPORT is ready"]
    );
    assert!(found(&app, &ann, "q=quarterly%20secret").await.is_empty());
    assert!(
        found(&app, &ann, "q=secret").await.is_empty(),
        "not her conversation"
    );
    assert!(found(&app, &ann, "q=draft").await.is_empty(), "deleted");
    assert!(
        found(&app, &ann, "q=reports").await.is_empty(),
        "group notices are not messages"
    );

    // Filters: one conversation, one sender, a time range.
    assert_eq!(
        found(&app, &ann, &format!("q=report&conversation_id={direct}"))
            .await
            .len(),
        2
    );
    assert_eq!(
        found(&app, &ann, &format!("q=report&from={}", ben.user_id)).await,
        ["report received, thanks"]
    );
    let at = first["created_at"].as_str().unwrap().replace('+', "%2B");
    assert_eq!(
        found(&app, &ann, &format!("q=report&until={at}"))
            .await
            .len(),
        0
    );
    assert_eq!(
        found(&app, &ann, &format!("q=report&since={at}"))
            .await
            .len(),
        3
    );

    // Pages: one at a time, same order, then no cursor.
    let (_, page1) = search(&app, &ann, "q=report&limit=2").await;
    let cursor = page1["next_cursor"]
        .as_str()
        .expect("a second page")
        .to_owned();
    let (_, page2) = search(&app, &ann, &format!("q=report&limit=2&cursor={cursor}")).await;
    assert_eq!(page2["items"][0]["body"], "The Quarterly REPORT is ready");
    assert!(page2["next_cursor"].is_null());

    // A former member finds what was there until they left, nothing after.
    let leave = format!("/api/v1/conversations/{group}/leave");
    app.post(&leave, Some(&ben.access), serde_json::json!({}))
        .await;
    say(&cat, &group, "s6", "report after ben left").await;
    assert_eq!(
        found(&app, &ben, &format!("q=report&conversation_id={group}")).await,
        ["group report: ward three"]
    );
    assert_eq!(
        found(&app, &ann, &format!("q=report&conversation_id={group}"))
            .await
            .len(),
        2
    );

    // Refusals.
    for (query, code) in [
        ("q=", "no_search_words"),
        ("q=a%20ok", "no_search_words"),
        ("q=report&limit=0", "invalid_limit"),
        ("q=report&since=yesterday", "invalid_time"),
        ("q=report&cursor=bm9wZQ", "invalid_cursor"),
    ] {
        let (status, body) = search(&app, &ann, query).await;
        assert_eq!(
            (status, body["error"]["code"].as_str()),
            (StatusCode::UNPROCESSABLE_ENTITY, Some(code)),
            "{query}"
        );
    }
    let (status, _) = search(&app, &ann, &format!("q=report&conversation_id={strangers}")).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    // Query syntax of any backend is just text.
    for hostile in [
        "%22report%22%20OR%20*",
        "report%27%3B%20DROP",
        "report%20-x%20%2Bq%20(a)",
    ] {
        let (status, body) = search(&app, &ann, &format!("q={hostile}")).await;
        assert_eq!(status, StatusCode::OK, "{hostile}: {body}");
    }
}
