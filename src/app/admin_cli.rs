//! `confab admin ...`: operator commands run against the database directly, for
//! bootstrapping the first admin and for recovery when no admin can sign in.

use std::io::{BufRead, IsTerminal};

use anyhow::{anyhow, bail};

use crate::{
    chat::views::AdminUserView,
    config::{AdminArgs, AdminCommand, Config},
    error::AppError,
    store::Store,
};

/// Reads a new password from the terminal (twice, hidden) or from one line of stdin.
/// Never from argv, where other users of the machine could read it.
fn read_password() -> anyhow::Result<String> {
    let stdin = std::io::stdin();
    if stdin.is_terminal() {
        let first = rpassword::prompt_password("Password: ")?;
        let second = rpassword::prompt_password("Repeat password: ")?;
        if first != second {
            bail!("the two passwords differ");
        }
        Ok(first)
    } else {
        let mut line = String::new();
        stdin.lock().read_line(&mut line)?;
        let pw = line.trim_end_matches(['\n', '\r']).to_owned();
        if pw.is_empty() {
            bail!("no password on stdin: pipe it in, e.g. `printf '%s\\n' \"$PW\" | confab admin create-user ...`");
        }
        Ok(pw)
    }
}

fn explain(e: AppError) -> anyhow::Error {
    match &e.field {
        Some(f) => anyhow!("{} ({f}: {})", e.message, e.code),
        None => anyhow!("{} ({})", e.message, e.code),
    }
}

fn describe(verb: &str, u: &AdminUserView) -> String {
    let state = if u.deactivated_at.is_some() {
        "deactivated"
    } else {
        "active"
    };
    format!(
        "{verb} user {} (id {}, role {}, {state})",
        u.user.username, u.user.id, u.user.role
    )
}

pub async fn run(config: &Config, args: AdminArgs) -> anyhow::Result<String> {
    let url = config.database_url();
    let shown = crate::store::backend_redact(&url);
    if !args.init && !Store::exists(&url).await? {
        bail!(
            "there is no Confab database at {shown}. Is --data-dir (or --database-url) the \
             server's? The server creates its database when it first starts; to create it \
             here instead, add --init: `confab admin --init {}`",
            args.command.name()
        );
    }
    eprintln!("database: {shown}");
    let cmd = args.command;
    let state = super::build(config).await?;
    let chat = &state.chat;
    let out = match cmd {
        AdminCommand::CreateUser {
            username,
            role,
            full_name,
            email,
        } => {
            let password = read_password()?;
            let full_name = full_name.unwrap_or_else(|| username.clone());
            let user = chat
                .create_user(
                    &username,
                    &password,
                    &full_name,
                    email.as_deref(),
                    role,
                    None,
                )
                .await
                .map_err(explain)?;
            describe("created", &(&user).into())
        }
        AdminCommand::ResetLink { username } => {
            let link = chat
                .reset_link_as_operator(&username)
                .await
                .map_err(explain)?;
            format!("password reset link for {username} (works once, for 30 minutes):\n{link}")
        }
        AdminCommand::SetRole { username, role } => {
            let id = chat.user_id_for(&username).await.map_err(explain)?;
            describe(
                "updated",
                &chat.set_role_as_operator(id, role).await.map_err(explain)?,
            )
        }
        AdminCommand::Deactivate { username } => {
            let id = chat.user_id_for(&username).await.map_err(explain)?;
            describe(
                "deactivated",
                &chat.deactivate_as_operator(id).await.map_err(explain)?,
            )
        }
        AdminCommand::SeedBench {
            prefix,
            users,
            groups,
            group_size,
            messages,
        } => super::bench_cli::seed(chat, &prefix, users, groups, group_size, messages).await?,
        AdminCommand::BenchTokens { prefix, count, out } => {
            super::bench_cli::tokens(chat, &prefix, count, &out).await?
        }
        AdminCommand::Reactivate { username } => {
            let id = chat.user_id_for(&username).await.map_err(explain)?;
            describe(
                "reactivated",
                &chat.reactivate_as_operator(id).await.map_err(explain)?,
            )
        }
    };
    chat.store.close().await;
    Ok(out)
}
