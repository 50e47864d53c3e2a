//! The `latency` scenario: a fixed offered rate (open loop: sends are due on a
//! schedule whatever the server does), stepped through a list of rates, reporting
//! send-to-receive percentiles at each, to find the knee. Latency is timed from
//! when a send was due, so queueing anywhere shows.

use std::{path::PathBuf, sync::Arc, time::Duration};

use anyhow::bail;
use hdrhistogram::Histogram;
use serde_json::{json, Value};
use tokio::{sync::Barrier, time::Instant};

use crate::{
    cast::{self, CastSpec},
    member::{self, hist, Plan, Sending},
    stages::{self, StepAccount},
};

#[derive(clap::Args)]
pub struct Args {
    /// Seeded users' tokens (see `fanout`); without it, users are registered.
    #[arg(long)]
    pub tokens: Option<PathBuf>,
    #[arg(long, default_value_t = 10)]
    pub groups: usize,
    #[arg(long, default_value_t = 10)]
    pub members: usize,
    /// Senders per group.
    #[arg(long, default_value_t = 1)]
    pub senders: usize,
    /// Offered deliveries per second, one step each (a message to a group of S
    /// members is S deliveries, the sender's own copy included).
    #[arg(long, value_delimiter = ',', default_value = "1000,2000,5000")]
    pub rates: Vec<u64>,
    /// Seconds per step.
    #[arg(long, default_value_t = 5)]
    pub seconds: u64,
    /// Seconds between the last connection and the first step, for the server
    /// and this tool to finish the connections' resumes and presence
    /// announcements (with 10,000 connections, 5 s was not enough: see
    /// BENCHMARKS.md).
    #[arg(long, default_value_t = 10)]
    pub settle: u64,
    #[arg(long, default_value_t = 1)]
    pub sources: u8,
    #[arg(long, default_value_t = 64)]
    pub concurrency: usize,
    /// Clients uploading a large photo over and over during the steps (0: none):
    /// image work beside message delivery.
    #[arg(long, default_value_t = 0)]
    pub uploaders: usize,
    /// Side of the square JPEG they upload, in pixels.
    #[arg(long, default_value_t = 4000)]
    pub upload_side: u32,
    /// The server's Prometheus endpoint (its `--metrics-listen`, with the path):
    /// scraped around each step, to report where on the server messages spent
    /// their time (stages.rs).
    #[arg(long)]
    pub metrics: Option<String>,
}

pub struct Step {
    pub offered: u64,
    pub sends: u64,
    pub e2e: Histogram<u64>,
    /// The server's stages (with `--metrics`) and the cores used.
    pub account: StepAccount,
}

pub struct LatencyReport {
    pub connections: usize,
    pub groups: usize,
    pub steps: Vec<Step>,
    pub seconds_per_step: u64,
    pub ack: Histogram<u64>,
    pub lost: u64,
    pub duplicated: u64,
    pub out_of_order: u64,
    pub errors: u64,
    /// The upload burst beside the steps, when there was one.
    pub burst: Option<crate::upload_burst::Burst>,
}

const GAP: Duration = Duration::from_secs(1);

