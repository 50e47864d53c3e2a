//! `search`: searches for seeded topic words over seeded messages find them, and
//! every message found holds the word.

mod common;

use common::Seed;
use confab_bench::search;

#[tokio::test]
async fn searches_over_seeded_messages_find_only_messages_with_the_word() {
    let (server, tokens) = common::start_seeded(Seed {
        users: 4,
        groups: 2,
        group_size: 2,
        messages: 3000,
    })
    .await;
    let report = search::run(
        &server.url,
        search::Args {
            tokens,
            searchers: 4,
            searches: 200,
            limit: 20,
        },
    )
    .await
    .unwrap();
    assert_eq!(report.searches, 200);
    assert_eq!(
        (report.bad, report.errors),
        (0, 0),
        "{:?}",
        report.first_error
    );
    // Two of 1,000 words per message, 3,000 messages a conversation: about six
    // messages per word, so most searches find some.
    assert!(report.found > 400, "found {}", report.found);
    server.shutdown().await;
}
