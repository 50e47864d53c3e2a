//! The `groups` scenario: closed-loop senders in G groups of S members.

use std::{
    collections::{HashMap, HashSet},
    sync::Arc,
    time::Duration,
};

use anyhow::Context;
use hdrhistogram::Histogram;
use serde_json::{json, Value};
use tokio::{sync::Barrier, time::Instant};

use crate::{client, report::Report, setup};

#[derive(clap::Args)]
pub struct Args {
    /// Number of groups.
    #[arg(long, default_value_t = 1)]
    pub groups: usize,
    /// Members per group; every member sends and receives.
    #[arg(long, default_value_t = 50)]
    pub members: usize,
    /// Messages each member sends.
    #[arg(long, default_value_t = 20)]
    pub messages: usize,
}

/// What one member saw.
struct Member {
    sent: u64,
    ack: Histogram<u64>,
    e2e: Histogram<u64>,
    received: HashSet<String>,
    duplicated: u64,
    out_of_order: u64,
    errors: u64,
}

fn hist() -> Histogram<u64> {
    Histogram::new_with_bounds(1, 60_000_000, 3).expect("histogram bounds")
}

impl Member {
    fn on_frame(&mut self, f: &Value, base: Instant, last_seq: &mut i64) {
        if f["type"] != "message.new" {
            return;
        }
        let seq = f["message"]["seq"].as_i64().unwrap_or(0);
        let id = f["message"]["id"].as_str().unwrap_or("").to_owned();
        if !self.received.insert(id) {
            self.duplicated += 1;
        } else if seq <= *last_seq {
            self.out_of_order += 1;
        }
        *last_seq = (*last_seq).max(seq);
        if let Some(t0) = f["message"]["body"]
            .as_str()
            .and_then(|b| b.parse::<u64>().ok())
        {
            let now = base.elapsed().as_micros() as u64;
            let _ = self.e2e.record(now.saturating_sub(t0).max(1));
        }
    }
}

/// One member's part in the run.
struct Plan {
    url: String,
    token: String,
    conversation: String,
    tag: String,
    messages: usize,
    expected: usize,
}

async fn member(plan: Plan, start: Arc<Barrier>, base: Instant) -> anyhow::Result<Member> {
    let Plan {
        url,
        token,
        conversation,
        tag,
        messages,
        expected,
    } = plan;
    let mut ws = client::connect(&url, 1, &token, &HashMap::new()).await?.ws;
    let mut me = Member {
        sent: 0,
        ack: hist(),
        e2e: hist(),
        received: HashSet::new(),
        duplicated: 0,
        out_of_order: 0,
        errors: 0,
    };
    let mut last_seq = 0;
    start.wait().await;
    for m in 0..messages {
        let cmid = format!("{tag}-{m}");
        let t0 = base.elapsed().as_micros() as u64;
        let frame = json!({"type": "send", "ref": cmid, "conversation_id": conversation, "client_msg_id": cmid, "body": t0.to_string()});
        client::send_json(&mut ws, frame).await?;
        loop {
            let f = client::next_json(&mut ws, Duration::from_secs(30))
                .await?
                .context("no ack within 30 s")?;
            if f["ref"] == cmid.as_str() {
                if f["type"] == "ack" {
                    me.sent += 1;
                    let _ = me.ack.record(
                        (base.elapsed().as_micros() as u64)
                            .saturating_sub(t0)
                            .max(1),
                    );
                } else {
                    me.errors += 1;
                }
                break;
            }
            me.on_frame(&f, base, &mut last_seq);
        }
    }
    // Keep receiving until every message of the group has arrived (or it is quiet).
    while me.received.len() < expected {
        match client::next_json(&mut ws, Duration::from_secs(10)).await? {
            Some(f) => me.on_frame(&f, base, &mut last_seq),
            None => break,
        }
    }
    let _ = ws.close(None).await;
    Ok(me)
}

pub async fn run(url: &str, args: Args) -> anyhow::Result<Report> {
    let http = reqwest::Client::new();
    let run_id = &uuid::Uuid::new_v4().simple().to_string()[..8];
    let total_users = args.groups * args.members;
    eprintln!(
        "setting up {total_users} users in {} groups...",
        args.groups
    );
    let users = setup::users(&http, url, &format!("b{run_id}_"), total_users).await?;
    let base = Instant::now();
    let start = Arc::new(Barrier::new(total_users + 1));
    let mut tasks = Vec::new();
    for (g, chunk) in users.chunks(args.members).enumerate() {
        let others: Vec<&setup::User> = chunk[1..].iter().collect();
        let conversation =
            setup::group(&http, url, &chunk[0], &others, &format!("bench {g}")).await?;
        for (i, u) in chunk.iter().enumerate() {
            let plan = Plan {
                url: url.to_owned(),
                token: u.token.clone(),
                conversation: conversation.clone(),
                tag: format!("g{g}m{i}"),
                messages: args.messages,
                expected: args.members * args.messages,
            };
            tasks.push(tokio::spawn(member(plan, start.clone(), base)));
        }
    }
    start.wait().await;
    let began = Instant::now();
    let mut report = Report {
        scenario: "groups".into(),
        params: json!({"groups": args.groups, "members": args.members, "messages": args.messages}),
        seconds: 0.0,
        sent: 0,
        delivered: 0,
        ack: hist(),
        e2e: hist(),
        lost: 0,
        duplicated: 0,
        out_of_order: 0,
        errors: 0,
    };
    let expected = (args.members * args.messages) as u64;
    for t in tasks {
        let m = t.await??;
        report.sent += m.sent;
        report.delivered += m.received.len() as u64;
        report.lost += expected.saturating_sub(m.received.len() as u64);
        report.duplicated += m.duplicated;
        report.out_of_order += m.out_of_order;
        report.errors += m.errors;
        report.ack.add(&m.ack)?;
        report.e2e.add(&m.e2e)?;
    }
    report.seconds = began.elapsed().as_secs_f64();
    Ok(report)
}
