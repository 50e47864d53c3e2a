#![allow(dead_code)]

//! A protocol-speaking WebSocket client for tests: authenticates, resumes, and
//! keeps per-conversation positions like a real client would.

use std::{
    collections::{HashMap, VecDeque},
    time::Duration,
};

use futures_util::{SinkExt, StreamExt};
use serde_json::{json, Value};
use tokio::net::TcpStream;
use tokio_tungstenite::{tungstenite::Message, MaybeTlsStream, WebSocketStream};

use crate::helpers::TestApp;

pub struct Ws {
    stream: WebSocketStream<MaybeTlsStream<TcpStream>>,
    /// Highest ev seen per conversation id.
    pub positions: HashMap<String, i64>,
    /// Close code received, if the server closed.
    pub closed: Option<u16>,
    /// The socket ended (closed with a frame, or dropped without one).
    pub ended: bool,
    /// Highest notification seq seen.
    pub inbox: i64,
    /// The `resumed` frame, once resumed.
    pub resumed: Value,
    /// Frame types set aside unless a test asks for them: presence and
    /// notifications arrive around most actions and would crowd other tests.
    pub skip: Vec<&'static str>,
    /// Frames read past while waiting for a reply, handed out by `next` first:
    /// a send's ack and its own `message.new` may come in either order.
    held: VecDeque<Value>,
}

const SKIPPED: [&str; 2] = ["presence", "notification.new"];

impl Ws {
    /// Opens the socket without authenticating.
    pub async fn open(app: &TestApp) -> Self {
        let (stream, _) = tokio_tungstenite::connect_async(format!("ws://{}/api/v1/ws", app.addr))
            .await
            .expect("ws connect");
        Self {
            stream,
            positions: HashMap::new(),
            closed: None,
            ended: false,
            inbox: 0,
            resumed: Value::Null,
            skip: SKIPPED.to_vec(),
            held: VecDeque::new(),
        }
    }

    /// Like [`Ws::connect`], over a socket with a tiny receive buffer: a client on a
    /// poor link, whose backlog reaches the server quickly once it stops reading.
    pub async fn connect_with_small_buffer(app: &TestApp, token: &str) -> Self {
        let socket = tokio::net::TcpSocket::new_v4().unwrap();
        socket.set_recv_buffer_size(4096).unwrap();
        let tcp = socket.connect(app.addr).await.unwrap();
        let (stream, _) = tokio_tungstenite::client_async(
            format!("ws://{}/api/v1/ws", app.addr),
            MaybeTlsStream::Plain(tcp),
        )
        .await
        .expect("ws connect");
        let mut ws = Self {
            stream,
            positions: HashMap::new(),
            closed: None,
            ended: false,
            inbox: 0,
            resumed: Value::Null,
            skip: SKIPPED.to_vec(),
            held: VecDeque::new(),
        };
        ws.send(json!({"type": "auth", "token": token})).await;
        assert_eq!(ws.next().await["type"], "ready");
        ws.send(json!({"type": "resume", "positions": {}})).await;
        while ws.next().await["type"] != "resumed" {}
        ws
    }

    /// Connects, authenticates and resumes from `positions`; returns the client and
    /// the frames replayed before `resumed`.
    pub async fn resume(
        app: &TestApp,
        token: &str,
        positions: HashMap<String, i64>,
    ) -> (Self, Vec<Value>) {
        Self::resume_all(app, token, positions, None, &SKIPPED).await
    }

