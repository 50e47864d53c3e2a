//! Presence with real sockets: several devices, a reconnect within the grace
//! period, invisible mode, and who may see it.

use std::{collections::BTreeSet, time::Duration};

use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

use crate::{
    backend_tests,
    helpers::{spawn_app, Backend, Session, TestApp},
    ws_client::Ws,
};

backend_tests!(
    two_devices_count_and_the_last_one_closing_goes_offline,
    a_reconnect_within_grace_does_not_flap,
    invisible_appears_offline,
    strangers_and_blocked_users_see_nothing,
    several_going_offline_at_once_are_each_announced_with_last_seen,
    invisible_connects_and_disconnects_unseen_with_last_seen_frozen,
    a_direct_conversation_with_a_stranger_shows_no_presence,
    arrivals_together_are_each_announced_to_their_own_audience,
);

/// A direct conversation alone (the `open` policy lets anyone start one) does not
/// show the other person's presence: only friends and co-members of groups see it.
async fn a_direct_conversation_with_a_stranger_shows_no_presence(b: Backend) {
    let Some(app) = spawn_app(b).await else {
        return;
    };
    let (ann, eve) = (app.register("ann").await, app.register("eve").await);
    app.direct(&eve, &ann).await;
    let mut w = watcher(&app, &eve.access).await;
    let _a = Ws::connect(&app, &ann.access).await;
    w.expect_quiet(Duration::from_millis(800)).await;
    let member = first_listed_member(&app, &eve, &ann).await;
    assert!(member.get("presence").is_none(), "{member}");
}

/// `who` as a member of the first conversation in `viewer`'s list.
async fn first_listed_member(app: &TestApp, viewer: &Session, who: &Session) -> Value {
    let listed = app.get("/api/v1/conversations", &viewer.access).await.body;
    listed["items"][0]["members"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["user_id"] == json!(who.user_id))
        .unwrap_or_else(|| panic!("{} in {listed}", who.user_id))
        .clone()
}

/// `who`'s presence in `viewer`'s friends list.
async fn friend_presence(app: &TestApp, viewer: &Session, who: &Session) -> Value {
    let friends = app.get("/api/v1/friends", &viewer.access).await.body;
    friends
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["id"] == json!(who.user_id))
        .unwrap_or_else(|| panic!("{} in {friends}", who.user_id))["presence"]
        .clone()
}

/// Invisible must look exactly like offline: connecting and disconnecting while
/// invisible sends friends nothing, and last-seen stays at when she went invisible.
async fn invisible_connects_and_disconnects_unseen_with_last_seen_frozen(b: Backend) {
    let Some(app) = spawn_app(b).await else {
        return;
    };
    let (ann, ben) = (app.register("ann").await, app.register("ben").await);
    app.befriend(&ann, &ben).await;
    let mut w = watcher(&app, &ben.access).await;
    let first = Ws::connect(&app, &ann.access).await;
    assert_eq!(presence_of(&mut w, &ann.user_id).await["status"], "online");
    let r = app
        .request(
            Method::PUT,
            "/api/v1/users/me/presence",
            Some(&ann.access),
            Some(json!({"mode": "invisible"})),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK);
    let gone = presence_of(&mut w, &ann.user_id).await;
    assert_eq!(gone["status"], "offline");
    let frozen = friend_presence(&app, &ben, &ann).await;
    assert_eq!(frozen["status"], "offline", "{frozen}");
    assert!(
        frozen["last_seen_at"].is_string(),
        "last seen is when she went invisible: {frozen}"
    );
    assert_eq!(gone["last_seen_at"], frozen["last_seen_at"]);

    // Now she comes and goes while invisible, twice, past the grace period.
    tokio::time::sleep(Duration::from_millis(20)).await;
    drop(first);
    tokio::time::sleep(Duration::from_millis(1500)).await;
    for _ in 0..2 {
        let again = Ws::connect(&app, &ann.access).await;
        tokio::time::sleep(Duration::from_millis(200)).await;
        drop(again);
        tokio::time::sleep(Duration::from_millis(1500)).await;
    }
    w.expect_quiet(Duration::from_millis(300)).await;
    assert_eq!(
        friend_presence(&app, &ben, &ann).await,
        frozen,
        "last seen does not move while invisible"
    );
}

