//! An in-process Confab server for the load tool's own tests.

use clap::Parser;

pub struct Server {
    pub url: String,
    stop: tokio::sync::oneshot::Sender<()>,
    task: tokio::task::JoinHandle<anyhow::Result<()>>,
    _dir: tempfile::TempDir,
}

pub async fn start() -> Server {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().to_str().unwrap().to_owned();
    let config = confab::config::Cli::try_parse_from([
        "confab",
        "--data-dir",
        &data,
        "--password-hash-memory-kib",
        "64",
        "--messaging-policy",
        "open",
    ])
    .unwrap()
    .config;
    let state = confab::app::build(&config).await.unwrap();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let task = tokio::spawn(confab::app::serve(listener, state, async {
        let _ = stopped.await;
    }));
    Server {
        url,
        stop,
        task,
        _dir: dir,
    }
}

impl Server {
    pub async fn shutdown(self) {
        let _ = self.stop.send(());
        self.task.await.unwrap().unwrap();
    }
}
