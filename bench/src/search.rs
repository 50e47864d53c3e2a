//! The `search` scenario: message searches (`GET /search/messages`) for one of the
//! seeded topic words (`topic100`..`topic999`; two of `topic0`..`topic999` per
//! seeded message, so one word matches ~0.2% of them) from S concurrent searchers, over every conversation
//! their user is in. Seed with `confab admin --init seed-bench --messages N` and
//! serve with `--rate-limits false` (searches are rate-limited per user). Each
//! answer is checked: at most `limit` messages, each holding the word.

use std::path::PathBuf;

use anyhow::bail;
use futures_util::{stream, StreamExt};
use hdrhistogram::Histogram;
use serde_json::{json, Value};
use tokio::time::Instant;

use crate::{cast, member::hist};

#[derive(clap::Args)]
pub struct Args {
    /// Seeded users' tokens (`confab admin bench-tokens`).
    #[arg(long)]
    pub tokens: PathBuf,
    /// Searchers at once (each one HTTP keep-alive connection).
    #[arg(long, default_value_t = 8)]
    pub searchers: usize,
    /// Searches in all.
    #[arg(long, default_value_t = 2_000)]
    pub searches: usize,
    /// Results per page (the server allows 1-50).
    #[arg(long, default_value_t = 20)]
    pub limit: u32,
}

pub struct SearchReport {
    pub searches: u64,
    pub found: u64,
    pub seconds: f64,
    pub latency: Histogram<u64>,
    pub bad: u64,
    pub errors: u64,
    pub first_error: Option<String>,
}

/// One search for `word`; the number of messages found and whether each has it.
async fn one(
    http: &reqwest::Client,
    url: &str,
    token: &str,
    word: &str,
    limit: u32,
) -> anyhow::Result<(u64, bool)> {
    let resp = http
        .get(format!(
            "{url}/api/v1/search/messages?q={word}&limit={limit}"
        ))
        .bearer_auth(token)
        .send()
        .await?;
    let status = resp.status();
    let v: Value = resp.json().await?;
    if !status.is_success() {
        bail!("{status}: {v}");
    }
    let items = v["items"].as_array().cloned().unwrap_or_default();
    let ok = items.len() <= limit as usize
        && items.iter().all(|m| {
            m["body"]
                .as_str()
                .is_some_and(|b| b.split(|c: char| !c.is_alphanumeric()).any(|w| w == word))
        });
    Ok((items.len() as u64, ok))
}

pub async fn run(url: &str, args: Args) -> anyhow::Result<SearchReport> {
    if !(1..=50).contains(&args.limit) {
        bail!("--limit must be 1-50");
    }
    let http = reqwest::Client::builder()
        .pool_max_idle_per_host(args.searchers)
        .build()?;
    let tokens: Vec<String> = cast::read_tokens(&args.tokens)?
        .into_iter()
        .map(|(_, t)| t)
        .take(args.searchers.max(1))
        .collect();
    if tokens.is_empty() {
        bail!("no tokens in {}", args.tokens.display());
    }
    let began = Instant::now();
    let per = args.searches.div_ceil(tokens.len());
    let results: Vec<SearchReport> = stream::iter(tokens.iter().enumerate())
        .map(|(i, token)| {
            let http = http.clone();
            async move {
                let mut rng = fastrand::Rng::with_seed(i as u64 + 7);
                let mut me = SearchReport::empty();
                for _ in 0..per {
                    // Three digits: no topic word is a prefix of another.
                    let word = format!("topic{}", rng.u32(100..1000));
                    let t0 = Instant::now();
                    match one(&http, url, token, &word, args.limit).await {
                        Ok((n, ok)) => {
                            let _ = me.latency.record((t0.elapsed().as_micros() as u64).max(1));
                            me.searches += 1;
                            me.found += n;
                            me.bad += u64::from(!ok);
                        }
                        Err(e) => {
                            me.errors += 1;
                            me.first_error.get_or_insert(e.to_string());
                        }
                    }
                }
                me
            }
        })
        .buffer_unordered(tokens.len())
        .collect()
        .await;
    let mut report = SearchReport::empty();
    for r in results {
        report.searches += r.searches;
        report.found += r.found;
        report.bad += r.bad;
        report.errors += r.errors;
        report.latency.add(&r.latency)?;
        if report.first_error.is_none() {
            report.first_error = r.first_error;
        }
    }
    report.seconds = began.elapsed().as_secs_f64();
    Ok(report)
}

impl SearchReport {
    fn empty() -> Self {
        Self {
            searches: 0,
            found: 0,
            seconds: 0.0,
            latency: hist(),
            bad: 0,
            errors: 0,
            first_error: None,
        }
    }

    fn ms(&self, q: f64) -> f64 {
        self.latency.value_at_quantile(q) as f64 / 1000.0
    }

    pub fn json(&self) -> Value {
        json!({
            "scenario": "search",
            "searches": self.searches, "found": self.found, "seconds": self.seconds,
            "searches_per_sec": self.searches as f64 / self.seconds,
            "p50_ms": self.ms(0.5), "p90_ms": self.ms(0.9), "p99_ms": self.ms(0.99),
            "p999_ms": self.ms(0.999), "max_ms": self.latency.max() as f64 / 1000.0,
            "bad": self.bad, "errors": self.errors, "first_error": self.first_error,
        })
    }

    pub fn table(&self) -> String {
        format!(
            "scenario search: {} searches ({} messages found) in {:.2} s = {:.0} searches/s\n\
             search latency (ms)  p50 {:.3}  p90 {:.3}  p99 {:.3}  p99.9 {:.3}  max {:.3}\n\
             bad answers {}, errors {}{}\n",
            self.searches,
            self.found,
            self.seconds,
            self.searches as f64 / self.seconds,
            self.ms(0.5),
            self.ms(0.9),
            self.ms(0.99),
            self.ms(0.999),
            self.latency.max() as f64 / 1000.0,
            self.bad,
            self.errors,
            self.first_error
                .as_deref()
                .map(|e| format!(" (first: {e})"))
                .unwrap_or_default()
        )
    }
}
