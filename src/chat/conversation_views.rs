//! What clients see of conversations and messages.

use serde::Serialize;
use utoipa::ToSchema;

use crate::domain::{
    Conversation, ConversationId, ConversationKind, Member, MemberRole, Message, MessageId,
    MessageKind, Timestamp, User, UserId,
};

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct MessageView {
    pub id: MessageId,
    pub conversation_id: ConversationId,
    /// Position among the conversation's messages: 1, 2, 3... no gaps.
    pub seq: i64,
    /// Position of this message's latest change in the conversation's event stream.
    pub ev: i64,
    pub sender_id: UserId,
    pub client_msg_id: String,
    pub kind: MessageKind,
    /// `null` while the message is deleted (a tombstone keeps its place and seq),
    /// and for `system` messages, which carry `system` instead.
    pub body: Option<String>,
    /// For `kind: "system"`: the group change it records (the sender is who made it).
    #[serde(skip_serializing_if = "Option::is_none")]
    /// Boxed: rare, and it would otherwise widen every message view.
    pub system: Option<Box<crate::domain::SystemNote>>,
    pub reply_to: Option<MessageId>,
    #[schema(value_type = String, format = DateTime)]
    pub created_at: Timestamp,
    #[schema(value_type = Option<String>, format = DateTime)]
    pub edited_at: Option<Timestamp>,
    #[schema(value_type = Option<String>, format = DateTime)]
    pub deleted_at: Option<Timestamp>,
    /// Files and images the message carries, in the order sent (empty while the
    /// message is deleted). Metadata only: `POST /api/v1/files/urls` gives the
    /// URLs to fetch them.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub attachments: Vec<crate::domain::Attachment>,
    /// Emoji reactions, first reaction first, each with who reacted (absent when
    /// none, and while the message is deleted).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub reactions: Vec<ReactionView>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ReactionView {
    #[schema(example = "👍")]
    pub emoji: String,
    /// Who reacted with it, earliest first.
    pub user_ids: Vec<UserId>,
}

impl From<&Message> for MessageView {
    fn from(m: &Message) -> Self {
        Self {
            id: m.id,
            conversation_id: m.conversation_id,
            seq: m.seq,
            ev: m.ev,
            sender_id: m.sender_id,
            client_msg_id: m.client_msg_id.clone(),
            kind: m.kind,
            body: (m.deleted_at.is_none() && m.kind == MessageKind::Text).then(|| m.body.clone()),
            system: (m.kind == MessageKind::System)
                .then(|| serde_json::from_str(&m.body).ok().map(Box::new))
                .flatten(),
            reply_to: m.reply_to,
            attachments: if m.deleted_at.is_none() {
                m.attachments.clone()
            } else {
                Vec::new()
            },
            created_at: m.created_at,
            edited_at: m.edited_at,
            deleted_at: m.deleted_at,
            reactions: if m.deleted_at.is_none() {
                m.reactions
                    .iter()
                    .map(|r| ReactionView {
                        emoji: r.emoji.as_str().to_owned(),
                        user_ids: r.user_ids.clone(),
                    })
                    .collect()
            } else {
                Vec::new()
            },
        }
    }
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct MemberView {
    pub user_id: UserId,
    pub username: String,
    pub full_name: String,
    pub role: MemberRole,
    pub last_read_seq: i64,
    /// How far this member's devices have received the conversation (their
    /// `delivered` receipts; a read implies delivery, so take the larger).
    pub last_delivered_seq: i64,
    #[schema(value_type = String, format = DateTime)]
    pub joined_at: Timestamp,
    /// Present in the caller's own views (lists, `GET`), for members the caller may
    /// see; absent in broadcast events.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub presence: Option<super::social_views::PresenceView>,
    /// Present (true) for a deactivated user: they stay a member, so their
    /// messages keep a sender, but show no name, username or presence.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub deactivated: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub avatar_id: Option<crate::domain::UploadId>,
}

impl MemberView {
    pub fn new(m: &Member, u: &User) -> Self {
        let active = u.is_active();
        Self {
            user_id: m.user_id,
            username: if active {
                u.username.to_string()
            } else {
                String::new()
            },
            full_name: if active {
                u.full_name.clone()
            } else {
                "Deactivated user".to_owned()
            },
            role: m.role,
            last_read_seq: m.last_read_seq,
            last_delivered_seq: m.last_delivered_seq,
            joined_at: m.joined_at,
            presence: None,
            deactivated: !active,
            avatar_id: u.avatar_id.filter(|_| active),
        }
    }
}

/// A conversation as every member sees it.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ConversationInfo {
    pub id: ConversationId,
    pub kind: ConversationKind,
    /// Group name; `null` for direct conversations.
    pub name: Option<String>,
    pub created_by: UserId,
    #[schema(value_type = String, format = DateTime)]
    pub created_at: Timestamp,
    pub last_seq: i64,
    /// The conversation's current position; resume from it.
    pub ev: i64,
    #[schema(value_type = String, format = DateTime)]
    pub last_activity_at: Timestamp,
    /// Current members; for a former member, those of them who were there
    /// when they left, with read and delivery positions up to then.
    pub members: Vec<MemberView>,
    /// A group's picture (`POST /avatars/urls` gives its URL).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub avatar_id: Option<crate::domain::UploadId>,
}

impl ConversationInfo {
    pub fn new(c: &Conversation, members: Vec<MemberView>) -> Self {
        Self {
            id: c.id,
            kind: c.kind,
            name: c.name.clone(),
            created_by: c.created_by,
            created_at: c.created_at,
            last_seq: c.last_seq,
            avatar_id: c.avatar_id,
            ev: c.last_ev,
            last_activity_at: c.last_activity_at,
            members,
        }
    }

    /// The conversation as a former member last saw it: how far it went, when
    /// it was last busy, and who was in it and how far they had read stop at
    /// their leaving. What happened since is the remaining members' business (a
    /// patient who left a group does not learn who joined it later). The name,
    /// picture and `ev` stay current: they are not kept as of a moment.
    pub fn as_of_leaving(&mut self, left_seq: i64, left_at: Timestamp) {
        self.last_seq = self.last_seq.min(left_seq);
        self.last_activity_at = self.last_activity_at.min(left_at);
        // A member who left and came back since shows as joined later, so is
        // left out: hiding someone who was there is the safe side.
        self.members.retain(|m| m.joined_at <= left_at);
        for m in &mut self.members {
            m.last_read_seq = m.last_read_seq.min(left_seq);
            m.last_delivered_seq = m.last_delivered_seq.min(left_seq);
        }
    }
}

/// A conversation as one member sees it in their list.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ConversationSummary {
    #[serde(flatten)]
    pub info: ConversationInfo,
    pub last_message: Option<MessageView>,
    /// Messages after the caller's read marker, from others, not deleted,
    /// counted among the 1,000 seqs after the marker (`unread_more` says the
    /// conversation goes on past them: show "1000+", not a total).
    pub unread_count: i64,
    pub unread_more: bool,
    pub last_read_seq: i64,
    /// Set while the caller has the conversation muted (no push, no mail):
    /// until then; 9999-12-31T23:59:59Z for good.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<String>, format = DateTime)]
    pub muted_until: Option<Timestamp>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct MessagesPage {
    /// Ascending by seq.
    pub items: Vec<MessageView>,
    /// More messages exist beyond this page in the direction asked.
    pub has_more: bool,
}
