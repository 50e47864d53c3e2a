//! The `chaos` scenario: members of several groups send and read while their
//! connections are cut at random and the server is killed with SIGKILL and
//! restarted; then everyone settles (resends what was not acked, resumes) and the
//! run checks, against the stored history, that every message sent was stored
//! exactly once with gapless seqs, every ack named the stored seq, and every
//! member applied every message exactly once and in order. It also compares the
//! server's memory at the end with the start. The server is started by the tool
//! (it has to kill it), on loopback only.

use std::{collections::HashMap, path::PathBuf, process::Stdio, time::Duration};

use anyhow::{bail, Context};
use serde_json::{json, Value};
use tokio::{process::Child, sync::watch, time::Instant};

use crate::chaos_member::{self, Phase};

#[derive(clap::Args, Clone)]
pub struct Args {
    /// The confab binary (default: `confab` beside this tool).
    #[arg(long)]
    pub confab: Option<PathBuf>,
    /// Database URL for the server (default: SQLite in a fresh directory).
    #[arg(long)]
    pub database_url: Option<String>,
    /// Port on 127.0.0.1 for the server.
    #[arg(long, default_value_t = 18_300)]
    pub port: u16,
    #[arg(long, default_value_t = 3)]
    pub groups: usize,
    #[arg(long, default_value_t = 4)]
    pub members: usize,
    /// How long the chaos lasts, in seconds (`--minutes` for long runs).
    #[arg(long, default_value_t = 10)]
    pub seconds: u64,
    #[arg(long)]
    pub minutes: Option<u64>,
    /// SIGKILLs of the server during the chaos, at random moments.
    #[arg(long, default_value_t = 2)]
    pub kills: usize,
    /// Milliseconds between one member's sends.
    #[arg(long, default_value_t = 100)]
    pub interval_ms: u64,
    /// Chance per send interval that a member's connection is cut.
    #[arg(long, default_value_t = 0.02)]
    pub cut_chance: f64,
    /// How much the server's resident memory may grow from the start to the end.
    #[arg(long, default_value_t = 64)]
    pub max_rss_growth_mib: u64,
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
}

#[derive(Debug, Default)]
pub struct ChaosReport {
    pub seconds: f64,
    pub members: usize,
    pub sent: u64,
    pub stored: u64,
    pub delivered: u64,
    pub kills: usize,
    pub cuts: u64,
    pub reconnects: u64,
    pub lost: u64,
    pub duplicated: u64,
    pub out_of_order: u64,
    pub bad_acks: u64,
    pub phantom: u64,
    pub rss_start_kib: u64,
    pub rss_end_kib: u64,
    pub problems: Vec<String>,
}

impl ChaosReport {
    pub fn json(&self) -> Value {
        json!({
            "scenario": "chaos", "seconds": self.seconds, "members": self.members,
            "sent": self.sent, "stored": self.stored, "delivered": self.delivered,
            "kills": self.kills, "cuts": self.cuts, "reconnects": self.reconnects,
            "lost": self.lost, "duplicated": self.duplicated, "out_of_order": self.out_of_order,
            "bad_acks": self.bad_acks, "phantom": self.phantom,
            "rss_start_kib": self.rss_start_kib, "rss_end_kib": self.rss_end_kib,
        })
    }

    pub fn table(&self) -> String {
        format!(
            "scenario chaos: {:.1} s, {} members, {} SIGKILLs, {} connection cuts, {} (re)connects\n\
             {} messages sent, {} stored, {} deliveries applied\n\
             lost {}, duplicated {}, out of order {}, wrong acks {}, phantom rows {}\n\
             server anonymous RSS {} KiB at the start, {} KiB at the end\n",
            self.seconds, self.members, self.kills, self.cuts, self.reconnects, self.sent,
            self.stored, self.delivered, self.lost, self.duplicated, self.out_of_order,
            self.bad_acks, self.phantom, self.rss_start_kib, self.rss_end_kib
        )
    }

    pub fn failure(&self) -> Option<String> {
        (!self.problems.is_empty()).then(|| self.problems.join("; "))
    }
}

/// The server under test, as a child process the run may kill.
struct Server {
    bin: PathBuf,
    args: Vec<String>,
    url: String,
    child: Option<Child>,
    _dir: tempfile::TempDir,
}

