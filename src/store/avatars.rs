//! Which file is a user's profile picture, or a group's.

use sqlx::Row;

use super::{Store, StoreResult, Tx};
use crate::domain::{ConversationId, Message, SystemNote, Timestamp, UploadId, UserId};

impl Store {
    /// Sets (or, with `None`, clears) a user's picture; returns the one it
    /// replaces, whose file the caller deletes.
    pub async fn set_avatar(
        &self,
        user: UserId,
        avatar: Option<UploadId>,
    ) -> StoreResult<Option<UploadId>> {
        let mut tx = self.pool.begin().await?;
        // Write first: on SQLite a transaction that reads and then writes cannot
        // take the write lock while another connection writes (SQLITE_BUSY, no
        // waiting); one that writes first waits its turn.
        sqlx::query(&self.sql("UPDATE users SET updated_at = ? WHERE id = ?"))
            .bind(Timestamp::now().millis())
            .bind(user.to_string())
            .execute(&mut *tx)
            .await?;
        let old = self.avatar_in(&mut tx, "users", user.to_string()).await?;
        sqlx::query(&self.sql("UPDATE users SET avatar_id = ? WHERE id = ?"))
            .bind(avatar.map(|a| a.to_string()))
            .bind(user.to_string())
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(old)
    }

    /// Sets (or clears) a group's picture as a change of the group: its own ev
    /// (members learn of it on resume like of a rename) and a system message, in
    /// one transaction. Returns the ev, the system message and the picture it
    /// replaces.
    pub async fn set_conversation_avatar(
        &self,
        id: ConversationId,
        avatar: Option<UploadId>,
        actor: UserId,
        note: &SystemNote,
        now: Timestamp,
    ) -> StoreResult<(i64, Message, Option<UploadId>)> {
        let mut tx = self.pool.begin().await?;
        // The bump writes first (see `set_avatar`).
        let (_, ev) = self.bump(&mut tx, id, false, now).await?;
        let old = self
            .avatar_in(&mut tx, "conversations", id.to_string())
            .await?;
        sqlx::query(&self.sql("UPDATE conversations SET avatar_id = ?, meta_ev = ? WHERE id = ?"))
            .bind(avatar.map(|a| a.to_string()))
            .bind(ev)
            .bind(id.to_string())
            .execute(&mut *tx)
            .await?;
        let system = self.append_system(&mut tx, id, actor, note, now).await?;
        tx.commit().await?;
        Ok((ev, system, old))
    }

    /// The picture a user or group has now, read inside the transaction that
    /// replaces it (`table` is one of the two, never client input).
    async fn avatar_in(
        &self,
        tx: &mut Tx<'_>,
        table: &'static str,
        id: String,
    ) -> StoreResult<Option<UploadId>> {
        let sql = format!("SELECT avatar_id FROM {table} WHERE id = ?");
        let row = sqlx::query(&self.sql(&sql))
            .bind(id)
            .fetch_optional(&mut **tx)
            .await?;
        let Some(row) = row else { return Ok(None) };
        Ok(row
            .try_get::<Option<String>, _>("avatar_id")?
            .and_then(|s| s.parse().ok()))
    }
}
