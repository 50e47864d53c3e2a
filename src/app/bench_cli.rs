//! Benchmark set-up commands (`confab admin seed-bench`, `bench-tokens`): they
//! write straight to the store so that password hashing and one-by-one requests do
//! not dominate the set-up of a load test. Operator tools, never server endpoints.

use std::{io::Write, path::Path};

use anyhow::{bail, Context};
use indicatif::{ProgressBar, ProgressStyle};

use crate::{
    auth::tokens::{hash_refresh_token, new_refresh_token},
    chat::Chat,
    domain::{
        Conversation, ConversationId, ConversationKind, MemberRole, MessageId, MessageKind,
        PresenceMode, Role, Session, SessionId, Timestamp, User, UserId, Username,
    },
    store::messages::NewMessage,
};

pub const BENCH_PASSWORD: &str = "bench password 1234";
const BATCH: usize = 500;

fn bar(len: u64, what: &str) -> ProgressBar {
    let pb = ProgressBar::new(len);
    pb.set_style(
        ProgressStyle::with_template("{msg:>10} [{bar:40}] {pos}/{len} ({per_sec}, eta {eta})")
            .unwrap_or_else(|_| ProgressStyle::default_bar())
            .progress_chars("=> "),
    );
    pb.set_message(what.to_owned());
    pb
}

/// The topic words seeded messages carry (`topic0` .. `topic999`).
pub const SEARCH_TOPICS: u64 = 1000;

pub async fn seed(
    chat: &Chat,
    prefix: &str,
    users: u32,
    groups: u32,
    group_size: u32,
    messages: u64,
) -> anyhow::Result<String> {
    if groups > 0
        && (group_size < 2 || u64::from(groups) * u64::from(group_size) > u64::from(users))
    {
        bail!("need group_size >= 2 and groups * group_size <= users");
    }
    let hash = chat.passwords.hash(BENCH_PASSWORD).await?;
    let now = Timestamp::now();
    let mut ids = Vec::with_capacity(users as usize);
    let pb = bar(u64::from(users), "users");
    let mut batch = Vec::with_capacity(BATCH);
    for i in 0..users {
        let username =
            Username::parse(&format!("{prefix}{i}")).map_err(|e| anyhow::anyhow!(e.message))?;
        let id = UserId::new();
        ids.push(id);
        batch.push(User {
            id,
            full_name: format!("Bench user {i}"),
            username,
            email: None,
            email_verified_at: None,
            bio: String::new(),
            status_text: String::new(),
            role: Role::Patient,
            created_at: now,
            updated_at: now,
            deactivated_at: None,
            presence_mode: PresenceMode::Available,
            group_invites: crate::domain::GroupInvites::Friends,
            last_seen_at: None,
            avatar_id: None,
            email_notify: crate::domain::EmailNotify::Mentions,
        });
        if batch.len() == BATCH || i + 1 == users {
            chat.store
                .insert_users_bulk(&batch, &hash)
                .await
                .context("inserting users")?;
            pb.inc(batch.len() as u64);
            batch.clear();
        }
    }
    pb.finish();
    let pb = bar(u64::from(groups), "groups");
    let mut seeded = Vec::new();
    for (g, members) in ids
        .chunks(group_size.max(1) as usize)
        .take(groups as usize)
        .enumerate()
    {
        let conv = Conversation {
            id: ConversationId::new(),
            kind: ConversationKind::Group,
            name: Some(format!("{prefix} group {g}")),
            created_by: members[0],
            created_at: now,
            last_seq: 0,
            last_ev: 1,
            last_activity_at: now,
            avatar_id: None,
        };
        let roles: Vec<(UserId, MemberRole)> = members
            .iter()
            .enumerate()
            .map(|(i, u)| {
                (
                    *u,
                    if i == 0 {
                        MemberRole::Owner
                    } else {
                        MemberRole::Member
                    },
                )
            })
            .collect();
        chat.store
            .create_conversation(&conv, None, &roles)
            .await
            .context("creating a group")?;
        seeded.push((conv.id, members));
        pb.inc(1);
    }
    pb.finish();
    if messages > 0 {
        seed_messages(chat, &seeded, messages).await?;
    }
    chat.store
        .analyze()
        .await
        .context("refreshing the planner's statistics")?;
    Ok(format!(
        "seeded {users} users ({prefix}0..{prefix}{}), {groups} groups of {group_size} and {messages} messages in each group; password: {BENCH_PASSWORD:?}",
        users.saturating_sub(1)
    ))
}

/// Messages per transaction when seeding: large enough that commits are rare,
/// small enough to keep memory flat.
const MESSAGE_BATCH: u64 = 5000;

/// Stores `per_group` messages in each group through the same insert path as
/// live sends (counters advanced, seqs contiguous), members taking turns.
async fn seed_messages(
    chat: &Chat,
    groups: &[(ConversationId, &[UserId])],
    per_group: u64,
) -> anyhow::Result<()> {
    let pb = bar(per_group * groups.len() as u64, "messages");
    for (conversation, members) in groups {
        let mut done = 0u64;
        while done < per_group {
            let n = MESSAGE_BATCH.min(per_group - done);
            let now = Timestamp::now();
            let batch: Vec<NewMessage> = (done..done + n)
                .map(|i| NewMessage {
                    id: MessageId::new(),
                    conversation_id: *conversation,
                    sender_id: members[(i % members.len() as u64) as usize],
                    client_msg_id: format!("seed-{i}"),
                    kind: MessageKind::Text,
                    // Two of 1,000 topic words per message, spread evenly, so a
                    // `search` benchmark's word matches ~0.2% of the messages.
                    body: format!(
                        "Seeded message number {i} about topic{} and topic{}, a short chat line.",
                        i * 7919 % SEARCH_TOPICS,
                        i * 104_729 % SEARCH_TOPICS
                    ),
                    reply_to: None,
                    created_at: now,
                    attachments: Vec::new(),
                    checked_at_meta_ev: None,
                })
                .collect();
            chat.store
                .insert_messages(&batch)
                .await
                .context("storing seeded messages")?;
            done += n;
            pb.inc(n);
        }
    }
    pb.finish();
    Ok(())
}

pub async fn tokens(chat: &Chat, prefix: &str, count: u32, out: &Path) -> anyhow::Result<String> {
    let users = chat.store.users_with_prefix(prefix, count).await?;
    if users.is_empty() {
        bail!("no active users named {prefix}*: run `confab admin seed-bench` first");
    }
    if users.iter().any(|u| u.role == Role::Admin) {
        bail!("refusing to mint tokens for admin accounts");
    }
    let mut file = std::io::BufWriter::new(
        std::fs::File::create(out).with_context(|| format!("creating {}", out.display()))?,
    );
    let pb = bar(users.len() as u64, "tokens");
    let now = Timestamp::now();
    for u in &users {
        let session = Session {
            id: SessionId::new(),
            user_id: u.id,
            created_at: now,
            last_used_at: now,
            expires_at: now.plus_secs(chat.policy.refresh_ttl_secs),
            revoked_at: None,
            user_agent: "confab-bench".into(),
            ip: String::new(),
        };
        chat.store
            .create_session(&session, &hash_refresh_token(&new_refresh_token()))
            .await?;
        let token = chat.tokens.issue_access(u.id, session.id, u.role, now)?;
        writeln!(file, "{} {token}", u.id)?;
        pb.inc(1);
    }
    pb.finish();
    file.flush()?;
    Ok(format!(
        "wrote {} tokens to {} (valid {} s)",
        users.len(),
        out.display(),
        chat.tokens.access_ttl_secs
    ))
}
