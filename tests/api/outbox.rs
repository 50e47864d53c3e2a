//! The mail outbox: a mail server that is down loses nothing, and a mail is
//! sent once, across restarts.

use std::time::Duration;

use reqwest::StatusCode;
use serde_json::json;

use crate::{
    backend_tests,
    helpers::{spawn_app_with, Backend, PASSWORD},
    mail_support::{address, mail_flags},
    smtp::SmtpServer,
};

backend_tests!(mail_waits_for_a_server_that_was_down_and_goes_once);

async fn mail_waits_for_a_server_that_was_down_and_goes_once(b: Backend) {
    let Some(mut smtp) = SmtpServer::stopped() else {
        return;
    };
    let flags = mail_flags(&smtp);
    let flags: Vec<&str> = flags.iter().map(String::as_str).collect();
    let Some(app) = spawn_app_with(b, &flags).await else {
        return;
    };
    let email = address("ann");
    let r = app
        .register_raw(
            json!({"username": "ann", "password": PASSWORD, "full_name": "Ann", "email": email}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED);

    // Attempts at 0 s and 1 s fail (nothing listens); the next one, 2 s after
    // the second, finds the server.
    tokio::time::sleep(Duration::from_millis(1500)).await;
    smtp.run().await;
    let mail = smtp.wait_for(&email, 1).await.remove(0);
    assert_eq!(mail.subject, "Confirm your email address");

    // A restart (and the time for several more looks at the outbox) sends
    // nothing again.
    let app = app.restart().await;
    tokio::time::sleep(Duration::from_millis(1500)).await;
    assert_eq!(smtp.mails().len(), 1, "sent exactly once");

    // The link still works after the retries.
    let r = app
        .post(
            "/api/v1/auth/verify-email",
            None,
            json!({"token": mail.token("verify-email")}),
        )
        .await;
    assert_eq!(r.status, StatusCode::NO_CONTENT, "{:?}", r.body);
}
