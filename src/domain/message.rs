use serde::{Deserialize, Serialize};

use super::{ConversationId, Invalid, MessageId, Timestamp, UserId};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum MessageKind {
    Text,
    System,
}

impl MessageKind {
    pub fn as_str(self) -> &'static str {
        match self {
            MessageKind::Text => "text",
            MessageKind::System => "system",
        }
    }
}

impl std::str::FromStr for MessageKind {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        match s {
            "text" => Ok(MessageKind::Text),
            "system" => Ok(MessageKind::System),
            _ => Err(format!("unknown message kind {s:?}")),
        }
    }
}

/// What a `system` message records: a change to a group that every member's
/// history shows in its place. The actor is the message's sender; names are as
/// they were at the time, since former members are not in the member list a
/// client holds. Stored as JSON in the body column; clients get it as the
/// message's `system` object.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct SystemNote {
    /// The actor's display name.
    pub actor_name: String,
    #[serde(flatten)]
    pub change: GroupChange,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(tag = "event", rename_all = "snake_case")]
pub enum GroupChange {
    /// The actor added `user_id`.
    MemberAdded { user_id: UserId, user_name: String },
    /// The actor removed `user_id`.
    MemberRemoved { user_id: UserId, user_name: String },
    /// The actor left; `new_owner` took over when the owner left.
    MemberLeft {
        #[serde(skip_serializing_if = "Option::is_none")]
        new_owner: Option<UserId>,
        #[serde(skip_serializing_if = "Option::is_none")]
        new_owner_name: Option<String>,
    },
    /// The actor joined, accepting an invitation from `invited_by`.
    MemberJoined {
        invited_by: UserId,
        invited_by_name: String,
    },
    /// The actor renamed the group to `name`.
    Renamed { name: String },
    /// The actor set a new group picture, or (`removed`) took it away.
    PictureChanged { removed: bool },
}

/// A message body: UTF-8, trimmed, 1 to `max` characters (4000 by default).
/// Newlines and tabs are text; a CRLF line end is kept as LF; NUL and the other
/// control characters are refused (one rule for every backend: PostgreSQL cannot
/// store a NUL at all, and an escape sequence has no business in a chat).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MessageBody(String);

impl MessageBody {
    /// Hard ceiling, the width of the database column.
    pub const CEILING: usize = 4000;

    pub fn parse(raw: &str, max: usize) -> Result<Self, Invalid> {
        let max = max.clamp(1, Self::CEILING);
        let normalised = raw.replace("\r\n", "\n");
        let s = normalised.trim();
        if s.chars().any(|c| c.is_control() && c != '\n' && c != '\t') {
            return Err(Invalid::new(
                "body",
                "invalid_characters",
                "message body must not contain control characters other than newline and tab",
            ));
        }
        if s.is_empty() {
            return Err(Invalid::new(
                "body",
                "empty_body",
                "message body must not be empty",
            ));
        }
        let len = s.chars().count();
        if len > max {
            return Err(Invalid::new(
                "body",
                "body_too_long",
                format!("message body is {len} characters; the limit is {max}"),
            ));
        }
        Ok(Self(s.to_owned()))
    }

    pub fn into_inner(self) -> String {
        self.0
    }
}

/// The client's id for a message it sends: the key that makes a retried send
/// idempotent. 1-64 characters of letters, digits and `-_.:`; a UUID fits.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClientMsgId(String);

