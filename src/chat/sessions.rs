//! Authenticating requests and managing a user's signed-in devices.

use super::{views::SessionView, Chat, Principal};
use crate::{
    domain::{SessionId, Timestamp},
    error::{AppError, AppResult},
};

impl Chat {
    /// Turns an access token into the caller. The token proves who and which session;
    /// the store says whether that session and user are still good and what the
    /// user's role is now. One indexed lookup per request buys revocation, deactivation
    /// and role changes that apply to the very next request.
    pub async fn authenticate(&self, access_token: &str) -> AppResult<Principal> {
        let invalid = || {
            AppError::unauthorized(
                "invalid_token",
                "access token is missing, invalid or expired",
            )
        };
        let claims = self
            .tokens
            .verify_access(access_token)
            .ok_or_else(invalid)?;
        let (session, user) = self
            .store
            .session_with_user(claims.sid)
            .await?
            .ok_or_else(invalid)?;
        if session.user_id != claims.sub {
            return Err(invalid());
        }
        if !session.is_live(Timestamp::now()) {
            return Err(AppError::unauthorized(
                "session_revoked",
                "this session has been signed out",
            ));
        }
        if !user.is_active() {
            return Err(AppError::unauthorized(
                "account_deactivated",
                "this account has been deactivated",
            ));
        }
        Ok(Principal {
            user_id: user.id,
            session_id: session.id,
            username: user.username,
            role: user.role,
        })
    }

    pub async fn list_sessions(&self, who: &Principal) -> AppResult<Vec<SessionView>> {
        let sessions = self
            .store
            .live_sessions(who.user_id, Timestamp::now())
            .await?;
        Ok(sessions
            .iter()
            .map(|s| SessionView::new(s, who.session_id))
            .collect())
    }

    /// Signs out one of the caller's own devices. Another user's session id, or one
    /// already signed out, is simply not found.
    pub async fn revoke_session(&self, who: &Principal, id: SessionId) -> AppResult<()> {
        let done = self
            .store
            .revoke_session(who.user_id, id, "revoked_by_user", Timestamp::now())
            .await?;
        if done {
            self.sessions_changed(who.user_id);
            Ok(())
        } else {
            Err(AppError::not_found("session"))
        }
    }
}
