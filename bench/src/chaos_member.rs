//! One member in the `chaos` scenario: sends while it can, has its connection cut
//! at random, loses it when the server is killed, reconnects and resumes from its
//! positions, and resends what was not acknowledged with the same client_msg_id.
//! It keeps what it *applied* (by `ev` position, as a real client does) so the
//! run can check exactly-once and order against the stored history.

use std::{collections::HashMap, time::Duration};

use serde_json::{json, Value};
use tokio::sync::watch;

use crate::client::{self, Ws};

/// What the run asks of the members now.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Phase {
    /// Send new messages, suffer cuts.
    Chaos,
    /// No new messages: get everything sent acked, then say so once.
    Drain,
    /// Catch up to these last seqs (the stored history), then stop.
    Settle(HashMap<String, i64>),
}

#[derive(Default, Debug)]
pub struct Member {
    pub name: String,
    pub token: String,
    pub conversation: String,
    /// client_msg_ids in the order first sent.
    pub sent: Vec<String>,
    /// client_msg_id -> seq, from acks.
    pub acked: HashMap<String, i64>,
    /// (seq, client_msg_id) of every message.new applied, in order.
    pub applied: Vec<(i64, String)>,
    /// message.new frames at or below the position already held: sent twice.
    pub duplicate_frames: u64,
    pub cuts: u64,
    pub reconnects: u64,
    pub errors: Vec<String>,
    positions: HashMap<String, i64>,
}

impl Member {
    pub fn new(name: String, token: String, conversation: String) -> Self {
        // Position 0, not none: the first resume then replays the conversation from
        // its start, instead of a snapshot that leaves history to REST.
        let positions = HashMap::from([(conversation.clone(), 0)]);
        Self {
            name,
            token,
            conversation,
            positions,
            ..Self::default()
        }
    }

    fn unacked(&self) -> impl Iterator<Item = &String> {
        self.sent.iter().filter(|c| !self.acked.contains_key(*c))
    }

    fn caught_up(&self, target: &HashMap<String, i64>) -> bool {
        let last = self.applied.last().map_or(0, |(s, _)| *s);
        self.unacked().next().is_none()
            && target.get(&self.conversation).is_some_and(|&n| last >= n)
    }

    fn apply(&mut self, f: &Value) {
        let (Some(c), Some(ev)) = (f["conversation_id"].as_str(), f["ev"].as_i64()) else {
            if f["type"] == "ack" && f["for"] == "send" {
                let m = &f["message"];
                if let (Some(cmid), Some(seq)) = (m["client_msg_id"].as_str(), m["seq"].as_i64()) {
                    self.acked.insert(cmid.to_owned(), seq);
                }
            } else if f["type"] == "error" {
                self.errors.push(f.to_string());
            }
            return;
        };
        let pos = self.positions.entry(c.to_owned()).or_insert(0);
        if ev <= *pos {
            if f["type"] == "message.new" {
                self.duplicate_frames += 1;
            }
            return;
        }
        *pos = ev;
        if f["type"] == "message.new" {
            let m = &f["message"];
            let cmid = m["client_msg_id"].as_str().unwrap_or("").to_owned();
            self.applied.push((m["seq"].as_i64().unwrap_or(0), cmid));
        }
    }

    async fn send(&mut self, ws: &mut Ws, cmid: &str) -> anyhow::Result<()> {
        let frame = json!({"type": "send", "ref": cmid, "conversation_id": self.conversation,
            "client_msg_id": cmid, "body": format!("chaos {cmid}")});
        client::send_json(ws, frame).await
    }
}

/// Runs `m` until the run settles and it has everything; returns it for checking.
pub async fn run(
    url: String,
    mut m: Member,
    mut phase: watch::Receiver<Phase>,
    drained: tokio::sync::mpsc::UnboundedSender<()>,
    interval: Duration,
    cut_chance: f64,
    seed: u64,
) -> Member {
    let mut rng = fastrand::Rng::with_seed(seed);
    let mut n = 0u64;
    let mut said_drained = false;
    loop {
        if let Phase::Settle(target) = &*phase.borrow() {
            if m.caught_up(target) {
                return m;
            }
        }
        let resumed = match client::connect(&url, 1, &m.token, &m.positions).await {
            Ok(r) => r,
            Err(_) => {
                // The server is down (killed, restarting): try again shortly.
                tokio::time::sleep(Duration::from_millis(100)).await;
                continue;
            }
        };
        m.reconnects += 1;
        let mut ws = resumed.ws;
        for f in &resumed.replayed {
            m.apply(f);
        }
        let pending: Vec<String> = m.unacked().cloned().collect();
        let mut alive = true;
        for cmid in &pending {
            if m.send(&mut ws, cmid).await.is_err() {
                alive = false;
                break;
            }
        }
        let mut tick = tokio::time::interval(interval);
        while alive {
            tokio::select! {
                _ = tick.tick() => {
                    let chaos = *phase.borrow() == Phase::Chaos;
                    if chaos && rng.f64() < cut_chance {
                        m.cuts += 1;
                        break; // dropping the socket mid-stream
                    }
                    if chaos {
                        n += 1;
                        let cmid = format!("{}-{n}", m.name);
                        m.sent.push(cmid.clone());
                        alive = m.send(&mut ws, &cmid).await.is_ok();
                    } else if let Phase::Settle(target) = &*phase.borrow() {
                        if m.caught_up(target) {
                            return m;
                        }
                    }
                    if !chaos && !said_drained && m.unacked().next().is_none() {
                        said_drained = true;
                        let _ = drained.send(());
                    }
                }
                f = client::next_json(&mut ws, Duration::from_secs(2)) => match f {
                    Ok(Some(f)) => m.apply(&f),
                    // Quiet for 2 s while settling without everything: resume again
                    // (what a real client does after a silent spell).
                    Ok(None) => alive = *phase.borrow() == Phase::Chaos,
                    Err(_) => alive = false,
                },
                _ = phase.changed() => {}
            }
        }
    }
}
