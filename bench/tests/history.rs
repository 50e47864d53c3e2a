//! `history`: paged reads over seeded messages come back whole, contiguous and
//! where they were asked for; `seed-bench --messages` numbers them like sends.

mod common;

use common::Seed;
use confab_bench::history;

#[tokio::test]
async fn random_pages_over_seeded_messages_are_all_correct() {
    let (server, tokens) = common::start_seeded(Seed {
        users: 4,
        groups: 2,
        group_size: 2,
        messages: 1234,
    })
    .await;
    let report = history::run(
        &server.url,
        history::Args {
            tokens,
            readers: 4,
            pages: 200,
            limit: 50,
        },
    )
    .await
    .unwrap();
    assert_eq!(report.largest_conversation, 1234);
    assert_eq!(report.pages, 200);
    assert_eq!(
        (report.bad_pages, report.errors),
        (0, 0),
        "{:?}",
        report.first_error
    );
    assert!(report.messages > 0);
    assert_eq!(report.latency.len(), 200);
    // The tool always reads its own CPU (the server here is in the same process).
    assert!(report.tool_cpu_s.is_some_and(|c| c >= 0.0));
    assert!(report.json()["tool_cpu_us_per_page"].is_number());
    server.shutdown().await;
}
