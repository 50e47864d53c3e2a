//! Password reset by mail. Asking always gets the same answer, whether or not
//! the account exists or has a confirmed address, and the answer does not wait
//! for the account to be looked up, so neither content nor timing tells who
//! has an account (scripts/reset-timing.sh measures it). The link's token is stored hashed, lives 30 minutes and
//! works once; using it sets the password, signs out every device and tells the
//! owner by mail.

use std::time::Duration;

use serde::Deserialize;
use serde_json::json;
use utoipa::ToSchema;

use super::{Chat, Device};
use crate::{
    auth::{
        tokens::{hash_refresh_token as hash_token, new_refresh_token as new_token},
        Action,
    },
    domain::{Password, Timestamp, User, Username},
    error::{AppError, AppResult},
    store::account_tokens::{NewToken, RESET},
};

/// How long a reset link works.
pub const RESET_TTL: Duration = Duration::from_secs(30 * 60);

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ResetRequest {
    /// The account's username, or
    pub username: Option<String>,
    /// its email address (one of the two).
    pub email: Option<String>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ResetConfirm {
    /// The token from the link in the mail.
    pub token: String,
    /// 8-128 characters; not the username, not a common password.
    pub new_password: String,
}

impl Chat {
    /// Mails a reset link if the account exists, is active, has a confirmed
    /// address and had no link in the last interval. Answers the same in every
    /// case (only a malformed request or the per-address rate is refused).
    pub async fn request_password_reset(
        &self,
        input: ResetRequest,
        device: &Device,
    ) -> AppResult<()> {
        let username = input
            .username
            .as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty());
        let email = input
            .email
            .as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty());
        if username.is_some() == email.is_some() {
            return Err(AppError::invalid(
                "username",
                "username_or_email",
                "give either username or email",
            ));
        }
        self.rate(Action::PasswordReset, &device.ip)?;
        let (username, email) = (username.map(str::to_owned), email.map(str::to_owned));
        let chat = self.clone();
        // Everything else, the look-up included, happens after the answer: the
        // answer takes the same time for a real account as for a made-up one.
        tokio::spawn(async move {
            if let Err(e) = chat
                .mail_reset_link(username.as_deref(), email.as_deref())
                .await
            {
                tracing::warn!(error = %e, "password reset mail not queued");
            }
        });
        Ok(())
    }

    async fn mail_reset_link(&self, username: Option<&str>, email: Option<&str>) -> AppResult<()> {
        let user = match (username.map(Username::parse), email) {
            (Some(Ok(name)), _) => self.store.credentials(&name.lower()).await?.map(|(u, _)| u),
            (_, Some(email)) => self.store.user_by_email(email).await?,
            _ => None,
        };
        let Some(user) = user else {
            return Ok(());
        };
        let user = &user;
        let (Some(to), Some(_)) = (&user.email, user.email_verified_at) else {
            return Ok(());
        };
        if !user.is_active() || !self.mail_enabled() {
            return Ok(());
        }
        let now = Timestamp::now();
        let token = new_token();
        let link = self.link("reset-password", &token);
        let minutes = RESET_TTL.as_secs() / 60;
        let mail = self.new_mail(
            "password_reset",
            user,
            to,
            json!({ "link": link, "minutes": minutes }),
        );
        let gap = self.mail.reset_interval.as_millis() as i64;
        if self
            .store
            .issue_account_token(&self.reset_token(user, &token, now), &mail, gap)
            .await?
        {
            self.mail_queued();
        } else {
            tracing::info!(user_id = %user.id, "password reset asked again within the interval; no mail");
        }
        Ok(())
    }

    fn reset_token(&self, user: &User, token: &str, now: Timestamp) -> NewToken {
        NewToken {
            hash: hash_token(token),
            purpose: RESET,
            user_id: user.id,
            email: None,
            created_at: now,
            expires_at: now.plus_secs(RESET_TTL.as_secs() as i64),
        }
    }

    /// A reset link for the operator to hand over (`confab admin reset-link`),
    /// for accounts without a confirmed address or servers without mail.
    pub async fn reset_link_as_operator(&self, username: &str) -> AppResult<String> {
        let id = self.user_id_for(username).await?;
        let user = self
            .store
            .user_by_id(id)
            .await?
            .ok_or_else(|| AppError::not_found("user"))?;
        if !user.is_active() {
            return Err(AppError::forbidden("this account has been deactivated")
                .with_code("account_deactivated"));
        }
        let token = new_token();
        self.store
            .insert_account_token(&self.reset_token(&user, &token, Timestamp::now()))
            .await?;
        Ok(self.link("reset-password", &token))
    }

    /// Sets a new password with a reset token: every session is signed out and
    /// the owner is told by mail.
    pub async fn confirm_password_reset(&self, input: ResetConfirm) -> AppResult<()> {
        let hash = hash_token(input.token.trim());
        let now = Timestamp::now();
        let row = self.store.account_token(&hash, RESET).await?;
        let row = match row {
            None => {
                return Err(reset_refused(
                    "reset_token_invalid",
                    "this reset link is not valid",
                ))
            }
            Some(r) if r.used_at.is_some() => return Err(used()),
            Some(r) if r.expires_at <= now => return Err(expired()),
            Some(r) => r,
        };
        let user = self
            .store
            .user_by_id(row.user_id)
            .await?
            .ok_or_else(|| AppError::not_found("user"))?;
        if !user.is_active() {
            return Err(AppError::forbidden("this account has been deactivated")
                .with_code("account_deactivated"));
        }
        let password = Password::parse(&input.new_password, &user.username)
            .map_err(|e| AppError::invalid("new_password", e.code, e.message))?;
        let new_hash = self
            .passwords
            .hash(password.expose())
            .await
            .map_err(AppError::internal)?;
        let notice = match (&user.email, user.email_verified_at, self.mail_enabled()) {
            (Some(to), Some(_), true) => {
                Some(self.new_mail("password_changed", &user, to, json!({ "reset": true })))
            }
            _ => None,
        };
        let now = Timestamp::now();
        if !self
            .store
            .reset_password(&hash, user.id, &new_hash, notice.as_ref(), now)
            .await?
        {
            // Spent or expired between the look and the change (two tabs racing).
            return Err(used());
        }
        if notice.is_some() {
            self.mail_queued();
        }
        tracing::info!(user_id = %user.id, "password reset; every session revoked");
        self.sessions_changed(user.id);
        Ok(())
    }
}

fn reset_refused(code: &'static str, message: &str) -> AppError {
    AppError::invalid("token", code, message)
}

fn used() -> AppError {
    reset_refused(
        "reset_token_used",
        "this reset link was already used; ask for a new one",
    )
}

fn expired() -> AppError {
    reset_refused(
        "reset_token_expired",
        "this reset link has expired; ask for a new one",
    )
}
