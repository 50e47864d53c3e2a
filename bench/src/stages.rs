//! The server's own account of where messages spent their time: its
//! `confab_message_stage_seconds` histograms (src/metrics.rs), scraped from its
//! `/metrics` around each step of a scenario. The difference between two scrapes
//! is that step's share; its percentiles are estimated the way Prometheus's
//! `histogram_quantile` does, linearly within a bucket (buckets grow by 1.5x, so
//! a figure is good to about a third of itself). What the server does not count
//! (the tool's scheduling, the kernel's loopback) is the end-to-end figure less
//! these.

use std::collections::BTreeMap;

use anyhow::Context;
use serde_json::{json, Value};
use tokio::{task::JoinHandle, time::Instant};

/// The stages in the order a message goes through them (src/metrics.rs `Stage`).
pub const STAGES: [&str; 8] = [
    "check", "turn", "queue", "commit", "wake", "publish", "route", "deliver",
];

const FAMILY: &str = "confab_message_stage_seconds_bucket";

/// Per stage, cumulative counts by upper bound (the last is +Inf).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Snapshot(BTreeMap<String, Vec<(f64, u64)>>);

pub async fn scrape(client: &reqwest::Client, url: &str) -> anyhow::Result<Snapshot> {
    let text = client
        .get(url)
        .send()
        .await
        .and_then(|r| r.error_for_status())
        .with_context(|| format!("scraping {url}"))?
        .text()
        .await?;
    Ok(parse(&text))
}

/// Reads the stage buckets out of the text exposition format.
pub fn parse(text: &str) -> Snapshot {
    let mut out: BTreeMap<String, Vec<(f64, u64)>> = BTreeMap::new();
    for line in text.lines() {
        let Some(rest) = line.strip_prefix(FAMILY) else {
            continue;
        };
        let Some((labels, value)) = rest.rsplit_once(' ') else {
            continue;
        };
        let (Some(stage), Some(le), Ok(count)) = (
            label(labels, "stage"),
            label(labels, "le"),
            value.parse::<f64>(),
        ) else {
            continue;
        };
        let le = if le == "+Inf" {
            f64::INFINITY
        } else {
            match le.parse() {
                Ok(v) => v,
                Err(_) => continue,
            }
        };
        out.entry(stage.to_owned())
            .or_default()
            .push((le, count as u64));
    }
    for buckets in out.values_mut() {
        buckets.sort_by(|a, b| a.0.total_cmp(&b.0));
    }
    Snapshot(out)
}

fn label<'a>(labels: &'a str, name: &str) -> Option<&'a str> {
    let inner = labels.strip_prefix('{')?.strip_suffix('}')?;
    inner.split(',').find_map(|kv| {
        let (k, v) = kv.split_once('=')?;
        (k == name).then(|| v.trim_matches('"'))
    })
}

/// One stage over one step: how many observations, and their percentiles.
#[derive(Debug, Clone, PartialEq)]
pub struct StageFigures {
    pub count: u64,
    pub p50_ms: f64,
    pub p99_ms: f64,
}

impl Snapshot {
    /// What was observed between `earlier` and `self`, per stage.
    pub fn since(&self, earlier: &Snapshot) -> BTreeMap<String, StageFigures> {
        let mut out = BTreeMap::new();
        for (stage, now) in &self.0 {
            let before = earlier.0.get(stage);
            let diff: Vec<(f64, u64)> = now
                .iter()
                .map(|&(le, n)| {
                    let was = before
                        .and_then(|b| b.iter().find(|(l, _)| *l == le))
                        .map_or(0, |&(_, n)| n);
                    (le, n.saturating_sub(was))
                })
                .collect();
            let count = diff.last().map_or(0, |&(_, n)| n);
            out.insert(
                stage.clone(),
                StageFigures {
                    count,
                    p50_ms: quantile(&diff, 0.5) * 1000.0,
                    p99_ms: quantile(&diff, 0.99) * 1000.0,
                },
            );
        }
        out
    }
}

/// `histogram_quantile` over cumulative buckets: the bucket the rank falls in,
/// interpolated linearly; in the +Inf bucket, the last finite bound.
pub fn quantile(buckets: &[(f64, u64)], q: f64) -> f64 {
    let total = buckets.last().map_or(0, |&(_, n)| n);
    if total == 0 {
        return 0.0;
    }
    let rank = q * total as f64;
    let mut lower = (0.0, 0u64);
    for &(le, n) in buckets {
        if n as f64 >= rank {
            if le.is_infinite() {
                return lower.0;
            }
            let inside = (n - lower.1) as f64;
            let into = if inside > 0.0 {
                (rank - lower.1 as f64) / inside
            } else {
                1.0
            };
            return lower.0 + (le - lower.0) * into;
        }
        lower = (le, n);
    }
    lower.0
}

pub fn json(step: &BTreeMap<String, StageFigures>) -> Value {
    STAGES
        .iter()
        .filter_map(|s| {
            let f = step.get(*s)?;
            Some((
                s.to_string(),
                json!({ "count": f.count, "p50_ms": f.p50_ms, "p99_ms": f.p99_ms }),
            ))
        })
        .collect::<serde_json::Map<_, _>>()
        .into()
}

