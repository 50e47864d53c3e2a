//! Profile pictures: set, seen by every signed-in user, replaced, removed.

use confab::store::blobs::Variant;
use reqwest::StatusCode;
use serde_json::json;

use crate::{
    helpers::{spawn_app, Backend, Reply, Session, TestApp},
    pictures::{self, SECRET},
};

async fn put_avatar(app: &TestApp, who: &Session, bytes: Vec<u8>) -> Reply {
    let res = app
        .client
        .put(format!("{}/api/v1/users/me/avatar", app.base))
        .bearer_auth(&who.access)
        .body(bytes)
        .send()
        .await
        .unwrap();
    Reply::read(res).await
}

crate::backend_tests!(a_profile_picture_is_square_private_to_signed_in_users_and_replaceable);

async fn a_profile_picture_is_square_private_to_signed_in_users_and_replaceable(b: Backend) {
    let Some(app) = spawn_app(b).await else {
        return;
    };
    let (ann, ben) = (app.register("ann").await, app.register("ben").await);
    let r = put_avatar(&app, &ann, pictures::jpeg_with_exif(400, 200, 1)).await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    let first = r.body["avatar_id"].as_str().unwrap().to_owned();
    // Others see it on the profile and in conversations.
    let profile = app
        .get(&format!("/api/v1/users/{}", ann.user_id), &ben.access)
        .await;
    assert_eq!(profile.body["avatar_id"], first.as_str());
    let c = app.direct(&ben, &ann).await;
    let conv = app
        .get(&format!("/api/v1/conversations/{c}"), &ben.access)
        .await;
    let member = conv.body["members"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["user_id"] == ann.user_id.as_str())
        .unwrap()
        .clone();
    assert_eq!(member["avatar_id"], first.as_str());
    // Any signed-in user gets a URL; the picture is the centre square, no metadata.
    let urls = app
        .post(
            "/api/v1/avatars/urls",
            Some(&ben.access),
            json!({"ids": [first]}),
        )
        .await;
    let url = urls.body[0]["url"].as_str().unwrap().to_owned();
    let (s, h, bytes) = app.fetch(&url, None, &[]).await;
    assert_eq!(
        (s, &h["content-type"]),
        (StatusCode::OK, &"image/jpeg".parse().unwrap())
    );
    assert_eq!(pictures::dimensions(&bytes), (200, 200));
    assert!(!bytes.windows(SECRET.len()).any(|w| w == SECRET.as_bytes()));
    assert_eq!(
        app.fetch(&format!("/api/v1/avatars/{first}"), None, &[])
            .await
            .0,
        StatusCode::UNAUTHORIZED
    );
    // A big one is brought down to 256 × 256; the one it replaces is deleted.
    let r = put_avatar(&app, &ann, pictures::png(1000, 600)).await;
    let second = r.body["avatar_id"].as_str().unwrap().to_owned();
    assert_ne!(first, second);
    let blobs = &app.chat.media.blobs;
    assert!(!blobs
        .exists(first.parse().unwrap(), Variant::Original)
        .await
        .unwrap());
    assert_eq!(app.fetch(&url, None, &[]).await.0, StatusCode::NOT_FOUND);
    let path = format!("/api/v1/avatars/{second}");
    let (s, _, bytes) = app.fetch(&path, Some(&ben.access), &[]).await;
    assert_eq!(
        (s, pictures::dimensions(&bytes)),
        (StatusCode::OK, (256, 256))
    );
    // Not a picture; empty.
    let r = put_avatar(&app, &ann, b"just text".to_vec()).await;
    assert_eq!(
        (r.status, r.code()),
        (StatusCode::UNPROCESSABLE_ENTITY, "not_an_image")
    );
    let r = put_avatar(&app, &ann, Vec::new()).await;
    assert_eq!(r.code(), "empty_file");
    // Removed: initials again, and the file is gone.
    let r = app
        .request(
            reqwest::Method::DELETE,
            "/api/v1/users/me/avatar",
            Some(&ann.access),
            None,
        )
        .await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(r.body.get("avatar_id").is_none(), "{:?}", r.body);
    assert!(!blobs
        .exists(second.parse().unwrap(), Variant::Original)
        .await
        .unwrap());
}

crate::backend_tests!(a_group_picture_is_a_change_of_the_group);

async fn a_group_picture_is_a_change_of_the_group(b: Backend) {
    let Some(app) = spawn_app(b).await else {
        return;
    };
    let (ann, ben) = (app.register("ann").await, app.register("ben").await);
    let g = app.group(&ann, "Climbers", &[&ben]).await;
    let put = |who: &Session, bytes: Vec<u8>| {
        let (app, g, token) = (&app, g.clone(), who.access.clone());
        async move {
            let res = app
                .client
                .put(format!("{}/api/v1/conversations/{g}/avatar", app.base))
                .bearer_auth(token)
                .body(bytes)
                .send()
                .await
                .unwrap();
            Reply::read(res).await
        }
    };
    // A member who does not manage the group may not; a direct chat has none.
    assert_eq!(
        put(&ben, pictures::png(50, 50)).await.status,
        StatusCode::FORBIDDEN
    );
    let r = put(&ann, pictures::png(300, 100)).await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    let first = r.body["avatar_id"].as_str().unwrap().to_owned();
    // Members see it in the conversation, and a system message says who did it.
    let info = app
        .get(&format!("/api/v1/conversations/{g}"), &ben.access)
        .await;
    assert_eq!(info.body["avatar_id"], first.as_str());
    let h = app
        .get(&format!("/api/v1/conversations/{g}/messages"), &ben.access)
        .await;
    let last = h.body["items"].as_array().unwrap().last().unwrap().clone();
    assert_eq!(last["system"]["event"], "picture_changed", "{last}");
    assert_eq!(last["system"]["removed"], false);
    let urls = app
        .post(
            "/api/v1/avatars/urls",
            Some(&ben.access),
            json!({"ids": [first]}),
        )
        .await;
    let (s, _, bytes) = app
        .fetch(urls.body[0]["url"].as_str().unwrap(), None, &[])
        .await;
    assert_eq!(
        (s, pictures::dimensions(&bytes)),
        (StatusCode::OK, (100, 100))
    );
    // Removed: gone from the group and from the store.
    let r = app
        .request(
            reqwest::Method::DELETE,
            &format!("/api/v1/conversations/{g}/avatar"),
            Some(&ann.access),
            None,
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    assert!(r.body.get("avatar_id").is_none());
    assert!(!app
        .chat
        .media
        .blobs
        .exists(first.parse().unwrap(), Variant::Original)
        .await
        .unwrap());
    let h = app
        .get(&format!("/api/v1/conversations/{g}/messages"), &ben.access)
        .await;
    let last = h.body["items"].as_array().unwrap().last().unwrap().clone();
    assert_eq!(last["system"]["removed"], true);
}
