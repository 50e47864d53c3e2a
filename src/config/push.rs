//! Web push (README, "Web push").

use clap::Args;

#[derive(Args, Clone)]
pub struct Push {
    /// The VAPID private key: base64url of a 32-byte P-256 scalar. Give every node
    /// of a cluster the same one; by default generated into DATA_DIR/vapid_key.
    #[arg(long, env = "CONFAB_VAPID_PRIVATE_KEY", hide_env_values = true)]
    pub vapid_private_key: Option<String>,

    /// The contact push services see (mailto: or https:); defaults to the public URL.
    #[arg(long, env = "CONFAB_VAPID_SUBJECT")]
    pub vapid_subject: Option<String>,

    /// Origins pushes may be sent to (comma-separated, `*.` for subdomains): the
    /// browsers' push services. An endpoint elsewhere is refused (422), so a
    /// client cannot make the server post to other hosts.
    #[arg(
        long,
        env = "CONFAB_PUSH_ALLOWED_ORIGINS",
        default_value = "https://fcm.googleapis.com,https://updates.push.services.mozilla.com,https://*.push.apple.com,https://*.notify.windows.com"
    )]
    pub push_allowed_origins: String,

    /// Seconds before a failed push is tried again (doubling, at most an hour);
    /// a 429's Retry-After wins.
    #[arg(long, env = "CONFAB_PUSH_RETRY_SECS", default_value_t = 10)]
    pub push_retry_secs: u64,

    /// Attempts before a push is given up.
    #[arg(long, env = "CONFAB_PUSH_MAX_ATTEMPTS", default_value_t = 8)]
    pub push_max_attempts: u32,

    /// Seconds a push service keeps a push for a device that is off (TTL).
    #[arg(long, env = "CONFAB_PUSH_TTL_SECS", default_value_t = 86_400)]
    pub push_ttl_secs: u64,
}

/// The private key never reaches a log line through `{:?}`.
impl std::fmt::Debug for Push {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Push")
            .field(
                "vapid_private_key",
                &self.vapid_private_key.as_ref().map(|_| "<redacted>"),
            )
            .field("vapid_subject", &self.vapid_subject)
            .field("push_allowed_origins", &self.push_allowed_origins)
            .field("push_retry_secs", &self.push_retry_secs)
            .field("push_max_attempts", &self.push_max_attempts)
            .field("push_ttl_secs", &self.push_ttl_secs)
            .finish()
    }
}
