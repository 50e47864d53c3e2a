//! One WebSocket connection: authenticate, then serve the client's frames and
//! hand live events to `delivery` (ordering, exactly-once, resume).

use std::{
    collections::{BTreeMap, HashMap},
    sync::Arc,
    time::Duration,
};

use axum::extract::ws::{CloseFrame, Message, Utf8Bytes, WebSocket};
use bytes::Bytes;
use tokio::{
    sync::{mpsc, watch},
    time::{interval, sleep_until, timeout, Instant, MissedTickBehavior},
};

use super::{
    close,
    frames::{self, Acked, ClientFrame, Reply},
    typing::Typing,
    Gateway,
};
use crate::{
    bus::{hub::Eviction, Envelope, StreamKey},
    chat::{
        events::TypingState,
        messages::{ReadInput, SendInput, TYPING_TTL_MS},
        Principal,
    },
    domain::ConversationId,
    error::AppError,
};

/// How long an out-of-order event waits for its predecessors before the gap is
/// filled from the database.
/// How often the server pings; a connection silent for 2.5 intervals is dropped.
const HEARTBEAT: Duration = Duration::from_secs(30);

pub(super) const REORDER_WAIT: Duration = Duration::from_millis(100);

/// Why the loop ended: the client went away, or we close with a code.
pub(super) enum End {
    Gone,
    Close(u16, &'static str),
}

pub(super) type Step = Result<(), End>;

pub(super) struct Conn {
    pub(super) gw: Gateway,
    pub(super) who: Principal,
    pub(super) token: String,
    pub(super) resumed: bool,
    /// Last delivered ev per conversation.
    pub(super) positions: HashMap<StreamKey, i64>,
    /// Events that arrived ahead of a gap, per conversation, and when to give up
    /// waiting for the gap to fill.
    pub(super) pending: HashMap<StreamKey, (BTreeMap<i64, Bytes>, Instant)>,
    pub(super) typing: Typing,
}

// Work that goes deep into the use cases (a send, a resume, a gap fill) is awaited
// through `Box::pin`: a task's future is as large as its largest await, and every
// idle connection's task would otherwise carry that size. The heap profile
// (valgrind massif, 2,000 idle connections) showed ~6 KB per connection task.
pub async fn run(gw: Gateway, mut socket: WebSocket) {
    let Some((who, token)) = Box::pin(authenticate(&gw, &mut socket)).await else {
        return;
    };
    let registration = gw.hub.register(who.user_id);
    let user = who.user_id;
    let hub = gw.hub.clone();
    let mut conn = Conn {
        gw,
        who,
        token,
        resumed: false,
        positions: HashMap::new(),
        pending: HashMap::new(),
        typing: Typing::default(),
    };
    Box::pin(conn.gw.chat.connection_opened(&conn.who)).await;
    let end = conn
        .serve(&mut socket, registration.rx, registration.evicted)
        .await;
    hub.unregister(user, registration.id);
    conn.gw.chat.connection_closed(&conn.who);
    for c in conn
        .typing
        .expired(Instant::now() + Duration::from_secs(3600))
    {
        let _ = Box::pin(conn.gw.chat.typing(&conn.who, c, TypingState::Stop)).await;
    }
    if let End::Close(code, reason) = end {
        let _ = socket
            .send(Message::Close(Some(CloseFrame {
                code,
                reason: Utf8Bytes::from_static(reason),
            })))
            .await;
    }
}

pub(super) async fn send_text(socket: &mut WebSocket, text: String) -> Step {
    socket
        .send(Message::Text(text.into()))
        .await
        .map_err(|_| End::Gone)
}

pub(super) async fn send_bytes(socket: &mut WebSocket, frame: Bytes) -> Step {
    let text = Utf8Bytes::try_from(frame).map_err(|_| End::Close(1011, "internal error"))?;
    socket
        .send(Message::Text(text))
        .await
        .map_err(|_| End::Gone)
}

/// The first frame must be `auth` with a valid access token, within the timeout.
async fn authenticate(gw: &Gateway, socket: &mut WebSocket) -> Option<(Principal, String)> {
    let refuse = |reason: &'static str| {
        Message::Close(Some(CloseFrame {
            code: close::UNAUTHORIZED,
            reason: Utf8Bytes::from_static(reason),
        }))
    };
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
            let _ = socket.send(refuse("auth timeout")).await;
            return None;
        }
    };
    let token = match frames::parse(&text).frame {
        Ok(ClientFrame::Auth { token }) => token,
        _ => {
            let _ = socket.send(refuse("first frame must be auth")).await;
            return None;
        }
    };
    match gw.chat.authenticate(&token).await {
        Ok(who) => {
            let ready = Reply::Ready {
                user_id: who.user_id,
                session_id: who.session_id,
            };
            socket
                .send(Message::Text(ready.to_text().into()))
                .await
                .ok()?;
            Some((who, token))
        }
        Err(_) => {
            let _ = socket.send(refuse("invalid or expired token")).await;
            None
        }
    }
}

