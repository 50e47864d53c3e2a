//! Sending, reading, editing, deleting and restoring messages; typing. Read and
//! delivery markers are in `receipts.rs`.

use serde::Deserialize;
use utoipa::{IntoParams, ToSchema};

use super::{
    conversation_views::{MessageView, MessagesPage},
    events::{Event, TypingState},
    push::PushKind,
    Chat, Principal,
};
use crate::{
    auth::Action,
    domain::{
        ClientMsgId, ConversationId, ConversationKind, Message, MessageBody, MessageId,
        MessageKind, Timestamp, UserId,
    },
    error::{AppError, AppResult},
    metrics::{Stage, METRICS},
    store::{
        messages::{MessageChange, NewMessage},
        writer::Queued,
    },
};

/// How long a typing indicator lasts unless renewed.
pub const TYPING_TTL_MS: u64 = 5000;

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SendInput {
    /// The client's id for this message (a UUID is ideal). Sending again with the
    /// same id returns the stored message instead of storing a second one.
    pub client_msg_id: String,
    /// May be empty when the message carries attachments.
    #[serde(default)]
    pub body: String,
    pub reply_to: Option<MessageId>,
    /// Up to 10 of the sender's uploads (`POST /api/v1/uploads`) not yet sent.
    #[serde(default)]
    pub attachment_ids: Vec<crate::domain::UploadId>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct EditInput {
    pub body: String,
}

#[derive(Debug, Default, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct HistoryQuery {
    /// Messages before this seq (newest first page when both are absent).
    pub before_seq: Option<i64>,
    /// Messages after this seq (for catching up forward).
    pub after_seq: Option<i64>,
    /// 1-100, default 50.
    pub limit: Option<u32>,
}

impl Chat {
    /// Stores a message and fans it out. Idempotent by `client_msg_id`: the second
    /// call returns the first call's message (same id and seq) and publishes nothing.
    pub async fn send_message(
        &self,
        who: &Principal,
        conversation: ConversationId,
        input: SendInput,
    ) -> AppResult<(MessageView, bool)> {
        let checked = self.check_send(who, conversation, input).await?;
        self.enqueue_send(who, checked).await?.finish().await
    }

    /// Checks a send (body, membership, policy, reply target) without storing
    /// anything. Checks of several sends may run at once.
    pub async fn check_send(
        &self,
        who: &Principal,
        conversation: ConversationId,
        input: SendInput,
    ) -> AppResult<CheckedSend> {
        self.rate(Action::Send, &who.user_id)?;
        let client_msg_id = ClientMsgId::parse(&input.client_msg_id)?;
        // A file or a picture needs no caption.
        let body = if input.attachment_ids.is_empty() || !input.body.trim().is_empty() {
            MessageBody::parse(&input.body, self.policy.max_message_chars)?.into_inner()
        } else {
            String::new()
        };
        let roster = self.sender_roster(who, conversation).await?;
        let direct_members = self.may_send_in(who, &roster).await?;
        let attachments = self
            .attachments_for_send(who, client_msg_id.as_str(), &input.attachment_ids)
            .await?;
        if let Some(r) = input.reply_to {
            match self.store.message(r).await? {
                Some(m) if m.conversation_id == conversation => {}
                _ => {
                    return Err(AppError::invalid(
                        "reply_to",
                        "unknown_message",
                        "reply_to is not a message of this conversation",
                    ))
                }
            }
        }
        Ok(CheckedSend {
            message: NewMessage {
                id: MessageId::new(),
                conversation_id: conversation,
                sender_id: who.user_id,
                client_msg_id: client_msg_id.as_str().to_owned(),
                kind: MessageKind::Text,
                body,
                reply_to: input.reply_to,
                created_at: Timestamp::now(),
                attachments,
                checked_at_meta_ev: Some(roster.meta_ev),
            },
            direct_members,
        })
    }