pub async fn run(url: &str, args: Args) -> anyhow::Result<LatencyReport> {
    if args.rates.is_empty() || args.rates.contains(&0) || args.seconds == 0 {
        bail!("--rates needs positive deliveries per second and --seconds at least 1");
    }
    let groups = cast::assemble(
        url,
        CastSpec {
            tokens: args.tokens.as_deref(),
            groups: args.groups,
            members: args.members,
            sources: args.sources,
            concurrency: args.concurrency,
        },
    )
    .await?;
    let senders_of = |size: usize| args.senders.clamp(1, size);
    // Each send to a group of S is S deliveries: the per-sender rate that offers R.
    let weight: usize = groups
        .iter()
        .map(|g| senders_of(g.members.len()) * g.members.len())
        .sum();
    let total_senders: usize = groups.iter().map(|g| senders_of(g.members.len())).sum();
    let step_len = Duration::from_secs(args.seconds);
    let first = Duration::from_secs(args.settle.max(1));
    let plan_steps = |phase: f64| -> Vec<(Duration, Duration, usize)> {
        args.rates
            .iter()
            .enumerate()
            .map(|(k, &rate)| {
                let per_sender = rate as f64 / weight as f64;
                let every = Duration::from_secs_f64(1.0 / per_sender);
                let count = (per_sender * args.seconds as f64).round() as usize;
                let at = first + (step_len + GAP) * k as u32 + every.mul_f64(phase);
                (at, every, count)
            })
            .collect()
    };
    let schedule_end = first + (step_len + GAP) * args.rates.len() as u32;
    let connections: usize = groups.iter().map(|g| g.members.len()).sum();
    let group_count = groups.len();
    let start = Arc::new(Barrier::new(connections + 1));
    let mut tasks = Vec::with_capacity(connections);
    let mut sends_per_step = vec![0u64; args.rates.len()];
    let mut expected_total = 0u64;
    let mut sender_index = 0usize;
    let base = Instant::now();
    for (g, group) in groups.into_iter().enumerate() {
        let senders = senders_of(group.members.len());
        let mut group_sends = 0usize;
        let mut plans = Vec::new();
        for i in 0..group.members.len() {
            let sending = if i < senders {
                let steps = plan_steps(sender_index as f64 / total_senders as f64);
                sender_index += 1;
                for (k, (_, _, count)) in steps.iter().enumerate() {
                    sends_per_step[k] += *count as u64;
                    group_sends += count;
                }
                Sending::Schedule(steps)
            } else {
                Sending::Silent
            };
            plans.push(sending);
        }
        for (i, (ws, sending)) in group.members.into_iter().zip(plans).enumerate() {
            expected_total += group_sends as u64;
            let plan = Plan {
                conversation: group.conversation.clone(),
                tag: format!("{}g{g}m{i}", uuid::Uuid::new_v4().simple()),
                sending,
                expected: group_sends,
                steps: args.rates.len(),
                patience: Duration::from_secs(10),
                schedule_end,
            };
            let start = start.clone();
            tasks.push(tokio::spawn(async move {
                start.wait().await;
                member::run(ws, plan, base).await
            }));
        }
    }
    eprintln!(
        "{connections} connections in {group_count} groups; {} steps of {} s",
        args.rates.len(),
        args.seconds
    );
    let burst = if args.uploaders > 0 {
        Some(
            crate::upload_burst::start(
                url,
                args.uploaders,
                args.upload_side,
                base + first,
                base + schedule_end,
            )
            .await?,
        )
    } else {
        None
    };
    // A mark just before each step starts; after the last, once every member
    // is done, so that each step's tail is counted with it.
    let marks = stages::Marks::spawn(
        args.metrics.clone(),
        (0..args.rates.len())
            .map(|k| base + first + (step_len + GAP) * k as u32 - GAP / 10)
            .collect(),
    );
    start.wait().await;
    let mut report = LatencyReport {
        connections,
        groups: group_count,
        steps: args
            .rates
            .iter()
            .zip(&sends_per_step)
            .map(|(&offered, &sends)| Step {
                offered,
                sends,
                e2e: hist(),
                account: StepAccount::default(),
            })
            .collect(),
        seconds_per_step: args.seconds,
        ack: hist(),
        lost: 0,
        duplicated: 0,
        out_of_order: 0,
        errors: 0,
        burst: None,
    };
    let mut delivered = 0;
    for t in tasks {
        let m = t.await??;
        delivered += m.received;
        report.duplicated += m.duplicated;
        report.out_of_order += m.out_of_order;
        report.errors += m.errors;
        report.ack.add(&m.ack)?;
        for (step, h) in report.steps.iter_mut().zip(&m.e2e) {
            step.e2e.add(h)?;
        }
    }
    report.lost = expected_total.saturating_sub(delivered);
    for (step, account) in report.steps.iter_mut().zip(marks.finish().await?) {
        step.account = account;
    }
    if let Some(b) = burst {
        report.burst = Some(b.await??);
    }
    Ok(report)
}

fn ms(h: &Histogram<u64>, q: f64) -> f64 {
    h.value_at_quantile(q) as f64 / 1000.0
}

