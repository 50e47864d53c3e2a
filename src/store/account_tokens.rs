//! One-time tokens sent by mail (password reset, address verification) and the
//! changes they unlock. Only a token's SHA-256 is stored; spending one is a
//! conditional UPDATE in the transaction of the change, so a token works once
//! even when two requests race with it.

use sqlx::Row;

use super::{affected, outbox::NewMail, Store, StoreResult, Tx};
use crate::domain::{Timestamp, UserId};

pub const RESET: &str = "reset";
pub const VERIFY: &str = "verify";

/// A token to store.
#[derive(Clone, Debug)]
pub struct NewToken {
    pub hash: String,
    pub purpose: &'static str,
    pub user_id: UserId,
    /// The address a verification token confirms.
    pub email: Option<String>,
    pub created_at: Timestamp,
    pub expires_at: Timestamp,
}

/// A stored token, as a lookup finds it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TokenRow {
    pub user_id: UserId,
    pub email: Option<String>,
    pub expires_at: Timestamp,
    pub used_at: Option<Timestamp>,
}

/// What spending a verification token did.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Verified {
    Done {
        user_id: UserId,
    },
    /// Spent already, by another request just now.
    Spent,
    /// The account's address is no longer the one the token confirms.
    Stale,
}

impl Store {
    /// Stores a token and queues the mail that carries it, together, unless
    /// the user was issued a token of the same purpose less than `min_gap_ms`
    /// ago (then false, nothing written). The user's row is locked first, so two
    /// requests at once cannot both pass that check. Earlier unspent tokens of
    /// the same purpose stop working: only the latest link does.
    pub async fn issue_account_token(
        &self,
        t: &NewToken,
        mail: &NewMail,
        min_gap_ms: i64,
    ) -> StoreResult<bool> {
        let mut tx = self.pool.begin().await?;
        sqlx::query(&self.sql("UPDATE users SET updated_at = updated_at WHERE id = ?"))
            .bind(t.user_id.to_string())
            .execute(&mut *tx)
            .await?;
        let sql = self.sql(
            "SELECT MAX(created_at) AS t FROM account_tokens WHERE user_id = ? AND purpose = ?",
        );
        let last: Option<i64> = sqlx::query(&sql)
            .bind(t.user_id.to_string())
            .bind(t.purpose)
            .fetch_one(&mut *tx)
            .await?
            .try_get("t")?;
        if last.is_some_and(|last| t.created_at.millis() - last < min_gap_ms) {
            return Ok(false);
        }
        self.void_tokens_in(&mut tx, t.user_id, t.purpose, t.created_at)
            .await?;
        self.insert_token_in(&mut tx, t).await?;
        self.enqueue_mail_in(&mut tx, mail, t.created_at).await?;
        tx.commit().await?;
        Ok(true)
    }

    /// Stores a token without a mail (the operator's `admin reset-link`).
    pub async fn insert_account_token(&self, t: &NewToken) -> StoreResult<()> {
        let mut tx = self.pool.begin().await?;
        self.void_tokens_in(&mut tx, t.user_id, t.purpose, t.created_at)
            .await?;
        self.insert_token_in(&mut tx, t).await?;
        tx.commit().await?;
        Ok(())
    }

    async fn insert_token_in(&self, tx: &mut Tx<'_>, t: &NewToken) -> StoreResult<()> {
        let sql = self.sql(
            "INSERT INTO account_tokens (token_hash, purpose, user_id, email, created_at, \
             expires_at, used_at) VALUES (?, ?, ?, ?, ?, ?, NULL)",
        );
        sqlx::query(&sql)
            .bind(t.hash.clone())
            .bind(t.purpose)
            .bind(t.user_id.to_string())
            .bind(t.email.clone())
            .bind(t.created_at.millis())
            .bind(t.expires_at.millis())
            .execute(&mut **tx)
            .await?;
        Ok(())
    }

    async fn void_tokens_in(
        &self,
        tx: &mut Tx<'_>,
        user: UserId,
        purpose: &str,
        now: Timestamp,
    ) -> StoreResult<()> {
        let sql = self.sql(
            "UPDATE account_tokens SET used_at = ? WHERE user_id = ? AND purpose = ? \
             AND used_at IS NULL",
        );
        sqlx::query(&sql)
            .bind(now.millis())
            .bind(user.to_string())
            .bind(purpose.to_owned())
            .execute(&mut **tx)
            .await?;
        Ok(())
    }

