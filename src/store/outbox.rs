//! The mail outbox: every mail is a row first, written in the transaction of the
//! change it reports, then sent by whichever node claims it. A node holds a
//! lease (`claimed_until`) while it sends, so two nodes never send one row at
//! once, and a node that died mid-send leaves a lease that simply runs out.

use sqlx::Row;

use super::{affected, Store, StoreResult, Tx};
use crate::domain::{MailId, Timestamp, UserId};

/// A mail to queue. `params` is what its template needs, as a JSON object.
#[derive(Clone, Debug)]
pub struct NewMail {
    pub id: MailId,
    pub kind: &'static str,
    pub user_id: Option<UserId>,
    pub to: String,
    pub params: serde_json::Value,
}

/// A queued mail as the sender sees it.
#[derive(Clone, Debug)]
pub struct QueuedMail {
    pub id: MailId,
    pub kind: String,
    pub to: String,
    pub params: serde_json::Value,
    pub attempts: i64,
}

impl Store {
    /// Queues a mail on its own (no other change goes with it).
    pub async fn enqueue_mail(&self, mail: &NewMail, now: Timestamp) -> StoreResult<()> {
        let mut tx = self.pool.begin().await?;
        self.enqueue_mail_in(&mut tx, mail, now).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Queues a mail inside the caller's transaction: the mail exists exactly
    /// when the change it reports does.
    pub(super) async fn enqueue_mail_in(
        &self,
        tx: &mut Tx<'_>,
        mail: &NewMail,
        now: Timestamp,
    ) -> StoreResult<()> {
        let sql = self.sql(
            "INSERT INTO mail_outbox (id, kind, user_id, to_addr, params, created_at, attempts, \
             next_at, claimed_until, sent_at, last_error) VALUES (?, ?, ?, ?, ?, ?, 0, ?, NULL, NULL, NULL)",
        );
        sqlx::query(&sql)
            .bind(mail.id.to_string())
            .bind(mail.kind)
            .bind(mail.user_id.map(|u| u.to_string()))
            .bind(mail.to.clone())
            .bind(mail.params.to_string())
            .bind(now.millis())
            .bind(now.millis())
            .execute(&mut **tx)
            .await?;
        Ok(())
    }

    /// Up to `limit` mails due at `now` that no live lease holds, oldest first.
    pub async fn due_mail(&self, now: Timestamp, limit: i64) -> StoreResult<Vec<QueuedMail>> {
        let sql = self.sql(
            "SELECT id, kind, to_addr, params, attempts FROM mail_outbox \
             WHERE next_at IS NOT NULL AND next_at <= ? \
             AND (claimed_until IS NULL OR claimed_until < ?) ORDER BY next_at LIMIT ?",
        );
        let rows = sqlx::query(&sql)
            .bind(now.millis())
            .bind(now.millis())
            .bind(limit)
            .fetch_all(&self.pool)
            .await?;
        rows.iter()
            .map(|r| {
                let params: String = r.try_get("params")?;
                Ok(QueuedMail {
                    id: super::rows::parse(r, "id")?,
                    kind: r.try_get("kind")?,
                    to: r.try_get("to_addr")?,
                    params: serde_json::from_str(&params)
                        .map_err(|e| super::StoreError::Other(e.into()))?,
                    attempts: r.try_get("attempts")?,
                })
            })
            .collect()
    }

    /// Takes the lease on one mail until `until`; false if another node holds it
    /// or it was sent meanwhile.
    pub async fn claim_mail(
        &self,
        id: MailId,
        now: Timestamp,
        until: Timestamp,
    ) -> StoreResult<bool> {
        self.take_lease("mail_outbox", id.to_string(), now, until)
            .await
    }

    /// Takes the lease on row `id` of a queue table (mail_outbox, push_queue:
    /// `next_at` set while due, `claimed_until` the lease) until `until`.
    pub(super) async fn take_lease(
        &self,
        table: &'static str,
        id: String,
        now: Timestamp,
        until: Timestamp,
    ) -> StoreResult<bool> {
        let sql = format!(
            "UPDATE {table} SET claimed_until = ? WHERE id = ? AND next_at IS NOT NULL \
             AND (claimed_until IS NULL OR claimed_until < ?)"
        );
        let r = sqlx::query(&self.sql(&sql))
            .bind(until.millis())
            .bind(id)
            .bind(now.millis())
            .execute(&self.pool)
            .await?;
        Ok(affected(r) == 1)
    }

    /// Records a sent mail and empties its parameters (links in them must not
    /// outlive the delivery).
    pub async fn mail_sent(&self, id: MailId, now: Timestamp) -> StoreResult<()> {
        let sql = self.sql(
            "UPDATE mail_outbox SET sent_at = ?, next_at = NULL, claimed_until = NULL, \
             params = '{}', attempts = attempts + 1, last_error = NULL WHERE id = ?",
        );
        sqlx::query(&sql)
            .bind(now.millis())
            .bind(id.to_string())
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    /// Records a failed attempt: tried again at `retry_at`, or (None) given up,
    /// parameters emptied.
    pub async fn mail_failed(
        &self,
        id: MailId,
        retry_at: Option<Timestamp>,
        error: &str,
    ) -> StoreResult<()> {
        let error: String = error.chars().take(500).collect();
        let sql = match retry_at {
            Some(_) => {
                "UPDATE mail_outbox SET next_at = ?, claimed_until = NULL, \
                        attempts = attempts + 1, last_error = ? WHERE id = ?"
            }
            None => {
                "UPDATE mail_outbox SET next_at = ?, claimed_until = NULL, params = '{}', \
                     attempts = attempts + 1, last_error = ? WHERE id = ?"
            }
        };
        sqlx::query(&self.sql(sql))
            .bind(retry_at.map(|t| t.millis()))
            .bind(error)
            .bind(id.to_string())
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    /// Mails of `kind` queued for `user` since `since` (for per-account limits).
    pub async fn mails_since(
        &self,
        user: UserId,
        kind: &str,
        since: Timestamp,
    ) -> StoreResult<i64> {
        let sql = self.sql(
            "SELECT COUNT(*) AS n FROM mail_outbox WHERE user_id = ? AND kind = ? AND created_at >= ?",
        );
        let row = sqlx::query(&sql)
            .bind(user.to_string())
            .bind(kind.to_owned())
            .bind(since.millis())
            .fetch_one(&self.pool)
            .await?;
        Ok(row.try_get("n")?)
    }
}
