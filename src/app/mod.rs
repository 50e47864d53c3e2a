//! Wiring: builds the use-case context from the config and serves HTTP. The only
//! place that connects the parts; `serve` takes a bound listener and a shutdown
//! future so tests run the real server on port 0.

pub mod admin_cli;
pub mod bench_cli;
mod listen;
mod metrics_listen;
mod outbound;
mod secret;

use std::{future::Future, sync::Arc, time::Duration};

use anyhow::Context as _;
use tokio::net::TcpListener;

use crate::{
    auth::{
        signed_urls::UrlSigner, throttle, Action, LoginThrottle, Passwords, RateLimits, Tokens,
    },
    bus::{directory::Directory, hub::Hub, lockouts::Lockouts, redis::RedisBus, Bus, LocalBus},
    chat::{
        uploads::{Media, MediaLimits},
        Chat, ChatParts, Policy,
    },
    config::Config,
    http::{self, client_ip::TrustedProxies, HttpSettings},
    store::{
        blobs::{BlobConfig, Blobs},
        writer::MessageWriter,
        Store, StoreOptions,
    },
    ws::{self, Gateway, WsSettings},
};

/// Everything a running server needs.
#[derive(Clone)]
pub struct AppState {
    pub chat: Chat,
    pub bus: Arc<dyn Bus>,
    pub hub: Arc<Hub>,
    pub http: HttpSettings,
    pub ws: WsSettings,
    pub shutdown_grace: Duration,
    pub sweep_interval: Duration,
    pub connections: listen::ConnLimits,
    /// How long a silent node counts as alive (the heartbeat is a third).
    pub node_ttl: Duration,
    /// Where to serve `/metrics`, if anywhere.
    pub metrics_listen: Option<std::net::SocketAddr>,
}

/// Opens (and migrates) the store named by the config.
pub async fn open_store(config: &Config) -> anyhow::Result<Store> {
    let store = Store::connect(StoreOptions {
        url: &config.database_url(),
        max_connections: config.db_max_connections,
    })
    .await?;
    store.migrate().await?;
    Ok(store)
}

/// Builds the state from the config: store, secret, hashing, throttle.
pub async fn build(config: &Config) -> anyhow::Result<AppState> {
    let store = open_store(config).await?;
    let secret = secret::load_or_create(config.jwt_secret.as_deref(), &config.data_dir)?;
    let bus: Arc<dyn Bus> = match &config.cluster.redis_url {
        Some(url) => RedisBus::connect(url, &config.cluster.redis_channel, 65_536).await?,
        None => Arc::new(LocalBus::new(65_536)),
    };
    let limits = &config.limits;
    let directory = match &config.cluster.redis_url {
        Some(url) => Some(Arc::new(
            Directory::connect(url, &config.cluster.redis_channel, node_ttl(config)).await?,
        )),
        None => None,
    };
    let mut throttle = LoginThrottle::new(
        throttle::Limits {
            per_account_address: limits.login_max_failures,
            per_address: limits.login_max_failures_per_address,
            per_account: limits.login_max_failures_per_account,
        },
        Duration::from_secs(limits.login_lockout_secs.max(1)),
    );
    if let Some(d) = &directory {
        throttle = throttle.shared(Lockouts::new(d.client(), &config.cluster.redis_channel));
    }
    // Rosters of up to 100,000 conversations (a few hundred bytes each).
    let rosters = Arc::new(crate::bus::rosters::Rosters::new(100_000));
    let chat = Chat::new(ChatParts {
        rosters: rosters.clone(),
        writer: MessageWriter::spawn(store.clone()).await?,
        bus: bus.clone(),
        presence: Arc::new(crate::bus::presence::Presence::new()),
        store,
        tokens: Arc::new(Tokens::new(&secret, config.access_token_ttl_secs.max(1))),
        passwords: Arc::new(Passwords::new(config.password_hash_memory_kib, 2)?),
        throttle: Arc::new(throttle),
        rates: Arc::new(if !limits.rate_limits {
            RateLimits::off()
        } else {
            RateLimits::new(&[
                (Action::Send, limits.rate_sends),
                (Action::Search, limits.rate_search),
                (Action::Refresh, limits.rate_refresh),
                (Action::Register, limits.rate_register),
                (Action::FriendRequest, limits.rate_friend_requests),
                (Action::CreateConversation, limits.rate_conversations),
                (Action::PasswordReset, limits.rate_password_reset),
            ])
        }),
        policy: Policy {
            default_role: config.default_role,
            first_account_admin: config.first_account_admin,
            default_group_invites: config.default_group_invites,
            refresh_ttl_secs: config.refresh_token_ttl_days.max(1) * 86_400,
            max_message_chars: config
                .max_message_chars
                .clamp(1, crate::domain::MessageBody::CEILING),
            messaging: config.messaging_policy,
            presence_grace: Duration::from_secs(config.presence_grace_secs),
            retention: Duration::from_secs(u64::from(config.retention_days.max(1)) * 86_400),
        },
        media: media(config, &secret)?,
        mail: Arc::new(outbound::mailing(config)?),
        push: Arc::new(outbound::pushing(config)?),
        directory,
    });
    Ok(AppState {
        chat,
        bus,
        hub: Hub::new(config.ws_queue, rosters),
        http: HttpSettings {
            max_body_bytes: config.max_body_bytes,
            body_read_timeout: Duration::from_secs(limits.body_read_timeout_secs.max(1)),
            web: match &config.web_dir {
                Some(dir) => crate::http::web::WebSource::Dir(dir.clone()),
                None => crate::http::web::WebSource::Embedded,
            },
        },
        ws: WsSettings {
            queue: config.ws_queue,
            auth_timeout: Duration::from_secs(config.ws_auth_timeout_secs.max(1)),
            recheck: Duration::from_secs(config.ws_recheck_secs.max(1)),
            heartbeat: Duration::from_secs(config.ws_heartbeat_secs.max(1)),
            write_timeout: Duration::from_millis(config.ws_write_timeout_ms.max(100)),
            max_frame_bytes: config.ws_max_frame_bytes.max(1024),
            drain: Duration::from_secs(config.shutdown_grace_secs.max(1)),
        },
        shutdown_grace: Duration::from_secs(config.shutdown_grace_secs),
        node_ttl: node_ttl(config),
        metrics_listen: config.cluster.metrics_listen,
        sweep_interval: Duration::from_secs(config.sweep_interval_secs.max(1)),
        connections: listen::ConnLimits {
            max_total: connection_cap(fd_limit(), limits.max_connections),
            max_per_address: match limits.max_connections_per_address {
                0 => usize::MAX,
                n => n,
            },
            trusted: Arc::new(
                TrustedProxies::parse(&config.cluster.trusted_proxies)
                    .map_err(anyhow::Error::msg)?,
            ),
            header_read_timeout: Duration::from_secs(limits.header_read_timeout_secs.max(1)),
            send_buffer: config.socket_send_buffer_bytes,
        },
    })
}

