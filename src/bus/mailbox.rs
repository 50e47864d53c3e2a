//! One connection's mailbox, filled by the node's router (hub.rs) and emptied by
//! the connection: the envelopes queued for it, in order and bounded; the streams
//! whose envelopes did not fit (replayed from the database); and why the hub
//! wants it to catch up or close. It is one small allocation per connection: a
//! bounded channel, a watch and a shared map were three, ~1.3 KB of every idle
//! connection's memory (BENCHMARKS.md idle).

use std::{
    collections::{HashMap, VecDeque},
    sync::{Arc, Mutex, MutexGuard},
};

use tokio::sync::Notify;

use super::{Envelope, StreamKey};

/// Why the hub wants a connection to catch up or close.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Default)]
pub enum Eviction {
    #[default]
    None,
    /// Its queue was full and events were left out: see its `Missed`.
    Lagged,
    /// The node's link to the cluster's bus was down and is back: what other
    /// nodes published meanwhile never arrived. Each connection compares its
    /// positions with the database and replays what it is behind on.
    CatchUp,
    /// The node's bus subscription lagged: events may be missing everywhere.
    Resync,
}

/// What a connection's full queue could not take.
#[derive(Debug, Default)]
pub struct Missed {
    /// Per stream, the highest position left out.
    pub streams: HashMap<StreamKey, i64>,
    /// An event without a position (presence) was left out.
    pub unordered: bool,
}

/// A queue that held more than this many envelopes gives the memory back once
/// it is empty, so that one burst does not stay with an idle connection.
const KEEP_CAPACITY: usize = 16;

pub struct Mailbox {
    capacity: usize,
    state: Mutex<State>,
    /// One permit, stored when nobody waits: a put between the connection's
    /// look and its wait is not lost.
    ready: Notify,
}

#[derive(Default)]
struct State {
    queue: VecDeque<Arc<Envelope>>,
    missed: Missed,
    /// The strongest reason given since the connection last looked: a later,
    /// weaker one (Lagged) does not hide a Resync.
    eviction: Eviction,
}

impl Mailbox {
    pub fn new(capacity: usize) -> Arc<Self> {
        Arc::new(Self {
            capacity: capacity.max(1),
            state: Mutex::default(),
            ready: Notify::new(),
        })
    }

    fn state(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Queues `env`; when the queue is full, notes what was left out instead
    /// and asks the connection to replay it. Never waits.
    pub fn put(&self, env: &Arc<Envelope>) {
        let mut s = self.state();
        if s.queue.len() < self.capacity {
            s.queue.push_back(env.clone());
        } else {
            match env.position {
                Some((key, at)) => {
                    let m = s.missed.streams.entry(key).or_insert(at);
                    *m = (*m).max(at);
                }
                None => s.missed.unordered = true,
            }
            s.eviction = s.eviction.max(Eviction::Lagged);
        }
        drop(s);
        self.ready.notify_one();
    }

    pub fn evict(&self, why: Eviction) {
        let mut s = self.state();
        s.eviction = s.eviction.max(why);
        drop(s);
        self.ready.notify_one();
    }

    /// Resolves once there is an eviction to look at, or (with `queued`) an
    /// envelope to take.
    pub async fn ready(&self, queued: bool) {
        loop {
            {
                let s = self.state();
                if s.eviction != Eviction::None || (queued && !s.queue.is_empty()) {
                    return;
                }
            }
            self.ready.notified().await;
        }
    }

    /// The reason given since the last look, if any; cleared.
    pub fn take_eviction(&self) -> Eviction {
        std::mem::take(&mut self.state().eviction)
    }

    pub fn pop(&self) -> Option<Arc<Envelope>> {
        let mut s = self.state();
        let env = s.queue.pop_front();
        if s.queue.is_empty() && s.queue.capacity() > KEEP_CAPACITY {
            s.queue = VecDeque::new();
        }
        env
    }

    /// What was left out since the last call; cleared.
    pub fn take_missed(&self) -> Missed {
        std::mem::take(&mut self.state().missed)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use bytes::Bytes;
    use std::time::Duration;

    fn env(position: Option<(StreamKey, i64)>) -> Arc<Envelope> {
        Arc::new(Envelope {
            recipients: vec![],
            position,
            except: None,
            frame: Bytes::from_static(b"{}"),
            meta_changed: false,
            born: std::time::Instant::now(),
        })
    }

    #[test]
    fn a_weaker_reason_does_not_hide_a_stronger_one() {
        let m = Mailbox::new(1);
        m.evict(Eviction::Resync);
        m.put(&env(None));
        m.put(&env(None)); // full: Lagged
        assert_eq!(m.take_eviction(), Eviction::Resync);
        assert_eq!(m.take_eviction(), Eviction::None, "cleared once looked at");
        assert!(m.take_missed().unordered);
    }

    #[test]
    fn envelopes_come_out_in_order_and_a_burst_gives_its_memory_back() {
        let m = Mailbox::new(1000);
        let c = StreamKey::Conversation(crate::domain::ConversationId::new());
        for at in 1..=100 {
            m.put(&env(Some((c, at))));
        }
        for at in 1..=100 {
            assert_eq!(m.pop().unwrap().position, Some((c, at)));
        }
        assert!(m.pop().is_none());
        assert!(m.state().queue.capacity() <= KEEP_CAPACITY);
    }

    #[tokio::test]
    async fn a_put_before_the_wait_is_not_lost() {
        let m = Mailbox::new(4);
        m.put(&env(None));
        tokio::time::timeout(Duration::from_secs(5), m.ready(true))
            .await
            .expect("ready at once: something is queued");
        // Nothing to take and not taking the queue: waits until an eviction.
        let waiting = {
            let m = m.clone();
            tokio::spawn(async move { m.ready(false).await })
        };
        tokio::time::sleep(Duration::from_millis(20)).await;
        assert!(
            !waiting.is_finished(),
            "queued envelopes alone do not wake it"
        );
        m.evict(Eviction::CatchUp);
        tokio::time::timeout(Duration::from_secs(5), waiting)
            .await
            .expect("woken by the eviction")
            .unwrap();
    }
}
