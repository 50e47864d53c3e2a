//! Several nodes (README, "Running several nodes").

use clap::Args;

#[derive(Args, Clone)]
pub struct Cluster {
    /// Redis for the cluster's bus (redis://[USER:PASSWORD@]HOST:PORT[/DB], or
    /// rediss:// with TLS). Unset: one node, the in-process bus.
    #[arg(long, env = "CONFAB_REDIS_URL", hide_env_values = true)]
    pub redis_url: Option<String>,

    /// The pub/sub channel of this cluster (several clusters may share one Redis).
    #[arg(long, env = "CONFAB_REDIS_CHANNEL", default_value = "confab")]
    pub redis_channel: String,

    /// Reverse proxies whose X-Forwarded-For is believed (comma-separated
    /// addresses or CIDR ranges, e.g. 127.0.0.1,10.0.0.0/8). From anyone else the
    /// header is ignored. They are also exempt from the per-address connection cap.
    #[arg(long, env = "CONFAB_TRUSTED_PROXIES", default_value = "")]
    pub trusted_proxies: String,

    /// Seconds a node counts as alive after its last heartbeat (it beats every
    /// third of that): a node that dies without a word has its users announced
    /// offline by another node within this plus a third.
    #[arg(long, env = "CONFAB_NODE_TTL_SECS", default_value_t = 15)]
    pub node_ttl_secs: u64,

    /// Where to serve Prometheus metrics (`GET /metrics`), e.g. 127.0.0.1:9090.
    /// Its own address, never the public one; unset: no metrics endpoint.
    #[arg(long, env = "CONFAB_METRICS_LISTEN")]
    pub metrics_listen: Option<std::net::SocketAddr>,
}

/// Credentials in the Redis URL never reach a log line through `{:?}`.
impl std::fmt::Debug for Cluster {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Cluster")
            .field("redis_url", &self.redis_url.as_ref().map(|_| "<set>"))
            .field("redis_channel", &self.redis_channel)
            .field("trusted_proxies", &self.trusted_proxies)
            .field("node_ttl_secs", &self.node_ttl_secs)
            .field("metrics_listen", &self.metrics_listen)
            .finish()
    }
}
