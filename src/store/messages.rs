use super::{affected, rows, Store, StoreError, StoreResult};
use crate::domain::{ConversationId, Message, MessageId, MessageKind, Timestamp, UserId};

/// A message to store. The store assigns `seq` and `ev`.
#[derive(Debug, Clone)]
pub struct NewMessage {
    pub id: MessageId,
    pub conversation_id: ConversationId,
    pub sender_id: UserId,
    pub client_msg_id: String,
    pub kind: MessageKind,
    pub body: String,
    pub reply_to: Option<MessageId>,
    pub created_at: Timestamp,
}

/// The stored message, and whether this call created it (false: an earlier send
/// with the same client_msg_id already had).
#[derive(Debug, Clone)]
pub struct Appended {
    pub message: Message,
    pub created: bool,
}

/// A change to an existing message.
#[derive(Debug, Clone)]
pub enum MessageChange {
    Edit(String),
    Delete,
    Restore,
}

impl Store {
    pub async fn message(&self, id: MessageId) -> StoreResult<Option<Message>> {
        let sql = format!(
            "SELECT {} FROM messages m WHERE m.id = ?",
            rows::MESSAGE_COLUMNS
        );
        let row = sqlx::query(&self.sql(&sql))
            .bind(id.to_string())
            .fetch_optional(&self.pool)
            .await?;
        Ok(row.as_ref().map(rows::message).transpose()?)
    }

    async fn by_client_id(
        &self,
        sender: UserId,
        client_msg_id: &str,
    ) -> StoreResult<Option<Message>> {
        let sql = format!(
            "SELECT {} FROM messages m WHERE m.sender_id = ? AND m.client_msg_id = ?",
            rows::MESSAGE_COLUMNS
        );
        let row = sqlx::query(&self.sql(&sql))
            .bind(sender.to_string())
            .bind(client_msg_id.to_owned())
            .fetch_optional(&self.pool)
            .await?;
        Ok(row.as_ref().map(rows::message).transpose()?)
    }

    /// Stores a batch of messages in one transaction (group commit: one fsync for
    /// the batch). Sends whose client_msg_id is already stored return the stored
    /// message. If the batch transaction fails (a concurrent duplicate from another
    /// node, a deadlock), each message is retried in its own transaction, so one bad
    /// send never fails the others.
    pub async fn append_messages(&self, batch: &[NewMessage]) -> Vec<StoreResult<Appended>> {
        let mut out: Vec<Option<StoreResult<Appended>>> = (0..batch.len()).map(|_| None).collect();
        let mut fresh = Vec::new();
        for (i, m) in batch.iter().enumerate() {
            match self.by_client_id(m.sender_id, &m.client_msg_id).await {
                Ok(Some(existing)) => {
                    out[i] = Some(Ok(Appended {
                        message: existing,
                        created: false,
                    }))
                }
                Ok(None) => {
                    // A duplicate inside the batch itself resolves to the first one.
                    let first = fresh.iter().position(|&j: &usize| {
                        batch[j].sender_id == m.sender_id
                            && batch[j].client_msg_id == m.client_msg_id
                    });
                    match first {
                        Some(_) => {}
                        None => fresh.push(i),
                    }
                }
                Err(e) => out[i] = Some(Err(e)),
            }
        }
        match self.insert_all(batch, &fresh).await {
            Ok(stored) => {
                for (i, msg) in fresh.iter().zip(stored) {
                    out[*i] = Some(Ok(Appended {
                        message: msg,
                        created: true,
                    }));
                }
            }
            Err(e) => {
                tracing::debug!(error = %e, "batch insert failed; retrying one by one");
                for &i in &fresh {
                    out[i] = Some(self.append_one(&batch[i]).await);
                }
            }
        }
        // Fill in-batch duplicates from their first occurrence.
        for (i, m) in batch.iter().enumerate() {
            if out[i].is_none() {
                let first = batch
                    .iter()
                    .position(|o| o.sender_id == m.sender_id && o.client_msg_id == m.client_msg_id);
                out[i] = match first.and_then(|j| out[j].as_ref()) {
                    Some(Ok(a)) => Some(Ok(Appended {
                        message: a.message.clone(),
                        created: false,
                    })),
                    _ => Some(self.append_one(m).await),
                };
            }
        }
        out.into_iter()
            .map(|r| r.expect("every slot filled"))
            .collect()
    }

    async fn append_one(&self, m: &NewMessage) -> StoreResult<Appended> {
        for _ in 0..3 {
            if let Some(existing) = self.by_client_id(m.sender_id, &m.client_msg_id).await? {
                return Ok(Appended {
                    message: existing,
                    created: false,
                });
            }
            match self.insert_all(std::slice::from_ref(m), &[0]).await {
                Ok(mut v) => {
                    return Ok(Appended {
                        message: v.remove(0),
                        created: true,
                    })
                }
                Err(StoreError::Conflict("client_msg_id")) => continue,
                Err(e) => return Err(e),
            }
        }
        Err(StoreError::Conflict("client_msg_id"))
    }