/// File storage and upload limits from the config.
fn media(config: &Config, secret: &[u8]) -> anyhow::Result<Media> {
    let m = &config.media;
    let blobs = match m.storage_url.trim() {
        "" => BlobConfig::Local(config.data_dir.join("files")),
        url => match url.strip_prefix("s3://") {
            Some(bucket) if !bucket.is_empty() && !bucket.contains('/') => BlobConfig::S3 {
                bucket: bucket.to_owned(),
                endpoint: m.s3_endpoint.clone(),
                region: m.s3_region.clone(),
                access_key_id: m.s3_access_key_id.clone(),
                secret_access_key: m.s3_secret_access_key.clone(),
            },
            _ => anyhow::bail!(
                "--storage-url must be empty (local disk) or s3://BUCKET, not {url:?}"
            ),
        },
    };
    let blobs = Blobs::open(&blobs)?;
    // One core is left to message delivery: with every core decoding, a burst of
    // large photos took delivery p99 from 10 ms to 106 ms (BENCHMARKS.md, uploads).
    let workers = match m.image_workers {
        0 => std::thread::available_parallelism().map_or(1, |n| n.get().saturating_sub(1).max(1)),
        n => n,
    };
    tracing::info!(
        storage = blobs.kind(),
        image_workers = workers,
        "file storage"
    );
    Ok(Media {
        blobs,
        signer: UrlSigner::new(secret),
        limits: MediaLimits {
            max_bytes: m.upload_max_bytes.max(1),
            max_pixels: m.upload_max_pixels.max(1),
            quota_bytes: m.upload_quota_bytes,
            types: m
                .upload_types
                .split(',')
                .map(|t| t.trim().to_ascii_lowercase())
                .filter(|t| !t.is_empty() && t != "*")
                .collect(),
            unattached: Duration::from_secs(m.upload_unattached_hours.max(1) * 3600),
        },
        workers: Arc::new(tokio::sync::Semaphore::new(workers)),
        tmp_dir: config.data_dir.join("tmp"),
    })
}