impl LatencyReport {
    pub fn json(&self) -> Value {
        let steps: Vec<Value> = self
            .steps
            .iter()
            .map(|s| {
                json!({
                    "offered_deliveries_per_sec": s.offered,
                    "delivered_per_sec": s.e2e.len() as f64 / self.seconds_per_step as f64,
                    "sends": s.sends,
                    "p50_ms": ms(&s.e2e, 0.5), "p90_ms": ms(&s.e2e, 0.9),
                    "p99_ms": ms(&s.e2e, 0.99), "p999_ms": ms(&s.e2e, 0.999),
                    "max_ms": s.e2e.max() as f64 / 1000.0,
                    "server_stages": s.account.stages.as_ref().map(stages::json),
                    "server_cores": s.account.server_cores,
                    "tool_cores": s.account.tool_cores,
                })
            })
            .collect();
        json!({
            "scenario": "latency",
            "connections": self.connections,
            "groups": self.groups,
            "seconds_per_step": self.seconds_per_step,
            "steps": steps,
            "send_to_ack_p99_ms": ms(&self.ack, 0.99),
            "lost": self.lost, "duplicated": self.duplicated,
            "out_of_order": self.out_of_order, "errors": self.errors,
            "uploads": self.burst.as_ref().map(|b| json!({
                "uploads": b.uploads, "failed": b.failed, "bytes_each": b.bytes,
                "p50_ms": ms(&b.times, 0.5), "p99_ms": ms(&b.times, 0.99),
            })),
        })
    }

    pub fn table(&self) -> String {
        let mut t = format!(
            "scenario latency: {} connections in {} groups, {} s per step\n\
             {:>12} {:>12} {:>8} {:>8} {:>8} {:>8} {:>8} {:>7} {:>7}   (send -> receive, ms; cores used)\n",
            self.connections,
            self.groups,
            self.seconds_per_step,
            "offered/s",
            "delivered/s",
            "p50",
            "p90",
            "p99",
            "p99.9",
            "max",
            "server",
            "tool"
        );
        let cores = |c: Option<f64>| c.map_or("-".into(), |c| format!("{c:.2}"));
        for s in &self.steps {
            t += &format!(
                "{:>12} {:>12.0} {:>8.2} {:>8.2} {:>8.2} {:>8.2} {:>8.2} {:>7} {:>7}\n",
                s.offered,
                s.e2e.len() as f64 / self.seconds_per_step as f64,
                ms(&s.e2e, 0.5),
                ms(&s.e2e, 0.9),
                ms(&s.e2e, 0.99),
                ms(&s.e2e, 0.999),
                s.e2e.max() as f64 / 1000.0,
                cores(s.account.server_cores),
                cores(s.account.tool_cores)
            );
        }
        if self.steps.iter().any(|s| s.account.stages.is_some()) {
            t += "server stages, p50/p99 ms (its /metrics; 1.5x buckets, interpolated):\n";
            t += &format!("{:>12}", "offered/s");
            for name in stages::STAGES {
                t += &format!(" {name:>13}");
            }
            t += "\n";
            for s in &self.steps {
                t += &format!("{:>12}", s.offered);
                for name in stages::STAGES {
                    let cell = match s.account.stages.as_ref().and_then(|m| m.get(name)) {
                        Some(f) if f.count > 0 => format!("{:.2}/{:.2}", f.p50_ms, f.p99_ms),
                        _ => "-".into(),
                    };
                    t += &format!(" {cell:>13}");
                }
                t += "\n";
            }
        }
        t += &format!(
            "send -> ack p99 {:.2} ms; lost {}, duplicated {}, out of order {}, errors {}\n",
            ms(&self.ack, 0.99),
            self.lost,
            self.duplicated,
            self.out_of_order,
            self.errors
        );
        if let Some(b) = &self.burst {
            t += &format!(
                "beside it: {} uploads of {} bytes ({} failed), upload p50 {:.0} ms, p99 {:.0} ms\n",
                b.uploads,
                b.bytes,
                b.failed,
                ms(&b.times, 0.5),
                ms(&b.times, 0.99)
            );
        }
        t
    }
}
