//! Web push: subscriptions per device, and pushes to users with no live
//! connection for a direct message, a mention, a friend request or being added
//! to a group. Queued (store/push.rs), delivered by a worker on every node with
//! retries; a subscription the push service calls gone is removed. The payload
//! holds what the notification shows: who and where, the text only if the
//! operator allows it. Muted conversations and blocked senders never push.

use std::time::Duration;

use serde::{Deserialize, Serialize};
use serde_json::json;
use sha2::{Digest, Sha256};
use tokio::sync::Notify;
use utoipa::ToSchema;

use super::{Chat, Device, Principal};
use crate::{
    domain::{ConversationId, PushSubscriptionId, Timestamp, UserId},
    error::{AppError, AppResult},
    push::{valid_keys, Outcome, WebPush},
    store::push::{QueuedPush, Subscription},
};

/// How the server pushes, decided by the app from the config.
pub struct Pushing {
    pub web_push: WebPush,
    pub retry: Duration,
    pub max_attempts: u32,
    /// Put message text in pushes.
    pub with_content: bool,
    pub wake: Notify,
}

/// A browser's `PushSubscription.toJSON()`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SubscribeInput {
    /// The push service URL (one of the allowed origins).
    pub endpoint: String,
    pub keys: SubscriptionKeys,
    /// Ignored (browsers send it; usually null).
    #[serde(rename = "expirationTime", default)]
    #[schema(value_type = Option<i64>)]
    pub expiration_time: Option<serde_json::Value>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SubscriptionKeys {
    /// The browser's P-256 public key, base64url.
    pub p256dh: String,
    /// The 16-byte auth secret, base64url.
    pub auth: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct SubscriptionView {
    pub id: PushSubscriptionId,
    pub user_agent: String,
    #[schema(value_type = String, format = DateTime)]
    pub created_at: Timestamp,
    /// Made by the session asking.
    pub current: bool,
}

/// Why someone is pushed.
#[derive(Clone, Debug)]
pub enum PushKind {
    /// A direct message (its text, shown only where the operator allows).
    Message {
        body: String,
    },
    Mention,
    FriendRequest,
    GroupAdded,
    GroupInvited,
}

impl PushKind {
    fn is_message(&self) -> bool {
        matches!(self, PushKind::Message { .. } | PushKind::Mention)
    }
}

/// Devices one user may have subscribed at once.
const MAX_SUBSCRIPTIONS: usize = 20;
const LEASE_SECS: i64 = 60;
const BATCH: i64 = 50;
/// Characters of a message a push may show, where text is allowed.
const EXCERPT_CHARS: usize = 120;

impl Chat {
    /// The key browsers subscribe with (`applicationServerKey`).
    pub fn vapid_public_key(&self) -> &str {
        &self.push.web_push.public_key
    }

    pub async fn subscribe_push(
        &self,
        who: &Principal,
        input: SubscribeInput,
        device: &Device,
    ) -> AppResult<SubscriptionView> {
        let endpoint = input.endpoint.trim();
        if endpoint.len() > 1000 || !self.push.web_push.allows(endpoint) {
            return Err(AppError::invalid(
                "endpoint",
                "endpoint_not_allowed",
                "this push service is not one the server sends to",
            ));
        }
        if !valid_keys(&input.keys.p256dh, &input.keys.auth) {
            return Err(AppError::invalid(
                "keys",
                "invalid_keys",
                "p256dh or auth is not a valid key",
            ));
        }
        let now = Timestamp::now();
        let existing = self.store.live_subscriptions(who.user_id, now).await?;
        if existing.len() >= MAX_SUBSCRIPTIONS && !existing.iter().any(|s| s.endpoint == endpoint) {
            return Err(AppError::conflict(
                "too_many_subscriptions",
                "too many devices get notifications; remove one in your profile first",
            ));
        }
        let sub = Subscription {
            id: PushSubscriptionId::new(),
            user_id: who.user_id,
            session_id: who.session_id,
            endpoint: endpoint.to_owned(),
            p256dh: input.keys.p256dh.trim_end_matches('=').to_owned(),
            auth: input.keys.auth.trim_end_matches('=').to_owned(),
            user_agent: device.user_agent.chars().take(255).collect(),
            created_at: now,
        };
        let hash: String = Sha256::digest(endpoint.as_bytes())
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect();
        self.store.save_subscription(&sub, &hash).await?;
        tracing::info!(user_id = %who.user_id, subscription = %sub.id, "push subscription saved");
        Ok(view(&sub, who))
    }

    pub async fn push_subscriptions(&self, who: &Principal) -> AppResult<Vec<SubscriptionView>> {
        let subs = self
            .store
            .live_subscriptions(who.user_id, Timestamp::now())
            .await?;
        Ok(subs.iter().map(|s| view(s, who)).collect())
    }

    pub async fn unsubscribe_push(&self, who: &Principal, id: PushSubscriptionId) -> AppResult<()> {
        if self.store.delete_subscription(who.user_id, id).await? {
            Ok(())
        } else {
            Err(AppError::not_found("subscription"))
        }
    }

    /// Queues a push for `user` unless they are online here, the conversation
    /// is muted or they blocked `from`. Off the caller's path; failures logged.
    pub(super) fn push_later(
        &self,
        user: UserId,
        from: UserId,
        conversation: Option<ConversationId>,
        what: PushKind,
    ) {
        // Online on this node (the common case on the send path): no task at all.
        if self.presence.is_online(user) {
            return;
        }
        let chat = self.clone();
        tokio::spawn(async move {
            if let Err(e) = chat.push_now(user, from, conversation, what).await {
                tracing::warn!(%user, error = %e, "push not queued");
            }
        });
    }

    async fn push_now(
        &self,
        user: UserId,
        from: UserId,
        conversation: Option<ConversationId>,
        what: PushKind,
    ) -> AppResult<()> {
        // Cheapest refusal first: most users have no device subscribed.
        let now = Timestamp::now();
        let subs: Vec<_> = self
            .store
            .live_subscriptions(user, now)
            .await?
            .into_iter()
            .map(|s| s.id)
            .collect();
        if subs.is_empty()
            || self.online_anywhere(user).await
            || self.store.blocks(user, from).await?
        {
            return Ok(());
        }
        let mut group = None;
        if let Some(c) = conversation {
            let muted = self
                .store
                .member(c, user)
                .await?
                .and_then(|m| m.muted_until);
            if muted.is_some_and(|t| t > now) && what.is_message() {
                return Ok(());
            }
            group = self.store.conversation(c).await?.and_then(|(c, _)| c.name);
        }
        let sender = match self.store.user_by_id(from).await? {
            Some(u) if u.is_active() => u.full_name,
            _ => "Someone".to_owned(),
        };
        let payload = self.payload(&what, &sender, conversation, group.as_deref());
        self.store
            .enqueue_push(&subs, &payload.to_string(), now)
            .await?;
        self.push.wake.notify_one();
        Ok(())
    }

    /// What the notification shows: who and where; the text only if allowed.
    fn payload(
        &self,
        what: &PushKind,
        sender: &str,
        conversation: Option<ConversationId>,
        group: Option<&str>,
    ) -> serde_json::Value {
        let (kind, title, body) = match what {
            PushKind::Message { body } => {
                let text = if self.push.with_content && !body.is_empty() {
                    body.chars().take(EXCERPT_CHARS).collect::<String>()
                } else {
                    "New message".to_owned()
                };
                let title = group.map_or_else(|| sender.to_owned(), |g| format!("{sender} in {g}"));
                ("message", title, text)
            }
            PushKind::Mention => (
                "mention",
                sender.to_owned(),
                format!("mentioned you in {}", group.unwrap_or("a group")),
            ),
            PushKind::FriendRequest => (
                "friend_request",
                sender.to_owned(),
                "wants to be friends".to_owned(),
            ),
            PushKind::GroupAdded => (
                "group_added",
                sender.to_owned(),
                format!("added you to {}", group.unwrap_or("a group")),
            ),
            PushKind::GroupInvited => (
                "group_invited",
                sender.to_owned(),
                format!("invites you to {}", group.unwrap_or("a group")),
            ),
        };
        let url = match conversation {
            Some(c) if !matches!(what, PushKind::GroupInvited) => format!("/?conversation={c}"),
            _ if matches!(what, PushKind::FriendRequest) => "/?page=friends".to_owned(),
            _ => "/".to_owned(),
        };
        let tag = conversation.map_or_else(|| kind.to_owned(), |c| c.to_string());
        json!({"kind": kind, "title": title, "body": body, "conversation_id": conversation, "tag": tag, "url": url})
    }

    /// Sends every push that is due; returns how many were delivered.
    pub async fn deliver_due_pushes(&self) -> AppResult<usize> {
        let mut delivered = 0;
        loop {
            let now = Timestamp::now();
            let due = self.store.due_pushes(now, BATCH).await?;
            let full = due.len() as i64 == BATCH;
            for p in due {
                if self
                    .store
                    .claim_push(p.id, now, now.plus_secs(LEASE_SECS))
                    .await?
                {
                    delivered += usize::from(self.deliver_push(p).await?);
                }
            }
            if !full {
                return Ok(delivered);
            }
        }
    }

    async fn deliver_push(&self, p: QueuedPush) -> AppResult<bool> {
        let s = &p.subscription;
        let outcome = self
            .push
            .web_push
            .send(&s.endpoint, &s.p256dh, &s.auth, p.payload.as_bytes())
            .await;
        let attempt = u32::try_from(p.attempts)
            .unwrap_or(u32::MAX)
            .saturating_add(1);
        let retry = |secs: Option<u64>| {
            let wait = secs
                .map(Duration::from_secs)
                .unwrap_or_else(|| super::mail::backoff(self.push.retry, attempt));
            (attempt < self.push.max_attempts)
                .then(|| Timestamp::now().plus_secs(wait.as_secs().max(1) as i64))
        };
        match outcome {
            Outcome::Delivered => {
                self.store
                    .push_attempted(p.id, Some(Timestamp::now()), None, None)
                    .await?;
                Ok(true)
            }
            Outcome::Gone => {
                tracing::info!(subscription = %s.id, "push service says the subscription is gone; removed");
                self.store.drop_subscription(s.id).await?;
                Ok(false)
            }
            Outcome::RetryAfter(secs) => {
                self.store
                    .push_attempted(p.id, None, retry(secs), Some("no answer or busy"))
                    .await?;
                Ok(false)
            }
            Outcome::Failed { permanent, reason } => {
                let at = if permanent { None } else { retry(None) };
                tracing::warn!(subscription = %s.id, %reason, "push failed");
                self.store
                    .push_attempted(p.id, None, at, Some(&reason))
                    .await?;
                Ok(false)
            }
        }
    }

    /// The push worker: sends due pushes when woken or every `poll`.
    pub async fn deliver_pushes_forever(self, poll: Duration) {
        loop {
            if let Err(e) = self.deliver_due_pushes().await {
                tracing::warn!(error = %e, "push queue: could not read or update it");
            }
            tokio::select! {
                _ = self.push.wake.notified() => {}
                _ = tokio::time::sleep(poll) => {}
            }
        }
    }
}

fn view(s: &Subscription, who: &Principal) -> SubscriptionView {
    SubscriptionView {
        id: s.id,
        user_agent: s.user_agent.clone(),
        created_at: s.created_at,
        current: s.session_id == who.session_id,
    }
}
