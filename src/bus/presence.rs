//! Who is online on this node: live connections per user, with a grace period so a
//! reconnect (a page reload, a network blip) does not flap offline and back.
//! Node-local state, like the hub; with several nodes a shared implementation
//! (Redis) takes its place behind the same calls.

use std::{
    collections::HashMap,
    sync::{Arc, Mutex},
};

use crate::domain::UserId;

#[derive(Default)]
struct Entry {
    connections: usize,
    /// Announced as online (and not yet announced offline).
    online: bool,
    /// Bumped on every connect, so a stale offline timer can tell it lost a race.
    generation: u64,
}

#[derive(Default)]
pub struct Presence {
    users: Mutex<HashMap<UserId, Entry>>,
    /// Users whose grace period ended, waiting to be announced offline together.
    going_offline: Mutex<Vec<UserId>>,
    /// Users who came online, waiting to be announced together.
    coming_online: Mutex<Arrivals>,
}

/// Arrivals queue while one announcement is being made and go out together in
/// the next: one arrival alone is announced at once, a storm of them in a few
/// batches (a batch is one audience query for all, not one each).
#[derive(Default)]
struct Arrivals {
    queued: Vec<UserId>,
    /// Someone is announcing; whoever queues now leaves it to them.
    announcing: bool,
}

/// The one task announcing arrivals. Dropped before it saw the queue empty (its
/// task panicked or was cancelled), it gives the role up, so the next arrival
/// announces what is queued: otherwise every later arrival would queue behind
/// an announcer that is gone, and nobody would be announced online again.
pub struct Announcer {
    presence: Arc<Presence>,
    done: bool,
}

impl Announcer {
    /// The arrivals to announce now. Empty means the announcer is done: the next
    /// arrival becomes the announcer (decided under the same lock, so none is
    /// left in the queue with nobody to announce it).
    pub fn take(&mut self) -> Vec<UserId> {
        let mut a = self.presence.arrivals();
        let batch = std::mem::take(&mut a.queued);
        self.done = batch.is_empty();
        a.announcing = !self.done;
        batch
    }
}

impl Drop for Announcer {
    fn drop(&mut self) {
        if !self.done {
            self.presence.arrivals().announcing = false;
        }
    }
}

impl Presence {
    pub fn new() -> Self {
        Self::default()
    }

    /// A connection of `user` opened. True when the user just came online (was
    /// offline, not merely within a grace period).
    pub fn connected(&self, user: UserId) -> bool {
        let mut users = self.users.lock().unwrap_or_else(|e| e.into_inner());
        let e = users.entry(user).or_default();
        e.connections += 1;
        e.generation += 1;
        let came_online = !e.online;
        e.online = true;
        came_online
    }

    /// A connection of `user` closed. When it was the last, returns the generation
    /// to pass to [`Presence::expire`] once the grace period is over.
    pub fn disconnected(&self, user: UserId) -> Option<u64> {
        let mut users = self.users.lock().unwrap_or_else(|e| e.into_inner());
        let e = users.get_mut(&user)?;
        e.connections = e.connections.saturating_sub(1);
        (e.connections == 0).then_some(e.generation)
    }

    /// After the grace period: true when the user is now offline (no connection came
    /// back meanwhile), and forgets them.
    pub fn expire(&self, user: UserId, generation: u64) -> bool {
        let mut users = self.users.lock().unwrap_or_else(|e| e.into_inner());
        match users.get(&user) {
            Some(e) if e.connections == 0 && e.generation == generation => {
                users.remove(&user);
                true
            }
            _ => false,
        }
    }

    /// Queues `user`'s offline announcement. True when the queue was empty: the
    /// caller then flushes it ([`Presence::take_offline`]) after a short pause in
    /// which others join, so that a thousand disconnects at once (a restart, a
    /// network cut) cost a few writes instead of a thousand.
    pub fn queue_offline(&self, user: UserId) -> bool {
        let mut q = self.going_offline.lock().unwrap_or_else(|e| e.into_inner());
        q.push(user);
        q.len() == 1
    }

