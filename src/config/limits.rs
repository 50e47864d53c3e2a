//! Limits that protect the server from scripts and hostile clients: the login
//! throttle, per-user and per-address request rates, connection caps and timeouts.
//! Defaults are generous for people and tight for scripts (README, "Limits").

use clap::Args;

use crate::domain::Rate;

#[derive(Args, Clone, Debug)]
pub struct Limits {
    /// Failed logins allowed per account from one address before that pair is
    /// locked out (the owner elsewhere is not affected).
    #[arg(long, env = "CONFAB_LOGIN_MAX_FAILURES", default_value_t = 5)]
    pub login_max_failures: u32,

    /// Failed logins allowed per client address, across accounts, per window.
    #[arg(
        long,
        env = "CONFAB_LOGIN_MAX_FAILURES_PER_ADDRESS",
        default_value_t = 20
    )]
    pub login_max_failures_per_address: u32,

    /// Failed logins allowed per account, across addresses, per window (a guess
    /// spread over many machines).
    #[arg(
        long,
        env = "CONFAB_LOGIN_MAX_FAILURES_PER_ACCOUNT",
        default_value_t = 100
    )]
    pub login_max_failures_per_account: u32,

    /// Failed-login window and first lockout, in seconds; each further lockout of
    /// the same key doubles, up to 64 times this.
    #[arg(long, env = "CONFAB_LOGIN_LOCKOUT_SECS", default_value_t = 300)]
    pub login_lockout_secs: u64,

    /// Open connections in all, WebSockets included; over it a new connection gets
    /// a 503 and is closed. 0: the open-file limit less 256 (for the database,
    /// files and logs).
    #[arg(long, env = "CONFAB_MAX_CONNECTIONS", default_value_t = 0)]
    pub max_connections: usize,

    /// Open connections per client address (a clinic behind one NAT address has
    /// one or two per person); 0 for no cap (load tests from one machine).
    #[arg(
        long,
        env = "CONFAB_MAX_CONNECTIONS_PER_ADDRESS",
        default_value_t = 500
    )]
    pub max_connections_per_address: usize,

    /// Seconds a client has to send a request's head; also closes an idle
    /// keep-alive connection.
    #[arg(long, env = "CONFAB_HEADER_READ_TIMEOUT_SECS", default_value_t = 10)]
    pub header_read_timeout_secs: u64,

    /// Seconds a client has to send a request's body.
    #[arg(long, env = "CONFAB_BODY_READ_TIMEOUT_SECS", default_value_t = 30)]
    pub body_read_timeout_secs: u64,

    /// Request rate limits on or off (`false` for benchmarks and load tests; the
    /// login throttle stays on either way).
    #[arg(long, env = "CONFAB_RATE_LIMITS", default_value_t = true, action = clap::ArgAction::Set)]
    pub rate_limits: bool,

    /// Message sends per user, REST and WebSocket together: RATE[:BURST] with RATE
    /// as N/s, N/m or N/h; `off` for none.
    #[arg(long, env = "CONFAB_RATE_SENDS", default_value = "10/s:100")]
    pub rate_sends: Rate,

    /// User and message searches per user.
    #[arg(long, env = "CONFAB_RATE_SEARCH", default_value = "5/s:30")]
    pub rate_search: Rate,

    /// Token refreshes per client address.
    #[arg(long, env = "CONFAB_RATE_REFRESH", default_value = "5/s:60")]
    pub rate_refresh: Rate,

    /// Registrations per client address.
    #[arg(long, env = "CONFAB_RATE_REGISTER", default_value = "10/h:10")]
    pub rate_register: Rate,

    /// Friend requests per user.
    #[arg(long, env = "CONFAB_RATE_FRIEND_REQUESTS", default_value = "30/h:20")]
    pub rate_friend_requests: Rate,

    /// Conversations created per user (direct and group).
    #[arg(long, env = "CONFAB_RATE_CONVERSATIONS", default_value = "60/h:30")]
    pub rate_conversations: Rate,

    /// Password reset requests per client address (each account also gets at
    /// most one reset mail per --password-reset-interval-secs).
    #[arg(long, env = "CONFAB_RATE_PASSWORD_RESET", default_value = "10/h:5")]
    pub rate_password_reset: Rate,
}
