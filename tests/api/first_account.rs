//! The first account of an empty server becomes its admin (`--first-account-admin`,
//! on by default): exactly one, however many register at once; later accounts get
//! the default role; an account made by the CLI counts as the first; the operator
//! can turn it off. `GET /auth/setup` tells the sign-in page which case it is.

use reqwest::{Method, StatusCode};
use serde_json::json;

use crate::{
    backend_tests,
    helpers::{spawn_app_with, Backend, TestApp, PASSWORD},
};

backend_tests!(
    the_first_account_is_the_admin_and_only_the_first,
    concurrent_first_registrations_make_exactly_one_admin,
    an_account_made_by_the_cli_is_the_first,
    the_operator_can_turn_it_off,
);

const ON: &[&str] = &[
    "--first-account-admin",
    "true",
    "--messaging-policy",
    "friends",
];

async fn setup(app: &TestApp) -> serde_json::Value {
    let r = app
        .request(Method::GET, "/api/v1/auth/setup", None, None)
        .await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    r.body
}

async fn role(app: &TestApp, access: &str) -> String {
    app.get("/api/v1/users/me", access).await.body["role"]
        .as_str()
        .unwrap()
        .to_owned()
}

async fn the_first_account_is_the_admin_and_only_the_first(b: Backend) {
    let Some(app) = spawn_app_with(b, ON).await else {
        return;
    };
    assert_eq!(
        setup(&app).await,
        json!({"next_account_is_admin": true, "messaging_policy": "friends"})
    );
    let ann = app.register("ann").await;
    assert_eq!(role(&app, &ann.access).await, "admin");
    assert_eq!(setup(&app).await["next_account_is_admin"], false);
    let ben = app.register("ben").await;
    assert_eq!(role(&app, &ben.access).await, "patient", "the default role");
    // The admin is a real one: the admin API answers.
    let users = app.get("/api/v1/admin/users", &ann.access).await;
    assert_eq!(users.status, StatusCode::OK, "{:?}", users.body);
    // A restart does not make the next account admin again.
    let app = app.restart().await;
    let cat = app.register("cat").await;
    assert_eq!(role(&app, &cat.access).await, "patient");
}

async fn concurrent_first_registrations_make_exactly_one_admin(b: Backend) {
    let Some(app) = spawn_app_with(b, ON).await else {
        return;
    };
    let replies = futures_util::future::join_all((0..6).map(|i| {
        app.register_raw(
            json!({"username": format!("racer{i}"), "password": PASSWORD, "full_name": "Racer"}),
        )
    }))
    .await;
    let mut roles = Vec::new();
    for r in replies {
        assert_eq!(r.status, StatusCode::CREATED, "{:?}", r.body);
        roles.push(role(&app, r.body["access_token"].as_str().unwrap()).await);
    }
    assert_eq!(
        roles.iter().filter(|r| *r == "admin").count(),
        1,
        "exactly one admin: {roles:?}"
    );
}

async fn an_account_made_by_the_cli_is_the_first(b: Backend) {
    let Some(app) = spawn_app_with(b, ON).await else {
        return;
    };
    app.admin("root").await;
    assert_eq!(setup(&app).await["next_account_is_admin"], false);
    let ann = app.register("ann").await;
    assert_eq!(role(&app, &ann.access).await, "patient");
}

async fn the_operator_can_turn_it_off(b: Backend) {
    let Some(app) = spawn_app_with(b, &["--first-account-admin", "false"]).await else {
        return;
    };
    assert_eq!(setup(&app).await["next_account_is_admin"], false);
    let ann = app.register("ann").await;
    assert_eq!(role(&app, &ann.access).await, "patient");
}
