//! Decoding rows into domain types. Values are stored in portable forms (ids and
//! enums as text, times as integer milliseconds), so decoding is the same for every
//! backend, and for either driver: a decoder reads [`Cols`], which sqlx's rows and
//! the native SQLite reader's rows (`sqlite_native.rs`) both provide.

use std::str::FromStr;

use sqlx::{any::AnyRow, Row};

use crate::domain::{
    Conversation, ConversationId, FriendRequest, Member, Message, MessageId, Notification, Role,
    Session, SessionId, Timestamp, User, UserId, Username,
};

pub(super) const USER_COLUMNS: &str = "u.id, u.username, u.email, u.full_name, u.bio, \
     u.status_text, u.role, u.created_at, u.updated_at, u.deactivated_at, u.presence_mode, \
     u.last_seen_at, u.group_invites, u.avatar_id, u.email_verified_at, u.email_notify";

pub(super) const SESSION_COLUMNS: &str =
    "s.id AS s_id, s.user_id AS s_user_id, s.created_at AS s_created_at, \
     s.last_used_at AS s_last_used_at, s.expires_at AS s_expires_at, \
     s.revoked_at AS s_revoked_at, s.user_agent AS s_user_agent, s.ip AS s_ip";

pub(super) fn decode_err(col: &str, e: impl std::fmt::Display) -> sqlx::Error {
    sqlx::Error::ColumnDecode {
        index: col.to_owned(),
        source: e.to_string().into(),
    }
}

/// A row's columns by name, in the stored types: integers and text.
pub(super) trait Cols {
    fn int(&self, col: &str) -> Result<i64, sqlx::Error>;
    fn opt_int(&self, col: &str) -> Result<Option<i64>, sqlx::Error>;
    fn text(&self, col: &str) -> Result<String, sqlx::Error>;
    fn opt_text(&self, col: &str) -> Result<Option<String>, sqlx::Error>;
}

impl Cols for AnyRow {
    fn int(&self, col: &str) -> Result<i64, sqlx::Error> {
        self.try_get(col)
    }
    fn opt_int(&self, col: &str) -> Result<Option<i64>, sqlx::Error> {
        self.try_get(col)
    }
    fn text(&self, col: &str) -> Result<String, sqlx::Error> {
        self.try_get(col)
    }
    fn opt_text(&self, col: &str) -> Result<Option<String>, sqlx::Error> {
        self.try_get(col)
    }
}

pub(super) fn parse<T: FromStr>(row: &(impl Cols + ?Sized), col: &str) -> Result<T, sqlx::Error>
where
    T::Err: std::fmt::Display,
{
    row.text(col)?.parse().map_err(|e| decode_err(col, e))
}

pub(super) fn ts(row: &(impl Cols + ?Sized), col: &str) -> Result<Timestamp, sqlx::Error> {
    Ok(Timestamp(row.int(col)?))
}

pub(super) fn opt_ts(
    row: &(impl Cols + ?Sized),
    col: &str,
) -> Result<Option<Timestamp>, sqlx::Error> {
    Ok(row.opt_int(col)?.map(Timestamp))
}

pub(super) fn user(row: &(impl Cols + ?Sized)) -> Result<User, sqlx::Error> {
    Ok(User {
        id: parse::<UserId>(row, "id")?,
        username: Username::from_trusted(row.text("username")?),
        email: row.opt_text("email")?,
        email_verified_at: opt_ts(row, "email_verified_at")?,
        full_name: row.text("full_name")?,
        bio: row.text("bio")?,
        status_text: row.text("status_text")?,
        role: parse::<Role>(row, "role")?,
        created_at: ts(row, "created_at")?,
        updated_at: ts(row, "updated_at")?,
        deactivated_at: opt_ts(row, "deactivated_at")?,
        presence_mode: parse(row, "presence_mode")?,
        last_seen_at: opt_ts(row, "last_seen_at")?,
        group_invites: parse(row, "group_invites")?,
        email_notify: parse(row, "email_notify")?,
        avatar_id: row.opt_text("avatar_id")?.and_then(|s| s.parse().ok()),
    })
}

pub(super) fn session(row: &(impl Cols + ?Sized)) -> Result<Session, sqlx::Error> {
    Ok(Session {
        id: parse::<SessionId>(row, "s_id")?,
        user_id: parse::<UserId>(row, "s_user_id")?,
        created_at: ts(row, "s_created_at")?,
        last_used_at: ts(row, "s_last_used_at")?,
        expires_at: ts(row, "s_expires_at")?,
        revoked_at: opt_ts(row, "s_revoked_at")?,
        user_agent: row.text("s_user_agent")?,
        ip: row.text("s_ip")?,
    })
}

pub(super) const CONVERSATION_COLUMNS: &str = "c.id AS c_id, c.kind AS c_kind, c.name AS c_name, \
     c.created_by AS c_created_by, c.created_at AS c_created_at, c.last_seq AS c_last_seq, \
     c.last_ev AS c_last_ev, c.meta_ev AS c_meta_ev, c.last_activity_at AS c_last_activity_at, \
     c.avatar_id AS c_avatar_id";

pub(super) const MEMBER_COLUMNS: &str = "mb.conversation_id AS mb_conversation_id, \
     mb.user_id AS mb_user_id, mb.role AS mb_role, mb.joined_at AS mb_joined_at, \
     mb.left_at AS mb_left_at, mb.left_seq AS mb_left_seq, mb.last_read_seq AS mb_last_read_seq, \
     mb.read_ev AS mb_read_ev, mb.last_delivered_seq AS mb_last_delivered_seq, \
     mb.delivered_ev AS mb_delivered_ev, mb.muted_until AS mb_muted_until";

