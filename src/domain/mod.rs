//! Pure types of the product. Parse, don't validate: once a value of these types
//! exists it is valid. No I/O, and nothing from the rest of the crate.

pub mod attachment;
pub mod conversation;
pub mod ids;
pub mod message;
pub mod password;
pub mod permission;
pub mod profile;
pub mod rate;
pub mod role;
pub mod social;
pub mod time;
pub mod user;
pub mod username;

pub use attachment::{Attachment, AttachmentKind, Upload};
pub use conversation::{
    Conversation, ConversationKind, GroupName, Member, MemberRole, MUTED_FOREVER,
};
pub use ids::{
    ConversationId, FriendRequestId, MailId, MessageId, NotificationId, PushId, PushSubscriptionId,
    SessionId, UploadId, UserId,
};
pub use message::{
    ClientMsgId, Emoji, GroupChange, Message, MessageBody, MessageKind, Reaction, SystemNote,
    MAX_REACTION_KINDS,
};
pub use password::Password;
pub use permission::Permission;
pub use profile::{Bio, Email, FullName, StatusText};
pub use rate::Rate;
pub use role::Role;
pub use social::{
    EmailNotify, FriendRequest, FriendRequestStatus, GroupInvites, MessagingPolicy, Notification,
    NotificationKind, PresenceMode,
};
pub use time::Timestamp;
pub use user::{Session, User};
pub use username::Username;

/// Why an input was refused: the field, a stable code, and a sentence for people.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Invalid {
    pub field: &'static str,
    pub code: &'static str,
    pub message: String,
}

impl Invalid {
    pub fn new(field: &'static str, code: &'static str, message: impl Into<String>) -> Self {
        Self {
            field,
            code,
            message: message.into(),
        }
    }
}
