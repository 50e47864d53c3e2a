use super::{affected, rows, Store, StoreError, StoreResult};
use crate::domain::{
    ConversationId, FriendRequestId, MessageId, Notification, NotificationId, NotificationKind,
    Timestamp, UserId,
};

/// A notification to store; the store numbers it in the user's stream.
pub struct NewNotification {
    pub user_id: UserId,
    pub kind: NotificationKind,
    pub actor_id: UserId,
    pub conversation_id: Option<ConversationId>,
    pub message_id: Option<MessageId>,
    pub request_id: Option<FriendRequestId>,
    pub created_at: Timestamp,
}

impl Store {
    /// Stores a notification as the next in its user's stream. The counter is
    /// advanced first, under the user's row lock, so seqs have no gaps and commit
    /// in order.
    pub async fn insert_notification(&self, n: NewNotification) -> StoreResult<Notification> {
        let mut tx = self.pool.begin().await?;
        let bump = self.sql("UPDATE users SET inbox_seq = inbox_seq + 1 WHERE id = ?");
        sqlx::query(&bump)
            .bind(n.user_id.to_string())
            .execute(&mut *tx)
            .await?;
        let row = sqlx::query(&self.sql("SELECT inbox_seq FROM users WHERE id = ?"))
            .bind(n.user_id.to_string())
            .fetch_one(&mut *tx)
            .await?;
        let seq: i64 = sqlx::Row::try_get(&row, "inbox_seq")?;
        let stored = Notification {
            id: NotificationId::new(),
            user_id: n.user_id,
            seq,
            kind: n.kind,
            actor_id: n.actor_id,
            conversation_id: n.conversation_id,
            message_id: n.message_id,
            request_id: n.request_id,
            created_at: n.created_at,
            read_at: None,
        };
        let sql = self.sql(
            "INSERT INTO notifications (id, user_id, seq, kind, actor_id, conversation_id, message_id, request_id, \
             created_at, read_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, NULL)",
        );
        sqlx::query(&sql)
            .bind(stored.id.to_string())
            .bind(stored.user_id.to_string())
            .bind(seq)
            .bind(stored.kind.as_str())
            .bind(stored.actor_id.to_string())
            .bind(stored.conversation_id.map(|c| c.to_string()))
            .bind(stored.message_id.map(|m| m.to_string()))
            .bind(stored.request_id.map(|r| r.to_string()))
            .bind(stored.created_at.millis())
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(stored)
    }

    /// The user's notifications, newest first, before `before_seq`.
    pub async fn notifications(
        &self,
        user: UserId,
        before_seq: Option<i64>,
        limit: u32,
    ) -> StoreResult<Vec<Notification>> {
        let sql = format!(
            "SELECT {} FROM notifications n WHERE n.user_id = ? AND n.seq < ? ORDER BY n.seq DESC LIMIT ?",
            rows::NOTIFICATION_COLUMNS
        );
        let rows = sqlx::query(&self.sql(&sql))
            .bind(user.to_string())
            .bind(before_seq.unwrap_or(i64::MAX))
            .bind(i64::from(limit))
            .fetch_all(&self.pool)
            .await?;
        Ok(rows
            .iter()
            .map(rows::notification)
            .collect::<Result<_, _>>()?)
    }

    /// The user's notifications after `after_seq`, oldest first (resume).
    pub async fn notifications_after(
        &self,
        user: UserId,
        after_seq: i64,
        limit: u32,
    ) -> StoreResult<Vec<Notification>> {
        let sql = format!(
            "SELECT {} FROM notifications n WHERE n.user_id = ? AND n.seq > ? ORDER BY n.seq LIMIT ?",
            rows::NOTIFICATION_COLUMNS
        );
        let rows = sqlx::query(&self.sql(&sql))
            .bind(user.to_string())
            .bind(after_seq)
            .bind(i64::from(limit))
            .fetch_all(&self.pool)
            .await?;
        Ok(rows
            .iter()
            .map(rows::notification)
            .collect::<Result<_, _>>()?)
    }

    /// Where `user`'s inbox stands: asked by every resume that brings no
    /// inbox position, batched with the others (batched.rs).
    pub async fn inbox_seq(&self, user: UserId) -> StoreResult<i64> {
        self.batches
            .inbox_seqs
            .get(self, user)
            .await?
            .ok_or(StoreError::NotFound)
    }

    pub async fn unread_notifications(&self, user: UserId) -> StoreResult<i64> {
        let sql = self
            .sql("SELECT COUNT(*) AS n FROM notifications WHERE user_id = ? AND read_at IS NULL");
        let row = sqlx::query(&sql)
            .bind(user.to_string())
            .fetch_one(&self.pool)
            .await?;
        Ok(sqlx::Row::try_get(&row, "n")?)
    }

    /// Marks one of `user`'s notifications read; false if it is not theirs.
    pub async fn read_notification(
        &self,
        user: UserId,
        id: NotificationId,
        now: Timestamp,
    ) -> StoreResult<bool> {
        let exists = sqlx::query(
            &self.sql("SELECT COUNT(*) AS n FROM notifications WHERE id = ? AND user_id = ?"),
        )
        .bind(id.to_string())
        .bind(user.to_string())
        .fetch_one(&self.pool)
        .await?;
        if sqlx::Row::try_get::<i64, _>(&exists, "n")? == 0 {
            return Ok(false);
        }
        let sql = self.sql(
            "UPDATE notifications SET read_at = ? WHERE id = ? AND user_id = ? AND read_at IS NULL",
        );
        sqlx::query(&sql)
            .bind(now.millis())
            .bind(id.to_string())
            .bind(user.to_string())
            .execute(&self.pool)
            .await?;
        Ok(true)
    }

    pub async fn read_all_notifications(&self, user: UserId, now: Timestamp) -> StoreResult<u64> {
        let sql =
            self.sql("UPDATE notifications SET read_at = ? WHERE user_id = ? AND read_at IS NULL");
        Ok(affected(
            sqlx::query(&sql)
                .bind(now.millis())
                .bind(user.to_string())
                .execute(&self.pool)
                .await?,
        ))
    }

    pub async fn delete_notification(&self, user: UserId, id: NotificationId) -> StoreResult<bool> {
        let sql = self.sql("DELETE FROM notifications WHERE id = ? AND user_id = ?");
        Ok(affected(
            sqlx::query(&sql)
                .bind(id.to_string())
                .bind(user.to_string())
                .execute(&self.pool)
                .await?,
        ) > 0)
    }
}
