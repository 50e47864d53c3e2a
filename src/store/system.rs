//! System messages: a group change (member added, removed, left; renamed) stored
//! as a `system` message in the conversation's `seq`, in the same transaction as
//! the change, so every member's history shows who did what and when.

use super::{Store, StoreResult, Tx};
use crate::domain::{
    ConversationId, Message, MessageId, MessageKind, SystemNote, Timestamp, UserId,
};

impl Store {
    /// Appends `note` by `actor` to `conversation` as the next message. Call it
    /// after the change it records, in the change's transaction: the change takes
    /// one `ev`, the message the next one (and the next `seq`).
    pub(super) async fn append_system(
        &self,
        tx: &mut Tx<'_>,
        conversation: ConversationId,
        actor: UserId,
        note: &SystemNote,
        now: Timestamp,
    ) -> StoreResult<Message> {
        let (seq, ev) = self.bump(tx, conversation, true, now).await?;
        let id = MessageId::new();
        let body = serde_json::to_string(note).map_err(|e| super::StoreError::Other(e.into()))?;
        let message = Message {
            id,
            conversation_id: conversation,
            seq,
            ev,
            created_ev: ev,
            sender_id: actor,
            // Unique per sender like any client_msg_id; never sent by a client.
            client_msg_id: format!("system:{id}"),
            kind: MessageKind::System,
            body,
            reply_to: None,
            created_at: now,
            edited_at: None,
            deleted_at: None,
            attachments: Vec::new(),
            reactions: Vec::new(),
        };
        let sql = self.sql(
            "INSERT INTO messages (id, conversation_id, seq, ev, created_ev, sender_id, \
             client_msg_id, kind, body, reply_to, created_at, edited_at, deleted_at) \
             VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, NULL, ?, NULL, NULL)",
        );
        sqlx::query(&sql)
            .bind(message.id.to_string())
            .bind(conversation.to_string())
            .bind(seq)
            .bind(ev)
            .bind(ev)
            .bind(actor.to_string())
            .bind(message.client_msg_id.clone())
            .bind(MessageKind::System.as_str())
            .bind(message.body.clone())
            .bind(now.millis())
            .execute(&mut **tx)
            .await?;
        Ok(message)
    }
}
