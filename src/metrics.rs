//! What the server counts, for Prometheus (`prometheus-client`, the official
//! Rust client). A leaf module every layer may use: the counts live in one
//! process-wide registry, as exporters expect, so the hot paths (fan-out, sends)
//! bump an atomic without anything threaded through their constructors. Exposed
//! only by app::metrics_listen on its own address, off unless configured.

use std::{sync::LazyLock, time::Instant};

use prometheus_client::{
    encoding::text::encode,
    metrics::{
        counter::Counter,
        family::Family,
        gauge::Gauge,
        histogram::{exponential_buckets, Histogram},
    },
    registry::Registry,
};

pub struct Metrics {
    pub connections: Gauge,
    pub events_delivered: Counter,
    pub sends: Counter,
    pub send_ack_seconds: Histogram,
    pub writer_batch: Histogram,
    pub bus_published: Counter,
    pub bus_received: Counter,
    pub bus_reconnects: Counter,
    pub resumes: Counter,
    pub resume_replayed: Histogram,
    pub db_pool_size: Gauge,
    pub db_pool_idle: Gauge,
    /// Keys per batched read (store/batched.rs), by read.
    read_batches: Family<Vec<(&'static str, &'static str)>, Histogram>,
    /// One histogram per `Stage`, in its order.
    stages: Vec<Histogram>,
    registry: Registry,
}

/// Where a message spends its time on a node, in order: each stage's seconds
/// are a histogram of `message_stage_seconds`, so a slow tail can be placed
/// (BENCHMARKS.md, latency). From a send frame read to its ack, a message is in
/// `Check` .. `Wake`; `Publish` is its fan-out; `Route` and `Deliver` are each
/// recipient node's and connection's part.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stage {
    /// The frame read to the send checked (membership, policy, attachments).
    Check,
    /// Checked to put in the writer's queue: waiting for the same connection's
    /// previous send to be queued first, and for room in the queue.
    Turn,
    /// In the writer's queue, until its batch starts.
    Queue,
    /// The batch's transaction, from its first statement to the commit.
    Commit,
    /// The commit to the send's task running again.
    Wake,
    /// The send's task running again to its event published (recipients, frame).
    Publish,
    /// Published (or received from the cluster's bus) to routed into the
    /// recipients' mailboxes on this node.
    Route,
    /// Published (or received) to written to a recipient's socket, counted once
    /// per write: the oldest event each write carried.
    Deliver,
}

impl Stage {
    pub const ALL: [Stage; 8] = [
        Stage::Check,
        Stage::Turn,
        Stage::Queue,
        Stage::Commit,
        Stage::Wake,
        Stage::Publish,
        Stage::Route,
        Stage::Deliver,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Stage::Check => "check",
            Stage::Turn => "turn",
            Stage::Queue => "queue",
            Stage::Commit => "commit",
            Stage::Wake => "wake",
            Stage::Publish => "publish",
            Stage::Route => "route",
            Stage::Deliver => "deliver",
        }
    }
}

/// The process's counts.
pub static METRICS: LazyLock<Metrics> = LazyLock::new(Metrics::new);

impl Metrics {
    fn new() -> Self {
        let mut r = Registry::with_prefix("confab");
        let m = Self {
            connections: Gauge::default(),
            events_delivered: Counter::default(),
            sends: Counter::default(),
            // 0.25 ms .. ~4 s: a commit on SQLite is well under a millisecond,
            // a slow disk or a remote database tens of milliseconds.
            send_ack_seconds: Histogram::new(exponential_buckets(0.000_25, 2.0, 15)),
            writer_batch: Histogram::new(exponential_buckets(1.0, 2.0, 9)),
            bus_published: Counter::default(),
            bus_received: Counter::default(),
            bus_reconnects: Counter::default(),
            resumes: Counter::default(),
            resume_replayed: Histogram::new(exponential_buckets(1.0, 4.0, 8)),
            db_pool_size: Gauge::default(),
            db_pool_idle: Gauge::default(),
            read_batches: Family::new_with_constructor(|| {
                Histogram::new(exponential_buckets(1.0, 2.0, 7))
            }),
            stages: Vec::new(),
            registry: Registry::default(),
        };
        // 25 us .. ~0.6 s in steps of 1.5x: fine enough to tell a stage's
        // tail from another's at a few milliseconds.
        let stages =
            Family::<Vec<(&'static str, &'static str)>, Histogram>::new_with_constructor(|| {
                Histogram::new(exponential_buckets(0.000_025, 1.5, 26))
            });
        // Looked up once: an observation on the send path is one lock, not a
        // hash and a lock.
        let by_stage = Stage::ALL
            .iter()
            .map(|s| stages.get_or_create(&vec![("stage", s.name())]).clone())
            .collect();
        r.register(
            "message_stage_seconds",
            "Where a message spends its time on this node, by stage (README, Metrics)",
            stages,
        );
        r.register(
            "ws_connections",
            "Open WebSocket connections on this node",
            m.connections.clone(),
        );
        r.register(
            "events_delivered",
            "Event frames written to WebSocket clients (live and replayed)",
            m.events_delivered.clone(),
        );
        r.register(
            "sends",
            "Messages sent over WebSockets and acked",
            m.sends.clone(),
        );
        r.register(
            "send_ack_seconds",
            "From a send frame read to its ack ready (checked, committed)",
            m.send_ack_seconds.clone(),
        );
        r.register(
            "writer_batch_size",
            "Messages committed per writer transaction",
            m.writer_batch.clone(),
        );
        r.register(
            "bus_published",
            "Envelopes published to the cluster bus (Redis)",
            m.bus_published.clone(),
        );
        r.register(
            "bus_received",
            "Envelopes received from other nodes over the bus",
            m.bus_received.clone(),
        );
        r.register(
            "bus_reconnects",
            "Times the bus subscription came back after a broken link",
            m.bus_reconnects.clone(),
        );
        r.register("resumes", "WebSocket resumes served", m.resumes.clone());
        r.register(
            "resume_replayed_events",
            "Events replayed per resume",
            m.resume_replayed.clone(),
        );
        r.register(
            "db_pool_connections",
            "Database connections open in the pool",
            m.db_pool_size.clone(),
        );
        r.register(
            "db_pool_idle",
            "Database connections idle in the pool",
            m.db_pool_idle.clone(),
        );
        r.register(
            "db_read_batch_size",
            "Distinct keys per batched database read, by read (PostgreSQL, MariaDB)",
            m.read_batches.clone(),
        );
        Self {
            registry: r,
            stages: by_stage,
            ..m
        }
    }

    /// Counts `seconds` against `stage`.
    pub fn stage(&self, stage: Stage, seconds: f64) {
        self.stages[stage as usize].observe(seconds);
    }

    /// Counts the time since `since` against `stage`; returns now, the next
    /// stage's start.
    pub fn stage_since(&self, stage: Stage, since: Instant) -> Instant {
        let now = Instant::now();
        self.stage(stage, now.duration_since(since).as_secs_f64());
        now
    }

    /// The histogram of a batched read's sizes.
    pub fn read_batch(&self, read: &'static str) -> Histogram {
        self.read_batches
            .get_or_create(&vec![("read", read)])
            .clone()
    }

    /// The text exposition format.
    pub fn render(&self) -> String {
        let mut out = String::new();
        // Writing into a String cannot fail.
        let _ = encode(&mut out, &self.registry);
        out
    }
}
