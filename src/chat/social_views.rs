//! What clients see of friends, presence and notifications.

use serde::Serialize;
use utoipa::ToSchema;

use super::views::UserView;
use crate::domain::{
    ConversationId, FriendRequest, FriendRequestId, FriendRequestStatus, MessageId, Notification,
    NotificationId, NotificationKind, PresenceMode, Timestamp,
};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum PresenceStatus {
    Online,
    Offline,
}

/// A user's presence as another user may see it. An invisible user is `offline`,
/// and their mode is not shown.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct PresenceView {
    pub status: PresenceStatus,
    /// `available`, `busy` or `away` while online; absent when offline.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub mode: Option<PresenceMode>,
    #[schema(value_type = Option<String>, format = DateTime)]
    pub last_seen_at: Option<Timestamp>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct FriendView {
    #[serde(flatten)]
    pub user: UserView,
    pub presence: PresenceView,
    #[schema(value_type = String, format = DateTime)]
    pub since: Timestamp,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct FriendRequestView {
    pub id: FriendRequestId,
    pub status: FriendRequestStatus,
    /// The other user: the sender of an incoming request, the recipient of an
    /// outgoing one.
    pub user: UserView,
    pub incoming: bool,
    #[schema(value_type = String, format = DateTime)]
    pub created_at: Timestamp,
}

impl FriendRequestView {
    pub fn new(r: &FriendRequest, other: UserView, incoming: bool) -> Self {
        Self {
            id: r.id,
            status: r.status,
            user: other,
            incoming,
            created_at: r.created_at,
        }
    }
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct NotificationView {
    pub id: NotificationId,
    /// Position in the recipient's notification stream.
    pub seq: i64,
    pub kind: NotificationKind,
    /// Who caused it (sent the request, added you, mentioned you).
    pub actor: Option<UserView>,
    pub conversation_id: Option<ConversationId>,
    pub message_id: Option<MessageId>,
    pub request_id: Option<FriendRequestId>,
    #[schema(value_type = String, format = DateTime)]
    pub created_at: Timestamp,
    #[schema(value_type = Option<String>, format = DateTime)]
    pub read_at: Option<Timestamp>,
}

impl NotificationView {
    pub fn new(n: &Notification, actor: Option<UserView>) -> Self {
        Self {
            id: n.id,
            seq: n.seq,
            kind: n.kind,
            actor,
            conversation_id: n.conversation_id,
            message_id: n.message_id,
            request_id: n.request_id,
            created_at: n.created_at,
            read_at: n.read_at,
        }
    }
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct NotificationsPage {
    /// Newest first.
    pub items: Vec<NotificationView>,
    pub unread_count: i64,
    /// Pass as `before_seq` for the next page.
    pub next_before_seq: Option<i64>,
}
