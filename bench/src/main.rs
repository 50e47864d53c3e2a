//! confab-bench: drives a running Confab exactly as clients do (REST to set up,
//! the WebSocket protocol to chat) and measures it. Loopback only.
//!
//!   cargo run --release -p confab-bench -- --url http://127.0.0.1:8080 groups --groups 1 --members 50 --messages 20

use clap::{Parser, Subcommand};
use confab_bench::{groups, idle, reconnect};

#[derive(Parser)]
#[command(name = "confab-bench", about = "Load tool for Confab")]
struct Cli {
    /// Base URL of the server under test.
    #[arg(long, default_value = "http://127.0.0.1:8080")]
    url: String,
    /// Write the results as JSON to this file too.
    #[arg(long)]
    json: Option<std::path::PathBuf>,
    #[command(subcommand)]
    scenario: Scenario,
}

#[derive(Subcommand)]
enum Scenario {
    /// G groups of S members; every member sends M messages as fast as acks allow
    /// (closed loop) while every member receives. Checks every message off at every
    /// recipient: lost, duplicated and out-of-order deliveries are counted.
    Groups(groups::Args),
    /// Open N authenticated connections and hold them; reports connections per
    /// second and the server's memory per connection (with --server-pid).
    Idle(idle::Args),
    /// All clients drop at once while messages arrive, then all resume at once;
    /// reports the time until everyone has caught up, with nothing lost.
    Reconnect(reconnect::Args),
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    let report = match cli.scenario {
        Scenario::Groups(args) => groups::run(&cli.url, args).await?,
        Scenario::Reconnect(args) => {
            let r = reconnect::run(&cli.url, args).await?;
            println!("{}", r.table());
            if let Some(path) = cli.json {
                std::fs::write(&path, serde_json::to_string_pretty(&r.json())?)?;
                println!("wrote {}", path.display());
            }
            if r.lost + r.duplicated > 0 {
                anyhow::bail!("delivery check failed");
            }
            return Ok(());
        }
        Scenario::Idle(args) => {
            let r = idle::run(&cli.url, args).await?;
            println!("{}", r.table());
            if let Some(path) = cli.json {
                std::fs::write(&path, serde_json::to_string_pretty(&r.json())?)?;
                println!("wrote {}", path.display());
            }
            if r.failed > 0 {
                anyhow::bail!("{} connections failed", r.failed);
            }
            return Ok(());
        }
    };
    println!("{}", report.table());
    if let Some(path) = cli.json {
        std::fs::write(&path, serde_json::to_string_pretty(&report.json())?)?;
        println!("wrote {}", path.display());
    }
    if report.lost + report.duplicated + report.out_of_order > 0 {
        anyhow::bail!("delivery check failed");
    }
    Ok(())
}
