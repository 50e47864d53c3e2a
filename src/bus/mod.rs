//! Live fan-out. Use cases publish an [`Envelope`] (the event serialised once, its
//! recipients); each node holds ONE subscription to the bus and routes what arrives
//! to its local connections through the [`hub::Hub`]. The in-process bus below is
//! for one node; a Redis implementation of [`Bus`] drops in for several. The bus
//! carries live events only: anything it loses is repaired from the database by
//! the connection's gap check and by resume.

pub mod directory;
pub mod hub;
pub mod lockouts;
pub mod mailbox;
pub mod presence;
pub mod redis;
pub mod rosters;

use std::sync::Arc;

use bytes::Bytes;
use tokio::sync::broadcast;

use crate::domain::{ConversationId, UserId};

/// An ordered stream a client resumes: a conversation's changes (by `ev`), or the
/// recipient's own notifications (by `seq`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum StreamKey {
    Conversation(ConversationId),
    Inbox,
}

/// One event on its way to its recipients.
#[derive(Debug)]
pub struct Envelope {
    /// Users whose connections receive it (all their devices).
    pub recipients: Vec<UserId>,
    /// The stream and position of ordered events; `None` for ephemeral ones
    /// (typing, presence), which are never replayed.
    pub position: Option<(StreamKey, i64)>,
    /// Skip this user's connections (a typing event does not echo to its sender).
    pub except: Option<UserId>,
    /// The JSON frame, serialised once and shared by every recipient.
    pub frame: Bytes,
    /// The event moved its conversation's `meta_ev` (members or name changed):
    /// every node drops its older rosters (rosters.rs), recipients there or not.
    pub meta_changed: bool,
    /// When it was published on this node, or received from the cluster's bus:
    /// the start of its `Route` and `Deliver` stages (metrics.rs). Not sent
    /// between nodes (their clocks are not one).
    pub born: std::time::Instant,
}

pub trait Bus: Send + Sync + 'static {
    fn publish(&self, envelope: Envelope);
    /// The node's subscription. Call once per node.
    fn subscribe(&self) -> broadcast::Receiver<Arc<Envelope>>;
    /// Told each time the node's link to a shared bus comes back after a break,
    /// or its receiving fell behind (either way events were lost and connections
    /// must catch up from the database); `None` for a bus that cannot break.
    fn relinked(&self) -> Option<broadcast::Receiver<()>> {
        None
    }
}

/// The bus of a single node: a broadcast channel.
pub struct LocalBus {
    tx: broadcast::Sender<Arc<Envelope>>,
}

impl LocalBus {
    pub fn new(capacity: usize) -> Self {
        Self {
            tx: broadcast::channel(capacity.max(16)).0,
        }
    }
}

impl Bus for LocalBus {
    fn publish(&self, envelope: Envelope) {
        // No subscriber (no server running, e.g. the admin CLI): nothing to deliver.
        let _ = self.tx.send(Arc::new(envelope));
    }

    fn subscribe(&self) -> broadcast::Receiver<Arc<Envelope>> {
        self.tx.subscribe()
    }
}
