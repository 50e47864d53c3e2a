//! Mail and web push settings from the config: SMTP, templates, the outbox's
//! and the digest's timing; the VAPID identity and the push queue's timing.

use std::time::Duration;

use super::secret;
use crate::{
    chat::{digest::DigestPolicy, mail::Mailing, push::Pushing},
    config::Config,
    mail::{Smtp, Templates},
    push::WebPush,
};

/// SMTP, templates and the outbox's timing from the config.
pub(super) fn mailing(config: &Config) -> anyhow::Result<Mailing> {
    let m = &config.mail;
    let smtp = match m.smtp_url.trim() {
        "" => {
            tracing::warn!(
                "no --smtp-url: this server sends no mail (password reset requests are answered \
                 but mail nothing; `confab admin reset-link --username U` makes a link)"
            );
            None
        }
        url => Some(Smtp::new(url, &m.mail_from, Duration::from_secs(30))?),
    };
    let public_url = match &m.public_url {
        Some(u) => u.trim().trim_end_matches('/').to_owned(),
        None => format!("http://{}", config.listen),
    };
    Ok(Mailing {
        smtp,
        templates: Templates::load()?,
        public_url,
        retry: Duration::from_secs(m.mail_retry_secs.max(1)),
        max_attempts: m.mail_max_attempts.max(1),
        poll: Duration::from_millis(m.mail_poll_ms.max(50)),
        reset_interval: Duration::from_secs(m.password_reset_interval_secs),
        wake: tokio::sync::Notify::new(),
        digest: DigestPolicy {
            delay: Duration::from_secs(m.digest_delay_secs),
            interval: Duration::from_secs(m.digest_interval_secs),
            with_content: m.mail_message_content,
        },
        digest_check: Duration::from_secs(m.digest_check_secs.max(1)),
    })
}

/// The VAPID identity and the push queue's timing from the config.
pub(super) fn pushing(config: &Config) -> anyhow::Result<Pushing> {
    let p = &config.push;
    let key = secret::load_or_create_vapid(
        p.vapid_private_key.as_deref(),
        &config.data_dir,
        WebPush::generate_key,
    )?;
    let subject = p
        .vapid_subject
        .clone()
        .unwrap_or_else(|| match &config.mail.public_url {
            Some(u) => u.trim().trim_end_matches('/').to_owned(),
            None => format!("http://{}", config.listen),
        });
    let allowed = p
        .push_allowed_origins
        .split(',')
        .map(|o| o.trim().trim_end_matches('/').to_owned())
        .filter(|o| !o.is_empty())
        .collect();
    Ok(Pushing {
        web_push: WebPush::new(&key, subject, allowed, Duration::from_secs(p.push_ttl_secs))?,
        retry: Duration::from_secs(p.push_retry_secs.max(1)),
        max_attempts: p.push_max_attempts.max(1),
        with_content: config.mail.mail_message_content,
        wake: tokio::sync::Notify::new(),
    })
}
