use std::{fmt, str::FromStr};

use serde::{Deserialize, Serialize};

use super::{ConversationId, Invalid, Timestamp, UserId};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum ConversationKind {
    /// Exactly one per pair of users.
    Direct,
    /// Named, with an owner, admins and members.
    Group,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum MemberRole {
    Owner,
    Admin,
    Member,
}

macro_rules! text_enum {
    ($t:ty, $($v:ident = $s:literal),*) => {
        impl $t {
            pub fn as_str(self) -> &'static str {
                match self { $(Self::$v => $s),* }
            }
        }
        impl fmt::Display for $t {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.as_str())
            }
        }
        impl FromStr for $t {
            type Err = String;
            fn from_str(s: &str) -> Result<Self, String> {
                match s { $($s => Ok(Self::$v),)* _ => Err(format!("unknown value {s:?}")) }
            }
        }
    };
}

text_enum!(ConversationKind, Direct = "direct", Group = "group");
text_enum!(
    MemberRole,
    Owner = "owner",
    Admin = "admin",
    Member = "member"
);

impl MemberRole {
    /// Owners and admins rename the group, add and remove members, delete others'
    /// messages.
    pub fn manages(self) -> bool {
        matches!(self, MemberRole::Owner | MemberRole::Admin)
    }
}

/// A group's name: 1-100 characters, trimmed, no control characters.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GroupName(String);

impl GroupName {
    pub fn parse(raw: &str) -> Result<Self, Invalid> {
        let s = raw.trim();
        let len = s.chars().count();
        if !(1..=100).contains(&len) {
            return Err(Invalid::new(
                "name",
                "invalid_length",
                "name must be 1 to 100 characters long",
            ));
        }
        if s.chars().any(char::is_control) {
            return Err(Invalid::new(
                "name",
                "invalid_characters",
                "name must not contain control characters",
            ));
        }
        Ok(Self(s.to_owned()))
    }

    pub fn into_inner(self) -> String {
        self.0
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Conversation {
    pub id: ConversationId,
    pub kind: ConversationKind,
    pub name: Option<String>,
    pub created_by: UserId,
    pub created_at: Timestamp,
    /// Seq of the newest message (0 when empty).
    pub last_seq: i64,
    /// Position of the newest change of any kind; clients resume from it.
    pub last_ev: i64,
    pub last_activity_at: Timestamp,
    /// A group's picture, if one was set.
    pub avatar_id: Option<super::UploadId>,
}

impl Conversation {
    /// The unique key of a direct conversation: both user ids, ordered.
    pub fn direct_key(a: UserId, b: UserId) -> String {
        let (lo, hi) = if a <= b { (a, b) } else { (b, a) };
        format!("{lo}:{hi}")
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Member {
    pub conversation_id: ConversationId,
    pub user_id: UserId,
    pub role: MemberRole,
    pub joined_at: Timestamp,
    pub left_at: Option<Timestamp>,
    /// The last seq a former member could see.
    pub left_seq: Option<i64>,
    pub last_read_seq: i64,
    pub read_ev: i64,
    /// How far this member's devices have received the conversation (a client's
    /// receipt); like the read marker, never moving back.
    pub last_delivered_seq: i64,
    pub delivered_ev: i64,
    /// Muted (no push, no mail) until then; `MUTED_FOREVER` for good.
    pub muted_until: Option<Timestamp>,
}

/// `muted_until` of a conversation muted for good (9999-12-31T23:59:59Z).
pub const MUTED_FOREVER: Timestamp = Timestamp(253_402_300_799_000);

impl Member {
    pub fn is_active(&self) -> bool {
        self.left_at.is_none()
    }

    /// Highest seq this member may read: everything while a member, up to the
    /// moment of leaving afterwards.
    pub fn visible_until(&self) -> i64 {
        self.left_seq.unwrap_or(i64::MAX)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn direct_key_is_the_same_either_way_round() {
        let (a, b) = (UserId::new(), UserId::new());
        assert_eq!(
            Conversation::direct_key(a, b),
            Conversation::direct_key(b, a)
        );
        assert_eq!(Conversation::direct_key(a, b).len(), 73);
    }

    #[test]
    fn group_names_are_bounded() {
        assert!(GroupName::parse(" Team ").is_ok());
        assert!(GroupName::parse("").is_err());
        assert!(GroupName::parse(&"n".repeat(101)).is_err());
        assert_eq!("owner".parse::<MemberRole>().unwrap(), MemberRole::Owner);
        assert!(MemberRole::Admin.manages() && !MemberRole::Member.manages());
    }
}
