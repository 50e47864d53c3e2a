//! Who is online anywhere in the cluster, kept in Redis beside the bus. Each
//! node records which users have connections on it; a node's record counts only
//! while its heartbeat key lives (TTL), so a node that dies without a word stops
//! counting within the TTL, and the first node to notice announces its users
//! offline (`reap`). Without Redis there is no directory: a node's own presence
//! (bus/presence.rs) is the whole truth.
//!
//! Keys, under the cluster's channel name P:
//!   P:node:N      the heartbeat of node N (expires after `ttl`)
//!   P:nodes       every node that has registered
//!   P:on:U        the nodes where user U has connections
//!   P:users:N     the users with connections on node N
//!   P:reap:N      who is reaping dead node N (one node does it)

use std::{
    collections::{HashMap, HashSet},
    time::Duration,
};

use anyhow::Context as _;
use fred::{
    prelude::{Builder, Client, ClientLike, Config, KeysInterface, ReconnectPolicy, SetsInterface},
    types::{Expiration, SetOptions},
};
use uuid::Uuid;

use crate::domain::UserId;

pub struct Directory {
    client: Client,
    prefix: String,
    node: String,
    ttl: Duration,
}

impl Directory {
    /// Connects; `ttl` is how long a node counts without a heartbeat (beat it
    /// at a third of that).
    pub async fn connect(url: &str, prefix: &str, ttl: Duration) -> anyhow::Result<Self> {
        let client = Builder::from_config(Config::from_url(url).context("--redis-url")?)
            .set_policy(ReconnectPolicy::new_exponential(0, 100, 2_000, 2))
            .build()?;
        tokio::time::timeout(Duration::from_secs(10), client.init())
            .await
            .context("Redis did not answer within 10 s")??;
        let d = Self {
            client,
            prefix: prefix.to_owned(),
            node: Uuid::now_v7().to_string(),
            ttl,
        };
        d.heartbeat().await?;
        Ok(d)
    }

    fn key(&self, what: &str, id: &str) -> String {
        format!("{}:{what}:{id}", self.prefix)
    }

    /// This node is alive; call every `ttl / 3`.
    pub async fn heartbeat(&self) -> anyhow::Result<()> {
        let ttl = self.ttl.as_millis().max(1) as i64;
        self.client
            .set::<(), _, _>(
                self.key("node", &self.node),
                1,
                Some(Expiration::PX(ttl)),
                None,
                false,
            )
            .await?;
        self.client
            .sadd::<(), _, _>(format!("{}:nodes", self.prefix), self.node.clone())
            .await?;
        Ok(())
    }

    async fn alive(&self, node: &str) -> anyhow::Result<bool> {
        Ok(node == self.node || self.client.exists::<i64, _>(self.key("node", node)).await? > 0)
    }

    /// Whether a live node other than this one has connections of `user` (this
    /// node's own connections are the caller's to know).
    pub async fn online_elsewhere(&self, user: UserId) -> anyhow::Result<bool> {
        let nodes: Vec<String> = self
            .client
            .smembers(self.key("on", &user.to_string()))
            .await?;
        for n in nodes.iter().filter(|n| **n != self.node) {
            if self.alive(n).await? {
                return Ok(true);
            }
        }
        Ok(false)
    }

    /// `user` came online on this node. True when nowhere else has them: the
    /// cluster should announce them online.
    pub async fn arrived(&self, user: UserId) -> anyhow::Result<bool> {
        let u = user.to_string();
        self.client
            .sadd::<(), _, _>(self.key("on", &u), self.node.clone())
            .await?;
        self.client
            .sadd::<(), _, _>(self.key("users", &self.node), u)
            .await?;
        Ok(!self.online_elsewhere(user).await?)
    }

    /// `user` went offline on this node. True when no other live node has them:
    /// the cluster should announce them offline.
    pub async fn left(&self, user: UserId) -> anyhow::Result<bool> {
        let u = user.to_string();
        self.client
            .srem::<(), _, _>(self.key("on", &u), self.node.clone())
            .await?;
        self.client
            .srem::<(), _, _>(self.key("users", &self.node), u)
            .await?;
        Ok(!self.online_elsewhere(user).await?)
    }

    /// Of `users`, those a live node other than this one has, in one round trip
    /// for the users and one per distinct node (lists with presence ask this).
    pub async fn online_among(&self, users: &[UserId]) -> anyhow::Result<HashSet<UserId>> {
        if users.is_empty() {
            return Ok(HashSet::new());
        }
        let pipe = self.client.pipeline();
        for u in users {
            pipe.smembers::<(), _>(self.key("on", &u.to_string()))
                .await?;
        }
        let sets: Vec<Vec<String>> = pipe.all().await?;
        let mut live: HashMap<String, bool> = HashMap::new();
        let mut out = HashSet::new();
        for (u, nodes) in users.iter().zip(sets) {
            for n in nodes.into_iter().filter(|n| *n != self.node) {
                let alive = match live.get(&n) {
                    Some(a) => *a,
                    None => {
                        let a = self.alive(&n).await?;
                        live.insert(n, a);
                        a
                    }
                };
                if alive {
                    out.insert(*u);
                    break;
                }
            }
        }
        Ok(out)
    }

    /// Forgets nodes whose heartbeat lapsed and returns their users that no live
    /// node has: they are offline and nobody else will say so. One node reaps
    /// each dead node.
    pub async fn reap(&self) -> anyhow::Result<Vec<UserId>> {
        let nodes: Vec<String> = self
            .client
            .smembers(format!("{}:nodes", self.prefix))
            .await?;
        let mut offline = Vec::new();
        for dead in nodes.iter().filter(|n| **n != self.node) {
            if self.alive(dead).await? {
                continue;
            }
            let claim: Option<String> = self
                .client
                .set(
                    self.key("reap", dead),
                    self.node.clone(),
                    Some(Expiration::EX(60)),
                    Some(SetOptions::NX),
                    false,
                )
                .await?;
            if claim.is_none() {
                continue; // another node is on it
            }
            let users: Vec<String> = self.client.smembers(self.key("users", dead)).await?;
            for u in users {
                self.client
                    .srem::<(), _, _>(self.key("on", &u), dead.clone())
                    .await?;
                let Ok(user) = u.parse::<UserId>() else {
                    continue;
                };
                if !self.online_elsewhere(user).await? {
                    offline.push(user);
                }
            }
            self.client.del::<(), _>(self.key("users", dead)).await?;
            self.client
                .srem::<(), _, _>(format!("{}:nodes", self.prefix), dead.clone())
                .await?;
            tracing::warn!(node = %dead, users = offline.len(), "a node stopped beating; its users are offline");
        }
        Ok(offline)
    }

    /// The connected client, for other cluster-wide state (login lockouts).
    pub fn client(&self) -> Client {
        self.client.clone()
    }

    /// This node is stopping: its heartbeat goes at once, so the next node to
    /// beat reaps its users (those not online elsewhere) without waiting the TTL.
    pub async fn retire(&self) {
        if let Err(e) = self.client.del::<(), _>(self.key("node", &self.node)).await {
            tracing::warn!(error = %e, "could not retire this node from the directory");
        }
    }

    /// Stops beating without a word, as a crashed node would (tests).
    pub async fn vanish(&self) {
        let _ = self.client.quit().await;
    }
}