impl Conn {
    async fn serve(
        &mut self,
        socket: &mut WebSocket,
        mut queue: mpsc::Receiver<Arc<Envelope>>,
        mut evicted: watch::Receiver<Eviction>,
    ) -> End {
        let mut recheck = interval(self.gw.settings.recheck);
        recheck.set_missed_tick_behavior(MissedTickBehavior::Delay);
        recheck.tick().await;
        let mut shutdown = self.gw.shutdown.clone();
        let mut heartbeat = interval(HEARTBEAT);
        heartbeat.set_missed_tick_behavior(MissedTickBehavior::Delay);
        heartbeat.tick().await;
        let mut last_heard = Instant::now();
        loop {
            let reorder_at = self.pending.values().map(|(_, at)| *at).min();
            let typing_at = self.typing.next_expiry();
            let step = tokio::select! {
                biased;
                _ = evicted.changed() => match *evicted.borrow() {
                    Eviction::SlowConsumer => Err(End::Close(close::SLOW_CONSUMER, "too slow: reconnect and resume")),
                    Eviction::Resync => Err(End::Close(close::RESYNC, "events may be missing: reconnect and resume")),
                    Eviction::None => Ok(()),
                },
                _ = shutdown.changed() => Err(End::Close(close::GOING_AWAY, "server shutting down")),
                msg = socket.recv() => { last_heard = Instant::now(); match msg {
                    Some(Ok(Message::Text(t))) => Box::pin(self.on_text(socket, t.as_str())).await,
                    Some(Ok(Message::Binary(_))) => {
                        let e = AppError::bad_request("binary_frame", "frames are JSON text");
                        send_text(socket, Reply::error(None, e).to_text()).await
                    }
                    Some(Ok(Message::Ping(_) | Message::Pong(_))) => Ok(()),
                    Some(Ok(Message::Close(_))) | None => Err(End::Gone),
                    // A frame over the size limit or broken framing: this
                    // connection ends, nobody else notices.
                    Some(Err(_)) => Err(End::Close(close::TOO_BIG, "frame too large or malformed")),
                }},
                env = queue.recv(), if self.resumed => match env {
                    // Not boxed: this is the fan-out path, once per event per
                    // connection, and a delivery only writes to the socket.
                    Some(env) => self.deliver(socket, env).await,
                    None => Err(End::Gone),
                },
                _ = sleep_until(reorder_at.unwrap_or_else(Instant::now)), if reorder_at.is_some() => {
                    Box::pin(self.fill_overdue_gaps(socket)).await
                }
                _ = sleep_until(typing_at.unwrap_or_else(Instant::now)), if typing_at.is_some() => {
                    for c in self.typing.expired(Instant::now()) {
                        let _ = Box::pin(self.gw.chat.typing(&self.who, c, TypingState::Stop)).await;
                    }
                    Ok(())
                }
                _ = heartbeat.tick() => {
                    // A peer gone without a FIN would otherwise stay "online" forever.
                    if last_heard.elapsed() > HEARTBEAT * 5 / 2 {
                        Err(End::Gone)
                    } else {
                        socket.send(Message::Ping(Bytes::new())).await.map_err(|_| End::Gone)
                    }
                }
                _ = recheck.tick() => match Box::pin(self.gw.chat.authenticate(&self.token)).await {
                    Ok(who) => { self.who = who; Ok(()) }
                    Err(e) if e.kind == crate::error::ErrorKind::Internal => Ok(()),
                    Err(_) => Err(End::Close(close::SESSION_ENDED, "session ended: sign in again")),
                },
            };
            if let Err(end) = step {
                return end;
            }
        }
    }

