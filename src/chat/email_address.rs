//! A user's email address: set or changed (with the current password), confirmed
//! by a link mailed to it before anything with a link is sent there; a change
//! is told to the old confirmed address.

use std::time::Duration;

use serde::Deserialize;
use serde_json::{json, Value};
use utoipa::ToSchema;

use super::{views::MeView, Chat, Device, Principal};
use crate::{
    auth::{
        tokens::{hash_refresh_token as hash_token, new_refresh_token as new_token},
        Action,
    },
    domain::{Email, Timestamp, User, UserId},
    error::{AppError, AppResult},
    store::account_tokens::{NewToken, Verified, VERIFY},
};

/// How long a confirmation link works.
pub const VERIFY_TTL: Duration = Duration::from_secs(48 * 3600);

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SetEmailInput {
    /// The new address; null or empty removes it.
    pub email: Option<String>,
    pub current_password: String,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct VerifyEmailInput {
    /// The token from the link in the mail.
    pub token: String,
}

impl Chat {
    /// Sets, changes or removes the caller's address. A new address is
    /// unconfirmed until its link is opened; the old confirmed one is told.
    pub async fn set_email(
        &self,
        who: &Principal,
        input: SetEmailInput,
        device: &Device,
    ) -> AppResult<MeView> {
        self.check_current_password(who, &input.current_password, device)
            .await?;
        let email = match input
            .email
            .as_deref()
            .map(str::trim)
            .filter(|e| !e.is_empty())
        {
            Some(e) => Some(Email::parse(e)?),
            None => None,
        };
        let user = self.load(who.user_id).await?;
        let new = email.as_ref().map(|e| e.as_str().to_owned());
        let same =
            new.as_deref().map(str::to_lowercase) == user.email.as_deref().map(str::to_lowercase);
        if same && (new.is_none() || user.email_verified_at.is_some()) {
            return Ok((&user).into());
        }
        self.rate(Action::PasswordReset, &device.ip)?;
        let now = Timestamp::now();
        let mut mails = Vec::new();
        let token = match (&new, self.mail_enabled()) {
            (Some(to), true) => {
                let token = new_token();
                mails.push(self.verification_mail(&user, to, &token));
                Some(self.verify_token(user.id, to, &token, now))
            }
            _ => None,
        };
        if let (Some(old), Some(_), true) =
            (&user.email, user.email_verified_at, self.mail_enabled())
        {
            if !same {
                let shown = new.clone().unwrap_or_else(|| "no address".into());
                mails.push(self.new_mail(
                    "email_changed",
                    &user,
                    old,
                    json!({ "new_email": shown }),
                ));
            }
        }
        self.store
            .change_email(user.id, new.as_deref(), token.as_ref(), &mails, now)
            .await?;
        if !mails.is_empty() {
            self.mail_queued();
        }
        tracing::info!(user_id = %user.id, removed = new.is_none(), "email address changed");
        Ok((&self.load(who.user_id).await?).into())
    }

    /// Mails a new confirmation link for the caller's unconfirmed address.
    pub async fn resend_verification(&self, who: &Principal, device: &Device) -> AppResult<()> {
        let user = self.load(who.user_id).await?;
        if user.email.is_none() {
            return Err(AppError::conflict(
                "no_email",
                "this account has no email address",
            ));
        }
        if user.email_verified_at.is_some() {
            return Err(AppError::conflict(
                "email_verified",
                "this address is already confirmed",
            ));
        }
        if !self.mail_enabled() {
            return Err(AppError::conflict(
                "mail_disabled",
                "this server does not send mail",
            ));
        }
        self.rate(Action::PasswordReset, &device.ip)?;
        self.mail_verification(&user).await
    }

    /// Queues the confirmation link for `user`'s unconfirmed address, if any.
    pub(crate) async fn mail_verification(&self, user: &User) -> AppResult<()> {
        let (Some(to), None, true) = (&user.email, user.email_verified_at, self.mail_enabled())
        else {
            return Ok(());
        };
        let token = new_token();
        let mail = self.verification_mail(user, to, &token);
        // Resends are limited per address by the rate; no gap per account.
        self.store
            .issue_account_token(
                &self.verify_token(user.id, to, &token, Timestamp::now()),
                &mail,
                0,
            )
            .await?;
        self.mail_queued();
        Ok(())
    }

    /// Confirms an address with the token from its link (no sign-in needed: the
    /// link may be opened on another device).
    pub async fn verify_email(&self, input: VerifyEmailInput) -> AppResult<()> {
        let hash = hash_token(input.token.trim());
        let refused = |code, message| AppError::invalid("token", code, message);
        let row = match self.store.account_token(&hash, VERIFY).await? {
            None => {
                return Err(refused(
                    "verify_token_invalid",
                    "this confirmation link is not valid",
                ))
            }
            Some(r) if r.used_at.is_some() => {
                return Err(refused(
                    "verify_token_used",
                    "this confirmation link was already used",
                ))
            }
            Some(r) if r.expires_at <= Timestamp::now() => {
                return Err(refused(
                    "verify_token_expired",
                    "this confirmation link has expired; ask for a new one",
                ))
            }
            Some(r) => r,
        };
        match self
            .store
            .verify_email(&hash, &row, Timestamp::now())
            .await?
        {
            Verified::Done { user_id } => {
                tracing::info!(%user_id, "email address confirmed");
                Ok(())
            }
            Verified::Spent => Err(refused(
                "verify_token_used",
                "this confirmation link was already used",
            )),
            Verified::Stale => Err(refused(
                "verify_token_stale",
                "this link is for an address the account no longer has",
            )),
        }
    }

    /// Queues a notice to `user`'s confirmed address, if there is one and mail
    /// is on.
    pub(crate) async fn mail_verified(
        &self,
        user: UserId,
        kind: &'static str,
        params: Value,
    ) -> AppResult<()> {
        if !self.mail_enabled() {
            return Ok(());
        }
        let user = self.load(user).await?;
        if let (Some(to), Some(_)) = (&user.email, user.email_verified_at) {
            let mail = self.new_mail(kind, &user, to, params);
            self.store.enqueue_mail(&mail, Timestamp::now()).await?;
            self.mail_queued();
        }
        Ok(())
    }

    fn verification_mail(
        &self,
        user: &User,
        to: &str,
        token: &str,
    ) -> crate::store::outbox::NewMail {
        let link = self.link("verify-email", token);
        let hours = VERIFY_TTL.as_secs() / 3600;
        self.new_mail(
            "verify_email",
            user,
            to,
            json!({ "link": link, "hours": hours }),
        )
    }

    fn verify_token(&self, user: UserId, email: &str, token: &str, now: Timestamp) -> NewToken {
        NewToken {
            hash: hash_token(token),
            purpose: VERIFY,
            user_id: user,
            email: Some(email.to_owned()),
            created_at: now,
            expires_at: now.plus_secs(VERIFY_TTL.as_secs() as i64),
        }
    }
}
