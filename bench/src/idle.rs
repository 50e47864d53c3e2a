//! The `idle` scenario: open N authenticated, resumed WebSocket connections and
//! hold them; report how fast they opened and the server's memory per connection
//! (from /proc/PID/status of the server under test).

use std::{collections::HashMap, path::PathBuf, time::Duration};

use futures_util::{stream, StreamExt};
use serde_json::{json, Value};
use tokio::time::Instant;

use crate::client;

#[derive(clap::Args)]
pub struct Args {
    /// File of "user_id access_token" lines (`confab admin bench-tokens`).
    #[arg(long)]
    pub tokens: PathBuf,
    /// Connections to open; tokens are reused round-robin (several devices per user).
    #[arg(long, default_value_t = 1000)]
    pub connections: usize,
    /// Process id of the server, to read its anonymous resident memory
    /// (RssAnon) before and after.
    #[arg(long)]
    pub server_pid: Option<u32>,
    /// Spread connections over 127.0.0.1 .. 127.0.0.N as source addresses, to pass
    /// the ~28k ephemeral ports of one address.
    #[arg(long, default_value_t = 1)]
    pub sources: u8,
    /// Connections being opened at once.
    #[arg(long, default_value_t = 64)]
    pub concurrency: usize,
    /// Seconds to hold the connections after the last one opened.
    #[arg(long, default_value_t = 2)]
    pub hold_secs: u64,
}

pub struct IdleReport {
    pub opened: usize,
    pub failed: usize,
    pub seconds: f64,
    pub rss_before_kib: Option<u64>,
    pub rss_after_kib: Option<u64>,
    pub first_error: Option<String>,
}

impl IdleReport {
    pub fn per_connection_kib(&self) -> Option<f64> {
        match (self.rss_before_kib, self.rss_after_kib) {
            (Some(b), Some(a)) if self.opened > 0 => {
                Some(a.saturating_sub(b) as f64 / self.opened as f64)
            }
            _ => None,
        }
    }

    pub fn json(&self) -> Value {
        json!({
            "scenario": "idle",
            "opened": self.opened,
            "failed": self.failed,
            "seconds": self.seconds,
            "connections_per_sec": self.opened as f64 / self.seconds,
            "server_rss_before_kib": self.rss_before_kib,
            "server_rss_after_kib": self.rss_after_kib,
            "server_kib_per_connection": self.per_connection_kib(),
            "first_error": self.first_error,
        })
    }

    pub fn table(&self) -> String {
        let mut t = format!(
            "scenario idle\n{} connections opened in {:.2} s ({:.0}/s), {} failed\n",
            self.opened,
            self.seconds,
            self.opened as f64 / self.seconds,
            self.failed
        );
        if let (Some(b), Some(a)) = (self.rss_before_kib, self.rss_after_kib) {
            t += &format!(
                "server RssAnon {} KiB -> {} KiB: {:.2} KiB per connection\n",
                b,
                a,
                self.per_connection_kib().unwrap_or(0.0)
            );
        } else {
            t += "server RSS not measured (pass --server-pid)\n";
        }
        if let Some(e) = &self.first_error {
            t += &format!("first error: {e}\n");
        }
        t
    }
}

/// The server's resident memory, from /proc.
/// Counts only anonymous memory (`RssAnon`: heap, stacks), which is what
/// connections cost: file pages the server maps (SQLite reads through mmap) are
/// the kernel's page cache, shared and reclaimable, and would blur the figure.
pub fn rss_kib(pid: u32) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let line = status.lines().find(|l| l.starts_with("RssAnon:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

pub async fn run(url: &str, args: Args) -> anyhow::Result<IdleReport> {
    // Each connection is a file descriptor here and on the server.
    let _ = rlimit::increase_nofile_limit(u64::MAX);
    let tokens: Vec<String> = crate::cast::read_tokens(&args.tokens)?
        .into_iter()
        .map(|(_, t)| t)
        .collect();
    client::server_addr(url)?;
    let rss_before_kib = args.server_pid.and_then(rss_kib);
    let began = Instant::now();
    let sources = args.sources.max(1);
    let results: Vec<anyhow::Result<client::Ws>> = stream::iter(0..args.connections)
        .map(|i| {
            let token = tokens[i % tokens.len()].clone();
            let url = url.to_owned();
            async move {
                client::connect(
                    &url,
                    1 + (i % sources as usize) as u8,
                    &token,
                    &HashMap::new(),
                )
                .await
                .map(|r| r.ws)
            }
        })
        .buffer_unordered(args.concurrency.max(1))
        .collect()
        .await;
    let seconds = began.elapsed().as_secs_f64();
    let first_error = results
        .iter()
        .find_map(|r| r.as_ref().err().map(|e| format!("{e:#}")));
    let open: Vec<client::Ws> = results.into_iter().filter_map(Result::ok).collect();
    // Let the server settle before reading its memory.
    tokio::time::sleep(Duration::from_millis(500)).await;
    let rss_after_kib = args.server_pid.and_then(rss_kib);
    tokio::time::sleep(Duration::from_secs(args.hold_secs)).await;
    let report = IdleReport {
        opened: open.len(),
        failed: args.connections - open.len(),
        seconds,
        rss_before_kib,
        rss_after_kib,
        first_error,
    };
    drop(open);
    Ok(report)
}