impl Server {
    async fn start(&mut self) -> anyhow::Result<()> {
        let child = tokio::process::Command::new(&self.bin)
            .args(&self.args)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .kill_on_drop(true)
            .spawn()
            .with_context(|| format!("starting {}", self.bin.display()))?;
        self.child = Some(child);
        let http = reqwest::Client::new();
        for _ in 0..300 {
            if http
                .get(format!("{}/readyz", self.url))
                .send()
                .await
                .is_ok_and(|r| r.status().is_success())
            {
                return Ok(());
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        bail!("the server did not become ready")
    }

    /// SIGKILL: no shutdown, no flush, exactly as a crash.
    async fn kill(&mut self) {
        if let Some(mut c) = self.child.take() {
            let _ = c.kill().await;
        }
    }

    /// The server's anonymous resident memory (heap and stacks), in KiB. Not
    /// VmRSS: that also counts the database file's pages mapped by SQLite's mmap,
    /// which grow with the data and belong to the page cache, not to a leak.
    fn rss_kib(&self) -> u64 {
        let Some(pid) = self.child.as_ref().and_then(Child::id) else {
            return 0;
        };
        std::fs::read_to_string(format!("/proc/{pid}/status"))
            .ok()
            .and_then(|s| {
                s.lines()
                    .find(|l| l.starts_with("RssAnon:"))
                    .and_then(|l| l.split_whitespace().nth(1)?.parse().ok())
            })
            .unwrap_or(0)
    }
}

fn server(args: &Args) -> anyhow::Result<Server> {
    let bin = match &args.confab {
        Some(b) => b.clone(),
        None => std::env::current_exe()?.with_file_name("confab"),
    };
    let dir = tempfile::tempdir()?;
    let mut a: Vec<String> = [
        "--data-dir",
        dir.path().to_str().unwrap_or("."),
        "--listen",
        &format!("127.0.0.1:{}", args.port),
        "--log",
        "error",
        "--rate-limits",
        "false",
        "--messaging-policy",
        "open",
        "--password-hash-memory-kib",
        "64",
        "--access-token-ttl-secs",
        "86400",
        "--presence-grace-secs",
        "1",
        "--default-group-invites",
        "everyone",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    if let Some(db) = &args.database_url {
        a.extend(["--database-url".to_owned(), db.clone()]);
    }
    Ok(Server {
        bin,
        args: a,
        url: format!("http://127.0.0.1:{}", args.port),
        child: None,
        _dir: dir,
    })
}

pub async fn run(args: Args) -> anyhow::Result<ChaosReport> {
    let mut srv = server(&args)?;
    srv.start().await?;
    let url = srv.url.clone();
    let cast = crate::chaos_setup::groups(&url, args.groups, args.members).await?;
    let members = cast.len();
    // One reader per conversation, for the final history.
    let mut readers: HashMap<String, String> = HashMap::new();
    for m in &cast {
        readers
            .entry(m.conversation.clone())
            .or_insert_with(|| m.token.clone());
    }
    let (phase_tx, phase_rx) = watch::channel(Phase::Chaos);
    let (drained_tx, mut drained_rx) = tokio::sync::mpsc::unbounded_channel();
    let interval = Duration::from_millis(args.interval_ms.max(5));
    let tasks: Vec<_> = cast
        .into_iter()
        .enumerate()
        .map(|(i, m)| {
            let seed = args.seed.wrapping_mul(1000).wrapping_add(i as u64);
            let fut = chaos_member::run(
                url.clone(),
                m,
                phase_rx.clone(),
                drained_tx.clone(),
                interval,
                args.cut_chance,
                seed,
            );
            tokio::spawn(fut)
        })
        .collect();

    // The chaos: kills at random moments, each followed by a restart.
    let began = Instant::now();
    let length = Duration::from_secs(args.minutes.map_or(args.seconds, |m| m * 60).max(1));
    let mut rng = fastrand::Rng::with_seed(args.seed);
    let mut at: Vec<Duration> = (0..args.kills)
        .map(|_| length.mul_f64(0.1 + 0.8 * rng.f64()))
        .collect();
    at.sort();
    tokio::time::sleep(Duration::from_millis(500)).await;
    let rss_start_kib = srv.rss_kib();
    for when in at {
        tokio::time::sleep_until(began + when).await;
        srv.kill().await;
        tokio::time::sleep(Duration::from_millis(rng.u64(0..300))).await;
        srv.start().await?;
    }
    tokio::time::sleep_until(began + length).await;

    // Drain: no new sends; everyone gets what they sent acked (resending across
    // the last restart if need be). Then the stored history is the truth.
    phase_tx.send_replace(Phase::Drain);
    let deadline = Instant::now() + Duration::from_secs(120);
    for _ in 0..members {
        if tokio::time::timeout_at(deadline, drained_rx.recv())
            .await
            .is_err()
        {
            bail!("members could not get their sends acknowledged within 120 s");
        }
    }
    let http = reqwest::Client::new();
    let history = crate::chaos_setup::histories(&http, &url, &readers).await?;
    let target = history
        .iter()
        .map(|(c, h)| (c.clone(), h.len() as i64))
        .collect();
    phase_tx.send_replace(Phase::Settle(target));
    let mut done = Vec::new();
    for t in tasks {
        match tokio::time::timeout_at(deadline, t).await {
            Ok(Ok(m)) => done.push(m),
            _ => bail!("members did not catch up within 120 s"),
        }
    }
    let rss_end_kib = srv.rss_kib();
    srv.kill().await;
    let mut report = crate::chaos_setup::verify(&history, &done);
    report.seconds = began.elapsed().as_secs_f64();
    report.kills = args.kills;
    report.rss_start_kib = rss_start_kib;
    report.rss_end_kib = rss_end_kib;
    if rss_end_kib > rss_start_kib + args.max_rss_growth_mib * 1024 {
        report.problems.push(format!(
            "server memory grew from {rss_start_kib} KiB to {rss_end_kib} KiB (bound: {} MiB)",
            args.max_rss_growth_mib
        ));
    }
    Ok(report)
}
