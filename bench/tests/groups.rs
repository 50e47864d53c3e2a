//! The load tool's own check: a small `groups` run against an in-process server
//! delivers every message to every member exactly once, in order. No timing is
//! judged here; figures belong in BENCHMARKS.md.

mod common;

use confab_bench::groups;

#[tokio::test]
async fn a_small_groups_run_loses_and_duplicates_nothing() {
    let server = common::start().await;
    let report = groups::run(
        &server.url,
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
    server.shutdown().await;
}
