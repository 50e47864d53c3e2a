use sqlx::Row;

use super::{affected, placeholders, rows, Store, StoreError, StoreResult};
use crate::domain::{Conversation, ConversationId, Member, MemberRole, Timestamp, User, UserId};

/// A conversation as its list row needs it, for one member.
pub struct ConversationRow {
    pub conversation: Conversation,
    pub meta_ev: i64,
    pub me: Member,
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

    /// The conversation and `user`'s membership row (current or former) in one
    /// query: every send and history read starts here.
    pub async fn membership(
        &self,
        conversation: ConversationId,
        user: UserId,
    ) -> StoreResult<Option<(Conversation, Member)>> {
        let sql = format!(
            "SELECT {}, {} FROM members mb JOIN conversations c ON c.id = mb.conversation_id \
             WHERE mb.conversation_id = ? AND mb.user_id = ?",
            rows::CONVERSATION_COLUMNS,
            rows::MEMBER_COLUMNS
        );
        let row = sqlx::query(&self.sql(&sql))
            .bind(conversation.to_string())
            .bind(user.to_string())
            .fetch_optional(&self.pool)
            .await?;
        match row {
            Some(row) => Ok(Some((rows::conversation(&row)?.0, rows::member(&row)?))),
            None => Ok(None),
        }
    }

    /// `user`'s membership row, current or former.
    pub async fn member(
        &self,
        conversation: ConversationId,
        user: UserId,
    ) -> StoreResult<Option<Member>> {
        let sql = format!(
            "SELECT {} FROM members mb WHERE mb.conversation_id = ? AND mb.user_id = ?",
            rows::MEMBER_COLUMNS
        );
        let row = sqlx::query(&self.sql(&sql))
            .bind(conversation.to_string())
            .bind(user.to_string())
            .fetch_optional(&self.pool)
            .await?;
        Ok(row.as_ref().map(rows::member).transpose()?)
    }

    /// Ids of the current members: the recipients of the conversation's events.
    pub async fn active_member_ids(
        &self,
        conversation: ConversationId,
    ) -> StoreResult<Vec<UserId>> {
        let sql =
            self.sql("SELECT user_id FROM members WHERE conversation_id = ? AND left_at IS NULL");
        let rows = sqlx::query(&sql)
            .bind(conversation.to_string())
            .fetch_all(&self.pool)
            .await?;
        Ok(rows
            .iter()
            .map(|r| rows::parse(r, "user_id"))
            .collect::<Result<_, _>>()?)
    }

