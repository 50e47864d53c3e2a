//! Database connections that died while idle in the pool (a database restart, an
//! idle cut by the server or a proxy) are found and replaced before a request
//! uses them. Pooled connections are no longer pinged before every use (a round
//! trip per statement), only after they sat idle, so this holds that part.

use std::time::Duration;

use reqwest::StatusCode;
use sqlx::{Connection, Row};

use crate::helpers::{spawn_app, Backend};

#[tokio::test]
async fn postgres() {
    connections_killed_while_idle_are_replaced(Backend::Postgres).await
}

#[tokio::test]
async fn mysql() {
    connections_killed_while_idle_are_replaced(Backend::MySql).await
}

/// Ends every connection to the test's database from the server's side, as a
/// restart would; returns how many it ended.
async fn kill_connections(b: Backend, database_url: &str) -> usize {
    let var = match b {
        Backend::Postgres => "CONFAB_TEST_POSTGRES_URL",
        _ => "CONFAB_TEST_MYSQL_URL",
    };
    let admin_url = std::env::var(var).unwrap();
    let name = database_url.rsplit('/').next().unwrap().to_owned();
    let mut admin = sqlx::AnyConnection::connect(&admin_url).await.unwrap();
    let ended = if b == Backend::Postgres {
        let sql = format!(
            "SELECT pg_terminate_backend(pid) AS ended FROM pg_stat_activity \
             WHERE datname = '{name}' AND pid <> pg_backend_pid()"
        );
        sqlx::query(&sql).fetch_all(&mut admin).await.unwrap().len()
    } else {
        let sql = format!(
            "SELECT id FROM information_schema.processlist WHERE db = '{name}' \
             AND id <> CONNECTION_ID()"
        );
        let ids: Vec<i64> = sqlx::query(&sql)
            .fetch_all(&mut admin)
            .await
            .unwrap()
            .iter()
            .map(|r| r.try_get::<i64, _>("id").unwrap())
            .collect();
        for id in &ids {
            sqlx::query(&format!("KILL CONNECTION {id}"))
                .execute(&mut admin)
                .await
                .unwrap();
        }
        ids.len()
    };
    admin.close().await.ok();
    ended
}

async fn connections_killed_while_idle_are_replaced(b: Backend) {
    let Some(app) = spawn_app(b).await else {
        return;
    };
    let (ann, ben) = (app.register("ann").await, app.register("ben").await);
    let c = app.direct(&ann, &ben).await;
    assert_eq!(
        app.say(&ann, &c, "before", "before").await.status,
        StatusCode::CREATED
    );
    let ended = kill_connections(b, &app.url).await;
    // The pool's connections and the message writer's own.
    assert!(ended >= 2, "ended {ended} connections");
    // Idle for longer than the pool's ping threshold (one second).
    tokio::time::sleep(Duration::from_millis(1500)).await;

    // Reads, a sign-in (writes) and a send (the writer's connection) all work.
    let history = format!("/api/v1/conversations/{c}/messages");
    let r = app.get(&history, &ben.access).await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    let again = app.login("ann").await;
    let sent = app.say(&again, &c, "after", "after").await;
    assert_eq!(sent.status, StatusCode::CREATED, "{:?}", sent.body);
    let items = app.get(&history, &ben.access).await.body["items"].clone();
    let bodies: Vec<&str> = items
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["body"].as_str().unwrap())
        .collect();
    assert_eq!(bodies, ["before", "after"]);
}
