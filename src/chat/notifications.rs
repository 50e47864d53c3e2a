//! Notifications: persisted per recipient, pushed live, replayed on resume, and
//! readable, markable and deletable by their recipient only.

use std::collections::HashMap;

use serde::Deserialize;
use utoipa::{IntoParams, ToSchema};

use super::{
    events::Event,
    push::PushKind,
    social_views::{NotificationView, NotificationsPage},
    views::UserView,
    Chat, Principal,
};
use crate::{
    domain::{
        ConversationId, FriendRequestId, MessageId, Notification, NotificationId, NotificationKind,
        Timestamp, UserId,
    },
    error::{AppError, AppResult},
    store::notifications::NewNotification,
};

/// A resume replays the inbox in pages of this many notifications.
const INBOX_PAGE: u32 = 200;

#[derive(Debug, Default, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct NotificationsQuery {
    /// Notifications older than this seq (the previous page's `next_before_seq`).
    pub before_seq: Option<i64>,
    /// 1-100, default 30.
    pub limit: Option<u32>,
}

#[derive(Debug, serde::Serialize, ToSchema)]
pub struct UnreadNotifications {
    pub unread_count: i64,
}

impl Chat {
    /// Stores a notification for `user` and pushes it to their connections.
    pub(super) async fn notify(
        &self,
        user: UserId,
        kind: NotificationKind,
        actor: UserId,
        conversation_id: Option<ConversationId>,
        message_id: Option<MessageId>,
        request_id: Option<FriendRequestId>,
    ) -> AppResult<()> {
        let n = self
            .store
            .insert_notification(NewNotification {
                user_id: user,
                kind,
                actor_id: actor,
                conversation_id,
                message_id,
                request_id,
                created_at: Timestamp::now(),
            })
            .await?;
        let view = self
            .notification_views(std::slice::from_ref(&n))
            .await?
            .remove(0);
        self.publish(
            vec![user],
            &Event::NotificationNew {
                seq: n.seq,
                notification: view,
            },
            None,
        );
        let push = match kind {
            NotificationKind::Mention => Some(PushKind::Mention),
            NotificationKind::FriendRequest => Some(PushKind::FriendRequest),
            NotificationKind::GroupAdded => Some(PushKind::GroupAdded),
            NotificationKind::GroupInvited => Some(PushKind::GroupInvited),
            _ => None,
        };
        if let Some(what) = push {
            self.push_later(user, actor, conversation_id, what);
        }
        Ok(())
    }

    async fn notification_views(&self, ns: &[Notification]) -> AppResult<Vec<NotificationView>> {
        let mut actors: HashMap<UserId, UserView> = HashMap::new();
        for n in ns {
            if !actors.contains_key(&n.actor_id) {
                if let Some(u) = self.store.user_by_id(n.actor_id).await? {
                    actors.insert(u.id, (&u).into());
                }
            }
        }
        Ok(ns
            .iter()
            .map(|n| NotificationView::new(n, actors.get(&n.actor_id).cloned()))
            .collect())
    }

    pub async fn notifications(
        &self,
        who: &Principal,
        q: NotificationsQuery,
    ) -> AppResult<NotificationsPage> {
        let limit = super::views::page_limit(q.limit, 30, 100)?;
        let mut ns = self
            .store
            .notifications(who.user_id, q.before_seq, limit + 1)
            .await?;
        let more = ns.len() > limit as usize;
        ns.truncate(limit as usize);
        let next_before_seq = if more { ns.last().map(|n| n.seq) } else { None };
        Ok(NotificationsPage {
            items: self.notification_views(&ns).await?,
            unread_count: self.store.unread_notifications(who.user_id).await?,
            next_before_seq,
        })
    }

    pub async fn unread_notifications(&self, who: &Principal) -> AppResult<UnreadNotifications> {
        Ok(UnreadNotifications {
            unread_count: self.store.unread_notifications(who.user_id).await?,
        })
    }

    /// Marks one read. Someone else's notification is not found, whether or not it
    /// exists.
    pub async fn read_notification(
        &self,
        who: &Principal,
        id: NotificationId,
    ) -> AppResult<UnreadNotifications> {
        if !self
            .store
            .read_notification(who.user_id, id, Timestamp::now())
            .await?
        {
            return Err(AppError::not_found("notification"));
        }
        self.unread_notifications(who).await
    }

    pub async fn read_all_notifications(&self, who: &Principal) -> AppResult<UnreadNotifications> {
        self.store
            .read_all_notifications(who.user_id, Timestamp::now())
            .await?;
        self.unread_notifications(who).await
    }

    pub async fn delete_notification(&self, who: &Principal, id: NotificationId) -> AppResult<()> {
        if self.store.delete_notification(who.user_id, id).await? {
            Ok(())
        } else {
            Err(AppError::not_found("notification"))
        }
    }

    /// The caller's notifications after `after_seq`, as stream events (resume),
    /// a page at a time, and whether more may follow. A short page is the end:
    /// every resume used to read one more, empty, page to learn that.
    pub async fn replay_inbox(
        &self,
        who: &Principal,
        after_seq: i64,
    ) -> AppResult<(Vec<Event>, bool)> {
        let ns = self
            .store
            .notifications_after(who.user_id, after_seq, INBOX_PAGE)
            .await?;
        let more = ns.len() == INBOX_PAGE as usize;
        let views = self.notification_views(&ns).await?;
        let events = ns
            .iter()
            .zip(views)
            .map(|(n, v)| Event::NotificationNew {
                seq: n.seq,
                notification: v,
            })
            .collect();
        Ok((events, more))
    }

    pub async fn inbox_position(&self, who: &Principal) -> AppResult<i64> {
        Ok(self.store.inbox_seq(who.user_id).await?)
    }

    /// Notifies active members mentioned as `@username` in a new message.
    pub(super) async fn notify_mentions(
        &self,
        who: &Principal,
        conversation: ConversationId,
        message: MessageId,
        body: &str,
    ) -> AppResult<()> {
        for name in crate::domain::social::mentions(body) {
            let Some(id) = self.store.user_id_by_username(&name).await? else {
                continue;
            };
            if id == who.user_id {
                continue;
            }
            if self
                .store
                .member(conversation, id)
                .await?
                .is_some_and(|m| m.is_active())
            {
                self.notify(
                    id,
                    NotificationKind::Mention,
                    who.user_id,
                    Some(conversation),
                    Some(message),
                    None,
                )
                .await?;
            }
        }
        Ok(())
    }
}
