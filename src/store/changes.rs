//! A resume's replay of messages: what changed in a conversation after an `ev`.
//!
//! On PostgreSQL and MariaDB one index range does it, `(conversation_id, ev)`. On
//! SQLite that index cost a send more than anything but the table itself: every
//! commit wrote a leaf of it per conversation in the batch (BENCHMARKS.md,
//! `ingest`, "the layout measured"). So SQLite indexes by `ev` only the messages
//! changed after they were created (`ix_messages_changed`, partial: `ev >
//! created_ev`), which a send never writes, and finds the others by `seq`: a
//! message never changed has `ev = created_ev`, and `created_ev` grows with `seq`
//! within a conversation (the writer hands both out together), so the messages
//! created after an ev are exactly those above one seq. That seq is found in the
//! conversation's newest messages (a client is mostly a few behind), or by a
//! binary search on `seq` below them.

use super::{backend::Backend, rows, rows::Cols, Store, StoreResult};
use crate::domain::{ConversationId, Message};

/// How many of the newest messages the first look at `seq` reads.
const TAIL: i64 = 64;

/// SQLite's replay. Each arm takes its own first `limit` in ev order (a message
/// never changed is in ev order by seq), then the two are merged: one statement,
/// two index ranges, neither read past `limit` rows.
fn sqlite_replay_sql() -> String {
    format!(
        "SELECT * FROM (SELECT {cols} FROM messages m WHERE m.conversation_id = ? \
         AND m.ev > ? AND m.ev > m.created_ev AND m.seq <= ? ORDER BY m.ev LIMIT ?) \
         UNION ALL \
         SELECT * FROM (SELECT {cols} FROM messages m WHERE m.conversation_id = ? \
         AND m.seq > ? AND m.seq <= ? AND m.ev = m.created_ev ORDER BY m.seq LIMIT ?) \
         ORDER BY m_ev LIMIT ?",
        cols = rows::MESSAGE_COLUMNS
    )
}

impl Store {
    /// Messages of `conversation` changed (created, edited, deleted, restored,
    /// reacted to) after `after_ev`, in ev order, at most `limit`, none past
    /// `max_seq`.
    pub async fn messages_changed_since(
        &self,
        conversation: ConversationId,
        after_ev: i64,
        max_seq: i64,
        limit: u32,
    ) -> StoreResult<Vec<Message>> {
        if self.backend() != Backend::Sqlite {
            // One index range of (conversation_id, ev), batched with the other
            // replays asked now (batch_reads.rs).
            let key = super::batch_reads::ChangesKey {
                conversation,
                after_ev,
                max_seq,
                limit,
            };
            return self.batches.changes.get(self, key).await;
        }
        let above = self.seq_created_by(conversation, after_ev, max_seq).await?;
        let sql = sqlite_replay_sql();
        let (c, limit) = (conversation.to_string(), i64::from(limit));
        #[cfg(feature = "sqlite")]
        if let Some(native) = &self.native {
            let params =
                rusqlite::params![c, after_ev, max_seq, limit, c, above, max_seq, limit, limit];
            return native.messages(&sql, params);
        }
        let rows = sqlx::query(&self.sql(&sql))
            .bind(&c)
            .bind(after_ev)
            .bind(max_seq)
            .bind(limit)
            .bind(&c)
            .bind(above)
            .bind(max_seq)
            .bind(limit)
            .bind(limit)
            .fetch_all(&self.pool)
            .await?;
        self.messages_from(&rows).await
    }

