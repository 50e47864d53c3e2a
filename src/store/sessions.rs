use super::{affected, rows, Store, StoreResult};
use crate::domain::{Session, SessionId, Timestamp, User, UserId};

/// What presenting a refresh token found.
#[derive(Debug, PartialEq, Eq)]
pub enum Rotation {
    /// The token was current: it is now spent and `new_hash` is the session's token.
    Rotated {
        session_id: SessionId,
        user_id: UserId,
    },
    /// The token had already been spent: someone replayed it. The session is revoked.
    Reused { session_id: SessionId },
    /// The token belongs to a session that is revoked or has expired.
    Dead { user_id: UserId },
    /// No such token.
    Unknown,
}

impl Store {
    /// Creates a session and its first refresh token in one transaction.
    pub async fn create_session(&self, s: &Session, refresh_hash: &str) -> StoreResult<()> {
        let mut tx = self.pool.begin().await?;
        let sql = self.sql(
            "INSERT INTO sessions (id, user_id, created_at, last_used_at, expires_at, \
             revoked_at, revoke_reason, user_agent, ip) VALUES (?, ?, ?, ?, ?, NULL, NULL, ?, ?)",
        );
        sqlx::query(&sql)
            .bind(s.id.to_string())
            .bind(s.user_id.to_string())
            .bind(s.created_at.millis())
            .bind(s.last_used_at.millis())
            .bind(s.expires_at.millis())
            .bind(s.user_agent.clone())
            .bind(s.ip.clone())
            .execute(&mut *tx)
            .await?;
        self.insert_refresh(&mut tx, refresh_hash, s.id, s.created_at)
            .await?;
        tx.commit().await?;
        Ok(())
    }

    async fn insert_refresh(
        &self,
        tx: &mut sqlx::Transaction<'_, sqlx::Any>,
        hash: &str,
        session: SessionId,
        now: Timestamp,
    ) -> StoreResult<()> {
        let sql = self.sql(
            "INSERT INTO refresh_tokens (token_hash, session_id, created_at, used_at) \
             VALUES (?, ?, ?, NULL)",
        );
        sqlx::query(&sql)
            .bind(hash.to_owned())
            .bind(session.to_string())
            .bind(now.millis())
            .execute(&mut **tx)
            .await?;
        Ok(())
    }

    /// Spends refresh token `old_hash` and stores `new_hash` in its place, or detects
    /// reuse. The spend is a conditional UPDATE done first, so two concurrent uses of
    /// one token cannot both succeed, and SQLite takes its write lock up front.
    pub async fn rotate_refresh(
        &self,
        old_hash: &str,
        new_hash: &str,
        now: Timestamp,
        new_expiry: Timestamp,
    ) -> StoreResult<Rotation> {
        let mut tx = self.pool.begin().await?;
        let spend = self
            .sql("UPDATE refresh_tokens SET used_at = ? WHERE token_hash = ? AND used_at IS NULL");
        let spent = affected(
            sqlx::query(&spend)
                .bind(now.millis())
                .bind(old_hash.to_owned())
                .execute(&mut *tx)
                .await?,
        ) == 1;
        let find = format!(
            "SELECT {} FROM refresh_tokens t JOIN sessions s ON s.id = t.session_id \
             WHERE t.token_hash = ?",
            rows::SESSION_COLUMNS
        );
        let row = sqlx::query(&self.sql(&find))
            .bind(old_hash.to_owned())
            .fetch_optional(&mut *tx)
            .await?;
        let Some(row) = row else {
            return Ok(Rotation::Unknown);
        };
        let session = rows::session(&row)?;
        let outcome = if !session.is_live(now) {
            Rotation::Dead {
                user_id: session.user_id,
            }
        } else if !spent {
            self.revoke_in(&mut tx, session.id, "refresh_token_reuse", now)
                .await?;
            Rotation::Reused {
                session_id: session.id,
            }
        } else {
            self.insert_refresh(&mut tx, new_hash, session.id, now)
                .await?;
            let touch =
                self.sql("UPDATE sessions SET last_used_at = ?, expires_at = ? WHERE id = ?");
            sqlx::query(&touch)
                .bind(now.millis())
                .bind(new_expiry.millis())
                .bind(session.id.to_string())
                .execute(&mut *tx)
                .await?;
            Rotation::Rotated {
                session_id: session.id,
                user_id: session.user_id,
            }
        };
        tx.commit().await?;
        Ok(outcome)
    }

