//! Presence: online while a user has a live connection, offline after the last one
//! closes and a grace period passes; visible only to friends and co-members, never
//! across a block. Changes are pushed to exactly that audience.

use serde::Deserialize;
use utoipa::ToSchema;

use super::{
    events::Event,
    social_views::{PresenceStatus, PresenceView},
    Chat, Principal,
};
use crate::{
    domain::{PresenceMode, Timestamp, User, UserId},
    error::{AppError, AppResult},
};

/// How long the first offline announcement of a batch waits for others.
const OFFLINE_BATCH_WINDOW: std::time::Duration = std::time::Duration::from_millis(50);

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PresenceInput {
    /// `available`, `busy`, `away` or `invisible` (appear offline).
    pub mode: PresenceMode,
}

impl Chat {
    /// `u`'s presence as others see it, from this node's view.
    pub fn presence_of(&self, u: &User) -> PresenceView {
        self.presence_of_in(u, &std::collections::HashSet::new())
    }

    /// `u`'s presence as others see it; `elsewhere` holds users online on other
    /// nodes (`online_elsewhere_among`).
    pub fn presence_of_in(
        &self,
        u: &User,
        elsewhere: &std::collections::HashSet<UserId>,
    ) -> PresenceView {
        let here_or_there = self.presence.is_online(u.id) || elsewhere.contains(&u.id);
        let online = u.presence_mode != PresenceMode::Invisible && here_or_there;
        PresenceView {
            status: if online {
                PresenceStatus::Online
            } else {
                PresenceStatus::Offline
            },
            mode: online.then_some(u.presence_mode),
            last_seen_at: if online { None } else { u.last_seen_at },
        }
    }

    /// Tells each of `users`' audience their presence as it is now, with one
    /// audience query for all of them.
    async fn announce(&self, users: &[&User]) -> AppResult<()> {
        let ids: Vec<UserId> = users.iter().map(|u| u.id).collect();
        let mut audiences = self.store.presence_audiences(&ids).await?;
        for u in users {
            let Some(audience) = audiences.remove(&u.id) else {
                continue;
            };
            self.publish(
                audience,
                &Event::Presence {
                    user_id: u.id,
                    presence: self.presence_of(u),
                },
                None,
            );
        }
        Ok(())
    }

    /// [`Chat::announce`] for those of `users` who are not invisible: an
    /// invisible user's comings and goings are not announced at all (invisible
    /// looks exactly like offline).
    async fn announce_visible(&self, users: &[User]) -> AppResult<()> {
        let visible: Vec<&User> = users
            .iter()
            .filter(|u| u.presence_mode != PresenceMode::Invisible)
            .collect();
        self.announce(&visible).await
    }

    /// A connection of the caller opened. Coming online is announced by whoever
    /// is announcing arrivals already, or by this connection's own task if nobody
    /// is, so that a reconnect storm costs a few batches (BENCHMARKS.md
    /// `reconnect`), and the connection does not wait for it.
    pub fn connection_opened(&self, who: &Principal) {
        if !self.presence.connected(who.user_id) {
            return;
        }
        if let Some(mut announcer) = self.presence.queue_online(who.user_id) {
            let chat = self.clone();
            tokio::spawn(async move {
                loop {
                    let users = announcer.take();
                    if users.is_empty() {
                        break;
                    }
                    if let Err(e) = chat.announce_online(users).await {
                        tracing::warn!(error = %e, "presence announcement failed");
                    }
                }
            });
        }
    }

    /// `users` came online on this node. Back: no digest of what arrives now
    /// (bus/presence.rs keeps the node's view; `away_since` tells the digest pass
    /// of every node). Those online on another node already are no news.
    async fn announce_online(&self, users: Vec<UserId>) -> AppResult<()> {
        if let Err(e) = self.store.clear_away_many(&users).await {
            tracing::warn!(error = %e, "could not clear away_since");
        }
        let news = self.arrived_in_cluster(users).await;
        let users = self.store.users_by_ids(&news).await?;
        self.announce_visible(&users).await
    }

