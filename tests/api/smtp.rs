//! A real SMTP server for the mail tests: aiosmtpd (from PyPI, installed by
//! scripts/test-python.sh), one per test on a free loopback port, writing each mail it
//! accepts to a Maildir that the test reads and parses.

use std::{
    path::PathBuf,
    process::{Child, Command, Stdio},
    time::Duration,
};

/// One received mail, decoded.
#[derive(Debug, Clone)]
pub struct Mail {
    pub to: String,
    pub subject: String,
    pub text: String,
    pub html: String,
    pub message_id: String,
}

impl Mail {
    /// The token of the first link to `/{page}#token=` in the text part.
    pub fn token(&self, page: &str) -> String {
        let marker = format!("/{page}#token=");
        let at = self
            .text
            .find(&marker)
            .unwrap_or_else(|| panic!("no {page} link in {}", self.text));
        self.text[at + marker.len()..]
            .split(|c: char| c.is_whitespace())
            .next()
            .unwrap()
            .to_owned()
    }
}

pub struct SmtpServer {
    child: Option<Child>,
    pub port: u16,
    maildir: PathBuf,
    _dir: tempfile::TempDir,
}

/// The python that has aiosmtpd, or `None` (outside CI) when there is none.
pub fn python() -> Option<String> {
    match std::env::var("CONFAB_TEST_PYTHON") {
        Ok(p) if !p.is_empty() => Some(p),
        _ if std::env::var("CI").is_ok_and(|v| v == "true") => {
            panic!(
                "CONFAB_TEST_PYTHON is not set: CI must test mail (scripts/test-python.sh installs it)"
            )
        }
        _ => {
            eprintln!("CONFAB_TEST_PYTHON not set: mail tests NOT run (scripts/test.sh sets it)");
            None
        }
    }
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

impl SmtpServer {
    /// A running server on a free port, or `None` when aiosmtpd is not installed.
    pub async fn start() -> Option<Self> {
        let mut s = Self::stopped()?;
        s.run().await;
        Some(s)
    }

    /// A server that is not running yet (its port refuses connections).
    pub fn stopped() -> Option<Self> {
        python()?;
        let dir = tempfile::tempdir().unwrap();
        Some(Self {
            child: None,
            port: free_port(),
            maildir: dir.path().join("maildir"),
            _dir: dir,
        })
    }

    /// Starts (or restarts) it, and waits until it accepts connections.
    pub async fn run(&mut self) {
        let child = Command::new(python().unwrap())
            .args(["-m", "aiosmtpd", "-n", "-l"])
            .arg(format!("127.0.0.1:{}", self.port))
            .args(["-c", "aiosmtpd.handlers.Mailbox"])
            .arg(&self.maildir)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("aiosmtpd starts");
        self.child = Some(child);
        for _ in 0..100 {
            if tokio::net::TcpStream::connect(("127.0.0.1", self.port))
                .await
                .is_ok()
            {
                return;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        panic!("aiosmtpd did not start on port {}", self.port);
    }

    pub fn stop(&mut self) {
        if let Some(mut c) = self.child.take() {
            let _ = c.kill();
            let _ = c.wait();
        }
    }

    /// What the server's flags need: `--smtp-url` with fast retries.
    pub fn url(&self) -> String {
        format!("smtp://127.0.0.1:{}", self.port)
    }

    /// Every mail received so far, in arrival order.
    pub fn mails(&self) -> Vec<Mail> {
        let mut files: Vec<_> = std::fs::read_dir(self.maildir.join("new"))
            .map(|d| d.flatten().map(|e| e.path()).collect())
            .unwrap_or_default();
        files.sort_by_key(|p| std::fs::metadata(p).and_then(|m| m.modified()).ok());
        files
            .iter()
            .map(|p| parse(&std::fs::read(p).unwrap()))
            .collect()
    }

    /// Mails to `to`.
    pub fn mails_to(&self, to: &str) -> Vec<Mail> {
        self.mails().into_iter().filter(|m| m.to == to).collect()
    }

    /// Waits (up to 15 s) until `n` mails to `to` have arrived; returns them.
    pub async fn wait_for(&self, to: &str, n: usize) -> Vec<Mail> {
        for _ in 0..300 {
            let got = self.mails_to(to);
            if got.len() >= n {
                return got;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        panic!("{n} mail(s) to {to} did not arrive; got {:?}", self.mails());
    }
}

impl Drop for SmtpServer {
    fn drop(&mut self) {
        self.stop();
    }
}

fn parse(raw: &[u8]) -> Mail {
    let m = mail_parser::MessageParser::default()
        .parse(raw)
        .expect("a mail");
    let to = m
        .to()
        .and_then(|a| a.first())
        .and_then(|a| a.address())
        .unwrap_or_default()
        .to_owned();
    Mail {
        to,
        subject: m.subject().unwrap_or_default().to_owned(),
        text: m.body_text(0).unwrap_or_default().into_owned(),
        html: m.body_html(0).unwrap_or_default().into_owned(),
        message_id: m.message_id().unwrap_or_default().to_owned(),
    }
}
