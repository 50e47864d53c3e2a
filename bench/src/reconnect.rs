//! The `reconnect` scenario: every client connects and learns its positions, all
//! drop at once, messages arrive meanwhile, then all reconnect at once and resume.
//! Reports the time until every client has caught up, and checks each missed
//! message off at each client (lost and duplicated are counted).

use std::{
    collections::{HashMap, HashSet},
    path::PathBuf,
};

use anyhow::bail;
use futures_util::{stream, StreamExt};
use serde_json::{json, Value};
use tokio::time::Instant;

use crate::client;

#[derive(clap::Args)]
pub struct Args {
    /// File of "user_id access_token" lines (`confab admin bench-tokens`); users
    /// should share conversations (`confab admin seed-bench --groups`).
    #[arg(long)]
    pub tokens: PathBuf,
    /// Clients: the first N tokens.
    #[arg(long, default_value_t = 1000)]
    pub clients: usize,
    /// Messages sent to each conversation while everyone is away.
    #[arg(long, default_value_t = 5)]
    pub messages: usize,
    #[arg(long, default_value_t = 128)]
    pub concurrency: usize,
    /// Spread over 127.0.0.1 .. 127.0.0.N source addresses.
    #[arg(long, default_value_t = 1)]
    pub sources: u8,
    /// Connect everyone to this node first (a node of a cluster); they come
    /// back to --url, or to the --ws-url nodes in turn.
    #[arg(long)]
    pub first_url: Option<String>,
    /// Kill this process (SIGKILL) instead of the clients dropping: the node at
    /// --first-url. The clock then runs from the kill.
    #[arg(long, requires = "first_url")]
    pub kill_pid: Option<u32>,
    /// Stay away at least this long (seconds from the drop to the reconnect),
    /// sends included. Against the server's presence grace (5 s by default) this
    /// decides what the reconnect meets: shorter, a blip nobody is told about;
    /// well past it (grace plus the offline announcements' own time), everyone
    /// comes back as news. Near the grace the announcements fall inside the
    /// reconnect and the figure is whichever way the race went.
    #[arg(long, conflicts_with = "kill_pid")]
    pub away_secs: Option<f64>,
}

#[derive(Debug)]
pub struct ReconnectReport {
    pub clients: usize,
    pub conversations: usize,
    pub missed_per_conversation: usize,
    pub catch_up_seconds: f64,
    /// From the drop to the first reconnect (the sends took part of it).
    pub away_seconds: f64,
    /// The server's CPU seconds over the reconnect (`--server-pid`).
    pub server_cpu_s: Option<f64>,
    /// One client's connect-to-`resumed` time: p50, p90, p99, max (seconds).
    pub client_seconds: [f64; 4],
    /// When clients were done, from the first reconnect: p50, p90, p99, max.
    pub done_seconds: [f64; 4],
    pub delivered: u64,
    pub lost: u64,
    pub duplicated: u64,
}

impl ReconnectReport {
    pub fn json(&self) -> Value {
        json!({
            "scenario": "reconnect",
            "clients": self.clients,
            "conversations": self.conversations,
            "missed_per_conversation": self.missed_per_conversation,
            "catch_up_seconds": self.catch_up_seconds,
            "away_seconds": self.away_seconds,
            "server_cpu_s": self.server_cpu_s,
            "client_seconds_p50_p90_p99_max": self.client_seconds,
            "done_seconds_p50_p90_p99_max": self.done_seconds,
            "server_cpu_ms_per_client": self.server_cpu_s.map(|c| c * 1e3 / self.clients.max(1) as f64),
            "delivered": self.delivered,
            "lost": self.lost,
            "duplicated": self.duplicated,
        })
    }

    pub fn table(&self) -> String {
        format!(
            "scenario reconnect\n{} clients in {} conversations away for {:.2} s reconnected at once and caught up in {:.2} s\n\
             {} missed messages delivered, lost {}, duplicated {}\n",
            self.clients, self.conversations, self.away_seconds, self.catch_up_seconds, self.delivered, self.lost, self.duplicated
        ) + &format!(
            "each client's own time (s): p50 {:.2} p90 {:.2} p99 {:.2} max {:.2}\n\
             done at (s):                 p50 {:.2} p90 {:.2} p99 {:.2} max {:.2}\n",
            self.client_seconds[0], self.client_seconds[1], self.client_seconds[2], self.client_seconds[3],
            self.done_seconds[0], self.done_seconds[1], self.done_seconds[2], self.done_seconds[3]
        ) + &self
            .server_cpu_s
            .map(|c| format!("server CPU {c:.2} s: {:.2} ms per client\n", c * 1e3 / self.clients.max(1) as f64))
            .unwrap_or_default()
    }
}

