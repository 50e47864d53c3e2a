//! Outbound mail: the SMTP connection (`lettre`) and the templates mail is made
//! from. No SQL and no use-case logic: `chat/mail.rs` decides what to send and
//! when, from the durable outbox in the store.

pub mod templates;

use std::time::Duration;

use lettre::{
    message::{header::ContentType, Mailbox, MultiPart, SinglePart},
    AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor,
};

pub use templates::{Rendered, Templates};

/// One mail ready to go.
#[derive(Clone, Debug)]
pub struct Outgoing {
    pub to: String,
    pub rendered: Rendered,
    /// A stable Message-ID (from the outbox row), so a mail that was sent but
    /// not recorded as sent (a crash in between) can be recognised as a repeat.
    pub message_id: String,
}

/// Why a send failed, and whether trying again can help.
#[derive(Debug, thiserror::Error)]
#[error("{message}")]
pub struct SendError {
    /// A 5xx answer or an address that cannot be parsed: retrying cannot help.
    pub permanent: bool,
    pub message: String,
}

/// An SMTP relay, from `--smtp-url` (smtp://, smtps:// or smtp://...?tls=required,
/// with credentials in the URL) and `--mail-from`.
#[derive(Clone)]
pub struct Smtp {
    transport: AsyncSmtpTransport<Tokio1Executor>,
    from: Mailbox,
}

impl Smtp {
    pub fn new(url: &str, from: &str, timeout: Duration) -> anyhow::Result<Self> {
        let transport = AsyncSmtpTransport::<Tokio1Executor>::from_url(url)
            .map_err(|e| anyhow::anyhow!("--smtp-url is not a usable SMTP URL: {e}"))?
            .timeout(Some(timeout))
            .build();
        let from = from
            .parse()
            .map_err(|e| anyhow::anyhow!("--mail-from {from:?} is not an address: {e}"))?;
        Ok(Self { transport, from })
    }

    pub async fn send(&self, mail: &Outgoing) -> Result<(), SendError> {
        let permanent = |message: String| SendError {
            permanent: true,
            message,
        };
        let to: Mailbox = mail
            .to
            .parse()
            .map_err(|e| permanent(format!("recipient address: {e}")))?;
        let r = &mail.rendered;
        let message = Message::builder()
            .from(self.from.clone())
            .to(to)
            .subject(r.subject.clone())
            .message_id(Some(mail.message_id.clone()))
            .multipart(
                MultiPart::alternative()
                    .singlepart(
                        SinglePart::builder()
                            .header(ContentType::TEXT_PLAIN)
                            .body(r.text.clone()),
                    )
                    .singlepart(
                        SinglePart::builder()
                            .header(ContentType::TEXT_HTML)
                            .body(r.html.clone()),
                    ),
            )
            .map_err(|e| permanent(format!("building the mail: {e}")))?;
        self.transport
            .send(message)
            .await
            .map(drop)
            .map_err(|e| SendError {
                permanent: e.is_permanent(),
                message: e.to_string(),
            })
    }

    /// The domain of the sender address, for Message-IDs.
    pub fn domain(&self) -> &str {
        self.from.email.domain()
    }
}
