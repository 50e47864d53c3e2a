//! Limits that must hold for the cluster, not per node: a guesser whose attempts
//! a proxy spreads over the nodes meets the same login throttle as on one node.

use std::time::Duration;

use reqwest::StatusCode;

use crate::{
    backend_tests,
    cluster::{nodes_with, redis_url},
    helpers::{Backend, TestApp, PASSWORD},
};

backend_tests!(failed_logins_count_across_nodes_and_lockouts_double_for_all,);

/// The login answer's status and, when throttled, its Retry-After.
async fn attempt(node: &TestApp, password: &str) -> (StatusCode, Option<u64>) {
    let r = node.login_from("127.0.0.7", "olga", password).await;
    let retry = r
        .headers
        .get("retry-after")
        .map(|v| v.to_str().unwrap().parse().unwrap());
    (r.status, retry)
}

async fn failed_logins_count_across_nodes_and_lockouts_double_for_all(b: Backend) {
    let Some(redis) = redis_url() else { return };
    let id = uuid::Uuid::now_v7().simple().to_string();
    let flags = ["--login-max-failures", "4", "--login-lockout-secs", "1"];
    let Some((a, b)) = nodes_with(b, &redis, &id, &flags).await else {
        return;
    };
    a.register("olga").await;
    // Two failures on each node: four in all, the limit. Each node alone has
    // seen only two.
    for node in [&a, &b, &a, &b] {
        assert_eq!(attempt(node, "wrong").await.0, StatusCode::UNAUTHORIZED);
    }
    let locked = (StatusCode::TOO_MANY_REQUESTS, Some(1));
    assert_eq!(attempt(&a, PASSWORD).await, locked, "node A knows");
    assert_eq!(attempt(&b, PASSWORD).await, locked, "node B knows");

    // The lockout ran out; four more failures: the second lockout is twice as
    // long, on both nodes.
    tokio::time::sleep(Duration::from_millis(1100)).await;
    for node in [&b, &a, &b, &a] {
        assert_eq!(
            attempt(node, "still wrong").await.0,
            StatusCode::UNAUTHORIZED
        );
    }
    let longer = (StatusCode::TOO_MANY_REQUESTS, Some(2));
    assert_eq!(attempt(&a, PASSWORD).await, longer);
    assert_eq!(attempt(&b, PASSWORD).await, longer);

    // Once it runs out, the right password works again on either node.
    tokio::time::sleep(Duration::from_millis(2100)).await;
    assert_eq!(attempt(&a, PASSWORD).await.0, StatusCode::OK);
    assert_eq!(attempt(&b, PASSWORD).await.0, StatusCode::OK);
}