pub async fn run(url: &str, args: Args) -> anyhow::Result<ReconnectReport> {
    let _ = rlimit::increase_nofile_limit(u64::MAX);
    let tokens: Vec<String> = crate::cast::read_tokens(&args.tokens)?
        .into_iter()
        .map(|(_, t)| t)
        .take(args.clients)
        .collect();
    client::server_addr(url)?;
    let sources = args.sources.max(1);
    let source = |i: usize| 1 + (i % sources as usize) as u8;

    // 1. Everyone connects once and learns where they are.
    let empty = HashMap::new();
    let first_url = args.first_url.as_deref();
    let first: Vec<anyhow::Result<client::Resumed>> = stream::iter(tokens.iter().enumerate())
        .map(|(i, t)| {
            let empty = &empty;
            async move {
                match first_url {
                    Some(u) => client::connect_to(u, source(i), t, empty).await,
                    None => client::connect(url, source(i), t, empty).await,
                }
            }
        })
        .buffered(args.concurrency.max(1))
        .collect()
        .await;
    let first: Vec<client::Resumed> = first.into_iter().collect::<anyhow::Result<_>>()?;
    let positions: Vec<HashMap<String, i64>> = first.iter().map(|r| r.positions.clone()).collect();
    // Without a node to kill, everyone drops (here) before the messages arrive.
    let mut first = args.kill_pid.is_some().then_some(first);
    let dropped = Instant::now();

    // 2. While all are away, one member of each conversation posts to it.
    let mut sender_of: HashMap<String, usize> = HashMap::new();
    for (i, p) in positions.iter().enumerate() {
        for c in p.keys() {
            sender_of.entry(c.clone()).or_insert(i);
        }
    }
    let http = reqwest::Client::new();
    // Fresh client_msg_ids per run: reused ones would be (rightly) deduplicated by
    // the server, and a second run on the same data would have nothing to catch up.
    let run = uuid::Uuid::new_v4().simple().to_string();
    let run = &run[..8];
    let sends: Vec<anyhow::Result<()>> = stream::iter(
        sender_of
            .iter()
            .flat_map(|(c, &i)| (0..args.messages).map(move |m| (c.clone(), i, m))),
    )
    .map(|(c, i, m)| {
        let (http, token) = (http.clone(), tokens[i].clone());
        async move {
            let r = http
                .post(format!("{url}/api/v1/conversations/{c}/messages"))
                .bearer_auth(token)
                .json(
                    &json!({"client_msg_id": format!("rc-{run}-{c}-{m}"), "body": format!("missed {m}")}),
                )
                .send()
                .await?;
            if !r.status().is_success() {
                bail!("send failed: {}", r.status());
            }
            Ok(())
        }
    })
    .buffer_unordered(32)
    .collect()
    .await;
    sends.into_iter().collect::<anyhow::Result<()>>()?;

    // With one, the node dies under its clients after the messages were stored
    // (their sockets go with it; what the node still held for them is lost).
    let killed = match (args.kill_pid, first.take()) {
        (Some(pid), Some(first)) => {
            let status = std::process::Command::new("kill")
                .args(["-9", &pid.to_string()])
                .status()?;
            if !status.success() {
                bail!("kill -9 {pid} failed");
            }
            eprintln!("killed {pid}; {} clients lost their node", first.len());
            Some(Instant::now())
        }
        _ => None,
    };

    if let Some(secs) = args.away_secs {
        let until = dropped + std::time::Duration::from_secs_f64(secs.max(0.0));
        tokio::time::sleep_until(until).await;
    }

    // 3. All come back at once, each from its own positions.
    let began = Instant::now();
    let cpu_before = crate::cpu::window_start();
    let away_seconds = (began - killed.unwrap_or(dropped)).as_secs_f64();
    // Each client's own time (its connect to its `resumed`), and when it was done
    // on the run's clock: a slow run shows whether everyone was slow or a few
    // waited on something.
    let timed: Vec<(usize, anyhow::Result<client::Resumed>, f64, f64)> =
        stream::iter(tokens.iter().enumerate())
            .map(|(i, t)| {
                let p = &positions[i];
                async move {
                    let t0 = Instant::now();
                    let r = client::connect(url, source(i), t, p).await;
                    (
                        i,
                        r,
                        t0.elapsed().as_secs_f64(),
                        began.elapsed().as_secs_f64(),
                    )
                }
            })
            .buffer_unordered(args.concurrency.max(1))
            .collect()
            .await;
    let mut own: Vec<f64> = timed.iter().map(|t| t.2).collect();
    let mut done_at: Vec<f64> = timed.iter().map(|t| t.3).collect();
    let mut second: Vec<Option<anyhow::Result<client::Resumed>>> =
        (0..tokens.len()).map(|_| None).collect();
    for (i, r, _, _) in timed {
        second[i] = Some(r);
    }
    let second = second.into_iter().flatten();
    let catch_up_seconds = killed.unwrap_or(began).elapsed().as_secs_f64();
    let server_cpu_s = crate::cpu::window_end(cpu_before);
    let client_seconds = quantiles(&mut own);
    let done_seconds = quantiles(&mut done_at);

    let (mut delivered, mut duplicated, mut lost) = (0u64, 0u64, 0u64);
    let expected_each: HashMap<usize, u64> = positions
        .iter()
        .enumerate()
        .map(|(i, p)| (i, (p.len() * args.messages) as u64))
        .collect();
    for (i, r) in second.into_iter().enumerate() {
        let frames = r?.replayed;
        let mut seen = HashSet::new();
        for f in frames.iter().filter(|f| f["type"] == "message.new") {
            if !seen.insert(f["message"]["id"].as_str().unwrap_or("").to_owned()) {
                duplicated += 1;
            }
        }
        delivered += seen.len() as u64;
        lost += expected_each
            .get(&i)
            .copied()
            .unwrap_or(0)
            .saturating_sub(seen.len() as u64);
    }
    Ok(ReconnectReport {
        clients: tokens.len(),
        conversations: sender_of.len(),
        missed_per_conversation: args.messages,
        catch_up_seconds,
        away_seconds,
        server_cpu_s,
        client_seconds,
        done_seconds,
        delivered,
        lost,
        duplicated,
    })
}

/// p50, p90, p99 and max of `v` (sorted in place); zeros when empty.
fn quantiles(v: &mut [f64]) -> [f64; 4] {
    if v.is_empty() {
        return [0.0; 4];
    }
    v.sort_by(f64::total_cmp);
    let at = |q: f64| v[((v.len() - 1) as f64 * q).round() as usize];
    [at(0.5), at(0.9), at(0.99), v[v.len() - 1]]
}
