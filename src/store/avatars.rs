//! Which file is a user's profile picture.

use sqlx::Row;

use super::{Store, StoreResult};
use crate::domain::{Timestamp, UploadId, UserId};

impl Store {
    /// Sets (or, with `None`, clears) a user's picture; returns the one it
    /// replaces, whose file the caller deletes.
    pub async fn set_avatar(
        &self,
        user: UserId,
        avatar: Option<UploadId>,
    ) -> StoreResult<Option<UploadId>> {
        let mut tx = self.pool.begin().await?;
        let row = sqlx::query(&self.sql("SELECT avatar_id FROM users WHERE id = ?"))
            .bind(user.to_string())
            .fetch_optional(&mut *tx)
            .await?;
        let old = row
            .and_then(|r| r.try_get::<Option<String>, _>("avatar_id").ok().flatten())
            .and_then(|s| s.parse().ok());
        sqlx::query(&self.sql("UPDATE users SET avatar_id = ?, updated_at = ? WHERE id = ?"))
            .bind(avatar.map(|a| a.to_string()))
            .bind(Timestamp::now().millis())
            .bind(user.to_string())
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(old)
    }
}
