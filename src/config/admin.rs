//! `confab admin ...`: operator commands that work on the database directly.

use std::path::PathBuf;

use clap::{Args, Subcommand};

use crate::domain::Role;

/// The database is named by the server's own options (`--data-dir`,
/// `--database-url`, before `admin` or in the environment).
#[derive(Args, Debug)]
pub struct AdminArgs {
    /// Create the database when there is none yet. Without it, a command run
    /// against a data directory or database server with no Confab database
    /// refuses instead of making an empty one.
    #[arg(long)]
    pub init: bool,
    #[command(subcommand)]
    pub command: AdminCommand,
}

#[derive(Subcommand, Debug)]
pub enum AdminCommand {
    /// Create a user. The password is read from the terminal, or from stdin when it
    /// is not a terminal; never from the command line.
    CreateUser {
        #[arg(long)]
        username: String,
        #[arg(long, default_value = "patient")]
        role: Role,
        /// Defaults to the username.
        #[arg(long)]
        full_name: Option<String>,
        #[arg(long)]
        email: Option<String>,
    },
    /// Change a user's role.
    SetRole {
        #[arg(long)]
        username: String,
        #[arg(long)]
        role: Role,
    },
    /// Deactivate a user: sign-in refused, sessions revoked, data kept.
    Deactivate {
        #[arg(long)]
        username: String,
    },
    /// Print a one-time password reset link for a user (valid 30 minutes), for
    /// a server without mail or an account without a confirmed address. Links
    /// point at --public-url.
    ResetLink {
        #[arg(long)]
        username: String,
    },
    /// Reactivate a deactivated user.
    Reactivate {
        #[arg(long)]
        username: String,
    },
    /// Benchmark set-up: create USERS users named PREFIX0, PREFIX1... (all with the
    /// password "bench password 1234", hashed once) and GROUPS groups of GROUP_SIZE
    /// of them, straight into the database. Not for production data.
    SeedBench {
        #[arg(long, default_value = "bench")]
        prefix: String,
        #[arg(long)]
        users: u32,
        #[arg(long, default_value_t = 0)]
        groups: u32,
        #[arg(long, default_value_t = 2)]
        group_size: u32,
        /// Messages stored in each group (for the `history` benchmark), in
        /// batches, with sequence numbers as if they had been sent.
        #[arg(long, default_value_t = 0)]
        messages: u64,
    },
    /// Benchmark set-up: sign in COUNT users whose username starts with PREFIX
    /// without their passwords, and write "user_id access_token" lines to OUT.
    /// Whoever runs this already controls the database and the signing secret.
    /// Tokens live --access-token-ttl-secs; give the server the same value.
    BenchTokens {
        #[arg(long, default_value = "bench")]
        prefix: String,
        #[arg(long)]
        count: u32,
        #[arg(long)]
        out: PathBuf,
    },
}

impl AdminCommand {
    /// The command's name as typed (for messages that show a command line).
    pub fn name(&self) -> &'static str {
        match self {
            AdminCommand::CreateUser { .. } => "create-user",
            AdminCommand::SetRole { .. } => "set-role",
            AdminCommand::Deactivate { .. } => "deactivate",
            AdminCommand::ResetLink { .. } => "reset-link",
            AdminCommand::Reactivate { .. } => "reactivate",
            AdminCommand::SeedBench { .. } => "seed-bench",
            AdminCommand::BenchTokens { .. } => "bench-tokens",
        }
    }
}