    /// A connection of the caller closed. If it was the last, the user goes offline
    /// once the grace period passes without a new connection. Called from a
    /// connection's drop, so also while the runtime shuts down: then there is
    /// nobody left to tell, and no timer is started.
    pub fn connection_closed(&self, who: &Principal) {
        let Some(generation) = self.presence.disconnected(who.user_id) else {
            return;
        };
        let Ok(runtime) = tokio::runtime::Handle::try_current() else {
            return;
        };
        let (chat, user, grace) = (self.clone(), who.user_id, self.policy.presence_grace);
        runtime.spawn(async move {
            tokio::time::sleep(grace).await;
            if chat.presence.expire(user, generation) && chat.presence.queue_offline(user) {
                tokio::time::sleep(OFFLINE_BATCH_WINDOW).await;
                let users = chat.presence.take_offline();
                let users = chat.left_the_cluster(users).await;
                if let Err(e) = chat.announce_offline(&users).await {
                    tracing::warn!(error = %e, "offline announcement failed");
                }
            }
        });
    }

    /// Records last-seen for `users` in one write and tells each one's audience.
    /// Invisible users keep the last-seen of when they went invisible, and their
    /// audience hears nothing (they already look offline).
    pub(super) async fn announce_offline(&self, users: &[UserId]) -> AppResult<()> {
        self.store
            .set_last_seen_many(users, Timestamp::now())
            .await?;
        let users = self.store.users_by_ids(users).await?;
        self.announce_visible(&users).await
    }

    /// Sets the caller's presence mode and tells their audience. Going invisible
    /// while online looks like going offline now: last-seen is set to this moment
    /// and stays there until they are visible again.
    pub async fn set_presence_mode(
        &self,
        who: &Principal,
        input: PresenceInput,
    ) -> AppResult<PresenceView> {
        let before = self
            .store
            .user_by_id(who.user_id)
            .await?
            .ok_or_else(|| AppError::not_found("user"))?;
        let online = self.presence.is_online(who.user_id);
        let vanishing = input.mode == PresenceMode::Invisible
            && before.presence_mode != PresenceMode::Invisible;
        let last_seen = (vanishing && online).then(Timestamp::now);
        if !self
            .store
            .set_presence_mode(who.user_id, input.mode, last_seen)
            .await?
        {
            return Err(AppError::not_found("user"));
        }
        let me = self
            .store
            .user_by_id(who.user_id)
            .await?
            .ok_or_else(|| AppError::not_found("user"))?;
        let stays_hidden = before.presence_mode == PresenceMode::Invisible
            && me.presence_mode == PresenceMode::Invisible;
        if online && !stays_hidden {
            self.announce(&[&me]).await?;
        }
        // The caller sees their own real state, invisible included.
        Ok(PresenceView {
            status: if self.presence.is_online(me.id) {
                PresenceStatus::Online
            } else {
                PresenceStatus::Offline
            },
            mode: Some(me.presence_mode),
            last_seen_at: me.last_seen_at,
        })
    }

    /// Presence events for everyone the caller may see who is online now: sent after
    /// a resume, since presence changes are not replayed.
    pub async fn presence_snapshot(&self, who: &Principal) -> AppResult<Vec<Event>> {
        // One query for all online people in the audience, not one each: at
        // 10,000 simultaneous resumes the per-person reads dominated.
        let audience = self.store.presence_audience(who.user_id).await?;
        let elsewhere = self.online_elsewhere_among(audience.iter().copied()).await;
        let online: Vec<UserId> = audience
            .into_iter()
            .filter(|id| self.presence.is_online(*id) || elsewhere.contains(id))
            .collect();
        let mut out = Vec::new();
        for u in self.store.users_by_ids(&online).await? {
            let presence = self.presence_of_in(&u, &elsewhere);
            if presence.status == PresenceStatus::Online {
                out.push(Event::Presence {
                    user_id: u.id,
                    presence,
                });
            }
        }
        Ok(out)
    }
}
