use std::sync::LazyLock;

use super::{affected, rows, Store, StoreResult};
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
    /// Uploads the message takes (checked by the caller; taken in the same
    /// transaction, or the send fails).
    pub attachments: Vec<crate::domain::Attachment>,
    /// The conversation's `meta_ev` in the roster the sender was checked
    /// against. The commit reads the members again only when it has moved
    /// since (a membership changed); `None`: always.
    pub checked_at_meta_ev: Option<i64>,
}

/// The stored message, and whether this call created it (false: an earlier send
/// with the same client_msg_id already had).
#[derive(Debug, Clone)]
pub struct Appended {
    pub message: Message,
    pub created: bool,
    /// When created: the conversation's meta_ev at the commit, i.e. which
    /// members' version receives it (bus/rosters.rs). 0 for a resend.
    pub meta_ev: i64,
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
        Ok(match row {
            Some(row) => self.messages_from(&[row]).await?.pop(),
            None => None,
        })
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
        let message = self.messages_in(&mut tx, &[row]).await?.pop();
        tx.commit().await?;
        Ok(message)
    }

    /// A page of `conversation` as `reader` may see it: seq in `(after, before)`,
    /// at most `limit`, in ascending seq order; with `after` set the page starts
    /// right after it, otherwise it ends right before `before` (or at the newest).
    /// The reader's membership bounds the page in the same statement (a former
    /// member reads up to leaving; for a stranger the bound is NULL and nothing
    /// matches), so a page is one query, not a membership read and then a page
    /// read. An empty page does not say which: the caller asks then.
    pub async fn messages_page(
        &self,
        conversation: ConversationId,
        reader: UserId,
        before: Option<i64>,
        after: Option<i64>,
        limit: u32,
    ) -> StoreResult<Vec<Message>> {
        let ascending = after.is_some();
        let (low, high) = page_range(before, after, limit);
        let sql = page_sql(ascending);
        let conversation = conversation.to_string();
        #[cfg(feature = "sqlite")]
        if let Some(native) = &self.native {
            let mut msgs = native.messages(
                sql,
                rusqlite::params![
                    conversation,
                    low,
                    high,
                    i64::MAX,
                    conversation,
                    reader.to_string(),
                    i64::from(limit)
                ],
            )?;
            if !ascending {
                msgs.reverse();
            }
            return Ok(msgs);
        }
        let rows = sqlx::query(&self.sql(sql))
            .bind(conversation.clone())
            .bind(low)
            .bind(high)
            .bind(i64::MAX)
            .bind(conversation)
            .bind(reader.to_string())
            .bind(i64::from(limit))
            .fetch_all(&self.pool)
            .await?;
        let mut msgs = self.messages_from(&rows).await?;
        if !ascending {
            msgs.reverse();
        }
        Ok(msgs)
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

/// A page's exclusive seq bounds. Seqs are gapless, so the page's seqs are known
/// before it is read: the range is bounded on both sides to `limit` seqs. Given
/// only one side, MariaDB's planner estimated half of a 10 M conversation and
/// sorted it (23 s a page, BENCHMARKS.md history); every planner now sees `limit`
/// rows.
fn page_range(before: Option<i64>, after: Option<i64>, limit: u32) -> (i64, i64) {
    let span = i64::from(limit).saturating_add(1);
    match (after, before) {
        (Some(a), b) => (a, b.unwrap_or(i64::MAX).min(a.saturating_add(span))),
        (None, Some(b)) => (b.saturating_sub(span).max(0), b),
        (None, None) => (0, i64::MAX),
    }
}

/// A page's statement. The membership bound is a scalar subquery, evaluated
/// once: a constant upper end for the range scan on (conversation_id, seq).
/// Parameters: conversation, low, high, i64::MAX, conversation, reader, limit.
fn page_sql(ascending: bool) -> &'static str {
    static ASC: LazyLock<String> = LazyLock::new(|| page_statement(true));
    static DESC: LazyLock<String> = LazyLock::new(|| page_statement(false));
    if ascending {
        &ASC
    } else {
        &DESC
    }
}

fn page_statement(ascending: bool) -> String {
    format!(
        "SELECT {} FROM messages m WHERE m.conversation_id = ? AND m.seq > ? AND m.seq < ? \
         AND m.seq <= (SELECT COALESCE(mb.left_seq, ?) FROM members mb \
         WHERE mb.conversation_id = ? AND mb.user_id = ?) \
         ORDER BY m.seq {} LIMIT ?",
        rows::MESSAGE_COLUMNS,
        if ascending { "ASC" } else { "DESC" }
    )
}