    pub(super) async fn reply(&self, socket: &mut WebSocket, r: Reply) -> Step {
        send_text(socket, r.to_text()).await
    }

    async fn on_text(&mut self, socket: &mut WebSocket, text: &str) -> Step {
        let incoming = frames::parse(text);
        let r = incoming.reference;
        let frame = match incoming.frame {
            Ok(f) => f,
            Err(e) => return self.reply(socket, Reply::error(r, e)).await,
        };
        let chat = self.gw.chat.clone();
        let outcome: Result<Option<Reply>, AppError> = match frame {
            ClientFrame::Auth { token } => match chat.authenticate(&token).await {
                Ok(who) if who.user_id == self.who.user_id => {
                    self.who = who;
                    self.token = token;
                    Ok(Some(Reply::Ack {
                        reference: r.clone(),
                        what: Acked::Auth {},
                    }))
                }
                Ok(_) => Err(AppError::forbidden("a connection belongs to one user")),
                Err(e) => Err(e),
            },
            ClientFrame::Resume { positions, inbox } if !self.resumed => {
                self.resume(socket, positions, inbox).await?;
                Ok(None)
            }
            ClientFrame::Resume { .. } => Err(AppError::bad_request(
                "already_resumed",
                "resume is sent once per connection",
            )),
            ClientFrame::Send {
                conversation_id,
                client_msg_id,
                body,
                reply_to,
            } => chat
                .send_message(
                    &self.who,
                    conversation_id,
                    SendInput {
                        client_msg_id,
                        body,
                        reply_to,
                    },
                )
                .await
                .map(|(message, created)| {
                    Some(Reply::Ack {
                        reference: r.clone(),
                        what: Acked::Send {
                            message,
                            duplicate: !created,
                        },
                    })
                }),
            ClientFrame::Typing {
                conversation_id,
                state,
            } => self.on_typing(conversation_id, state).await.map(|_| None),
            ClientFrame::Read {
                conversation_id,
                seq,
            } => chat
                .mark_read(&self.who, conversation_id, ReadInput { seq })
                .await
                .map(|s| {
                    Some(Reply::Ack {
                        reference: r.clone(),
                        what: Acked::Read {
                            conversation_id: s.conversation_id,
                            last_read_seq: s.last_read_seq,
                        },
                    })
                }),
            ClientFrame::Ping {} => Ok(Some(Reply::Pong {
                reference: r.clone(),
            })),
        };
        match outcome {
            Ok(Some(reply)) => self.reply(socket, reply).await,
            Ok(None) => Ok(()),
            Err(e) if e.kind == crate::error::ErrorKind::Internal => {
                tracing::error!(error = %e, "websocket frame failed");
                self.reply(socket, Reply::error(r, e)).await
            }
            Err(e) => self.reply(socket, Reply::error(r, e)).await,
        }
    }

    async fn on_typing(&mut self, c: ConversationId, state: TypingState) -> Result<(), AppError> {
        let now = Instant::now();
        let relay = match state {
            TypingState::Start => {
                self.typing
                    .start(c, now.into_std(), Duration::from_millis(TYPING_TTL_MS))
            }
            TypingState::Stop => self.typing.stop(c),
        };
        if relay {
            if let Err(e) = self.gw.chat.typing(&self.who, c, state).await {
                self.typing.stop(c);
                return Err(e);
            }
        }
        Ok(())
    }
}
