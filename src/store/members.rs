//! Membership rows: who is in a conversation, joining and leaving, read markers.

use super::{affected, placeholders, rows, Store, StoreError, StoreResult};
use sqlx::Row;

use crate::domain::{
    Conversation, ConversationId, ConversationKind, Member, MemberRole, Message, SystemNote,
    Timestamp, User, UserId,
};

/// A conversation, its meta_ev and one user's membership row in it.
pub type Membership = (Conversation, i64, Member);

impl Store {
    /// The conversation, its meta_ev and `user`'s membership row (current or
    /// former) in one query: every send, history read and replay starts here.
    pub async fn membership(
        &self,
        conversation: ConversationId,
        user: UserId,
    ) -> StoreResult<Option<Membership>> {
        let sql = format!(
            "SELECT {}, {} FROM members mb JOIN conversations c ON c.id = mb.conversation_id \
             WHERE mb.conversation_id = ? AND mb.user_id = ?",
            rows::CONVERSATION_COLUMNS,
            rows::MEMBER_COLUMNS
        );
        // Asked by most requests about a conversation: natively on SQLite.
        #[cfg(feature = "sqlite")]
        if let Some(native) = &self.native {
            let params = [conversation.to_string(), user.to_string()];
            return native.row(&sql, params, |r| membership_row(r));
        }
        let row = sqlx::query(&self.sql(&sql))
            .bind(conversation.to_string())
            .bind(user.to_string())
            .fetch_optional(&self.pool)
            .await?;
        Ok(row.as_ref().map(membership_row).transpose()?)
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

    /// The conversation's kind, `meta_ev` and current members, in one statement
    /// so that the three agree: a node's roster of it (bus/rosters.rs).
    pub async fn roster(
        &self,
        conversation: ConversationId,
    ) -> StoreResult<Option<(ConversationKind, i64, Vec<UserId>)>> {
        let sql = self.sql(
            "SELECT c.kind, c.meta_ev, mb.user_id FROM conversations c LEFT JOIN members mb \
             ON mb.conversation_id = c.id AND mb.left_at IS NULL WHERE c.id = ?",
        );
        let rows = sqlx::query(&sql)
            .bind(conversation.to_string())
            .fetch_all(&self.pool)
            .await?;
        let Some(first) = rows.first() else {
            return Ok(None);
        };
        let mut members = Vec::with_capacity(rows.len());
        for row in &rows {
            // A conversation everyone has left still has its one joined row.
            if row.try_get::<Option<String>, _>("user_id")?.is_some() {
                members.push(rows::parse(row, "user_id")?);
            }
        }
        Ok(Some((
            rows::parse(first, "kind")?,
            first.try_get("meta_ev")?,
            members,
        )))
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

    /// Adds `user` (or brings a former member back) with `role`; returns the ev.
    pub async fn add_member(
        &self,
        id: ConversationId,
        user: UserId,
        role: MemberRole,
        actor: UserId,
        note: &SystemNote,
        now: Timestamp,
    ) -> StoreResult<(i64, Message)> {
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
        let system = self.append_system(&mut tx, id, actor, note, now).await?;
        tx.commit().await?;
        Ok((ev, system))
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
        actor: UserId,
        note: &SystemNote,
        now: Timestamp,
    ) -> StoreResult<(i64, Message)> {
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
        let system = self.append_system(&mut tx, id, actor, note, now).await?;
        tx.commit().await?;
        Ok((ev, system))
    }

    /// Moves `user`'s read or delivery marker forward to `seq` (capped at the
    /// newest message). `None` when it would not move: markers never go back.
    pub async fn move_marker(
        &self,
        id: ConversationId,
        user: UserId,
        marker: Marker,
        seq: i64,
        now: Timestamp,
    ) -> StoreResult<Option<(i64, i64)>> {
        let mut tx = self.pool.begin().await?;
        let (last_seq, ev) = self.bump(&mut tx, id, false, now).await?;
        let target = seq.min(last_seq);
        let (seq_col, ev_col) = marker.columns();
        let sql = format!(
            "UPDATE members SET {seq_col} = ?, {ev_col} = ? WHERE conversation_id = ? \
             AND user_id = ? AND left_at IS NULL AND {seq_col} < ?"
        );
        let moved = affected(
            sqlx::query(&self.sql(&sql))
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

    /// Members of `conversation` whose read or delivery marker moved after
    /// `after_ev` (the caller tells which from `read_ev` / `delivered_ev`).
    pub async fn markers_since(
        &self,
        conversation: ConversationId,
        after_ev: i64,
    ) -> StoreResult<Vec<Member>> {
        let sql = format!(
            "SELECT {} FROM members mb WHERE mb.conversation_id = ? \
             AND (mb.read_ev > ? OR mb.delivered_ev > ?) ORDER BY mb.read_ev",
            rows::MEMBER_COLUMNS
        );
        // Part of every resume's replay: natively on SQLite.
        #[cfg(feature = "sqlite")]
        if let Some(native) = &self.native {
            let params = rusqlite::params![conversation.to_string(), after_ev, after_ev];
            return native.rows(&sql, params, |r| rows::member(r));
        }
        // Elsewhere, the members of a group resuming together ask the same.
        self.batches
            .markers
            .get(self, (conversation, after_ev))
            .await
    }
}

/// A membership row joined with its conversation.
pub(super) fn membership_row(row: &(impl rows::Cols + ?Sized)) -> Result<Membership, sqlx::Error> {
    let (conversation, meta_ev) = rows::conversation(row)?;
    Ok((conversation, meta_ev, rows::member(row)?))
}

/// A member's two markers: how far they have read, and how far their devices
/// have received (a read implies delivery; clients take the larger).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Marker {
    Read,
    Delivered,
}

impl Marker {
    /// Column names, never user input: safe to put into the SQL text.
    fn columns(self) -> (&'static str, &'static str) {
        match self {
            Marker::Read => ("last_read_seq", "read_ev"),
            Marker::Delivered => ("last_delivered_seq", "delivered_ev"),
        }
    }
}