    /// Puts a checked send in the writer's queue. Sends enqueued one after another
    /// are stored in that order; the caller may enqueue the next before this one
    /// has committed (a WebSocket client sending without waiting for each ack).
    pub async fn enqueue_send(
        &self,
        who: &Principal,
        checked: CheckedSend,
    ) -> AppResult<SendInFlight> {
        let conversation = checked.message.conversation_id;
        let queued = self.writer.enqueue(checked.message).await?;
        Ok(SendInFlight {
            chat: self.clone(),
            who: who.clone(),
            conversation,
            direct_members: checked.direct_members,
            queued,
        })
    }
}

/// A send that passed its checks, not yet stored.
pub struct CheckedSend {
    message: NewMessage,
    direct_members: Option<Vec<UserId>>,
}

/// A send in the writer's queue: `finish` waits for its commit and fans it out.
pub struct SendInFlight {
    chat: Chat,
    who: Principal,
    conversation: ConversationId,
    direct_members: Option<Vec<UserId>>,
    queued: Queued,
}

impl SendInFlight {
    pub async fn finish(self) -> AppResult<(MessageView, bool)> {
        let Self {
            chat,
            who,
            conversation,
            direct_members,
            queued,
        } = self;
        // The check read this node's roster; the commit reads the members
        // table, and refuses a sender removed since (NotFound): for them the
        // conversation is one they cannot see.
        let appended = queued.committed().await.map_err(|e| match e {
            crate::store::StoreError::NotFound => AppError::not_found("conversation"),
            e => e.into(),
        })?;
        let woke = std::time::Instant::now();
        let m = &appended.message;
        if appended.created {
            let view = MessageView::from(m);
            // A group's members as of the commit (its meta_ev; chat/rosters.rs);
            // a direct conversation's never change.
            let to = match direct_members {
                Some(members) => {
                    // Away from every device: a push (chat/push.rs decides).
                    for &u in members.iter().filter(|&&u| u != who.user_id) {
                        let what = PushKind::Message {
                            body: m.body.clone(),
                        };
                        chat.push_later(u, who.user_id, Some(conversation), what);
                    }
                    members
                }
                None => chat.recipients_at(conversation, appended.meta_ev).await?,
            };
            chat.publish(
                to,
                &Event::MessageNew {
                    conversation_id: conversation,
                    ev: m.ev,
                    message: view.clone(),
                },
                None,
            );
            METRICS.stage_since(Stage::Publish, woke);
            if m.body.contains('@') {
                chat.notify_mentions(&who, conversation, m.id, &m.body)
                    .await?;
            }
            Ok((view, true))
        } else if m.conversation_id != conversation {
            Err(AppError::conflict(
                "client_msg_id_reused",
                "this client_msg_id was already used for another conversation",
            ))
        } else {
            Ok((m.into(), false))
        }
    }
}

impl Chat {
    pub async fn history(
        &self,
        who: &Principal,
        conversation: ConversationId,
        q: HistoryQuery,
    ) -> AppResult<MessagesPage> {
        let limit = super::views::page_limit(q.limit, 50, 100)?;
        if q.before_seq.is_some() && q.after_seq.is_some() {
            return Err(AppError::invalid(
                "before_seq",
                "invalid_range",
                "give before_seq or after_seq, not both",
            ));
        }
        // The page's statement checks membership itself; only an empty page
        // needs asking whether the caller may read here at all (404 if not).
        let mut items = self
            .store
            .messages_page(
                conversation,
                who.user_id,
                q.before_seq,
                q.after_seq,
                limit + 1,
            )
            .await?;
        if items.is_empty() {
            self.membership(who, conversation).await?;
        }
        let has_more = items.len() > limit as usize;
        if has_more {
            if q.after_seq.is_some() {
                items.truncate(limit as usize);
            } else {
                items.remove(0);
            }
        }
        Ok(MessagesPage {
            items: items.iter().map(MessageView::from).collect(),
            has_more,
        })
    }

