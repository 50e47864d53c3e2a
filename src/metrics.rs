//! What the server counts, for Prometheus (`prometheus-client`, the official
//! Rust client). A leaf module every layer may use: the counts live in one
//! process-wide registry, as exporters expect, so the hot paths (fan-out, sends)
//! bump an atomic without anything threaded through their constructors. Exposed
//! only by app::metrics_listen on its own address, off unless configured.

use std::sync::LazyLock;

use prometheus_client::{
    encoding::text::encode,
    metrics::{
        counter::Counter,
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
    registry: Registry,
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
            registry: Registry::default(),
        };
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
        Self { registry: r, ..m }
    }

    /// The text exposition format.
    pub fn render(&self) -> String {
        let mut out = String::new();
        // Writing into a String cannot fail.
        let _ = encode(&mut out, &self.registry);
        out
    }
}
