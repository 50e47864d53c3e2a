//! What a user missed while away, for the digest mail; when they went away; and
//! per-member mute. The digest query starts from conversations active in the
//! look-back window (indexed), so its cost follows recent traffic, not the
//! size of the message table.

use sqlx::Row;

use super::{affected, outbox::NewMail, Store, StoreResult};
use crate::domain::{ConversationId, Timestamp, UserId};

/// Unread messages of one sender in one conversation for one away user.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Missed {
    pub user_id: UserId,
    pub conversation_id: ConversationId,
    pub sender_id: UserId,
    pub count: i64,
    /// The newest of them (for the body, where the operator allows bodies).
    pub last_seq: i64,
}

/// The digest query's bounds.
#[derive(Clone, Copy, Debug)]
pub struct DigestWindow {
    pub now: Timestamp,
    /// Users away since before this.
    pub away_before: Timestamp,
    /// Users whose last digest was before this (or who never had one).
    pub digest_before: Timestamp,
    /// Conversations active since this.
    pub active_since: Timestamp,
}

impl Store {
    /// Unread messages from others, not deleted, in conversations not muted, that
    /// arrived after the user went away and after their last digest, for users
    /// with a confirmed address and digests on, away long enough, not mailed
    /// within the interval. Direct conversations and mentions for `mentions`,
    /// every conversation for `all`.
    pub async fn missed_messages(&self, w: DigestWindow) -> StoreResult<Vec<Missed>> {
        let sql = self.sql(
            "SELECT mb.user_id AS user_id, m.conversation_id AS conversation_id, \
             m.sender_id AS sender_id, COUNT(*) AS n, MAX(m.seq) AS last_seq \
             FROM conversations c \
             JOIN members mb ON mb.conversation_id = c.id AND mb.left_at IS NULL \
               AND mb.last_read_seq < c.last_seq \
               AND (mb.muted_until IS NULL OR mb.muted_until < ?) \
             JOIN users u ON u.id = mb.user_id \
             JOIN messages m ON m.conversation_id = c.id AND m.seq > mb.last_read_seq \
             WHERE c.last_activity_at > ? \
               AND u.deactivated_at IS NULL AND u.email IS NOT NULL \
               AND u.email_verified_at IS NOT NULL AND u.email_notify <> 'off' \
               AND u.away_since IS NOT NULL AND u.away_since < ? \
               AND (u.last_digest_at IS NULL OR u.last_digest_at < ?) \
               AND m.sender_id <> mb.user_id AND m.kind = 'text' AND m.deleted_at IS NULL \
               AND m.created_at > u.away_since \
               AND (u.last_digest_at IS NULL OR m.created_at > u.last_digest_at) \
               AND (u.email_notify = 'all' OR c.kind = 'direct' OR EXISTS ( \
                 SELECT 1 FROM notifications nt WHERE nt.user_id = mb.user_id \
                 AND nt.message_id = m.id AND nt.kind = 'mention')) \
             GROUP BY mb.user_id, m.conversation_id, m.sender_id",
        );
        let rows = sqlx::query(&sql)
            .bind(w.now.millis())
            .bind(w.active_since.millis())
            .bind(w.away_before.millis())
            .bind(w.digest_before.millis())
            .fetch_all(&self.pool)
            .await?;
        rows.iter()
            .map(|r| {
                Ok(Missed {
                    user_id: super::rows::parse(r, "user_id")?,
                    conversation_id: super::rows::parse(r, "conversation_id")?,
                    sender_id: super::rows::parse(r, "sender_id")?,
                    count: r.try_get("n")?,
                    last_seq: r.try_get("last_seq")?,
                })
            })
            .collect()
    }

    /// Records a digest for `user` and queues its mail, unless one was recorded
    /// after `digest_before` meanwhile (another node, an earlier pass): false.
    pub async fn record_digest(
        &self,
        user: UserId,
        digest_before: Timestamp,
        mail: &NewMail,
        now: Timestamp,
    ) -> StoreResult<bool> {
        let mut tx = self.pool.begin().await?;
        let sql = self.sql(
            "UPDATE users SET last_digest_at = ? WHERE id = ? \
             AND (last_digest_at IS NULL OR last_digest_at < ?)",
        );
        let r = sqlx::query(&sql)
            .bind(now.millis())
            .bind(user.to_string())
            .bind(digest_before.millis())
            .execute(&mut *tx)
            .await?;
        if affected(r) == 0 {
            return Ok(false);
        }
        self.enqueue_mail_in(&mut tx, mail, now).await?;
        tx.commit().await?;
        Ok(true)
    }

    /// Mutes a conversation for its member until `until` (None: unmuted).
    /// False when the user is not a current member.
    pub async fn set_muted(
        &self,
        conversation: ConversationId,
        user: UserId,
        until: Option<Timestamp>,
    ) -> StoreResult<bool> {
        let sql = self.sql(
            "UPDATE members SET muted_until = ? WHERE conversation_id = ? AND user_id = ? \
             AND left_at IS NULL",
        );
        let r = sqlx::query(&sql)
            .bind(until.map(Timestamp::millis))
            .bind(conversation.to_string())
            .bind(user.to_string())
            .execute(&self.pool)
            .await?;
        Ok(affected(r) == 1)
    }

    /// The bodies of these messages, by (conversation, seq).
    pub async fn message_bodies(
        &self,
        keys: &[(ConversationId, i64)],
    ) -> StoreResult<Vec<(ConversationId, i64, String)>> {
        let mut out = Vec::with_capacity(keys.len());
        let sql = self.sql(
            "SELECT body FROM messages WHERE conversation_id = ? AND seq = ? AND deleted_at IS NULL",
        );
        for (c, seq) in keys {
            let row = sqlx::query(&sql)
                .bind(c.to_string())
                .bind(*seq)
                .fetch_optional(&self.pool)
                .await?;
            if let Some(r) = row {
                out.push((*c, *seq, r.try_get("body")?));
            }
        }
        Ok(out)
    }
}
