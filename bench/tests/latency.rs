//! `latency`: a stepped open-loop run over seeded users delivers every scheduled
//! message exactly once and reports one row per offered rate, with the server's
//! own account of each step's stages.

mod common;

use common::Seed;
use confab_bench::latency;

#[tokio::test]
async fn a_stepped_run_reports_each_rate_and_loses_nothing() {
    let (server, tokens) = common::start_seeded(Seed {
        users: 12,
        groups: 3,
        group_size: 4,
        messages: 0,
    })
    .await;
    let report = latency::run(
        &server.url,
        latency::Args {
            tokens: Some(tokens),
            groups: 3,
            members: 4,
            senders: 1,
            rates: vec![48, 96],
            seconds: 1,
            settle: 1,
            sources: 1,
            concurrency: 4,
            // One client uploading a small photo throughout: the burst runs,
            // and delivery still loses nothing.
            uploaders: 1,
            upload_side: 256,
            metrics: Some(server.metrics.clone()),
        },
    )
    .await
    .unwrap();
    assert_eq!((report.connections, report.groups), (12, 3));
    // 48 deliveries/s over 3 senders in groups of 4: 4 messages/s per sender.
    let sends: Vec<u64> = report.steps.iter().map(|s| s.sends).collect();
    assert_eq!(sends, vec![12, 24]);
    let delivered: Vec<u64> = report.steps.iter().map(|s| s.e2e.len()).collect();
    assert_eq!(
        delivered,
        vec![48, 96],
        "every send reaches all four members"
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
    assert_eq!(report.ack.len(), 36, "every send acknowledged");
    // Every send went through each of the send's stages once, in one step or
    // the next; its event was routed and written.
    let counted = |stage: &str| -> u64 {
        report
            .steps
            .iter()
            .map(|s| s.account.stages.as_ref().expect("scraped")[stage].count)
            .sum()
    };
    for stage in ["check", "turn", "queue", "commit", "wake", "publish"] {
        assert_eq!(counted(stage), 36, "{stage}");
    }
    assert!(counted("route") >= 36, "{}", counted("route"));
    assert!(counted("deliver") >= 36, "{}", counted("deliver"));
    assert!(report.table().contains("server stages"));
    // The tool's own CPU is read every step (the server's needs --server-pid).
    assert!(report.steps.iter().all(|s| s.account.tool_cores.is_some()));
    let burst = report.burst.as_ref().expect("the upload burst ran");
    assert!(
        burst.uploads > 0 && burst.failed == 0,
        "{} uploads, {} failed",
        burst.uploads,
        burst.failed
    );
    server.shutdown().await;
}
