//! A protocol client for the scenarios: connect from a chosen loopback source
//! address, authenticate, resume, and read frames.

use std::{
    borrow::Cow,
    collections::HashMap,
    net::SocketAddr,
    sync::{
        atomic::{AtomicUsize, Ordering},
        OnceLock,
    },
    time::Duration,
};

use anyhow::{bail, Context};
use futures_util::{SinkExt, StreamExt};
use serde_json::{json, Value};
use tokio_tungstenite::{tungstenite::Message, MaybeTlsStream};

pub type Ws = tokio_tungstenite::WebSocketStream<MaybeTlsStream<tokio::net::TcpStream>>;

/// What a resume gave: the frames replayed before `resumed`, and its positions.
pub struct Resumed {
    pub ws: Ws,
    pub replayed: Vec<Value>,
    pub positions: HashMap<String, i64>,
}

/// The server's address from `http://IP:PORT` (load tests target loopback only).
pub fn server_addr(url: &str) -> anyhow::Result<SocketAddr> {
    url.trim_start_matches("http://")
        .trim_end_matches('/')
        .parse()
        .with_context(|| format!("--url must be http://IP:PORT on loopback, not {url:?}"))
}

/// Nodes of one cluster that WebSocket connections are spread over, in turn
/// (`--ws-url`); unset: each connection goes to the URL it is given.
static SPREAD: OnceLock<Vec<String>> = OnceLock::new();
static TURN: AtomicUsize = AtomicUsize::new(0);

/// Spreads every later [`connect`] over `urls` (checked to be loopback URLs).
pub fn spread_over(urls: Vec<String>) -> anyhow::Result<()> {
    for u in &urls {
        server_addr(u)?;
    }
    if !urls.is_empty() {
        let _ = SPREAD.set(urls);
    }
    Ok(())
}

/// The next text frame as JSON; `None` after `wait` with nothing.
pub async fn next_json(ws: &mut Ws, wait: Duration) -> anyhow::Result<Option<Value>> {
    match next_text(ws, wait).await? {
        Some(t) => Ok(Some(serde_json::from_str(&t)?)),
        None => Ok(None),
    }
}

pub async fn send_json(ws: &mut Ws, v: Value) -> anyhow::Result<()> {
    ws.send(Message::Text(v.to_string().into())).await?;
    Ok(())
}

/// Connects from 127.0.0.`source`, authenticates with `token` and resumes from
/// `positions`; returns once the server says `resumed`.
pub async fn connect(
    url: &str,
    source: u8,
    token: &str,
    positions: &HashMap<String, i64>,
) -> anyhow::Result<Resumed> {
    match SPREAD.get() {
        Some(urls) => {
            let url = &urls[TURN.fetch_add(1, Ordering::Relaxed) % urls.len()];
            connect_to(url, source, token, positions).await
        }
        None => connect_to(url, source, token, positions).await,
    }
}

/// [`connect`] to exactly `url`, whatever the spread.
pub async fn connect_to(
    url: &str,
    source: u8,
    token: &str,
    positions: &HashMap<String, i64>,
) -> anyhow::Result<Resumed> {
    let server = server_addr(url)?;
    let socket = tokio::net::TcpSocket::new_v4()?;
    socket.bind(SocketAddr::from(([127, 0, 0, source.max(1)], 0)))?;
    let tcp = socket.connect(server).await?;
    let (mut ws, _) = tokio_tungstenite::client_async(
        format!("ws://{server}/api/v1/ws"),
        MaybeTlsStream::Plain(tcp),
    )
    .await?;
    send_json(&mut ws, json!({"type": "auth", "token": token})).await?;
    send_json(&mut ws, json!({"type": "resume", "positions": positions})).await?;
    let mut replayed = Vec::new();
    while let Some(f) = next_json(&mut ws, Duration::from_secs(60)).await? {
        if f["type"] == "resumed" {
            let positions = serde_json::from_value(f["positions"].clone()).unwrap_or_default();
            return Ok(Resumed {
                ws,
                replayed,
                positions,
            });
        }
        replayed.push(f);
    }
    bail!("no resumed frame within 60 s")
}

/// The next text frame as it came; `None` after `wait` with nothing. The hot
/// receive paths parse it with [`Frame`], which borrows instead of building a tree,
/// so the tool spends less of the shared CPU on each delivery.
pub async fn next_text(ws: &mut Ws, wait: Duration) -> anyhow::Result<Option<String>> {
    loop {
        match tokio::time::timeout(wait, ws.next()).await {
            Err(_) => return Ok(None),
            Ok(None) => bail!("connection ended"),
            Ok(Some(m)) => match m? {
                Message::Text(t) => return Ok(Some(t.as_str().to_owned())),
                Message::Close(f) => bail!("closed by the server: {f:?}"),
                _ => continue,
            },
        }
    }
}

/// The fields of a server frame the scenarios look at.
#[derive(serde::Deserialize)]
pub struct Frame<'a> {
    #[serde(rename = "type", borrow)]
    pub kind: Cow<'a, str>,
    #[serde(rename = "ref", default, borrow)]
    pub reference: Option<Cow<'a, str>>,
    #[serde(default, borrow)]
    pub message: Option<FrameMessage<'a>>,
}

#[derive(serde::Deserialize)]
pub struct FrameMessage<'a> {
    pub seq: i64,
    #[serde(borrow)]
    pub body: Cow<'a, str>,
}
