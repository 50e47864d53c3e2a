//! What use cases return and clients see. Private fields (email, sessions) appear
//! only in the views meant for their owner or an admin.

use base64::{engine::general_purpose::URL_SAFE_NO_PAD, Engine};
use serde::Serialize;
use utoipa::ToSchema;

use crate::{
    domain::{Role, Session, SessionId, Timestamp, User, UserId},
    error::{AppError, AppResult},
};

/// A user as anyone signed in may see them.
#[derive(Debug, Clone, Serialize, ToSchema, PartialEq)]
pub struct UserView {
    pub id: UserId,
    pub username: String,
    pub full_name: String,
    pub bio: String,
    pub status_text: String,
    pub role: Role,
    #[schema(value_type = String, format = DateTime)]
    pub created_at: Timestamp,
    /// The profile picture (`POST /avatars/urls` gives its URL); absent: none.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub avatar_id: Option<crate::domain::UploadId>,
}

impl From<&User> for UserView {
    fn from(u: &User) -> Self {
        Self {
            id: u.id,
            username: u.username.to_string(),
            full_name: u.full_name.clone(),
            bio: u.bio.clone(),
            status_text: u.status_text.clone(),
            role: u.role,
            created_at: u.created_at,
            avatar_id: u.avatar_id,
        }
    }
}

/// The signed-in user's own profile, with private fields.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct MeView {
    #[serde(flatten)]
    pub user: UserView,
    pub email: Option<String>,
    /// Whether `email` was confirmed by the link mailed to it (reset links and
    /// notices go only to a confirmed address).
    pub email_verified: bool,
    #[schema(value_type = String, format = DateTime)]
    pub updated_at: Timestamp,
    /// The mode the user chose (others see `invisible` as offline).
    pub presence_mode: crate::domain::PresenceMode,
    /// Who may add the user to a group without an invitation.
    pub group_invites: crate::domain::GroupInvites,
    /// What a digest mail reports while the user is away.
    pub email_notify: crate::domain::EmailNotify,
}

impl From<&User> for MeView {
    fn from(u: &User) -> Self {
        Self {
            user: u.into(),
            email: u.email.clone(),
            email_verified: u.email.is_some() && u.email_verified_at.is_some(),
            updated_at: u.updated_at,
            presence_mode: u.presence_mode,
            group_invites: u.group_invites,
            email_notify: u.email_notify,
        }
    }
}

/// A user as an admin sees them.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct AdminUserView {
    #[serde(flatten)]
    pub user: UserView,
    pub email: Option<String>,
    #[schema(value_type = Option<String>, format = DateTime)]
    pub deactivated_at: Option<Timestamp>,
}

impl From<&User> for AdminUserView {
    fn from(u: &User) -> Self {
        Self {
            user: u.into(),
            email: u.email.clone(),
            deactivated_at: u.deactivated_at,
        }
    }
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct SessionView {
    pub id: SessionId,
    #[schema(value_type = String, format = DateTime)]
    pub created_at: Timestamp,
    #[schema(value_type = String, format = DateTime)]
    pub last_used_at: Timestamp,
    #[schema(value_type = String, format = DateTime)]
    pub expires_at: Timestamp,
    pub user_agent: String,
    pub ip: String,
    /// True for the session the request was made with.
    pub current: bool,
}

impl SessionView {
    pub fn new(s: &Session, current: SessionId) -> Self {
        Self {
            id: s.id,
            created_at: s.created_at,
            last_used_at: s.last_used_at,
            expires_at: s.expires_at,
            user_agent: s.user_agent.clone(),
            ip: s.ip.clone(),
            current: s.id == current,
        }
    }
}

/// Tokens handed out by register, login and refresh.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct TokenResponse {
    pub access_token: String,
    /// Absent when the client asked for the refresh cookie instead
    /// (`X-Confab-Refresh: cookie`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub refresh_token: Option<String>,
    /// Always `Bearer`.
    pub token_type: &'static str,
    /// Seconds until the access token expires.
    pub expires_in: i64,
    pub user: MeView,
}

/// One page of a listing. `next_cursor` is opaque; pass it back as `cursor`.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Page<T> {
    pub items: Vec<T>,
    pub next_cursor: Option<String>,
}

/// The size of a page a listing was asked for: `default` when not given, else
/// 1 to `max`; anything else is refused with the error every listing gives.
pub fn page_limit(asked: Option<u32>, default: u32, max: u32) -> AppResult<u32> {
    let limit = asked.unwrap_or(default);
    if !(1..=max).contains(&limit) {
        return Err(AppError::invalid(
            "limit",
            "invalid_limit",
            format!("limit must be between 1 and {max}"),
        ));
    }
    Ok(limit)
}

/// Cursors are opaque to clients: the position, base64url-encoded.
pub fn encode_cursor(position: &str) -> String {
    URL_SAFE_NO_PAD.encode(position)
}

/// The text inside a cursor this server gave out; `None` for anything else,
/// including text no cursor holds (control characters), so nothing odd reaches SQL.
pub fn decode_cursor(cursor: &str) -> Option<String> {
    URL_SAFE_NO_PAD
        .decode(cursor)
        .ok()
        .and_then(|b| String::from_utf8(b).ok())
        .filter(|s| !s.chars().any(char::is_control))
}

/// A "time:id" position (millis and a row id): list pages ordered by a time,
/// ties broken by id. `None` in, `None` out; a cursor that is not one is refused.
pub fn time_id_cursor(cursor: Option<&str>) -> AppResult<Option<(i64, String)>> {
    let Some(c) = cursor.filter(|c| !c.is_empty()) else {
        return Ok(None);
    };
    decode_cursor(c)
        .and_then(|s| {
            let (at, id) = s.split_once(':')?;
            Some((
                at.parse().ok()?,
                uuid::Uuid::parse_str(id).ok()?.to_string(),
            ))
        })
        .map(Some)
        .ok_or_else(|| {
            AppError::invalid(
                "cursor",
                "invalid_cursor",
                "cursor is not one this server gave out",
            )
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cursors_round_trip_and_garbage_is_refused() {
        assert_eq!(
            decode_cursor(&encode_cursor("bob.smith")).as_deref(),
            Some("bob.smith")
        );
        assert_eq!(decode_cursor("%%%"), None);
        assert_eq!(decode_cursor(&encode_cursor("a\0b")), None);
    }

    #[test]
    fn a_page_limit_is_the_default_or_one_to_the_most() {
        assert_eq!(page_limit(None, 30, 100).unwrap(), 30);
        assert_eq!(page_limit(Some(1), 30, 100).unwrap(), 1);
        assert_eq!(page_limit(Some(100), 30, 100).unwrap(), 100);
        for bad in [0, 101] {
            let e = page_limit(Some(bad), 30, 100).unwrap_err();
            assert_eq!(e.code, "invalid_limit");
            assert_eq!(e.message, "limit must be between 1 and 100");
        }
    }
}
