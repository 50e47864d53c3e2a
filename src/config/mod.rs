//! Command line and environment. Every option has a default that runs with no
//! set-up and also reads a `CONFAB_*` variable. Only `main` and `app` read this.

use std::{fmt, net::SocketAddr, path::PathBuf};

use clap::{Args, Parser, Subcommand, ValueEnum};

use crate::domain::Role;

mod admin;
mod cluster;
mod limits;
mod mail;
mod media;
mod push;

pub use admin::{AdminArgs, AdminCommand};
pub use cluster::Cluster;
pub use limits::Limits;
pub use mail::Mail;
pub use media::Media;
pub use push::Push;

#[derive(Parser, Debug)]
#[command(
    name = "confab",
    args_override_self = true,
    version,
    about = "Confab: a self-hostable real-time chat server",
    long_about = "Confab: a self-hostable real-time chat server.\n\nWith no arguments it serves on \
        127.0.0.1:8080 with an embedded SQLite database in ./data, created on first start."
)]
pub struct Cli {
    #[command(flatten)]
    pub config: Config,
    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Run the server (the default).
    Serve,
    /// Apply pending database migrations and exit.
    Migrate,
    /// Administer users directly in the database.
    Admin(AdminArgs),
}

#[derive(Copy, Clone, Debug, PartialEq, Eq, ValueEnum)]
pub enum LogFormat {
    Text,
    Json,
}

#[derive(Args, Clone)]
pub struct Config {
    /// Address and port to listen on.
    #[arg(long, env = "CONFAB_LISTEN", default_value = "127.0.0.1:8080")]
    pub listen: SocketAddr,

    /// Directory for the SQLite database and the generated JWT secret.
    #[arg(long, env = "CONFAB_DATA_DIR", default_value = "./data", global = true)]
    pub data_dir: PathBuf,

