//! Delivery for one connection: resume from the database, then live events in
//! order, exactly once.
//!
//! Ordering and exactly-once come from positions, not from the bus: the connection
//! keeps the last `ev` it delivered per conversation. A live event at or below it
//! is a duplicate and dropped; the next one is delivered; one further ahead waits
//! briefly for the events before it (concurrent senders publish slightly out of
//! order) and, if they do not come, the gap is filled from the database.

use std::{
    collections::{BTreeMap, HashMap},
    sync::Arc,
};

use axum::extract::ws::WebSocket;
use tokio::time::Instant;

use super::{
    connection::{send_bytes, Conn, End, Step, REORDER_WAIT},
    frames::Reply,
};
use crate::{bus::Envelope, chat::events::Event, domain::ConversationId};

impl Conn {
    /// Replays what the client missed, then lets live events through.
    pub(super) async fn resume(
        &mut self,
        socket: &mut WebSocket,
        client: HashMap<ConversationId, i64>,
    ) -> Step {
        let current = self
            .gw
            .chat
            .positions(&self.who)
            .await
            .map_err(|_| End::Close(1011, "internal error"))?;
        for (&c, _) in current.iter() {
            match client.get(&c) {
                Some(&from) => self.catch_up(socket, c, from).await?,
                None => {
                    let snapshot = self
                        .gw
                        .chat
                        .snapshot(c)
                        .await
                        .map_err(|_| End::Close(1011, "internal error"))?;
                    if let Some((_, ev)) = snapshot.position() {
                        self.positions.insert(c, ev);
                    }
                    send_bytes(socket, snapshot.to_bytes()).await?;
                }
            }
        }
        // Conversations the client knows but the user has left: tell it how they ended.
        for (&c, &from) in client.iter().filter(|(c, _)| !current.contains_key(c)) {
            self.catch_up(socket, c, from).await?;
        }
        self.resumed = true;
        let positions = self.positions.clone();
        self.reply(socket, Reply::Resumed { positions }).await
    }

    /// Sends everything in `c` after `from` from the database.
    async fn catch_up(&mut self, socket: &mut WebSocket, c: ConversationId, mut from: i64) -> Step {
        loop {
            let events = self
                .gw
                .chat
                .replay(&self.who, c, from)
                .await
                .map_err(|_| End::Close(1011, "internal error"))?;
            let Some(last) = events.last().and_then(Event::position).map(|(_, ev)| ev) else {
                break;
            };
            for e in &events {
                send_bytes(socket, e.to_bytes()).await?;
            }
            from = last;
        }
        let pos = self.positions.entry(c).or_insert(from);
        *pos = (*pos).max(from);
        Ok(())
    }

    pub(super) async fn deliver(&mut self, socket: &mut WebSocket, env: Arc<Envelope>) -> Step {
        let Some((c, ev)) = env.position else {
            return send_bytes(socket, env.frame.clone()).await;
        };
        let Some(&cur) = self.positions.get(&c) else {
            // First event of a conversation new to this connection.
            self.positions.insert(c, ev);
            return send_bytes(socket, env.frame.clone()).await;
        };
        if ev <= cur {
            return Ok(());
        }
        if ev == cur + 1 {
            send_bytes(socket, env.frame.clone()).await?;
            self.positions.insert(c, ev);
            return self.flush_pending(socket, c).await;
        }
        let entry = self
            .pending
            .entry(c)
            .or_insert_with(|| (BTreeMap::new(), Instant::now() + REORDER_WAIT));
        entry.0.insert(ev, env.frame.clone());
        Ok(())
    }

    /// Delivers held events of `c` that are now next in line.
    async fn flush_pending(&mut self, socket: &mut WebSocket, c: ConversationId) -> Step {
        let Some((held, _)) = self.pending.get_mut(&c) else {
            return Ok(());
        };
        let mut cur = self.positions.get(&c).copied().unwrap_or(0);
        let mut ready = Vec::new();
        while let Some(entry) = held.first_entry() {
            let ev = *entry.key();
            if ev <= cur {
                entry.remove();
            } else if ev == cur + 1 {
                ready.push(entry.remove());
                cur = ev;
            } else {
                break;
            }
        }
        if held.is_empty() {
            self.pending.remove(&c);
        }
        self.positions.insert(c, cur);
        for frame in ready {
            send_bytes(socket, frame).await?;
        }
        Ok(())
    }

    /// Gaps that did not fill in time: the bus lost or delayed an event, so take it
    /// from the database. Held events the replay covered are dropped.
    pub(super) async fn fill_overdue_gaps(&mut self, socket: &mut WebSocket) -> Step {
        let now = Instant::now();
        let overdue: Vec<ConversationId> = self
            .pending
            .iter()
            .filter(|(_, (_, at))| *at <= now)
            .map(|(c, _)| *c)
            .collect();
        for c in overdue {
            let from = self.positions.get(&c).copied().unwrap_or(0);
            self.catch_up(socket, c, from).await?;
            self.flush_pending(socket, c).await?;
            if let Some((held, at)) = self.pending.get_mut(&c) {
                // Still ahead of what the database had: deliver in order anyway.
                let rest = std::mem::take(held);
                *at = now;
                self.pending.remove(&c);
                for (ev, frame) in rest {
                    send_bytes(socket, frame).await?;
                    self.positions.insert(c, ev);
                }
            }
        }
        Ok(())
    }
}
