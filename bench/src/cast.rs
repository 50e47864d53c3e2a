//! The cast of a run: groups of connected, resumed members. Either registered
//! through the public API (slow: every registration hashes a password, so only for
//! small runs and tests) or taken from seeded users' tokens (`confab admin
//! seed-bench` + `bench-tokens`), grouped by the conversation each belongs to.

use std::{collections::HashMap, path::Path};

use anyhow::{bail, Context};
use futures_util::{stream, StreamExt};

use crate::{client, setup};

/// One conversation and its members' connections.
pub struct Group {
    pub conversation: String,
    pub members: Vec<client::Ws>,
}

/// Where the cast comes from and how it connects.
pub struct CastSpec<'a> {
    pub tokens: Option<&'a Path>,
    pub groups: usize,
    pub members: usize,
    pub sources: u8,
    pub concurrency: usize,
}

/// "user_id access_token" lines, as `confab admin bench-tokens` writes them.
pub fn read_tokens(path: &Path) -> anyhow::Result<Vec<(String, String)>> {
    let text =
        std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
    let tokens: Vec<(String, String)> = text
        .lines()
        .filter_map(|l| l.split_once(' '))
        .map(|(u, t)| (u.to_owned(), t.to_owned()))
        .collect();
    if tokens.is_empty() {
        bail!("no tokens in {}", path.display());
    }
    Ok(tokens)
}

pub async fn assemble(url: &str, spec: CastSpec<'_>) -> anyhow::Result<Vec<Group>> {
    // Each connection is a file descriptor here and on the server.
    let _ = rlimit::increase_nofile_limit(u64::MAX);
    client::server_addr(url)?;
    match spec.tokens {
        Some(path) => from_tokens(url, path, &spec).await,
        None => registered(url, &spec).await,
    }
}

async fn connect_all(
    url: &str,
    tokens: Vec<String>,
    spec: &CastSpec<'_>,
) -> anyhow::Result<Vec<client::Resumed>> {
    let sources = spec.sources.max(1) as usize;
    let results: Vec<anyhow::Result<client::Resumed>> =
        stream::iter(tokens.into_iter().enumerate())
            .map(|(i, token)| async move {
                client::connect(url, 1 + (i % sources) as u8, &token, &HashMap::new()).await
            })
            .buffered(spec.concurrency.max(1))
            .collect()
            .await;
    results.into_iter().collect()
}

async fn from_tokens(url: &str, path: &Path, spec: &CastSpec<'_>) -> anyhow::Result<Vec<Group>> {
    let tokens = read_tokens(path)?;
    let want = spec.groups.saturating_mul(spec.members);
    let tokens: Vec<String> = tokens.into_iter().map(|(_, t)| t).take(want).collect();
    eprintln!("connecting {} seeded users...", tokens.len());
    let mut by_conversation: HashMap<String, Vec<client::Ws>> = HashMap::new();
    let mut order = Vec::new();
    for r in connect_all(url, tokens, spec).await? {
        // A seeded user belongs to one group; its resume positions name it.
        let Some(c) = r.positions.keys().next().cloned() else {
            continue;
        };
        if !by_conversation.contains_key(&c) {
            order.push(c.clone());
        }
        by_conversation.entry(c).or_default().push(r.ws);
    }
    let groups: Vec<Group> = order
        .into_iter()
        .filter_map(|c| {
            let members = by_conversation.remove(&c)?;
            (members.len() >= 2).then_some(Group {
                conversation: c,
                members,
            })
        })
        .take(spec.groups)
        .collect();
    if groups.is_empty() {
        bail!(
            "no groups among these tokens: seed with `confab admin seed-bench --groups G --group-size S`"
        );
    }
    Ok(groups)
}

async fn registered(url: &str, spec: &CastSpec<'_>) -> anyhow::Result<Vec<Group>> {
    let http = reqwest::Client::new();
    let run_id = &uuid::Uuid::new_v4().simple().to_string()[..8];
    let total = spec.groups * spec.members;
    eprintln!("registering {total} users in {} groups...", spec.groups);
    let users = setup::users(&http, url, &format!("b{run_id}_"), total).await?;
    let mut groups = Vec::new();
    for (g, chunk) in users.chunks(spec.members.max(2)).enumerate() {
        let others: Vec<&setup::User> = chunk[1..].iter().collect();
        let conversation =
            setup::group(&http, url, &chunk[0], &others, &format!("bench {g}")).await?;
        let tokens = chunk.iter().map(|u| u.token.clone()).collect();
        let members = connect_all(url, tokens, spec)
            .await?
            .into_iter()
            .map(|r| r.ws)
            .collect();
        groups.push(Group {
            conversation,
            members,
        });
    }
    Ok(groups)
}
