//! The server's first account: whoever creates it on an empty server becomes the
//! administrator (the self-hosted pattern; the sign-in page offers it). One row,
//! id 1, claimed in the account's own transaction: of any number of concurrent
//! registrations exactly one claims it, on every backend.

use super::{Backend, Store, StoreResult, Tx};
use crate::domain::UserId;

impl Store {
    /// Has any account ever been made here (by registration or the CLI)?
    pub async fn first_account_made(&self) -> StoreResult<bool> {
        let row: Option<(i64,)> = sqlx::query_as("SELECT id FROM first_account WHERE id = 1")
            .fetch_optional(&self.pool)
            .await?;
        Ok(row.is_some())
    }

    /// Claims the first account for `user` inside `tx`; true when this is it. A
    /// second claimant waits for the first's transaction and then finds the row.
    pub(super) async fn claim_first_account(
        &self,
        tx: &mut Tx<'_>,
        user: UserId,
    ) -> StoreResult<bool> {
        let sql = match self.backend {
            Backend::MySql => "INSERT IGNORE INTO first_account (id, user_id) VALUES (1, ?)",
            Backend::Sqlite | Backend::Postgres => {
                "INSERT INTO first_account (id, user_id) VALUES (1, ?) ON CONFLICT (id) DO NOTHING"
            }
        };
        let done = sqlx::query(&self.sql(sql))
            .bind(user.to_string())
            .execute(&mut **tx)
            .await?;
        Ok(done.rows_affected() == 1)
    }
}
