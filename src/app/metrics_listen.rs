//! `GET /metrics` for Prometheus, on an address of its own (`--metrics-listen`)
//! so that it is never reachable through the public listener by accident: the
//! counts say how busy the server is and how its clients behave.

use std::net::SocketAddr;

use axum::{extract::State, http::header, response::IntoResponse, routing::get, Router};
use tokio::net::TcpListener;

use crate::{metrics::METRICS, store::Store};

/// Binds `addr` (before the server starts taking clients, so a wrong address
/// fails the start) and serves the metrics in a task of their own.
pub async fn spawn(addr: SocketAddr, store: Store) -> anyhow::Result<tokio::task::JoinHandle<()>> {
    let listener = TcpListener::bind(addr)
        .await
        .map_err(|e| anyhow::anyhow!("binding --metrics-listen {addr}: {e}"))?;
    tracing::info!(addr = %listener.local_addr()?, "metrics on /metrics");
    let app = Router::new()
        .route("/metrics", get(render))
        .with_state(store);
    Ok(tokio::spawn(async move {
        if let Err(e) = axum::serve(listener, app).await {
            tracing::warn!(error = %e, "metrics listener stopped");
        }
    }))
}

async fn render(State(store): State<Store>) -> impl IntoResponse {
    // The pool is read when asked, not tracked on every checkout.
    let (size, idle) = store.pool_use();
    METRICS.db_pool_size.set(i64::from(size));
    METRICS.db_pool_idle.set(idle as i64);
    (
        [(
            header::CONTENT_TYPE,
            "application/openmetrics-text; version=1.0.0; charset=utf-8",
        )],
        METRICS.render(),
    )
}