    /// Database URL: sqlite://PATH, postgres://USER@HOST/DB or mysql://USER@HOST/DB.
    /// Defaults to SQLite in the data directory.
    #[arg(
        long,
        env = "CONFAB_DATABASE_URL",
        hide_env_values = true,
        global = true
    )]
    pub database_url: Option<String>,

    /// Maximum database connections in the pool.
    #[arg(
        long,
        env = "CONFAB_DB_MAX_CONNECTIONS",
        default_value_t = 16,
        global = true
    )]
    pub db_max_connections: u32,

    /// Secret for signing access tokens (at least 32 bytes). When unset, one is
    /// generated on first start and kept in DATA_DIR/jwt_secret (mode 0600). Nodes
    /// of one cluster must share it.
    #[arg(long, env = "CONFAB_JWT_SECRET", hide_env_values = true, global = true)]
    pub jwt_secret: Option<String>,

    /// Lifetime of an access token, in seconds.
    #[arg(
        long,
        env = "CONFAB_ACCESS_TOKEN_TTL_SECS",
        default_value_t = 900,
        global = true
    )]
    pub access_token_ttl_secs: i64,

    /// Lifetime of a session without use, in days (each refresh extends it).
    #[arg(long, env = "CONFAB_REFRESH_TOKEN_TTL_DAYS", default_value_t = 30)]
    pub refresh_token_ttl_days: i64,

    /// Role given to users who register themselves.
    #[arg(long, env = "CONFAB_DEFAULT_ROLE", default_value = "patient")]
    pub default_role: Role,

    /// The first account made on an empty server becomes its admin (the sign-in
    /// page offers it). `false` on a server open to the internet whose admin is
    /// made with `confab admin create-user` before it starts.
    #[arg(long, env = "CONFAB_FIRST_ACCOUNT_ADMIN", default_value_t = true, action = clap::ArgAction::Set)]
    pub first_account_admin: bool,

    /// Who may add a new user to a group without an invitation, until they change
    /// it on their profile: `everyone`, `friends` or `nobody`.
    #[arg(long, env = "CONFAB_DEFAULT_GROUP_INVITES", default_value = "friends")]
    pub default_group_invites: crate::domain::GroupInvites,

    /// Who may start a direct conversation: `friends` (only friends), `care` (a
    /// patient only with a doctor; doctors and admins with anyone) or `open`.
    #[arg(long, env = "CONFAB_MESSAGING_POLICY", default_value = "friends")]
    pub messaging_policy: crate::domain::MessagingPolicy,

    /// Seconds a user still shows online after their last connection closes, so a
    /// reload or a network blip does not flap.
    #[arg(long, env = "CONFAB_PRESENCE_GRACE_SECS", default_value_t = 5)]
    pub presence_grace_secs: u64,

    #[command(flatten)]
    pub limits: Limits,

    #[command(flatten)]
    pub media: Media,

    #[command(flatten)]
    pub mail: Mail,

    #[command(flatten)]
    pub push: Push,

    #[command(flatten)]
    pub cluster: Cluster,

    /// Argon2id memory cost in KiB (19456 is OWASP's recommendation).
    #[arg(
        long,
        env = "CONFAB_PASSWORD_HASH_MEMORY_KIB",
        default_value_t = 19456,
        global = true
    )]
    pub password_hash_memory_kib: u32,

    /// Largest accepted request body, in bytes.
    #[arg(long, env = "CONFAB_MAX_BODY_BYTES", default_value_t = 64 * 1024)]
    pub max_body_bytes: usize,

    /// Longest message body, in characters (at most 4000).
    #[arg(long, env = "CONFAB_MAX_MESSAGE_CHARS", default_value_t = 4000)]
    pub max_message_chars: usize,

    /// Events queued for one WebSocket connection before it is closed as too slow
    /// (it then reconnects and resumes without loss).
    #[arg(long, env = "CONFAB_WS_QUEUE", default_value_t = 1024)]
    pub ws_queue: usize,

    /// Seconds a new WebSocket connection has to send its `auth` frame.
    #[arg(long, env = "CONFAB_WS_AUTH_TIMEOUT_SECS", default_value_t = 10)]
    pub ws_auth_timeout_secs: u64,

    /// Seconds between a WebSocket connection's checks that its session is still
    /// valid (signed out, deactivated, token expired).
    #[arg(long, env = "CONFAB_WS_RECHECK_SECS", default_value_t = 30)]
    pub ws_recheck_secs: u64,

    /// How often the server pings each WebSocket; a peer silent for two and a half
    /// intervals is taken as gone (and shown offline after the presence grace).
    #[arg(long, env = "CONFAB_WS_HEARTBEAT_SECS", default_value_t = 30)]
    pub ws_heartbeat_secs: u64,

    /// How long one write to a WebSocket client may wait (its buffers full because
    /// it stopped reading) before the connection is closed as too slow (4008); the
    /// client resumes from its positions on reconnect.
    #[arg(long, env = "CONFAB_WS_WRITE_TIMEOUT_MS", default_value_t = 10_000)]
    pub ws_write_timeout_ms: u64,

    /// Largest WebSocket frame a client may send, in bytes.
    #[arg(long, env = "CONFAB_WS_MAX_FRAME_BYTES", default_value_t = 64 * 1024)]
    pub ws_max_frame_bytes: usize,

    /// Kernel send buffer per client socket, in bytes; 0 keeps the OS default
    /// (which may grow to several MiB per socket). A small value bounds memory per
    /// connection and detects clients that stopped reading sooner.
    #[arg(long, env = "CONFAB_SOCKET_SEND_BUFFER_BYTES", default_value_t = 0)]
    pub socket_send_buffer_bytes: usize,

    /// Serve the web client from this directory instead of the copy embedded in the
    /// binary (for development, or to ship a customised client).
    #[arg(long, env = "CONFAB_WEB_DIR")]
    pub web_dir: Option<PathBuf>,

    /// Days to keep ended sessions, spent refresh tokens and read notifications
    /// before the sweep deletes them.
    #[arg(long, env = "CONFAB_RETENTION_DAYS", default_value_t = 30)]
    pub retention_days: u32,

    /// Seconds between two retention sweeps (the first runs a minute after start).
    #[arg(long, env = "CONFAB_SWEEP_INTERVAL_SECS", default_value_t = 3600)]
    pub sweep_interval_secs: u64,

    /// Seconds to let in-flight requests finish after SIGINT/SIGTERM.
    #[arg(long, env = "CONFAB_SHUTDOWN_GRACE_SECS", default_value_t = 10)]
    pub shutdown_grace_secs: u64,

    /// Log filter, e.g. `info` or `confab=debug,tower_http=info`.
    #[arg(long, env = "CONFAB_LOG", default_value = "info", global = true)]
    pub log: String,

    /// Log output format.
    #[arg(
        long,
        env = "CONFAB_LOG_FORMAT",
        value_enum,
        default_value = "text",
        global = true
    )]
    pub log_format: LogFormat,
}

