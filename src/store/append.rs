//! Storing a batch of new messages (the writer's group commit) in a fixed number of
//! statements, whatever the batch size: in one transaction one counter update for
//! all the batch's conversations, one read of the new counters and one multi-row
//! insert (per 64 rows); the idempotency lookup only when the unique index says a
//! client_msg_id was already stored. Each statement is a round trip (on
//! SQLite, a hand-off to the driver's thread and back), so statements per batch,
//! not per message, is what lets many acks share one commit cheaply.

use std::collections::{HashMap, HashSet};

use sqlx::Row;

use super::{
    affected,
    messages::{Appended, NewMessage},
    placeholders, rows, Store, StoreError, StoreResult, Tx,
};
use crate::domain::{ConversationId, Message, UserId};

/// Rows per multi-row INSERT and pairs per idempotency lookup: keeps every
/// statement well under each backend's bound-parameter limit (13 columns × 64).
const CHUNK: usize = 64;

type Key = (UserId, String);

impl Store {
    /// Stores a batch of messages in one transaction (group commit: one fsync for
    /// the batch). Sends whose client_msg_id is already stored return the stored
    /// message; a duplicate inside the batch resolves to its first occurrence. If
    /// the batch transaction fails (a concurrent duplicate from another node, a
    /// deadlock, a conversation deleted meanwhile), each message is retried in its
    /// own transaction, so one bad send never fails the others.
    pub async fn append_messages(&self, batch: &[NewMessage]) -> Vec<StoreResult<Appended>> {
        let key = |m: &NewMessage| (m.sender_id, m.client_msg_id.clone());
        let mut first: HashMap<Key, usize> = HashMap::new();
        for (i, m) in batch.iter().enumerate() {
            first.entry(key(m)).or_insert(i);
        }
        let mut fresh: Vec<usize> = first.values().copied().collect();
        fresh.sort_unstable();
        // Insert first: a resend of a stored message is rare, and the unique index
        // catches it; only then are the batch's ids looked up and the rest retried.
        let mut stored: HashMap<Key, Message> = HashMap::new();
        // Created here: the conversation's meta_ev at the commit.
        let mut created: HashMap<Key, i64> = HashMap::new();
        // Senders the commit found are not members (any more) of the conversation.
        let mut outsiders: HashSet<Pair> = HashSet::new();
        let mut looked_up = false;
        loop {
            match self.insert_all(batch, &fresh).await {
                Ok(Inserted::Stored(new)) => {
                    for (&i, (msg, meta_ev)) in fresh.iter().zip(new) {
                        created.insert(key(&batch[i]), meta_ev);
                        stored.insert(key(&batch[i]), msg);
                    }
                    break;
                }
                // Nothing was stored; again without them (each round drops at
                // least one pair, so this ends).
                Ok(Inserted::Outsiders(found)) => {
                    outsiders.extend(found);
                    fresh.retain(|&i| !outsiders.contains(&pair(&batch[i])));
                }
                Err(StoreError::Conflict("client_msg_id")) if !looked_up => {
                    looked_up = true;
                    let Ok(existing) = self.by_client_ids(batch).await else {
                        return self.append_each(batch).await;
                    };
                    fresh.retain(|&i| !existing.contains_key(&key(&batch[i])));
                    stored.extend(existing);
                }
                Err(e) => {
                    tracing::debug!(error = %e, "batch insert failed; retrying one by one");
                    return self.append_each(batch).await;
                }
            }
        }
        if !outsiders.is_empty() && !looked_up {
            // A former member's resend of what they sent while a member still
            // gets its stored message (idempotent sends); the rest are refused.
            let theirs: Vec<NewMessage> = batch
                .iter()
                .filter(|m| outsiders.contains(&pair(m)))
                .cloned()
                .collect();
            match self.by_client_ids(&theirs).await {
                Ok(existing) => stored.extend(existing),
                Err(_) => return self.append_each(batch).await,
            }
        }
        batch
            .iter()
            .enumerate()
            .map(|(i, m)| {
                let k = key(m);
                let is_first = first.get(&k) == Some(&i);
                let meta_ev = created.get(&k).copied().filter(|_| is_first);
                match stored.get(&k) {
                    Some(message) => Ok(Appended {
                        message: message.clone(),
                        created: meta_ev.is_some(),
                        meta_ev: meta_ev.unwrap_or_default(),
                    }),
                    // Not a member: as for any conversation they cannot see.
                    None if outsiders.contains(&pair(m)) => Err(StoreError::NotFound),
                    None => Err(StoreError::Other(anyhow::anyhow!("message not stored"))),
                }
            })
            .collect()
    }

