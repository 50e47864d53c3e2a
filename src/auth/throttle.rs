use std::{
    collections::HashMap,
    sync::Mutex,
    time::{Duration, Instant},
};

use crate::bus::lockouts::Lockouts;

/// Failed logins, counted so that a guesser slows themselves and not the owner
/// (OWASP's authentication guidance):
/// - per account **and** address: a few failures lock that pair only, so the owner
///   signing in from elsewhere is not affected by someone guessing their password;
/// - per address, across accounts: one machine working through many accounts;
/// - per account, across addresses, with a much larger limit: a guesser spread
///   over many addresses. Only this bucket can slow the owner, and only under a
///   distributed attack.
///
/// Each lockout of a key is twice as long as the one before (up to 64 times the
/// base), so a patient script gets slower and slower; a success from a pair
/// forgets that pair's history. A key's history is forgotten once it has been
/// quiet for a day.
///
/// With several nodes the counts live in Redis (`shared`), so every node sees
/// every failure; without Redis, or while it does not answer, each node counts in
/// its own memory (a Redis outage loosens the limits by the number of nodes, never
/// lifts them).
pub struct LoginThrottle {
    limits: Limits,
    base: Duration,
    entries: Mutex<HashMap<String, Entry>>,
    shared: Option<Lockouts>,
}

/// Failures allowed per window before a lockout, per kind of key.
#[derive(Clone, Copy, Debug)]
pub struct Limits {
    pub per_account_address: u32,
    pub per_address: u32,
    pub per_account: u32,
}

struct Entry {
    failures: u32,
    since: Instant,
    /// Lockouts so far: the next one lasts `base * 2^strikes`.
    strikes: u32,
    locked_until: Option<Instant>,
    last: Instant,
}

/// Bounds memory under a flood of distinct usernames: past this many keys, keys
/// that are neither locked nor recent are swept before a new one is added.
const SWEEP_ABOVE: usize = 10_000;
/// The longest lockout, as a multiple of the base (2^6).
const MAX_DOUBLINGS: u32 = 6;
/// A key quiet this long starts afresh (its doubling forgotten).
const FORGET_AFTER: Duration = Duration::from_secs(86_400);

impl LoginThrottle {
    /// `base` is both the window in which failures are counted and the first
    /// lockout's length.
    pub fn new(limits: Limits, base: Duration) -> Self {
        Self {
            limits: Limits {
                per_account_address: limits.per_account_address.max(1),
                per_address: limits.per_address.max(1),
                per_account: limits.per_account.max(1),
            },
            base,
            entries: Mutex::new(HashMap::new()),
            shared: None,
        }
    }

    /// Counts in Redis, shared by the cluster.
    pub fn shared(self, lockouts: Lockouts) -> Self {
        Self {
            shared: Some(lockouts),
            ..self
        }
    }

    /// `Err(seconds)` while any key of this attempt is locked out.
    pub async fn check(&self, account: &str, address: &str) -> Result<(), u64> {
        if let Some(shared) = &self.shared {
            let keys = self.keys(account, address);
            let names: Vec<&str> = keys.iter().map(|(k, _)| k.as_str()).collect();
            match shared.locked_for(&names).await {
                Ok(None) => return Ok(()),
                Ok(Some(wait)) => return Err(wait.as_secs_f64().ceil().max(1.0) as u64),
                Err(e) => {
                    tracing::warn!(error = %e, "login throttle: Redis unavailable, counting on this node")
                }
            }
        }
        self.check_here(account, address)
    }

    pub async fn record_failure(&self, account: &str, address: &str) {
        if let Some(shared) = &self.shared {
            let mut failed = None;
            for (key, limit) in self.keys(account, address) {
                if let Err(e) = shared.fail(&key, limit, self.base).await {
                    failed = Some(e);
                }
            }
            match failed {
                None => return,
                Some(e) => {
                    tracing::warn!(error = %e, "login throttle: Redis unavailable, counting on this node")
                }
            }
        }
        self.record_failure_here(account, address)
    }

    /// A successful login forgets this account-and-address pair. Not the address
    /// (one right password must not reset a guesser working through many
    /// accounts), nor the account (the distributed guess goes on).
    pub async fn record_success(&self, account: &str, address: &str) {
        let pair = pair_key(account, address);
        if let Some(shared) = &self.shared {
            if let Err(e) = shared.forget(&pair).await {
                tracing::warn!(error = %e, "login throttle: Redis unavailable");
            }
        }
        let mut entries = self.entries.lock().unwrap_or_else(|e| e.into_inner());
        entries.remove(&pair);
    }

    fn keys(&self, account: &str, address: &str) -> [(String, u32); 3] {
        [
            (pair_key(account, address), self.limits.per_account_address),
            (format!("a:{address}"), self.limits.per_address),
            (format!("u:{account}"), self.limits.per_account),
        ]
    }

