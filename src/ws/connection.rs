//! One WebSocket connection: authenticate, then serve the client's frames and
//! hand live events to `delivery` (ordering, exactly-once, resume).

use std::{
    collections::{BTreeMap, HashMap},
    sync::Arc,
    time::Duration,
};

use axum::extract::ws::Message;
use bytes::Bytes;
use tokio::{
    sync::oneshot,
    time::{sleep_until, timeout, Instant},
};

use futures_util::StreamExt;

use super::{
    close,
    frames::{self, ClientFrame, Reply},
    inbound::{Replies, MAX_IN_FLIGHT},
    socket::Socket,
    typing::Typing,
    Gateway,
};
use crate::{
    bus::{hub::Registration, mailbox::Eviction, StreamKey},
    chat::{events::TypingState, Principal},
    error::AppError,
    metrics::{Stage, METRICS},
};

/// How long an out-of-order event waits for its predecessors before the gap is
/// filled from the database.
pub(super) const REORDER_WAIT: Duration = Duration::from_millis(100);

/// Events written per turn of the loop before the client's frames get a turn.
const DELIVERY_BURST: usize = 64;

/// Why the loop ended: the client went away, or we close with a code.
pub(super) enum End {
    Gone,
    Close(u16, &'static str),
}

pub(super) type Step = Result<(), End>;

pub(super) struct Conn {
    pub(super) gw: Arc<Gateway>,
    pub(super) who: Principal,
    pub(super) token: String,
    pub(super) resumed: bool,
    /// Last delivered ev per conversation.
    pub(super) positions: HashMap<StreamKey, i64>,
    /// Events that arrived ahead of a gap, per conversation, and when to give up
    /// waiting for the gap to fill.
    pub(super) pending: HashMap<StreamKey, (BTreeMap<i64, Bytes>, Instant)>,
    pub(super) typing: Typing,
    /// Resolves once this connection's latest send is in the writer's queue.
    pub(super) send_turn: Option<oneshot::Receiver<()>>,
    /// The hub's slot: its mailbox holds what the hub hands this connection,
    /// and what it could not.
    pub(super) registration: Registration,
}

/// However the connection's task ends (returned, panicked, cancelled), the user's
/// connection count goes down with it: an explicit call after `serve` was
/// skipped by all but a normal return, and the user then stayed online on this
/// node for good. (The hub's slot is released by `Registration`'s own drop.)
impl Drop for Conn {
    fn drop(&mut self) {
        self.gw.chat.connection_closed(&self.who);
    }
}

// Work that goes deep into the use cases (a send, a resume, a gap fill) is awaited
// through `Box::pin`: a task's future is as large as its largest await, and every
// idle connection's task would otherwise carry that size. The heap profile
// (valgrind massif, 2,000 idle connections) showed ~6 KB per connection task.
//
// The socket comes in built and is used where it lies: an async fn's arguments
// keep their place in its future, so a socket built in here from a WebSocket
// argument would be held twice.
pub async fn run(gw: Arc<Gateway>, mut socket: Socket) {
    let Some((who, token)) = Box::pin(authenticate(&gw, &mut socket)).await else {
        return;
    };
    let registration = gw.hub.register(who.user_id);
    let mut conn = Conn {
        gw,
        who,
        token,
        resumed: false,
        positions: HashMap::new(),
        pending: HashMap::new(),
        typing: Typing::default(),
        send_turn: None,
        registration,
    };
    conn.gw.chat.connection_opened(&conn.who);
    let end = conn.serve(&mut socket).await;
    for c in conn
        .typing
        .expired(Instant::now() + Duration::from_secs(3600))
    {
        let _ = Box::pin(conn.gw.chat.typing(&conn.who, c, TypingState::Stop)).await;
    }
    drop(conn); // the hub's slot and the user's connection count, before the goodbye
    if let End::Close(code, reason) = end {
        socket.close(code, reason).await;
    }
}

/// The first frame must be `auth` with a valid access token, within the timeout.
async fn authenticate(gw: &Gateway, socket: &mut Socket) -> Option<(Principal, String)> {
    let first = timeout(gw.settings.auth_timeout, async {
        loop {
            match socket.recv().await {
                Some(Ok(Message::Text(t))) => return Some(t),
                Some(Ok(Message::Ping(_) | Message::Pong(_))) => continue,
                _ => return None,
            }
        }
    })
    .await;
    let text = match first {
        Ok(Some(t)) => t,
        Ok(None) => return None,
        Err(_) => {
            socket.close(close::UNAUTHORIZED, "auth timeout").await;
            return None;
        }
    };
    let token = match frames::parse(&text).frame {
        Ok(ClientFrame::Auth { token }) => token,
        _ => {
            socket
                .close(close::UNAUTHORIZED, "first frame must be auth")
                .await;
            return None;
        }
    };
    match gw.chat.authenticate(&token).await {
        Ok(who) => {
            let ready = Reply::Ready {
                user_id: who.user_id,
                session_id: who.session_id,
            };
            socket.text(ready.to_text()).await.ok()?;
            socket.flush().await.ok()?;
            Some((who, token))
        }
        Err(_) => {
            socket
                .close(close::UNAUTHORIZED, "invalid or expired token")
                .await;
            None
        }
    }
}

/// The connection's one timer. Its deadlines (heartbeat, session re-check, a gap's
/// wait, typing that times out) share a single sleep that ends at the earliest:
/// two intervals and two sleeps were ~450 bytes of every idle connection.
struct Clock {
    beat: Duration,
    recheck: Duration,
    ping_at: Instant,
    recheck_at: Instant,
    /// When the client was last heard from.
    heard: Instant,
}

impl Clock {
    fn new(settings: &super::WsSettings) -> Self {
        let now = Instant::now();
        Self {
            beat: settings.heartbeat,
            recheck: settings.recheck,
            ping_at: now + settings.heartbeat,
            recheck_at: now + settings.recheck,
            heard: now,
        }
    }

