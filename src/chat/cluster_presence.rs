//! Presence across nodes: this node's presence (bus/presence.rs) says when a
//! user comes and goes here; the cluster's directory (bus/directory.rs, Redis)
//! says whether that is news for the cluster. A user with a tab on node A and
//! one on node B is online; closing one leaves them online; a node that dies
//! silently has its users announced offline by another within the bound.
//! Without Redis every answer is "yes, announce it", as on one node.

use std::{collections::HashSet, time::Duration};

use super::Chat;
use crate::domain::UserId;

impl Chat {
    /// Of `users`, whose first connection on this node opened, those the cluster
    /// should hear are online (not those another node already has). The
    /// directory is asked for all of them at once, its commands pipelined on
    /// the one connection.
    pub(super) async fn arrived_in_cluster(&self, users: Vec<UserId>) -> Vec<UserId> {
        let Some(d) = &self.directory else {
            return users;
        };
        let answers = futures_util::future::join_all(users.iter().map(|u| d.arrived(*u))).await;
        let mut news = Vec::with_capacity(users.len());
        for (u, answer) in users.into_iter().zip(answers) {
            match answer {
                Ok(false) => {}
                Ok(true) => news.push(u),
                Err(e) => {
                    tracing::warn!(error = %e, "presence directory unreachable; announcing as one node would");
                    news.push(u);
                }
            }
        }
        news
    }

    /// Of `users`, gone from this node, those no other node has: offline.
    pub(super) async fn left_the_cluster(&self, users: Vec<UserId>) -> Vec<UserId> {
        let Some(d) = &self.directory else {
            return users;
        };
        let mut gone = Vec::with_capacity(users.len());
        for u in users {
            match d.left(u).await {
                Ok(true) => gone.push(u),
                Ok(false) => {}
                Err(e) => {
                    tracing::warn!(error = %e, "presence directory unreachable; announcing as one node would");
                    gone.push(u);
                }
            }
        }
        gone
    }

    /// Whether `user` has a live connection on any node (push and digests ask).
    pub(crate) async fn online_anywhere(&self, user: UserId) -> bool {
        if self.presence.is_online(user) {
            return true;
        }
        match &self.directory {
            Some(d) => d.online_elsewhere(user).await.unwrap_or(false),
            None => false,
        }
    }

    /// Of `users`, those online on another node and not here (lists with
    /// presence: friends, members, the snapshot after a resume).
    pub(crate) async fn online_elsewhere_among(
        &self,
        users: impl IntoIterator<Item = UserId>,
    ) -> HashSet<UserId> {
        let Some(d) = &self.directory else {
            return HashSet::new();
        };
        let ask: Vec<UserId> = users
            .into_iter()
            .filter(|u| !self.presence.is_online(*u))
            .collect();
        d.online_among(&ask).await.unwrap_or_else(|e| {
            tracing::warn!(error = %e, "presence directory unreachable; showing this node's view");
            HashSet::new()
        })
    }

    /// Beats this node's heartbeat and reaps nodes that stopped beating,
    /// announcing their users offline, every `every` until dropped.
    pub async fn directory_every(self, every: Duration) {
        let Some(d) = self.directory.clone() else {
            return;
        };
        loop {
            tokio::time::sleep(every).await;
            if let Err(e) = d.heartbeat().await {
                tracing::warn!(error = %e, "presence heartbeat failed");
                continue;
            }
            match d.reap().await {
                Ok(users) if !users.is_empty() => {
                    if let Err(e) = self.announce_offline(&users).await {
                        tracing::warn!(error = %e, "offline announcement failed");
                    }
                }
                Ok(_) => {}
                Err(e) => tracing::warn!(error = %e, "reaping dead nodes failed"),
            }
        }
    }
}
