//! One member's part in a chat run: send on a plan (closed loop, or on a
//! schedule), receive everything, and check each message of the group off by its
//! seq (a seq seen twice is a duplicate, a seq lower than the last one is out of
//! order, a seq never seen is lost).
//!
//! Message bodies carry `step:micros`, the moment the send was due (for a schedule)
//! or made (closed loop) on the run's clock, so a receiver can time it without
//! coordination; timing from the due moment keeps a slow server from hiding its
//! queueing (no coordinated omission).

use std::{collections::HashSet, time::Duration};

use anyhow::Context;
use hdrhistogram::Histogram;
use serde_json::json;
use tokio::time::{sleep_until, Instant};

use crate::client::{self, Frame, Ws};

pub fn hist() -> Histogram<u64> {
    Histogram::new_with_bounds(1, 120_000_000, 3).expect("histogram bounds")
}

/// How a member sends.
#[derive(Clone)]
pub enum Sending {
    /// Only receives.
    Silent,
    /// `n` messages, each sent when the previous one's ack arrives.
    ClosedLoop { n: usize },
    /// Per step: `(first send at, interval, count)`, on the run's clock.
    Schedule(Vec<(Duration, Duration, usize)>),
}

pub struct Plan {
    pub conversation: String,
    /// Unique among all members of the run (client_msg_id prefix).
    pub tag: String,
    pub sending: Sending,
    /// Messages this member must receive in all (its own included).
    pub expected: usize,
    /// Number of steps (histograms per step).
    pub steps: usize,
    /// How long to wait for a missing message before calling it lost, counted
    /// from the end of the run's schedule (`schedule_end`, on the run's clock), so
    /// that a member who only receives does not give up during quiet steps.
    pub patience: Duration,
    pub schedule_end: Duration,
}

/// What one member saw.
pub struct Tally {
    pub sent: u64,
    pub ack: Histogram<u64>,
    /// Send-to-receive per step.
    pub e2e: Vec<Histogram<u64>>,
    pub received: u64,
    pub duplicated: u64,
    pub out_of_order: u64,
    pub errors: u64,
    seen: HashSet<i64>,
    last_seq: i64,
}

impl Tally {
    pub fn new(steps: usize) -> Self {
        Self {
            sent: 0,
            ack: hist(),
            e2e: (0..steps.max(1)).map(|_| hist()).collect(),
            received: 0,
            duplicated: 0,
            out_of_order: 0,
            errors: 0,
            seen: HashSet::new(),
            last_seq: 0,
        }
    }

    /// Handles one frame; returns the `ref` of an ack or error, if it was one.
    fn on_text(&mut self, text: &str, base: Instant) -> Option<String> {
        let Ok(f) = serde_json::from_str::<Frame>(text) else {
            self.errors += 1;
            return None;
        };
        let now = base.elapsed().as_micros() as u64;
        match (&*f.kind, f.message) {
            ("message.new", Some(m)) => {
                self.delivered(m.seq, &m.body, now);
                None
            }
            ("ack", Some(m)) => {
                self.acked(&m.body, now);
                f.reference.map(|r| r.into_owned())
            }
            ("error", _) => {
                self.errors += 1;
                f.reference.map(|r| r.into_owned())
            }
            _ => None,
        }
    }
}

impl Tally {
    /// A message of the member's group arrived at `now` (µs on the run's clock).
    pub fn delivered(&mut self, seq: i64, body: &str, now: u64) {
        if !self.seen.insert(seq) {
            self.duplicated += 1;
            return;
        }
        if seq < self.last_seq {
            self.out_of_order += 1;
        }
        self.last_seq = self.last_seq.max(seq);
        self.received += 1;
        if let Some((step, t0)) = parse_body(body) {
            if let Some(h) = self.e2e.get_mut(step) {
                let _ = h.record(now.saturating_sub(t0).max(1));
            }
        }
    }

    /// One of the member's sends (body `step:t0`) was acknowledged at `now`.
    pub fn acked(&mut self, body: &str, now: u64) {
        self.sent += 1;
        if let Some((_, t0)) = parse_body(body) {
            let _ = self.ack.record(now.saturating_sub(t0).max(1));
        }
    }
}

fn parse_body(body: &str) -> Option<(usize, u64)> {
    let (step, t0) = body.split_once(':')?;
    Some((step.parse().ok()?, t0.parse().ok()?))
}

async fn send(ws: &mut Ws, plan: &Plan, cmid: &str, step: usize, t0: u64) -> anyhow::Result<()> {
    let frame = json!({"type": "send", "ref": cmid, "conversation_id": plan.conversation,
        "client_msg_id": cmid, "body": format!("{step}:{t0}")});
    client::send_json(ws, frame).await
}

/// Runs the member's plan from `base` on; returns what it saw.
pub async fn run(mut ws: Ws, plan: Plan, base: Instant) -> anyhow::Result<Tally> {
    let mut me = Tally::new(plan.steps);
    let mut answered = 0usize;
    let mut asked = 0usize;
    match plan.sending.clone() {
        Sending::Silent => {}
        Sending::ClosedLoop { n } => {
            for i in 0..n {
                let cmid = format!("{}-{i}", plan.tag);
                let t0 = base.elapsed().as_micros() as u64;
                send(&mut ws, &plan, &cmid, 0, t0).await?;
                asked += 1;
                loop {
                    let text = client::next_text(&mut ws, Duration::from_secs(30))
                        .await?
                        .context("no ack within 30 s")?;
                    if me.on_text(&text, base).as_deref() == Some(cmid.as_str()) {
                        answered += 1;
                        break;
                    }
                }
            }
        }
        Sending::Schedule(steps) => {
            for (step, (at, every, count)) in steps.into_iter().enumerate() {
                for j in 0..count {
                    let due = at + every * j as u32;
                    loop {
                        tokio::select! {
                            _ = sleep_until(base + due) => break,
                            text = client::next_text(&mut ws, Duration::from_secs(60)) => {
                                if let Some(text) = text? {
                                    answered += usize::from(me.on_text(&text, base).is_some());
                                }
                            }
                        }
                    }
                    let cmid = format!("{}-{step}-{j}", plan.tag);
                    send(&mut ws, &plan, &cmid, step, due.as_micros() as u64).await?;
                    asked += 1;
                }
            }
        }
    }
    // Keep receiving until every message of the group has arrived and every send
    // is answered, or it is quiet.
    while (me.received as usize) < plan.expected || answered < asked {
        let until_end = (base + plan.schedule_end).saturating_duration_since(Instant::now());
        match client::next_text(&mut ws, until_end + plan.patience).await? {
            Some(text) => {
                answered += usize::from(me.on_text(&text, base).is_some());
            }
            None => break,
        }
    }
    let _ = ws.close(None).await;
    Ok(me)
}
