use super::{affected, rows, Store, StoreResult};
use crate::domain::{Role, Timestamp, User, UserId};

/// A user about to be created; the caller has parsed and hashed everything.
pub struct NewUser<'a> {
    pub user: &'a User,
    pub password_hash: &'a str,
    /// The role this user gets instead of `user.role` if theirs is the server's
    /// first account (registration: admin); `None` keeps `user.role`.
    pub first_role: Option<Role>,
}

/// One page of a user search, in username order.
pub struct UserSearch<'a> {
    /// Case-folded text to find in username or full name; `None` lists everyone.
    pub query: Option<&'a str>,
    /// Return users whose case-folded username sorts after this one.
    pub after: Option<&'a str>,
    pub limit: u32,
    pub include_deactivated: bool,
}

/// Escapes LIKE wildcards (with `!`) so `50%` matches a literal percent sign.
fn escape_like(q: &str) -> String {
    let mut out = String::with_capacity(q.len() + 2);
    for c in q.chars() {
        if matches!(c, '%' | '_' | '!') {
            out.push('!');
        }
        out.push(c);
    }
    out
}

/// A LIKE pattern for "contains `q`".
fn like_pattern(q: &str) -> String {
    format!("%{}%", escape_like(q))
}

impl Store {
    /// Stores a new user and returns the role they were given (see
    /// [`NewUser::first_role`]). Every account claims the first-account row, so
    /// one made by the CLI on an empty server ends "first account" too.
    pub async fn insert_user(&self, new: NewUser<'_>) -> StoreResult<Role> {
        let u = new.user;
        let mut tx = self.pool.begin().await?;
        let first = self.claim_first_account(&mut tx, u.id).await?;
        let role = match new.first_role {
            Some(r) if first => r,
            _ => u.role,
        };
        let sql = self.sql(
            "INSERT INTO users (id, username, username_lower, email, email_lower, password_hash, \
             full_name, bio, status_text, search_text, role, created_at, updated_at, deactivated_at, \
             group_invites) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        );
        sqlx::query(&sql)
            .bind(u.id.to_string())
            .bind(u.username.as_str().to_owned())
            .bind(u.username.lower())
            .bind(u.email.clone())
            .bind(u.email.as_ref().map(|e| e.to_lowercase()))
            .bind(new.password_hash.to_owned())
            .bind(u.full_name.clone())
            .bind(u.bio.clone())
            .bind(u.status_text.clone())
            .bind(User::search_text(&u.username, &u.full_name))
            .bind(role.as_str())
            .bind(u.created_at.millis())
            .bind(u.updated_at.millis())
            .bind(u.deactivated_at.map(Timestamp::millis))
            .bind(u.group_invites.as_str())
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(role)
    }

    /// Inserts many users in one transaction, all with the same password hash: the
    /// benchmark seed path, where hashing per user would dominate.
    pub async fn insert_users_bulk(&self, users: &[User], password_hash: &str) -> StoreResult<()> {
        let mut tx = self.pool.begin().await?;
        if let Some(u) = users.first() {
            self.claim_first_account(&mut tx, u.id).await?;
        }
        let sql = self.sql(
            "INSERT INTO users (id, username, username_lower, email, email_lower, password_hash, \
             full_name, bio, status_text, search_text, role, created_at, updated_at, deactivated_at) \
             VALUES (?, ?, ?, NULL, NULL, ?, ?, '', '', ?, ?, ?, ?, NULL)",
        );
        for u in users {
            sqlx::query(&sql)
                .bind(u.id.to_string())
                .bind(u.username.as_str().to_owned())
                .bind(u.username.lower())
                .bind(password_hash.to_owned())
                .bind(u.full_name.clone())
                .bind(User::search_text(&u.username, &u.full_name))
                .bind(u.role.as_str())
                .bind(u.created_at.millis())
                .bind(u.updated_at.millis())
                .execute(&mut *tx)
                .await?;
        }
        tx.commit().await?;
        Ok(())
    }

    /// Active users whose username starts with `prefix` (case-folded), oldest
    /// first (ids are time-ordered): the benchmark's seeded accounts, in the order
    /// `seed-bench` made them, so the first N fill whole groups.
    pub async fn users_with_prefix(&self, prefix: &str, limit: u32) -> StoreResult<Vec<User>> {
        let sql = format!(
            "SELECT {} FROM users u WHERE u.username_lower LIKE ? ESCAPE '!' AND u.deactivated_at IS NULL \
             ORDER BY u.id LIMIT ?",
            rows::USER_COLUMNS
        );
        let pattern = format!("{}%", escape_like(&prefix.to_ascii_lowercase()));
        let rows = sqlx::query(&self.sql(&sql))
            .bind(pattern)
            .bind(i64::from(limit))
            .fetch_all(&self.pool)
            .await?;
        Ok(rows.iter().map(rows::user).collect::<Result<_, _>>()?)
    }

    pub async fn user_by_id(&self, id: UserId) -> StoreResult<Option<User>> {
        let sql = format!("SELECT {} FROM users u WHERE u.id = ?", rows::USER_COLUMNS);
        let row = sqlx::query(&self.sql(&sql))
            .bind(id.to_string())
            .fetch_optional(&self.pool)
            .await?;
        Ok(row.as_ref().map(rows::user).transpose()?)
    }

    /// The user whose address is `email` (compared without case).
    pub async fn user_by_email(&self, email: &str) -> StoreResult<Option<User>> {
        let sql = format!(
            "SELECT {} FROM users u WHERE u.email_lower = ?",
            rows::USER_COLUMNS
        );
        let row = sqlx::query(&self.sql(&sql))
            .bind(email.to_lowercase())
            .fetch_optional(&self.pool)
            .await?;
        Ok(row.as_ref().map(rows::user).transpose()?)
    }

    /// The users with these ids (any order; unknown ids are skipped), in one query
    /// per 500 ids; a short list where reads are pooled is batched with the others
    /// asked now (every resume's presence snapshot asks one).
    pub async fn users_by_ids(&self, ids: &[UserId]) -> StoreResult<Vec<User>> {
        if !self.reads_natively() && ids.len() <= super::batched::MAX_BATCH {
            let mut ids = ids.to_vec();
            ids.sort_unstable();
            ids.dedup();
            let found = self.batches.users.get_many(self, &ids).await?;
            return Ok(found.into_iter().flatten().collect());
        }
        self.users_in(ids).await
    }

    /// [`Store::users_by_ids`], read now.
    async fn users_in(&self, ids: &[UserId]) -> StoreResult<Vec<User>> {
        let mut out = Vec::with_capacity(ids.len());
        for chunk in ids.chunks(500) {
            let sql = format!(
                "SELECT {} FROM users u WHERE u.id IN ({})",
                rows::USER_COLUMNS,
                super::placeholders(chunk.len())
            );
            let sql = self.sql(&sql);
            let mut q = super::batch_query(&sql, chunk.len());
            for id in chunk {
                q = q.bind(id.to_string());
            }
            for row in q.fetch_all(&self.pool).await? {
                out.push(rows::user(&row)?);
            }
        }
        Ok(out)
    }

    /// The user and their password hash, by case-folded username. For login only.
    pub async fn credentials(&self, username_lower: &str) -> StoreResult<Option<(User, String)>> {
        let sql = format!(
            "SELECT {}, u.password_hash FROM users u WHERE u.username_lower = ?",
            rows::USER_COLUMNS
        );
        let row = sqlx::query(&self.sql(&sql))
            .bind(username_lower.to_owned())
            .fetch_optional(&self.pool)
            .await?;
        match row {
            None => Ok(None),
            Some(row) => {
                let hash: String = sqlx::Row::try_get(&row, "password_hash")?;
                Ok(Some((rows::user(&row)?, hash)))
            }
        }
    }

    pub async fn user_id_by_username(&self, username_lower: &str) -> StoreResult<Option<UserId>> {
        let row = sqlx::query(&self.sql("SELECT id FROM users WHERE username_lower = ?"))
            .bind(username_lower.to_owned())
            .fetch_optional(&self.pool)
            .await?;
        Ok(row.as_ref().map(|r| rows::parse(r, "id")).transpose()?)
    }

    /// Writes the editable profile fields of `user` (and its search text).
    pub async fn update_profile(&self, user: &User) -> StoreResult<bool> {
        let sql = self.sql(
            "UPDATE users SET full_name = ?, bio = ?, status_text = ?, search_text = ?, \
             group_invites = ?, email_notify = ?, updated_at = ? WHERE id = ?",
        );
        let r = sqlx::query(&sql)
            .bind(user.full_name.clone())
            .bind(user.bio.clone())
            .bind(user.status_text.clone())
            .bind(User::search_text(&user.username, &user.full_name))
            .bind(user.group_invites.as_str())
            .bind(user.email_notify.as_str())
            .bind(user.updated_at.millis())
            .bind(user.id.to_string())
            .execute(&self.pool)
            .await?;
        Ok(affected(r) > 0)
    }

    pub async fn password_hash(&self, id: UserId) -> StoreResult<Option<String>> {
        let row = sqlx::query(&self.sql("SELECT password_hash FROM users WHERE id = ?"))
            .bind(id.to_string())
            .fetch_optional(&self.pool)
            .await?;
        Ok(row
            .map(|r| sqlx::Row::try_get::<String, _>(&r, "password_hash"))
            .transpose()?)
    }

    pub async fn set_password_hash(
        &self,
        id: UserId,
        hash: &str,
        now: Timestamp,
    ) -> StoreResult<bool> {
        let sql = self.sql("UPDATE users SET password_hash = ?, updated_at = ? WHERE id = ?");
        let r = sqlx::query(&sql)
            .bind(hash.to_owned())
            .bind(now.millis())
            .bind(id.to_string())
            .execute(&self.pool)
            .await?;
        Ok(affected(r) > 0)
    }

    /// Sets or clears `deactivated_at`. Nothing else about the user changes, so a
    /// reactivation restores the account exactly.
    pub async fn set_deactivated(
        &self,
        id: UserId,
        at: Option<Timestamp>,
        now: Timestamp,
    ) -> StoreResult<bool> {
        let sql = self.sql("UPDATE users SET deactivated_at = ?, updated_at = ? WHERE id = ?");
        let r = sqlx::query(&sql)
            .bind(at.map(Timestamp::millis))
            .bind(now.millis())
            .bind(id.to_string())
            .execute(&self.pool)
            .await?;
        Ok(affected(r) > 0)
    }

    pub async fn set_presence_mode(
        &self,
        id: UserId,
        mode: crate::domain::PresenceMode,
        last_seen: Option<Timestamp>,
    ) -> StoreResult<bool> {
        let sql = self.sql(
            "UPDATE users SET presence_mode = ?, last_seen_at = COALESCE(?, last_seen_at) \
             WHERE id = ?",
        );
        let r = sqlx::query(&sql)
            .bind(mode.as_str())
            .bind(last_seen.map(Timestamp::millis))
            .bind(id.to_string())
            .execute(&self.pool)
            .await?;
        Ok(affected(r) > 0)
    }

    /// One UPDATE per 500 users: going offline comes in waves (a restart, a
    /// network cut), and a transaction each would queue thousands of commits.
    /// Invisible users' last-seen stays at when they vanished; everyone's
    /// `away_since` is set (it is never shown, only used for digest mail).
    pub async fn set_last_seen_many(&self, ids: &[UserId], at: Timestamp) -> StoreResult<()> {
        for chunk in ids.chunks(500) {
            // away_since for everyone (the digest), last-seen for the visible.
            let sql = format!(
                "UPDATE users SET away_since = ?, last_seen_at = CASE WHEN presence_mode <> \
                 'invisible' THEN ? ELSE last_seen_at END WHERE id IN ({})",
                super::placeholders(chunk.len())
            );
            let sql = self.sql(&sql);
            let mut q = super::batch_query(&sql, chunk.len())
                .bind(at.millis())
                .bind(at.millis());
            for id in chunk {
                q = q.bind(id.to_string());
            }
            q.execute(&self.pool).await?;
        }
        Ok(())
    }

    pub async fn search_users(&self, s: UserSearch<'_>) -> StoreResult<Vec<User>> {
        let mut sql = format!("SELECT {} FROM users u WHERE 1 = 1", rows::USER_COLUMNS);
        if !s.include_deactivated {
            sql.push_str(" AND u.deactivated_at IS NULL");
        }
        if s.query.is_some() {
            sql.push_str(" AND u.search_text LIKE ? ESCAPE '!'");
        }
        if s.after.is_some() {
            sql.push_str(" AND u.username_lower > ?");
        }
        sql.push_str(" ORDER BY u.username_lower LIMIT ?");
        let sql = self.sql(&sql);
        let mut q = sqlx::query(&sql);
        if let Some(text) = s.query {
            q = q.bind(like_pattern(text));
        }
        if let Some(after) = s.after {
            q = q.bind(after.to_owned());
        }
        let rows = q.bind(i64::from(s.limit)).fetch_all(&self.pool).await?;
        Ok(rows.iter().map(rows::user).collect::<Result<_, _>>()?)
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn like_patterns_escape_wildcards() {
        assert_eq!(super::like_pattern("ada"), "%ada%");
        assert_eq!(super::like_pattern("50%_!"), "%50!%!_!!%");
    }
}
