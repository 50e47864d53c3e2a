//! Web push subscriptions and the push queue. A push is queued for every live
//! subscription of a user (one whose session is still signed in) and delivered
//! by whichever node claims it, like mail (store/outbox.rs).

use sqlx::Row;

use super::{affected, Store, StoreResult};
use crate::domain::{PushId, PushSubscriptionId, SessionId, Timestamp, UserId};

/// A browser on a device that agreed to receive pushes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Subscription {
    pub id: PushSubscriptionId,
    pub user_id: UserId,
    pub session_id: SessionId,
    pub endpoint: String,
    /// The browser's P-256 public key and auth secret, base64url as it gave them.
    pub p256dh: String,
    pub auth: String,
    pub user_agent: String,
    pub created_at: Timestamp,
}

/// A queued push with what sending it needs.
#[derive(Clone, Debug)]
pub struct QueuedPush {
    pub id: PushId,
    pub subscription: Subscription,
    pub payload: String,
    pub attempts: i64,
}

const SUB_COLUMNS: &str = "s.id AS s_id, s.user_id AS s_user_id, s.session_id AS s_session_id, \
     s.endpoint AS s_endpoint, s.p256dh AS s_p256dh, s.auth AS s_auth, \
     s.user_agent AS s_user_agent, s.created_at AS s_created_at";

fn subscription(r: &sqlx::any::AnyRow) -> Result<Subscription, sqlx::Error> {
    Ok(Subscription {
        id: super::rows::parse(r, "s_id")?,
        user_id: super::rows::parse(r, "s_user_id")?,
        session_id: super::rows::parse(r, "s_session_id")?,
        endpoint: r.try_get("s_endpoint")?,
        p256dh: r.try_get("s_p256dh")?,
        auth: r.try_get("s_auth")?,
        user_agent: r.try_get("s_user_agent")?,
        created_at: super::rows::ts(r, "s_created_at")?,
    })
}

