//! Changes that could leave the server without an active admin (a role change,
//! a deactivation), made atomic: two admins demoting each other at the same moment
//! must not both succeed.

use super::{affected, Store, StoreResult};
use crate::domain::{Role, Timestamp, UserId};

/// What happens to the user.
#[derive(Clone, Copy, Debug)]
pub enum AdminChange {
    SetRole(Role),
    Deactivate,
}

/// The outcome of a guarded change.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Guarded {
    Applied,
    /// Refused: the user is the last active admin.
    LastAdmin,
    NotFound,
}

impl Store {
    /// Applies `change` to `id` unless it would leave no active admin.
    ///
    /// Every active admin's row is locked first (a no-op UPDATE: row locks on
    /// PostgreSQL and MySQL, the write lock on SQLite), so a concurrent guarded
    /// change waits here until this one commits, and then counts afresh.
    pub async fn change_user_keeping_an_admin(
        &self,
        id: UserId,
        change: AdminChange,
        now: Timestamp,
    ) -> StoreResult<Guarded> {
        let admin = Role::Admin.as_str();
        let mut tx = self.pool.begin().await?;
        let lock = self.sql(
            "UPDATE users SET updated_at = updated_at WHERE role = ? AND deactivated_at IS NULL",
        );
        sqlx::query(&lock).bind(admin).execute(&mut *tx).await?;
        let count =
            self.sql("SELECT COUNT(*) AS n FROM users WHERE role = ? AND deactivated_at IS NULL");
        let row = sqlx::query(&count).bind(admin).fetch_one(&mut *tx).await?;
        let admins: i64 = sqlx::Row::try_get(&row, "n")?;
        let target = self.sql(
            "SELECT COUNT(*) AS n FROM users WHERE id = ? AND role = ? AND deactivated_at IS NULL",
        );
        let row = sqlx::query(&target)
            .bind(id.to_string())
            .bind(admin)
            .fetch_one(&mut *tx)
            .await?;
        let is_active_admin = sqlx::Row::try_get::<i64, _>(&row, "n")? > 0;
        let removes_an_admin = match change {
            AdminChange::SetRole(role) => role != Role::Admin,
            AdminChange::Deactivate => true,
        };
        if is_active_admin && removes_an_admin && admins <= 1 {
            tx.rollback().await?;
            return Ok(Guarded::LastAdmin);
        }
        let r = match change {
            AdminChange::SetRole(role) => {
                let sql = self.sql("UPDATE users SET role = ?, updated_at = ? WHERE id = ?");
                sqlx::query(&sql)
                    .bind(role.as_str())
                    .bind(now.millis())
                    .bind(id.to_string())
                    .execute(&mut *tx)
                    .await?
            }
            AdminChange::Deactivate => {
                let sql =
                    self.sql("UPDATE users SET deactivated_at = ?, updated_at = ? WHERE id = ?");
                sqlx::query(&sql)
                    .bind(now.millis())
                    .bind(now.millis())
                    .bind(id.to_string())
                    .execute(&mut *tx)
                    .await?
            }
        };
        if affected(r) == 0 {
            tx.rollback().await?;
            return Ok(Guarded::NotFound);
        }
        tx.commit().await?;
        Ok(Guarded::Applied)
    }
}
