//! Delivery for one connection: resume from the database, then live events in
//! order, exactly once.
//!
//! Ordering and exactly-once come from positions, not from the bus: the connection
//! keeps the last position it delivered per stream (a conversation's `ev`, the
//! user's inbox `seq`). A live event at or below it is a duplicate and dropped; the
//! next one is delivered; one further ahead waits briefly for the events before it
//! (concurrent writers publish slightly out of order) and, if they do not come, the
//! gap is filled from the database.

/// The frame of `Event::SessionsChanged`, which connections act on and never forward.
const SESSIONS_CHANGED: &[u8] = br#"{"type":"sessions.changed""#;

use std::{
    collections::{BTreeMap, HashMap, HashSet},
    sync::Arc,
};

use tokio::time::Instant;

use super::{
    connection::{Conn, End, Step, REORDER_WAIT},
    frames::Reply,
    socket::Socket,
};
use crate::{
    bus::{Envelope, StreamKey},
    chat::events::Event,
    domain::ConversationId,
    store::members::Membership,
};

fn internal<E>(_: E) -> End {
    End::Close(1011, "internal error")
}

impl Conn {
    /// Replays what the client missed, then lets live events through.
    pub(super) async fn resume(
        &mut self,
        socket: &mut Socket,
        client: HashMap<ConversationId, i64>,
        inbox: Option<i64>,
    ) -> Step {
        let replayed_before = socket.events;
        let current = self
            .gw
            .chat
            .memberships(&self.who)
            .await
            .map_err(internal)?;
        let here: HashSet<ConversationId> = current.keys().copied().collect();
        for (c, membership) in current {
            let key = StreamKey::Conversation(c);
            match client.get(&c) {
                // Nothing changed since: no reads (a user in many conversations
                // mostly comes back to a few that moved).
                Some(&from) if from >= membership.0.last_ev => self.note_position(key, from),
                Some(&from) => {
                    self.catch_up_with(socket, key, from, Some(membership))
                        .await?
                }
                None => self.send_snapshot(socket, c).await?,
            }
        }
        // Conversations the client knows but the user has left: how they ended.
        for (&c, &from) in client.iter().filter(|(c, _)| !here.contains(c)) {
            self.catch_up(socket, StreamKey::Conversation(c), from)
                .await?;
        }
        match inbox {
            Some(from) => self.catch_up(socket, StreamKey::Inbox, from).await?,
            None => {
                let at = self
                    .gw
                    .chat
                    .inbox_position(&self.who)
                    .await
                    .map_err(internal)?;
                self.positions.insert(StreamKey::Inbox, at);
            }
        }
        let m = &crate::metrics::METRICS;
        m.resumes.inc();
        m.resume_replayed
            .observe((socket.events - replayed_before) as f64);
        // Presence is not replayed: say who is online now, as part of the catch-up.
        self.send_presence(socket).await?;
        self.resumed = true;
        // Events that overflowed the queue while the replay ran.
        self.replay_missed(socket).await?;
        let mut positions = HashMap::new();
        let mut inbox_at = 0;
        for (key, at) in &self.positions {
            match key {
                StreamKey::Conversation(c) => {
                    positions.insert(*c, *at);
                }
                StreamKey::Inbox => inbox_at = *at,
            }
        }
        self.reply(
            socket,
            Reply::Resumed {
                positions,
                inbox: inbox_at,
            },
        )
        .await?;
        Ok(())
    }

    /// Replays, from the database, the streams whose events the hub could not
    /// queue for this connection; a lost presence change gets a fresh snapshot.
    pub(super) async fn replay_missed(&mut self, socket: &mut Socket) -> Step {
        let missed = self.registration.mailbox.take_missed();
        for (key, at) in missed.streams {
            let from = self.positions.get(&key).copied().unwrap_or(0);
            if at > from {
                self.catch_up(socket, key, from).await?;
                self.flush_pending(socket, key).await?;
            }
        }
        if missed.unordered {
            self.send_presence(socket).await?;
        }
        Ok(())
    }

    /// After a break in the cluster's bus: replays every stream this connection
    /// is behind on, as the database has it, and says who is online now.
    pub(super) async fn catch_up_all(&mut self, socket: &mut Socket) -> Step {
        let current = self
            .gw
            .chat
            .memberships(&self.who)
            .await
            .map_err(internal)?;
        for (c, membership) in current {
            let key = StreamKey::Conversation(c);
            match self.positions.get(&key).copied() {
                Some(at) if membership.0.last_ev > at => {
                    self.catch_up_with(socket, key, at, Some(membership))
                        .await?;
                    self.flush_pending(socket, key).await?;
                }
                Some(_) => {}
                // A conversation the user joined during the break.
                None => self.send_snapshot(socket, c).await?,
            }
        }
        let inbox = self
            .gw
            .chat
            .inbox_position(&self.who)
            .await
            .map_err(internal)?;
        let at = self.positions.get(&StreamKey::Inbox).copied().unwrap_or(0);
        if inbox > at {
            self.catch_up(socket, StreamKey::Inbox, at).await?;
            self.flush_pending(socket, StreamKey::Inbox).await?;
        }
        self.replay_missed(socket).await?;
        self.send_presence(socket).await
    }

