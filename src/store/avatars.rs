//! Which file is a user's profile picture, or a group's.

use sqlx::Row;

use super::{Store, StoreResult};
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
        let row = sqlx::query(&self.sql("SELECT avatar_id FROM users WHERE id = ?"))
            .bind(user.to_string())
            .fetch_optional(&mut *tx)
            .await?;
        let old = row
            .and_then(|r| r.try_get::<Option<String>, _>("avatar_id").ok().flatten())
            .and_then(|s| s.parse().ok());
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
        let row = sqlx::query(&self.sql("SELECT avatar_id FROM conversations WHERE id = ?"))
            .bind(id.to_string())
            .fetch_optional(&mut *tx)
            .await?;
        let old = row
            .and_then(|r| r.try_get::<Option<String>, _>("avatar_id").ok().flatten())
            .and_then(|s| s.parse().ok());
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
}
