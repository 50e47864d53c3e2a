//! The load tool's own check: a small `groups` run against an in-process server
//! delivers every message to every member exactly once, in order. No timing is
//! judged here; figures belong in BENCHMARKS.md.

use clap::Parser;
use confab_bench::groups;

#[tokio::test]
async fn a_small_groups_run_loses_and_duplicates_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().to_str().unwrap().to_owned();
    let config = confab::config::Cli::try_parse_from([
        "confab",
        "--data-dir",
        &data,
        "--password-hash-memory-kib",
        "64",
        "--messaging-policy",
        "open",
    ])
    .unwrap()
    .config;
    let state = confab::app::build(&config).await.unwrap();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let server = tokio::spawn(confab::app::serve(listener, state, async {
        let _ = stopped.await;
    }));

    let report = groups::run(
        &url,
        groups::Args {
            groups: 2,
            members: 5,
            messages: 10,
        },
    )
    .await
    .unwrap();
    assert_eq!(report.sent, 2 * 5 * 10);
    assert_eq!(
        report.delivered,
        2 * 5 * 5 * 10,
        "each member receives every message of its group"
    );
    assert_eq!(
        (
            report.lost,
            report.duplicated,
            report.out_of_order,
            report.errors
        ),
        (0, 0, 0, 0)
    );
    assert_eq!(report.ack.len(), 100);

    let _ = stop.send(());
    server.await.unwrap().unwrap();
}
