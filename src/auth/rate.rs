//! Request rates per user or per client address (token buckets, GCRA from the
//! `governor` crate): sends, searches, refreshes, registrations, friend requests
//! and conversation creation. A refused request learns how long to wait.
//!
//! In-process: with several nodes each node counts on its own, so a cluster
//! allows up to node-count times the rate (they protect each node's resources;
//! the login throttle, which protects accounts, counts cluster-wide).

use std::{
    num::NonZeroU32,
    sync::atomic::{AtomicU32, Ordering},
};

use governor::{clock::Clock, DefaultKeyedRateLimiter, Quota};

use crate::domain::Rate;

/// What is being limited.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Action {
    Send,
    Search,
    Refresh,
    Register,
    FriendRequest,
    CreateConversation,
    /// Password reset requests and address verification mails, per address.
    PasswordReset,
}

/// One limiter per action; `None` where the rate is off.
pub struct RateLimits {
    limiters: Vec<(Action, Option<DefaultKeyedRateLimiter<String>>)>,
    /// Checks since the last sweep of idle keys.
    checks: AtomicU32,
}

/// Keys of buckets that are full again are dropped every this many checks, so a
/// flood of distinct addresses cannot grow memory without bound.
const SWEEP_EVERY: u32 = 10_000;

impl RateLimits {
    pub fn new(rates: &[(Action, Rate)]) -> Self {
        let limiters = rates
            .iter()
            .map(|&(action, rate)| (action, quota(rate).map(DefaultKeyedRateLimiter::keyed)))
            .collect();
        Self {
            limiters,
            checks: AtomicU32::new(0),
        }
    }

    /// No limits at all (tests of other things, benchmarks).
    pub fn off() -> Self {
        Self::new(&[])
    }

    /// `Err(seconds to wait)` when `key` (a user id or an address) is over the
    /// rate for `action`. Each allowed call spends one token.
    pub fn check(&self, action: Action, key: &dyn std::fmt::Display) -> Result<(), u64> {
        let Some(limiter) = self
            .limiters
            .iter()
            .find(|(a, _)| *a == action)
            .and_then(|(_, l)| l.as_ref())
        else {
            return Ok(());
        };
        if self.checks.fetch_add(1, Ordering::Relaxed) >= SWEEP_EVERY {
            self.checks.store(0, Ordering::Relaxed);
            for l in self.limiters.iter().filter_map(|(_, l)| l.as_ref()) {
                l.retain_recent();
            }
        }
        // Keys are owned strings in the map: formatted only here, so with the rate
        // off (load tests) a send costs no allocation for it.
        limiter.check_key(&key.to_string()).map_err(|not_until| {
            let wait = not_until.wait_time_from(governor::clock::DefaultClock::default().now());
            wait.as_secs_f64().ceil().max(1.0) as u64
        })
    }
}

fn quota(rate: Rate) -> Option<Quota> {
    if rate.is_off() {
        return None;
    }
    let period = rate.per / rate.count;
    let burst = NonZeroU32::new(rate.burst.max(1))?;
    Some(Quota::with_period(period)?.allow_burst(burst))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_burst_then_the_sustained_rate_per_key() {
        let r = RateLimits::new(&[(Action::Send, "3/h:3".parse().unwrap())]);
        for _ in 0..3 {
            assert!(r.check(Action::Send, &"ann").is_ok());
        }
        let wait = r.check(Action::Send, &"ann").unwrap_err();
        assert!(
            (1190..=1200).contains(&wait),
            "one token per 1200 s: {wait}"
        );
        assert!(r.check(Action::Send, &"ben").is_ok(), "per key");
        assert!(
            r.check(Action::Search, &"ann").is_ok(),
            "unlisted: no limit"
        );
    }

    #[test]
    fn off_means_no_limit() {
        let r = RateLimits::new(&[(Action::Send, Rate::OFF)]);
        for _ in 0..1000 {
            assert!(r.check(Action::Send, &"ann").is_ok());
        }
    }
}
