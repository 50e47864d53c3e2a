use super::{GroupInvites, PresenceMode, Role, SessionId, Timestamp, UserId, Username};

/// A user as stored. The password hash is never part of it; the store hands that out
/// only to the login path.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct User {
    pub id: UserId,
    pub username: Username,
    pub email: Option<String>,
    /// When `email` was confirmed by a link sent to it; mail with links (password
    /// reset) goes only to a confirmed address.
    pub email_verified_at: Option<Timestamp>,
    pub full_name: String,
    pub bio: String,
    pub status_text: String,
    pub role: Role,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
    pub deactivated_at: Option<Timestamp>,
    /// What the user chose to show others.
    pub presence_mode: PresenceMode,
    /// When the user's last connection closed.
    pub last_seen_at: Option<Timestamp>,
    /// Who may add the user to a group without asking.
    pub group_invites: GroupInvites,
    /// Which missed messages a digest mail reports while the user is away.
    pub email_notify: super::EmailNotify,
    /// The profile picture's file, if one was set.
    pub avatar_id: Option<super::UploadId>,
}

impl User {
    pub fn is_active(&self) -> bool {
        self.deactivated_at.is_none()
    }

    /// What user search matches against: case-folded username and full name.
    pub fn search_text(username: &Username, full_name: &str) -> String {
        format!("{} {}", username.lower(), full_name.to_lowercase())
    }
}

/// One signed-in device. Its refresh tokens live in their own table so a reused
/// (already rotated) token can be told apart from an unknown one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Session {
    pub id: SessionId,
    pub user_id: UserId,
    pub created_at: Timestamp,
    pub last_used_at: Timestamp,
    pub expires_at: Timestamp,
    pub revoked_at: Option<Timestamp>,
    pub user_agent: String,
    pub ip: String,
}

impl Session {
    pub fn is_live(&self, now: Timestamp) -> bool {
        self.revoked_at.is_none() && self.expires_at > now
    }
}