impl Store {
    /// Stores a subscription; the same endpoint again (a browser subscribing
    /// anew, perhaps as another user) replaces the old row.
    pub async fn save_subscription(
        &self,
        s: &Subscription,
        endpoint_hash: &str,
    ) -> StoreResult<()> {
        let mut tx = self.pool.begin().await?;
        sqlx::query(&self.sql("DELETE FROM push_subscriptions WHERE endpoint_hash = ?"))
            .bind(endpoint_hash.to_owned())
            .execute(&mut *tx)
            .await?;
        let sql = self.sql(
            "INSERT INTO push_subscriptions (id, user_id, session_id, endpoint, endpoint_hash, \
             p256dh, auth, user_agent, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        );
        sqlx::query(&sql)
            .bind(s.id.to_string())
            .bind(s.user_id.to_string())
            .bind(s.session_id.to_string())
            .bind(s.endpoint.clone())
            .bind(endpoint_hash.to_owned())
            .bind(s.p256dh.clone())
            .bind(s.auth.clone())
            .bind(s.user_agent.clone())
            .bind(s.created_at.millis())
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(())
    }

    /// `user`'s subscriptions whose session is still signed in, oldest first.
    pub async fn live_subscriptions(
        &self,
        user: UserId,
        now: Timestamp,
    ) -> StoreResult<Vec<Subscription>> {
        let sql = format!(
            "SELECT {SUB_COLUMNS} FROM push_subscriptions s JOIN sessions se ON se.id = s.session_id \
             WHERE s.user_id = ? AND se.revoked_at IS NULL AND se.expires_at > ? ORDER BY s.created_at"
        );
        let rows = sqlx::query(&self.sql(&sql))
            .bind(user.to_string())
            .bind(now.millis())
            .fetch_all(&self.pool)
            .await?;
        Ok(rows.iter().map(subscription).collect::<Result<_, _>>()?)
    }

    /// Deletes one of `user`'s subscriptions; false if there is none.
    pub async fn delete_subscription(
        &self,
        user: UserId,
        id: PushSubscriptionId,
    ) -> StoreResult<bool> {
        let sql = self.sql("DELETE FROM push_subscriptions WHERE id = ? AND user_id = ?");
        let r = sqlx::query(&sql)
            .bind(id.to_string())
            .bind(user.to_string())
            .execute(&self.pool)
            .await?;
        Ok(affected(r) == 1)
    }

    /// Deletes the subscriptions made in a session (logout).
    pub async fn delete_session_subscriptions(&self, session: SessionId) -> StoreResult<u64> {
        let r = sqlx::query(&self.sql("DELETE FROM push_subscriptions WHERE session_id = ?"))
            .bind(session.to_string())
            .execute(&self.pool)
            .await?;
        Ok(affected(r))
    }

    /// A push service said the subscription is gone (404/410): forget it and
    /// what was queued for it.
    pub async fn drop_subscription(&self, id: PushSubscriptionId) -> StoreResult<()> {
        let mut tx = self.pool.begin().await?;
        sqlx::query(&self.sql("DELETE FROM push_subscriptions WHERE id = ?"))
            .bind(id.to_string())
            .execute(&mut *tx)
            .await?;
        sqlx::query(&self.sql("UPDATE push_queue SET next_at = NULL WHERE subscription_id = ?"))
            .bind(id.to_string())
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Queues `payload` for each of these subscriptions, in one transaction.
    pub async fn enqueue_push(
        &self,
        subs: &[PushSubscriptionId],
        payload: &str,
        now: Timestamp,
    ) -> StoreResult<()> {
        let mut tx = self.pool.begin().await?;
        let sql = self.sql(
            "INSERT INTO push_queue (id, subscription_id, payload, created_at, attempts, next_at, \
             claimed_until, sent_at, last_error) VALUES (?, ?, ?, ?, 0, ?, NULL, NULL, NULL)",
        );
        for s in subs {
            sqlx::query(&sql)
                .bind(PushId::new().to_string())
                .bind(s.to_string())
                .bind(payload.to_owned())
                .bind(now.millis())
                .bind(now.millis())
                .execute(&mut *tx)
                .await?;
        }
        tx.commit().await?;
        Ok(())
    }

    /// Up to `limit` pushes due at `now`, with their subscription, that no live
    /// lease holds. Pushes whose subscription is gone are not returned.
    pub async fn due_pushes(&self, now: Timestamp, limit: i64) -> StoreResult<Vec<QueuedPush>> {
        let sql = format!(
            "SELECT q.id AS q_id, q.payload AS q_payload, q.attempts AS q_attempts, {SUB_COLUMNS} \
             FROM push_queue q JOIN push_subscriptions s ON s.id = q.subscription_id \
             WHERE q.next_at IS NOT NULL AND q.next_at <= ? \
             AND (q.claimed_until IS NULL OR q.claimed_until < ?) ORDER BY q.next_at LIMIT ?"
        );
        let rows = sqlx::query(&self.sql(&sql))
            .bind(now.millis())
            .bind(now.millis())
            .bind(limit)
            .fetch_all(&self.pool)
            .await?;
        rows.iter()
            .map(|r| {
                Ok(QueuedPush {
                    id: super::rows::parse(r, "q_id")?,
                    subscription: subscription(r)?,
                    payload: r.try_get("q_payload")?,
                    attempts: r.try_get("q_attempts")?,
                })
            })
            .collect()
    }

    /// Takes the lease on one push until `until`; false if another node has it.
    pub async fn claim_push(
        &self,
        id: PushId,
        now: Timestamp,
        until: Timestamp,
    ) -> StoreResult<bool> {
        self.take_lease("push_queue", id.to_string(), now, until)
            .await
    }

    /// Records an attempt: delivered (`sent`), tried again at `retry_at`, or
    /// given up (neither). The payload is emptied once it is no longer needed.
    pub async fn push_attempted(
        &self,
        id: PushId,
        sent: Option<Timestamp>,
        retry_at: Option<Timestamp>,
        error: Option<&str>,
    ) -> StoreResult<()> {
        let done = retry_at.is_none();
        let sql = if done {
            "UPDATE push_queue SET sent_at = ?, next_at = ?, claimed_until = NULL, payload = '', \
             attempts = attempts + 1, last_error = ? WHERE id = ?"
        } else {
            "UPDATE push_queue SET sent_at = ?, next_at = ?, claimed_until = NULL, \
             attempts = attempts + 1, last_error = ? WHERE id = ?"
        };
        sqlx::query(&self.sql(sql))
            .bind(sent.map(Timestamp::millis))
            .bind(retry_at.map(Timestamp::millis))
            .bind(error.map(|e| e.chars().take(500).collect::<String>()))
            .bind(id.to_string())
            .execute(&self.pool)
            .await?;
        Ok(())
    }
}
