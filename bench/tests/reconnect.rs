//! `reconnect`: everyone drops, messages arrive, everyone resumes at once; every
//! missed message reaches every member exactly once.

mod common;

use confab_bench::reconnect;
use serde_json::{json, Value};

#[tokio::test]
async fn everyone_resumes_at_once_and_gets_every_missed_message_once() {
    let server = common::start().await;
    let http = reqwest::Client::new();
    let mut users: Vec<(String, String)> = Vec::new();
    for i in 0..6 {
        let r: Value = http
            .post(format!("{}/api/v1/auth/register", server.url))
            .json(&json!({"username": format!("rc{i}"), "password": "bench password 1234", "full_name": "Rc"}))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        users.push((
            r["user"]["id"].as_str().unwrap().to_owned(),
            r["access_token"].as_str().unwrap().to_owned(),
        ));
    }
    for g in users.chunks(3) {
        let r = http
            .post(format!("{}/api/v1/conversations", server.url))
            .bearer_auth(&g[0].1)
            .json(&json!({"name": "rc group", "member_ids": [g[1].0, g[2].0]}))
            .send()
            .await
            .unwrap();
        assert!(r.status().is_success());
    }
    let dir = tempfile::tempdir().unwrap();
    let tokens = dir.path().join("tokens.txt");
    std::fs::write(
        &tokens,
        users
            .iter()
            .map(|(u, t)| format!("{u} {t}\n"))
            .collect::<String>(),
    )
    .unwrap();

    // Twice on the same server: a second run must have its own messages to
    // catch up on, not resends the server deduplicates.
    for away in [None, Some(1.5)] {
        let report = reconnect::run(
            &server.url,
            reconnect::Args {
                tokens: tokens.clone(),
                clients: 6,
                messages: 4,
                concurrency: 6,
                sources: 2,
                first_url: None,
                kill_pid: None,
                away_secs: away,
            },
        )
        .await
        .unwrap();
        assert_eq!((report.clients, report.conversations), (6, 2));
        assert_eq!(
            report.delivered,
            6 * 4,
            "each of 6 members missed 4 messages"
        );
        assert_eq!((report.lost, report.duplicated), (0, 0));
        if let Some(secs) = away {
            assert!(
                report.away_seconds >= secs,
                "asked to stay away {secs} s, came back after {}",
                report.away_seconds
            );
        }
    }
    server.shutdown().await;
}
