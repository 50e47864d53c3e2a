//! Who may start a direct conversation with whom (the server's messaging policy)
//! and what a block forbids. Enforced here, in the use-case layer, so REST and the
//! WebSocket gateway obey it alike.

use super::{Chat, Principal};
use crate::{
    bus::rosters::Roster,
    domain::{ConversationKind, User, UserId},
    error::{AppError, AppResult},
};

fn refused(message: &str) -> AppError {
    AppError::forbidden(message).with_code("messaging_not_allowed")
}

impl Chat {
    /// May the caller start a conversation with `other` (or add them to a group)?
    pub(super) async fn may_start_with(&self, who: &Principal, other: &User) -> AppResult<()> {
        if self.store.blocks(other.id, who.user_id).await?
            || self.store.blocks(who.user_id, other.id).await?
        {
            return Err(refused("you cannot start a conversation with this user"));
        }
        let friends = self.store.are_friends(who.user_id, other.id).await?;
        if !self.policy.messaging.allows(who.role, other.role, friends) {
            return Err(refused(self.policy.messaging.refusal()));
        }
        Ok(())
    }

    /// In a direct conversation, a block in either direction stops sending.
    /// Returns the members it read to check that (a direct conversation's members
    /// never change, so the caller may reuse them as the recipients).
    pub(super) async fn may_send_in(
        &self,
        who: &Principal,
        roster: &Roster,
    ) -> AppResult<Option<Vec<UserId>>> {
        if roster.kind != ConversationKind::Direct {
            return Ok(None);
        }
        let members = roster.members().to_vec();
        for &other in members.iter().filter(|o| **o != who.user_id) {
            if self.store.blocks(other, who.user_id).await?
                || self.store.blocks(who.user_id, other).await?
            {
                return Err(refused("you cannot send messages to this user"));
            }
        }
        Ok(Some(members))
    }
}
