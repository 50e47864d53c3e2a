//! The chaos scenario, bounded: members send and read while connections are cut
//! at random and the server process is killed with SIGKILL twice and restarted.
//! Every message must be stored once, acked with its stored seq, and applied by
//! every member exactly once and in order; the server's memory must stay within
//! 64 MiB of where it started. (Longer runs: `confab-bench chaos --minutes 30`.)

use confab_bench::chaos;

#[tokio::test]
async fn nothing_is_lost_duplicated_or_reordered_through_cuts_and_kills() {
    // The server binary the workspace build made, beside this test's directory.
    let bin = std::env::current_exe()
        .unwrap()
        .parent()
        .and_then(|deps| deps.parent())
        .unwrap()
        .join("confab");
    assert!(bin.exists(), "{} (cargo build first)", bin.display());
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let args = chaos::Args {
        confab: Some(bin),
        database_url: None,
        port,
        groups: 3,
        members: 4,
        seconds: 8,
        minutes: None,
        kills: 2,
        interval_ms: 50,
        cut_chance: 0.03,
        max_rss_growth_mib: 64,
        seed: 7,
    };
    let r = chaos::run(args).await.expect("the run completes");
    println!("{}", r.table());
    assert!(
        r.failure().is_none(),
        "{}",
        r.table() + &r.failure().unwrap_or_default()
    );
    assert!(
        r.sent > 500 && r.kills == 2 && r.cuts > 0,
        "the run did what it says: {}",
        r.table()
    );
    assert_eq!(r.stored, r.sent);
    assert_eq!(
        r.delivered,
        r.stored * 4,
        "every member applied every message"
    );
}
