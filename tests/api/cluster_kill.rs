//! Three Confab processes on one database and one Redis, behind a real nginx
//! with the repo's configuration; clients connect only through nginx. While 20
//! clients send into one group, one node is killed with SIGKILL and, later,
//! Redis is stopped for two seconds: every acked message still reaches every
//! member exactly once and in order after their clients reconnect (to another
//! node) and resume; the dead node's users go offline within the bound.
//!
//! PostgreSQL and MySQL/MariaDB only: several nodes need a database server (on
//! SQLite the test says so and stops).

use std::{
    collections::{HashMap, HashSet},
    process::{Child, Command, Stdio},
    sync::{
        atomic::{AtomicUsize, Ordering},
        Arc,
    },
    time::{Duration, Instant},
};

use futures_util::{SinkExt, StreamExt};
use serde_json::{json, Value};
use tokio_tungstenite::tungstenite::Message;

use crate::{
    backend_tests,
    cluster::OwnRedis,
    helpers::{spawn_app, Backend, TestApp},
    nginx::{nginx, Nginx},
};

backend_tests!(killing_a_node_and_pausing_redis_under_load_loses_and_duplicates_nothing,);

const CLIENTS: usize = 20;
const EACH: usize = 30;
/// The nodes' heartbeat TTL here: a dead node's users are offline within
/// TTL + TTL/3 (README, "Running several nodes").
const TTL_SECS: u64 = 3;

/// A Confab process of its own, to kill.
struct Node {
    child: Child,
    addr: String,
    _dir: tempfile::TempDir,
}

impl Node {
    fn start(url: &str, redis: &str, channel: &str, secret: &str) -> Self {
        let dir = tempfile::tempdir().unwrap();
        let port = crate::helpers::free_port();
        let addr = format!("127.0.0.1:{port}");
        let ttl = TTL_SECS.to_string();
        let child = Command::new(env!("CARGO_BIN_EXE_confab"))
            .args([
                "--listen",
                &addr,
                "--database-url",
                url,
                "--jwt-secret",
                secret,
            ])
            .args(["--redis-url", redis, "--redis-channel", channel])
            .args(["--node-ttl-secs", &ttl, "--presence-grace-secs", "0"])
            .args(["--trusted-proxies", "127.0.0.1", "--rate-limits", "false"])
            .args([
                "--password-hash-memory-kib",
                "64",
                "--messaging-policy",
                "open",
            ])
            .args([
                "--default-group-invites",
                "everyone",
                "--db-max-connections",
                "8",
            ])
            .arg("--data-dir")
            .arg(dir.path())
            .env("RUST_LOG", "warn")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("confab starts");
        Self {
            child,
            addr,
            _dir: dir,
        }
    }

