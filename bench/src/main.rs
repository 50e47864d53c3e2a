//! confab-bench: drives a running Confab exactly as clients do (REST to set up,
//! the WebSocket protocol to chat) and measures it. Loopback only.
//!
//!   cargo run --release -p confab-bench -- --url http://127.0.0.1:8080 fanout --groups 1 --members 50 --messages 20

use clap::{Parser, Subcommand};
use confab_bench::{
    chaos, fanout, history, idle, ingest, latency, peer, reconnect, search, uploads,
};
use serde_json::Value;

#[derive(Parser)]
#[command(
    name = "confab-bench",
    about = "Load tool for Confab (see BENCHMARKS.md)"
)]
struct Cli {
    /// Base URL of the server under test.
    #[arg(long, default_value = "http://127.0.0.1:8080")]
    url: String,
    /// WebSocket connections go to these nodes of one cluster in turn (repeat
    /// the flag or separate with commas); REST calls go to --url.
    #[arg(long = "ws-url", value_delimiter = ',')]
    ws_urls: Vec<String>,
    /// Write the results as JSON to this file too.
    #[arg(long)]
    json: Option<std::path::PathBuf>,
    /// The server's process id (same machine): reports its CPU time per send and
    /// per delivery, read from /proc (fanout, ingest).
    #[arg(long)]
    server_pid: Option<u32>,
    /// The control FIFO of a `perf stat --control fifo:PATH -D -1` watching the
    /// server: counting is enabled for the measured window only (fanout).
    #[arg(long)]
    perf_control: Option<std::path::PathBuf>,
    #[command(subcommand)]
    scenario: Scenario,
}

#[derive(Subcommand)]
enum Scenario {
    /// G groups of S members; K members of each send M messages as fast as acks
    /// allow (closed loop) while every member receives. Every message is checked
    /// off at every member: lost, duplicated and out-of-order deliveries count.
    #[command(alias = "groups")]
    Fanout(fanout::Args),
    /// Durable sends per second: many two-person conversations, closed loop.
    Ingest(ingest::Args),
    /// Open-loop sends at fixed offered rates, one step per rate; send-to-receive
    /// percentiles per step.
    Latency(latency::Args),
    /// Upload throughput of a large file, and the time a photo costs (decode,
    /// re-encode, thumbnail), one upload at a time.
    Uploads(uploads::Args),
    /// Paged history reads at random points of long (seeded) conversations.
    History(history::Args),
    /// Message searches for seeded topic words over every conversation a user is in.
    Search(search::Args),
    /// Open N authenticated connections and hold them; reports connections per
    /// second and the server's memory per connection (with --server-pid).
    Idle(idle::Args),
    /// All clients drop at once while messages arrive, then all resume at once;
    /// reports the time until everyone has caught up, with nothing lost.
    Reconnect(reconnect::Args),
    /// Members send and read while connections are cut at random and the server
    /// (started by this tool) is killed with SIGKILL and restarted; then checks
    /// that every message was stored, acknowledged and applied exactly once, in
    /// order, and that the server's memory stayed bounded.
    Chaos(chaos::Args),
    /// `fanout` against the reference Node.js Socket.IO server
    /// (bench/peers/socketio), same flow and checks; --url is that server's.
    PeerFanout(peer::Args),
}

/// Prints the table, writes the JSON if asked, and fails the run if `failed`.
fn finish(
    cli_json: Option<std::path::PathBuf>,
    table: String,
    json: Value,
    failed: Option<String>,
) -> anyhow::Result<()> {
    println!("{table}");
    if let Some(path) = cli_json {
        std::fs::write(&path, serde_json::to_string_pretty(&json)?)?;
        println!("wrote {}", path.display());
    }
    match failed {
        Some(why) => anyhow::bail!(why),
        None => Ok(()),
    }
}

fn check(lost: u64, duplicated: u64, out_of_order: u64) -> Option<String> {
    (lost + duplicated + out_of_order > 0).then(|| {
        format!("delivery check failed: {lost} lost, {duplicated} duplicated, {out_of_order} out of order")
    })
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    let url = cli.url.clone();
    confab_bench::client::spread_over(cli.ws_urls.clone())?;
    if let Some(pid) = cli.server_pid {
        confab_bench::cpu::watch(pid);
    }
    if let Some(fifo) = cli.perf_control.clone() {
        confab_bench::cpu::control_perf(fifo);
    }
    match cli.scenario {
        Scenario::Fanout(args) => {
            let r = fanout::run(&url, args).await?;
            finish(
                cli.json,
                r.table(),
                r.json(),
                check(r.lost, r.duplicated, r.out_of_order),
            )
        }
        Scenario::PeerFanout(args) => {
            let r = peer::run(&url, args).await?;
            // The peer emits in the order its commits finish, not in seq order,
            // as such servers do: that is a finding to report (the table and JSON
            // have the column), not a fault of the run. Loss and duplicates are.
            finish(
                cli.json,
                r.table(),
                r.json(),
                check(r.lost, r.duplicated, 0),
            )
        }
        Scenario::Ingest(args) => {
            let r = ingest::run(&url, args).await?;
            finish(
                cli.json,
                r.table(),
                r.json(),
                check(r.lost, r.duplicated, r.out_of_order),
            )
        }
        Scenario::Latency(args) => {
            let r = latency::run(&url, args).await?;
            finish(
                cli.json,
                r.table(),
                r.json(),
                check(r.lost, r.duplicated, r.out_of_order),
            )
        }
        Scenario::Uploads(args) => {
            let r = uploads::run(&url, args).await?;
            finish(cli.json, r.table(), r.json(), None)
        }
        Scenario::History(args) => {
            let r = history::run(&url, args).await?;
            let failed = (r.bad_pages + r.errors > 0)
                .then(|| format!("{} bad pages, {} errors", r.bad_pages, r.errors));
            finish(cli.json, r.table(), r.json(), failed)
        }
        Scenario::Search(args) => {
            let r = search::run(&url, args).await?;
            let failed = (r.bad + r.errors > 0)
                .then(|| format!("{} bad answers, {} errors", r.bad, r.errors));
            finish(cli.json, r.table(), r.json(), failed)
        }
        Scenario::Reconnect(args) => {
            let r = reconnect::run(&url, args).await?;
            finish(
                cli.json,
                r.table(),
                r.json(),
                check(r.lost, r.duplicated, 0),
            )
        }
        Scenario::Chaos(args) => {
            let r = chaos::run(args).await?;
            finish(cli.json, r.table(), r.json(), r.failure())
        }
        Scenario::Idle(args) => {
            let r = idle::run(&url, args).await?;
            let failed = (r.failed > 0).then(|| format!("{} connections failed", r.failed));
            finish(cli.json, r.table(), r.json(), failed)
        }
    }
}
