//! Mail from the durable outbox: use cases queue a row (in the transaction of
//! the change it reports, where there is one); a worker on every node claims due
//! rows under a lease and sends them over SMTP, retrying with growing delays.
//! Mail never carries message content unless the operator allows it.

use std::time::Duration;

use serde_json::{json, Value};
use tokio::sync::Notify;

use super::Chat;
use crate::{
    domain::{MailId, Timestamp, User},
    error::AppResult,
    mail::{Outgoing, Smtp, Templates},
    store::outbox::{NewMail, QueuedMail},
};

/// How the server sends mail, decided by the app from the config.
pub struct Mailing {
    /// None when no `--smtp-url` is set: nothing is queued then.
    pub smtp: Option<Smtp>,
    pub templates: Templates,
    /// The address links in mail point at, without a trailing slash.
    pub public_url: String,
    /// First retry delay (doubling, up to an hour).
    pub retry: Duration,
    pub max_attempts: u32,
    /// How often the worker looks for due mail without being woken.
    pub poll: Duration,
    /// Minimum time between two reset mails to one account.
    pub reset_interval: Duration,
    /// Woken when this node queues mail.
    pub wake: Notify,
    /// When missed-message digests go out.
    pub digest: super::digest::DigestPolicy,
    /// How often this node looks for due digests.
    pub digest_check: Duration,
}

/// A node holds a mail this long while sending it; after that another may try.
const LEASE: Duration = Duration::from_secs(120);
/// Mails one look at the outbox takes.
const BATCH: i64 = 20;

impl Chat {
    /// Whether mail goes out at all.
    pub fn mail_enabled(&self) -> bool {
        self.mail.smtp.is_some()
    }

    /// A mail of `kind` for `user` at `to`; `params` gets the username and the
    /// site's address added.
    pub(crate) fn new_mail(
        &self,
        kind: &'static str,
        user: &User,
        to: &str,
        params: Value,
    ) -> NewMail {
        let mut params = params;
        if let Value::Object(map) = &mut params {
            map.insert("username".into(), json!(user.username.as_str()));
            map.insert("site_url".into(), json!(self.mail.public_url));
        }
        NewMail {
            id: MailId::new(),
            kind,
            user_id: Some(user.id),
            to: to.to_owned(),
            params,
        }
    }

    /// A link into the web client with a token in its fragment: the fragment
    /// never reaches a server log or a Referer header.
    pub(crate) fn link(&self, page: &str, token: &str) -> String {
        format!("{}/{page}#token={token}", self.mail.public_url)
    }

    /// Tells this node's worker that mail is waiting.
    pub(crate) fn mail_queued(&self) {
        self.mail.wake.notify_one();
    }

    /// Sends every mail that is due now; returns how many went out.
    pub async fn deliver_due_mail(&self) -> AppResult<usize> {
        let Some(smtp) = &self.mail.smtp else {
            return Ok(0);
        };
        let mut sent = 0;
        loop {
            let now = Timestamp::now();
            let due = self.store.due_mail(now, BATCH).await?;
            let full = due.len() as i64 == BATCH;
            for mail in due {
                let lease = now.plus_secs(LEASE.as_secs() as i64);
                if self.store.claim_mail(mail.id, now, lease).await? {
                    sent += usize::from(self.deliver_one(smtp, mail).await?);
                }
            }
            if !full {
                return Ok(sent);
            }
        }
    }

    async fn deliver_one(&self, smtp: &Smtp, mail: QueuedMail) -> AppResult<bool> {
        let outgoing = match self.mail.templates.render(&mail.kind, &mail.params) {
            Ok(rendered) => Outgoing {
                to: mail.to.clone(),
                rendered,
                message_id: format!("<{}@{}>", mail.id, smtp.domain()),
            },
            Err(e) => {
                tracing::error!(mail_id = %mail.id, kind = %mail.kind, error = %e, "mail template failed; given up");
                self.store
                    .mail_failed(mail.id, None, &e.to_string())
                    .await?;
                return Ok(false);
            }
        };
        match smtp.send(&outgoing).await {
            Ok(()) => {
                self.store.mail_sent(mail.id, Timestamp::now()).await?;
                tracing::info!(mail_id = %mail.id, kind = %mail.kind, "mail sent");
                Ok(true)
            }
            Err(e) => {
                let attempt = u32::try_from(mail.attempts)
                    .unwrap_or(u32::MAX)
                    .saturating_add(1);
                let retry_at = (!e.permanent && attempt < self.mail.max_attempts).then(|| {
                    Timestamp::now().plus_secs(backoff(self.mail.retry, attempt).as_secs() as i64)
                });
                tracing::warn!(mail_id = %mail.id, kind = %mail.kind, attempt, permanent = e.permanent,
                    retry = retry_at.is_some(), error = %e, "mail not sent");
                self.store
                    .mail_failed(mail.id, retry_at, &e.message)
                    .await?;
                Ok(false)
            }
        }
    }

    /// The outbox worker: sends due mail when woken by this node or every poll
    /// interval (retries, mail queued by other nodes), until dropped.
    pub async fn deliver_mail_forever(self) {
        if self.mail.smtp.is_none() {
            return;
        }
        loop {
            if let Err(e) = self.deliver_due_mail().await {
                tracing::warn!(error = %e, "mail outbox: could not read or update the queue");
            }
            tokio::select! {
                _ = self.mail.wake.notified() => {}
                _ = tokio::time::sleep(self.mail.poll) => {}
            }
        }
    }
}

/// The delay before attempt `attempt + 1`: `base` doubled per earlier attempt,
/// at most an hour.
pub(super) fn backoff(base: Duration, attempt: u32) -> Duration {
    let factor = 2u32.saturating_pow(attempt.saturating_sub(1).min(16));
    base.saturating_mul(factor).min(Duration::from_secs(3600))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retries_wait_longer_each_time_up_to_an_hour() {
        let b = Duration::from_secs(30);
        assert_eq!(backoff(b, 1), Duration::from_secs(30));
        assert_eq!(backoff(b, 2), Duration::from_secs(60));
        assert_eq!(backoff(b, 4), Duration::from_secs(240));
        assert_eq!(backoff(b, 30), Duration::from_secs(3600));
    }
}
