//! Reactions: rows of (message, user, emoji). A change is made under the
//! conversation's ev bump (which locks the conversation row, so two changes to
//! one message never interleave), moves the message's ev to it (streamed and
//! replayed like an edit) and keeps `messages.reacted` as the row count, so pages
//! of messages look reactions up only for messages that have some.

use std::collections::HashMap;

use sqlx::{any::AnyRow, AnyConnection, Row};

use super::{affected, placeholders, rows, Store, StoreResult};
use crate::domain::{
    ConversationId, Emoji, Message, MessageId, Reaction, Timestamp, UserId, MAX_REACTION_KINDS,
};

/// What a reaction change did.
pub enum Reacted {
    /// The message after the change (boxed: the other outcomes carry nothing).
    Changed(Box<Message>),
    /// Already so (added twice, or removed when absent): nothing stored.
    Unchanged,
    /// A new emoji on a message that already has the most kinds.
    TooMany,
    /// No such message in the conversation, or it is deleted.
    Gone,
}

impl Store {
    /// Adds (`add`) or removes `user`'s `emoji` on message `id`.
    pub async fn react(
        &self,
        conversation: ConversationId,
        id: MessageId,
        user: UserId,
        emoji: &Emoji,
        add: bool,
        now: Timestamp,
    ) -> StoreResult<Reacted> {
        let mut tx = self.pool.begin().await?;
        let (_, ev) = self.bump(&mut tx, conversation, false, now).await?;
        let (mid, conv, uid) = (id.to_string(), conversation.to_string(), user.to_string());
        let live: Option<(i64,)> = sqlx::query_as(&self.sql(
            "SELECT seq FROM messages WHERE id = ? AND conversation_id = ? AND deleted_at IS NULL",
        ))
        .bind(&mid)
        .bind(&conv)
        .fetch_optional(&mut *tx)
        .await?;
        if live.is_none() {
            tx.rollback().await?;
            return Ok(Reacted::Gone);
        }
        let kinds: Vec<(String, String)> =
            sqlx::query_as(&self.sql("SELECT emoji, user_id FROM reactions WHERE message_id = ?"))
                .bind(&mid)
                .fetch_all(&mut *tx)
                .await?;
        let mine = kinds.iter().any(|(e, u)| e == emoji.as_str() && *u == uid);
        let known = kinds.iter().any(|(e, _)| e == emoji.as_str());
        let distinct = kinds
            .iter()
            .map(|(e, _)| e.as_str())
            .collect::<std::collections::HashSet<_>>()
            .len();
        let step = match (add, mine) {
            (true, true) | (false, false) => {
                tx.rollback().await?;
                return Ok(Reacted::Unchanged);
            }
            (true, false) if !known && distinct >= MAX_REACTION_KINDS => {
                tx.rollback().await?;
                return Ok(Reacted::TooMany);
            }
            (true, false) => {
                sqlx::query(&self.sql(
                    "INSERT INTO reactions (message_id, user_id, emoji, conversation_id, created_at) \
                     VALUES (?, ?, ?, ?, ?)",
                ))
                .bind(&mid)
                .bind(&uid)
                .bind(emoji.as_str().to_owned())
                .bind(&conv)
                .bind(now.millis())
                .execute(&mut *tx)
                .await?;
                1
            }
            (false, true) => {
                affected(
                    sqlx::query(&self.sql(
                        "DELETE FROM reactions WHERE message_id = ? AND user_id = ? AND emoji = ?",
                    ))
                    .bind(&mid)
                    .bind(&uid)
                    .bind(emoji.as_str().to_owned())
                    .execute(&mut *tx)
                    .await?,
                );
                -1
            }
        };
        sqlx::query(&self.sql("UPDATE messages SET ev = ?, reacted = reacted + ? WHERE id = ?"))
            .bind(ev)
            .bind(step)
            .bind(&mid)
            .execute(&mut *tx)
            .await?;
        let sql = format!(
            "SELECT {} FROM messages m WHERE m.id = ?",
            rows::MESSAGE_COLUMNS
        );
        let row = sqlx::query(&self.sql(&sql))
            .bind(&mid)
            .fetch_one(&mut *tx)
            .await?;
        let message = self.messages_in(&mut tx, &[row]).await?.pop();
        tx.commit().await?;
        Ok(message.map_or(Reacted::Gone, |m| Reacted::Changed(Box::new(m))))
    }

    /// Message rows as messages, with the reactions of those that have some
    /// (one query for all of them; none when no message has any).
    pub(super) async fn messages_from(&self, rows: &[AnyRow]) -> StoreResult<Vec<Message>> {
        if !rows.iter().any(reacted) {
            return Ok(rows.iter().map(rows::message).collect::<Result<_, _>>()?);
        }
        let mut conn = self.pool.acquire().await?;
        self.messages_in(&mut conn, rows).await
    }

    /// [`Store::messages_from`] on a given connection (inside a transaction).
    pub(super) async fn messages_in(
        &self,
        conn: &mut AnyConnection,
        rows: &[AnyRow],
    ) -> StoreResult<Vec<Message>> {
        let mut msgs: Vec<Message> = rows.iter().map(rows::message).collect::<Result<_, _>>()?;
        let ids: Vec<String> = rows
            .iter()
            .zip(&msgs)
            .filter(|(r, _)| reacted(r))
            .map(|(_, m)| m.id.to_string())
            .collect();
        if ids.is_empty() {
            return Ok(msgs);
        }
        let sql = reactions_sql(ids.len());
        let sql = self.sql(&sql);
        let mut q = sqlx::query_as::<_, (String, String, String)>(&sql);
        for id in &ids {
            q = q.bind(id.clone());
        }
        attach_reactions(&mut msgs, q.fetch_all(&mut *conn).await?);
        Ok(msgs)
    }
}

/// The reactions of `n` messages, as (message, emoji, user), in the order they
/// were made (the first to react leads a chip).
pub(super) fn reactions_sql(n: usize) -> String {
    format!(
        "SELECT message_id, emoji, user_id FROM reactions WHERE message_id IN ({}) \
         ORDER BY created_at, user_id",
        placeholders(n)
    )
}

/// Groups (message, emoji, user) rows by message and emoji onto `msgs`.
pub(super) fn attach_reactions(
    msgs: &mut [Message],
    rows: impl IntoIterator<Item = (String, String, String)>,
) {
    let mut by_message: HashMap<String, Vec<Reaction>> = HashMap::new();
    for (message, emoji, user) in rows {
        let Ok(user) = user.parse::<UserId>() else {
            continue;
        };
        let list = by_message.entry(message).or_default();
        match list.iter_mut().find(|r| r.emoji.as_str() == emoji) {
            Some(r) => r.user_ids.push(user),
            None => list.push(Reaction {
                emoji: Emoji::from_stored(emoji),
                user_ids: vec![user],
            }),
        }
    }
    for m in msgs {
        if let Some(r) = by_message.remove(&m.id.to_string()) {
            m.reactions = r;
        }
    }
}

fn reacted(row: &AnyRow) -> bool {
    row.try_get::<i64, _>("m_reacted").is_ok_and(|n| n > 0)
}
