//! An in-process Confab server for the load tool's own tests.
#![allow(dead_code)] // each test binary uses part of this

use std::path::PathBuf;

use clap::Parser;

pub struct Server {
    pub url: String,
    /// Its Prometheus endpoint (`--metrics-listen` on a free port).
    pub metrics: String,
    stop: tokio::sync::oneshot::Sender<()>,
    task: tokio::task::JoinHandle<anyhow::Result<()>>,
    dir: tempfile::TempDir,
}

/// What `confab admin seed-bench` should create before the server starts.
pub struct Seed {
    pub users: u32,
    pub groups: u32,
    pub group_size: u32,
    pub messages: u64,
}

pub async fn start() -> Server {
    start_with(None).await.0
}

/// A server with seeded users, groups and messages, and the tokens file
/// `confab admin bench-tokens` writes for them.
pub async fn start_seeded(seed: Seed) -> (Server, PathBuf) {
    let (server, tokens) = start_with(Some(seed)).await;
    (server, tokens.unwrap())
}

async fn start_with(seed: Option<Seed>) -> (Server, Option<PathBuf>) {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().to_str().unwrap().to_owned();
    let metrics_at = {
        let free = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        free.local_addr().unwrap().to_string()
    };
    let config = confab::config::Cli::try_parse_from([
        "confab",
        "--data-dir",
        &data,
        "--metrics-listen",
        &metrics_at,
        "--password-hash-memory-kib",
        "64",
        "--messaging-policy",
        "open",
        "--rate-limits",
        "false",
        "--default-group-invites",
        "everyone",
    ])
    .unwrap()
    .config;
    let state = confab::app::build(&config).await.unwrap();
    let tokens = match seed {
        Some(s) => {
            use confab::app::bench_cli;
            bench_cli::seed(
                &state.chat,
                "seeded",
                s.users,
                s.groups,
                s.group_size,
                s.messages,
            )
            .await
            .unwrap();
            let path = dir.path().join("tokens.txt");
            bench_cli::tokens(&state.chat, "seeded", s.users, &path)
                .await
                .unwrap();
            Some(path)
        }
        None => None,
    };
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let task = tokio::spawn(confab::app::serve(listener, state, async {
        let _ = stopped.await;
    }));
    (
        Server {
            url,
            metrics: format!("http://{metrics_at}/metrics"),
            stop,
            task,
            dir,
        },
        tokens,
    )
}

impl Server {
    pub async fn shutdown(self) {
        let _ = self.stop.send(());
        self.task.await.unwrap().unwrap();
    }
}
