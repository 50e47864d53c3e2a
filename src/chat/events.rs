//! The events of the real-time stream, and publishing them. Each is serialised
//! once, here, and the same bytes go to every recipient connection.

use serde::Serialize;
use utoipa::ToSchema;

use super::{
    conversation_views::{ConversationInfo, MessageView},
    social_views::{NotificationView, PresenceView},
    Chat,
};
use crate::{
    bus::{Envelope, StreamKey},
    domain::{ConversationId, UserId},
};

/// Ordered events carry the conversation's position `ev`; clients keep the highest
/// `ev` seen per conversation and resume from it. `typing` is ephemeral: no `ev`,
/// never replayed.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(tag = "type")]
pub enum Event {
    #[serde(rename = "message.new")]
    MessageNew {
        conversation_id: ConversationId,
        ev: i64,
        message: MessageView,
    },
    #[serde(rename = "message.updated")]
    MessageUpdated {
        conversation_id: ConversationId,
        ev: i64,
        message: MessageView,
    },
    #[serde(rename = "message.deleted")]
    MessageDeleted {
        conversation_id: ConversationId,
        ev: i64,
        message: MessageView,
    },
    #[serde(rename = "message.restored")]
    MessageRestored {
        conversation_id: ConversationId,
        ev: i64,
        message: MessageView,
    },
    #[serde(rename = "read")]
    Read {
        conversation_id: ConversationId,
        ev: i64,
        user_id: UserId,
        seq: i64,
    },
    /// A member's devices received the conversation up to `seq`.
    #[serde(rename = "delivered")]
    Delivered {
        conversation_id: ConversationId,
        ev: i64,
        user_id: UserId,
        seq: i64,
    },
    #[serde(rename = "conversation.new")]
    ConversationNew {
        conversation_id: ConversationId,
        ev: i64,
        conversation: ConversationInfo,
    },
    #[serde(rename = "conversation.updated")]
    ConversationUpdated {
        conversation_id: ConversationId,
        ev: i64,
        conversation: ConversationInfo,
    },
    #[serde(rename = "typing")]
    Typing {
        conversation_id: ConversationId,
        user_id: UserId,
        state: TypingState,
        expires_in_ms: u64,
    },
    /// A user the recipient may see came online, went offline or changed mode.
    #[serde(rename = "presence")]
    Presence {
        user_id: UserId,
        presence: PresenceView,
    },
    /// One of the recipient's sessions ended (logout, revocation, password
    /// change or reset, deactivation): each of their connections, on any node,
    /// re-checks its own session at once. Never forwarded to clients.
    #[serde(rename = "sessions.changed")]
    SessionsChanged {},
    /// A notification for the recipient; `seq` is its position in their inbox.
    #[serde(rename = "notification.new")]
    NotificationNew {
        seq: i64,
        notification: NotificationView,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, serde::Deserialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum TypingState {
    Start,
    Stop,
}

impl Event {
    pub fn position(&self) -> Option<(StreamKey, i64)> {
        match self {
            Event::NotificationNew { seq, .. } => Some((StreamKey::Inbox, *seq)),
            Event::Typing { .. } | Event::Presence { .. } | Event::SessionsChanged {} => None,
            Event::MessageNew {
                conversation_id,
                ev,
                ..
            }
            | Event::MessageUpdated {
                conversation_id,
                ev,
                ..
            }
            | Event::MessageDeleted {
                conversation_id,
                ev,
                ..
            }
            | Event::MessageRestored {
                conversation_id,
                ev,
                ..
            }
            | Event::Read {
                conversation_id,
                ev,
                ..
            }
            | Event::Delivered {
                conversation_id,
                ev,
                ..
            }
            | Event::ConversationNew {
                conversation_id,
                ev,
                ..
            }
            | Event::ConversationUpdated {
                conversation_id,
                ev,
                ..
            } => Some((StreamKey::Conversation(*conversation_id), *ev)),
        }
    }

    pub fn to_bytes(&self) -> bytes::Bytes {
        // Serialising these plain structs cannot fail.
        serde_json::to_vec(self)
            .map(bytes::Bytes::from)
            .unwrap_or_default()
    }
}

impl Chat {
    /// Sends `event` to every connection of `recipients` (except `except`'s).
    /// Tells `user`'s connections everywhere that a session of theirs ended.
    pub(super) fn sessions_changed(&self, user: UserId) {
        self.publish(vec![user], &Event::SessionsChanged {}, None);
    }

    pub(super) fn publish(&self, recipients: Vec<UserId>, event: &Event, except: Option<UserId>) {
        if recipients.is_empty() {
            return;
        }
        self.bus.publish(Envelope {
            recipients,
            position: event.position(),
            except,
            frame: event.to_bytes(),
            meta_changed: matches!(
                event,
                Event::ConversationUpdated { .. } | Event::ConversationNew { .. }
            ),
            born: std::time::Instant::now(),
        });
    }
}
