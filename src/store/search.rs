//! Full-text search over message bodies, one query per backend's own index
//! (SQLite FTS5, PostgreSQL GIN on `to_tsvector('simple', body)`, InnoDB
//! FULLTEXT): only conversations the searcher is or was in (a former member up to
//! the moment they left), text messages not deleted, newest first, in pages.

use super::{rows, Backend, Store, StoreResult};
use crate::domain::{ConversationId, Message, Timestamp, UserId};

/// One page of a message search. `words` are lowercase letters and digits
/// only (the use case makes sure), each matched as a word prefix; all must match.
pub struct MessageSearch<'a> {
    pub user: UserId,
    pub words: &'a [String],
    pub conversation: Option<ConversationId>,
    pub sender: Option<UserId>,
    /// Sent at or after.
    pub since: Option<Timestamp>,
    /// Sent before.
    pub until: Option<Timestamp>,
    /// Messages older than this (created_at, id) position: the previous page's last.
    pub after: Option<(i64, String)>,
    pub limit: u32,
}

impl Store {
    pub async fn search_messages(&self, s: &MessageSearch<'_>) -> StoreResult<Vec<Message>> {
        // The words are letters and digits only: nothing in them is syntax.
        let (from, matches, query) = match self.backend {
            Backend::Sqlite => (
                "messages_fts f JOIN messages m ON m.rowid = f.rowid",
                "messages_fts MATCH ?",
                s.words
                    .iter()
                    .map(|w| format!("\"{w}\"*"))
                    .collect::<Vec<_>>()
                    .join(" AND "),
            ),
            Backend::Postgres => (
                "messages m",
                "to_tsvector('simple', m.body) @@ to_tsquery('simple', ?)",
                s.words
                    .iter()
                    .map(|w| format!("{w}:*"))
                    .collect::<Vec<_>>()
                    .join(" & "),
            ),
            Backend::MySql => (
                "messages m",
                "MATCH (m.body) AGAINST (? IN BOOLEAN MODE)",
                s.words
                    .iter()
                    .map(|w| format!("+{w}*"))
                    .collect::<Vec<_>>()
                    .join(" "),
            ),
        };
        let mut sql = format!(
            "SELECT {} FROM {from} JOIN members mb ON mb.conversation_id = m.conversation_id \
             AND mb.user_id = ? WHERE {matches} AND m.kind = 'text' AND m.deleted_at IS NULL \
             AND (mb.left_seq IS NULL OR m.seq <= mb.left_seq)",
            rows::MESSAGE_COLUMNS
        );
        if s.conversation.is_some() {
            sql.push_str(" AND m.conversation_id = ?");
        }
        if s.sender.is_some() {
            sql.push_str(" AND m.sender_id = ?");
        }
        if s.since.is_some() {
            sql.push_str(" AND m.created_at >= ?");
        }
        if s.until.is_some() {
            sql.push_str(" AND m.created_at < ?");
        }
        if s.after.is_some() {
            sql.push_str(" AND (m.created_at < ? OR (m.created_at = ? AND m.id < ?))");
        }
        sql.push_str(" ORDER BY m.created_at DESC, m.id DESC LIMIT ?");
        let sql = self.sql(&sql);
        let mut q = sqlx::query(&sql).bind(s.user.to_string()).bind(query);
        if let Some(c) = s.conversation {
            q = q.bind(c.to_string());
        }
        if let Some(u) = s.sender {
            q = q.bind(u.to_string());
        }
        if let Some(t) = s.since {
            q = q.bind(t.millis());
        }
        if let Some(t) = s.until {
            q = q.bind(t.millis());
        }
        if let Some((at, id)) = &s.after {
            q = q.bind(*at).bind(*at).bind(id.clone());
        }
        let rows = q.bind(i64::from(s.limit)).fetch_all(&self.pool).await?;
        self.messages_from(&rows).await
    }
}