    /// The token with this hash and purpose, spent or not.
    pub async fn account_token(&self, hash: &str, purpose: &str) -> StoreResult<Option<TokenRow>> {
        let sql = self.sql(
            "SELECT user_id, email, expires_at, used_at FROM account_tokens \
             WHERE token_hash = ? AND purpose = ?",
        );
        let row = sqlx::query(&sql)
            .bind(hash.to_owned())
            .bind(purpose.to_owned())
            .fetch_optional(&self.pool)
            .await?;
        row.map(|r| {
            Ok(TokenRow {
                user_id: super::rows::parse(&r, "user_id")?,
                email: r.try_get("email")?,
                expires_at: super::rows::ts(&r, "expires_at")?,
                used_at: super::rows::opt_ts(&r, "used_at")?,
            })
        })
        .transpose()
    }

    /// Spends a reset token and, in the same transaction, sets the new password
    /// hash, revokes every session of the user, voids the user's other reset
    /// tokens and queues the notice. False when the token was no longer
    /// spendable (used or expired meanwhile): nothing changed.
    pub async fn reset_password(
        &self,
        hash: &str,
        user: UserId,
        password_hash: &str,
        notice: Option<&NewMail>,
        now: Timestamp,
    ) -> StoreResult<bool> {
        let mut tx = self.pool.begin().await?;
        if !self.spend_in(&mut tx, hash, RESET, now).await? {
            return Ok(false);
        }
        let sql = self.sql("UPDATE users SET password_hash = ?, updated_at = ? WHERE id = ?");
        sqlx::query(&sql)
            .bind(password_hash.to_owned())
            .bind(now.millis())
            .bind(user.to_string())
            .execute(&mut *tx)
            .await?;
        let sql = self.sql(
            "UPDATE sessions SET revoked_at = ?, revoke_reason = 'password_reset' \
             WHERE user_id = ? AND revoked_at IS NULL",
        );
        sqlx::query(&sql)
            .bind(now.millis())
            .bind(user.to_string())
            .execute(&mut *tx)
            .await?;
        self.void_tokens_in(&mut tx, user, RESET, now).await?;
        if let Some(mail) = notice {
            self.enqueue_mail_in(&mut tx, mail, now).await?;
        }
        tx.commit().await?;
        Ok(true)
    }

    /// Spends a verification token and marks the address verified, if it is
    /// still the account's address.
    pub async fn verify_email(
        &self,
        hash: &str,
        t: &TokenRow,
        now: Timestamp,
    ) -> StoreResult<Verified> {
        let mut tx = self.pool.begin().await?;
        if !self.spend_in(&mut tx, hash, VERIFY, now).await? {
            return Ok(Verified::Spent);
        }
        let sql = self.sql(
            "UPDATE users SET email_verified_at = ?, updated_at = ? WHERE id = ? AND email_lower = ?",
        );
        let r = sqlx::query(&sql)
            .bind(now.millis())
            .bind(now.millis())
            .bind(t.user_id.to_string())
            .bind(t.email.as_deref().unwrap_or_default().to_lowercase())
            .execute(&mut *tx)
            .await?;
        if affected(r) == 0 {
            return Ok(Verified::Stale);
        }
        tx.commit().await?;
        Ok(Verified::Done { user_id: t.user_id })
    }

    /// Sets (or clears) a user's address as unverified, voids earlier
    /// verification links, and stores the new link and queues the mails, in one
    /// transaction. A taken address is `Conflict("email")`.
    pub async fn change_email(
        &self,
        user: UserId,
        email: Option<&str>,
        token: Option<&NewToken>,
        mails: &[NewMail],
        now: Timestamp,
    ) -> StoreResult<()> {
        let mut tx = self.pool.begin().await?;
        let sql = self.sql(
            "UPDATE users SET email = ?, email_lower = ?, email_verified_at = NULL, updated_at = ? \
             WHERE id = ?",
        );
        sqlx::query(&sql)
            .bind(email.map(str::to_owned))
            .bind(email.map(str::to_lowercase))
            .bind(now.millis())
            .bind(user.to_string())
            .execute(&mut *tx)
            .await?;
        self.void_tokens_in(&mut tx, user, VERIFY, now).await?;
        if let Some(t) = token {
            self.insert_token_in(&mut tx, t).await?;
        }
        for mail in mails {
            self.enqueue_mail_in(&mut tx, mail, now).await?;
        }
        tx.commit().await?;
        Ok(())
    }

    /// Marks one unspent, unexpired token spent; false if it was not.
    async fn spend_in(
        &self,
        tx: &mut Tx<'_>,
        hash: &str,
        purpose: &str,
        now: Timestamp,
    ) -> StoreResult<bool> {
        let sql = self.sql(
            "UPDATE account_tokens SET used_at = ? WHERE token_hash = ? AND purpose = ? \
             AND used_at IS NULL AND expires_at > ?",
        );
        let r = sqlx::query(&sql)
            .bind(now.millis())
            .bind(hash.to_owned())
            .bind(purpose.to_owned())
            .bind(now.millis())
            .execute(&mut **tx)
            .await?;
        Ok(affected(r) == 1)
    }
}
