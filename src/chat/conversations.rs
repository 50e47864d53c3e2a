//! Direct and group conversations and their members.

use serde::Deserialize;
use utoipa::ToSchema;

use super::{
    conversation_views::{ConversationInfo, ConversationSummary, MemberView},
    events::Event,
    Chat, Principal,
};
use crate::{
    auth::Action,
    domain::{
        Conversation, ConversationId, ConversationKind, GroupName, Member, MemberRole,
        NotificationKind, Timestamp, User, UserId,
    },
    error::{AppError, AppResult},
    store::StoreError,
};

/// Largest group a client may create or grow to.
pub const MAX_GROUP_MEMBERS: usize = 1000;

/// `{"user_id": ...}` finds or creates the direct conversation with that user;
/// `{"name": ..., "member_ids": [...]}` creates a group.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateConversationInput {
    pub user_id: Option<UserId>,
    pub name: Option<String>,
    pub member_ids: Option<Vec<UserId>>,
}

fn not_found() -> AppError {
    AppError::not_found("conversation")
}

impl Chat {
    /// The caller's membership, current or former; 404 for anyone else, so a
    /// conversation's existence never leaks.
    pub(super) async fn membership(
        &self,
        who: &Principal,
        id: ConversationId,
    ) -> AppResult<(Conversation, Member)> {
        let (conversation, _, member) = self
            .store
            .membership(id, who.user_id)
            .await?
            .ok_or_else(not_found)?;
        Ok((conversation, member))
    }

    /// As [`Chat::membership`], but only a current member passes.
    pub(super) async fn active_membership(
        &self,
        who: &Principal,
        id: ConversationId,
    ) -> AppResult<(Conversation, Member)> {
        let (c, m) = self.membership(who, id).await?;
        if m.is_active() {
            Ok((c, m))
        } else {
            Err(not_found())
        }
    }

    pub(super) async fn conversation_info(
        &self,
        id: ConversationId,
    ) -> AppResult<ConversationInfo> {
        let (conv, _) = self.store.conversation(id).await?.ok_or_else(not_found)?;
        let members = self.store.members_with_users(&[id]).await?;
        Ok(ConversationInfo::new(
            &conv,
            members.iter().map(|(m, u)| MemberView::new(m, u)).collect(),
        ))
    }

    pub(super) async fn active_user(&self, id: UserId) -> AppResult<crate::domain::User> {
        match self.store.user_by_id(id).await? {
            Some(u) if u.is_active() => Ok(u),
            _ => Err(AppError::invalid(
                "user_id",
                "unknown_user",
                format!("no active user {id}"),
            )),
        }
    }

    pub async fn create_conversation(
        &self,
        who: &Principal,
        input: CreateConversationInput,
    ) -> AppResult<(ConversationSummary, bool)> {
        self.rate(Action::CreateConversation, &who.user_id)?;
        match input {
            CreateConversationInput { user_id: Some(other), name: None, member_ids: None } => {
                self.open_direct(who, other).await
            }
            CreateConversationInput { user_id: None, name: Some(name), member_ids } => {
                Ok((self.create_group(who, &name, member_ids.unwrap_or_default()).await?, true))
            }
            _ => Err(AppError::new(
                crate::error::ErrorKind::Unprocessable,
                "invalid_conversation",
                "send either {\"user_id\"} for a direct conversation or {\"name\", \"member_ids\"} for a group",
            )),
        }
    }

    /// Finds or creates the one direct conversation between the caller and `other`,
    /// if the messaging policy allows starting one.
    async fn open_direct(
        &self,
        who: &Principal,
        other: UserId,
    ) -> AppResult<(ConversationSummary, bool)> {
        if other == who.user_id {
            return Err(AppError::invalid(
                "user_id",
                "self_conversation",
                "you cannot start a conversation with yourself",
            ));
        }
        let other_user = self.active_user(other).await?;
        let key = Conversation::direct_key(who.user_id, other);
        if let Some(c) = self.store.direct_conversation(&key).await? {
            return Ok((self.summary(who, c.id).await?, false));
        }
        self.may_start_with(who, &other_user).await?;
        let (id, created) = self.ensure_direct(who, other).await?;
        Ok((self.summary(who, id).await?, created))
    }