/// Offline announcements that fall due together are written and sent as one
/// batch; each person must still be announced, with their own last-seen time.
async fn several_going_offline_at_once_are_each_announced_with_last_seen(b: Backend) {
    let Some(app) = spawn_app(b).await else {
        return;
    };
    let dan = app.register("dan").await;
    let others = [
        app.register("ann").await,
        app.register("ben").await,
        app.register("cat").await,
    ];
    let refs: Vec<&_> = others.iter().collect();
    app.group(&dan, "wave", &refs).await;
    let mut w = watcher(&app, &dan.access).await;
    let mut sockets = Vec::new();
    for o in &others {
        sockets.push(Ws::connect(&app, &o.access).await);
        assert_eq!(presence_of(&mut w, &o.user_id).await["status"], "online");
    }
    drop(sockets);
    let mut offline = std::collections::HashMap::new();
    while offline.len() < others.len() {
        let f = w.next_of("presence").await;
        assert_eq!(f["presence"]["status"], "offline", "{f}");
        assert!(f["presence"]["last_seen_at"].is_string(), "{f}");
        offline.insert(f["user_id"].as_str().unwrap().to_owned(), f);
    }
    for o in &others {
        assert!(offline.contains_key(&o.user_id), "{} announced", o.user_id);
    }
    let listed = app.get("/api/v1/conversations", &dan.access).await.body;
    let members = listed["items"][0]["members"].as_array().unwrap().clone();
    for o in &others {
        let m = members
            .iter()
            .find(|m| m["user_id"] == json!(o.user_id))
            .unwrap();
        assert!(m["presence"]["last_seen_at"].is_string(), "stored: {m}");
    }
}

/// Arrivals that come together are announced in batches, with one audience
/// query for a batch: each must still reach exactly their own audience (a
/// friend, co-members of a group, nobody across a block, nobody who merely
/// shares a direct conversation).
async fn arrivals_together_are_each_announced_to_their_own_audience(b: Backend) {
    let Some(app) = spawn_app(b).await else {
        return;
    };
    let mut people = Vec::new();
    for name in ["wes", "xia", "ann", "ben", "cat", "dan", "eve"] {
        people.push(app.register(name).await);
    }
    let [wes, xia, ann, ben, cat, dan, eve] = &people[..] else {
        unreachable!()
    };
    app.befriend(wes, ann).await;
    app.group(wes, "one", &[ben, cat, eve]).await;
    app.group(xia, "two", &[eve]).await;
    app.direct(dan, wes).await;
    let r = app
        .post(
            "/api/v1/blocks",
            Some(&wes.access),
            json!({"user_id": eve.user_id}),
        )
        .await;
    assert!(r.status.is_success(), "{:?}", r.body);
    let mut w = watcher(&app, &wes.access).await;
    let mut x = watcher(&app, &xia.access).await;

    let arriving = [ann, ben, cat, dan, eve];
    let _sockets =
        futures_util::future::join_all(arriving.iter().map(|p| Ws::connect(&app, &p.access))).await;
    let ids =
        |ps: &[&Session]| -> BTreeSet<String> { ps.iter().map(|p| p.user_id.clone()).collect() };
    assert_eq!(online_seen(&mut w).await, ids(&[ann, ben, cat]), "wes sees");
    assert_eq!(online_seen(&mut x).await, ids(&[eve]), "xia sees");
}

/// Everyone `ws` hears come online until it has been quiet for 1.5 s.
async fn online_seen(ws: &mut Ws) -> BTreeSet<String> {
    let mut online = BTreeSet::new();
    while let Some(f) = ws.try_next(Duration::from_millis(1500)).await {
        if f["type"] == "presence" {
            assert_eq!(f["presence"]["status"], "online", "{f}");
            online.insert(f["user_id"].as_str().unwrap().to_owned());
        }
    }
    online
}

/// A watcher socket that keeps presence frames.
async fn watcher(app: &TestApp, token: &str) -> Ws {
    let (ws, _) = Ws::resume_all(app, token, Default::default(), None, &["notification.new"]).await;
    ws
}

async fn presence_of(ws: &mut Ws, user: &str) -> Value {
    loop {
        let f = ws.next_of("presence").await;
        if f["user_id"] == user {
            return f["presence"].clone();
        }
    }
}

