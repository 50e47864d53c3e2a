//! The `ingest` scenario: durable sends per second. Many two-person
//! conversations, both members sending as fast as their acks come back; an ack
//! means the message is committed (on SQLite, fsynced). The fan-out is kept to
//! two deliveries per message so that storing, not delivering, is what is measured.

use std::path::PathBuf;

use crate::{fanout, report::Report};

#[derive(clap::Args)]
pub struct Args {
    /// Seeded users' tokens; seed with `--group-size 2`. Without it, users are
    /// registered through the API (slow: small runs only).
    #[arg(long)]
    pub tokens: Option<PathBuf>,
    /// Conversations written to at once (each has two senders, so twice as many
    /// sends are in flight).
    #[arg(long, default_value_t = 500)]
    pub conversations: usize,
    /// Messages each sender sends.
    #[arg(long, default_value_t = 40)]
    pub messages: usize,
    #[arg(long, default_value_t = 1)]
    pub sources: u8,
    #[arg(long, default_value_t = 64)]
    pub concurrency: usize,
}

pub async fn run(url: &str, args: Args) -> anyhow::Result<Report> {
    let args = fanout::Args {
        tokens: args.tokens,
        groups: args.conversations,
        members: 2,
        messages: args.messages,
        senders: 0,
        sources: args.sources,
        concurrency: args.concurrency,
    };
    fanout::run_named(url, args, "ingest").await
}