    /// Finds or creates the direct conversation, with no policy check (accepting a
    /// friend request makes one).
    pub(super) async fn ensure_direct(
        &self,
        who: &Principal,
        other: UserId,
    ) -> AppResult<(ConversationId, bool)> {
        let key = Conversation::direct_key(who.user_id, other);
        if let Some(c) = self.store.direct_conversation(&key).await? {
            return Ok((c.id, false));
        }
        let now = Timestamp::now();
        let conv = Conversation {
            id: ConversationId::new(),
            kind: ConversationKind::Direct,
            name: None,
            created_by: who.user_id,
            created_at: now,
            last_seq: 0,
            last_ev: 1,
            last_activity_at: now,
            avatar_id: None,
        };
        let members = [
            (who.user_id, MemberRole::Member),
            (other, MemberRole::Member),
        ];
        match self
            .store
            .create_conversation(&conv, Some(&key), &members)
            .await
        {
            Ok(()) => {}
            // Both users opened it at the same moment: the other request won.
            Err(StoreError::Conflict("direct_conversation")) => {
                let c = self
                    .store
                    .direct_conversation(&key)
                    .await?
                    .ok_or_else(not_found)?;
                return Ok((c.id, false));
            }
            Err(e) => return Err(e.into()),
        }
        self.announce_new(conv.id, vec![who.user_id, other]).await?;
        Ok((conv.id, true))
    }

    async fn create_group(
        &self,
        who: &Principal,
        name: &str,
        member_ids: Vec<UserId>,
    ) -> AppResult<ConversationSummary> {
        let name = GroupName::parse(name)?.into_inner();
        let mut members = vec![(who.user_id, MemberRole::Owner)];
        // People who do not let the creator add them directly are invited instead.
        let mut invited = Vec::new();
        for id in member_ids {
            if members.iter().all(|(m, _)| *m != id) && invited.iter().all(|u: &User| u.id != id) {
                let user = self
                    .active_user(id)
                    .await
                    .map_err(|e| e.with_field("member_ids"))?;
                self.may_start_with(who, &user)
                    .await
                    .map_err(|e| e.with_field("member_ids"))?;
                if self.may_add_directly(who, &user).await? {
                    members.push((id, MemberRole::Member));
                } else {
                    invited.push(user);
                }
            }
        }
        if members.len() > MAX_GROUP_MEMBERS {
            return Err(AppError::invalid(
                "member_ids",
                "too_many_members",
                format!("a group has at most {MAX_GROUP_MEMBERS} members"),
            ));
        }
        let now = Timestamp::now();
        let conv = Conversation {
            id: ConversationId::new(),
            kind: ConversationKind::Group,
            name: Some(name),
            created_by: who.user_id,
            created_at: now,
            last_seq: 0,
            last_ev: 1,
            last_activity_at: now,
            avatar_id: None,
        };
        self.store
            .create_conversation(&conv, None, &members)
            .await?;
        self.announce_new(conv.id, members.iter().map(|(u, _)| *u).collect())
            .await?;
        for (user, _) in members.iter().skip(1) {
            self.notify(
                *user,
                NotificationKind::GroupAdded,
                who.user_id,
                Some(conv.id),
                None,
                None,
            )
            .await?;
        }
        for user in &invited {
            self.invite(who, conv.id, user).await?;
        }
        self.summary(who, conv.id).await
    }

    /// Tells `to` that a conversation (now) includes them.
    pub(super) async fn announce_new(&self, id: ConversationId, to: Vec<UserId>) -> AppResult<()> {
        let info = self.conversation_info(id).await?;
        let event = Event::ConversationNew {
            conversation_id: id,
            ev: info.ev,
            conversation: info,
        };
        self.publish(to, &event, None);
        Ok(())
    }

    /// Tells the current members (and `also`, e.g. someone just removed) that the
    /// conversation changed.
    pub(super) async fn announce_update(
        &self,
        id: ConversationId,
        ev: i64,
        also: Option<UserId>,
        except: Option<UserId>,
    ) -> AppResult<()> {
        // This node's roster goes at once; other nodes' when the event reaches
        // their router (bus/rosters.rs).
        self.rosters.changed(id, ev);
        let mut info = self.conversation_info(id).await?;
        info.ev = ev;
        let mut to: Vec<UserId> = info.members.iter().map(|m| m.user_id).collect();
        to.extend(also);
        let event = Event::ConversationUpdated {
            conversation_id: id,
            ev,
            conversation: info,
        };
        self.publish(to, &event, except);
        Ok(())
    }
}
