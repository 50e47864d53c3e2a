//! The rows behind presence: who may see a user come and go, and the
//! `away_since` mark that a returning user clears. Both take many users at once:
//! presence changes come in storms (a restart, a network cut, everyone back at
//! nine), and one statement for a batch of users costs about what one per user
//! did (BENCHMARKS.md `reconnect`).

use std::collections::HashMap;

use super::{batch_query, placeholders, rows, Store, StoreResult};
use crate::domain::UserId;

/// Users per statement: the list is bound twice, and the three backends take
/// well over 2 × 250 parameters.
const CHUNK: usize = 250;

impl Store {
    /// Who may see `user`'s presence: [`Store::presence_audiences`] for one,
    /// batched with whoever else asks now (every resume's presence snapshot).
    pub async fn presence_audience(&self, user: UserId) -> StoreResult<Vec<UserId>> {
        self.batches.audiences.get(self, user).await
    }

    /// For each of `users`, who may see their presence: friends and current
    /// co-members of groups (membership of a group is the user's own choice:
    /// accepted, or allowed by their `group_invites`), minus anyone with a block
    /// between them. The other member of a direct conversation sees it only as a
    /// friend. Users with nobody in their audience are absent from the map.
    pub async fn presence_audiences(
        &self,
        users: &[UserId],
    ) -> StoreResult<HashMap<UserId, Vec<UserId>>> {
        let mut out: HashMap<UserId, Vec<UserId>> = HashMap::new();
        for chunk in users.chunks(CHUNK) {
            // Blocks are primary-key lookups in the same statement: a second
            // query per batch (or per resume's snapshot) cost a round trip for a
            // table that is nearly always empty for the user.
            let list = placeholders(chunk.len());
            let sql = format!(
                "SELECT a.subject, a.other FROM (\
                 SELECT user_id AS subject, friend_id AS other FROM friendships WHERE user_id IN ({list}) \
                 UNION SELECT m1.user_id AS subject, m2.user_id AS other FROM members m1 \
                 JOIN conversations c ON c.id = m1.conversation_id AND c.kind = 'group' \
                 JOIN members m2 ON m2.conversation_id = m1.conversation_id \
                 WHERE m1.user_id IN ({list}) AND m1.left_at IS NULL AND m2.left_at IS NULL \
                 AND m2.user_id <> m1.user_id) a \
                 WHERE NOT EXISTS (SELECT 1 FROM blocks b WHERE b.blocker_id = a.subject AND b.blocked_id = a.other) \
                 AND NOT EXISTS (SELECT 1 FROM blocks b WHERE b.blocker_id = a.other AND b.blocked_id = a.subject)"
            );
            for (subject, other) in self.fetch_pairs(&sql, chunk).await? {
                out.entry(subject).or_default().push(other);
            }
        }
        Ok(out)
    }

    /// Runs `sql`, whose two lists of placeholders both take `users`, and reads
    /// its (subject, other) rows.
    async fn fetch_pairs(&self, sql: &str, users: &[UserId]) -> StoreResult<Vec<(UserId, UserId)>> {
        let sql = self.sql(sql);
        let mut q = batch_query(&sql, users.len());
        for _ in 0..2 {
            for u in users {
                q = q.bind(u.to_string());
            }
        }
        q.fetch_all(&self.pool)
            .await?
            .iter()
            .map(|r| Ok((rows::parse(r, "subject")?, rows::parse(r, "other")?)))
            .collect()
    }

    /// `users` have a connection again: not away. Returns those who were.
    /// Asking is a read and only the away are written: an UPDATE even of no row
    /// takes SQLite's write lock, and 10,000 connections opening together queued
    /// behind it (idle memory 18.6 -> 15.5 KiB per connection without them).
    pub async fn clear_away_many(&self, users: &[UserId]) -> StoreResult<Vec<UserId>> {
        let mut back = Vec::new();
        for chunk in users.chunks(2 * CHUNK) {
            let sql = format!(
                "SELECT id FROM users WHERE away_since IS NOT NULL AND id IN ({})",
                placeholders(chunk.len())
            );
            let sql = self.sql(&sql);
            let mut q = batch_query(&sql, chunk.len());
            for u in chunk {
                q = q.bind(u.to_string());
            }
            let away = q
                .fetch_all(&self.pool)
                .await?
                .iter()
                .map(|r| rows::parse(r, "id"))
                .collect::<Result<Vec<UserId>, _>>()?;
            if away.is_empty() {
                continue;
            }
            let sql = format!(
                "UPDATE users SET away_since = NULL WHERE away_since IS NOT NULL AND id IN ({})",
                placeholders(away.len())
            );
            let sql = self.sql(&sql);
            let mut q = batch_query(&sql, away.len());
            for u in &away {
                q = q.bind(u.to_string());
            }
            q.execute(&self.pool).await?;
            back.extend(away);
        }
        Ok(back)
    }
}