    /// Current members of several conversations with their users, for views.
    pub async fn members_with_users(
        &self,
        ids: &[ConversationId],
    ) -> StoreResult<Vec<(Member, User)>> {
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        let sql = format!(
            "SELECT {}, {} FROM members mb JOIN users u ON u.id = mb.user_id \
             WHERE mb.left_at IS NULL AND mb.conversation_id IN ({}) ORDER BY mb.joined_at, u.username_lower",
            rows::MEMBER_COLUMNS,
            rows::USER_COLUMNS,
            placeholders(ids.len())
        );
        let sql = self.sql(&sql);
        let mut q = sqlx::query(&sql);
        for id in ids {
            q = q.bind(id.to_string());
        }
        let rows = q.fetch_all(&self.pool).await?;
        Ok(rows
            .iter()
            .map(|r| Ok((rows::member(r)?, rows::user(r)?)))
            .collect::<Result<_, sqlx::Error>>()?)
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

    /// Every conversation `user` belongs to now, with its current position.
    pub async fn positions_of(&self, user: UserId) -> StoreResult<Vec<(ConversationId, i64)>> {
        let sql = self.sql(
            "SELECT c.id, c.last_ev FROM members mb JOIN conversations c ON c.id = mb.conversation_id \
             WHERE mb.user_id = ? AND mb.left_at IS NULL",
        );
        let rows = sqlx::query(&sql)
            .bind(user.to_string())
            .fetch_all(&self.pool)
            .await?;
        rows.iter()
            .map(|r| Ok((rows::parse(r, "id")?, r.try_get("last_ev")?)))
            .collect::<Result<_, sqlx::Error>>()
            .map_err(StoreError::from)
    }

    /// Unread counts of `user` in `ids`: messages after their read marker, from
    /// others, not deleted.
    pub async fn unread_counts(
        &self,
        user: UserId,
        ids: &[ConversationId],
    ) -> StoreResult<Vec<(ConversationId, i64)>> {
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        let sql = format!(
            "SELECT m.conversation_id AS cid, COUNT(*) AS n FROM messages m \
             JOIN members mb ON mb.conversation_id = m.conversation_id AND mb.user_id = ? \
             WHERE m.conversation_id IN ({}) AND m.seq > mb.last_read_seq AND m.sender_id <> ? \
             AND m.deleted_at IS NULL GROUP BY m.conversation_id",
            placeholders(ids.len())
        );
        let sql = self.sql(&sql);
        let mut q = sqlx::query(&sql).bind(user.to_string());
        for id in ids {
            q = q.bind(id.to_string());
        }
        let rows = q.bind(user.to_string()).fetch_all(&self.pool).await?;
        rows.iter()
            .map(|r| Ok((rows::parse(r, "cid")?, r.try_get("n")?)))
            .collect::<Result<_, sqlx::Error>>()
            .map_err(StoreError::from)
    }

    /// Renames a conversation; returns the change's ev.
    pub async fn rename_conversation(
        &self,
        id: ConversationId,
        name: &str,
        now: Timestamp,
    ) -> StoreResult<i64> {
        let mut tx = self.pool.begin().await?;
        let (_, ev) = self.bump(&mut tx, id, false, now).await?;
        let sql = self.sql("UPDATE conversations SET name = ?, meta_ev = ? WHERE id = ?");
        sqlx::query(&sql)
            .bind(name.to_owned())
            .bind(ev)
            .bind(id.to_string())
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(ev)
    }

    /// Adds `user` (or brings a former member back) with `role`; returns the ev.
    pub async fn add_member(
        &self,
        id: ConversationId,
        user: UserId,
        role: MemberRole,
        now: Timestamp,
    ) -> StoreResult<i64> {
        let mut tx = self.pool.begin().await?;
        let (_, ev) = self.bump(&mut tx, id, false, now).await?;
        let rejoin = self.sql(
            "UPDATE members SET role = ?, joined_at = ?, left_at = NULL, left_seq = NULL \
             WHERE conversation_id = ? AND user_id = ?",
        );
        let updated = affected(
            sqlx::query(&rejoin)
                .bind(role.as_str())
                .bind(now.millis())
                .bind(id.to_string())
                .bind(user.to_string())
                .execute(&mut *tx)
                .await?,
        );
        if updated == 0 {
            let insert = self.sql(
                "INSERT INTO members (conversation_id, user_id, role, joined_at, left_at, left_seq, \
                 last_read_seq, read_ev) VALUES (?, ?, ?, ?, NULL, NULL, 0, 0)",
            );
            sqlx::query(&insert)
                .bind(id.to_string())
                .bind(user.to_string())
                .bind(role.as_str())
                .bind(now.millis())
                .execute(&mut *tx)
                .await?;
        }
        self.set_meta_ev(&mut tx, id, ev).await?;
        tx.commit().await?;
        Ok(ev)
    }

    async fn set_meta_ev(
        &self,
        tx: &mut super::Tx<'_>,
        id: ConversationId,
        ev: i64,
    ) -> StoreResult<()> {
        let sql = self.sql("UPDATE conversations SET meta_ev = ? WHERE id = ?");
        sqlx::query(&sql)
            .bind(ev)
            .bind(id.to_string())
            .execute(&mut **tx)
            .await?;
        Ok(())
    }

    /// Ends `user`'s membership, keeping what they could see (up to the current
    /// seq). `promote` becomes owner in the same change (an owner leaving).
    pub async fn remove_member(
        &self,
        id: ConversationId,
        user: UserId,
        promote: Option<UserId>,
        now: Timestamp,
    ) -> StoreResult<i64> {
        let mut tx = self.pool.begin().await?;
        let (seq, ev) = self.bump(&mut tx, id, false, now).await?;
        let sql = self.sql(
            "UPDATE members SET left_at = ?, left_seq = ? WHERE conversation_id = ? AND user_id = ? \
             AND left_at IS NULL",
        );
        let n = affected(
            sqlx::query(&sql)
                .bind(now.millis())
                .bind(seq)
                .bind(id.to_string())
                .bind(user.to_string())
                .execute(&mut *tx)
                .await?,
        );
        if n == 0 {
            return Err(StoreError::NotFound);
        }
        if let Some(p) = promote {
            let sql =
                self.sql("UPDATE members SET role = ? WHERE conversation_id = ? AND user_id = ?");
            sqlx::query(&sql)
                .bind(MemberRole::Owner.as_str())
                .bind(id.to_string())
                .bind(p.to_string())
                .execute(&mut *tx)
                .await?;
        }
        self.set_meta_ev(&mut tx, id, ev).await?;
        tx.commit().await?;
        Ok(ev)
    }

    /// Moves `user`'s read marker forward to `seq` (capped at the newest message).
    /// `None` when it would not move: markers never go back.
    pub async fn mark_read(
        &self,
        id: ConversationId,
        user: UserId,
        seq: i64,
        now: Timestamp,
    ) -> StoreResult<Option<(i64, i64)>> {
        let mut tx = self.pool.begin().await?;
        let (last_seq, ev) = self.bump(&mut tx, id, false, now).await?;
        let target = seq.min(last_seq);
        let sql = self.sql(
            "UPDATE members SET last_read_seq = ?, read_ev = ? WHERE conversation_id = ? \
             AND user_id = ? AND left_at IS NULL AND last_read_seq < ?",
        );
        let moved = affected(
            sqlx::query(&sql)
                .bind(target)
                .bind(ev)
                .bind(id.to_string())
                .bind(user.to_string())
                .bind(target)
                .execute(&mut *tx)
                .await?,
        );
        if moved == 0 {
            // Nothing changed: give the ev back by rolling the bump back.
            tx.rollback().await?;
            return Ok(None);
        }
        tx.commit().await?;
        Ok(Some((target, ev)))
    }

    /// Read markers of `conversation` that moved after `after_ev`.
    pub async fn reads_since(
        &self,
        conversation: ConversationId,
        after_ev: i64,
    ) -> StoreResult<Vec<Member>> {
        let sql = format!(
            "SELECT {} FROM members mb WHERE mb.conversation_id = ? AND mb.read_ev > ? ORDER BY mb.read_ev",
            rows::MEMBER_COLUMNS
        );
        let rows = sqlx::query(&self.sql(&sql))
            .bind(conversation.to_string())
            .bind(after_ev)
            .fetch_all(&self.pool)
            .await?;
        Ok(rows.iter().map(rows::member).collect::<Result<_, _>>()?)
    }
}