    /// Stores fresh messages (no idempotency lookup): for seeding benchmarks.
    pub async fn insert_messages(&self, batch: &[NewMessage]) -> StoreResult<Vec<Message>> {
        let all: Vec<usize> = (0..batch.len()).collect();
        match self.insert_all(batch, &all).await? {
            Inserted::Stored(stored) => Ok(stored.into_iter().map(|(m, _)| m).collect()),
            Inserted::Outsiders(_) => Err(StoreError::NotFound),
        }
    }

    /// The slow path: every message in its own transaction, in batch order.
    async fn append_each(&self, batch: &[NewMessage]) -> Vec<StoreResult<Appended>> {
        let mut out = Vec::with_capacity(batch.len());
        for m in batch {
            out.push(self.append_one(m).await);
        }
        out
    }

    async fn append_one(&self, m: &NewMessage) -> StoreResult<Appended> {
        for _ in 0..3 {
            let key = (m.sender_id, m.client_msg_id.clone());
            if let Some(existing) = self
                .by_client_ids(std::slice::from_ref(m))
                .await?
                .remove(&key)
            {
                return Ok(Appended {
                    message: existing,
                    created: false,
                    meta_ev: 0,
                });
            }
            match self.insert_all(std::slice::from_ref(m), &[0]).await {
                Ok(Inserted::Outsiders(_)) => return Err(StoreError::NotFound),
                Ok(Inserted::Stored(mut v)) => {
                    let (message, meta_ev) = v.remove(0);
                    return Ok(Appended {
                        message,
                        created: true,
                        meta_ev,
                    });
                }
                Err(StoreError::Conflict("client_msg_id")) => continue,
                Err(e) => return Err(e),
            }
        }
        Err(StoreError::Conflict("client_msg_id"))
    }

    /// The stored messages that `batch`'s (sender, client_msg_id) pairs name.
    async fn by_client_ids(&self, batch: &[NewMessage]) -> StoreResult<HashMap<Key, Message>> {
        let mut found = HashMap::new();
        for chunk in batch.chunks(CHUNK) {
            let pairs = vec!["(m.sender_id = ? AND m.client_msg_id = ?)"; chunk.len()].join(" OR ");
            let sql = format!(
                "SELECT {} FROM messages m WHERE {pairs}",
                rows::MESSAGE_COLUMNS
            );
            let sql = self.sql(&sql);
            let mut q = sqlx::query(&sql);
            for m in chunk {
                q = q
                    .bind(m.sender_id.to_string())
                    .bind(m.client_msg_id.clone());
            }
            for row in q.fetch_all(&self.pool).await? {
                let msg = rows::message(&row)?;
                found.insert((msg.sender_id, msg.client_msg_id.clone()), msg);
            }
        }
        Ok(found)
    }

