use sqlx::Row;

use super::{members::Membership, placeholders, rows, Store, StoreError, StoreResult};
use crate::domain::{
    Conversation, ConversationId, Member, MemberRole, Message, SystemNote, Timestamp, UserId,
};

/// A conversation as its list row needs it, for one member.
pub struct ConversationRow {
    pub conversation: Conversation,
    pub meta_ev: i64,
    pub me: Member,
}

/// How many seqs after a read marker are counted as unread; past them a list
/// says "and more" (the web client shows 1000+) instead of counting on.
pub const UNREAD_WINDOW: i64 = 1000;

/// A member's unread messages in one conversation.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Unread {
    /// From others, not deleted, within `UNREAD_WINDOW` seqs of the read marker.
    pub count: i64,
    /// The conversation has messages past that window.
    pub more: bool,
}

impl Store {
    /// Creates a conversation with its first members. A direct conversation carries
    /// its pair key; a second one for the same pair is `Conflict("direct_conversation")`.
    pub async fn create_conversation(
        &self,
        c: &Conversation,
        direct_key: Option<&str>,
        members: &[(UserId, MemberRole)],
    ) -> StoreResult<()> {
        let mut tx = self.pool.begin().await?;
        let sql = self.sql(
            "INSERT INTO conversations (id, kind, name, direct_key, created_by, created_at, \
             last_seq, last_ev, meta_ev, last_activity_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        );
        sqlx::query(&sql)
            .bind(c.id.to_string())
            .bind(c.kind.as_str())
            .bind(c.name.clone())
            .bind(direct_key.map(str::to_owned))
            .bind(c.created_by.to_string())
            .bind(c.created_at.millis())
            .bind(c.last_seq)
            .bind(c.last_ev)
            .bind(c.last_ev)
            .bind(c.last_activity_at.millis())
            .execute(&mut *tx)
            .await?;
        let sql = self.sql(
            "INSERT INTO members (conversation_id, user_id, role, joined_at, left_at, left_seq, \
             last_read_seq, read_ev) VALUES (?, ?, ?, ?, NULL, NULL, 0, 0)",
        );
        for (user, role) in members {
            sqlx::query(&sql)
                .bind(c.id.to_string())
                .bind(user.to_string())
                .bind(role.as_str())
                .bind(c.created_at.millis())
                .execute(&mut *tx)
                .await?;
        }
        tx.commit().await?;
        Ok(())
    }

    pub async fn direct_conversation(&self, key: &str) -> StoreResult<Option<Conversation>> {
        let sql = format!(
            "SELECT {} FROM conversations c WHERE c.direct_key = ?",
            rows::CONVERSATION_COLUMNS
        );
        let row = sqlx::query(&self.sql(&sql))
            .bind(key.to_owned())
            .fetch_optional(&self.pool)
            .await?;
        Ok(row
            .as_ref()
            .map(rows::conversation)
            .transpose()?
            .map(|(c, _)| c))
    }

    /// The conversation and its meta_ev.
    pub async fn conversation(
        &self,
        id: ConversationId,
    ) -> StoreResult<Option<(Conversation, i64)>> {
        let sql = format!(
            "SELECT {} FROM conversations c WHERE c.id = ?",
            rows::CONVERSATION_COLUMNS
        );
        let row = sqlx::query(&self.sql(&sql))
            .bind(id.to_string())
            .fetch_optional(&self.pool)
            .await?;
        Ok(row.as_ref().map(rows::conversation).transpose()?)
    }

    /// A page of `user`'s current conversations, newest activity first, after the
    /// `(last_activity_at, id)` cursor.
    pub async fn conversations_of(
        &self,
        user: UserId,
        after: Option<(i64, String)>,
        limit: u32,
    ) -> StoreResult<Vec<ConversationRow>> {
        let mut sql = format!(
            "SELECT {}, {} FROM members mb JOIN conversations c ON c.id = mb.conversation_id \
             WHERE mb.user_id = ? AND mb.left_at IS NULL",
            rows::CONVERSATION_COLUMNS,
            rows::MEMBER_COLUMNS
        );
        if after.is_some() {
            sql.push_str(" AND (c.last_activity_at < ? OR (c.last_activity_at = ? AND c.id < ?))");
        }
        sql.push_str(" ORDER BY c.last_activity_at DESC, c.id DESC LIMIT ?");
        let sql = self.sql(&sql);
        let mut q = sqlx::query(&sql).bind(user.to_string());
        if let Some((at, id)) = after {
            q = q.bind(at).bind(at).bind(id);
        }
        let rows = q.bind(i64::from(limit)).fetch_all(&self.pool).await?;
        rows.iter()
            .map(|r| {
                let (conversation, meta_ev) = rows::conversation(r)?;
                Ok(ConversationRow {
                    conversation,
                    meta_ev,
                    me: rows::member(r)?,
                })
            })
            .collect::<Result<_, sqlx::Error>>()
            .map_err(StoreError::from)
    }

    /// Every conversation `user` belongs to now, with its meta_ev and the
    /// membership row, in one query: a resume starts from these (the conversation's
    /// `last_ev` is its position) and replays with them, instead of reading each
    /// membership again.
    pub async fn memberships_of(&self, user: UserId) -> StoreResult<Vec<Membership>> {
        let sql = format!(
            "SELECT {}, {} FROM members mb JOIN conversations c ON c.id = mb.conversation_id \
             WHERE mb.user_id = ? AND mb.left_at IS NULL",
            rows::CONVERSATION_COLUMNS,
            rows::MEMBER_COLUMNS
        );
        // Every resume and conversation list starts here: natively on SQLite.
        #[cfg(feature = "sqlite")]
        if let Some(native) = &self.native {
            return native.rows(&sql, [user.to_string()], |r| {
                super::members::membership_row(r)
            });
        }
        // Elsewhere, a storm of resumes asks it together: one statement.
        self.batches.memberships.get(self, user).await
    }

    /// Unread counts of `user` in `ids`: messages from others, not deleted, among
    /// the `UNREAD_WINDOW` seqs after their read marker and up to what they may
    /// read (a former member: up to when they left), and whether the
    /// conversation goes on past that window. Counting every unread message
    /// read all of them: 31 s on MariaDB for 10 M unread (BENCHMARKS.md history);
    /// the window is one bounded range of (conversation_id, seq) per conversation.
    pub async fn unread_counts(
        &self,
        user: UserId,
        ids: &[ConversationId],
    ) -> StoreResult<Vec<(ConversationId, Unread)>> {
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        let sql = format!(
            "SELECT mb.conversation_id AS cid, mb.last_read_seq AS read_seq, c.last_seq AS last_seq, \
             mb.left_seq AS left_seq, \
             (SELECT COUNT(*) FROM messages m WHERE m.conversation_id = mb.conversation_id \
             AND m.seq > mb.last_read_seq AND m.seq <= mb.last_read_seq + ? \
             AND (mb.left_seq IS NULL OR m.seq <= mb.left_seq) \
             AND m.sender_id <> ? AND m.deleted_at IS NULL) AS n \
             FROM members mb JOIN conversations c ON c.id = mb.conversation_id \
             WHERE mb.user_id = ? AND mb.conversation_id IN ({})",
            placeholders(ids.len())
        );
        let sql = self.sql(&sql);
        let mut q = sqlx::query(&sql)
            .bind(UNREAD_WINDOW)
            .bind(user.to_string())
            .bind(user.to_string());
        for id in ids {
            q = q.bind(id.to_string());
        }
        let rows = q.fetch_all(&self.pool).await?;
        rows.iter()
            .map(|r| {
                let (read, last): (i64, i64) = (r.try_get("read_seq")?, r.try_get("last_seq")?);
                let left: Option<i64> = r.try_get("left_seq")?;
                let last = left.map_or(last, |l| l.min(last));
                let unread = Unread {
                    count: r.try_get("n")?,
                    more: last > read.saturating_add(UNREAD_WINDOW),
                };
                Ok((rows::parse(r, "cid")?, unread))
            })
            .collect::<Result<_, sqlx::Error>>()
            .map_err(StoreError::from)
    }

    /// Renames a conversation; returns the change's ev.
    pub async fn rename_conversation(
        &self,
        id: ConversationId,
        name: &str,
        actor: UserId,
        note: &SystemNote,
        now: Timestamp,
    ) -> StoreResult<(i64, Message)> {
        let mut tx = self.pool.begin().await?;
        let (_, ev) = self.bump(&mut tx, id, false, now).await?;
        let sql = self.sql("UPDATE conversations SET name = ?, meta_ev = ? WHERE id = ?");
        sqlx::query(&sql)
            .bind(name.to_owned())
            .bind(ev)
            .bind(id.to_string())
            .execute(&mut *tx)
            .await?;
        let system = self.append_system(&mut tx, id, actor, note, now).await?;
        tx.commit().await?;
        Ok((ev, system))
    }
}
