//! Two nodes behind a real nginx running the repo's own configuration
//! (deploy/nginx/confab.conf, only its port changed): REST and the WebSocket
//! upgrade go through it, requests land on both nodes, and a conversation's
//! messages reach the client once and in order whichever node took them.

use std::{
    process::{Child, Command, Stdio},
    time::Duration,
};

use reqwest::StatusCode;

use crate::{
    backend_tests,
    helpers::{spawn_app_with, Backend, TestApp, PASSWORD},
    ws_client::Ws,
};

backend_tests!(two_nodes_behind_the_repos_nginx_config);

/// nginx, or `None` (outside CI) when it is not installed.
pub(crate) fn nginx() -> Option<String> {
    let bin = std::env::var("CONFAB_TEST_NGINX").unwrap_or_else(|_| "/usr/sbin/nginx".into());
    if std::path::Path::new(&bin).exists() {
        return Some(bin);
    }
    if std::env::var("CI").is_ok_and(|v| v == "true") {
        panic!("nginx is not installed at {bin}: CI must test the nginx configuration");
    }
    eprintln!("nginx not found at {bin}: the nginx test NOT run");
    None
}

pub(crate) struct Nginx {
    child: Child,
    pub(crate) port: u16,
    _dir: tempfile::TempDir,
}

impl Nginx {
    /// The repo's site configuration on a free port, in front of `nodes`.
    fn start(bin: &str, nodes: &[&TestApp]) -> Self {
        let addrs: Vec<String> = nodes.iter().map(|n| n.addr.to_string()).collect();
        Self::in_front_of(bin, &addrs)
    }

    /// The same, in front of nodes at `addrs` (host:port).
    pub(crate) fn in_front_of(bin: &str, addrs: &[String]) -> Self {
        let dir = tempfile::tempdir().unwrap();
        let port = crate::helpers::free_port();
        let site = std::fs::read_to_string(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/deploy/nginx/confab.conf"
        ))
        .unwrap()
        .replace("listen 8080;", &format!("listen 127.0.0.1:{port};"));
        assert!(
            site.contains(&format!("listen 127.0.0.1:{port};")),
            "the site listens on 8080"
        );
        let servers: String = addrs.iter().map(|a| format!("server {a};\n")).collect();
        let d = dir.path().display();
        let conf = format!(
            "daemon off;\nworker_processes 1;\npid {d}/nginx.pid;\nerror_log {d}/error.log warn;\n\
             events {{ worker_connections 256; }}\nhttp {{\naccess_log off;\n\
             client_body_temp_path {d}/body;\nproxy_temp_path {d}/proxy;\n\
             upstream confab {{\n{servers}keepalive 8;\n}}\n{site}\n}}\n"
        );
        std::fs::write(dir.path().join("nginx.conf"), conf).unwrap();
        let test = Command::new(bin)
            .args(["-t", "-p"])
            .arg(dir.path())
            .arg("-c")
            .arg(dir.path().join("nginx.conf"))
            .output()
            .unwrap();
        assert!(
            test.status.success(),
            "nginx -t: {}",
            String::from_utf8_lossy(&test.stderr)
        );
        let child = Command::new(bin)
            .arg("-p")
            .arg(dir.path())
            .arg("-c")
            .arg(dir.path().join("nginx.conf"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        Self {
            child,
            port,
            _dir: dir,
        }
    }
}

impl Drop for Nginx {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

async fn two_nodes_behind_the_repos_nginx_config(b: Backend) {
    let Some(bin) = nginx() else { return };
    let Ok(redis) = std::env::var("CONFAB_TEST_REDIS_URL") else {
        assert!(
            !std::env::var("CI").is_ok_and(|v| v == "true"),
            "CI must set CONFAB_TEST_REDIS_URL"
        );
        return;
    };
    let channel = format!("confab-t-{}", uuid::Uuid::now_v7().simple());
    let flags = [
        "--redis-url",
        &redis,
        "--redis-channel",
        &channel,
        "--trusted-proxies",
        "127.0.0.1",
    ];
    let Some(mut front) = spawn_app_with(b, &flags).await else {
        return;
    };
    let other = front.another_node().await;
    let proxy = Nginx::start(&bin, &[&front, &other]);
    tokio::time::sleep(Duration::from_millis(300)).await;

    // The app as a client sees it: from here on every request goes through nginx.
    front.base = format!("http://127.0.0.1:{}", proxy.port);
    front.addr = format!("127.0.0.1:{}", proxy.port).parse().unwrap();
    let ann = front.register("ann").await;
    let bob = front.register("bob").await;
    let direct = front.direct(&ann, &bob).await;
    let mut bob_ws = Ws::connect(&front, &bob.access).await;
    for i in 0..10 {
        let r = front
            .say(&ann, &direct, &format!("m{i}"), &i.to_string())
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{:?}", r.body);
    }
    let mut got = Vec::new();
    while let Some(f) = bob_ws.try_next(Duration::from_millis(800)).await {
        if f["type"] == "message.new" {
            got.push(f["message"]["body"].as_str().unwrap().to_owned());
        }
    }
    assert_eq!(
        got,
        (0..10).map(|i| i.to_string()).collect::<Vec<_>>(),
        "once, in order"
    );

    // nginx says who the client is; Confab believes it (trusted proxy).
    let r = front.login_raw("ann", PASSWORD).await;
    assert_eq!(r.status, StatusCode::OK);
    let sessions = front
        .get(
            "/api/v1/auth/sessions",
            r.body["access_token"].as_str().unwrap(),
        )
        .await;
    assert!(
        sessions
            .body
            .as_array()
            .unwrap()
            .iter()
            .all(|s| s["ip"] == "127.0.0.1"),
        "{:?}",
        sessions.body
    );

    // An upload bigger than nginx's default 1 MiB goes through to Confab.
    let big = vec![b'x'; 2 * 1024 * 1024];
    let r = front.upload(&ann, "notes.txt", big).await;
    assert_eq!(r.status, StatusCode::CREATED, "{:?}", r.body);
}
