//! Per-connection typing state: rate-limits `start` relays and lapses a typing
//! indicator the client forgot to stop.

use std::{
    collections::HashMap,
    time::{Duration, Instant},
};

use crate::domain::ConversationId;

/// A `start` is relayed at most this often per conversation; in between, it only
/// extends the indicator.
const RELAY_EVERY: Duration = Duration::from_secs(2);

#[derive(Default)]
pub struct Typing {
    active: HashMap<ConversationId, (Instant, Instant)>, // (last relayed, expires)
}

impl Typing {
    /// Records a `start`; true when it should be relayed now.
    pub fn start(&mut self, c: ConversationId, now: Instant, ttl: Duration) -> bool {
        match self.active.get_mut(&c) {
            Some((relayed, expires)) => {
                *expires = now + ttl;
                if now.duration_since(*relayed) >= RELAY_EVERY {
                    *relayed = now;
                    true
                } else {
                    false
                }
            }
            None => {
                self.active.insert(c, (now, now + ttl));
                true
            }
        }
    }

    /// Records a `stop`; true when an indicator was showing (so `stop` is relayed).
    pub fn stop(&mut self, c: ConversationId) -> bool {
        self.active.remove(&c).is_some()
    }

    /// When the next indicator lapses, if any is showing.
    pub fn next_expiry(&self) -> Option<tokio::time::Instant> {
        self.active
            .values()
            .map(|(_, e)| tokio::time::Instant::from_std(*e))
            .min()
    }

    /// Indicators that lapsed by `now`, removed.
    pub fn expired(&mut self, now: impl Into<Instant>) -> Vec<ConversationId> {
        let now = now.into();
        let gone: Vec<_> = self
            .active
            .iter()
            .filter(|(_, (_, e))| *e <= now)
            .map(|(c, _)| *c)
            .collect();
        for c in &gone {
            self.active.remove(c);
        }
        gone
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rate_limits_and_expires() {
        let mut t = Typing::default();
        let c = ConversationId::new();
        let t0 = Instant::now();
        let ttl = Duration::from_secs(5);
        assert!(t.start(c, t0, ttl));
        assert!(
            !t.start(c, t0 + Duration::from_millis(500), ttl),
            "too soon to relay again"
        );
        assert!(t.start(c, t0 + Duration::from_secs(3), ttl));
        assert!(t.expired(t0 + Duration::from_secs(4)).is_empty());
        assert_eq!(t.expired(t0 + Duration::from_secs(9)), vec![c]);
        assert!(!t.stop(c), "already lapsed");
    }
}