impl ClientMsgId {
    pub fn parse(raw: &str) -> Result<Self, Invalid> {
        let ok = (1..=64).contains(&raw.len())
            && raw
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.' | ':'));
        if ok {
            Ok(Self(raw.to_owned()))
        } else {
            Err(Invalid::new(
                "client_msg_id",
                "invalid_client_msg_id",
                "client_msg_id must be 1-64 characters of letters, digits, '-', '_', '.', ':'",
            ))
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Message {
    pub id: MessageId,
    pub conversation_id: ConversationId,
    pub seq: i64,
    /// Position of this message's latest change in its conversation.
    pub ev: i64,
    /// Position at which the message was created.
    pub created_ev: i64,
    pub sender_id: UserId,
    pub client_msg_id: String,
    pub kind: MessageKind,
    /// Kept when deleted, so a restore brings it back; never shown while deleted.
    pub body: String,
    pub reply_to: Option<MessageId>,
    pub created_at: Timestamp,
    pub edited_at: Option<Timestamp>,
    pub deleted_at: Option<Timestamp>,
    /// Files sent with the message (none for most), in the sender's order.
    pub attachments: Vec<super::Attachment>,
    /// Emoji reactions, each with who put it there, first reaction first.
    pub reactions: Vec<Reaction>,
}

/// One emoji on a message and the users who reacted with it, earliest first.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reaction {
    pub emoji: Emoji,
    pub user_ids: Vec<UserId>,
}

/// A reaction's emoji: one emoji as a client's picker makes it (a base, with
/// skin-tone modifiers, variation selectors, ZWJ sequences or a keycap). Letters,
/// digits, spaces and controls are refused, so a reaction cannot carry text.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Emoji(String);

/// Most distinct emoji on one message.
pub const MAX_REACTION_KINDS: usize = 20;

impl Emoji {
    pub fn parse(s: &str) -> Result<Self, Invalid> {
        let bad = || {
            Invalid::new(
                "emoji",
                "invalid_emoji",
                "a reaction is one emoji (at most 32 bytes, no letters, digits or spaces)",
            )
        };
        let keycap = s.contains('\u{20E3}');
        let ok = !s.is_empty()
            && s.len() <= 32
            && s.chars().all(|c| {
                !(c.is_control()
                    || c.is_whitespace()
                    || (c.is_alphanumeric() && !(keycap && c.is_ascii_digit()))
                    || (c.is_ascii_punctuation() && !(keycap && matches!(c, '#' | '*'))))
            });
        if ok {
            Ok(Self(s.to_owned()))
        } else {
            Err(bad())
        }
    }

    /// For values read back from the database (checked when stored).
    pub fn from_stored(s: String) -> Self {
        Self(s)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_reaction_is_one_emoji_not_text() {
        for good in ["👍", "❤️", "👍🏽", "👩‍👩‍👧‍👦", "1️⃣", "#️⃣", "🇫🇷", "☺"]
        {
            assert!(Emoji::parse(good).is_ok(), "{good:?}");
        }
        for bad in [
            "",
            "a",
            "ok",
            "1",
            "👍 ",
            " ",
            "👍a",
            "<b>",
            "\u{0}",
            "!",
            &"👍".repeat(9),
        ] {
            assert_eq!(
                Emoji::parse(bad).unwrap_err().code,
                "invalid_emoji",
                "{bad:?}"
            );
        }
    }

    #[test]
    fn control_characters_are_refused_but_newlines_and_tabs_kept() {
        for bad in ["a\0b", "a\u{7}", "\u{1b}[31mred", "a\rb", "a\u{85}b"] {
            assert_eq!(
                MessageBody::parse(bad, 4000).unwrap_err().code,
                "invalid_characters",
                "{bad:?}"
            );
        }
        assert_eq!(
            MessageBody::parse("one\r\n\ttwo", 4000)
                .unwrap()
                .into_inner(),
            "one\n\ttwo"
        );
    }

    #[test]
    fn bodies_are_trimmed_and_bounded_in_characters() {
        assert_eq!(
            MessageBody::parse("  hi \n", 4000).unwrap().into_inner(),
            "hi"
        );
        assert_eq!(
            MessageBody::parse(" \n\t ", 4000).unwrap_err().code,
            "empty_body"
        );
        assert!(MessageBody::parse(&"é".repeat(4000), 4000).is_ok());
        assert_eq!(
            MessageBody::parse(&"é".repeat(4001), 4000)
                .unwrap_err()
                .code,
            "body_too_long"
        );
        assert!(MessageBody::parse("abcdef", 5).is_err());
        assert!(
            MessageBody::parse(&"x".repeat(4001), 10_000).is_err(),
            "never above the column width"
        );
    }

    #[test]
    fn client_msg_ids() {
        assert!(ClientMsgId::parse("0190f3c2-7d9e-7c1a-9a53-3f8a2b1c0d4e").is_ok());
        assert!(ClientMsgId::parse("").is_err());
        assert!(ClientMsgId::parse(&"a".repeat(65)).is_err());
        assert!(ClientMsgId::parse("has space").is_err());
    }
}
