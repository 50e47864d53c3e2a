//! Who may add me to a group: friends by default, or everyone, or nobody; anyone
//! else's addition is an invitation that shows nothing of the invitee (not in the
//! member list, no presence) until they accept, and can be declined unseen.

use std::time::Duration;

use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

use crate::{
    backend_tests,
    helpers::{spawn_app_with, Backend, Session, TestApp},
    ws_client::Ws,
};

backend_tests!(strangers_invite_friends_add_and_the_invitee_decides);

async fn set(app: &TestApp, who: &Session, v: &str) -> crate::helpers::Reply {
    let body = json!({"group_invites": v});
    app.request(
        Method::PATCH,
        "/api/v1/users/me",
        Some(&who.access),
        Some(body),
    )
    .await
}

fn member<'a>(conv: &'a Value, who: &Session) -> Option<&'a Value> {
    conv["members"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["user_id"] == json!(who.user_id))
}

async fn strangers_invite_friends_add_and_the_invitee_decides(b: Backend) {
    let Some(app) = spawn_app_with(b, &["--default-group-invites", "friends"]).await else {
        return;
    };
    let (ann, ben, cat, dan) = (
        app.register("ann").await,
        app.register("ben").await,
        app.register("cat").await,
        app.register("dan").await,
    );
    app.befriend(&ann, &ben).await;
    let me = app.get("/api/v1/users/me", &cat.access).await.body;
    assert_eq!(me["group_invites"], "friends", "the default");

    // A group with a friend and a stranger: the friend is in, the stranger invited.
    let g = app.group(&ann, "ward", &[&ben, &cat]).await;
    let conv = app
        .get(&format!("/api/v1/conversations/{g}"), &ben.access)
        .await
        .body;
    assert!(member(&conv, &ben).is_some());
    assert!(
        member(&conv, &cat).is_none(),
        "nothing of cat until she accepts"
    );
    let inv = app.get("/api/v1/invitations", &cat.access).await.body;
    assert_eq!(
        (
            inv[0]["conversation_id"].as_str(),
            inv[0]["name"].as_str(),
            inv[0]["invited_by"]["username"].as_str()
        ),
        (Some(g.as_str()), Some("ward"), Some("ann")),
        "{inv}"
    );
    let notes = app.get("/api/v1/notifications", &cat.access).await.body;
    assert!(notes.to_string().contains("group_invited"), "{notes}");
    assert_eq!(
        app.get(&format!("/api/v1/conversations/{g}"), &cat.access)
            .await
            .status,
        StatusCode::NOT_FOUND,
        "an invitee is not a member"
    );

    // Cat comes online: ben, in the group, hears nothing of it.
    let (mut watch, _) = Ws::resume_all(
        &app,
        &ben.access,
        Default::default(),
        None,
        &["notification.new"],
    )
    .await;
    let _cat_online = Ws::connect(&app, &cat.access).await;
    watch.expect_quiet(Duration::from_millis(600)).await;

    // She accepts: a member, announced in the history, and seen.
    let ok = app
        .post(
            &format!("/api/v1/invitations/{g}/accept"),
            Some(&cat.access),
            json!({}),
        )
        .await;
    assert_eq!(ok.status, StatusCode::OK, "{:?}", ok.body);
    let conv = app
        .get(&format!("/api/v1/conversations/{g}"), &ben.access)
        .await
        .body;
    let cat_member = member(&conv, &cat).expect("a member now");
    assert_eq!(cat_member["presence"]["status"], "online", "{cat_member}");
    let history = app
        .get(&format!("/api/v1/conversations/{g}/messages"), &ben.access)
        .await
        .body;
    let last = history["items"].as_array().unwrap().last().unwrap().clone();
    assert_eq!(
        (
            last["system"]["event"].as_str(),
            last["sender_id"].as_str(),
            last["system"]["invited_by"].as_str()
        ),
        (
            Some("member_joined"),
            Some(cat.user_id.as_str()),
            Some(ann.user_id.as_str())
        ),
        "{last}"
    );
    assert_eq!(
        app.get("/api/v1/invitations", &cat.access).await.body,
        json!([])
    );

    // Adding a stranger later is an invitation too (202), which can be declined unseen.
    let members = format!("/api/v1/conversations/{g}/members");
    let r = app
        .post(&members, Some(&ann.access), json!({"user_id": dan.user_id}))
        .await;
    assert_eq!(r.status, StatusCode::ACCEPTED, "{:?}", r.body);
    assert!(member(&r.body, &dan).is_none());
    let no = app
        .post(
            &format!("/api/v1/invitations/{g}/decline"),
            Some(&dan.access),
            json!({}),
        )
        .await;
    assert_eq!(no.status, StatusCode::NO_CONTENT);
    for path in ["decline", "accept"] {
        let again = app
            .post(
                &format!("/api/v1/invitations/{g}/{path}"),
                Some(&dan.access),
                json!({}),
            )
            .await;
        assert_eq!(
            again.status,
            StatusCode::NOT_FOUND,
            "{path} after declining"
        );
    }

    // The setting: dan lets everyone add him; ben (a friend) lets nobody.
    assert_eq!(
        set(&app, &dan, "everyone").await.body["group_invites"],
        "everyone"
    );
    assert_eq!(set(&app, &ben, "nobody").await.status, StatusCode::OK);
    assert_eq!(
        set(&app, &ben, "strangers").await.status,
        StatusCode::UNPROCESSABLE_ENTITY
    );
    let r = app
        .post(&members, Some(&ann.access), json!({"user_id": dan.user_id}))
        .await;
    assert_eq!(
        r.status,
        StatusCode::OK,
        "everyone may add dan: {:?}",
        r.body
    );
    let two = app.group(&ann, "two", &[&dan]).await;
    let r = app
        .post(
            &format!("/api/v1/conversations/{two}/members"),
            Some(&ann.access),
            json!({"user_id": ben.user_id}),
        )
        .await;
    assert_eq!(
        r.status,
        StatusCode::ACCEPTED,
        "nobody adds ben directly, not even a friend"
    );
}
