//! Profiles and user search.

use serde::Deserialize;
use utoipa::{IntoParams, ToSchema};

use super::{
    views::{decode_cursor, encode_cursor, MeView, Page, UserView},
    Chat, Principal,
};
use crate::{
    auth::Action,
    domain::{permission::may_see_private_fields, Bio, FullName, StatusText, Timestamp, UserId},
    error::{AppError, AppResult},
    store::users::UserSearch,
};

/// Fields to change; absent fields stay as they are.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateProfileInput {
    pub full_name: Option<String>,
    pub bio: Option<String>,
    pub status_text: Option<String>,
    /// Who may add you to a group directly: `everyone`, `friends` (default) or
    /// `nobody`; anyone else sends an invitation.
    pub group_invites: Option<crate::domain::GroupInvites>,
    /// What a digest mail reports while you are away: `off`, `mentions` (direct
    /// messages and mentions, the default) or `all`.
    pub email_notify: Option<crate::domain::EmailNotify>,
}

#[derive(Debug, Default, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct SearchQuery {
    /// Text to find in username or full name (case-insensitive).
    pub q: Option<String>,
    /// `next_cursor` of the previous page.
    pub cursor: Option<String>,
    /// Page size, 1-100 (default 20).
    pub limit: Option<u32>,
}

pub(super) struct PageRequest {
    pub query: Option<String>,
    pub after: Option<String>,
    pub limit: u32,
}

impl SearchQuery {
    pub(super) fn parse(self) -> AppResult<PageRequest> {
        let limit = super::views::page_limit(self.limit, 20, 100)?;
        let after = match self.cursor.as_deref().filter(|c| !c.is_empty()) {
            Some(c) => Some(decode_cursor(c).ok_or_else(|| {
                AppError::invalid(
                    "cursor",
                    "invalid_cursor",
                    "cursor is not one this server gave out",
                )
            })?),
            None => None,
        };
        if self
            .q
            .as_deref()
            .is_some_and(|q| q.chars().any(char::is_control))
        {
            return Err(AppError::invalid(
                "q",
                "invalid_characters",
                "search text must not contain control characters",
            ));
        }
        let query = self
            .q
            .map(|q| q.trim().to_lowercase())
            .filter(|q| !q.is_empty())
            .map(|q| q.chars().take(100).collect());
        Ok(PageRequest {
            query,
            after,
            limit,
        })
    }
}

/// Fetches one page (one extra row tells whether there is a next page).
pub(super) async fn search_page<T>(
    chat: &Chat,
    req: PageRequest,
    include_deactivated: bool,
    view: impl Fn(&crate::domain::User) -> T,
) -> AppResult<Page<T>> {
    let mut users = chat
        .store
        .search_users(UserSearch {
            query: req.query.as_deref(),
            after: req.after.as_deref(),
            limit: req.limit + 1,
            include_deactivated,
        })
        .await?;
    let more = users.len() > req.limit as usize;
    users.truncate(req.limit as usize);
    let next_cursor = if more {
        users.last().map(|u| encode_cursor(&u.username.lower()))
    } else {
        None
    };
    Ok(Page {
        items: users.iter().map(view).collect(),
        next_cursor,
    })
}

impl Chat {
    pub async fn me(&self, who: &Principal) -> AppResult<MeView> {
        let user = self
            .store
            .user_by_id(who.user_id)
            .await?
            .ok_or_else(|| AppError::not_found("user"))?;
        Ok((&user).into())
    }

    pub async fn update_me(&self, who: &Principal, input: UpdateProfileInput) -> AppResult<MeView> {
        let mut user = self
            .store
            .user_by_id(who.user_id)
            .await?
            .ok_or_else(|| AppError::not_found("user"))?;
        if let Some(v) = input.full_name {
            user.full_name = FullName::parse(&v)?.into_inner();
        }
        if let Some(v) = input.bio {
            user.bio = Bio::parse(&v)?.into_inner();
        }
        if let Some(v) = input.status_text {
            user.status_text = StatusText::parse(&v)?.into_inner();
        }
        if let Some(v) = input.group_invites {
            user.group_invites = v;
        }
        if let Some(v) = input.email_notify {
            user.email_notify = v;
        }
        user.updated_at = Timestamp::now();
        self.store.update_profile(&user).await?;
        Ok((&user).into())
    }

    /// Another user's public profile. Deactivated users are hidden except from admins.
    pub async fn get_user(&self, who: &Principal, id: UserId) -> AppResult<UserView> {
        let user = self.store.user_by_id(id).await?;
        match user {
            Some(u) if u.is_active() || may_see_private_fields(who.user_id, who.role, u.id) => {
                Ok((&u).into())
            }
            _ => Err(AppError::not_found("user")),
        }
    }

    /// Active users matching `q`, in username order.
    pub async fn search_users(
        &self,
        who: &Principal,
        query: SearchQuery,
    ) -> AppResult<Page<UserView>> {
        self.rate(Action::Search, &who.user_id)?;
        search_page(self, query.parse()?, false, |u: &crate::domain::User| {
            u.into()
        })
        .await
    }
}
