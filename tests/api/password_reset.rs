//! Password reset by mail against a real SMTP server: the round trip, the same
//! answer for everyone, single use, expiry, deactivated accounts, the
//! operator's link, the per-account and per-address limits.

use std::time::Duration;

use reqwest::{Method, StatusCode};
use serde_json::json;

use crate::{
    backend_tests,
    helpers::{spawn_app_with, Backend, PASSWORD},
    mail_support::{address, app_with_mail, ask_reset, confirm_reset, verified_user},
};
use confab::{
    auth::tokens::hash_refresh_token,
    domain::{Timestamp, UserId},
    store::account_tokens::{NewToken, RESET},
};

const NEW_PASSWORD: &str = "a brand new passphrase";

backend_tests!(
    reset_round_trip_through_the_mail,
    every_request_gets_the_same_answer,
    spent_expired_and_deactivated_links_are_refused,
    operator_link_works_without_mail,
    requests_are_limited_per_address,
);

async fn reset_round_trip_through_the_mail(b: Backend) {
    let Some((app, smtp)) = app_with_mail(b, &[]).await else {
        return;
    };
    let (laptop, email) = verified_user(&app, &smtp, "ann").await;
    let phone = app.login("ann").await;

    let r = ask_reset(&app, json!({"username": "ANN"})).await;
    assert_eq!(r.status, StatusCode::ACCEPTED, "{:?}", r.body);
    let mails = smtp.wait_for(&email, 2).await;
    let mail = &mails[1];
    assert_eq!(mail.subject, "Reset your Confab password");
    assert!(mail.text.contains("within 30 minutes"), "{}", mail.text);
    assert!(
        mail.text
            .contains("https://chat.example.org/reset-password#token="),
        "{}",
        mail.text
    );
    assert!(mail.html.contains("Choose a new password"), "{}", mail.html);
    let token = mail.token("reset-password");

    // A password the rules refuse leaves the token usable.
    let r = confirm_reset(&app, &token, "ann").await;
    assert_eq!(
        (r.status, r.body["error"]["field"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("new_password"))
    );

    let r = confirm_reset(&app, &token, NEW_PASSWORD).await;
    assert_eq!(r.status, StatusCode::NO_CONTENT, "{:?}", r.body);

    // Every device is signed out, the old password is refused, the new one works.
    for s in [&laptop, &phone] {
        let r = app
            .request(Method::GET, "/api/v1/users/me", Some(&s.access), None)
            .await;
        assert_eq!(r.status, StatusCode::UNAUTHORIZED);
        assert_eq!(
            app.refresh(&s.refresh).await.status,
            StatusCode::UNAUTHORIZED
        );
    }
    assert_eq!(
        app.login_raw("ann", PASSWORD).await.status,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        app.login_raw("ann", NEW_PASSWORD).await.status,
        StatusCode::OK
    );

    // The owner is told; the link works once.
    let told = &smtp.wait_for(&email, 3).await[2];
    assert_eq!(told.subject, "Your Confab password was changed");
    assert!(told.text.contains("with a reset"), "{}", told.text);
    let r = confirm_reset(&app, &token, "yet another passphrase").await;
    assert_eq!(
        (r.status, Some(r.code())),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("reset_token_used"))
    );
    assert_eq!(
        app.login_raw("ann", NEW_PASSWORD).await.status,
        StatusCode::OK
    );
}

async fn every_request_gets_the_same_answer(b: Backend) {
    let Some((app, smtp)) = app_with_mail(b, &[]).await else {
        return;
    };
    let (_, verified) = verified_user(&app, &smtp, "ann").await;
    let unverified = address("bob");
    let r = app
        .register_raw(json!({"username": "bob", "password": PASSWORD, "full_name": "Bob", "email": unverified}))
        .await;
    assert_eq!(r.status, StatusCode::CREATED);
    app.register("cat").await; // no address at all
    smtp.wait_for(&unverified, 1).await; // bob's confirmation link

    let mut answers = Vec::new();
    for body in [
        json!({"username": "ann"}),
        json!({"email": verified.to_uppercase()}),
        json!({"username": "bob"}),
        json!({"email": unverified}),
        json!({"username": "cat"}),
        json!({"username": "nobody"}),
        json!({"email": "nobody@example.org"}),
        json!({"username": "not a username!"}),
    ] {
        let r = ask_reset(&app, body).await;
        answers.push((r.status, r.body));
    }
    assert!(answers.iter().all(|a| a == &answers[0]), "{answers:#?}");
    assert_eq!(answers[0].0, StatusCode::ACCEPTED);

    // Only the confirmed address gets a link, and only one within the interval
    // (ann asked twice: by name and by address).
    let got = smtp.wait_for(&verified, 2).await;
    tokio::time::sleep(Duration::from_millis(1500)).await;
    assert_eq!(
        smtp.mails_to(&verified).len(),
        2,
        "confirmation + one reset link"
    );
    assert_eq!(got[1].subject, "Reset your Confab password");
    assert_eq!(
        smtp.mails_to(&unverified).len(),
        1,
        "only bob's confirmation link"
    );
    assert_eq!(smtp.mails().len(), 3);

    // A request must name exactly one of the two.
    for body in [
        json!({}),
        json!({"username": "ann", "email": verified}),
        json!({"username": " "}),
    ] {
        let r = ask_reset(&app, body).await;
        assert_eq!(
            (r.status, Some(r.code())),
            (StatusCode::UNPROCESSABLE_ENTITY, Some("username_or_email"))
        );
    }
}

