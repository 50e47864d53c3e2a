//! Reactions: any member adds or removes emoji on a message they can see. Each
//! change is stored with an ev and sent as `message.updated` (the message with
//! its reactions), so resume replays it like an edit.

use super::{conversation_views::MessageView, events::Event, Chat, Principal};
use crate::{
    auth::Action,
    domain::{Emoji, MessageId, MessageKind, Timestamp, MAX_REACTION_KINDS},
    error::{AppError, AppResult},
    store::reactions::Reacted,
};

impl Chat {
    /// Adds (`add`) or takes back the caller's `emoji` on message `id`. Doing it
    /// twice is harmless: the message comes back as it is.
    pub async fn react(
        &self,
        who: &Principal,
        id: MessageId,
        emoji: &str,
        add: bool,
    ) -> AppResult<MessageView> {
        let emoji = Emoji::parse(emoji)?;
        // A reaction is a write like a send: the same per-user rate.
        self.rate(Action::Send, &who.user_id)?;
        let (m, _, _) = self.visible_message(who, id).await?;
        if m.kind != MessageKind::Text {
            return Err(AppError::forbidden(
                "a notice of a group change takes no reactions",
            ));
        }
        let deleted = || AppError::conflict("message_deleted", "the message is deleted");
        if m.deleted_at.is_some() {
            return Err(deleted());
        }
        let conversation = m.conversation_id;
        let now = Timestamp::now();
        match self
            .store
            .react(conversation, id, who.user_id, &emoji, add, now)
            .await?
        {
            Reacted::Unchanged => Ok((&m).into()),
            Reacted::Gone => Err(deleted()),
            Reacted::TooMany => Err(AppError::conflict(
                "too_many_reactions",
                format!("a message takes at most {MAX_REACTION_KINDS} different reactions"),
            )),
            Reacted::Changed(updated) => {
                let view = MessageView::from(&*updated);
                let event = Event::MessageUpdated {
                    conversation_id: conversation,
                    ev: updated.ev,
                    message: view.clone(),
                };
                let to = self.store.active_member_ids(conversation).await?;
                self.publish(to, &event, None);
                Ok(view)
            }
        }
    }
}