    /// Loads a message the caller may see (404 otherwise) and their membership.
    pub(super) async fn visible_message(
        &self,
        who: &Principal,
        id: MessageId,
    ) -> AppResult<(Message, crate::domain::Member, ConversationKind)> {
        let m = self
            .store
            .message(id)
            .await?
            .ok_or_else(|| AppError::not_found("message"))?;
        let (conv, me) = self
            .active_membership(who, m.conversation_id)
            .await
            .map_err(|_| AppError::not_found("message"))?;
        Ok((m, me, conv.kind))
    }

    pub async fn edit_message(
        &self,
        who: &Principal,
        id: MessageId,
        input: EditInput,
    ) -> AppResult<MessageView> {
        let (m, _, _) = self.visible_message(who, id).await?;
        if m.sender_id != who.user_id || m.kind != MessageKind::Text {
            return Err(AppError::forbidden("only the sender may edit a message"));
        }
        let body = MessageBody::parse(&input.body, self.policy.max_message_chars)?.into_inner();
        self.change(m, MessageChange::Edit(body)).await
    }

    /// Soft delete: members then see a tombstone with the same seq and no body.
    pub async fn delete_message(&self, who: &Principal, id: MessageId) -> AppResult<MessageView> {
        let (m, me, kind) = self.visible_message(who, id).await?;
        // A system message records what happened: nobody takes it back.
        let allowed = m.kind == MessageKind::Text
            && (m.sender_id == who.user_id
                || (kind == ConversationKind::Group && me.role.manages()));
        if !allowed {
            return Err(AppError::forbidden(
                "only the sender or a group admin may delete a message",
            ));
        }
        if m.deleted_at.is_some() {
            return Ok((&m).into());
        }
        self.change(m, MessageChange::Delete).await
    }

    /// Reverses a delete; allowed to whoever could delete it.
    pub async fn restore_message(&self, who: &Principal, id: MessageId) -> AppResult<MessageView> {
        let (m, me, kind) = self.visible_message(who, id).await?;
        // A system message records what happened: nobody takes it back.
        let allowed = m.kind == MessageKind::Text
            && (m.sender_id == who.user_id
                || (kind == ConversationKind::Group && me.role.manages()));
        if !allowed {
            return Err(AppError::forbidden(
                "only the sender or a group admin may restore a message",
            ));
        }
        if m.deleted_at.is_none() {
            return Ok((&m).into());
        }
        self.change(m, MessageChange::Restore).await
    }

    async fn change(&self, m: Message, change: MessageChange) -> AppResult<MessageView> {
        let conversation = m.conversation_id;
        let updated = self
            .store
            .change_message(conversation, m.id, change.clone(), Timestamp::now())
            .await?
            .ok_or_else(|| {
                AppError::conflict(
                    "message_state_changed",
                    "the message changed meanwhile (deleted or restored); reload it",
                )
            })?;
        let view = MessageView::from(&updated);
        let (ev, message) = (updated.ev, view.clone());
        let event = match change {
            MessageChange::Edit(_) => Event::MessageUpdated {
                conversation_id: conversation,
                ev,
                message,
            },
            MessageChange::Delete => Event::MessageDeleted {
                conversation_id: conversation,
                ev,
                message,
            },
            MessageChange::Restore => Event::MessageRestored {
                conversation_id: conversation,
                ev,
                message,
            },
        };
        let to = self.store.active_member_ids(conversation).await?;
        self.publish(to, &event, None);
        Ok(view)
    }

    /// Relays a typing indicator to the other members. Not stored; it expires on
    /// clients after TYPING_TTL_MS and the gateway sends `stop` when it lapses.
    pub async fn typing(
        &self,
        who: &Principal,
        conversation: ConversationId,
        state: TypingState,
    ) -> AppResult<()> {
        self.active_membership(who, conversation).await?;
        let to = self.store.active_member_ids(conversation).await?;
        let event = Event::Typing {
            conversation_id: conversation,
            user_id: who.user_id,
            state,
            expires_in_ms: TYPING_TTL_MS,
        };
        self.publish(to, &event, Some(who.user_id));
        Ok(())
    }
}
