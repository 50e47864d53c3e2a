//! Users and conversations for a run, created through the public API.

use anyhow::{bail, Context};
use futures_util::{stream, StreamExt};
use serde_json::{json, Value};

pub struct User {
    pub id: String,
    pub token: String,
}

pub const PASSWORD: &str = "bench password 1234";

/// Registers `n` fresh users (a few at a time: registration hashes passwords, so it
/// is deliberately slow and would dominate the run otherwise).
pub async fn users(
    http: &reqwest::Client,
    url: &str,
    prefix: &str,
    n: usize,
) -> anyhow::Result<Vec<User>> {
    let results: Vec<anyhow::Result<User>> = stream::iter(0..n)
        .map(|i| async move {
            let body = json!({"username": format!("{prefix}{i}"), "password": PASSWORD, "full_name": format!("Bench {i}")});
            let r = http.post(format!("{url}/api/v1/auth/register")).json(&body).send().await?;
            let status = r.status();
            let v: Value = r.json().await?;
            if !status.is_success() {
                bail!("register failed: {status} {v}");
            }
            Ok(User {
                id: v["user"]["id"].as_str().context("user id")?.to_owned(),
                token: v["access_token"].as_str().context("token")?.to_owned(),
            })
        })
        .buffered(8)
        .collect()
        .await;
    results.into_iter().collect()
}

pub async fn group(
    http: &reqwest::Client,
    url: &str,
    owner: &User,
    members: &[&User],
    name: &str,
) -> anyhow::Result<String> {
    let ids: Vec<&str> = members.iter().map(|m| m.id.as_str()).collect();
    let r = http
        .post(format!("{url}/api/v1/conversations"))
        .bearer_auth(&owner.token)
        .json(&json!({"name": name, "member_ids": ids}))
        .send()
        .await?;
    let v: Value = r.json().await?;
    Ok(v["id"]
        .as_str()
        .with_context(|| format!("create group: {v}"))?
        .to_owned())
}