/// Serves until `shutdown` resolves, then stops accepting, lets in-flight requests
/// finish (up to the grace period) and closes the database pool.
pub async fn serve(
    listener: TcpListener,
    state: AppState,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> anyhow::Result<()> {
    let addr = listener.local_addr()?;
    let store = state.chat.store.clone();
    let (stop_tx, stop_rx) = tokio::sync::watch::channel(false);
    let metrics_task = match state.metrics_listen {
        Some(at) => Some(metrics_listen::spawn(at, store.clone()).await?),
        None => None,
    };
    let router_task = state.hub.spawn_router(state.bus.as_ref());
    let sweep_task = tokio::spawn(state.chat.clone().sweep_every(state.sweep_interval));
    let mail_task = tokio::spawn(state.chat.clone().deliver_mail_forever());
    let digest_every = state.chat.mail.digest_check;
    let digest_task = tokio::spawn(state.chat.clone().digests_every(digest_every));
    let beat = state.node_ttl / 3;
    let directory_task = tokio::spawn(state.chat.clone().directory_every(beat));
    let push_poll = state.chat.mail.poll;
    let push_task = tokio::spawn(state.chat.clone().deliver_pushes_forever(push_poll));
    let connections = tokio_util::task::TaskTracker::new();
    let gateway = Gateway {
        chat: state.chat.clone(),
        hub: state.hub.clone(),
        settings: state.ws.clone(),
        shutdown: stop_rx.clone(),
        connections: connections.clone(),
    };
    let chat = state.chat.clone();
    let app = http::router(state.chat, state.http, ws::router(gateway));
    tracing::info!(%addr, backend = store.backend().name(), "confab listening");

    let stop = async move {
        shutdown.await;
        tracing::info!("shutting down: no new connections, finishing in-flight requests");
        let _ = stop_tx.send(true);
    };
    listen::serve(listener, app, state.connections, stop, state.shutdown_grace).await;
    // WebSockets left the accept loop's watch when they upgraded: wait for them
    // to finish their sends and say goodbye (each is bounded by the same grace).
    connections.close();
    if tokio::time::timeout(state.shutdown_grace, connections.wait())
        .await
        .is_err()
    {
        tracing::warn!(
            left = connections.len(),
            "grace period over; dropping WebSockets"
        );
    }
    router_task.abort();
    sweep_task.abort();
    mail_task.abort();
    digest_task.abort();
    push_task.abort();
    directory_task.abort();
    if let Some(t) = metrics_task {
        t.abort();
    }
    // Other nodes announce this node's users offline at their next beat, not
    // after the heartbeat's TTL.
    if let Some(d) = &chat.directory {
        d.retire().await;
    }
    store.close().await;
    tracing::info!("stopped");
    Ok(())
}

/// How long a silent node counts as alive.
fn node_ttl(config: &Config) -> Duration {
    Duration::from_secs(config.cluster.node_ttl_secs.max(3))
}

/// The soft open-file limit now in force.
fn fd_limit() -> usize {
    rlimit::getrlimit(rlimit::Resource::NOFILE)
        .map(|(soft, _)| soft.min(usize::MAX as u64) as usize)
        .unwrap_or(1024)
}

/// Descriptors kept for the database, files and logs; the rest may be connections.
const FD_RESERVE: usize = 256;

/// How many connections the server takes at once: `--max-connections`, or (0)
/// what the open-file limit leaves.
fn connection_cap(fd_limit: usize, configured: usize) -> usize {
    match configured {
        0 => fd_limit.saturating_sub(FD_RESERVE).max(64),
        n => n,
    }
}

/// A warning only when the open-file limit is below what was configured: then it
/// says, in words one can act on, what happens and what to change.
fn fd_warning(fd_limit: usize, configured: usize) -> Option<String> {
    let room = fd_limit.saturating_sub(FD_RESERVE);
    (configured > room).then(|| {
        format!(
            "--max-connections is {configured}, but the open-file limit ({fd_limit}) leaves room \
             for about {room}: past that, new connections fail. Raise the limit (`ulimit -n \
             {}` in the shell that starts confab, or LimitNOFILE= in a systemd unit) or lower \
             --max-connections.",
            configured + FD_RESERVE
        )
    })
}

/// Every connection is a file descriptor: raise the soft limit to the hard one,
/// and warn only if that is still below the configured number of connections.
fn raise_fd_limit(configured: usize) {
    match rlimit::increase_nofile_limit(u64::MAX) {
        Ok(n) => {
            let n = usize::try_from(n).unwrap_or(usize::MAX);
            match fd_warning(n, configured) {
                Some(w) => tracing::warn!(limit = n, "{w}"),
                None => tracing::info!(
                    limit = n,
                    connections = connection_cap(n, configured),
                    "connections taken at once"
                ),
            }
        }
        Err(e) => tracing::warn!(error = %e, "could not read or raise the open-file limit"),
    }
}

/// Binds the configured address and serves until SIGINT or SIGTERM.
pub async fn run(config: &Config) -> anyhow::Result<()> {
    raise_fd_limit(config.limits.max_connections);
    let state = build(config).await?;
    let listener = TcpListener::bind(config.listen)
        .await
        .with_context(|| format!("binding {}", config.listen))?;
    serve(listener, state, shutdown_signal()).await
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! { _ = ctrl_c => {}, _ = term => {} }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_open_file_limit_warns_only_when_it_is_below_the_configured_load() {
        assert_eq!(
            connection_cap(20_000, 0),
            19_744,
            "auto: the limit less the reserve"
        );
        assert_eq!(connection_cap(1_024, 5_000), 5_000);
        assert_eq!(fd_warning(20_000, 0), None, "auto never warns");
        assert_eq!(fd_warning(20_000, 10_000), None, "room enough");
        let w = fd_warning(1_024, 5_000).expect("too low for 5,000");
        assert!(
            w.contains("ulimit -n 5256") && w.contains("LimitNOFILE="),
            "{w}"
        );
    }
}
