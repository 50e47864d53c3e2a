//! The accept loop: axum's `serve` has no header-read timeout and no connection
//! caps, so a few hundred half-open connections (a slowloris) used to exhaust the
//! file descriptors and silence the server. Here every connection
//! - counts against a cap in all and a cap per client address; over either, it
//!   gets a short `503` and is closed at once, so the descriptor comes back;
//! - must send its request head within the header-read timeout, which also closes
//!   an idle keep-alive connection (hyper starts the timer whenever it waits for a
//!   head);
//! - keeps its slot while it lives, WebSocket upgrades included (the counted
//!   socket travels into the upgrade).

use std::{
    collections::HashMap,
    io,
    net::{IpAddr, SocketAddr},
    pin::Pin,
    sync::{Arc, Mutex},
    task::{Context, Poll},
    time::Duration,
};

use axum::{body::Body, extract::ConnectInfo, Router};

use crate::http::client_ip::{ClientIp, TrustedProxies};
use hyper::body::Incoming;
use hyper_util::{
    rt::{TokioExecutor, TokioIo, TokioTimer},
    server::{conn::auto::Builder, graceful::GracefulShutdown},
    service::TowerToHyperService,
};
use tokio::{
    io::{AsyncRead, AsyncWrite, AsyncWriteExt, ReadBuf},
    net::{TcpListener, TcpStream},
};
use tower::ServiceExt as _;

/// Connection limits, chosen by the app from the config.
#[derive(Clone, Debug)]
pub struct ConnLimits {
    pub max_total: usize,
    /// Per client address; trusted proxies carry many clients and are exempt.
    pub max_per_address: usize,
    pub trusted: Arc<TrustedProxies>,
    pub header_read_timeout: Duration,
    pub send_buffer: usize,
}

/// Open connections, in all and per address.
#[derive(Default)]
struct Counts {
    total: usize,
    per_address: HashMap<IpAddr, usize>,
}

/// A connection's slot; given back when the socket is dropped.
struct Slot {
    counts: Arc<Mutex<Counts>>,
    ip: IpAddr,
}

impl Drop for Slot {
    fn drop(&mut self) {
        let mut c = self.counts.lock().unwrap_or_else(|e| e.into_inner());
        c.total -= 1;
        if let Some(n) = c.per_address.get_mut(&self.ip) {
            *n -= 1;
            if *n == 0 {
                c.per_address.remove(&self.ip);
            }
        }
    }
}

fn take_slot(counts: &Arc<Mutex<Counts>>, ip: IpAddr, limits: &ConnLimits) -> Option<Slot> {
    let mut c = counts.lock().unwrap_or_else(|e| e.into_inner());
    let mine = c.per_address.get(&ip).copied().unwrap_or(0);
    let capped = mine >= limits.max_per_address && !limits.trusted.contains(ip);
    if c.total >= limits.max_total || capped {
        return None;
    }
    c.total += 1;
    *c.per_address.entry(ip).or_default() += 1;
    Some(Slot {
        counts: counts.clone(),
        ip,
    })
}

/// A client socket that holds its slot for as long as it lives.
struct Counted {
    tcp: TcpStream,
    _slot: Slot,
}

impl AsyncRead for Counted {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        Pin::new(&mut self.tcp).poll_read(cx, buf)
    }
}

impl AsyncWrite for Counted {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.tcp).poll_write(cx, buf)
    }
    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.tcp).poll_flush(cx)
    }
    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.tcp).poll_shutdown(cx)
    }
    fn poll_write_vectored(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.tcp).poll_write_vectored(cx, bufs)
    }
    fn is_write_vectored(&self) -> bool {
        self.tcp.is_write_vectored()
    }
}

/// The answer to a connection over a cap, in the API's error shape.
const BUSY: &[u8] = b"HTTP/1.1 503 Service Unavailable\r\nContent-Type: application/json\r\n\
Retry-After: 5\r\nConnection: close\r\nContent-Length: 96\r\n\r\n\
{\"error\":{\"code\":\"too_many_connections\",\"message\":\"too many open connections; try again later\"}}";

