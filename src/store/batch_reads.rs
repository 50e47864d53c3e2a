//! The reads a resume makes, each for many keys in one statement (batched.rs
//! says when and why). Each answers for distinct keys; a key with no row is
//! absent from the map.

use std::{collections::HashMap, sync::Arc};

use sqlx::{any::AnyRow, Row};

use super::{
    batched::{padded, Batcher, Reading as Read},
    members::{membership_row, Membership},
    placeholders, rows, Store, StoreResult,
};
use crate::domain::{ConversationId, Member, Message, Session, SessionId, User, UserId};

/// What a replay of one conversation asks: changes after an ev, none past a
/// seq, at most a number of them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(super) struct ChangesKey {
    pub conversation: ConversationId,
    pub after_ev: i64,
    pub max_seq: i64,
    pub limit: u32,
}

/// One batcher per read.
pub(super) struct Batches {
    pub sessions: Arc<Batcher<SessionId, Option<(Session, User)>>>,
    pub memberships: Arc<Batcher<UserId, Vec<Membership>>>,
    pub inbox_seqs: Arc<Batcher<UserId, Option<i64>>>,
    pub audiences: Arc<Batcher<UserId, Vec<UserId>>>,
    pub changes: Arc<Batcher<ChangesKey, Vec<Message>>>,
    pub markers: Arc<Batcher<(ConversationId, i64), Vec<Member>>>,
    pub users: Arc<Batcher<UserId, Option<User>>>,
}

impl Batches {
    pub(super) fn new() -> Self {
        Self {
            sessions: Batcher::new("sessions", |s, k| -> Read<'_, _, _> {
                Box::pin(s.sessions_with_users(k))
            }),
            memberships: Batcher::new("memberships", |s, k| -> Read<'_, _, _> {
                Box::pin(s.memberships_of_many(k))
            }),
            inbox_seqs: Batcher::new("inbox_seqs", |s, k| -> Read<'_, _, _> {
                Box::pin(s.inbox_seqs(k))
            }),
            audiences: Batcher::new("audiences", |s, k| -> Read<'_, _, _> {
                Box::pin(s.presence_audiences(k))
            }),
            changes: Batcher::new("changes", |s, k| -> Read<'_, _, _> {
                Box::pin(s.changes_of_many(k))
            }),
            markers: Batcher::new("markers", |s, k| -> Read<'_, _, _> {
                Box::pin(s.markers_of_many(k))
            }),
            users: Batcher::new("users", |s, k| -> Read<'_, _, _> {
                Box::pin(s.users_of_many(k))
            }),
        }
    }
}

/// `sql` with `{list}` replaced by an IN list for `n` keys (padded), and the
/// statement with the keys bound, the last one repeated as padding.
fn in_list(sql: &str, keys: &[String]) -> (String, Vec<String>) {
    let n = padded(keys.len());
    let sql = sql.replace("{list}", &placeholders(n));
    let mut binds = keys.to_vec();
    while binds.len() < n {
        binds.push(keys.last().cloned().unwrap_or_default());
    }
    (sql, binds)
}

impl Store {
    async fn fetch_in(&self, sql: &str, keys: &[String]) -> StoreResult<Vec<AnyRow>> {
        let (sql, binds) = in_list(sql, keys);
        let sql = self.sql(&sql);
        let mut q = sqlx::query(&sql);
        for b in binds {
            q = q.bind(b);
        }
        Ok(q.fetch_all(&self.pool).await?)
    }

    async fn sessions_with_users(
        &self,
        ids: &[SessionId],
    ) -> StoreResult<HashMap<SessionId, Option<(Session, User)>>> {
        let sql = format!(
            "SELECT {}, {} FROM sessions s JOIN users u ON u.id = s.user_id WHERE s.id IN ({{list}})",
            rows::SESSION_COLUMNS,
            rows::USER_COLUMNS
        );
        let keys: Vec<String> = ids.iter().map(|i| i.to_string()).collect();
        let mut out = HashMap::new();
        for r in self.fetch_in(&sql, &keys).await? {
            let session = rows::session(&r)?;
            out.insert(session.id, Some((session, rows::user(&r)?)));
        }
        Ok(out)
    }

    async fn memberships_of_many(
        &self,
        users: &[UserId],
    ) -> StoreResult<HashMap<UserId, Vec<Membership>>> {
        let sql = format!(
            "SELECT {}, {} FROM members mb JOIN conversations c ON c.id = mb.conversation_id \
             WHERE mb.user_id IN ({{list}}) AND mb.left_at IS NULL",
            rows::CONVERSATION_COLUMNS,
            rows::MEMBER_COLUMNS
        );
        let keys: Vec<String> = users.iter().map(|u| u.to_string()).collect();
        let mut out: HashMap<UserId, Vec<Membership>> = HashMap::new();
        for r in self.fetch_in(&sql, &keys).await? {
            let m = membership_row(&r)?;
            out.entry(m.2.user_id).or_default().push(m);
        }
        Ok(out)
    }

