use std::{
    collections::HashMap,
    sync::Mutex,
    time::{Duration, Instant},
};

/// Counts failed logins per account and per client address in a fixed window. When
/// either key reaches its limit, further attempts are refused until the window ends,
/// whether or not the password would be right: that is what stops guessing.
///
/// In-process state: with several nodes each node counts on its own, so the
/// effective limit is per node (documented in the README).
pub struct LoginThrottle {
    per_account: u32,
    per_address: u32,
    window: Duration,
    entries: Mutex<HashMap<String, Entry>>,
}

struct Entry {
    failures: u32,
    since: Instant,
}

/// Bounds memory under a flood of distinct usernames: past this many keys, expired
/// ones are swept before a new one is added.
const SWEEP_ABOVE: usize = 10_000;

impl LoginThrottle {
    pub fn new(per_account: u32, per_address: u32, window: Duration) -> Self {
        Self {
            per_account: per_account.max(1),
            per_address: per_address.max(1),
            window,
            entries: Mutex::new(HashMap::new()),
        }
    }

    fn keys(account: &str, address: &str) -> [(String, bool); 2] {
        [
            (format!("u:{account}"), true),
            (format!("a:{address}"), false),
        ]
    }

    /// `Err(seconds)` when the account or the address is locked out.
    pub fn check(&self, account: &str, address: &str) -> Result<(), u64> {
        let now = Instant::now();
        let entries = self.entries.lock().unwrap_or_else(|e| e.into_inner());
        let mut wait = 0u64;
        for (key, is_account) in Self::keys(account, address) {
            let limit = if is_account {
                self.per_account
            } else {
                self.per_address
            };
            if let Some(e) = entries.get(&key) {
                let elapsed = now.duration_since(e.since);
                if e.failures >= limit && elapsed < self.window {
                    let left = (self.window - elapsed).as_secs_f64().ceil() as u64;
                    wait = wait.max(left.max(1));
                }
            }
        }
        if wait > 0 {
            Err(wait)
        } else {
            Ok(())
        }
    }

    pub fn record_failure(&self, account: &str, address: &str) {
        let now = Instant::now();
        let mut entries = self.entries.lock().unwrap_or_else(|e| e.into_inner());
        if entries.len() > SWEEP_ABOVE {
            let window = self.window;
            entries.retain(|_, e| now.duration_since(e.since) < window);
        }
        for (key, _) in Self::keys(account, address) {
            let e = entries.entry(key).or_insert(Entry {
                failures: 0,
                since: now,
            });
            if now.duration_since(e.since) >= self.window {
                *e = Entry {
                    failures: 0,
                    since: now,
                };
            }
            e.failures += 1;
        }
    }

    /// A successful login clears the account's count (not the address's: one right
    /// password must not reset a guesser working through many accounts).
    pub fn record_success(&self, account: &str) {
        let mut entries = self.entries.lock().unwrap_or_else(|e| e.into_inner());
        entries.remove(&format!("u:{account}"));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn locks_an_account_after_its_limit() {
        let t = LoginThrottle::new(3, 100, Duration::from_secs(60));
        for _ in 0..3 {
            assert!(t.check("bob", "1.1.1.1").is_ok());
            t.record_failure("bob", "1.1.1.1");
        }
        let wait = t.check("bob", "2.2.2.2").unwrap_err();
        assert!((1..=60).contains(&wait));
        assert!(
            t.check("alice", "1.1.1.1").is_ok(),
            "other accounts unaffected"
        );
    }

    #[test]
    fn locks_an_address_across_accounts() {
        let t = LoginThrottle::new(100, 2, Duration::from_secs(60));
        t.record_failure("a", "9.9.9.9");
        t.record_failure("b", "9.9.9.9");
        assert!(t.check("c", "9.9.9.9").is_err());
        assert!(t.check("c", "8.8.8.8").is_ok());
    }

    #[test]
    fn success_clears_the_account_and_the_window_expires() {
        let t = LoginThrottle::new(1, 100, Duration::from_millis(50));
        t.record_failure("bob", "x");
        assert!(t.check("bob", "x").is_err());
        t.record_success("bob");
        assert!(t.check("bob", "x").is_ok());
        t.record_failure("bob", "x");
        std::thread::sleep(Duration::from_millis(60));
        assert!(t.check("bob", "x").is_ok());
    }
}
