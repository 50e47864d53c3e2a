//! What the mail tests share: a server wired to a test SMTP server, and users
//! with a confirmed address.

use reqwest::{Method, StatusCode};
use serde_json::json;

use crate::{
    helpers::{spawn_app_with, Backend, Session, TestApp, PASSWORD},
    smtp::SmtpServer,
};

/// Flags for a server that mails through `smtp`, looks at its outbox often and
/// retries after a second.
pub fn mail_flags(smtp: &SmtpServer) -> Vec<String> {
    vec![
        "--smtp-url".into(),
        smtp.url(),
        "--mail-poll-ms".into(),
        "200".into(),
        "--mail-retry-secs".into(),
        "1".into(),
        "--public-url".into(),
        "https://chat.example.org/".into(),
    ]
}

/// A server and an SMTP server, or `None` when the backend or aiosmtpd is
/// missing outside CI.
pub async fn app_with_mail(backend: Backend, extra: &[&str]) -> Option<(TestApp, SmtpServer)> {
    let smtp = SmtpServer::start().await?;
    let mut flags = mail_flags(&smtp);
    flags.extend(extra.iter().map(|s| s.to_string()));
    let flags: Vec<&str> = flags.iter().map(String::as_str).collect();
    let app = spawn_app_with(backend, &flags).await?;
    Some((app, smtp))
}

/// An address no other test uses.
pub fn address(name: &str) -> String {
    format!("{name}-{}@example.org", uuid::Uuid::now_v7().simple())
}

/// Registers `name` with a fresh address and confirms it through the mailed
/// link; returns the session and the address.
pub async fn verified_user(app: &TestApp, smtp: &SmtpServer, name: &str) -> (Session, String) {
    let email = address(name);
    let r = app
        .register_raw(
            json!({"username": name, "password": PASSWORD, "full_name": name, "email": email}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{:?}", r.body);
    let mail = smtp.wait_for(&email, 1).await.remove(0);
    assert_eq!(mail.subject, "Confirm your email address");
    let r = app
        .post(
            "/api/v1/auth/verify-email",
            None,
            json!({"token": mail.token("verify-email")}),
        )
        .await;
    assert_eq!(r.status, StatusCode::NO_CONTENT, "{:?}", r.body);
    (app.login(name).await, email)
}

/// GET /users/me.
pub async fn me(app: &TestApp, s: &Session) -> serde_json::Value {
    let r = app
        .request(Method::GET, "/api/v1/users/me", Some(&s.access), None)
        .await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    r.body
}

/// POST /auth/password-reset.
pub async fn ask_reset(app: &TestApp, body: serde_json::Value) -> crate::helpers::Reply {
    app.post("/api/v1/auth/password-reset", None, body).await
}

/// POST /auth/password-reset/confirm.
pub async fn confirm_reset(app: &TestApp, token: &str, password: &str) -> crate::helpers::Reply {
    let body = json!({"token": token, "new_password": password});
    app.post("/api/v1/auth/password-reset/confirm", None, body)
        .await
}

/// POST /users/me/email/verification (a new confirmation link).
pub async fn resend_link(app: &TestApp, s: &Session) -> crate::helpers::Reply {
    let path = "/api/v1/users/me/email/verification";
    app.request(Method::POST, path, Some(&s.access), None).await
}
