//! Replaying what a client missed, from the database. The client names, per
//! conversation, the highest `ev` it has seen; the server sends everything that
//! changed after it, in `ev` order, as current state: a message created and then
//! edited while the client was away arrives once, as `message.new` with the edited
//! body. Replayed events are never older than what the client holds, and each
//! change's latest state arrives exactly once.

use std::collections::HashMap;

use super::{conversation_views::MessageView, events::Event, Chat, Principal};
use crate::{domain::ConversationId, error::AppResult, store::members::Membership};

/// Replay reads the database in pages of this many changes.
const PAGE: u32 = 500;

impl Chat {
    /// The caller's current conversations, each with its membership (the
    /// conversation's `last_ev` is its position).
    pub async fn memberships(
        &self,
        who: &Principal,
    ) -> AppResult<HashMap<ConversationId, Membership>> {
        Ok(self
            .store
            .memberships_of(who.user_id)
            .await?
            .into_iter()
            .map(|m| (m.0.id, m))
            .collect())
    }

    /// Events of `conversation` after `after_ev`, in ev order, at most about one
    /// page, and whether more may follow (then call again from the last returned
    /// ev). Returns nothing for a conversation the caller is not a member of.
    /// `known` is the caller's membership when it was read after the caller's
    /// connection was registered for live events (a resume reads them all at
    /// once); otherwise it is read here.
    pub async fn replay(
        &self,
        who: &Principal,
        conversation: ConversationId,
        after_ev: i64,
        known: Option<Membership>,
    ) -> AppResult<(Vec<Event>, bool)> {
        let known = match known {
            Some(m) => Some(m),
            None => self.store.membership(conversation, who.user_id).await?,
        };
        let Some((_, meta_ev, me)) = known else {
            return Ok((Vec::new(), false));
        };
        let mut more = false;
        let mut events: Vec<Event> = Vec::new();
        if meta_ev > after_ev {
            let mut info = self.conversation_info(conversation).await?;
            info.ev = meta_ev;
            events.push(Event::ConversationUpdated {
                conversation_id: conversation,
                ev: meta_ev,
                conversation: info,
            });
        }
        if me.is_active() || me.left_seq.is_some() {
            let messages = self
                .store
                .messages_changed_since(conversation, after_ev, me.visible_until(), PAGE)
                .await?;
            // When the page is full, stop at its last ev so reads beyond it are not
            // sent before the messages they follow.
            let limit_ev = if messages.len() == PAGE as usize {
                messages.last().map(|m| m.ev)
            } else {
                None
            };
            more = limit_ev.is_some();
            for m in &messages {
                let message = MessageView::from(m);
                let (conversation_id, ev) = (conversation, m.ev);
                events.push(if m.created_ev > after_ev {
                    Event::MessageNew {
                        conversation_id,
                        ev,
                        message,
                    }
                } else if m.deleted_at.is_some() {
                    Event::MessageDeleted {
                        conversation_id,
                        ev,
                        message,
                    }
                } else {
                    Event::MessageUpdated {
                        conversation_id,
                        ev,
                        message,
                    }
                });
            }
            for m in self.store.markers_since(conversation, after_ev).await? {
                events.extend(super::receipts::marker_events(&m, after_ev, limit_ev));
            }
            if let Some(l) = limit_ev {
                events.retain(|e| e.position().is_some_and(|(_, ev)| ev <= l));
            }
        }
        events.sort_by_key(|e| e.position().map_or(0, |(_, ev)| ev));
        Ok((events, more))
    }

    /// The conversation as a whole, for a client that has never seen it.
    pub async fn snapshot(&self, conversation: ConversationId) -> AppResult<Event> {
        let info = self.conversation_info(conversation).await?;
        Ok(Event::ConversationNew {
            conversation_id: conversation,
            ev: info.ev,
            conversation: info,
        })
    }
}
