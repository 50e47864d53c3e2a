//! Group management: rename, add and remove members, leave.

use serde::Deserialize;
use utoipa::ToSchema;

use super::{
    conversation_views::ConversationInfo, conversations::MAX_GROUP_MEMBERS, events::Event, Chat,
    Principal,
};
use crate::{
    domain::{
        ConversationId, ConversationKind, GroupChange, GroupName, Member, MemberRole, Message,
        NotificationKind, SystemNote, Timestamp, UserId,
    },
    error::{AppError, AppResult},
};

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RenameInput {
    pub name: String,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AddMemberInput {
    pub user_id: UserId,
    /// `member` (default) or `admin`.
    pub role: Option<MemberRole>,
}

impl Chat {
    pub(super) async fn group_manager(
        &self,
        who: &Principal,
        id: ConversationId,
    ) -> AppResult<Member> {
        let (conv, me) = self.active_membership(who, id).await?;
        if conv.kind != ConversationKind::Group {
            return Err(AppError::invalid(
                "id",
                "not_a_group",
                "direct conversations have no name or member list to change",
            ));
        }
        if !me.role.manages() {
            return Err(AppError::forbidden(
                "only the group's owner or admins may do this",
            ));
        }
        Ok(me)
    }

    pub async fn rename_conversation(
        &self,
        who: &Principal,
        id: ConversationId,
        input: RenameInput,
    ) -> AppResult<ConversationInfo> {
        self.group_manager(who, id).await?;
        let name = GroupName::parse(&input.name)?.into_inner();
        let (ev, system) = self
            .store
            .rename_conversation(
                id,
                &name,
                who.user_id,
                &self
                    .note(who, GroupChange::Renamed { name: name.clone() })
                    .await?,
                Timestamp::now(),
            )
            .await?;
        self.announce_update(id, ev, None, None).await?;
        self.announce_system(id, &system).await?;
        self.conversation_info(id).await
    }

    /// Adds a member, or invites them when they do not let the caller add them
    /// directly (their `group_invites`); the flag says which (true: added).
    pub async fn add_member(
        &self,
        who: &Principal,
        id: ConversationId,
        input: AddMemberInput,
    ) -> AppResult<(ConversationInfo, bool)> {
        self.group_manager(who, id).await?;
        let user = self.active_user(input.user_id).await?;
        self.may_start_with(who, &user).await?;
        let role = input.role.unwrap_or(MemberRole::Member);
        if role == MemberRole::Owner {
            return Err(AppError::invalid(
                "role",
                "invalid_role",
                "a group has one owner; add members as member or admin",
            ));
        }
        if let Some(m) = self.store.member(id, input.user_id).await? {
            if m.is_active() {
                return Err(AppError::conflict(
                    "already_member",
                    "this user is already a member",
                ));
            }
        }
        if self.store.active_member_ids(id).await?.len() >= MAX_GROUP_MEMBERS {
            return Err(AppError::conflict(
                "group_full",
                format!("a group has at most {MAX_GROUP_MEMBERS} members"),
            ));
        }
        if !self.may_add_directly(who, &user).await? {
            self.invite(who, id, &user).await?;
            return Ok((self.conversation_info(id).await?, false));
        }
        let (ev, system) = self
            .store
            .add_member(
                id,
                input.user_id,
                role,
                who.user_id,
                &self
                    .note(
                        who,
                        GroupChange::MemberAdded {
                            user_id: user.id,
                            user_name: user.full_name.clone(),
                        },
                    )
                    .await?,
                Timestamp::now(),
            )
            .await?;
        // The newcomer learns of the conversation as new (its snapshot already
        // counts the system message), the others as updated.
        self.announce_update(id, ev, None, Some(input.user_id))
            .await?;
        self.announce_new(id, vec![input.user_id]).await?;
        self.announce_system(id, &system).await?;
        self.notify(
            input.user_id,
            NotificationKind::GroupAdded,
            who.user_id,
            Some(id),
            None,
            None,
        )
        .await?;
        Ok((self.conversation_info(id).await?, true))
    }

    pub async fn remove_member(
        &self,
        who: &Principal,
        id: ConversationId,
        user: UserId,
    ) -> AppResult<()> {
        if user == who.user_id {
            return self.leave_conversation(who, id).await;
        }
        let me = self.group_manager(who, id).await?;
        let target = self
            .store
            .member(id, user)
            .await?
            .filter(Member::is_active)
            .ok_or_else(|| AppError::not_found("member"))?;
        if target.role == MemberRole::Owner
            || (target.role == MemberRole::Admin && me.role != MemberRole::Owner)
        {
            return Err(AppError::forbidden(
                "only the owner may remove an admin, and nobody removes the owner",
            ));
        }
        let removed = self.store.user_by_id(user).await?;
        let change = GroupChange::MemberRemoved {
            user_id: user,
            user_name: removed.map(|u| u.full_name).unwrap_or_default(),
        };
        let note = self.note(who, change).await?;
        let (ev, system) = self
            .store
            .remove_member(id, user, None, who.user_id, &note, Timestamp::now())
            .await?;
        self.announce_update(id, ev, Some(user), None).await?;
        self.announce_system(id, &system).await
    }

    /// Leaves a group. An owner leaving hands ownership to the longest-standing
    /// admin, or else member, so a group never lacks an owner.
    pub async fn leave_conversation(&self, who: &Principal, id: ConversationId) -> AppResult<()> {
        let (conv, me) = self.active_membership(who, id).await?;
        if conv.kind != ConversationKind::Group {
            return Err(AppError::invalid(
                "id",
                "not_a_group",
                "you cannot leave a direct conversation",
            ));
        }
        let promote = if me.role == MemberRole::Owner {
            let members = self.store.members_with_users(&[id]).await?;
            let mut others: Vec<&Member> = members
                .iter()
                .map(|(m, _)| m)
                .filter(|m| m.user_id != who.user_id)
                .collect();
            others.sort_by_key(|m| (m.role != MemberRole::Admin, m.joined_at));
            others.first().map(|m| m.user_id)
        } else {
            None
        };
        let new_owner_name = match promote {
            Some(p) => self.store.user_by_id(p).await?.map(|u| u.full_name),
            None => None,
        };
        let change = GroupChange::MemberLeft {
            new_owner: promote,
            new_owner_name,
        };
        let note = self.note(who, change).await?;
        let (ev, system) = self
            .store
            .remove_member(
                id,
                who.user_id,
                promote,
                who.user_id,
                &note,
                Timestamp::now(),
            )
            .await?;
        self.announce_update(id, ev, Some(who.user_id), None)
            .await?;
        self.announce_system(id, &system).await
    }

    /// A system note of `change` made by the caller, with their name as it is now.
    pub(super) async fn note(&self, who: &Principal, change: GroupChange) -> AppResult<SystemNote> {
        let actor_name = self
            .store
            .user_by_id(who.user_id)
            .await?
            .map(|u| u.full_name)
            .unwrap_or_else(|| who.username.to_string());
        Ok(SystemNote { actor_name, change })
    }

    /// Sends a group change's system message to the current members, like any
    /// new message (a newcomer's connection already has it from its snapshot and
    /// drops the repeat by its position).
    pub(super) async fn announce_system(&self, id: ConversationId, m: &Message) -> AppResult<()> {
        let to = self.store.active_member_ids(id).await?;
        self.publish(
            to,
            &Event::MessageNew {
                conversation_id: id,
                ev: m.ev,
                message: m.into(),
            },
            None,
        );
        Ok(())
    }
}
