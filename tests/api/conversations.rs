use reqwest::{Method, StatusCode};
use serde_json::json;

use crate::{
    backend_tests,
    helpers::{spawn_app, Backend},
};

backend_tests!(
    a_direct_conversation_is_unique_per_pair,
    group_owners_and_admins_manage_members,
    non_members_get_404_for_everything,
    the_list_is_by_activity_with_last_message_and_unread_count,
    leaving_keeps_what_you_could_already_see,
);

async fn a_direct_conversation_is_unique_per_pair(b: Backend) {
    let Some(app) = spawn_app(b).await else {
        return;
    };
    let (ann, ben) = (app.register("ann").await, app.register("ben").await);
    let r = app
        .post(
            "/api/v1/conversations",
            Some(&ann.access),
            json!({"user_id": ben.user_id}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{:?}", r.body);
    assert_eq!(r.body["kind"], "direct");
    assert_eq!(r.body["members"].as_array().unwrap().len(), 2);
    let again = app
        .post(
            "/api/v1/conversations",
            Some(&ben.access),
            json!({"user_id": ann.user_id}),
        )
        .await;
    assert_eq!(
        (again.status, &again.body["id"]),
        (StatusCode::OK, &r.body["id"]),
        "found, not created twice"
    );

    let me = app
        .post(
            "/api/v1/conversations",
            Some(&ann.access),
            json!({"user_id": ann.user_id}),
        )
        .await;
    assert_eq!(
        (me.status, me.code()),
        (StatusCode::UNPROCESSABLE_ENTITY, "self_conversation")
    );
    let ghost = app
        .post(
            "/api/v1/conversations",
            Some(&ann.access),
            json!({"user_id": uuid::Uuid::now_v7()}),
        )
        .await;
    assert_eq!(
        (ghost.status, ghost.code()),
        (StatusCode::UNPROCESSABLE_ENTITY, "unknown_user")
    );
    let both = app
        .post(
            "/api/v1/conversations",
            Some(&ann.access),
            json!({"user_id": ben.user_id, "name": "x"}),
        )
        .await;
    assert_eq!(
        (both.status, both.code()),
        (StatusCode::UNPROCESSABLE_ENTITY, "invalid_conversation")
    );
}

async fn group_owners_and_admins_manage_members(b: Backend) {
    let Some(app) = spawn_app(b).await else {
        return;
    };
    let (own, mem, dan, eve) = (
        app.register("own").await,
        app.register("mem").await,
        app.register("dan").await,
        app.register("eve").await,
    );
    let g = app.group(&own, "Team", &[&mem]).await;
    let path = format!("/api/v1/conversations/{g}");

    let r = app
        .request(
            Method::PATCH,
            &path,
            Some(&mem.access),
            Some(json!({"name": "Mine"})),
        )
        .await;
    assert_eq!(
        r.status,
        StatusCode::FORBIDDEN,
        "a plain member cannot rename"
    );
    let r = app
        .request(
            Method::PATCH,
            &path,
            Some(&own.access),
            Some(json!({"name": " Core team "})),
        )
        .await;
    assert_eq!(
        (r.status, &r.body["name"]),
        (StatusCode::OK, &json!("Core team"))
    );
    let r = app
        .request(
            Method::PATCH,
            &path,
            Some(&own.access),
            Some(json!({"name": ""})),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);

    let add = |who: &crate::helpers::Session, user: &str, role: &str| {
        let (app, url, token, body) = (
            &app,
            format!("{path}/members"),
            who.access.clone(),
            json!({"user_id": user, "role": role}),
        );
        async move { app.post(&url, Some(&token), body).await }
    };
    assert_eq!(
        add(&mem, &dan.user_id, "member").await.status,
        StatusCode::FORBIDDEN
    );
    let r = add(&own, &dan.user_id, "admin").await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    assert_eq!(r.body["members"].as_array().unwrap().len(), 3);
    assert_eq!(
        add(&own, &dan.user_id, "member").await.code(),
        "already_member"
    );
    // An admin adds and removes plain members, but not the owner.
    assert_eq!(
        add(&dan, &eve.user_id, "member").await.status,
        StatusCode::OK
    );
    let del = |who: &crate::helpers::Session, user: &str| {
        let (app, url, token) = (&app, format!("{path}/members/{user}"), who.access.clone());
        async move { app.request(Method::DELETE, &url, Some(&token), None).await }
    };
    assert_eq!(del(&dan, &own.user_id).await.status, StatusCode::FORBIDDEN);
    assert_eq!(del(&mem, &eve.user_id).await.status, StatusCode::FORBIDDEN);
    assert_eq!(del(&dan, &eve.user_id).await.status, StatusCode::NO_CONTENT);
    assert_eq!(
        app.get(&path, &eve.access).await.body["members"]
            .as_array()
            .unwrap()
            .len(),
        3,
        "eve may still look"
    );

    // The owner leaves: the admin becomes owner.
    assert_eq!(
        app.post(&format!("{path}/leave"), Some(&own.access), json!({}))
            .await
            .status,
        StatusCode::NO_CONTENT
    );
    let info = app.get(&path, &dan.access).await.body;
    let dan_role = info["members"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["user_id"] == json!(dan.user_id))
        .unwrap()["role"]
        .clone();
    assert_eq!(dan_role, "owner");
    // Direct conversations have no members to manage.
    let d = app.direct(&mem, &dan).await;
    assert_eq!(
        app.post(
            &format!("/api/v1/conversations/{d}/leave"),
            Some(&mem.access),
            json!({})
        )
        .await
        .code(),
        "not_a_group"
    );
}

async fn non_members_get_404_for_everything(b: Backend) {
    let Some(app) = spawn_app(b).await else {
        return;
    };
    let (ann, ben, eve) = (
        app.register("ann").await,
        app.register("ben").await,
        app.register("eve").await,
    );
    let c = app.group(&ann, "Private", &[&ben]).await;
    let msg = app.say(&ann, &c, "m1", "secret").await;
    let mid = msg.body["id"].as_str().unwrap().to_owned();
    let base = format!("/api/v1/conversations/{c}");
    for (method, path, body) in [
        (Method::GET, base.clone(), None),
        (Method::PATCH, base.clone(), Some(json!({"name": "mine"}))),
        (Method::GET, format!("{base}/messages"), None),
        (
            Method::POST,
            format!("{base}/messages"),
            Some(json!({"client_msg_id": "x", "body": "hi"})),
        ),
        (
            Method::POST,
            format!("{base}/read"),
            Some(json!({"seq": 1})),
        ),
        (
            Method::POST,
            format!("{base}/members"),
            Some(json!({"user_id": eve.user_id})),
        ),
        (Method::POST, format!("{base}/leave"), Some(json!({}))),
        (
            Method::PATCH,
            format!("/api/v1/messages/{mid}"),
            Some(json!({"body": "pwned"})),
        ),
        (Method::DELETE, format!("/api/v1/messages/{mid}"), None),
        (
            Method::POST,
            format!("/api/v1/messages/{mid}/restore"),
            None,
        ),
    ] {
        let r = app
            .request(method.clone(), &path, Some(&eve.access), body)
            .await;
        assert_eq!(
            r.status,
            StatusCode::NOT_FOUND,
            "{method} {path}: {:?}",
            r.body
        );
    }
    // Indistinguishable from a conversation that does not exist.
    let none = app
        .get(
            &format!("/api/v1/conversations/{}", uuid::Uuid::now_v7()),
            &eve.access,
        )
        .await;
    let some = app.get(&base, &eve.access).await;
    assert_eq!(none.body, some.body);
    assert_eq!(
        app.get(&format!("{base}/messages"), &ann.access).await.body["items"][0]["body"],
        "secret"
    );
}

async fn the_list_is_by_activity_with_last_message_and_unread_count(b: Backend) {
    let Some(app) = spawn_app(b).await else {
        return;
    };
    let (ann, ben, cat) = (
        app.register("ann").await,
        app.register("ben").await,
        app.register("cat").await,
    );
    let ab = app.direct(&ann, &ben).await;
    let bc = app.direct(&ben, &cat).await;
    for i in 1..=3 {
        app.say(&ann, &ab, &format!("a{i}"), &format!("hello {i}"))
            .await;
    }
    app.say(&cat, &bc, "c1", "from cat").await;
    let list = app.get("/api/v1/conversations", &ben.access).await.body;
    let items = list["items"].as_array().unwrap();
    assert_eq!(items.len(), 2);
    assert_eq!(items[0]["id"], json!(bc), "newest activity first");
    assert_eq!(
        (
            items[1]["unread_count"].as_i64(),
            items[1]["last_message"]["body"].as_str()
        ),
        (Some(3), Some("hello 3"))
    );

    let read = app
        .post(
            &format!("/api/v1/conversations/{ab}/read"),
            Some(&ben.access),
            json!({"seq": 2}),
        )
        .await;
    assert_eq!(read.body["last_read_seq"], 2);
    let back = app
        .post(
            &format!("/api/v1/conversations/{ab}/read"),
            Some(&ben.access),
            json!({"seq": 1}),
        )
        .await;
    assert_eq!(
        back.body["last_read_seq"], 2,
        "read markers only move forward"
    );
    let beyond = app
        .post(
            &format!("/api/v1/conversations/{ab}/read"),
            Some(&ben.access),
            json!({"seq": 99}),
        )
        .await;
    assert_eq!(
        beyond.body["last_read_seq"], 3,
        "capped at the newest message"
    );
    app.say(&ann, &ab, "a4", "one more").await;
    let mid = app.say(&ann, &ab, "a5", "deleted soon").await.body["id"]
        .as_str()
        .unwrap()
        .to_owned();
    app.request(
        Method::DELETE,
        &format!("/api/v1/messages/{mid}"),
        Some(&ann.access),
        None,
    )
    .await;
    let one = app
        .get(&format!("/api/v1/conversations/{ab}"), &ben.access)
        .await
        .body;
    assert_eq!(one["unread_count"], 1, "deleted messages do not count");
    assert_eq!(one["unread_more"], false, "well within the counted window");
    assert_eq!(
        app.get(&format!("/api/v1/conversations/{ab}"), &ann.access)
            .await
            .body["unread_count"],
        0,
        "own messages do not count"
    );

    // Paging: one per page, newest activity first.
    let first = app
        .get("/api/v1/conversations?limit=1", &ben.access)
        .await
        .body;
    assert_eq!(first["items"][0]["id"], json!(ab));
    let cursor = first["next_cursor"].as_str().unwrap();
    let second = app
        .get(
            &format!("/api/v1/conversations?limit=1&cursor={cursor}"),
            &ben.access,
        )
        .await
        .body;
    assert_eq!(
        (
            second["items"][0]["id"].clone(),
            second["next_cursor"].clone()
        ),
        (json!(bc), json!(null))
    );
}

async fn leaving_keeps_what_you_could_already_see(b: Backend) {
    let Some(app) = spawn_app(b).await else {
        return;
    };
    let (ann, ben) = (app.register("ann").await, app.register("ben").await);
    let g = app.group(&ann, "Club", &[&ben]).await;
    app.say(&ann, &g, "before", "before you left").await;
    app.post(
        &format!("/api/v1/conversations/{g}/leave"),
        Some(&ben.access),
        json!({}),
    )
    .await;
    app.say(&ann, &g, "after", "after you left").await;
    let seen = app
        .get(&format!("/api/v1/conversations/{g}/messages"), &ben.access)
        .await;
    assert_eq!(seen.status, StatusCode::OK);
    let bodies: Vec<_> = seen.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["body"].clone())
        .collect();
    assert_eq!(bodies, vec![json!("before you left")]);
    assert_eq!(
        app.say(&ben, &g, "nope", "can I?").await.status,
        StatusCode::NOT_FOUND
    );
    let list = app.get("/api/v1/conversations", &ben.access).await.body;
    assert_eq!(list["items"], json!([]), "no longer in the list");
    let one = app
        .get(&format!("/api/v1/conversations/{g}"), &ben.access)
        .await;
    assert_eq!(one.status, StatusCode::OK, "{:?}", one.body);
    assert_eq!(
        (&one.body["unread_count"], &one.body["unread_more"]),
        (&json!(1), &json!(false)),
        "unread counts only what a former member may read: {}",
        one.body
    );

    // What happened after ben left stays out of his view of the group: who
    // joined, how far the others read, how far it went on.
    let cat = app.register("cat").await;
    // Later than "after you left" by more than the clock's millisecond.
    tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    let added = app
        .post(
            &format!("/api/v1/conversations/{g}/members"),
            Some(&ann.access),
            json!({"user_id": cat.user_id}),
        )
        .await;
    assert!(added.status.is_success(), "{:?}", added.body);
    let now = app
        .get(&format!("/api/v1/conversations/{g}"), &ann.access)
        .await;
    let latest = now.body["last_seq"].as_i64().unwrap();
    app.post(
        &format!("/api/v1/conversations/{g}/read"),
        Some(&ann.access),
        json!({"seq": latest}),
    )
    .await;
    let seen_up_to = seen.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["seq"].as_i64().unwrap())
        .max()
        .unwrap();
    let one = app
        .get(&format!("/api/v1/conversations/{g}"), &ben.access)
        .await
        .body;
    assert_eq!(one["last_seq"], json!(seen_up_to), "{one}");
    assert_eq!(one["last_message"]["seq"], json!(seen_up_to), "{one}");
    assert!(latest > seen_up_to);
    let members: Vec<_> = one["members"].as_array().unwrap().iter().collect();
    assert!(
        members.iter().all(|m| m["user_id"] != json!(cat.user_id)),
        "cat joined after ben left: {one}"
    );
    let ann_seen = members
        .iter()
        .find(|m| m["user_id"] == json!(ann.user_id))
        .expect("ann was there when ben left");
    assert!(
        ann_seen["last_read_seq"].as_i64().unwrap() <= seen_up_to
            && ann_seen["last_delivered_seq"].as_i64().unwrap() <= seen_up_to,
        "{one}"
    );
    // Nor when it was last busy: at most when the first message after him came.
    let all = app
        .get(&format!("/api/v1/conversations/{g}/messages"), &ann.access)
        .await
        .body;
    let after_at = all["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["body"] == json!("after you left"))
        .unwrap()["created_at"]
        .clone();
    assert!(
        one["last_activity_at"].as_str().unwrap() <= after_at.as_str().unwrap(),
        "{one} {after_at}"
    );
}
