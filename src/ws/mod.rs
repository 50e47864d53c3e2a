//! The WebSocket gateway at `GET /api/v1/ws`: our own JSON protocol, documented in
//! docs/protocol.md. Transport only: every action calls the same `chat` use cases
//! as REST.

mod connection;
mod delivery;
mod frames;
mod inbound;
mod socket;
mod typing;

use std::{sync::Arc, time::Duration};

use axum::{
    extract::{State, WebSocketUpgrade},
    response::Response,
    routing::get,
    Router,
};
use tokio::sync::watch;
use tokio_util::task::TaskTracker;

use crate::{bus::hub::Hub, chat::Chat};

/// Close codes of the protocol (docs/protocol.md).
pub mod close {
    /// No valid `auth` frame in time, or the token was refused.
    pub const UNAUTHORIZED: u16 = 4001;
    /// The session was signed out, the user deactivated, or the token expired.
    pub const SESSION_ENDED: u16 = 4003;
    /// The client stopped reading (a write waited past the write timeout);
    /// reconnect and resume.
    pub const SLOW_CONSUMER: u16 = 4008;
    /// The server may have missed events; reconnect and resume.
    pub const RESYNC: u16 = 4009;
    /// A frame over the size limit, or broken WebSocket framing.
    pub const TOO_BIG: u16 = 1009;
    /// The server is shutting down; reconnect (to another node) and resume.
    pub const GOING_AWAY: u16 = 1001;
}

const READ_BUFFER: usize = 1024;

#[derive(Clone, Debug)]
pub struct WsSettings {
    /// Events queued for one connection before it counts as too slow.
    pub queue: usize,
    pub auth_timeout: Duration,
    /// How often a connection re-checks its session (revocation, deactivation).
    pub recheck: Duration,
    /// How often the server pings; a connection silent for 2.5 intervals is dropped.
    pub heartbeat: Duration,
    /// How long one write to a client may wait before it counts as too slow.
    pub write_timeout: Duration,
    pub max_frame_bytes: usize,
    /// On shutdown, how long a connection may take to finish the sends it took.
    pub drain: Duration,
}

#[derive(Clone)]
pub struct Gateway {
    pub chat: Chat,
    pub hub: Arc<Hub>,
    pub settings: WsSettings,
    pub shutdown: watch::Receiver<bool>,
    /// Live connections, so that a stopping node waits for them to drain before
    /// it closes the database.
    pub connections: TaskTracker,
}

pub fn router(gateway: Gateway) -> Router {
    // One gateway for the node, shared: each connection's task holds a pointer to
    // it, not its own copy (~480 bytes, held several times over in the task's
    // future: BENCHMARKS.md idle).
    Router::new()
        .route("/api/v1/ws", get(upgrade))
        .with_state(Arc::new(gateway))
}

async fn upgrade(State(gw): State<Arc<Gateway>>, ws: WebSocketUpgrade) -> Response {
    let max = gw.settings.max_frame_bytes;
    // tungstenite reserves a 128 KiB read buffer per connection by default, which
    // dominated an idle connection's memory (~140 KiB each, measured). Frames here
    // are small; a large one just takes more reads. The write buffer only
    // gathers the frames of one turn of the connection's loop (see socket.rs).
    ws.max_message_size(max)
        .max_frame_size(max)
        .read_buffer_size(READ_BUFFER)
        .write_buffer_size(socket::WRITE_BUFFER)
        .on_upgrade(move |ws| {
            let tracker = gw.connections.clone();
            let socket = socket::Socket::new(ws, gw.settings.write_timeout);
            tracker.track_future(connection::run(gw, socket))
        })
}