/// Accepts and serves until `stop` resolves, then asks every open connection to
/// finish (in-flight requests complete; idle ones close) and waits up to `grace`.
pub async fn serve(
    listener: TcpListener,
    app: Router,
    limits: ConnLimits,
    stop: impl std::future::Future<Output = ()>,
    grace: Duration,
) {
    let counts = Arc::new(Mutex::new(Counts::default()));
    let graceful = GracefulShutdown::new();
    let mut builder = Builder::new(TokioExecutor::new());
    builder
        .http1()
        .timer(TokioTimer::new())
        .header_read_timeout(limits.header_read_timeout);
    builder.http2().timer(TokioTimer::new());
    let mut stop = std::pin::pin!(stop);
    loop {
        let (tcp, remote) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(a) => a,
                Err(e) => {
                    // Out of descriptors or a connection reset before accept:
                    // pause briefly instead of spinning.
                    tracing::warn!(error = %e, "accept error");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
            },
            _ = stop.as_mut() => break,
        };
        let Some(slot) = take_slot(&counts, remote.ip(), &limits) else {
            tracing::debug!(%remote, "connection refused: over a connection cap");
            tokio::spawn(refuse(tcp));
            continue;
        };
        tune(&tcp, limits.send_buffer);
        let io = TokioIo::new(Counted { tcp, _slot: slot });
        let trusted = limits.trusted.clone();
        let svc = app
            .clone()
            .map_request(move |req: axum::http::Request<Incoming>| {
                let mut req = req.map(Body::new);
                let client = trusted.client_ip(remote.ip(), req.headers());
                req.extensions_mut()
                    .insert(ConnectInfo::<SocketAddr>(remote));
                req.extensions_mut().insert(ClientIp(client));
                req
            });
        let conn = builder
            .serve_connection_with_upgrades(io, TowerToHyperService::new(svc))
            .into_owned();
        let watched = graceful.watch(conn);
        tokio::spawn(async move {
            if let Err(e) = watched.await {
                tracing::trace!(error = %e, "connection ended with an error");
            }
        });
    }
    drop(listener);
    if tokio::time::timeout(grace, graceful.shutdown())
        .await
        .is_err()
    {
        tracing::warn!("grace period over; dropping remaining connections");
    }
}

/// Small frames both ways: send them at once rather than coalesce.
fn tune(tcp: &TcpStream, send_buffer: usize) {
    let _ = tcp.set_nodelay(true);
    if send_buffer > 0 {
        let _ = socket2::SockRef::from(tcp).set_send_buffer_size(send_buffer);
    }
}

/// Tells a refused client why, without waiting on it for long.
async fn refuse(mut tcp: TcpStream) {
    let _ = tokio::time::timeout(Duration::from_secs(1), tcp.write_all(BUSY)).await;
    let _ = tcp.shutdown().await;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_busy_answer_has_the_length_it_says() {
        let text = std::str::from_utf8(BUSY).unwrap();
        let (head, body) = text.split_once("\r\n\r\n").unwrap();
        assert!(head.contains(&format!("Content-Length: {}", body.len())));
        serde_json::from_str::<serde_json::Value>(body).unwrap();
    }

    #[test]
    fn slots_are_capped_per_address_and_in_all_and_given_back() {
        let counts = Arc::new(Mutex::new(Counts::default()));
        let limits = ConnLimits {
            max_total: 6,
            max_per_address: 2,
            trusted: Arc::new(TrustedProxies::parse("10.0.0.9").unwrap()),
            header_read_timeout: Duration::from_secs(1),
            send_buffer: 0,
        };
        let ip = |s: &str| -> IpAddr { s.parse().unwrap() };
        let (a, b, c, proxy) = (
            ip("10.0.0.1"),
            ip("10.0.0.2"),
            ip("10.0.0.3"),
            ip("10.0.0.9"),
        );
        let a1 = take_slot(&counts, a, &limits).unwrap();
        let _a2 = take_slot(&counts, a, &limits).unwrap();
        assert!(take_slot(&counts, a, &limits).is_none(), "per address");
        let _b1 = take_slot(&counts, b, &limits).unwrap();
        // A trusted proxy carries many clients: over the per-address cap.
        let _p: Vec<_> = (0..3)
            .map(|_| take_slot(&counts, proxy, &limits).expect("proxy exempt"))
            .collect();
        assert!(take_slot(&counts, c, &limits).is_none(), "in all");
        assert!(
            take_slot(&counts, proxy, &limits).is_none(),
            "in all, proxies too"
        );
        drop(a1);
        assert!(take_slot(&counts, c, &limits).is_some(), "given back");
    }
}
