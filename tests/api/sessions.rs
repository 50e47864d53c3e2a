use reqwest::{Method, StatusCode};

use crate::{
    backend_tests,
    helpers::{spawn_app, Backend},
};

backend_tests!(devices_are_listed_and_can_be_revoked_one_by_one);

async fn devices_are_listed_and_can_be_revoked_one_by_one(b: Backend) {
    let Some(app) = spawn_app(b).await else {
        return;
    };
    let laptop = app.register("kim").await;
    let phone = app.login("kim").await;
    let list = app.get("/api/v1/auth/sessions", &laptop.access).await;
    assert_eq!(list.status, StatusCode::OK);
    let items = list.body.as_array().unwrap();
    assert_eq!(items.len(), 2);
    assert_eq!(items.iter().filter(|s| s["current"] == true).count(), 1);
    let phone_id = items.iter().find(|s| s["current"] == false).unwrap()["id"]
        .as_str()
        .unwrap()
        .to_owned();

    // Another user can neither see nor revoke kim's sessions.
    let mallory = app.register("mallory").await;
    let path = format!("/api/v1/auth/sessions/{phone_id}");
    let r = app
        .request(Method::DELETE, &path, Some(&mallory.access), None)
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    assert_eq!(
        app.get("/api/v1/users/me", &phone.access).await.status,
        StatusCode::OK
    );

    let r = app
        .request(Method::DELETE, &path, Some(&laptop.access), None)
        .await;
    assert_eq!(r.status, StatusCode::NO_CONTENT);
    assert_eq!(
        app.get("/api/v1/users/me", &phone.access).await.status,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        app.refresh(&phone.refresh).await.status,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        app.get("/api/v1/auth/sessions", &laptop.access)
            .await
            .body
            .as_array()
            .unwrap()
            .len(),
        1
    );
    // Revoking twice: already gone.
    assert_eq!(
        app.request(Method::DELETE, &path, Some(&laptop.access), None)
            .await
            .status,
        StatusCode::NOT_FOUND
    );
}
