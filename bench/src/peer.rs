//! The `peer-fanout` scenario: Confab's `fanout`, run against the reference
//! Node.js Socket.IO server of `bench/peers/socketio` (the stack Confab
//! replaces) by the same tool, with the same checks: G groups of S members,
//! K of them sending closed loop (next send when the ack is back), everyone
//! receiving, every message checked off by its per-conversation seq.
//!
//! Socket.IO v4 speaks Engine.IO v4 text packets over the WebSocket:
//! `0{..}` open, `40{auth}` / `40{..}` namespace connect, `2` / `3` ping and pong,
//! `42["event",data]` an event, `42<id>[..]` one that wants an ack, `43<id>[..]`
//! the ack. That is all this client needs.

use std::{sync::Arc, time::Duration};

use anyhow::{bail, Context};
use futures_util::{SinkExt, StreamExt};
use serde_json::{json, Value};
use tokio::{
    sync::{Barrier, Semaphore},
    time::{timeout, Instant},
};
use tokio_tungstenite::tungstenite::Message;

use crate::{
    client::Ws,
    member::{hist, Tally},
    report::Report,
};

#[derive(clap::Args, Clone)]
pub struct Args {
    /// Groups seeded by `node server.mjs --seed` (g0 .. g{G-1}).
    #[arg(long, default_value_t = 100)]
    pub groups: usize,
    /// Members per group (g{g}u0 .. g{g}u{S-1}).
    #[arg(long, default_value_t = 10)]
    pub members: usize,
    /// Messages each sender sends.
    #[arg(long, default_value_t = 20)]
    pub messages: usize,
    /// Senders per group; 0: every member.
    #[arg(long, default_value_t = 0)]
    pub senders: usize,
    /// Connections being opened at once during set-up.
    #[arg(long, default_value_t = 64)]
    pub concurrency: usize,
}

async fn text(ws: &mut Ws, wait: Duration) -> anyhow::Result<Option<String>> {
    loop {
        match timeout(wait, ws.next()).await {
            Err(_) => return Ok(None),
            Ok(None) => bail!("the peer closed the connection"),
            Ok(Some(m)) => match m? {
                Message::Text(t) if t.as_str() == "2" => ws.send(Message::text("3")).await?,
                Message::Text(t) => return Ok(Some(t.as_str().to_owned())),
                Message::Close(_) => bail!("the peer closed the connection"),
                _ => {}
            },
        }
    }
}

/// Connects as `user` and waits for the server's `ready` (rooms joined).
async fn connect(url: &str, user: &str) -> anyhow::Result<Ws> {
    let addr = crate::client::server_addr(url)?;
    let ws_url = format!("ws://{addr}/socket.io/?EIO=4&transport=websocket");
    let (mut ws, _) = tokio_tungstenite::connect_async(ws_url.as_str()).await?;
    let wait = Duration::from_secs(30);
    let open = text(&mut ws, wait).await?.context("no open packet")?;
    anyhow::ensure!(open.starts_with('0'), "expected an open packet, got {open}");
    ws.send(Message::text(format!("40{}", json!({ "user": user }))))
        .await?;
    loop {
        let t = text(&mut ws, wait).await?.context("no ready event")?;
        if t.starts_with("42[\"ready\"") {
            return Ok(ws);
        }
        if t.starts_with("44") {
            bail!("connect refused: {t}");
        }
    }
}

/// What one packet meant to a member: an ack of send `id`, or nothing to wait on.
fn on_packet(me: &mut Tally, t: &str, base: Instant) -> Option<u64> {
    let now = base.elapsed().as_micros() as u64;
    if let Some(rest) = t.strip_prefix("42") {
        let Ok(Value::Array(v)) = serde_json::from_str::<Value>(rest) else {
            me.errors += 1;
            return None;
        };
        if v.first().and_then(Value::as_str) == Some("message") {
            let m = &v[1];
            let seq = m["seq"].as_i64().unwrap_or(-1);
            me.delivered(seq, m["body"].as_str().unwrap_or_default(), now);
        }
        None
    } else if let Some(rest) = t.strip_prefix("43") {
        let split = rest.find('[')?;
        let id: u64 = rest[..split].parse().ok()?;
        let v: Value = serde_json::from_str(&rest[split..]).ok()?;
        // An ack carries the stored seq; anything else is an error answer.
        if !v[0]["seq"].is_i64() {
            me.errors += 1;
        }
        Some(id)
    } else {
        None
    }
}

