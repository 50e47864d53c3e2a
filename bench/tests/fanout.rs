//! The load tool's own checks: small `fanout` and `ingest` runs against an
//! in-process server deliver every message to every member exactly once, in
//! order. No timing is judged here; figures belong in BENCHMARKS.md.

mod common;

use confab_bench::{fanout, ingest};

#[tokio::test]
async fn a_small_fanout_run_loses_and_duplicates_nothing() {
    let server = common::start().await;
    let report = fanout::run(
        &server.url,
        fanout::Args {
            tokens: None,
            groups: 2,
            members: 5,
            messages: 10,
            senders: 0,
            sources: 1,
            concurrency: 8,
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

#[tokio::test]
async fn receive_only_members_get_every_message_of_the_senders() {
    let server = common::start().await;
    let report = fanout::run(
        &server.url,
        fanout::Args {
            tokens: None,
            groups: 1,
            members: 6,
            messages: 7,
            senders: 2,
            sources: 1,
            concurrency: 8,
        },
    )
    .await
    .unwrap();
    assert_eq!(report.sent, 2 * 7, "only two members send");
    assert_eq!(report.delivered, 6 * 2 * 7, "all six receive all fourteen");
    assert_eq!(
        (report.lost, report.duplicated, report.out_of_order),
        (0, 0, 0)
    );
    server.shutdown().await;
}

#[tokio::test]
async fn ingest_stores_every_send_once() {
    let server = common::start().await;
    let report = ingest::run(
        &server.url,
        ingest::Args {
            tokens: None,
            conversations: 3,
            messages: 5,
            sources: 1,
            concurrency: 8,
        },
    )
    .await
    .unwrap();
    assert_eq!(report.scenario, "ingest");
    assert_eq!(report.sent, 3 * 2 * 5);
    assert_eq!(report.delivered, 3 * 2 * 2 * 5);
    assert_eq!(
        (report.lost, report.duplicated, report.out_of_order),
        (0, 0, 0)
    );
    server.shutdown().await;
}
