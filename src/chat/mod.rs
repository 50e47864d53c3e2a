//! Use cases. Plain async methods over the store and the credentials machinery;
//! REST (and later the WebSocket gateway) call these, so logic is never written
//! twice. Nothing here knows about HTTP.

pub mod accounts;
pub mod admin;
pub mod attachments;
pub mod avatars;
pub mod cluster_presence;
pub mod conversation_list;
pub mod conversation_views;
pub mod conversations;
pub mod digest;
pub mod email_address;
pub mod events;
pub mod friends;
pub mod images;
pub mod invitations;
pub mod mail;
pub mod members;
pub mod messages;
pub mod mute;
pub mod notifications;
pub mod password_reset;
pub mod policy;
pub mod presence;
pub mod push;
pub mod reactions;
pub mod receipts;
pub mod resume;
pub mod retention;
pub mod rosters;
pub mod search;
pub mod sessions;
pub mod social_views;
pub mod uploads;
pub mod users;
pub mod views;

use std::{sync::Arc, time::Duration};

use crate::{
    auth::{Action, LoginThrottle, Passwords, RateLimits, Tokens},
    bus::{presence::Presence, Bus},
    domain::{Invalid, MessagingPolicy, Role, SessionId, UserId, Username},
    error::AppError,
    store::{writer::MessageWriter, Store},
};

/// Settings the use cases need, decided by the app from the config.
#[derive(Clone, Debug)]
pub struct Policy {
    pub default_role: Role,
    /// Registering the server's first account makes it admin.
    pub first_account_admin: bool,
    /// `group_invites` of new users.
    pub default_group_invites: crate::domain::GroupInvites,
    pub refresh_ttl_secs: i64,
    /// Longest message body, in characters (at most 4000).
    pub max_message_chars: usize,
    /// Who may start a direct conversation with whom.
    pub messaging: MessagingPolicy,
    /// How long after a user's last connection closes they still show online.
    pub presence_grace: Duration,
    /// How long ended sessions, spent refresh tokens and read notifications are
    /// kept.
    pub retention: Duration,
}

/// Everything a use case may touch, shared: cloned for every request (axum's
/// `State`), so a clone is one reference count, not one per part (the parts'
/// counts, bumped and dropped on both cores, were ~2 % of a history page's CPU).
#[derive(Clone)]
pub struct Chat(Arc<ChatParts>);

impl Chat {
    pub fn new(parts: ChatParts) -> Self {
        Self(Arc::new(parts))
    }
}

impl std::ops::Deref for Chat {
    type Target = ChatParts;
    fn deref(&self) -> &ChatParts {
        &self.0
    }
}

/// What [`Chat`] shares.
pub struct ChatParts {
    pub store: Store,
    pub tokens: Arc<Tokens>,
    pub passwords: Arc<Passwords>,
    pub throttle: Arc<LoginThrottle>,
    /// Request rates per user and per address.
    pub rates: Arc<RateLimits>,
    pub bus: Arc<dyn Bus>,
    /// Who is online on this node.
    pub presence: Arc<Presence>,
    /// Group-commit writer for message sends.
    pub writer: MessageWriter,
    pub policy: Policy,
    /// Files: where they are kept, their limits, their URLs.
    pub media: uploads::Media,
    /// Mail: SMTP (if any), templates, the outbox worker's settings.
    pub mail: Arc<mail::Mailing>,
    /// Web push: VAPID identity, client, retry settings.
    pub push: Arc<push::Pushing>,
    /// Each conversation's members, cached on this node (bus/rosters.rs).
    pub rosters: Arc<crate::bus::rosters::Rosters>,
    /// Who is online on other nodes (Redis); `None` for one node.
    pub directory: Option<Arc<crate::bus::directory::Directory>>,
}

/// The authenticated caller of a request, as re-read from the store.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Principal {
    pub user_id: UserId,
    pub session_id: SessionId,
    pub username: Username,
    pub role: Role,
}

/// Where a request came from, recorded on the session it creates.
#[derive(Clone, Debug, Default)]
pub struct Device {
    pub user_agent: String,
    pub ip: String,
}

impl Chat {
    /// Spends one of `key`'s tokens for `action` (a user id or a client address),
    /// or says how long to wait: 429 with `Retry-After` over HTTP, an error frame
    /// with `retry_after` on the WebSocket.
    pub fn rate(&self, action: Action, key: &dyn std::fmt::Display) -> Result<(), AppError> {
        self.rates.check(action, key).map_err(|wait| {
            AppError::too_many_requests(wait, format!("too many requests; try again in {wait} s"))
        })
    }
}

impl From<Invalid> for AppError {
    fn from(i: Invalid) -> Self {
        AppError::invalid(i.field, i.code, i.message)
    }
}
