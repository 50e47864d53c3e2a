//! The missed-message digest: one mail to a user who has been away longer than
//! the delay and has unread direct messages or mentions (or anything, by their
//! choice), never more than one per interval. Coming back first cancels it: a
//! connection clears `away_since`, and reading moves the read marker. Who wrote
//! and how many; the text itself only if the operator allows it.

use std::{collections::BTreeMap, time::Duration};

use serde_json::json;

use super::Chat;
use crate::{
    domain::{ConversationKind, Timestamp, UserId},
    error::AppResult,
    store::digests::{DigestWindow, Missed},
};

/// When digests go out.
#[derive(Clone, Copy, Debug)]
pub struct DigestPolicy {
    /// Away at least this long.
    pub delay: Duration,
    /// At most one digest per user per this.
    pub interval: Duration,
    /// Put message text in the mail (off by default: patient data stays out of mail).
    pub with_content: bool,
}

/// Missed messages older than this are left to the app.
const LOOK_BACK: Duration = Duration::from_secs(7 * 86_400);
/// Characters of a message shown in a digest that may show them.
const EXCERPT_CHARS: usize = 200;

impl Chat {
    /// Queues the digests that are due at `now`; returns how many.
    pub async fn send_digests(&self, now: Timestamp) -> AppResult<usize> {
        if !self.mail_enabled() {
            return Ok(0);
        }
        let d = self.mail.digest;
        let ago = |t: Duration| now.plus_secs(-(t.as_secs() as i64));
        let w = DigestWindow {
            now,
            away_before: ago(d.delay),
            digest_before: ago(d.interval),
            active_since: ago(LOOK_BACK),
        };
        let mut by_user: BTreeMap<UserId, Vec<Missed>> = BTreeMap::new();
        for m in self.store.missed_messages(w).await? {
            // Online on some node (the row may lag a reconnect by the offline
            // batch window).
            if !self.online_anywhere(m.user_id).await {
                by_user.entry(m.user_id).or_default().push(m);
            }
        }
        let mut queued = 0;
        for (user, missed) in by_user {
            if self.queue_digest(user, missed, w).await? {
                queued += 1;
            }
        }
        Ok(queued)
    }

    async fn queue_digest(
        &self,
        user: UserId,
        missed: Vec<Missed>,
        w: DigestWindow,
    ) -> AppResult<bool> {
        let Some(me) = self.store.user_by_id(user).await? else {
            return Ok(false);
        };
        let Some(to) = me.email.clone() else {
            return Ok(false);
        };
        let senders: Vec<UserId> = missed.iter().map(|m| m.sender_id).collect();
        let names: BTreeMap<UserId, String> = self
            .store
            .users_by_ids(&senders)
            .await?
            .into_iter()
            .map(|u| {
                let name = if u.is_active() {
                    u.full_name
                } else {
                    "Deactivated user".into()
                };
                (u.id, name)
            })
            .collect();
        let bodies: BTreeMap<_, String> = if self.mail.digest.with_content {
            let keys: Vec<_> = missed
                .iter()
                .map(|m| (m.conversation_id, m.last_seq))
                .collect();
            self.store
                .message_bodies(&keys)
                .await?
                .into_iter()
                .map(|(c, s, b)| ((c, s), b.chars().take(EXCERPT_CHARS).collect()))
                .collect()
        } else {
            BTreeMap::new()
        };
        let mut items = Vec::new();
        for m in &missed {
            let place = match self.store.conversation(m.conversation_id).await? {
                Some((c, _)) if c.kind == ConversationKind::Group => c.name.unwrap_or_default(),
                _ => String::new(),
            };
            items.push(json!({
                "who": names.get(&m.sender_id).cloned().unwrap_or_default(),
                "group": place,
                "count": m.count,
                "excerpt": bodies.get(&(m.conversation_id, m.last_seq)),
            }));
        }
        let total: i64 = missed.iter().map(|m| m.count).sum();
        let mail = self.new_mail(
            "missed",
            &me,
            &to,
            json!({ "total": total, "items": items, "link": self.mail.public_url }),
        );
        let queued = self
            .store
            .record_digest(user, w.digest_before, &mail, w.now)
            .await?;
        if queued {
            self.mail_queued();
            tracing::info!(user_id = %user, messages = total, "digest mail queued");
        }
        Ok(queued)
    }

    /// Looks for due digests every `every` until dropped.
    pub async fn digests_every(self, every: Duration) {
        if !self.mail_enabled() {
            return;
        }
        loop {
            tokio::time::sleep(every).await;
            if let Err(e) = self.send_digests(Timestamp::now()).await {
                tracing::warn!(error = %e, "digest pass failed");
            }
        }
    }
}
