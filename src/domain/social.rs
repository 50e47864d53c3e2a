//! Friends, blocking, presence modes, the messaging policy and notifications.

use serde::{Deserialize, Serialize};

use super::{ConversationId, FriendRequestId, MessageId, NotificationId, Role, Timestamp, UserId};

macro_rules! text_enum {
    ($t:ident { $($v:ident = $s:literal),* $(,)? }) => {
        impl $t {
            pub fn as_str(self) -> &'static str {
                match self { $(Self::$v => $s),* }
            }
        }
        impl std::fmt::Display for $t {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }
        impl std::str::FromStr for $t {
            type Err = String;
            fn from_str(s: &str) -> Result<Self, String> {
                match s.trim().to_ascii_lowercase().as_str() {
                    $($s => Ok(Self::$v),)*
                    _ => Err(format!("unknown value {s:?}; expected one of: {}", [$($s),*].join(", "))),
                }
            }
        }
    };
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum FriendRequestStatus {
    Pending,
    Accepted,
    Rejected,
    Cancelled,
}
text_enum!(FriendRequestStatus { Pending = "pending", Accepted = "accepted", Rejected = "rejected", Cancelled = "cancelled" });

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FriendRequest {
    pub id: FriendRequestId,
    pub sender_id: UserId,
    pub recipient_id: UserId,
    pub status: FriendRequestStatus,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
}

impl FriendRequest {
    /// The unique key of a pending request, one per direction.
    pub fn pending_key(sender: UserId, recipient: UserId) -> String {
        format!("{sender}:{recipient}")
    }
}

/// What a user shows others. `invisible` appears offline.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum PresenceMode {
    Available,
    Busy,
    Away,
    Invisible,
}
text_enum!(PresenceMode { Available = "available", Busy = "busy", Away = "away", Invisible = "invisible" });

/// Who may add the user to a group directly; anyone else's addition becomes an
/// invitation the user accepts or declines (docs/permissions.md).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum GroupInvites {
    Everyone,
    Friends,
    Nobody,
}
text_enum!(GroupInvites { Everyone = "everyone", Friends = "friends", Nobody = "nobody" });

/// Which missed messages a digest mail reports to a user who is away.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum EmailNotify {
    /// No digest mail.
    Off,
    /// Direct messages and mentions (the default).
    Mentions,
    /// Every conversation's messages.
    All,
}
text_enum!(EmailNotify { Off = "off", Mentions = "mentions", All = "all" });

/// Who may start a direct conversation with whom; server-wide (docs/permissions.md).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum MessagingPolicy {
    /// Only friends.
    Friends,
    /// A patient only with a doctor; a doctor or admin with anyone.
    Care,
    /// Anyone with anyone (who has not blocked them).
    Open,
}
text_enum!(MessagingPolicy { Friends = "friends", Care = "care", Open = "open" });

impl MessagingPolicy {
    /// May a user with `from` role start a conversation with a user of `to` role?
    /// Blocks are checked separately; they apply under every policy.
    pub fn allows(self, from: Role, to: Role, are_friends: bool) -> bool {
        match self {
            MessagingPolicy::Friends => are_friends,
            MessagingPolicy::Care => from != Role::Patient || to == Role::Doctor,
            MessagingPolicy::Open => true,
        }
    }

    /// The refusal, in words a user understands.
    pub fn refusal(self) -> &'static str {
        match self {
            MessagingPolicy::Friends => {
                "on this server you can only message your friends; send a friend request first"
            }
            MessagingPolicy::Care => "patients can start conversations with doctors only",
            MessagingPolicy::Open => "you cannot start a conversation with this user",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum NotificationKind {
    FriendRequest,
    FriendAccepted,
    FriendRejected,
    GroupAdded,
    GroupInvited,
    Mention,
}
text_enum!(NotificationKind {
    FriendRequest = "friend_request",
    FriendAccepted = "friend_accepted",
    FriendRejected = "friend_rejected",
    GroupAdded = "group_added",
    GroupInvited = "group_invited",
    Mention = "mention",
});

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Notification {
    pub id: NotificationId,
    pub user_id: UserId,
    /// Position in the user's notification stream: 1, 2, 3...
    pub seq: i64,
    pub kind: NotificationKind,
    pub actor_id: UserId,
    pub conversation_id: Option<ConversationId>,
    pub message_id: Option<MessageId>,
    pub request_id: Option<FriendRequestId>,
    pub created_at: Timestamp,
    pub read_at: Option<Timestamp>,
}

/// The usernames `@mentioned` in a message body, case-folded, each once. A mention
/// starts at the beginning or after a character that cannot be part of a username
/// (so `a@b.org` is not one).
pub fn mentions(body: &str) -> Vec<String> {
    let is_name = |c: char| c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '-');
    let chars: Vec<char> = body.chars().collect();
    let mut found: Vec<String> = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        if chars[i] == '@' && (i == 0 || !is_name(chars[i - 1])) {
            let name: String = chars[i + 1..].iter().take_while(|c| is_name(**c)).collect();
            // A trailing '.' or '-' is punctuation ("thanks @ann.").
            let name = name.trim_end_matches(['.', '-']).to_ascii_lowercase();
            if (3..=32).contains(&name.len()) && !found.contains(&name) {
                found.push(name.clone());
            }
            i += 1 + name.len();
        } else {
            i += 1;
        }
    }
    found
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn policy_table() {
        use Role::*;
        let p = MessagingPolicy::Care;
        assert!(p.allows(Patient, Doctor, false));
        assert!(
            !p.allows(Patient, Patient, true),
            "friendship does not matter under care"
        );
        assert!(!p.allows(Patient, Admin, false));
        assert!(
            p.allows(Doctor, Patient, false)
                && p.allows(Admin, Patient, false)
                && p.allows(Doctor, Doctor, false)
        );
        assert!(MessagingPolicy::Friends.allows(Patient, Patient, true));
        assert!(!MessagingPolicy::Friends.allows(Admin, Doctor, false));
        assert!(MessagingPolicy::Open.allows(Patient, Patient, false));
        assert_eq!(
            "CARE".parse::<MessagingPolicy>().unwrap(),
            MessagingPolicy::Care
        );
        assert!("closed".parse::<MessagingPolicy>().is_err());
    }

    #[test]
    fn finds_mentions() {
        assert_eq!(
            mentions("hi @Ann and @bob_1, see @ann."),
            vec!["ann", "bob_1"]
        );
        assert!(mentions("mail me at ann@example.org").is_empty());
        assert!(mentions("@ab is too short, @ alone too").is_empty());
        assert_eq!(mentions("(@carol)"), vec!["carol"]);
    }
}
