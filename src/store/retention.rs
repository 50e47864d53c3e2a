//! Housekeeping: rows that served their purpose and would otherwise pile up
//! forever (ended sessions and their refresh tokens, spent refresh tokens, read
//! notifications, sent mail, expired mailed tokens) are deleted once they are older than the retention period.

use super::{affected, Store, StoreResult};
use crate::domain::Timestamp;

/// Rows deleted by one sweep.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Swept {
    pub sessions: u64,
    pub refresh_tokens: u64,
    pub notifications: u64,
    /// Mail sent or given up, and one-time tokens expired.
    pub mails: u64,
    pub account_tokens: u64,
}

impl Store {
    /// Deletes what ended before `cutoff`:
    /// - sessions revoked or expired before it, with all their refresh tokens;
    /// - refresh tokens spent before it (a replay of one after that is refused as
    ///   invalid instead of revoking the session: see the README's retention notes);
    /// - notifications read before it;
    /// - mail sent or given up, queued before it; one-time tokens expired before it.
    pub async fn sweep_before(&self, cutoff: Timestamp) -> StoreResult<Swept> {
        let at = cutoff.millis();
        let ended = "SELECT id FROM sessions WHERE (revoked_at IS NOT NULL AND revoked_at < ?) \
                     OR expires_at < ?";
        let mut tx = self.pool.begin().await?;
        let tokens_sql =
            format!("DELETE FROM refresh_tokens WHERE used_at < ? OR session_id IN ({ended})");
        let sql = self.sql(&tokens_sql);
        let tokens = sqlx::query(&sql)
            .bind(at)
            .bind(at)
            .bind(at)
            .execute(&mut *tx)
            .await?;
        let sql = self.sql(
            "DELETE FROM sessions WHERE (revoked_at IS NOT NULL AND revoked_at < ?) \
             OR expires_at < ?",
        );
        let sessions = sqlx::query(&sql)
            .bind(at)
            .bind(at)
            .execute(&mut *tx)
            .await?;
        let sql = self.sql("DELETE FROM notifications WHERE read_at IS NOT NULL AND read_at < ?");
        let notifications = sqlx::query(&sql).bind(at).execute(&mut *tx).await?;
        let sql = self.sql("DELETE FROM mail_outbox WHERE next_at IS NULL AND created_at < ?");
        let mails = sqlx::query(&sql).bind(at).execute(&mut *tx).await?;
        let sql = self.sql("DELETE FROM push_queue WHERE next_at IS NULL AND created_at < ?");
        sqlx::query(&sql).bind(at).execute(&mut *tx).await?;
        let sql = self.sql("DELETE FROM account_tokens WHERE expires_at < ?");
        let account_tokens = sqlx::query(&sql).bind(at).execute(&mut *tx).await?;
        tx.commit().await?;
        Ok(Swept {
            sessions: affected(sessions),
            refresh_tokens: affected(tokens),
            notifications: affected(notifications),
            mails: affected(mails),
            account_tokens: affected(account_tokens),
        })
    }
}
