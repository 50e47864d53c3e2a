//! The caller's view of conversations: one (`GET /conversations/{id}`) and the
//! list, with members as the caller may see them (presence only within their
//! audience) and what a former member may still see.

use std::collections::{HashMap, HashSet};

use serde::Deserialize;
use utoipa::IntoParams;

use super::{
    conversation_views::{ConversationInfo, ConversationSummary, MemberView, MessageView},
    views::{encode_cursor, time_id_cursor, Page},
    Chat, Principal,
};
use crate::{
    domain::{ConversationId, Member, Timestamp, UserId},
    error::AppResult,
};

#[derive(Debug, Default, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ListQuery {
    pub cursor: Option<String>,
    /// 1-100, default 30.
    pub limit: Option<u32>,
}

/// Whose presence a viewer may see, and who of them is online on other nodes.
struct Visible(HashSet<UserId>, HashSet<UserId>);

impl Chat {
    /// A member as the viewer sees them: with presence when the viewer is in
    /// their presence audience (friends and co-members of groups, never across a
    /// block; `visible` is the viewer's own audience, the same relation).
    fn member_for(&self, m: &Member, u: &crate::domain::User, visible: &Visible) -> MemberView {
        let mut v = MemberView::new(m, u);
        if visible.0.contains(&u.id) && u.is_active() {
            v.presence = Some(self.presence_of_in(u, &visible.1));
        }
        v
    }

    /// Whose presence `viewer` may see.
    /// Whose presence `viewer` may see, and which of them are online on other
    /// nodes.
    async fn presence_visible(&self, viewer: UserId) -> AppResult<Visible> {
        let audience: HashSet<UserId> = self
            .store
            .presence_audience(viewer)
            .await?
            .into_iter()
            .collect();
        let elsewhere = self.online_elsewhere_among(audience.iter().copied()).await;
        Ok(Visible(audience, elsewhere))
    }

    /// One conversation as the caller sees it; a former member sees it as of
    /// leaving (ConversationInfo::as_of_leaving).
    pub async fn summary(
        &self,
        who: &Principal,
        id: ConversationId,
    ) -> AppResult<ConversationSummary> {
        // The membership's row carries the conversation: no second read of it.
        let (conversation, me) = self.membership(who, id).await?;
        let visible = self.presence_visible(who.user_id).await?;
        let users = self.store.members_with_users(&[id]).await?;
        let members = users
            .iter()
            .map(|(m, u)| self.member_for(m, u, &visible))
            .collect();
        let mut info = ConversationInfo::new(&conversation, members);
        let last = match me.left_seq {
            Some(left_seq) => {
                let left_at = me.left_at.unwrap_or(info.last_activity_at);
                info.as_of_leaving(left_seq, left_at);
                // The last message they could see, not the conversation's last.
                let page = self
                    .store
                    .messages_page(id, who.user_id, Some(left_seq + 1), None, 1);
                page.await?.pop()
            }
            None => self.store.last_messages(&[id]).await?.pop(),
        };
        let unread = self.store.unread_counts(who.user_id, &[id]).await?;
        let unread = unread.first().map(|(_, u)| *u).unwrap_or_default();
        Ok(ConversationSummary {
            info,
            last_message: last.as_ref().map(MessageView::from),
            unread_count: unread.count,
            unread_more: unread.more,
            last_read_seq: me.last_read_seq,
            muted_until: me.muted_until.filter(|t| *t > Timestamp::now()),
        })
    }

    /// The caller's conversations, newest activity first, with last message,
    /// unread count and members. A fixed number of queries per page.
    pub async fn list_conversations(
        &self,
        who: &Principal,
        q: ListQuery,
    ) -> AppResult<Page<ConversationSummary>> {
        let limit = super::views::page_limit(q.limit, 30, 100)?;
        let after = time_id_cursor(q.cursor.as_deref())?;
        let mut rows = self
            .store
            .conversations_of(who.user_id, after, limit + 1)
            .await?;
        let more = rows.len() > limit as usize;
        rows.truncate(limit as usize);
        let ids: Vec<ConversationId> = rows.iter().map(|r| r.conversation.id).collect();
        let mut members: HashMap<ConversationId, Vec<MemberView>> = HashMap::new();
        let visible = self.presence_visible(who.user_id).await?;
        for (m, u) in self.store.members_with_users(&ids).await? {
            let view = self.member_for(&m, &u, &visible);
            members.entry(m.conversation_id).or_default().push(view);
        }
        let last: HashMap<_, _> = self
            .store
            .last_messages(&ids)
            .await?
            .into_iter()
            .map(|m| (m.conversation_id, m))
            .collect();
        let unread: HashMap<_, _> = self
            .store
            .unread_counts(who.user_id, &ids)
            .await?
            .into_iter()
            .collect();
        let next_cursor = more
            .then(|| {
                rows.last().map(|r| {
                    encode_cursor(&format!(
                        "{}:{}",
                        r.conversation.last_activity_at.millis(),
                        r.conversation.id
                    ))
                })
            })
            .flatten();
        let now = Timestamp::now();
        let items = rows
            .into_iter()
            .map(|r| {
                let id = r.conversation.id;
                let u = unread.get(&id).copied().unwrap_or_default();
                ConversationSummary {
                    info: ConversationInfo::new(
                        &r.conversation,
                        members.remove(&id).unwrap_or_default(),
                    ),
                    last_message: last.get(&id).map(MessageView::from),
                    unread_count: u.count,
                    unread_more: u.more,
                    last_read_seq: r.me.last_read_seq,
                    muted_until: r.me.muted_until.filter(|t| *t > now),
                }
            })
            .collect();
        Ok(Page { items, next_cursor })
    }
}
