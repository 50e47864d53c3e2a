//! The client's socket with a bound on every write. A client that stops reading
//! fills its kernel buffers and a write waits; past `write_timeout` the connection
//! is closed as too slow (4008) and the client resumes from its positions. A
//! client that reads, however slowly the server gets to it, is never cut off for
//! that: events it could not be queued are replayed from the database instead.
//!
//! Frames are queued in tungstenite's write buffer and go out when it passes
//! `WRITE_BUFFER` bytes or when the connection's loop flushes at the end of its
//! turn: a burst of events costs one system call per few kilobytes, not one per
//! frame (the fan-out benchmark counts sendto calls per delivery).

use std::time::Duration;

use axum::extract::ws::{CloseFrame, Message, Utf8Bytes, WebSocket};
use bytes::Bytes;
use futures_util::SinkExt;
use tokio::time::timeout;

use super::{
    close,
    connection::{End, Step},
};

/// How long the closing frame may take to go out before the socket is dropped.
const CLOSE_WAIT: Duration = Duration::from_secs(1);

/// Bytes queued before a write without waiting for the flush. The buffer keeps
/// its capacity, so this bounds what a once-busy idle connection holds: at 4 KiB
/// an idle connection grew by 3.1 KiB after its resume, at 2 KiB by nothing
/// measurable, and 2 KiB already takes sendto calls from 1.0 to 0.22 per delivery
/// (BENCHMARKS.md, fanout round two).
pub(super) const WRITE_BUFFER: usize = 2048;

pub(super) struct Socket {
    ws: WebSocket,
    write_timeout: Duration,
    /// Event frames written so far (a resume's replay size is the difference).
    pub(super) events: u64,
    /// Frames queued since the last flush.
    unflushed: bool,
}

impl Socket {
    pub(super) fn new(ws: WebSocket, write_timeout: Duration) -> Self {
        Self {
            ws,
            write_timeout,
            events: 0,
            unflushed: false,
        }
    }

    pub(super) async fn recv(&mut self) -> Option<Result<Message, axum::Error>> {
        self.ws.recv().await
    }

    /// Queues `m`; it is written once the buffer fills or at the next `flush`.
    pub(super) async fn send(&mut self, m: Message) -> Step {
        self.unflushed = true;
        Self::bounded(self.write_timeout, self.ws.feed(m)).await
    }

    /// Writes out whatever is queued.
    pub(super) async fn flush(&mut self) -> Step {
        if !self.unflushed {
            return Ok(());
        }
        Self::bounded(self.write_timeout, self.ws.flush()).await?;
        self.unflushed = false;
        Ok(())
    }

    async fn bounded(
        limit: Duration,
        write: impl std::future::Future<Output = Result<(), axum::Error>>,
    ) -> Step {
        match timeout(limit, write).await {
            Ok(Ok(())) => Ok(()),
            Ok(Err(_)) => Err(End::Gone),
            Err(_) => Err(End::Close(
                close::SLOW_CONSUMER,
                "too slow: reconnect and resume",
            )),
        }
    }

    pub(super) async fn text(&mut self, text: String) -> Step {
        self.send(Message::Text(text.into())).await
    }

    pub(super) async fn bytes(&mut self, frame: Bytes) -> Step {
        let text = Utf8Bytes::try_from(frame).map_err(|_| End::Close(1011, "internal error"))?;
        self.send(Message::Text(text)).await?;
        self.events += 1;
        crate::metrics::METRICS.events_delivered.inc();
        Ok(())
    }

    /// Closes with `code`; a client that does not take the frame is not waited for.
    /// Then reads (and drops) what the client still sends until its own close, as
    /// RFC 6455 asks: a socket closed with unread data in it is reset, and a reset
    /// can make the client's kernel discard our last frames, the close included.
    pub(super) async fn close(&mut self, code: u16, reason: &'static str) {
        let frame = Message::Close(Some(CloseFrame {
            code,
            reason: Utf8Bytes::from_static(reason),
        }));
        if timeout(CLOSE_WAIT, self.ws.send(frame)).await.is_err() {
            return;
        }
        let _ = timeout(CLOSE_WAIT, async {
            while let Some(Ok(m)) = self.ws.recv().await {
                if matches!(m, Message::Close(_)) {
                    break;
                }
            }
        })
        .await;
    }
}