    /// When the loop next has something to do without being woken.
    fn next(&self, conn: &Conn) -> Instant {
        let reorder_at = conn.pending.values().map(|(_, at)| *at).min();
        [
            Some(self.ping_at.min(self.recheck_at)),
            reorder_at,
            conn.typing.next_expiry(),
        ]
        .into_iter()
        .flatten()
        .min()
        .unwrap_or(self.ping_at)
    }
}

impl Conn {
    async fn serve(&mut self, socket: &mut Socket) -> End {
        let mailbox = self.registration.mailbox.clone();
        let mut shutdown = self.gw.shutdown.clone();
        let mut clock = Clock::new(&self.gw.settings);
        let mut replies = Replies::new();
        // Not biased: frames from the client, their replies and events for the
        // client take turns, so a client that keeps sending still gets its events.
        let end = loop {
            let wake = clock.next(self);
            let step = tokio::select! {
                // Envelopes wait for the resume; evictions do not.
                _ = mailbox.ready(self.resumed) => match mailbox.take_eviction() {
                    // Not boxed: this is the fan-out path, once per event per
                    // connection, and a delivery only writes to the socket.
                    Eviction::None => self.deliver_waiting(socket).await,
                    // Replayed once resumed; before that, the resume does it.
                    Eviction::Lagged if self.resumed => Box::pin(self.replay_missed(socket)).await,
                    Eviction::Resync => Err(End::Close(close::RESYNC, "events may be missing: reconnect and resume")),
                    Eviction::CatchUp if self.resumed => Box::pin(self.catch_up_all(socket)).await,
                    Eviction::Lagged | Eviction::CatchUp => Ok(()),
                },
                _ = shutdown.changed() => {
                    // Stop reading; finish and ack the sends already taken, so
                    // that the client's acks are exactly what was stored.
                    let drain = self.gw.settings.drain;
                    let _ = timeout(drain, Box::pin(self.drain(socket, &mut replies))).await;
                    Err(End::Close(close::GOING_AWAY, "server shutting down"))
                }
                msg = socket.recv(), if replies.len() < MAX_IN_FLIGHT => { clock.heard = Instant::now(); match msg {
                    Some(Ok(Message::Text(t))) => Box::pin(self.on_text(socket, &mut replies, t.as_str())).await,
                    Some(Ok(Message::Binary(_))) => {
                        let e = AppError::bad_request("binary_frame", "frames are JSON text");
                        replies.push_back(Box::pin(std::future::ready(Reply::error(None, e))));
                        Ok(())
                    }
                    Some(Ok(Message::Ping(_) | Message::Pong(_))) => Ok(()),
                    Some(Ok(Message::Close(_))) | None => Err(End::Gone),
                    // A frame over the size limit or broken framing: this
                    // connection ends, nobody else notices.
                    Some(Err(_)) => Err(End::Close(close::TOO_BIG, "frame too large or malformed")),
                }},
                Some(reply) = replies.next(), if !replies.is_empty() => self.reply(socket, reply).await,
                _ = sleep_until(wake) => Box::pin(self.on_clock(socket, &mut clock)).await,
            };
            // What this turn wrote goes out together, before the loop waits again.
            let step = match step {
                Ok(()) => socket.flush().await,
                failed => failed,
            };
            if let Err(end) = step {
                break end;
            }
        };
        // Sends still committing finish in their own tasks (nothing is lost or
        // left unannounced); only their acks have nowhere to go.
        drop(replies);
        end
    }

    /// Whatever of the clock's deadlines are due: overdue gaps, typing that
    /// timed out, the heartbeat, the session's re-check.
    async fn on_clock(&mut self, socket: &mut Socket, clock: &mut Clock) -> Step {
        let now = Instant::now();
        self.fill_overdue_gaps(socket).await?;
        for c in self.typing.expired(now) {
            let _ = self.gw.chat.typing(&self.who, c, TypingState::Stop).await;
        }
        if clock.ping_at <= now {
            // A peer gone without a FIN would otherwise stay "online" forever.
            if clock.heard.elapsed() > clock.beat * 5 / 2 {
                return Err(End::Gone);
            }
            socket.send(Message::Ping(Bytes::new())).await?;
            clock.ping_at = now + clock.beat;
        }
        if clock.recheck_at <= now {
            clock.recheck_at = now + clock.recheck;
            self.recheck_session().await?;
        }
        Ok(())
    }

    /// Delivers what is queued, up to a bound, so that a burst of events is
    /// written out in one turn of the loop, and writes it out.
    async fn deliver_waiting(&mut self, socket: &mut Socket) -> Step {
        let mut oldest = None;
        for _ in 0..DELIVERY_BURST {
            match self.registration.mailbox.pop() {
                Some(env) => {
                    oldest.get_or_insert(env.born);
                    self.deliver(socket, env).await?
                }
                None => break,
            }
        }
        socket.flush().await?;
        // Once per write, not per event: the fan-out path takes one lock here.
        if let Some(born) = oldest {
            METRICS.stage_since(Stage::Deliver, born);
        }
        Ok(())
    }

    pub(super) async fn reply(&self, socket: &mut Socket, r: Reply) -> Step {
        socket.text(r.to_text()).await
    }
}