    /// Inserts `batch[which]` in one transaction and returns them with their seq and
    /// ev, each beside its conversation's meta_ev as of this commit (the version of
    /// the members who receive it; bus/rosters.rs). The counter UPDATE comes first, so it takes the conversations' row locks
    /// (on SQLite, the database write lock) before anything is read: commit order
    /// equals counter order, and seq has no gaps.
    async fn insert_all(&self, batch: &[NewMessage], which: &[usize]) -> StoreResult<Inserted> {
        if which.is_empty() {
            return Ok(Inserted::Stored(Vec::new()));
        }
        // Messages per conversation, conversations in order of first appearance.
        let mut counts: Vec<(ConversationId, i64)> = Vec::new();
        for &i in which {
            let c = batch[i].conversation_id;
            match counts.iter_mut().find(|(id, _)| *id == c) {
                Some((_, n)) => *n += 1,
                None => counts.push((c, 1)),
            }
        }
        let latest = which.iter().map(|&i| batch[i].created_at).max();
        let mut tx = self.pool.begin().await?;
        // CASE picks each row's share by comparing ids, so a statement costs
        // conversations²: a few dozen per statement keeps that small.
        for part in counts.chunks(32) {
            let case = vec!["WHEN ? THEN ?"; part.len()].join(" ");
            let update = format!(
                "UPDATE conversations SET last_seq = last_seq + CASE id {case} END, \
                 last_ev = last_ev + CASE id {case} END, last_activity_at = ? WHERE id IN ({})",
                placeholders(part.len())
            );
            let update = self.sql(&update);
            let mut q = sqlx::query(&update);
            for _ in 0..2 {
                for (id, n) in part {
                    q = q.bind(id.to_string()).bind(*n);
                }
            }
            q = q.bind(latest.map(|t| t.millis()).unwrap_or_default());
            for (id, _) in part {
                q = q.bind(id.to_string());
            }
            if affected(q.execute(&mut *tx).await?) != part.len() as u64 {
                return Err(StoreError::NotFound);
            }
        }
        let read = format!(
            "SELECT id, last_seq, last_ev, meta_ev FROM conversations WHERE id IN ({})",
            placeholders(counts.len())
        );
        let read = self.sql(&read);
        let mut q = sqlx::query(&read);
        for (id, _) in &counts {
            q = q.bind(id.to_string());
        }
        // Next (seq, ev) to hand out per conversation: the new counters minus the
        // batch's share.
        let share: HashMap<ConversationId, i64> = counts.iter().copied().collect();
        let mut next: HashMap<ConversationId, (i64, i64)> = HashMap::new();
        let mut metas: HashMap<ConversationId, i64> = HashMap::new();
        for row in q.fetch_all(&mut *tx).await? {
            let id: ConversationId = rows::parse(&row, "id")?;
            let n = share.get(&id).copied().unwrap_or(0);
            let (seq, ev): (i64, i64) = (row.try_get("last_seq")?, row.try_get("last_ev")?);
            next.insert(id, (seq - n + 1, ev - n + 1));
            metas.insert(id, row.try_get("meta_ev")?);
        }
        let outsiders = self.outsiders(&mut tx, batch, which, &metas).await?;
        if !outsiders.is_empty() {
            tx.rollback().await?;
            return Ok(Inserted::Outsiders(outsiders));
        }
        let mut stored = Vec::with_capacity(which.len());
        for &i in which {
            let m = &batch[i];
            let slot = next
                .get_mut(&m.conversation_id)
                .ok_or(StoreError::NotFound)?;
            let (seq, ev) = *slot;
            *slot = (seq + 1, ev + 1);
            stored.push(Message {
                id: m.id,
                conversation_id: m.conversation_id,
                seq,
                ev,
                created_ev: ev,
                sender_id: m.sender_id,
                client_msg_id: m.client_msg_id.clone(),
                kind: m.kind,
                body: m.body.clone(),
                reply_to: m.reply_to,
                created_at: m.created_at,
                edited_at: None,
                deleted_at: None,
                attachments: m.attachments.clone(),
                reactions: Vec::new(),
            });
        }
        for chunk in stored.chunks(CHUNK) {
            let values =
                vec!["(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, NULL, NULL, ?)"; chunk.len()].join(", ");
            let sql = format!(
                "INSERT INTO messages (id, conversation_id, seq, ev, created_ev, sender_id, \
                 client_msg_id, kind, body, reply_to, created_at, edited_at, deleted_at, attachments) \
                 VALUES {values}"
            );
            let sql = self.sql(&sql);
            let mut q = sqlx::query(&sql);
            for m in chunk {
                q = q
                    .bind(m.id.to_string())
                    .bind(m.conversation_id.to_string())
                    .bind(m.seq)
                    .bind(m.ev)
                    .bind(m.created_ev)
                    .bind(m.sender_id.to_string())
                    .bind(m.client_msg_id.clone())
                    .bind(m.kind.as_str())
                    .bind(m.body.clone())
                    .bind(m.reply_to.map(|r| r.to_string()))
                    .bind(m.created_at.millis())
                    .bind(attachments_json(&m.attachments)?);
            }
            q.execute(&mut *tx).await?;
        }
        for m in stored.iter().filter(|m| !m.attachments.is_empty()) {
            let ids = m.attachments.iter().map(|a| a.id);
            self.attach_uploads(&mut tx, m.id, m.conversation_id, m.sender_id, ids)
                .await?;
        }
        tx.commit().await?;
        Ok(Inserted::Stored(
            stored
                .into_iter()
                .map(|m| {
                    let meta_ev = metas.get(&m.conversation_id).copied().unwrap_or_default();
                    (m, meta_ev)
                })
                .collect(),
        ))
    }

