//! The missed-message digest against a real SMTP server: sent once to a user
//! who has been away longer than the delay, with who wrote and how many but no
//! text unless the operator allows it; not sent when the user came back in
//! time; muted conversations and `email_notify = off` stay out.

use std::time::Duration;

use reqwest::{Method, StatusCode};
use serde_json::json;

use crate::{
    backend_tests,
    helpers::{Backend, Session, TestApp},
    mail_support::{app_with_mail, verified_user},
    ws_client::Ws,
};

backend_tests!(
    one_digest_says_who_wrote_and_never_the_text,
    coming_back_in_time_cancels_the_digest,
    text_only_when_allowed_and_nothing_muted_or_turned_off,
);

/// Fast digests: away 2 s, looked for every second, one per hour.
const FAST: &[&str] = &[
    "--digest-delay-secs",
    "2",
    "--digest-check-secs",
    "1",
    "--presence-grace-secs",
    "0",
];

/// Connects `who` and closes the socket: from then on they are away.
async fn visit(app: &TestApp, who: &Session) {
    let ws = Ws::connect(app, &who.access).await;
    drop(ws);
    // The grace period (0) and the offline batch window pass.
    tokio::time::sleep(Duration::from_millis(600)).await;
}

async fn one_digest_says_who_wrote_and_never_the_text(b: Backend) {
    let Some((app, smtp)) = app_with_mail(b, FAST).await else {
        return;
    };
    let (ann, email) = verified_user(&app, &smtp, "ann").await;
    let bob = app.register("bob").await;
    let direct = app.direct(&bob, &ann).await;
    let group = app.group(&bob, "Cardiology", &[&ann]).await;
    visit(&app, &ann).await;

    app.say(&bob, &direct, "d1", "the biopsy result is benign")
        .await;
    app.say(&bob, &direct, "d2", "call me").await;
    app.say(&bob, &group, "g1", "nothing for ann here").await;
    app.say(&bob, &group, "g2", "@ann please look at bed 4")
        .await;

    let mails = smtp.wait_for(&email, 2).await;
    let digest = &mails[1];
    assert_eq!(
        digest.subject, "You have 3 unread messages on Confab",
        "{}",
        digest.text
    );
    assert!(
        digest.text.contains("bob Test: 2 messages"),
        "{}",
        digest.text
    );
    assert!(
        digest.text.contains("bob Test in Cardiology: 1 message"),
        "{}",
        digest.text
    );
    for secret in ["biopsy", "benign", "bed 4", "call me"] {
        assert!(
            !digest.text.contains(secret) && !digest.html.contains(secret),
            "{secret} leaked"
        );
    }
    assert!(
        digest.text.contains("https://chat.example.org"),
        "{}",
        digest.text
    );

    // More while still away: no second digest within the interval.
    app.say(&bob, &direct, "d3", "again").await;
    tokio::time::sleep(Duration::from_millis(3500)).await;
    assert_eq!(smtp.mails_to(&email).len(), 2, "one digest per interval");
}

async fn coming_back_in_time_cancels_the_digest(b: Backend) {
    let Some((app, smtp)) = app_with_mail(b, FAST).await else {
        return;
    };
    let (ann, email) = verified_user(&app, &smtp, "ann").await;
    let bob = app.register("bob").await;
    let direct = app.direct(&bob, &ann).await;
    visit(&app, &ann).await;
    app.say(&bob, &direct, "d1", "are you there?").await;
    // Ann opens the app before the delay is over, and stays.
    let _back = Ws::connect(&app, &ann.access).await;
    tokio::time::sleep(Duration::from_millis(4000)).await;
    assert_eq!(smtp.mails_to(&email).len(), 1, "only the confirmation link");
}

async fn text_only_when_allowed_and_nothing_muted_or_turned_off(b: Backend) {
    let mut flags = FAST.to_vec();
    flags.extend(["--mail-message-content", "true"]);
    let Some((app, smtp)) = app_with_mail(b, &flags).await else {
        return;
    };
    let (ann, ann_email) = verified_user(&app, &smtp, "ann").await;
    let (cat, cat_email) = verified_user(&app, &smtp, "cat").await;
    let bob = app.register("bob").await;
    let dan = app.register("dan").await;
    let from_bob = app.direct(&bob, &ann).await;
    let from_dan = app.direct(&dan, &ann).await;
    let to_cat = app.direct(&bob, &cat).await;

    // Ann mutes Dan; Cat wants no digest at all.
    let r = app
        .request(
            Method::PUT,
            &format!("/api/v1/conversations/{from_dan}/mute"),
            Some(&ann.access),
            Some(json!({})),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    assert!(r.body["muted_until"]
        .as_str()
        .unwrap()
        .starts_with("9999-12-31T23:59:59"));
    // Only a member may mute a conversation: to anyone else it does not exist.
    let r = app
        .request(
            Method::PUT,
            &format!("/api/v1/conversations/{from_dan}/mute"),
            Some(&cat.access),
            Some(json!({})),
        )
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    let r = app
        .request(
            Method::PATCH,
            "/api/v1/users/me",
            Some(&cat.access),
            Some(json!({"email_notify": "off"})),
        )
        .await;
    assert_eq!(
        (r.status, r.body["email_notify"].as_str()),
        (StatusCode::OK, Some("off"))
    );
    visit(&app, &ann).await;
    visit(&app, &cat).await;

    app.say(&bob, &from_bob, "b1", "see you at three").await;
    app.say(&dan, &from_dan, "x1", "muted words").await;
    app.say(&bob, &to_cat, "c1", "hello cat").await;

    let digest = smtp.wait_for(&ann_email, 2).await.remove(1);
    assert_eq!(digest.subject, "You have 1 unread message on Confab");
    assert!(
        digest.text.contains("\"see you at three\""),
        "{}",
        digest.text
    );
    assert!(
        !digest.text.contains("dan") && !digest.text.contains("muted words"),
        "{}",
        digest.text
    );
    tokio::time::sleep(Duration::from_millis(1500)).await;
    assert_eq!(
        smtp.mails_to(&cat_email).len(),
        1,
        "only Cat's confirmation link"
    );
}
