//! Group invitations. A user decides who may add them to a group directly
//! (`group_invites`: everyone, friends, nobody); anyone else's addition becomes an
//! invitation. Until the user accepts, the group holds nothing of them: they are
//! not a member, so its members see neither their profile in the member list nor
//! their presence, and the user sees nothing of the group but its name and who
//! invited them.

use serde::Serialize;
use utoipa::ToSchema;

use super::{
    conversation_views::ConversationInfo, conversations::MAX_GROUP_MEMBERS, views::UserView, Chat,
    Principal,
};
use crate::{
    domain::{
        ConversationId, ConversationKind, GroupChange, GroupInvites, MemberRole, NotificationKind,
        Timestamp, User,
    },
    error::{AppError, AppResult},
};

/// A pending invitation, as its invitee sees it.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct InvitationView {
    pub conversation_id: ConversationId,
    /// The group's name.
    pub name: Option<String>,
    pub invited_by: UserView,
    #[schema(value_type = String, format = DateTime)]
    pub created_at: Timestamp,
}

impl Chat {
    /// True when `target` lets the caller add them without asking.
    pub(super) async fn may_add_directly(&self, who: &Principal, target: &User) -> AppResult<bool> {
        Ok(match target.group_invites {
            GroupInvites::Everyone => true,
            GroupInvites::Friends => self.store.are_friends(who.user_id, target.id).await?,
            GroupInvites::Nobody => false,
        })
    }

    /// Invites `target` to group `id`, and tells them (once).
    pub(super) async fn invite(
        &self,
        who: &Principal,
        id: ConversationId,
        target: &User,
    ) -> AppResult<()> {
        let new = self
            .store
            .invite(id, target.id, who.user_id, Timestamp::now())
            .await?;
        if new {
            self.notify(
                target.id,
                NotificationKind::GroupInvited,
                who.user_id,
                Some(id),
                None,
                None,
            )
            .await?;
        }
        Ok(())
    }

    /// The caller's pending invitations, newest first.
    pub async fn invitations(&self, who: &Principal) -> AppResult<Vec<InvitationView>> {
        let mut out = Vec::new();
        for inv in self.store.invitations_for(who.user_id).await? {
            let (Some((conv, _)), Some(by)) = (
                self.store.conversation(inv.conversation_id).await?,
                self.store.user_by_id(inv.invited_by).await?,
            ) else {
                continue;
            };
            out.push(InvitationView {
                conversation_id: conv.id,
                name: conv.name,
                invited_by: (&by).into(),
                created_at: inv.created_at,
            });
        }
        Ok(out)
    }

    /// Joins the group the caller was invited to; from now on its members see them.
    pub async fn accept_invitation(
        &self,
        who: &Principal,
        id: ConversationId,
    ) -> AppResult<ConversationInfo> {
        let inv = self
            .store
            .take_invitation(id, who.user_id)
            .await?
            .ok_or_else(|| AppError::not_found("invitation"))?;
        let (conv, _) = self
            .store
            .conversation(id)
            .await?
            .ok_or_else(|| AppError::not_found("invitation"))?;
        if conv.kind != ConversationKind::Group {
            return Err(AppError::not_found("invitation"));
        }
        if self
            .store
            .member(id, who.user_id)
            .await?
            .is_some_and(|m| m.is_active())
        {
            return self.conversation_info(id).await;
        }
        if self.store.active_member_ids(id).await?.len() >= MAX_GROUP_MEMBERS {
            return Err(AppError::conflict(
                "group_full",
                format!("a group has at most {MAX_GROUP_MEMBERS} members"),
            ));
        }
        let inviter = self.store.user_by_id(inv.invited_by).await?;
        let change = GroupChange::MemberJoined {
            invited_by: inv.invited_by,
            invited_by_name: inviter.map(|u| u.full_name).unwrap_or_default(),
        };
        let note = self.note(who, change).await?;
        let (ev, system) = self
            .store
            .add_member(
                id,
                who.user_id,
                MemberRole::Member,
                who.user_id,
                &note,
                Timestamp::now(),
            )
            .await?;
        self.announce_update(id, ev, None, Some(who.user_id))
            .await?;
        self.announce_new(id, vec![who.user_id]).await?;
        self.announce_system(id, &system).await?;
        self.conversation_info(id).await
    }

    /// Declines an invitation. Nobody is told: the inviter learns nothing of the
    /// invitee either way.
    pub async fn decline_invitation(&self, who: &Principal, id: ConversationId) -> AppResult<()> {
        self.store
            .take_invitation(id, who.user_id)
            .await?
            .map(|_| ())
            .ok_or_else(|| AppError::not_found("invitation"))
    }
}