pub(super) const MESSAGE_COLUMNS: &str = "m.id AS m_id, m.conversation_id AS m_conversation_id, \
     m.seq AS m_seq, m.ev AS m_ev, m.created_ev AS m_created_ev, m.sender_id AS m_sender_id, \
     m.client_msg_id AS m_client_msg_id, m.kind AS m_kind, m.body AS m_body, \
     m.reply_to AS m_reply_to, m.created_at AS m_created_at, m.edited_at AS m_edited_at, \
     m.deleted_at AS m_deleted_at, m.attachments AS m_attachments, m.reacted AS m_reacted";

/// A conversation and the meta_ev (position of its last rename or membership change).
pub(super) fn conversation(row: &(impl Cols + ?Sized)) -> Result<(Conversation, i64), sqlx::Error> {
    let c = Conversation {
        id: parse::<ConversationId>(row, "c_id")?,
        kind: parse(row, "c_kind")?,
        name: row.opt_text("c_name")?,
        created_by: parse::<UserId>(row, "c_created_by")?,
        created_at: ts(row, "c_created_at")?,
        last_seq: row.int("c_last_seq")?,
        last_ev: row.int("c_last_ev")?,
        last_activity_at: ts(row, "c_last_activity_at")?,
        avatar_id: row.opt_text("c_avatar_id")?.and_then(|s| s.parse().ok()),
    };
    Ok((c, row.int("c_meta_ev")?))
}

pub(super) fn member(row: &(impl Cols + ?Sized)) -> Result<Member, sqlx::Error> {
    Ok(Member {
        conversation_id: parse(row, "mb_conversation_id")?,
        user_id: parse(row, "mb_user_id")?,
        role: parse(row, "mb_role")?,
        joined_at: ts(row, "mb_joined_at")?,
        left_at: opt_ts(row, "mb_left_at")?,
        left_seq: row.opt_int("mb_left_seq")?,
        last_read_seq: row.int("mb_last_read_seq")?,
        read_ev: row.int("mb_read_ev")?,
        last_delivered_seq: row.int("mb_last_delivered_seq")?,
        delivered_ev: row.int("mb_delivered_ev")?,
        muted_until: opt_ts(row, "mb_muted_until")?,
    })
}

pub(super) fn message(row: &(impl Cols + ?Sized)) -> Result<Message, sqlx::Error> {
    // Fields are read in the order MESSAGE_COLUMNS selects them (the native
    // reader looks for the next column first, sqlite_native.rs).
    Ok(Message {
        id: parse::<MessageId>(row, "m_id")?,
        conversation_id: parse(row, "m_conversation_id")?,
        seq: row.int("m_seq")?,
        ev: row.int("m_ev")?,
        created_ev: row.int("m_created_ev")?,
        sender_id: parse(row, "m_sender_id")?,
        client_msg_id: row.text("m_client_msg_id")?,
        kind: parse(row, "m_kind")?,
        body: row.text("m_body")?,
        reply_to: row
            .opt_text("m_reply_to")?
            .map(|s| s.parse().map_err(|e| decode_err("m_reply_to", e)))
            .transpose()?,
        created_at: ts(row, "m_created_at")?,
        edited_at: opt_ts(row, "m_edited_at")?,
        deleted_at: opt_ts(row, "m_deleted_at")?,
        attachments: match row.opt_text("m_attachments")? {
            Some(json) => {
                serde_json::from_str(&json).map_err(|e| decode_err("m_attachments", e))?
            }
            None => Vec::new(),
        },
        // Filled by the store for messages with `reacted > 0` (reactions.rs).
        reactions: Vec::new(),
    })
}

pub(super) const REQUEST_COLUMNS: &str = "fr.id AS fr_id, fr.sender_id AS fr_sender_id, \
     fr.recipient_id AS fr_recipient_id, fr.status AS fr_status, fr.created_at AS fr_created_at, \
     fr.updated_at AS fr_updated_at";

pub(super) fn friend_request(row: &AnyRow) -> Result<FriendRequest, sqlx::Error> {
    Ok(FriendRequest {
        id: parse(row, "fr_id")?,
        sender_id: parse(row, "fr_sender_id")?,
        recipient_id: parse(row, "fr_recipient_id")?,
        status: parse(row, "fr_status")?,
        created_at: ts(row, "fr_created_at")?,
        updated_at: ts(row, "fr_updated_at")?,
    })
}

pub(super) const NOTIFICATION_COLUMNS: &str =
    "n.id AS n_id, n.user_id AS n_user_id, n.seq AS n_seq, \
     n.kind AS n_kind, n.actor_id AS n_actor_id, n.conversation_id AS n_conversation_id, \
     n.message_id AS n_message_id, n.request_id AS n_request_id, n.created_at AS n_created_at, \
     n.read_at AS n_read_at";

fn opt_parse<T: FromStr>(row: &AnyRow, col: &str) -> Result<Option<T>, sqlx::Error>
where
    T::Err: std::fmt::Display,
{
    let s: Option<String> = row.try_get(col)?;
    s.map(|s| s.parse().map_err(|e| decode_err(col, e)))
        .transpose()
}

pub(super) fn notification(row: &AnyRow) -> Result<Notification, sqlx::Error> {
    Ok(Notification {
        id: parse(row, "n_id")?,
        user_id: parse(row, "n_user_id")?,
        seq: row.try_get("n_seq")?,
        kind: parse(row, "n_kind")?,
        actor_id: parse(row, "n_actor_id")?,
        conversation_id: opt_parse(row, "n_conversation_id")?,
        message_id: opt_parse(row, "n_message_id")?,
        request_id: opt_parse(row, "n_request_id")?,
        created_at: ts(row, "n_created_at")?,
        read_at: opt_ts(row, "n_read_at")?,
    })
}
