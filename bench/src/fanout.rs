//! The `fanout` scenario (alias `groups`): G groups of S members; K members of
//! each group send M messages as fast as their acks come back (closed loop) while
//! every member receives. Reports deliveries per second and latencies; every
//! message is checked off at every member.

use std::{path::PathBuf, sync::Arc, time::Duration};

use serde_json::json;
use tokio::{sync::Barrier, time::Instant};

use crate::{
    cast::{self, CastSpec},
    member::{self, hist, Plan, Sending},
    report::Report,
};

#[derive(clap::Args, Clone)]
pub struct Args {
    /// Seeded users' tokens (`confab admin bench-tokens`), grouped by the group each
    /// belongs to. Without it, users and groups are registered through the API
    /// (password hashing makes that slow: small runs only).
    #[arg(long)]
    pub tokens: Option<PathBuf>,
    /// Number of groups.
    #[arg(long, default_value_t = 1)]
    pub groups: usize,
    /// Members per group (with --tokens: at most this many of each seeded group).
    #[arg(long, default_value_t = 50)]
    pub members: usize,
    /// Messages each sender sends.
    #[arg(long, default_value_t = 20)]
    pub messages: usize,
    /// Senders per group; the other members only receive. 0: every member sends.
    #[arg(long, default_value_t = 0)]
    pub senders: usize,
    /// Spread connections over 127.0.0.1 .. 127.0.0.N.
    #[arg(long, default_value_t = 1)]
    pub sources: u8,
    /// Connections being opened at once during set-up.
    #[arg(long, default_value_t = 64)]
    pub concurrency: usize,
}

pub async fn run(url: &str, args: Args) -> anyhow::Result<Report> {
    run_named(url, args, "fanout").await
}

pub async fn run_named(url: &str, args: Args, scenario: &str) -> anyhow::Result<Report> {
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
    let connections: usize = groups.iter().map(|g| g.members.len()).sum();
    let group_count = groups.len();
    let base = Instant::now();
    let start = Arc::new(Barrier::new(connections + 1));
    let mut tasks = Vec::with_capacity(connections);
    let mut expected_total = 0u64;
    for (g, group) in groups.into_iter().enumerate() {
        let size = group.members.len();
        let senders = if args.senders == 0 {
            size
        } else {
            args.senders.min(size)
        };
        let expected = senders * args.messages;
        for (i, ws) in group.members.into_iter().enumerate() {
            expected_total += expected as u64;
            let plan = Plan {
                conversation: group.conversation.clone(),
                tag: format!("{}g{g}m{i}", uuid::Uuid::new_v4().simple()),
                sending: if i < senders {
                    Sending::ClosedLoop { n: args.messages }
                } else {
                    Sending::Silent
                },
                expected,
                steps: 1,
                patience: Duration::from_secs(10),
                schedule_end: Duration::ZERO,
            };
            let start = start.clone();
            tasks.push(tokio::spawn(async move {
                start.wait().await;
                member::run(ws, plan, base).await
            }));
        }
    }
    start.wait().await;
    let began = Instant::now();
    let cpu_before = crate::cpu::window_start();
    let mut report = Report {
        scenario: scenario.into(),
        params: json!({"groups": group_count, "members": args.members, "senders": args.senders,
            "messages": args.messages, "connections": connections}),
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
    report.lost = expected_total.saturating_sub(report.delivered);
    report.seconds = began.elapsed().as_secs_f64();
    report.server_cpu_s = crate::cpu::window_end(cpu_before);
    Ok(report)
}
