//! The node-local routing table: which connections belong to which user. One task
//! per node reads the bus and hands each envelope to the mailbox (mailbox.rs) of
//! every recipient connection. The router never waits for a connection: when a queue is
//! full the event is left out and noted in the connection's `Missed` (stream and
//! position), and the connection replays those streams from the database once it
//! has caught up with its queue. A burst larger than the queue costs a replay,
//! not the connection; a client that stops reading is closed by its own socket's
//! write timeout.

use std::{
    collections::HashMap,
    sync::{
        atomic::{AtomicU64, Ordering},
        Arc, RwLock,
    },
};

use tokio::sync::broadcast;

use super::{rosters::Rosters, Bus, Envelope, StreamKey};
use crate::domain::UserId;

pub use super::mailbox::{Eviction, Mailbox, Missed};

struct Slot {
    id: u64,
    mailbox: Arc<Mailbox>,
}

pub struct Hub {
    users: RwLock<HashMap<UserId, Vec<Slot>>>,
    next: AtomicU64,
    queue: usize,
    /// The node's member cache: the router sees every envelope of the cluster,
    /// so it is where changes from other nodes reach it.
    rosters: Arc<Rosters>,
}

/// A registered connection's end: its mailbox. The slot is released when this
/// is dropped, however the connection's task ends (returned, panicked or was
/// cancelled): an explicit unregister was skipped by all but the first.
pub struct Registration {
    pub mailbox: Arc<Mailbox>,
    id: u64,
    user: UserId,
    hub: Arc<Hub>,
}

impl Drop for Registration {
    fn drop(&mut self) {
        self.hub.release(self.user, self.id);
    }
}

impl Hub {
    pub fn new(queue_per_connection: usize, rosters: Arc<Rosters>) -> Arc<Self> {
        Arc::new(Self {
            users: RwLock::new(HashMap::new()),
            next: AtomicU64::new(1),
            queue: queue_per_connection.max(1),
            rosters,
        })
    }

    pub fn register(self: &Arc<Self>, user: UserId) -> Registration {
        let id = self.next.fetch_add(1, Ordering::Relaxed);
        let mailbox = Mailbox::new(self.queue);
        crate::metrics::METRICS.connections.inc();
        let mut users = self.users.write().unwrap_or_else(|e| e.into_inner());
        users.entry(user).or_default().push(Slot {
            id,
            mailbox: mailbox.clone(),
        });
        Registration {
            mailbox,
            id,
            user,
            hub: self.clone(),
        }
    }

    fn release(&self, user: UserId, id: u64) {
        crate::metrics::METRICS.connections.dec();
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
        if let (true, Some((StreamKey::Conversation(c), ev))) = (env.meta_changed, env.position) {
            self.rosters.changed(c, ev);
        }
        let users = self.users.read().unwrap_or_else(|e| e.into_inner());
        for user in &env.recipients {
            if env.except == Some(*user) {
                continue;
            }
            for slot in users.get(user).into_iter().flatten() {
                slot.mailbox.put(env);
            }
        }
        drop(users);
        crate::metrics::METRICS.stage_since(crate::metrics::Stage::Route, env.born);
    }

    fn evict_all(&self, why: Eviction) {
        // Envelopes were lost: so may have been membership changes.
        self.rosters.clear();
        let users = self.users.read().unwrap_or_else(|e| e.into_inner());
        for slot in users.values().flatten() {
            slot.mailbox.evict(why);
        }
    }