    /// A seq that splits `conversation`'s messages up to `max_seq` into those
    /// created at or before `after_ev` (at or below it) and those created after
    /// (above it). Seqs may have gaps; any seq between the two groups does.
    async fn seq_created_by(
        &self,
        conversation: ConversationId,
        after_ev: i64,
        max_seq: i64,
    ) -> StoreResult<i64> {
        if after_ev <= 0 {
            return Ok(0);
        }
        // The newest messages first: the split is usually among them.
        let tail = self.seqs_down_from(conversation, max_seq, TAIL).await?;
        if let Some(&(seq, _)) = tail.iter().find(|&&(_, created)| created <= after_ev) {
            return Ok(seq);
        }
        let Some(&(lowest, _)) = tail.last().filter(|_| tail.len() as i64 == TAIL) else {
            // Every message up to max_seq was created after after_ev.
            return Ok(0);
        };
        // Every message at or below `lo` was created by after_ev, every one at or
        // above `hi` after it.
        let (mut lo, mut hi) = (0, lowest);
        while hi - lo > 1 {
            let mid = lo + (hi - lo) / 2;
            match self.seqs_down_from(conversation, mid, 1).await?.first() {
                Some(&(seq, created)) if created > after_ev => hi = seq,
                // None at or below mid, or the highest one there was created by
                // after_ev: so was every one below it (seqs (seq, mid] are gaps).
                _ => lo = mid,
            }
        }
        Ok(lo)
    }

    /// `(seq, created_ev)` of the `n` highest seqs at or below `from`, descending.
    async fn seqs_down_from(
        &self,
        conversation: ConversationId,
        from: i64,
        n: i64,
    ) -> StoreResult<Vec<(i64, i64)>> {
        let sql = "SELECT seq, created_ev FROM messages WHERE conversation_id = ? AND seq <= ? \
                   ORDER BY seq DESC LIMIT ?";
        let c = conversation.to_string();
        #[cfg(feature = "sqlite")]
        if let Some(native) = &self.native {
            let params = rusqlite::params![c, from, n];
            return native.rows(sql, params, |r| seq_row(r));
        }
        let rows = sqlx::query(&self.sql(sql))
            .bind(c)
            .bind(from)
            .bind(n)
            .fetch_all(&self.pool)
            .await?;
        Ok(rows.iter().map(seq_row).collect::<Result<_, _>>()?)
    }
}

fn seq_row(r: &impl Cols) -> Result<(i64, i64), sqlx::Error> {
    Ok((r.int("seq")?, r.int("created_ev")?))
}

#[cfg(all(test, feature = "sqlite"))]
mod tests {
    /// The replay's two arms are each an index range on SQLite: the changed ones
    /// through the partial `ix_messages_changed`, the others through
    /// `uq_messages_seq`; no arm scans the conversation (which is what a plan
    /// that cannot use the partial index would do). Checked on the migrated
    /// schema, without statistics and with those ANALYZE gathers.
    #[test]
    fn sqlite_replay_reads_two_index_ranges() {
        let conn = rusqlite::Connection::open_in_memory().unwrap();
        // The server's own migrations, in its order.
        for m in super::Backend::Sqlite.migrator().iter() {
            assert!(m.migration_type.is_up_migration());
            conn.execute_batch(&m.sql).unwrap();
        }
        let plan = || -> Vec<String> {
            let sql = format!("EXPLAIN QUERY PLAN {}", super::sqlite_replay_sql());
            let mut stmt = conn.prepare(&sql).unwrap();
            let c = "00000000-0000-0000-0000-000000000001";
            let params = rusqlite::params![c, 10, 500, 100, c, 20, 500, 100, 100];
            stmt.query_map(params, |r| r.get::<_, String>(3))
                .unwrap()
                .collect::<Result<_, _>>()
                .unwrap()
        };
        for analyzed in [false, true] {
            if analyzed {
                conn.execute_batch("ANALYZE").unwrap();
            }
            let plan = plan();
            let uses = |index: &str| plan.iter().any(|d| d.contains(index));
            assert!(uses("USING INDEX ix_messages_changed"), "{plan:?}");
            assert!(uses("USING INDEX uq_messages_seq"), "{plan:?}");
            assert!(!plan.iter().any(|d| d.starts_with("SCAN m")), "{plan:?}");
        }
    }
}