    async fn insert_all(&self, batch: &[NewMessage], which: &[usize]) -> StoreResult<Vec<Message>> {
        if which.is_empty() {
            return Ok(Vec::new());
        }
        let mut tx = self.pool.begin().await?;
        let sql = self.sql(
            "INSERT INTO messages (id, conversation_id, seq, ev, created_ev, sender_id, client_msg_id, \
             kind, body, reply_to, created_at, edited_at, deleted_at) \
             VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, NULL, NULL)",
        );
        let mut stored = Vec::with_capacity(which.len());
        for &i in which {
            let m = &batch[i];
            let (seq, ev) = self
                .bump(&mut tx, m.conversation_id, true, m.created_at)
                .await?;
            sqlx::query(&sql)
                .bind(m.id.to_string())
                .bind(m.conversation_id.to_string())
                .bind(seq)
                .bind(ev)
                .bind(ev)
                .bind(m.sender_id.to_string())
                .bind(m.client_msg_id.clone())
                .bind(m.kind.as_str())
                .bind(m.body.clone())
                .bind(m.reply_to.map(|r| r.to_string()))
                .bind(m.created_at.millis())
                .execute(&mut *tx)
                .await?;
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
            });
        }
        tx.commit().await?;
        Ok(stored)
    }

    /// Applies `change` to a message of `conversation`. `None` when the message is
    /// not in a state the change applies to (editing a deleted message, restoring a
    /// live one): the caller reports that as a conflict.
    pub async fn change_message(
        &self,
        conversation: ConversationId,
        id: MessageId,
        change: MessageChange,
        now: Timestamp,
    ) -> StoreResult<Option<Message>> {
        let mut tx = self.pool.begin().await?;
        let (_, ev) = self.bump(&mut tx, conversation, false, now).await?;
        let (sql, body) = match &change {
            MessageChange::Edit(b) => (
                "UPDATE messages SET body = ?, edited_at = ?, ev = ? WHERE id = ? AND conversation_id = ? \
                 AND deleted_at IS NULL",
                Some(b.clone()),
            ),
            MessageChange::Delete => (
                "UPDATE messages SET deleted_at = ?, ev = ? WHERE id = ? AND conversation_id = ? \
                 AND deleted_at IS NULL",
                None,
            ),
            MessageChange::Restore => (
                "UPDATE messages SET deleted_at = NULL, ev = ? WHERE id = ? AND conversation_id = ? \
                 AND deleted_at IS NOT NULL",
                None,
            ),
        };
        let sql = self.sql(sql);
        let mut q = sqlx::query(&sql);
        if let Some(b) = body {
            q = q.bind(b);
        }
        if !matches!(change, MessageChange::Restore) {
            q = q.bind(now.millis());
        }
        let n = affected(
            q.bind(ev)
                .bind(id.to_string())
                .bind(conversation.to_string())
                .execute(&mut *tx)
                .await?,
        );
        if n == 0 {
            tx.rollback().await?;
            return Ok(None);
        }
        let read = format!(
            "SELECT {} FROM messages m WHERE m.id = ?",
            rows::MESSAGE_COLUMNS
        );
        let row = sqlx::query(&self.sql(&read))
            .bind(id.to_string())
            .fetch_one(&mut *tx)
            .await?;
        let message = rows::message(&row)?;
        tx.commit().await?;
        Ok(Some(message))
    }

    /// Messages with seq in `(after, before)`, at most `limit`, never past
    /// `max_seq`, in ascending seq order. With `after` set the page starts right
    /// after it; otherwise it ends right before `before` (or at the newest).
    pub async fn messages_page(
        &self,
        conversation: ConversationId,
        before: Option<i64>,
        after: Option<i64>,
        max_seq: i64,
        limit: u32,
    ) -> StoreResult<Vec<Message>> {
        let ascending = after.is_some();
        let sql = format!(
            "SELECT {} FROM messages m WHERE m.conversation_id = ? AND m.seq > ? AND m.seq < ? \
             AND m.seq <= ? ORDER BY m.seq {} LIMIT ?",
            rows::MESSAGE_COLUMNS,
            if ascending { "ASC" } else { "DESC" }
        );
        let rows = sqlx::query(&self.sql(&sql))
            .bind(conversation.to_string())
            .bind(after.unwrap_or(0))
            .bind(before.unwrap_or(i64::MAX))
            .bind(max_seq)
            .bind(i64::from(limit))
            .fetch_all(&self.pool)
            .await?;
        let mut msgs: Vec<Message> = rows.iter().map(rows::message).collect::<Result<_, _>>()?;
        if !ascending {
            msgs.reverse();
        }
        Ok(msgs)
    }

    /// Messages of `conversation` changed (created, edited, deleted, restored) after
    /// `after_ev`, in ev order, at most `limit`, none past `max_seq`.
    pub async fn messages_changed_since(
        &self,
        conversation: ConversationId,
        after_ev: i64,
        max_seq: i64,
        limit: u32,
    ) -> StoreResult<Vec<Message>> {
        let sql = format!(
            "SELECT {} FROM messages m WHERE m.conversation_id = ? AND m.ev > ? AND m.seq <= ? \
             ORDER BY m.ev LIMIT ?",
            rows::MESSAGE_COLUMNS
        );
        let rows = sqlx::query(&self.sql(&sql))
            .bind(conversation.to_string())
            .bind(after_ev)
            .bind(max_seq)
            .bind(i64::from(limit))
            .fetch_all(&self.pool)
            .await?;
        Ok(rows.iter().map(rows::message).collect::<Result<_, _>>()?)
    }

    /// The newest message of each conversation in `ids`, for list previews.
    pub async fn last_messages(&self, ids: &[ConversationId]) -> StoreResult<Vec<Message>> {
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        let sql = format!(
            "SELECT {} FROM messages m JOIN conversations c ON c.id = m.conversation_id \
             AND m.seq = c.last_seq WHERE c.id IN ({})",
            rows::MESSAGE_COLUMNS,
            super::placeholders(ids.len())
        );
        let sql = self.sql(&sql);
        let mut q = sqlx::query(&sql);
        for id in ids {
            q = q.bind(id.to_string());
        }
        let rows = q.fetch_all(&self.pool).await?;
        Ok(rows.iter().map(rows::message).collect::<Result<_, _>>()?)
    }
}