    async fn revoke_in(
        &self,
        tx: &mut sqlx::Transaction<'_, sqlx::Any>,
        id: SessionId,
        reason: &str,
        now: Timestamp,
    ) -> StoreResult<bool> {
        let sql = self.sql(
            "UPDATE sessions SET revoked_at = ?, revoke_reason = ? WHERE id = ? AND revoked_at IS NULL",
        );
        let r = sqlx::query(&sql)
            .bind(now.millis())
            .bind(reason.to_owned())
            .bind(id.to_string())
            .execute(&mut **tx)
            .await?;
        Ok(affected(r) > 0)
    }

    /// The session and its user, for authenticating a request. Returns them whatever
    /// their state; the caller decides what a revoked session or inactive user means.
    pub async fn session_with_user(&self, id: SessionId) -> StoreResult<Option<(Session, User)>> {
        let sql = format!(
            "SELECT {}, {} FROM sessions s JOIN users u ON u.id = s.user_id WHERE s.id = ?",
            rows::SESSION_COLUMNS,
            rows::USER_COLUMNS
        );
        // Every authenticated request asks this: natively on SQLite.
        #[cfg(feature = "sqlite")]
        if let Some(native) = &self.native {
            return native.row(&sql, [id.to_string()], |r| {
                Ok((rows::session(r)?, rows::user(r)?))
            });
        }
        // Elsewhere, a storm of connections asks it together: one statement.
        self.batches.sessions.get(self, id).await
    }

    /// Revokes one session of `user`. False when it is not theirs or already revoked.
    pub async fn revoke_session(
        &self,
        user: UserId,
        id: SessionId,
        reason: &str,
        now: Timestamp,
    ) -> StoreResult<bool> {
        let sql = self.sql(
            "UPDATE sessions SET revoked_at = ?, revoke_reason = ? \
             WHERE id = ? AND user_id = ? AND revoked_at IS NULL",
        );
        let r = sqlx::query(&sql)
            .bind(now.millis())
            .bind(reason.to_owned())
            .bind(id.to_string())
            .bind(user.to_string())
            .execute(&self.pool)
            .await?;
        Ok(affected(r) > 0)
    }

    /// Revokes every live session of `user`, except `keep` when given.
    pub async fn revoke_user_sessions(
        &self,
        user: UserId,
        keep: Option<SessionId>,
        reason: &str,
        now: Timestamp,
    ) -> StoreResult<u64> {
        let sql = self.sql(
            "UPDATE sessions SET revoked_at = ?, revoke_reason = ? \
             WHERE user_id = ? AND revoked_at IS NULL AND id <> ?",
        );
        let r = sqlx::query(&sql)
            .bind(now.millis())
            .bind(reason.to_owned())
            .bind(user.to_string())
            .bind(keep.map(|k| k.to_string()).unwrap_or_default())
            .execute(&self.pool)
            .await?;
        Ok(affected(r))
    }

    /// Live (not revoked, not expired) sessions of `user`, most recently used first.
    pub async fn live_sessions(&self, user: UserId, now: Timestamp) -> StoreResult<Vec<Session>> {
        let sql = format!(
            "SELECT {} FROM sessions s WHERE s.user_id = ? AND s.revoked_at IS NULL \
             AND s.expires_at > ? ORDER BY s.last_used_at DESC, s.id DESC",
            rows::SESSION_COLUMNS
        );
        let rows = sqlx::query(&self.sql(&sql))
            .bind(user.to_string())
            .bind(now.millis())
            .fetch_all(&self.pool)
            .await?;
        Ok(rows.iter().map(rows::session).collect::<Result<_, _>>()?)
    }
}
