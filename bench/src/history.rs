//! The `history` scenario: paged reads (`GET /conversations/{id}/messages`) at
//! random points of long conversations, as someone scrolling back would, from R
//! concurrent readers. Seed the messages first with `confab admin seed-bench
//! --messages N`. Each page is checked: the right number of messages, ascending,
//! contiguous seqs, ending right before the asked position.

use std::path::PathBuf;

use anyhow::{bail, Context};
use futures_util::{stream, StreamExt};
use hdrhistogram::Histogram;
use serde_json::{json, Value};
use tokio::time::Instant;

use crate::{cast, member::hist};

#[derive(clap::Args)]
pub struct Args {
    /// Seeded users' tokens (`confab admin bench-tokens`); each reader reads the
    /// first conversation of its user.
    #[arg(long)]
    pub tokens: PathBuf,
    /// Readers at once (each one HTTP keep-alive connection).
    #[arg(long, default_value_t = 8)]
    pub readers: usize,
    /// Pages to read in all.
    #[arg(long, default_value_t = 20_000)]
    pub pages: usize,
    /// Messages per page (the server allows 1-100).
    #[arg(long, default_value_t = 50)]
    pub limit: i64,
}

pub struct HistoryReport {
    pub pages: u64,
    pub messages: u64,
    pub seconds: f64,
    pub latency: Histogram<u64>,
    pub largest_conversation: i64,
    pub bad_pages: u64,
    pub errors: u64,
    pub first_error: Option<String>,
    /// The server's CPU seconds over the reads (`--server-pid`), and the tool's
    /// own: on two shared cores both are what a page costs.
    pub server_cpu_s: Option<f64>,
    pub tool_cpu_s: Option<f64>,
}

struct Reader {
    token: String,
    conversation: String,
    last_seq: i64,
}

async fn reader(http: &reqwest::Client, url: &str, token: String) -> anyhow::Result<Reader> {
    let v: Value = http
        .get(format!("{url}/api/v1/conversations?limit=1"))
        .bearer_auth(&token)
        .send()
        .await?
        .error_for_status()?
        .json()
        .await?;
    let first = &v["items"][0];
    Ok(Reader {
        token,
        conversation: first["id"]
            .as_str()
            .context("the user has no conversation")?
            .to_owned(),
        last_seq: first["last_message"]["seq"].as_i64().unwrap_or(0),
    })
}

#[derive(serde::Deserialize)]
struct Seqs {
    items: Vec<Seq>,
}

#[derive(serde::Deserialize)]
struct Seq {
    seq: i64,
}

/// Reads one page before `before` and checks it; the message count, or why not.
async fn page(
    http: &reqwest::Client,
    url: &str,
    r: &Reader,
    before: i64,
    limit: i64,
) -> anyhow::Result<(u64, bool)> {
    let resp = http
        .get(format!(
            "{url}/api/v1/conversations/{}/messages?before_seq={before}&limit={limit}",
            r.conversation
        ))
        .bearer_auth(&r.token)
        .send()
        .await?;
    let status = resp.status();
    let body = resp.bytes().await?;
    if !status.is_success() {
        bail!("{status}: {}", String::from_utf8_lossy(&body));
    }
    // Only the seqs are checked, so only they are decoded: the rest of each
    // message is skipped over, not built into a `Value` (which cost the tool
    // about as much CPU per page as the server spent answering it).
    let page: Seqs = serde_json::from_slice(&body)?;
    let seqs: Vec<i64> = page.items.iter().map(|m| m.seq).collect();
    let want = limit.min(before - 1).max(0) as usize;
    let contiguous = seqs.windows(2).all(|w| w[1] == w[0] + 1);
    let ok = seqs.len() == want && contiguous && seqs.last().is_none_or(|&s| s == before - 1);
    Ok((seqs.len() as u64, ok))
}

/// Runs the readers on one thread of their own (a current-thread runtime). On the
/// tool's multi-thread runtime its workers parked and woke each other around every
/// response: a third of the tool's CPU per page went to switching threads
/// (`perf`, BENCHMARKS.md `history`, sixth step), on the two cores the server
/// shares. One thread does this closed loop with room to spare.
pub async fn run(url: &str, args: Args) -> anyhow::Result<HistoryReport> {
    let url = url.to_owned();
    tokio::task::spawn_blocking(move || {
        tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()?
            .block_on(read_pages(&url, args))
    })
    .await?
}