    /// The (conversation, sender) pairs of `batch[which]` whose sender is not an
    /// active member. Read inside the batch's transaction after its counter
    /// UPDATE has locked the conversations, so a removal either committed before
    /// (and is seen) or waits for this commit (and the message came first).
    /// Every membership change moves the conversation's `meta_ev`, so a send
    /// checked against the roster of the `meta_ev` still current (`metas`, read
    /// under the same lock) needs no second look: the usual case costs nothing.
    async fn outsiders(
        &self,
        tx: &mut Tx<'_>,
        batch: &[NewMessage],
        which: &[usize],
        metas: &HashMap<ConversationId, i64>,
    ) -> StoreResult<Vec<Pair>> {
        let mut pairs: Vec<Pair> = which
            .iter()
            .map(|&i| &batch[i])
            .filter(|m| {
                m.checked_at_meta_ev.is_none()
                    || m.checked_at_meta_ev != metas.get(&m.conversation_id).copied()
            })
            .map(pair)
            .collect();
        if pairs.is_empty() {
            return Ok(pairs);
        }
        pairs.sort_unstable();
        pairs.dedup();
        let mut members: HashSet<Pair> = HashSet::with_capacity(pairs.len());
        for chunk in pairs.chunks(CHUNK) {
            let any = vec!["(conversation_id = ? AND user_id = ?)"; chunk.len()].join(" OR ");
            let sql = format!(
                "SELECT conversation_id, user_id FROM members WHERE left_at IS NULL AND ({any})"
            );
            let sql = self.sql(&sql);
            let mut q = sqlx::query(&sql);
            for (c, u) in chunk {
                q = q.bind(c.to_string()).bind(u.to_string());
            }
            for row in q.fetch_all(&mut **tx).await? {
                members.insert((
                    rows::parse(&row, "conversation_id")?,
                    rows::parse(&row, "user_id")?,
                ));
            }
        }
        pairs.retain(|p| !members.contains(p));
        Ok(pairs)
    }
}

/// What a batch's transaction did: stored the messages, or found senders who are
/// not members of the conversation and stored nothing.
enum Inserted {
    Stored(Vec<(Message, i64)>),
    Outsiders(Vec<Pair>),
}

type Pair = (ConversationId, UserId);

fn pair(m: &NewMessage) -> Pair {
    (m.conversation_id, m.sender_id)
}

/// A message's attachments as stored: NULL for none (most messages).
fn attachments_json(a: &[crate::domain::Attachment]) -> StoreResult<Option<String>> {
    if a.is_empty() {
        return Ok(None);
    }
    serde_json::to_string(a)
        .map(Some)
        .map_err(|e| StoreError::Other(e.into()))
}