/// What the server and this tool did over one step: the stages (with
/// `--metrics`) and the cores each used (CPU seconds per second of the step and
/// the gap after it; the server's with `--server-pid`).
#[derive(Debug, Clone, Default)]
pub struct StepAccount {
    pub stages: Option<BTreeMap<String, StageFigures>>,
    pub server_cores: Option<f64>,
    pub tool_cores: Option<f64>,
}

/// A look at the server and the tool at one moment.
struct Mark {
    at: Instant,
    stages: Option<Snapshot>,
    server_cpu: Option<f64>,
    tool_cpu: Option<f64>,
}

/// Takes a mark just before each of `starts`, then one more when `finish` is
/// called (after the last step's stragglers are in).
pub struct Marks {
    metrics: Option<(reqwest::Client, String)>,
    task: JoinHandle<anyhow::Result<Vec<Mark>>>,
}

impl Marks {
    pub fn spawn(metrics: Option<String>, starts: Vec<Instant>) -> Self {
        let metrics = metrics.map(|url| (reqwest::Client::new(), url));
        let m = metrics.clone();
        let task = tokio::spawn(async move {
            let mut marks = Vec::with_capacity(starts.len() + 1);
            for at in starts {
                tokio::time::sleep_until(at).await;
                marks.push(mark(m.as_ref()).await?);
            }
            Ok(marks)
        });
        Self { metrics, task }
    }

    /// One account per step.
    pub async fn finish(self) -> anyhow::Result<Vec<StepAccount>> {
        let mut marks = self.task.await??;
        marks.push(mark(self.metrics.as_ref()).await?);
        Ok(marks
            .windows(2)
            .map(|w| {
                let secs = w[1].at.duration_since(w[0].at).as_secs_f64().max(1e-3);
                let cores = |a: Option<f64>, b: Option<f64>| Some((b? - a?) / secs);
                StepAccount {
                    stages: w[1]
                        .stages
                        .as_ref()
                        .zip(w[0].stages.as_ref())
                        .map(|(b, a)| b.since(a)),
                    server_cores: cores(w[0].server_cpu, w[1].server_cpu),
                    tool_cores: cores(w[0].tool_cpu, w[1].tool_cpu),
                }
            })
            .collect())
    }
}

async fn mark(metrics: Option<&(reqwest::Client, String)>) -> anyhow::Result<Mark> {
    let stages = match metrics {
        Some((client, url)) => Some(scrape(client, url).await?),
        None => None,
    };
    Ok(Mark {
        at: Instant::now(),
        stages,
        server_cpu: crate::cpu::now(),
        tool_cpu: crate::cpu::seconds(std::process::id()),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const TEXT: &str = "# TYPE confab_message_stage_seconds histogram\n\
        confab_message_stage_seconds_sum{stage=\"commit\"} 0.5\n\
        confab_message_stage_seconds_count{stage=\"commit\"} 100\n\
        confab_message_stage_seconds_bucket{le=\"0.001\",stage=\"commit\"} 50\n\
        confab_message_stage_seconds_bucket{le=\"0.002\",stage=\"commit\"} 90\n\
        confab_message_stage_seconds_bucket{le=\"0.004\",stage=\"commit\"} 100\n\
        confab_message_stage_seconds_bucket{le=\"+Inf\",stage=\"commit\"} 100\n\
        confab_sends_total 7\n# EOF\n";

    #[test]
    fn reads_the_buckets_and_interpolates_like_prometheus() {
        let s = parse(TEXT);
        let commit = &s.0["commit"];
        assert_eq!(commit.len(), 4);
        assert_eq!(commit[3], (f64::INFINITY, 100));
        let figures = s.since(&Snapshot::default());
        let c = &figures["commit"];
        assert_eq!(c.count, 100);
        // Rank 50 is the top of the first bucket; rank 99 is 9/10 into the last.
        assert!((c.p50_ms - 1.0).abs() < 1e-9, "{c:?}");
        assert!((c.p99_ms - 3.8).abs() < 1e-9, "{c:?}");
    }

    #[test]
    fn a_step_is_the_difference_between_two_scrapes() {
        let before = parse(TEXT);
        let after = parse(&format!(
            "{FAMILY}{{le=\"0.001\",stage=\"commit\"}} 60\n\
             {FAMILY}{{le=\"0.002\",stage=\"commit\"}} 100\n\
             {FAMILY}{{le=\"0.004\",stage=\"commit\"}} 110\n\
             {FAMILY}{{le=\"+Inf\",stage=\"commit\"}} 110\n"
        ));
        let c = &after.since(&before)["commit"];
        // 10 more in the first bucket, none elsewhere.
        assert_eq!(c.count, 10);
        assert!(c.p99_ms <= 1.0, "{c:?}");
        assert_eq!(quantile(&[(f64::INFINITY, 0)], 0.99), 0.0);
        // Everything above the last finite bound: that bound, not infinity.
        assert_eq!(quantile(&[(0.5, 0), (f64::INFINITY, 3)], 0.99), 0.5);
    }
}
