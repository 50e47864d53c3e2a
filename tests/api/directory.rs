//! The cluster's directory of who is online where (bus/directory.rs), against a
//! real Redis: a node that stops cleanly retires its heartbeat, so its users are
//! reaped at the next beat of another node instead of after the TTL.

use std::time::Duration;

use confab::{bus::directory::Directory, domain::UserId};

use crate::cluster::redis_url;

#[tokio::test]
async fn a_retired_node_is_reaped_at_once_a_silent_one_only_after_its_ttl() {
    let Some(redis) = redis_url() else { return };
    let prefix = format!("confab-t-{}", uuid::Uuid::now_v7().simple());
    // Long enough that no test run waits it out.
    let ttl = Duration::from_secs(600);
    let (stopping, silent, other) = (
        Directory::connect(&redis, &prefix, ttl).await.unwrap(),
        Directory::connect(&redis, &prefix, ttl).await.unwrap(),
        Directory::connect(&redis, &prefix, ttl).await.unwrap(),
    );
    let (dora, sam): (UserId, UserId) = (
        uuid::Uuid::now_v7().to_string().parse().unwrap(),
        uuid::Uuid::now_v7().to_string().parse().unwrap(),
    );
    assert!(stopping.arrived(dora).await.unwrap());
    assert!(silent.arrived(sam).await.unwrap());

    assert_eq!(other.reap().await.unwrap(), [], "both nodes beat");
    stopping.retire().await;
    // The silent node's heartbeat still lives: only the retired node's user goes.
    assert_eq!(other.reap().await.unwrap(), [dora]);
    assert!(!other.online_elsewhere(dora).await.unwrap());
    assert!(other.online_elsewhere(sam).await.unwrap());
}