    /// The node's single bus subscription, routed locally. Runs until the bus closes.
    pub fn spawn_router(self: &Arc<Self>, bus: &dyn Bus) -> tokio::task::JoinHandle<()> {
        let mut rx = bus.subscribe();
        let mut relinked = bus.relinked();
        let hub = self.clone();
        tokio::spawn(async move {
            loop {
                let got = tokio::select! {
                    got = rx.recv() => got,
                    Some(()) = async { relinked.as_mut()?.recv().await.ok() } => {
                        tracing::info!("bus link back: every connection catches up from the database");
                        hub.evict_all(Eviction::CatchUp);
                        continue;
                    }
                };
                match got {
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
            meta_changed: false,
            born: std::time::Instant::now(),
        })
    }

    #[tokio::test]
    async fn routes_to_every_connection_of_each_recipient_only() {
        let hub = Hub::new(8, Arc::new(Rosters::new(16)));
        let (a, b) = (UserId::new(), UserId::new());
        let a1 = hub.register(a);
        let a2 = hub.register(a);
        let b1 = hub.register(b);
        hub.route(&env(vec![a]));
        assert!(a1.mailbox.pop().is_some() && a2.mailbox.pop().is_some());
        assert!(b1.mailbox.pop().is_none());
        drop(a1);
        assert_eq!(hub.connections_of(a), 1);
    }

    #[tokio::test]
    async fn a_connection_task_that_ends_any_way_releases_its_slot() {
        let hub = Hub::new(8, Arc::new(Rosters::new(16)));
        let a = UserId::new();
        let (hub2, started) = (hub.clone(), Arc::new(tokio::sync::Notify::new()));
        let go = started.clone();
        let task = tokio::spawn(async move {
            let _r = hub2.register(a);
            go.notify_one();
            std::future::pending::<()>().await;
        });
        started.notified().await;
        assert_eq!(hub.connections_of(a), 1);
        task.abort();
        let _ = task.await;
        assert_eq!(hub.connections_of(a), 0, "cancelled: released");
        let hub3 = hub.clone();
        let panicked = tokio::spawn(async move {
            let _r = hub3.register(a);
            panic!("a bug in the connection's task");
        })
        .await;
        assert!(panicked.is_err());
        assert_eq!(hub.connections_of(a), 0, "panicked: released");
    }

    #[tokio::test]
    async fn a_full_queue_notes_what_that_connection_missed() {
        let hub = Hub::new(2, Arc::new(Rosters::new(16)));
        let (slow, fast) = (UserId::new(), UserId::new());
        let s = hub.register(slow);
        let f = hub.register(fast);
        let c = StreamKey::Conversation(crate::domain::ConversationId::new());
        for at in 1..=4 {
            let mut e = env(vec![slow, fast]);
            Arc::get_mut(&mut e).unwrap().position = Some((c, at));
            hub.route(&e);
            f.mailbox.pop().unwrap();
        }
        hub.route(&env(vec![slow]));
        assert_eq!(s.mailbox.take_eviction(), Eviction::Lagged);
        let missed = s.mailbox.take_missed();
        assert_eq!(
            missed.streams.get(&c),
            Some(&4),
            "the highest position left out"
        );
        assert!(missed.unordered, "and that a presence event was");
        assert_eq!(f.mailbox.take_eviction(), Eviction::None);
        assert!(f.mailbox.take_missed().streams.is_empty());
    }

    #[tokio::test]
    async fn a_change_of_members_anywhere_drops_older_rosters_here() {
        use crate::{bus::rosters::Roster, domain::ConversationKind};
        let rosters = Arc::new(Rosters::new(16));
        let hub = Hub::new(2, rosters.clone());
        let (c, other) = (
            crate::domain::ConversationId::new(),
            crate::domain::ConversationId::new(),
        );
        let keep = |id, ev| {
            rosters.put(
                id,
                Arc::new(Roster::new(ev, ConversationKind::Group, vec![])),
            )
        };
        keep(c, 3);
        keep(other, 3);
        // A message moves no meta_ev: the roster stays.
        let mut e = env(vec![UserId::new()]);
        Arc::get_mut(&mut e).unwrap().position = Some((StreamKey::Conversation(c), 9));
        hub.route(&e);
        assert!(rosters.get(c).is_some());
        // A change of members, for recipients none of whom is on this node.
        Arc::get_mut(&mut e).unwrap().meta_changed = true;
        hub.route(&e);
        assert!(rosters.get(c).is_none() && rosters.get(other).is_some());
        // Lost envelopes may have been changes: everything goes.
        hub.evict_all(Eviction::Resync);
        assert!(rosters.get(other).is_none());
    }
}