    async fn users_of_many(&self, ids: &[UserId]) -> StoreResult<HashMap<UserId, Option<User>>> {
        let sql = format!(
            "SELECT {} FROM users u WHERE u.id IN ({{list}})",
            rows::USER_COLUMNS
        );
        let keys: Vec<String> = ids.iter().map(|i| i.to_string()).collect();
        let mut out = HashMap::new();
        for r in self.fetch_in(&sql, &keys).await? {
            let user = rows::user(&r)?;
            out.insert(user.id, Some(user));
        }
        Ok(out)
    }

    async fn inbox_seqs(&self, users: &[UserId]) -> StoreResult<HashMap<UserId, Option<i64>>> {
        let sql = "SELECT id, inbox_seq FROM users WHERE id IN ({list})";
        let keys: Vec<String> = users.iter().map(|u| u.to_string()).collect();
        let mut out = HashMap::new();
        for r in self.fetch_in(sql, &keys).await? {
            out.insert(rows::parse(&r, "id")?, Some(r.try_get("inbox_seq")?));
        }
        Ok(out)
    }

    /// Each key's first `limit` changes, one limited index range per key in
    /// one statement. Keys of the same conversation overlap; each key takes
    /// from all the rows those that are its own, which are its first `limit`:
    /// its own range returned all of them, and any other row that matches it
    /// comes after them in ev order.
    async fn changes_of_many(
        &self,
        keys: &[ChangesKey],
    ) -> StoreResult<HashMap<ChangesKey, Vec<Message>>> {
        let arm = format!(
            "SELECT * FROM (SELECT {} FROM messages m WHERE m.conversation_id = ? AND m.ev > ? \
             AND m.seq <= ? ORDER BY m.ev LIMIT ?) t",
            rows::MESSAGE_COLUMNS
        );
        let arms: Vec<String> = (0..keys.len()).map(|i| format!("{arm}{i}")).collect();
        let sql = arms.join(" UNION ALL ");
        let sql = self.sql(&sql);
        // As many statement texts as batch sizes: kept only when short.
        let mut q = sqlx::query(&sql).persistent(keys.len() <= 4);
        for k in keys {
            q = q
                .bind(k.conversation.to_string())
                .bind(k.after_ev)
                .bind(k.max_seq)
                .bind(i64::from(k.limit));
        }
        let rows = q.fetch_all(&self.pool).await?;
        let mut all = self.messages_from(&rows).await?;
        all.sort_by_key(|m| (m.conversation_id, m.ev));
        all.dedup_by_key(|m| m.id);
        let mut out = HashMap::new();
        for k in keys {
            let mine: Vec<Message> = all
                .iter()
                .filter(|m| m.conversation_id == k.conversation)
                .filter(|m| m.ev > k.after_ev && m.seq <= k.max_seq)
                .take(k.limit as usize)
                .cloned()
                .collect();
            out.insert(*k, mine);
        }
        Ok(out)
    }

    /// Each key's members whose read or delivery marker moved after its ev,
    /// by read marker.
    async fn markers_of_many(
        &self,
        keys: &[(ConversationId, i64)],
    ) -> StoreResult<HashMap<(ConversationId, i64), Vec<Member>>> {
        let arm = format!(
            "SELECT {} FROM members mb WHERE mb.conversation_id = ? \
             AND (mb.read_ev > ? OR mb.delivered_ev > ?)",
            rows::MEMBER_COLUMNS
        );
        let sql = vec![arm; keys.len()].join(" UNION ALL ");
        let sql = self.sql(&sql);
        let mut q = sqlx::query(&sql).persistent(keys.len() <= 4);
        for (c, after) in keys {
            q = q.bind(c.to_string()).bind(*after).bind(*after);
        }
        let mut all: Vec<Member> = q
            .fetch_all(&self.pool)
            .await?
            .iter()
            .map(rows::member)
            .collect::<Result<_, _>>()?;
        all.sort_by_key(|m| (m.conversation_id, m.user_id));
        all.dedup_by_key(|m| (m.conversation_id, m.user_id));
        all.sort_by_key(|m| m.read_ev);
        let mut out = HashMap::new();
        for &(c, after) in keys {
            let mine = all
                .iter()
                .filter(|m| m.conversation_id == c && (m.read_ev > after || m.delivered_ev > after))
                .cloned()
                .collect();
            out.insert((c, after), mine);
        }
        Ok(out)
    }
}