    /// Queues `user`'s online announcement. When nobody is announcing, the
    /// caller becomes the announcer: it takes the queue ([`Announcer::take`])
    /// until it is empty.
    pub fn queue_online(self: &Arc<Self>, user: UserId) -> Option<Announcer> {
        let mut a = self.arrivals();
        a.queued.push(user);
        (!std::mem::replace(&mut a.announcing, true)).then(|| Announcer {
            presence: self.clone(),
            done: false,
        })
    }

    fn arrivals(&self) -> std::sync::MutexGuard<'_, Arrivals> {
        self.coming_online.lock().unwrap_or_else(|e| e.into_inner())
    }

    pub fn take_offline(&self) -> Vec<UserId> {
        std::mem::take(&mut *self.going_offline.lock().unwrap_or_else(|e| e.into_inner()))
    }

    pub fn is_online(&self, user: UserId) -> bool {
        let users = self.users.lock().unwrap_or_else(|e| e.into_inner());
        users.get(&user).is_some_and(|e| e.online)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn two_devices_and_a_reconnect_within_grace() {
        let p = Presence::new();
        let u = UserId::new();
        assert!(p.connected(u), "first connection: online");
        assert!(!p.connected(u), "second device: already online");
        assert_eq!(p.disconnected(u), None, "one device left: still online");
        let g = p.disconnected(u).expect("last connection closed");
        assert!(!p.connected(u), "back within grace: no new announcement");
        assert!(!p.expire(u, g), "the stale timer does nothing");
        assert!(p.is_online(u));
        let g = p.disconnected(u).unwrap();
        assert!(p.expire(u, g));
        assert!(!p.is_online(u));
    }

    #[test]
    fn offline_announcements_batch_behind_the_first() {
        let p = Presence::new();
        let (a, b, c) = (UserId::new(), UserId::new(), UserId::new());
        assert!(p.queue_offline(a), "first in: flushes");
        assert!(!p.queue_offline(b), "joins the batch");
        assert!(!p.queue_offline(c));
        assert_eq!(p.take_offline(), vec![a, b, c]);
        assert!(
            p.queue_offline(b),
            "after a flush the next one flushes again"
        );
    }

    #[test]
    fn arrivals_during_an_announcement_go_out_in_the_next_batch() {
        let p = Arc::new(Presence::new());
        let (a, b, c) = (UserId::new(), UserId::new(), UserId::new());
        let mut first = p.queue_online(a).expect("nobody announcing: a announces");
        assert_eq!(first.take(), vec![a], "alone, at once");
        assert!(p.queue_online(b).is_none(), "a is still announcing");
        assert!(p.queue_online(c).is_none());
        assert_eq!(first.take(), vec![b, c], "together, by a");
        assert_eq!(first.take(), Vec::<UserId>::new(), "a is done");
        drop(first);
        assert!(
            p.queue_online(a).is_some(),
            "the next arrival announces again"
        );
    }

    #[test]
    fn an_announcer_that_is_gone_does_not_keep_the_role() {
        let p = Arc::new(Presence::new());
        let (a, b, c) = (UserId::new(), UserId::new(), UserId::new());
        let mut announcer = p.queue_online(a).unwrap();
        assert_eq!(announcer.take(), vec![a]);
        assert!(p.queue_online(b).is_none(), "queued behind the announcer");
        // Its task panics in the middle of announcing (or is cancelled).
        let gone = std::thread::spawn(move || {
            let _held = announcer;
            panic!("announcing failed");
        });
        assert!(gone.join().is_err());
        let mut next = p
            .queue_online(c)
            .expect("c announces, the role was given up");
        assert_eq!(next.take(), vec![b, c], "b was not lost");
        assert!(next.take().is_empty());
    }
}