    fn check_here(&self, account: &str, address: &str) -> Result<(), u64> {
        let now = Instant::now();
        let entries = self.entries.lock().unwrap_or_else(|e| e.into_inner());
        let wait = self
            .keys(account, address)
            .iter()
            .filter_map(|(key, _)| entries.get(key)?.locked_until)
            .filter(|until| *until > now)
            .map(|until| (until - now).as_secs_f64().ceil() as u64)
            .max();
        match wait {
            Some(w) => Err(w.max(1)),
            None => Ok(()),
        }
    }

    fn record_failure_here(&self, account: &str, address: &str) {
        let now = Instant::now();
        let mut entries = self.entries.lock().unwrap_or_else(|e| e.into_inner());
        if entries.len() > SWEEP_ABOVE {
            let window = self.base;
            entries.retain(|_, e| {
                e.locked_until.is_some_and(|u| u > now) || now.duration_since(e.last) < window
            });
        }
        for (key, limit) in self.keys(account, address) {
            let e = entries.entry(key).or_insert(Entry {
                failures: 0,
                since: now,
                strikes: 0,
                locked_until: None,
                last: now,
            });
            if now.duration_since(e.last) >= FORGET_AFTER {
                e.strikes = 0;
            }
            e.last = now;
            if now.duration_since(e.since) >= self.base {
                e.failures = 0;
                e.since = now;
            }
            e.failures += 1;
            if e.failures >= limit {
                e.locked_until = Some(now + self.base * 2u32.pow(e.strikes.min(MAX_DOUBLINGS)));
                e.strikes += 1;
                e.failures = 0;
                e.since = now;
            }
        }
    }
}

fn pair_key(account: &str, address: &str) -> String {
    format!("p:{account}\n{address}")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn limits(pair: u32, address: u32, account: u32) -> Limits {
        Limits {
            per_account_address: pair,
            per_address: address,
            per_account: account,
        }
    }

    #[test]
    fn locks_the_pair_not_the_owner_elsewhere() {
        let t = LoginThrottle::new(limits(3, 100, 100), Duration::from_secs(60));
        for _ in 0..3 {
            assert!(t.check_here("bob", "1.1.1.1").is_ok());
            t.record_failure_here("bob", "1.1.1.1");
        }
        let wait = t.check_here("bob", "1.1.1.1").unwrap_err();
        assert!((59..=60).contains(&wait), "{wait}");
        assert!(t.check_here("bob", "2.2.2.2").is_ok(), "owner elsewhere");
        assert!(t.check_here("alice", "1.1.1.1").is_ok(), "other accounts");
    }

    #[test]
    fn locks_an_address_across_accounts() {
        let t = LoginThrottle::new(limits(100, 2, 100), Duration::from_secs(60));
        t.record_failure_here("a", "9.9.9.9");
        t.record_failure_here("b", "9.9.9.9");
        assert!(t.check_here("c", "9.9.9.9").is_err());
        assert!(t.check_here("c", "8.8.8.8").is_ok());
    }

    #[test]
    fn a_distributed_guess_locks_the_account_at_the_larger_limit() {
        let t = LoginThrottle::new(limits(3, 100, 10), Duration::from_secs(60));
        for i in 0..9 {
            t.record_failure_here("bob", &format!("10.0.0.{i}"));
        }
        assert!(t.check_here("bob", "10.9.9.9").is_ok(), "9 of 10");
        t.record_failure_here("bob", "10.0.0.99");
        assert!(t.check_here("bob", "10.9.9.9").is_err(), "10 of 10");
    }

    #[test]
    fn each_lockout_doubles_up_to_a_cap() {
        let t = LoginThrottle::new(limits(1, 100, 100), Duration::from_secs(10));
        let mut waits = Vec::new();
        for _ in 0..9 {
            // Pretend the lockout ran out: failures are only counted when allowed.
            t.record_failure_here("bob", "x");
            waits.push(t.check_here("bob", "x").unwrap_err());
            let mut e = t.entries.lock().unwrap();
            for entry in e.values_mut() {
                entry.locked_until = None;
            }
        }
        assert_eq!(waits, [10, 20, 40, 80, 160, 320, 640, 640, 640]);
    }

    #[tokio::test]
    async fn success_forgets_the_pair_and_the_window_expires() {
        let t = LoginThrottle::new(limits(2, 100, 100), Duration::from_millis(50));
        t.record_failure_here("bob", "x");
        t.record_success("bob", "x").await;
        t.record_failure_here("bob", "x");
        assert!(t.check_here("bob", "x").is_ok(), "the count started again");
        std::thread::sleep(Duration::from_millis(60));
        t.record_failure_here("bob", "x");
        assert!(t.check_here("bob", "x").is_ok(), "the window moved on");
        t.record_failure_here("bob", "x");
        assert!(t.check_here("bob", "x").is_err());
    }
}
