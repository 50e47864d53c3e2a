//! The node-local routing table: which connections belong to which user. One task
//! per node reads the bus and hands each envelope to the bounded queue of every
//! recipient connection. A full queue means the client is not keeping up: the
//! connection is told to close (it resumes from the database on reconnect), so one
//! slow client never holds up the others.

use std::{
    collections::HashMap,
    sync::{
        atomic::{AtomicU64, Ordering},
        Arc, RwLock,
    },
};

use tokio::sync::{broadcast, mpsc, watch};

use super::{Bus, Envelope};
use crate::domain::UserId;

/// Why the hub wants a connection closed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Eviction {
    None,
    /// Its queue was full.
    SlowConsumer,
    /// The node's bus subscription lagged: events may be missing everywhere.
    Resync,
}

struct Slot {
    id: u64,
    tx: mpsc::Sender<Arc<Envelope>>,
    evict: watch::Sender<Eviction>,
}

pub struct Hub {
    users: RwLock<HashMap<UserId, Vec<Slot>>>,
    next: AtomicU64,
    queue: usize,
}

/// A registered connection's end: its queue and its eviction notice.
pub struct Registration {
    pub id: u64,
    pub rx: mpsc::Receiver<Arc<Envelope>>,
    pub evicted: watch::Receiver<Eviction>,
}

impl Hub {
    pub fn new(queue_per_connection: usize) -> Arc<Self> {
        Arc::new(Self {
            users: RwLock::new(HashMap::new()),
            next: AtomicU64::new(1),
            queue: queue_per_connection.max(1),
        })
    }

    pub fn register(&self, user: UserId) -> Registration {
        let id = self.next.fetch_add(1, Ordering::Relaxed);
        let (tx, rx) = mpsc::channel(self.queue);
        let (evict, evicted) = watch::channel(Eviction::None);
        let mut users = self.users.write().unwrap_or_else(|e| e.into_inner());
        users.entry(user).or_default().push(Slot { id, tx, evict });
        Registration { id, rx, evicted }
    }

    pub fn unregister(&self, user: UserId, id: u64) {
        let mut users = self.users.write().unwrap_or_else(|e| e.into_inner());
        if let Some(slots) = users.get_mut(&user) {
            slots.retain(|s| s.id != id);
            if slots.is_empty() {
                users.remove(&user);
            }
        }
    }

    /// Number of live connections of `user` on this node.
    pub fn connections_of(&self, user: UserId) -> usize {
        let users = self.users.read().unwrap_or_else(|e| e.into_inner());
        users.get(&user).map_or(0, Vec::len)
    }

    pub fn route(&self, env: &Arc<Envelope>) {
        let users = self.users.read().unwrap_or_else(|e| e.into_inner());
        for user in &env.recipients {
            if env.except == Some(*user) {
                continue;
            }
            for slot in users.get(user).into_iter().flatten() {
                if slot.tx.try_send(env.clone()).is_err() {
                    let _ = slot.evict.send(Eviction::SlowConsumer);
                }
            }
        }
    }

    fn evict_all(&self, why: Eviction) {
        let users = self.users.read().unwrap_or_else(|e| e.into_inner());
        for slot in users.values().flatten() {
            let _ = slot.evict.send(why);
        }
    }

    /// The node's single bus subscription, routed locally. Runs until the bus closes.
    pub fn spawn_router(self: &Arc<Self>, bus: &dyn Bus) -> tokio::task::JoinHandle<()> {
        let mut rx = bus.subscribe();
        let hub = self.clone();
        tokio::spawn(async move {
            loop {
                match rx.recv().await {
                    Ok(env) => hub.route(&env),
                    Err(broadcast::error::RecvError::Lagged(n)) => {
                        tracing::warn!(
                            missed = n,
                            "bus subscription lagged; asking every client to resume"
                        );
                        hub.evict_all(Eviction::Resync);
                    }
                    Err(broadcast::error::RecvError::Closed) => break,
                }
            }
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use bytes::Bytes;

    fn env(to: Vec<UserId>) -> Arc<Envelope> {
        Arc::new(Envelope {
            recipients: to,
            position: None,
            except: None,
            frame: Bytes::from_static(b"{}"),
        })
    }

    #[tokio::test]
    async fn routes_to_every_connection_of_each_recipient_only() {
        let hub = Hub::new(8);
        let (a, b) = (UserId::new(), UserId::new());
        let mut a1 = hub.register(a);
        let mut a2 = hub.register(a);
        let mut b1 = hub.register(b);
        hub.route(&env(vec![a]));
        assert!(a1.rx.try_recv().is_ok() && a2.rx.try_recv().is_ok());
        assert!(b1.rx.try_recv().is_err());
        hub.unregister(a, a1.id);
        assert_eq!(hub.connections_of(a), 1);
    }

    #[tokio::test]
    async fn a_full_queue_evicts_that_connection_alone() {
        let hub = Hub::new(2);
        let (slow, fast) = (UserId::new(), UserId::new());
        let s = hub.register(slow);
        let mut f = hub.register(fast);
        for _ in 0..3 {
            hub.route(&env(vec![slow, fast]));
            f.rx.try_recv().unwrap();
        }
        assert_eq!(*s.evicted.borrow(), Eviction::SlowConsumer);
        assert_eq!(*f.evicted.borrow(), Eviction::None);
    }
}