async fn spent_expired_and_deactivated_links_are_refused(b: Backend) {
    let Some(app) = spawn_app_with(b, &[]).await else {
        return;
    };
    let ann = app.register("ann").await;
    let confirm = |token: String| {
        let app = &app;
        async move {
            let r = confirm_reset(app, &token, NEW_PASSWORD).await;
            (r.status, r.code().to_owned())
        }
    };
    assert_eq!(
        confirm("made-up".into()).await,
        (
            StatusCode::UNPROCESSABLE_ENTITY,
            "reset_token_invalid".into()
        )
    );

    // A link issued 31 minutes ago.
    let then = Timestamp::now().plus_secs(-31 * 60);
    let user_id: UserId = ann.user_id.parse().unwrap();
    app.chat
        .store
        .insert_account_token(&NewToken {
            hash: hash_refresh_token("old-token"),
            purpose: RESET,
            user_id,
            email: None,
            created_at: then,
            expires_at: then.plus_secs(30 * 60),
        })
        .await
        .unwrap();
    assert_eq!(
        confirm("old-token".into()).await,
        (
            StatusCode::UNPROCESSABLE_ENTITY,
            "reset_token_expired".into()
        )
    );

    // A newer link voids the one before it.
    let first = app.chat.reset_link_as_operator("ann").await.unwrap();
    let second = app.chat.reset_link_as_operator("ann").await.unwrap();
    let token = |link: &str| link.split("#token=").nth(1).unwrap().to_owned();
    assert_eq!(
        confirm(token(&first)).await,
        (StatusCode::UNPROCESSABLE_ENTITY, "reset_token_used".into())
    );

    // A link of an account deactivated since is refused, and stays unspent.
    app.chat.deactivate_as_operator(user_id).await.unwrap();
    assert_eq!(
        confirm(token(&second)).await,
        (StatusCode::FORBIDDEN, "account_deactivated".into())
    );
    assert!(
        app.chat.reset_link_as_operator("ann").await.is_err(),
        "no link for a deactivated account"
    );
}

async fn operator_link_works_without_mail(b: Backend) {
    // No --smtp-url: requests are answered as usual; the operator's CLI makes a link.
    let Some(app) = spawn_app_with(b, &[]).await else {
        return;
    };
    let ann = app.register("ann").await;
    let r = ask_reset(&app, json!({"username": "ann"})).await;
    assert_eq!(r.status, StatusCode::ACCEPTED);

    let out = std::process::Command::new(env!("CARGO_BIN_EXE_confab"))
        .arg("--data-dir")
        .arg(app.dir.path())
        .args([
            "--database-url",
            &app.url,
            "--public-url",
            "https://chat.example.org",
        ])
        .args(["admin", "reset-link", "--username", "ann"])
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{stdout} {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let link = stdout
        .lines()
        .find(|l| l.starts_with("https://"))
        .unwrap_or_else(|| panic!("{stdout}"));
    assert!(
        link.starts_with("https://chat.example.org/reset-password#token="),
        "{link}"
    );
    let token = link.split("#token=").nth(1).unwrap();

    let r = confirm_reset(&app, token, NEW_PASSWORD).await;
    assert_eq!(r.status, StatusCode::NO_CONTENT, "{:?}", r.body);
    let r = app
        .request(Method::GET, "/api/v1/users/me", Some(&ann.access), None)
        .await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED, "signed out");
    assert_eq!(
        app.login_raw("ann", NEW_PASSWORD).await.status,
        StatusCode::OK
    );

    let out = std::process::Command::new(env!("CARGO_BIN_EXE_confab"))
        .arg("--data-dir")
        .arg(app.dir.path())
        .args([
            "--database-url",
            &app.url,
            "admin",
            "reset-link",
            "--username",
            "nobody",
        ])
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("not found"));
}

async fn requests_are_limited_per_address(b: Backend) {
    let Some(app) = spawn_app_with(
        b,
        &["--rate-limits", "true", "--rate-password-reset", "3/h:3"],
    )
    .await
    else {
        return;
    };
    for _ in 0..3 {
        let r = ask_reset(&app, json!({"username": "whoever"})).await;
        assert_eq!(r.status, StatusCode::ACCEPTED);
    }
    let r = ask_reset(&app, json!({"username": "whoever"})).await;
    assert_eq!(r.status, StatusCode::TOO_MANY_REQUESTS);
    assert!(r.headers.contains_key("retry-after"));
    // Another address is not held up.
    let r = app
        .post_from(
            "127.0.0.2",
            "/api/v1/auth/password-reset",
            json!({"username": "whoever"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::ACCEPTED);
}