    /// [`Ws::resume`] with the notification position too, keeping every frame type
    /// except those in `skip`.
    pub async fn resume_all(
        app: &TestApp,
        token: &str,
        positions: HashMap<String, i64>,
        inbox: Option<i64>,
        skip: &[&'static str],
    ) -> (Self, Vec<Value>) {
        let mut ws = Self::open(app).await;
        ws.skip = skip.to_vec();
        ws.positions = positions.clone();
        ws.send(json!({"type": "auth", "token": token})).await;
        let ready = ws.next().await;
        assert_eq!(ready["type"], "ready", "{ready}");
        ws.send(json!({"type": "resume", "positions": positions, "inbox": inbox}))
            .await;
        let mut replayed = Vec::new();
        loop {
            let f = ws.next().await;
            if f["type"] == "resumed" {
                ws.resumed = f;
                break;
            }
            replayed.push(f);
        }
        (ws, replayed)
    }

    /// Connects fresh (no positions) and drains the snapshots.
    pub async fn connect(app: &TestApp, token: &str) -> Self {
        Self::resume(app, token, HashMap::new()).await.0
    }

    /// The socket itself, for a test that reads and writes from two tasks.
    pub fn into_stream(self) -> WebSocketStream<MaybeTlsStream<TcpStream>> {
        self.stream
    }

    pub async fn send(&mut self, v: Value) {
        self.stream
            .send(Message::Text(v.to_string().into()))
            .await
            .expect("ws send");
    }

    pub async fn send_raw(&mut self, m: Message) -> bool {
        self.stream.send(m).await.is_ok()
    }

    /// The next frame (10 s at most), tracking positions. Panics on close.
    pub async fn next(&mut self) -> Value {
        self.try_next(Duration::from_secs(10))
            .await
            .unwrap_or_else(|| panic!("no frame (closed: {:?})", self.closed))
    }

    /// The next frame within `wait`, or `None` on timeout or close.
    pub async fn try_next(&mut self, wait: Duration) -> Option<Value> {
        if let Some(f) = self.held.pop_front() {
            return Some(f);
        }
        loop {
            let msg = tokio::time::timeout(wait, self.stream.next()).await.ok()?;
            let Some(msg) = msg else {
                self.ended = true;
                return None;
            };
            match msg {
                Ok(Message::Text(t)) => {
                    let v: Value =
                        serde_json::from_str(t.as_str()).expect("server frames are JSON");
                    if let (Some(c), Some(ev)) = (v["conversation_id"].as_str(), v["ev"].as_i64()) {
                        let p = self.positions.entry(c.to_owned()).or_insert(0);
                        *p = (*p).max(ev);
                    }
                    if v["type"] == "notification.new" {
                        self.inbox = self.inbox.max(v["seq"].as_i64().unwrap_or(0));
                    }
                    if self.skip.iter().any(|t| v["type"] == *t) {
                        continue;
                    }
                    return Some(v);
                }
                Ok(Message::Close(frame)) => {
                    self.closed = Some(frame.map_or(1005, |f| u16::from(f.code)));
                    self.ended = true;
                    return None;
                }
                Ok(_) => continue,
                Err(_) => {
                    self.ended = true;
                    return None;
                }
            }
        }
    }

    /// The next frame of `kind`, skipping others.
    pub async fn next_of(&mut self, kind: &str) -> Value {
        loop {
            let f = self.next().await;
            if f["type"] == kind {
                return f;
            }
        }
    }

    /// Asserts nothing but `allowed` types arrive within `wait`.
    pub async fn expect_quiet(&mut self, wait: Duration) {
        if let Some(f) = self.try_next(wait).await {
            panic!("expected no frame, got {f}");
        }
    }

    /// Reads until the server closes; returns the close code.
    pub async fn close_code(&mut self) -> Option<u16> {
        while self.closed.is_none() {
            if self.try_next(Duration::from_secs(15)).await.is_none() && self.closed.is_none() {
                return None;
            }
        }
        self.closed
    }

    /// Sends a message over the socket and returns the ack.
    pub async fn send_message(
        &mut self,
        conversation: &str,
        client_msg_id: &str,
        body: &str,
    ) -> Value {
        self.send(json!({"type": "send", "ref": client_msg_id, "conversation_id": conversation, "client_msg_id": client_msg_id, "body": body})).await;
        let mut passed = VecDeque::new();
        let reply = loop {
            let f = self.next().await;
            if f["ref"] == client_msg_id && (f["type"] == "ack" || f["type"] == "error") {
                break f;
            }
            passed.push_back(f);
        };
        passed.append(&mut self.held);
        self.held = passed;
        reply
    }
}