async fn member(
    mut ws: Ws,
    conversation: String,
    tag: String,
    sends: usize,
    expected: usize,
    base: Instant,
) -> anyhow::Result<Tally> {
    let mut me = Tally::new(1);
    for i in 0..sends {
        let t0 = base.elapsed().as_micros() as u64;
        let body = format!("0:{t0}");
        let send = json!(["send", {"conversation": conversation,
            "client_msg_id": format!("{tag}-{i}"), "body": body}]);
        ws.send(Message::text(format!("42{i}{send}"))).await?;
        loop {
            let t = text(&mut ws, Duration::from_secs(30))
                .await?
                .context("no ack within 30 s")?;
            if on_packet(&mut me, &t, base) == Some(i as u64) {
                me.acked(&body, base.elapsed().as_micros() as u64);
                break;
            }
        }
    }
    while (me.received as usize) < expected {
        match text(&mut ws, Duration::from_secs(10)).await? {
            Some(t) => {
                on_packet(&mut me, &t, base);
            }
            None => break,
        }
    }
    let _ = ws.close(None).await;
    Ok(me)
}

pub async fn run(url: &str, args: Args) -> anyhow::Result<Report> {
    let connections = args.groups * args.members;
    let senders = match args.senders {
        0 => args.members,
        n => n.min(args.members),
    };
    let gate = Arc::new(Semaphore::new(args.concurrency.max(1)));
    let mut opening = Vec::with_capacity(connections);
    for g in 0..args.groups {
        for m in 0..args.members {
            let (url, gate) = (url.to_owned(), gate.clone());
            opening.push(tokio::spawn(async move {
                let _permit = gate.acquire_owned().await?;
                connect(&url, &format!("g{g}u{m}")).await
            }));
        }
    }
    let mut sockets = Vec::with_capacity(connections);
    for o in opening {
        sockets.push(o.await??);
    }
    let base = Instant::now();
    let start = Arc::new(Barrier::new(connections + 1));
    let expected = senders * args.messages;
    let tag = uuid::Uuid::new_v4().simple().to_string();
    let mut tasks = Vec::with_capacity(connections);
    for (i, ws) in sockets.into_iter().enumerate() {
        let (g, m) = (i / args.members, i % args.members);
        let sends = if m < senders { args.messages } else { 0 };
        let (start, tag) = (start.clone(), format!("{tag}g{g}m{m}"));
        tasks.push(tokio::spawn(async move {
            start.wait().await;
            member(ws, format!("g{g}"), tag, sends, expected, base).await
        }));
    }
    start.wait().await;
    let began = Instant::now();
    let cpu_before = crate::cpu::window_start();
    let mut report = Report {
        scenario: "peer-fanout".into(),
        params: json!({"server": "socket.io + mysql2 (bench/peers/socketio)", "groups": args.groups,
            "members": args.members, "senders": args.senders, "messages": args.messages,
            "connections": connections}),
        seconds: 0.0,
        sent: 0,
        delivered: 0,
        ack: hist(),
        e2e: hist(),
        lost: 0,
        duplicated: 0,
        out_of_order: 0,
        errors: 0,
        server_cpu_s: None,
    };
    for t in tasks {
        let m = t.await??;
        report.sent += m.sent;
        report.delivered += m.received;
        report.duplicated += m.duplicated;
        report.out_of_order += m.out_of_order;
        report.errors += m.errors;
        report.ack.add(&m.ack)?;
        report.e2e.add(&m.e2e[0])?;
    }
    report.lost =
        (connections * expected) as u64 - report.delivered.min((connections * expected) as u64);
    report.seconds = began.elapsed().as_secs_f64();
    report.server_cpu_s = crate::cpu::window_end(cpu_before);
    Ok(report)
}