    /// A conversation new to this connection, as it is now; its position noted.
    async fn send_snapshot(&mut self, socket: &mut Socket, c: ConversationId) -> Step {
        let snapshot = self.gw.chat.snapshot(c).await.map_err(internal)?;
        if let Some((key, ev)) = snapshot.position() {
            self.positions.insert(key, ev);
        }
        socket.bytes(snapshot.to_bytes()).await
    }

    /// Who the user may see online now.
    async fn send_presence(&mut self, socket: &mut Socket) -> Step {
        let snapshot = self
            .gw
            .chat
            .presence_snapshot(&self.who)
            .await
            .map_err(internal)?;
        for e in snapshot {
            socket.bytes(e.to_bytes()).await?;
        }
        Ok(())
    }

    /// Sends everything in the stream after `from`, from the database.
    async fn catch_up(&mut self, socket: &mut Socket, key: StreamKey, from: i64) -> Step {
        self.catch_up_with(socket, key, from, None).await
    }

    /// [`Conn::catch_up`] with the user's membership of the conversation, when it
    /// was read after this connection registered (so nothing it missed is older).
    async fn catch_up_with(
        &mut self,
        socket: &mut Socket,
        key: StreamKey,
        mut from: i64,
        mut known: Option<Membership>,
    ) -> Step {
        loop {
            // Each replay says when it is complete, which spares the empty read
            // that would otherwise end every catch-up.
            let (events, more) = match key {
                StreamKey::Conversation(c) => {
                    self.gw.chat.replay(&self.who, c, from, known.take()).await
                }
                StreamKey::Inbox => self.gw.chat.replay_inbox(&self.who, from).await,
            }
            .map_err(internal)?;
            let Some(last) = events.last().and_then(Event::position).map(|(_, at)| at) else {
                break;
            };
            for e in &events {
                socket.bytes(e.to_bytes()).await?;
            }
            from = last;
            if !more {
                break;
            }
        }
        self.note_position(key, from);
        Ok(())
    }

    /// The stream is delivered up to `at` (or further already).
    fn note_position(&mut self, key: StreamKey, at: i64) {
        let pos = self.positions.entry(key).or_insert(at);
        *pos = (*pos).max(at);
    }

    /// Re-checks this connection's session now (one of the user's sessions
    /// ended somewhere in the cluster): closes it if it was this one.
    pub(super) async fn recheck_session(&mut self) -> Step {
        match self.gw.chat.authenticate(&self.token).await {
            Ok(who) => {
                self.who = who;
                Ok(())
            }
            Err(e) if e.kind == crate::error::ErrorKind::Internal => Ok(()),
            Err(_) => Err(End::Close(
                super::close::SESSION_ENDED,
                "session ended: sign in again",
            )),
        }
    }

    pub(super) async fn deliver(&mut self, socket: &mut Socket, env: Arc<Envelope>) -> Step {
        let Some((key, at)) = env.position else {
            if env.frame.starts_with(SESSIONS_CHANGED) {
                return Box::pin(self.recheck_session()).await;
            }
            return socket.bytes(env.frame.clone()).await;
        };
        let Some(&cur) = self.positions.get(&key) else {
            // First event of a stream new to this connection.
            self.positions.insert(key, at);
            return socket.bytes(env.frame.clone()).await;
        };
        if at <= cur {
            return Ok(());
        }
        if at == cur + 1 {
            socket.bytes(env.frame.clone()).await?;
            self.positions.insert(key, at);
            return self.flush_pending(socket, key).await;
        }
        let entry = self
            .pending
            .entry(key)
            .or_insert_with(|| (BTreeMap::new(), Instant::now() + REORDER_WAIT));
        entry.0.insert(at, env.frame.clone());
        Ok(())
    }

    /// Delivers held events of `key` that are now next in line.
    async fn flush_pending(&mut self, socket: &mut Socket, key: StreamKey) -> Step {
        let Some((held, _)) = self.pending.get_mut(&key) else {
            return Ok(());
        };
        let mut cur = self.positions.get(&key).copied().unwrap_or(0);
        let mut ready = Vec::new();
        while let Some(entry) = held.first_entry() {
            let at = *entry.key();
            if at <= cur {
                entry.remove();
            } else if at == cur + 1 {
                ready.push(entry.remove());
                cur = at;
            } else {
                break;
            }
        }
        if held.is_empty() {
            self.pending.remove(&key);
        }
        self.positions.insert(key, cur);
        for frame in ready {
            socket.bytes(frame).await?;
        }
        Ok(())
    }

    /// Gaps that did not fill in time: the bus lost or delayed an event, so take it
    /// from the database. Held events the replay covered are dropped.
    pub(super) async fn fill_overdue_gaps(&mut self, socket: &mut Socket) -> Step {
        let now = Instant::now();
        let overdue: Vec<StreamKey> = self
            .pending
            .iter()
            .filter(|(_, (_, at))| *at <= now)
            .map(|(k, _)| *k)
            .collect();
        for key in overdue {
            let from = self.positions.get(&key).copied().unwrap_or(0);
            self.catch_up(socket, key, from).await?;
            self.flush_pending(socket, key).await?;
            if let Some((held, _)) = self.pending.remove(&key) {
                // Still ahead of what the database had: deliver in order anyway.
                for (at, frame) in held {
                    socket.bytes(frame).await?;
                    self.positions.insert(key, at);
                }
            }
        }
        Ok(())
    }
}
