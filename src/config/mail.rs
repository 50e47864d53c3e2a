//! Mail: the SMTP relay, the sender, the address links point at, and how the
//! outbox retries (README, "Email").

use clap::Args;

#[derive(Args, Clone)]
pub struct Mail {
    /// SMTP relay: smtp://HOST:PORT (plain, for a relay on loopback),
    /// smtp://HOST:587?tls=required (STARTTLS), smtps://HOST:465 (TLS), with
    /// credentials as smtps://USER:PASSWORD@HOST. Empty: no mail is sent (reset
    /// links then come from `confab admin reset-link`).
    #[arg(
        long,
        env = "CONFAB_SMTP_URL",
        default_value = "",
        hide_env_values = true
    )]
    pub smtp_url: String,

    /// The From address of every mail.
    #[arg(
        long,
        env = "CONFAB_MAIL_FROM",
        default_value = "Confab <confab@localhost>"
    )]
    pub mail_from: String,

    /// The address people open Confab at, for links in mail (e.g.
    /// https://chat.example.org). Defaults to http://LISTEN.
    #[arg(long, env = "CONFAB_PUBLIC_URL", global = true)]
    pub public_url: Option<String>,

    /// Seconds before a failed mail is tried again; doubles each time, up to an hour.
    #[arg(long, env = "CONFAB_MAIL_RETRY_SECS", default_value_t = 30)]
    pub mail_retry_secs: u64,

    /// Attempts before a mail is given up (with the default delays, about a day).
    #[arg(long, env = "CONFAB_MAIL_MAX_ATTEMPTS", default_value_t = 30)]
    pub mail_max_attempts: u32,

    /// Milliseconds between looks at the outbox for mail that is due (retries,
    /// mail queued by another node); new mail from this node goes at once.
    #[arg(long, env = "CONFAB_MAIL_POLL_MS", default_value_t = 5000)]
    pub mail_poll_ms: u64,

    /// Minimum seconds between two password reset mails to one account (more
    /// requests get the same answer and no mail).
    #[arg(
        long,
        env = "CONFAB_PASSWORD_RESET_INTERVAL_SECS",
        default_value_t = 60
    )]
    pub password_reset_interval_secs: u64,

    /// Seconds a user must be away (no connection) before unread direct messages
    /// and mentions are mailed to them as one digest.
    #[arg(long, env = "CONFAB_DIGEST_DELAY_SECS", default_value_t = 900)]
    pub digest_delay_secs: u64,

    /// Least seconds between two digests to one user.
    #[arg(long, env = "CONFAB_DIGEST_INTERVAL_SECS", default_value_t = 3600)]
    pub digest_interval_secs: u64,

    /// Seconds between two looks for due digests.
    #[arg(long, env = "CONFAB_DIGEST_CHECK_SECS", default_value_t = 60)]
    pub digest_check_secs: u64,

    /// Put message text in digest mail (and web push). Off: a clinic must not
    /// send patient data through mail servers; mail says who wrote and how many.
    #[arg(long, env = "CONFAB_MAIL_MESSAGE_CONTENT", default_value_t = false, action = clap::ArgAction::Set)]
    pub mail_message_content: bool,
}

/// Credentials in the SMTP URL never reach a log line through `{:?}`.
impl std::fmt::Debug for Mail {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let smtp = match self.smtp_url.split_once('@') {
            Some((_, host)) => format!("<credentials>@{host}"),
            None => self.smtp_url.clone(),
        };
        f.debug_struct("Mail")
            .field("smtp_url", &smtp)
            .field("mail_from", &self.mail_from)
            .field("public_url", &self.public_url)
            .field("mail_retry_secs", &self.mail_retry_secs)
            .field("mail_max_attempts", &self.mail_max_attempts)
            .field("mail_poll_ms", &self.mail_poll_ms)
            .field(
                "password_reset_interval_secs",
                &self.password_reset_interval_secs,
            )
            .field("digest_delay_secs", &self.digest_delay_secs)
            .field("digest_interval_secs", &self.digest_interval_secs)
            .field("digest_check_secs", &self.digest_check_secs)
            .field("mail_message_content", &self.mail_message_content)
            .finish()
    }
}
