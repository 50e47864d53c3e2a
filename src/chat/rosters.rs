//! The members a send is checked against and delivered to, from the node's
//! roster cache (bus/rosters.rs) instead of two database reads per send. The
//! cache is exact where a mistake would leak or lose a message: fan-out uses a
//! roster only at the version the message committed with.

use std::sync::Arc;

use super::{Chat, Principal};
use crate::{
    bus::rosters::Roster,
    domain::{ConversationId, UserId},
    error::{AppError, AppResult},
};

impl Chat {
    /// Reads the conversation's roster (one query) and keeps it.
    async fn load_roster(&self, id: ConversationId) -> AppResult<Option<Arc<Roster>>> {
        let Some((kind, meta_ev, members)) = self.store.roster(id).await? else {
            return Ok(None);
        };
        let roster = Arc::new(Roster::new(meta_ev, kind, members));
        self.rosters.put(id, roster.clone());
        Ok(Some(roster))
    }

    /// The roster of a conversation `who` is a current member of, else 404 (as
    /// for a conversation that does not exist). A cached roster without them is
    /// read again before refusing: they may just have been added on another node.
    pub(super) async fn sender_roster(
        &self,
        who: &Principal,
        id: ConversationId,
    ) -> AppResult<Arc<Roster>> {
        if let Some(r) = self.rosters.get(id).filter(|r| r.contains(who.user_id)) {
            return Ok(r);
        }
        match self.load_roster(id).await? {
            Some(r) if r.contains(who.user_id) => Ok(r),
            _ => Err(AppError::not_found("conversation")),
        }
    }

    /// Who receives a message that committed at `meta_ev`: the cached roster if
    /// it is that version, else the members read now (newer if they changed
    /// since the commit, as reading after the commit always gave).
    pub(super) async fn recipients_at(
        &self,
        id: ConversationId,
        meta_ev: i64,
    ) -> AppResult<Vec<UserId>> {
        if let Some(r) = self.rosters.at(id, meta_ev) {
            return Ok(r.members().to_vec());
        }
        Ok(self
            .load_roster(id)
            .await?
            .map(|r| r.members().to_vec())
            .unwrap_or_default())
    }
}
