//! Receipts: a member's read marker (how far they have read) and delivery marker
//! (how far their devices have received: a client says so when messages reach
//! it). Each is a stored change with its own `ev`, sent to every member and
//! replayed on resume; neither ever moves back. A read implies delivery up to it;
//! clients show the larger of the two as delivered.

use serde::Deserialize;
use utoipa::ToSchema;

use super::{events::Event, Chat, Principal};
use crate::{
    domain::{ConversationId, Member, Timestamp},
    error::{AppError, AppResult},
    store::members::Marker,
};

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReadInput {
    pub seq: i64,
}

#[derive(Debug, serde::Serialize, ToSchema)]
pub struct ReadState {
    pub conversation_id: ConversationId,
    /// The caller's read marker after the call (it never moves back).
    pub last_read_seq: i64,
}

#[derive(Debug, serde::Serialize, ToSchema)]
pub struct DeliveredState {
    pub conversation_id: ConversationId,
    /// The caller's delivery marker after the call (it never moves back).
    pub last_delivered_seq: i64,
}

impl Chat {
    /// Moves the caller's read marker forward and tells the members.
    pub async fn mark_read(
        &self,
        who: &Principal,
        conversation: ConversationId,
        input: ReadInput,
    ) -> AppResult<ReadState> {
        let last_read_seq = self
            .move_marker(who, conversation, Marker::Read, input.seq)
            .await?;
        Ok(ReadState {
            conversation_id: conversation,
            last_read_seq,
        })
    }

    /// Moves the caller's delivery marker forward (messages up to `seq` reached
    /// one of their devices) and tells the members.
    pub async fn mark_delivered(
        &self,
        who: &Principal,
        conversation: ConversationId,
        input: ReadInput,
    ) -> AppResult<DeliveredState> {
        let last_delivered_seq = self
            .move_marker(who, conversation, Marker::Delivered, input.seq)
            .await?;
        Ok(DeliveredState {
            conversation_id: conversation,
            last_delivered_seq,
        })
    }

    /// The marker after the call: moved and announced, or as it was.
    async fn move_marker(
        &self,
        who: &Principal,
        conversation: ConversationId,
        marker: Marker,
        seq: i64,
    ) -> AppResult<i64> {
        if seq < 0 {
            return Err(AppError::invalid(
                "seq",
                "invalid_seq",
                "seq must not be negative",
            ));
        }
        let (_, me) = self.active_membership(who, conversation).await?;
        let moved = self
            .store
            .move_marker(conversation, who.user_id, marker, seq, Timestamp::now())
            .await?;
        let Some((seq, ev)) = moved else {
            return Ok(match marker {
                Marker::Read => me.last_read_seq,
                Marker::Delivered => me.last_delivered_seq,
            }
            .max(0));
        };
        let to = self.store.active_member_ids(conversation).await?;
        let (conversation_id, user_id) = (conversation, who.user_id);
        let event = match marker {
            Marker::Read => Event::Read {
                conversation_id,
                ev,
                user_id,
                seq,
            },
            Marker::Delivered => Event::Delivered {
                conversation_id,
                ev,
                user_id,
                seq,
            },
        };
        self.publish(to, &event, None);
        Ok(seq)
    }
}

/// A member's markers as the events a resuming client missed: those that moved
/// after `after_ev` (and, with a cap, not after it).
pub(super) fn marker_events(m: &Member, after_ev: i64, limit_ev: Option<i64>) -> Vec<Event> {
    let within = |ev: i64| ev > after_ev && limit_ev.is_none_or(|l| ev <= l);
    let mut out = Vec::new();
    if within(m.read_ev) {
        out.push(Event::Read {
            conversation_id: m.conversation_id,
            ev: m.read_ev,
            user_id: m.user_id,
            seq: m.last_read_seq,
        });
    }
    if within(m.delivered_ev) {
        out.push(Event::Delivered {
            conversation_id: m.conversation_id,
            ev: m.delivered_ev,
            user_id: m.user_id,
            seq: m.last_delivered_seq,
        });
    }
    out
}
