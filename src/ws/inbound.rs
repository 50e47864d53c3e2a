//! Client frames. A connection works on several frames at once: a client that
//! sends without waiting for each ack has up to `MAX_IN_FLIGHT` sends committing
//! together (they share the writer's group commit), while the connection goes on
//! delivering events. Replies still leave in the order the frames came: each frame
//! puts its reply, or the future of it, in one ordered queue.
//!
//! Each send runs in a task of its own, so the connection goes on reading frames
//! and delivering events while sends are checked and committed (a loop that
//! waited for the database here let events pile up until the queue overflowed).
//! Checks run at once; the writer's queue is entered in frame order (each task
//! waits for the previous one's turn), so a client's messages get their seqs in
//! the order it sent them. A sender that goes away mid-send still has its message
//! stored and announced.

use std::{future::Future, pin::Pin, time::Duration};

use futures_util::{future, stream::FuturesOrdered};
use tokio::{sync::oneshot, time::Instant};

use super::{
    connection::{Conn, Step},
    frames::{self, Acked, ClientFrame, Reply},
    socket::Socket,
};
use crate::{
    chat::{
        events::TypingState,
        messages::{SendInput, TYPING_TTL_MS},
        receipts::ReadInput,
    },
    domain::ConversationId,
    error::{AppError, ErrorKind},
    metrics::{Stage, METRICS},
};

/// Frames being worked on per connection. At the cap the connection stops reading
/// frames, so a client that sends faster than sends commit is slowed by TCP, not
/// cut off.
pub(super) const MAX_IN_FLIGHT: usize = 64;

/// Replies in frame order; each resolves when its frame's work is done.
pub(super) type Replies = FuturesOrdered<Pin<Box<dyn Future<Output = Reply> + Send>>>;

fn ready(r: Reply) -> Pin<Box<dyn Future<Output = Reply> + Send>> {
    Box::pin(future::ready(r))
}

fn failed(reference: Option<String>, e: AppError) -> Reply {
    if e.kind == ErrorKind::Internal {
        tracing::error!(error = %e, "websocket frame failed");
    }
    Reply::error(reference, e)
}

impl Conn {
    /// Handles one client frame: its reply (now or later) joins `replies`.
    pub(super) async fn on_text(
        &mut self,
        socket: &mut Socket,
        replies: &mut Replies,
        text: &str,
    ) -> Step {
        let incoming = frames::parse(text);
        let r = incoming.reference;
        let frame = match incoming.frame {
            Ok(f) => f,
            Err(e) => {
                replies.push_back(ready(failed(r, e)));
                return Ok(());
            }
        };
        let outcome: Result<Option<Reply>, AppError> = match frame {
            ClientFrame::Send {
                conversation_id,
                client_msg_id,
                body,
                reply_to,
                attachment_ids,
            } => {
                let input = SendInput {
                    client_msg_id,
                    body,
                    reply_to,
                    attachment_ids,
                };
                let (chat, who) = (self.gw.chat.clone(), self.who.clone());
                let (my_turn_done, next_turn) = oneshot::channel::<()>();
                let turn = self.send_turn.replace(next_turn);
                let read_at = std::time::Instant::now();
                // The task checks the send at once, waits until the previous send
                // is queued, queues this one, then waits for its commit.
                let task = tokio::spawn(async move {
                    let checked = chat.check_send(&who, conversation_id, input).await;
                    let checked_at = METRICS.stage_since(Stage::Check, read_at);
                    if let Some(previous) = turn {
                        let _ = previous.await;
                    }
                    METRICS.stage_since(Stage::Turn, checked_at);
                    let queued = match checked {
                        Ok(c) => chat.enqueue_send(&who, c).await,
                        Err(e) => Err(e),
                    };
                    drop(my_turn_done);
                    queued?.finish().await
                });
                replies.push_back(Box::pin(async move {
                    match task.await {
                        Ok(Ok((message, created))) => {
                            METRICS.sends.inc();
                            METRICS
                                .send_ack_seconds
                                .observe(read_at.elapsed().as_secs_f64());
                            Reply::Ack {
                                reference: r,
                                what: Acked::Send {
                                    message: Box::new(message),
                                    duplicate: !created,
                                },
                            }
                        }
                        Ok(Err(e)) => failed(r, e),
                        Err(_) => {
                            failed(r, AppError::internal(anyhow::anyhow!("send task failed")))
                        }
                    }
                }));
                return Ok(());
            }
            ClientFrame::Auth { token } => match self.gw.chat.authenticate(&token).await {
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
                // What was sent before the resume is answered before it.
                self.drain(socket, replies).await?;
                self.resume(socket, positions, inbox).await?;
                Ok(None)
            }
            ClientFrame::Resume { .. } => Err(AppError::bad_request(
                "already_resumed",
                "resume is sent once per connection",
            )),
            ClientFrame::Typing {
                conversation_id,
                state,
            } => self.on_typing(conversation_id, state).await.map(|_| None),
            ClientFrame::Read {
                conversation_id,
                seq,
            } => self
                .gw
                .chat
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
            ClientFrame::Delivered {
                conversation_id,
                seq,
            } => self
                .gw
                .chat
                .mark_delivered(&self.who, conversation_id, ReadInput { seq })
                .await
                .map(|s| {
                    Some(Reply::Ack {
                        reference: r.clone(),
                        what: Acked::Delivered {
                            conversation_id: s.conversation_id,
                            last_delivered_seq: s.last_delivered_seq,
                        },
                    })
                }),
            ClientFrame::Ping {} => Ok(Some(Reply::Pong {
                reference: r.clone(),
            })),
        };
        match outcome {
            Ok(Some(reply)) => replies.push_back(ready(reply)),
            Ok(None) => {}
            Err(e) => replies.push_back(ready(failed(r, e))),
        }
        Ok(())
    }

    /// Waits for every reply in `replies` and sends them, in order.
    pub(super) async fn drain(&self, socket: &mut Socket, replies: &mut Replies) -> Step {
        use futures_util::StreamExt;
        while let Some(reply) = replies.next().await {
            self.reply(socket, reply).await?;
            // The next reply may wait on a commit: this one goes out now.
            socket.flush().await?;
        }
        Ok(())
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
