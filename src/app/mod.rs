//! Wiring: builds the use-case context from the config and serves HTTP. The only
//! place that connects the parts; `serve` takes a bound listener and a shutdown
//! future so tests run the real server on port 0.

pub mod admin_cli;
mod secret;

use std::{future::Future, net::SocketAddr, sync::Arc, time::Duration};

use anyhow::Context as _;
use tokio::net::TcpListener;

use crate::{
    auth::{LoginThrottle, Passwords, Tokens},
    chat::{Chat, Policy},
    config::Config,
    http::{self, HttpSettings},
    store::{Store, StoreOptions},
};

/// Everything a running server needs.
#[derive(Clone)]
pub struct AppState {
    pub chat: Chat,
    pub http: HttpSettings,
    pub shutdown_grace: Duration,
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
    let chat = Chat {
        store,
        tokens: Arc::new(Tokens::new(&secret, config.access_token_ttl_secs.max(1))),
        passwords: Arc::new(Passwords::new(config.password_hash_memory_kib, 2)?),
        throttle: Arc::new(LoginThrottle::new(
            config.login_max_failures,
            config.login_max_failures_per_address,
            Duration::from_secs(config.login_lockout_secs.max(1)),
        )),
        policy: Policy {
            default_role: config.default_role,
            refresh_ttl_secs: config.refresh_token_ttl_days.max(1) * 86_400,
        },
    };
    Ok(AppState {
        chat,
        http: HttpSettings {
            max_body_bytes: config.max_body_bytes,
        },
        shutdown_grace: Duration::from_secs(config.shutdown_grace_secs),
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
    let app = http::router(state.chat, state.http);
    tracing::info!(%addr, backend = store.backend().name(), "confab listening");

    let (stop_tx, stop_rx) = tokio::sync::watch::channel(false);
    let server = axum::serve(
        listener,
        app.into_make_service_with_connect_info::<SocketAddr>(),
    )
    .with_graceful_shutdown(async move {
        shutdown.await;
        tracing::info!("shutting down: no new connections, finishing in-flight requests");
        let _ = stop_tx.send(true);
    });
    let grace = state.shutdown_grace;
    let mut stop_rx2 = stop_rx.clone();
    tokio::select! {
        r = server => r.context("server error")?,
        _ = async move {
            let _ = stop_rx2.wait_for(|s| *s).await;
            tokio::time::sleep(grace).await;
        } => tracing::warn!("grace period over; dropping remaining connections"),
    }
    store.close().await;
    tracing::info!("stopped");
    Ok(())
}

/// Binds the configured address and serves until SIGINT or SIGTERM.
pub async fn run(config: &Config) -> anyhow::Result<()> {
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