impl Config {
    /// The database URL in effect: the configured one, or SQLite in the data dir.
    pub fn database_url(&self) -> String {
        self.database_url
            .clone()
            .unwrap_or_else(|| format!("sqlite://{}", self.data_dir.join("confab.db").display()))
    }
}

/// Secrets never reach a log line through `{:?}`.
impl fmt::Debug for Config {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Config")
            .field("listen", &self.listen)
            .field("data_dir", &self.data_dir)
            .field(
                "database_url",
                &crate::store::backend_redact(&self.database_url()),
            )
            .field("db_max_connections", &self.db_max_connections)
            .field(
                "jwt_secret",
                &self.jwt_secret.as_ref().map(|_| "<redacted>"),
            )
            .field("access_token_ttl_secs", &self.access_token_ttl_secs)
            .field("refresh_token_ttl_days", &self.refresh_token_ttl_days)
            .field("default_role", &self.default_role)
            .field("first_account_admin", &self.first_account_admin)
            .field("default_group_invites", &self.default_group_invites)
            .field("messaging_policy", &self.messaging_policy)
            .field("presence_grace_secs", &self.presence_grace_secs)
            .field("limits", &self.limits)
            .field("media", &self.media)
            .field("mail", &self.mail)
            .field("push", &self.push)
            .field("cluster", &self.cluster)
            .field("password_hash_memory_kib", &self.password_hash_memory_kib)
            .field("max_body_bytes", &self.max_body_bytes)
            .field("max_message_chars", &self.max_message_chars)
            .field("retention_days", &self.retention_days)
            .field("sweep_interval_secs", &self.sweep_interval_secs)
            .field("ws_queue", &self.ws_queue)
            .field("ws_auth_timeout_secs", &self.ws_auth_timeout_secs)
            .field("ws_recheck_secs", &self.ws_recheck_secs)
            .field("ws_heartbeat_secs", &self.ws_heartbeat_secs)
            .field("ws_write_timeout_ms", &self.ws_write_timeout_ms)
            .field("ws_max_frame_bytes", &self.ws_max_frame_bytes)
            .field("socket_send_buffer_bytes", &self.socket_send_buffer_bytes)
            .field("web_dir", &self.web_dir)
            .field("shutdown_grace_secs", &self.shutdown_grace_secs)
            .field("log", &self.log)
            .field("log_format", &self.log_format)
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_run_with_no_setup() {
        let cli = Cli::try_parse_from(["confab"]).unwrap();
        assert!(cli.command.is_none());
        assert_eq!(cli.config.listen.to_string(), "127.0.0.1:8080");
        assert_eq!(cli.config.default_role, Role::Patient);
        assert!(cli.config.database_url().starts_with("sqlite://"));
    }

    #[test]
    fn debug_output_redacts_secrets() {
        let cli = Cli::try_parse_from([
            "confab",
            "--jwt-secret",
            "supersecretsupersecretsupersecret",
            "--database-url",
            "postgres://app:hunter2@db/confab",
        ])
        .unwrap();
        let dbg = format!("{:?}", cli.config);
        assert!(!dbg.contains("supersecret"), "{dbg}");
        assert!(!dbg.contains("hunter2"), "{dbg}");
    }

    #[test]
    fn options_work_before_or_after_the_subcommand() {
        let cli = Cli::try_parse_from(["confab", "migrate", "--data-dir", "/tmp/x"]).unwrap();
        assert!(matches!(cli.command, Some(Command::Migrate)));
        assert_eq!(cli.config.data_dir, PathBuf::from("/tmp/x"));
        assert!(Cli::try_parse_from(["confab", "--default-role", "nurse"]).is_err());
    }
}