async fn read_pages(url: &str, args: Args) -> anyhow::Result<HistoryReport> {
    if !(1..=100).contains(&args.limit) {
        bail!("--limit must be 1-100");
    }
    let http = reqwest::Client::builder()
        .pool_max_idle_per_host(args.readers)
        .build()?;
    let tokens = cast::read_tokens(&args.tokens)?;
    let mut readers = Vec::new();
    for (_, token) in tokens.into_iter().take(args.readers.max(1)) {
        readers.push(reader(&http, url, token).await?);
    }
    let largest = readers.iter().map(|r| r.last_seq).max().unwrap_or(0);
    if largest < 2 {
        bail!("the conversations are empty: seed messages with `confab admin seed-bench --messages N`");
    }
    eprintln!(
        "{} readers; largest conversation has {largest} messages",
        readers.len()
    );
    let began = Instant::now();
    let cpu_before = crate::cpu::window_start();
    let tool_before = crate::cpu::seconds(std::process::id());
    let per_reader = args.pages.div_ceil(readers.len());
    let results: Vec<anyhow::Result<HistoryReport>> = stream::iter(readers.iter().enumerate())
        .map(|(i, r)| {
            let http = http.clone();
            async move {
                let mut rng = fastrand::Rng::with_seed(i as u64 + 1);
                let mut me = HistoryReport::empty();
                for _ in 0..per_reader {
                    let before = rng.i64(2..=r.last_seq.max(2) + 1);
                    let t0 = Instant::now();
                    match page(&http, url, r, before, args.limit).await {
                        Ok((n, ok)) => {
                            let _ = me.latency.record((t0.elapsed().as_micros() as u64).max(1));
                            me.pages += 1;
                            me.messages += n;
                            me.bad_pages += u64::from(!ok);
                        }
                        Err(e) => {
                            me.errors += 1;
                            me.first_error.get_or_insert(e.to_string());
                        }
                    }
                }
                Ok(me)
            }
        })
        .buffer_unordered(args.readers.max(1))
        .collect()
        .await;
    let mut report = HistoryReport::empty();
    for r in results {
        let r = r?;
        report.pages += r.pages;
        report.messages += r.messages;
        report.bad_pages += r.bad_pages;
        report.errors += r.errors;
        report.latency.add(&r.latency)?;
        if report.first_error.is_none() {
            report.first_error = r.first_error;
        }
    }
    report.seconds = began.elapsed().as_secs_f64();
    report.server_cpu_s = crate::cpu::window_end(cpu_before);
    report.tool_cpu_s = crate::cpu::seconds(std::process::id())
        .zip(tool_before)
        .map(|(a, b)| a - b);
    report.largest_conversation = largest;
    Ok(report)
}

impl HistoryReport {
    fn empty() -> Self {
        Self {
            pages: 0,
            messages: 0,
            seconds: 0.0,
            latency: hist(),
            largest_conversation: 0,
            bad_pages: 0,
            errors: 0,
            first_error: None,
            server_cpu_s: None,
            tool_cpu_s: None,
        }
    }

    fn ms(&self, q: f64) -> f64 {
        self.latency.value_at_quantile(q) as f64 / 1000.0
    }

    pub fn json(&self) -> Value {
        json!({
            "scenario": "history",
            "pages": self.pages, "messages": self.messages, "seconds": self.seconds,
            "pages_per_sec": self.pages as f64 / self.seconds,
            "largest_conversation": self.largest_conversation,
            "p50_ms": self.ms(0.5), "p90_ms": self.ms(0.9), "p99_ms": self.ms(0.99),
            "p999_ms": self.ms(0.999), "max_ms": self.latency.max() as f64 / 1000.0,
            "bad_pages": self.bad_pages, "errors": self.errors, "first_error": self.first_error,
            "server_cpu_s": self.server_cpu_s,
            "server_cpu_us_per_page": self.server_cpu_s.map(|c| c * 1e6 / self.pages.max(1) as f64),
            "tool_cpu_s": self.tool_cpu_s,
            "tool_cpu_us_per_page": self.tool_cpu_s.map(|c| c * 1e6 / self.pages.max(1) as f64),
        })
    }

    pub fn table(&self) -> String {
        let per_page = |c: Option<f64>| c.map(|c| c * 1e6 / self.pages.max(1) as f64);
        let cpu = match (per_page(self.server_cpu_s), per_page(self.tool_cpu_s)) {
            (Some(s), Some(t)) => format!("CPU per page: server {s:.0} us, this tool {t:.0} us\n"),
            (None, Some(t)) => {
                format!("CPU per page: this tool {t:.0} us (server: give --server-pid)\n")
            }
            _ => String::new(),
        };
        format!(
            "scenario history: {} pages ({} messages) in {:.2} s = {:.0} pages/s; largest conversation {} messages\n\
             page latency (ms)  p50 {:.3}  p90 {:.3}  p99 {:.3}  p99.9 {:.3}  max {:.3}\n\
             bad pages {}, errors {}{}\n",
            self.pages, self.messages, self.seconds, self.pages as f64 / self.seconds,
            self.largest_conversation, self.ms(0.5), self.ms(0.9), self.ms(0.99), self.ms(0.999),
            self.latency.max() as f64 / 1000.0, self.bad_pages, self.errors,
            self.first_error.as_deref().map(|e| format!(" (first: {e})")).unwrap_or_default()
        ) + &cpu
    }
}
