//! `idle` opens every connection, spread over source addresses, and measures.

mod common;

use confab_bench::idle;
use serde_json::{json, Value};

#[tokio::test]
async fn idle_opens_and_holds_every_connection_from_several_source_addresses() {
    let server = common::start().await;
    let http = reqwest::Client::new();
    let mut lines = String::new();
    for i in 0..3 {
        let r: Value = http
            .post(format!("{}/api/v1/auth/register", server.url))
            .json(&json!({"username": format!("idle{i}"), "password": "bench password 1234", "full_name": "Idle"}))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        lines += &format!(
            "{} {}\n",
            r["user"]["id"].as_str().unwrap(),
            r["access_token"].as_str().unwrap()
        );
    }
    let dir = tempfile::tempdir().unwrap();
    let tokens = dir.path().join("tokens.txt");
    std::fs::write(&tokens, lines).unwrap();

    let report = idle::run(
        &server.url,
        idle::Args {
            tokens,
            connections: 40,
            server_pid: Some(std::process::id()),
            sources: 3,
            concurrency: 8,
            hold_secs: 0,
        },
    )
    .await
    .unwrap();
    assert_eq!(
        (report.opened, report.failed),
        (40, 0),
        "{:?}",
        report.first_error
    );
    assert!(report.rss_before_kib.is_some() && report.rss_after_kib.is_some());
    assert!(report.table().contains("40 connections opened"));
    server.shutdown().await;
}
