//! Failed-login counts shared by every node (Redis), so that a guesser spread
//! over the nodes behind a proxy meets the same limits as on one node. The policy
//! (which keys, what limits, doubling) is auth/throttle.rs's; this is only where
//! the counts live. Keys, under the cluster's channel name P, for a throttle key K:
//!   P:lf:K   failures in the current window (expires with the window)
//!   P:ls:K   lockouts so far (forgotten after a quiet day)
//!   P:ll:K   present while K is locked out (expires when the lockout ends)

use std::time::Duration;

use fred::{
    prelude::{Client, KeysInterface},
    types::{Expiration, SetOptions},
};

/// A key quiet this long starts afresh (its doubling forgotten).
const FORGET_AFTER_SECS: i64 = 86_400;
/// The longest lockout, as a multiple of the base (2^6).
const MAX_DOUBLINGS: u32 = 6;

pub struct Lockouts {
    client: Client,
    prefix: String,
}

impl Lockouts {
    /// Shares a connected client (the directory's).
    pub fn new(client: Client, prefix: &str) -> Self {
        Self {
            client,
            prefix: prefix.to_owned(),
        }
    }

    fn key(&self, what: &str, key: &str) -> String {
        format!("{}:{what}:{key}", self.prefix)
    }

    /// The longest lockout still running among `keys`, if any.
    pub async fn locked_for(&self, keys: &[&str]) -> anyhow::Result<Option<Duration>> {
        let pipe = self.client.pipeline();
        for k in keys {
            pipe.pttl::<(), _>(self.key("ll", k)).await?;
        }
        let ttls: Vec<i64> = pipe.all().await?;
        // -2: no such key; -1: no expiry (never written so).
        Ok(ttls
            .into_iter()
            .filter(|t| *t > 0)
            .max()
            .map(|ms| Duration::from_millis(ms as u64)))
    }

    /// One more failure for `key`; the `limit`-th in a window of `base` locks it
    /// for `base * 2^lockouts so far`.
    pub async fn fail(&self, key: &str, limit: u32, base: Duration) -> anyhow::Result<()> {
        let (count, strikes) = (self.key("lf", key), self.key("ls", key));
        let window = base.as_millis().max(1) as i64;
        let pipe = self.client.pipeline();
        // The window starts with its first failure; INCR keeps the expiry.
        pipe.set::<(), _, _>(
            &count,
            0,
            Some(Expiration::PX(window)),
            Some(SetOptions::NX),
            false,
        )
        .await?;
        pipe.incr::<(), _>(&count).await?;
        pipe.expire::<(), _>(&strikes, FORGET_AFTER_SECS, None)
            .await?;
        let (_, failures, _): (Option<String>, i64, i64) = pipe.all().await?;
        // Exactly the limit-th: concurrent failures past it do not lock twice.
        if failures != i64::from(limit) {
            return Ok(());
        }
        let done: i64 = self.client.incr(&strikes).await?;
        let doublings = u32::try_from(done - 1).unwrap_or(0).min(MAX_DOUBLINGS);
        let lockout = window.saturating_mul(1 << doublings);
        let pipe = self.client.pipeline();
        pipe.expire::<(), _>(&strikes, FORGET_AFTER_SECS, None)
            .await?;
        pipe.set::<(), _, _>(
            self.key("ll", key),
            1,
            Some(Expiration::PX(lockout)),
            None,
            false,
        )
        .await?;
        pipe.del::<(), _>(&count).await?;
        pipe.all::<()>().await?;
        Ok(())
    }

    /// Forgets `key` entirely (a successful login forgets its pair).
    pub async fn forget(&self, key: &str) -> anyhow::Result<()> {
        self.client
            .del::<(), _>(vec![
                self.key("lf", key),
                self.key("ls", key),
                self.key("ll", key),
            ])
            .await?;
        Ok(())
    }
}
