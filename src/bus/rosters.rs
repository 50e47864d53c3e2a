//! Each conversation's current members, kept in memory on each node so that a
//! send does not read them from the database twice (once to check the sender,
//! once after the commit to fan out): on two cores those two pool reads per send
//! were what bounded `fanout` (BENCHMARKS.md).
//!
//! A roster is versioned by the conversation's `meta_ev`, which every
//! membership change moves in the same transaction. That version is what keeps
//! the cache exact where it matters: the writer reads `meta_ev` under the
//! conversation's row lock when it stores a message, and fan-out uses a cached
//! roster only if it has that very version (otherwise it reads the members
//! again). So a message goes to exactly the members of its commit, on every
//! node, whatever the cache holds.
//!
//! The bus keeps the cache fresh for the sender check: a `conversation.updated`
//! carries its new `meta_ev`, and every node's router drops older rosters
//! ([`Rosters::changed`]); a lagging or relinked bus clears everything. A
//! roster that says "not a member" is re-read before a send is refused, so a
//! member added on another node is never turned away by a stale entry.

use std::{
    collections::HashMap,
    sync::{Arc, RwLock},
};

use crate::domain::{ConversationId, ConversationKind, UserId};

/// The members of one conversation at one `meta_ev`.
#[derive(Debug, PartialEq, Eq)]
pub struct Roster {
    pub meta_ev: i64,
    pub kind: ConversationKind,
    /// Current members, sorted (binary search for the sender check).
    members: Vec<UserId>,
}

impl Roster {
    pub fn new(meta_ev: i64, kind: ConversationKind, mut members: Vec<UserId>) -> Self {
        members.sort_unstable();
        members.dedup();
        Self {
            meta_ev,
            kind,
            members,
        }
    }

    pub fn contains(&self, user: UserId) -> bool {
        self.members.binary_search(&user).is_ok()
    }

    pub fn members(&self) -> &[UserId] {
        &self.members
    }
}

/// What a node knows of one conversation: the newest `meta_ev` it has heard of
/// (so a read that started before a change cannot put back an older roster),
/// and the roster, if it holds one at least that new.
#[derive(Default)]
struct Slot {
    floor: i64,
    roster: Option<Arc<Roster>>,
}

pub struct Rosters {
    slots: RwLock<HashMap<ConversationId, Slot>>,
    /// Conversations kept at most; past it the cache starts over (a miss costs
    /// one read, so a crude bound is enough and never wrong).
    capacity: usize,
}

impl Rosters {
    pub fn new(capacity: usize) -> Self {
        Self {
            slots: RwLock::new(HashMap::new()),
            capacity: capacity.max(1),
        }
    }

    pub fn get(&self, id: ConversationId) -> Option<Arc<Roster>> {
        let slots = self.slots.read().unwrap_or_else(|e| e.into_inner());
        slots.get(&id).and_then(|s| s.roster.clone())
    }

    /// The roster with exactly this version, if held.
    pub fn at(&self, id: ConversationId, meta_ev: i64) -> Option<Arc<Roster>> {
        self.get(id).filter(|r| r.meta_ev == meta_ev)
    }

    /// Keeps `roster` unless something newer is already known.
    pub fn put(&self, id: ConversationId, roster: Arc<Roster>) {
        let mut slots = self.slots.write().unwrap_or_else(|e| e.into_inner());
        if slots.len() >= self.capacity && !slots.contains_key(&id) {
            slots.clear();
        }
        let slot = slots.entry(id).or_default();
        let held = slot.roster.as_ref().map_or(i64::MIN, |r| r.meta_ev);
        if roster.meta_ev >= slot.floor && roster.meta_ev > held {
            slot.floor = roster.meta_ev;
            slot.roster = Some(roster);
        }
    }

    /// The conversation's `meta_ev` moved to `meta_ev`: older rosters go.
    pub fn changed(&self, id: ConversationId, meta_ev: i64) {
        let mut slots = self.slots.write().unwrap_or_else(|e| e.into_inner());
        if slots.len() >= self.capacity && !slots.contains_key(&id) {
            slots.clear();
        }
        let slot = slots.entry(id).or_default();
        slot.floor = slot.floor.max(meta_ev);
        if slot.roster.as_ref().is_some_and(|r| r.meta_ev < meta_ev) {
            slot.roster = None;
        }
    }

    /// Changes may have been missed (the bus lagged or its link broke).
    pub fn clear(&self) {
        self.slots
            .write()
            .unwrap_or_else(|e| e.into_inner())
            .clear();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn user(n: u128) -> UserId {
        UserId(uuid::Uuid::from_u128(n))
    }

    fn roster(ev: i64, members: &[u128]) -> Arc<Roster> {
        Arc::new(Roster::new(
            ev,
            ConversationKind::Group,
            members.iter().map(|&n| user(n)).collect(),
        ))
    }

    #[test]
    fn a_newer_roster_replaces_an_older_one_never_the_reverse() {
        let r = Rosters::new(10);
        let c = ConversationId(uuid::Uuid::from_u128(1));
        r.put(c, roster(3, &[1, 2]));
        r.put(c, roster(5, &[1, 2, 3]));
        r.put(c, roster(4, &[1]));
        let held = r.get(c).unwrap();
        assert_eq!(held.meta_ev, 5);
        assert!(held.contains(user(3)) && !held.contains(user(4)));
        assert!(r.at(c, 5).is_some() && r.at(c, 3).is_none());
    }

    #[test]
    fn a_change_drops_older_rosters_and_a_late_read_cannot_bring_one_back() {
        let r = Rosters::new(10);
        let c = ConversationId(uuid::Uuid::from_u128(1));
        r.put(c, roster(3, &[1, 2]));
        r.changed(c, 3);
        assert!(r.get(c).is_some(), "the same version stays");
        r.changed(c, 7);
        assert!(r.get(c).is_none());
        // A read that began before the change finishes after it.
        r.put(c, roster(5, &[1, 2]));
        assert!(r.get(c).is_none());
        r.put(c, roster(7, &[1]));
        assert_eq!(r.get(c).unwrap().members(), &[user(1)]);
    }

    #[test]
    fn it_stays_within_its_capacity_and_clears_on_demand() {
        let r = Rosters::new(2);
        let ids: Vec<_> = (1..=3)
            .map(|n| ConversationId(uuid::Uuid::from_u128(n)))
            .collect();
        for &c in &ids {
            r.put(c, roster(1, &[1]));
        }
        assert!(r.get(ids[2]).is_some());
        assert!(r.slots.read().unwrap().len() <= 2);
        r.clear();
        assert!(r.get(ids[2]).is_none());
    }
}
