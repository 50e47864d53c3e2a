//! The account's email address: confirmed by a mailed link before anything
//! with a link goes there; a change needs the password, re-confirms, and tells
//! the old address.

use std::time::Duration;

use reqwest::{Method, StatusCode};
use serde_json::json;

use crate::{
    backend_tests,
    helpers::{Backend, PASSWORD},
    mail_support::{address, app_with_mail, ask_reset, me, resend_link, verified_user},
};

backend_tests!(
    an_address_is_confirmed_by_its_link,
    changing_the_address_reconfirms_and_tells_the_old_one,
);

async fn an_address_is_confirmed_by_its_link(b: Backend) {
    let Some((app, smtp)) = app_with_mail(b, &[]).await else {
        return;
    };
    let email = address("ann");
    let r = app
        .register_raw(
            json!({"username": "ann", "password": PASSWORD, "full_name": "Ann", "email": email}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED);
    let ann = app.login("ann").await;
    assert_eq!(me(&app, &ann).await["email_verified"], false);

    // A reset asked before confirmation mails nothing.
    ask_reset(&app, json!({"username": "ann"})).await;
    let first = smtp.wait_for(&email, 1).await.remove(0);
    assert!(
        first
            .text
            .contains("https://chat.example.org/verify-email#token="),
        "{}",
        first.text
    );
    assert!(
        first.message_id.ends_with("@localhost"),
        "{}",
        first.message_id
    );

    // Asking again mails a new link; only the newest works.
    let r = resend_link(&app, &ann).await;
    assert_eq!(r.status, StatusCode::ACCEPTED, "{:?}", r.body);
    let second = smtp.wait_for(&email, 2).await.remove(1);
    let verify = |token: String| {
        let app = &app;
        async move {
            let r = app
                .post("/api/v1/auth/verify-email", None, json!({"token": token}))
                .await;
            (r.status, r.code().to_owned())
        }
    };
    assert_eq!(
        verify(first.token("verify-email")).await.1,
        "verify_token_used"
    );
    assert_eq!(
        verify(second.token("verify-email")).await.0,
        StatusCode::NO_CONTENT
    );
    assert_eq!(
        verify(second.token("verify-email")).await.1,
        "verify_token_used"
    );
    assert_eq!(verify("nonsense".into()).await.1, "verify_token_invalid");
    assert_eq!(me(&app, &ann).await["email_verified"], true);

    let r = resend_link(&app, &ann).await;
    assert_eq!(
        (r.status, Some(r.code())),
        (StatusCode::CONFLICT, Some("email_verified"))
    );
    tokio::time::sleep(Duration::from_millis(600)).await;
    assert_eq!(
        smtp.mails_to(&email).len(),
        2,
        "no reset link went to the unconfirmed address"
    );
}

async fn changing_the_address_reconfirms_and_tells_the_old_one(b: Backend) {
    let Some((app, smtp)) = app_with_mail(b, &[]).await else {
        return;
    };
    let (ann, old) = verified_user(&app, &smtp, "ann").await;
    let new = address("ann-new");
    let put = |body: serde_json::Value| {
        let app = &app;
        let token = ann.access.clone();
        async move {
            app.request(
                Method::PUT,
                "/api/v1/users/me/email",
                Some(&token),
                Some(body),
            )
            .await
        }
    };

    let r = put(json!({"email": new, "current_password": "wrong password here"})).await;
    assert_eq!(
        (r.status, Some(r.code())),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("wrong_password"))
    );
    let r = put(json!({"email": "not an address", "current_password": PASSWORD})).await;
    assert_eq!(
        (r.status, r.body["error"]["field"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("email"))
    );
    // Another account's address is taken.
    let bob_email = address("bob");
    app.register_raw(
        json!({"username": "bob", "password": PASSWORD, "full_name": "Bob", "email": bob_email}),
    )
    .await;
    let r = put(json!({"email": bob_email.to_uppercase(), "current_password": PASSWORD})).await;
    assert_eq!(
        (r.status, Some(r.code())),
        (StatusCode::CONFLICT, Some("email_taken"))
    );

    let r = put(json!({"email": new, "current_password": PASSWORD})).await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    assert_eq!(
        (r.body["email"].as_str(), r.body["email_verified"].as_bool()),
        (Some(new.as_str()), Some(false))
    );

    let told = smtp.wait_for(&old, 2).await.remove(1);
    assert_eq!(told.subject, "Your Confab email address was changed");
    assert!(told.text.contains(&new), "{}", told.text);
    let link = smtp.wait_for(&new, 1).await.remove(0);

    // Until confirmed, reset links go nowhere: not to the old address, not to the new.
    ask_reset(&app, json!({"username": "ann"})).await;
    tokio::time::sleep(Duration::from_millis(800)).await;
    assert_eq!(smtp.mails_to(&old).len(), 2);
    assert_eq!(smtp.mails_to(&new).len(), 1);

    let r = app
        .post(
            "/api/v1/auth/verify-email",
            None,
            json!({"token": link.token("verify-email")}),
        )
        .await;
    assert_eq!(r.status, StatusCode::NO_CONTENT, "{:?}", r.body);
    assert_eq!(me(&app, &ann).await["email_verified"], true);

    // Removing the address tells the confirmed one; a link to it is then stale.
    let r = put(json!({"email": null, "current_password": PASSWORD})).await;
    assert_eq!(
        (r.status, r.body["email"].clone()),
        (StatusCode::OK, serde_json::Value::Null)
    );
    let told = smtp.wait_for(&new, 2).await.remove(1);
    assert!(told.text.contains("no address"), "{}", told.text);
}
