//! Parse the config, set up logging, hand over to `app`. Nothing else.

use clap::Parser;
use confab::{
    app,
    config::{Cli, Command, LogFormat},
};
use tracing_subscriber::EnvFilter;

/// jemalloc instead of the system allocator (BENCHMARKS.md `reconnect`): glibc's
/// malloc was ~19 % of the server's CPU in a resume storm, much of it memory
/// taken on a SQLite worker thread and given back on a tokio one. mimalloc saved
/// the same CPU but started at 36 MiB resident against 9.
#[global_allocator]
static ALLOCATOR: tikv_jemallocator::Jemalloc = tikv_jemallocator::Jemalloc;

fn init_tracing(filter: &str, format: LogFormat) {
    let filter = EnvFilter::try_new(filter).unwrap_or_else(|_| EnvFilter::new("info"));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    match format {
        LogFormat::Json => builder.json().flatten_event(true).init(),
        LogFormat::Text => builder.init(),
    }
}

#[tokio::main]
async fn main() -> std::process::ExitCode {
    let cli = Cli::parse();
    init_tracing(&cli.config.log, cli.config.log_format);
    let result = match cli.command.unwrap_or(Command::Serve) {
        Command::Serve => app::run(&cli.config).await,
        Command::Migrate => app::open_store(&cli.config).await.map(|s| {
            println!("database is up to date ({})", s.backend().name());
        }),
        Command::Admin(cmd) => app::admin_cli::run(&cli.config, cmd)
            .await
            .map(|msg| println!("{msg}")),
    };
    match result {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e:#}");
            std::process::ExitCode::FAILURE
        }
    }
}