    async fn ready(&self) {
        let deadline = Instant::now() + Duration::from_secs(30);
        while Instant::now() < deadline {
            let r = reqwest::get(format!("http://{}/healthz", self.addr)).await;
            if r.is_ok_and(|r| r.status().is_success()) {
                return;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        panic!("node {} did not start", self.addr);
    }

    fn kill(&mut self) {
        self.child.kill().unwrap(); // SIGKILL
        self.child.wait().unwrap();
    }
}

impl Drop for Node {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

type Socket =
    tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

/// One member's client: sends its messages one by one (a send without an ack
/// is sent again, same id, after a reconnect) and records every message it is
/// given, duplicates included.
struct Member {
    at: String,
    token: String,
    positions: HashMap<String, i64>,
    /// (seq, client_msg_id) of every test message delivered, in arrival order.
    received: Vec<(i64, String)>,
    acked: Vec<String>,
    /// Sockets this client opened (more than one: it was sent elsewhere).
    connections: usize,
}

impl Member {
    /// Connects, authenticates and resumes from the positions held; retries
    /// until a node takes it.
    async fn connect(&mut self) -> Socket {
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            assert!(Instant::now() < deadline, "no node took the client");
            if let Ok(Ok((mut ws, _))) = tokio::time::timeout(
                Duration::from_secs(5),
                tokio_tungstenite::connect_async(format!("ws://{}/api/v1/ws", self.at)),
            )
            .await
            {
                let auth = json!({"type": "auth", "token": self.token});
                let resume = json!({"type": "resume", "positions": self.positions});
                if ws
                    .send(Message::Text(auth.to_string().into()))
                    .await
                    .is_ok()
                    && ws
                        .send(Message::Text(resume.to_string().into()))
                        .await
                        .is_ok()
                    && self.until(&mut ws, |f| f["type"] == "resumed").await
                {
                    self.connections += 1;
                    return ws;
                }
            }
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
    }

    /// Reads frames (recording them) until one satisfies `done`: true; or the
    /// socket ends: false.
    async fn until(&mut self, ws: &mut Socket, done: impl Fn(&Value) -> bool) -> bool {
        loop {
            let next = tokio::time::timeout(Duration::from_secs(15), ws.next()).await;
            let Ok(Some(Ok(msg))) = next else {
                return false;
            };
            let Message::Text(t) = msg else { continue };
            let f: Value = serde_json::from_str(t.as_str()).unwrap();
            if let (Some(c), Some(ev)) = (f["conversation_id"].as_str(), f["ev"].as_i64()) {
                let p = self.positions.entry(c.to_owned()).or_insert(0);
                *p = (*p).max(ev);
            }
            if f["type"] == "message.new" {
                let id = f["message"]["client_msg_id"].as_str().unwrap_or_default();
                if id.starts_with("k-") {
                    self.received
                        .push((f["message"]["seq"].as_i64().unwrap(), id.to_owned()));
                }
            }
            assert_ne!(f["type"], "error", "{f}");
            if done(&f) {
                return true;
            }
        }
    }

    async fn run(
        mut self,
        conv: String,
        me: usize,
        acks: Arc<AtomicUsize>,
        done: Arc<AtomicUsize>,
    ) -> Self {
        let mut ws = self.connect().await;
        for i in 0..EACH {
            let id = format!("k-{me}-{i}");
            let frame = json!({"type": "send", "ref": id, "conversation_id": conv, "client_msg_id": id, "body": id});
            loop {
                let sent = ws
                    .send(Message::Text(frame.to_string().into()))
                    .await
                    .is_ok();
                if sent
                    && self
                        .until(&mut ws, |f| f["type"] == "ack" && f["ref"] == id)
                        .await
                {
                    break;
                }
                ws = self.connect().await;
            }
            self.acked.push(id);
            acks.fetch_add(1, Ordering::SeqCst);
        }
        done.fetch_add(1, Ordering::SeqCst);
        // Everyone's messages, then stop: all senders done and all acked seen.
        let deadline = Instant::now() + Duration::from_secs(60);
        loop {
            let everyone = done.load(Ordering::SeqCst) == CLIENTS;
            let total = acks.load(Ordering::SeqCst);
            let unique: HashSet<&String> = self.received.iter().map(|(_, id)| id).collect();
            if everyone && unique.len() >= total {
                return self;
            }
            assert!(
                Instant::now() < deadline,
                "member {me}: {} of {total}",
                unique.len()
            );
            let more =
                tokio::time::timeout(Duration::from_millis(500), self.until(&mut ws, |_| true))
                    .await;
            if more == Ok(false) {
                ws = self.connect().await;
            }
        }
    }
}

/// Waits until `acks` reaches `n`.
async fn progress(acks: &AtomicUsize, n: usize) {
    let deadline = Instant::now() + Duration::from_secs(60);
    while acks.load(Ordering::SeqCst) < n {
        assert!(
            Instant::now() < deadline,
            "stuck at {} acks",
            acks.load(Ordering::SeqCst)
        );
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
}

async fn killing_a_node_and_pausing_redis_under_load_loses_and_duplicates_nothing(b: Backend) {
    if b == Backend::Sqlite {
        eprintln!("several nodes need PostgreSQL or MySQL: not run on SQLite");
        return;
    }
    let Some(bin) = nginx() else { return };
    let Some(mut redis) = OwnRedis::on_a_free_port() else {
        return;
    };
    // The in-process app only makes and migrates a database of the test's own.
    let Some(mut app) = spawn_app(b).await else {
        return;
    };
    app.stop().await;
    let (url, redis_url) = (app.url.clone(), format!("redis://127.0.0.1:{}", redis.port));
    let channel = format!("confab-t-{}", uuid::Uuid::now_v7().simple());
    let secret = uuid::Uuid::new_v4().simple().to_string().repeat(2);
    let mut nodes: Vec<Node> = (0..3)
        .map(|_| Node::start(&url, &redis_url, &channel, &secret))
        .collect();
    for n in &nodes {
        n.ready().await;
    }
    let addrs: Vec<String> = nodes.iter().map(|n| n.addr.clone()).collect();
    let proxy = Nginx::in_front_of(&bin, &addrs);
    tokio::time::sleep(Duration::from_millis(300)).await;
    let front = format!("127.0.0.1:{}", proxy.port);
    point_at(&mut app, &front);

    let members: Vec<_> = futures_util::future::join_all((0..CLIENTS).map(|i| {
        let app = &app;
        async move { app.register(&format!("member{i}")).await }
    }))
    .await;
    let others: Vec<_> = members[1..].iter().collect();
    let conv = app.group(&members[0], "Everyone", &others).await;

    // Dora is only on node B; Wes, on node A, watches her presence.
    let (dora, wes) = (app.register("dora").await, app.register("wes").await);
    app.group(&wes, "Watch", &[&dora]).await;
    let _dora_ws = direct_socket(&addrs[1], &dora.access).await;
    let mut wes_ws = direct_socket(&addrs[0], &wes.access).await;

    let acks = Arc::new(AtomicUsize::new(0));
    let done = Arc::new(AtomicUsize::new(0));
    let tasks: Vec<_> = members
        .iter()
        .enumerate()
        .map(|(i, s)| {
            let m = Member {
                at: front.clone(),
                token: s.access.clone(),
                positions: HashMap::from([(conv.clone(), 0)]),
                received: Vec::new(),
                acked: Vec::new(),
                connections: 0,
            };
            tokio::spawn(m.run(conv.clone(), i, acks.clone(), done.clone()))
        })
        .collect();

    let total = CLIENTS * EACH;
    progress(&acks, total / 3).await;
    nodes[1].kill();
    let killed = Instant::now();
    let offline = wait_offline(&mut wes_ws, &dora.user_id).await;
    let bound = Duration::from_secs(TTL_SECS + TTL_SECS / 3 + 1);
    assert!(
        offline <= bound,
        "dora offline after {offline:?}, bound {bound:?}"
    );
    eprintln!("dora offline {:?} after the kill", killed.elapsed());

    progress(&acks, total * 2 / 3).await;
    let port = redis.port;
    redis.stop();
    tokio::time::sleep(Duration::from_secs(2)).await;
    let _redis = OwnRedis::start(port);

    let mut results = Vec::new();
    for t in tasks {
        results.push(t.await.expect("member task"));
    }
    let acked: HashSet<String> = results.iter().flat_map(|m| m.acked.clone()).collect();
    assert_eq!(acked.len(), total, "every send was acked in the end");
    let mut connections = 0;
    for (i, m) in results.iter().enumerate() {
        let ids: Vec<&String> = m.received.iter().map(|(_, id)| id).collect();
        let unique: HashSet<&String> = ids.iter().copied().collect();
        assert_eq!(unique.len(), ids.len(), "member {i} got a message twice");
        assert_eq!(unique.len(), total, "member {i} missed messages");
        assert!(
            m.received.windows(2).all(|w| w[0].0 < w[1].0),
            "member {i}: out of order"
        );
        connections += m.connections;
    }
    assert!(
        connections > CLIENTS,
        "the kill sent some clients elsewhere"
    );
}

/// Makes the app's HTTP helpers go through `front`.
fn point_at(app: &mut TestApp, front: &str) {
    app.base = format!("http://{front}");
    app.addr = front.parse().unwrap();
}

/// A socket straight to one node (not through nginx), authenticated and
/// resumed, keeping presence frames.
async fn direct_socket(addr: &str, token: &str) -> Socket {
    let (mut ws, _) = tokio_tungstenite::connect_async(format!("ws://{addr}/api/v1/ws"))
        .await
        .unwrap();
    let auth = json!({"type": "auth", "token": token});
    ws.send(Message::Text(auth.to_string().into()))
        .await
        .unwrap();
    let resume = json!({"type": "resume", "positions": {}});
    ws.send(Message::Text(resume.to_string().into()))
        .await
        .unwrap();
    loop {
        let Some(Ok(Message::Text(t))) = ws.next().await else {
            panic!("no resumed frame")
        };
        if t.as_str().contains("\"resumed\"") {
            return ws;
        }
    }
}

/// How long until `ws` hears that `user` is offline.
async fn wait_offline(ws: &mut Socket, user: &str) -> Duration {
    let start = Instant::now();
    loop {
        let next = tokio::time::timeout(Duration::from_secs(30), ws.next()).await;
        let Ok(Some(Ok(Message::Text(t)))) = next else {
            panic!("no offline announcement for {user}");
        };
        let f: Value = serde_json::from_str(t.as_str()).unwrap();
        if f["type"] == "presence" && f["user_id"] == user && f["presence"]["status"] == "offline" {
            return start.elapsed();
        }
    }
}