async fn two_devices_count_and_the_last_one_closing_goes_offline(b: Backend) {
    let Some(app) = spawn_app(b).await else {
        return;
    };
    let (ann, ben) = (app.register("ann").await, app.register("ben").await);
    let ann2 = app.login("ann").await;
    app.befriend(&ann, &ben).await;
    let mut w = watcher(&app, &ben.access).await;

    let laptop = Ws::connect(&app, &ann.access).await;
    assert_eq!(presence_of(&mut w, &ann.user_id).await["status"], "online");
    let phone = Ws::connect(&app, &ann2.access).await;
    drop(laptop);
    w.expect_quiet(Duration::from_millis(1500)).await;
    let member = first_listed_member(&app, &ben, &ann).await;
    assert_eq!(
        member["presence"]["status"], "online",
        "closing one of two devices leaves her online"
    );

    drop(phone);
    let off = presence_of(&mut w, &ann.user_id).await;
    assert_eq!(off["status"], "offline");
    assert!(
        off["last_seen_at"].is_string(),
        "last seen is stored: {off}"
    );
}

async fn a_reconnect_within_grace_does_not_flap(b: Backend) {
    let Some(app) = spawn_app(b).await else {
        return;
    };
    let (ann, ben) = (app.register("ann").await, app.register("ben").await);
    app.befriend(&ann, &ben).await;
    let mut w = watcher(&app, &ben.access).await;
    let first = Ws::connect(&app, &ann.access).await;
    assert_eq!(presence_of(&mut w, &ann.user_id).await["status"], "online");
    drop(first);
    let _again = Ws::connect(&app, &ann.access).await; // a page reload
    w.expect_quiet(Duration::from_millis(2000)).await;
}

async fn invisible_appears_offline(b: Backend) {
    let Some(app) = spawn_app(b).await else {
        return;
    };
    let (ann, ben) = (app.register("ann").await, app.register("ben").await);
    app.befriend(&ann, &ben).await;
    let mut w = watcher(&app, &ben.access).await;
    let _a = Ws::connect(&app, &ann.access).await;
    assert_eq!(presence_of(&mut w, &ann.user_id).await["status"], "online");

    let set = |mode: &str| {
        app.request(
            Method::PUT,
            "/api/v1/users/me/presence",
            Some(&ann.access),
            Some(json!({"mode": mode})),
        )
    };
    let mine = set("invisible").await;
    assert_eq!(
        (mine.status, &mine.body["mode"]),
        (StatusCode::OK, &json!("invisible")),
        "she sees her own mode"
    );
    let me = app.get("/api/v1/users/me", &ann.access).await;
    assert_eq!(me.body["presence_mode"], "invisible");
    let seen = presence_of(&mut w, &ann.user_id).await;
    assert_eq!(
        (seen["status"].as_str(), seen.get("mode")),
        (Some("offline"), None),
        "others see offline, no mode"
    );
    set("busy").await;
    let seen = presence_of(&mut w, &ann.user_id).await;
    assert_eq!(
        (seen["status"].as_str(), seen["mode"].as_str()),
        (Some("online"), Some("busy"))
    );
    assert_eq!(set("asleep").await.status, StatusCode::UNPROCESSABLE_ENTITY);
}

async fn strangers_and_blocked_users_see_nothing(b: Backend) {
    let Some(app) = spawn_app(b).await else {
        return;
    };
    let (ann, ben, eve) = (
        app.register("ann").await,
        app.register("ben").await,
        app.register("eve").await,
    );
    app.direct(&ann, &ben).await;
    app.post(
        "/api/v1/blocks",
        Some(&ann.access),
        json!({"user_id": ben.user_id}),
    )
    .await;
    let mut stranger = watcher(&app, &eve.access).await;
    let mut blocked = watcher(&app, &ben.access).await;
    let _a = Ws::connect(&app, &ann.access).await;
    stranger.expect_quiet(Duration::from_millis(800)).await;
    blocked.expect_quiet(Duration::from_millis(200)).await;
    let member = first_listed_member(&app, &ben, &ann).await;
    assert!(
        member.get("presence").is_none(),
        "no presence across a block: {member}"
    );
}
