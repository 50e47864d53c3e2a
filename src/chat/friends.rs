//! Friend requests, friendships and blocks. Every outcome of the request
//! lifecycle is defined (docs/permissions.md lists them).

use serde::Deserialize;
use utoipa::{IntoParams, ToSchema};

use super::{
    social_views::{FriendRequestView, FriendView},
    views::UserView,
    Chat, Principal,
};
use crate::{
    auth::Action,
    domain::{
        FriendRequest, FriendRequestId, FriendRequestStatus, NotificationKind, Timestamp, User,
        UserId, Username,
    },
    error::{AppError, AppResult},
    store::StoreError,
};

/// Whom to befriend: `user_id` or `username`, one of the two.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct FriendRequestInput {
    pub user_id: Option<UserId>,
    pub username: Option<String>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct BlockInput {
    pub user_id: UserId,
}

#[derive(Debug, Default, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct RequestsQuery {
    /// `incoming` (default) or `outgoing`.
    pub direction: Option<String>,
}

fn user_not_found() -> AppError {
    AppError::not_found("user")
}

impl Chat {
    async fn target(&self, input: FriendRequestInput) -> AppResult<User> {
        let id = match (input.user_id, input.username) {
            (Some(id), None) => id,
            (None, Some(name)) => {
                let name = Username::parse(&name)?;
                self.store
                    .user_id_by_username(&name.lower())
                    .await?
                    .ok_or_else(user_not_found)?
            }
            _ => {
                return Err(AppError::invalid(
                    "user_id",
                    "invalid_target",
                    "give either user_id or username",
                ))
            }
        };
        // Deactivated users are hidden everywhere, so they are simply not found.
        self.store
            .user_by_id(id)
            .await?
            .filter(User::is_active)
            .ok_or_else(user_not_found)
    }

    /// Sends a friend request. Defined outcomes: to yourself, 422; to a missing or
    /// deactivated user, 404; to a friend, 409 `already_friends`; to someone you
    /// block, 409 `user_blocked`; again while pending, the same request (200); to
    /// someone whose request to you is pending, that request is accepted instead.
    /// A request to someone who blocks you is stored but never shown to them: the
    /// block is not revealed. Returns the request and whether it was created now.
    pub async fn send_friend_request(
        &self,
        who: &Principal,
        input: FriendRequestInput,
    ) -> AppResult<(FriendRequestView, bool)> {
        self.rate(Action::FriendRequest, &who.user_id)?;
        let other = self.target(input).await?;
        if other.id == who.user_id {
            return Err(AppError::invalid(
                "user_id",
                "self_request",
                "you cannot befriend yourself",
            ));
        }
        if self.store.are_friends(who.user_id, other.id).await? {
            return Err(AppError::conflict(
                "already_friends",
                "you are already friends",
            ));
        }
        if self.store.blocks(who.user_id, other.id).await? {
            return Err(AppError::conflict(
                "user_blocked",
                "you blocked this user; unblock them first",
            ));
        }
        if let Some(theirs) = self.store.pending_request(other.id, who.user_id).await? {
            if !self.store.blocks(other.id, who.user_id).await? {
                let accepted = self.accept_friend_request(who, theirs.id).await?;
                return Ok((accepted, false));
            }
        }
        if let Some(mine) = self.store.pending_request(who.user_id, other.id).await? {
            return Ok((FriendRequestView::new(&mine, (&other).into(), false), false));
        }
        let now = Timestamp::now();
        let request = FriendRequest {
            id: FriendRequestId::new(),
            sender_id: who.user_id,
            recipient_id: other.id,
            status: FriendRequestStatus::Pending,
            created_at: now,
            updated_at: now,
        };
        match self.store.insert_friend_request(&request).await {
            Ok(()) => {}
            Err(StoreError::Conflict("friend_request")) => {
                let mine = self
                    .store
                    .pending_request(who.user_id, other.id)
                    .await?
                    .ok_or_else(user_not_found)?;
                return Ok((FriendRequestView::new(&mine, (&other).into(), false), false));
            }
            Err(e) => return Err(e.into()),
        }
        if !self.store.blocks(other.id, who.user_id).await? {
            self.notify(
                other.id,
                NotificationKind::FriendRequest,
                who.user_id,
                None,
                None,
                Some(request.id),
            )
            .await?;
        }
        Ok((
            FriendRequestView::new(&request, (&other).into(), false),
            true,
        ))
    }

    /// A request addressed to the caller and still pending; 404 otherwise (also for
    /// one from a user the caller blocks, which the caller never saw).
    async fn incoming(&self, who: &Principal, id: FriendRequestId) -> AppResult<FriendRequest> {
        match self.store.friend_request(id).await? {
            Some(r)
                if r.recipient_id == who.user_id && r.status == FriendRequestStatus::Pending =>
            {
                if self.store.blocks(who.user_id, r.sender_id).await? {
                    return Err(AppError::not_found("friend request"));
                }
                Ok(r)
            }
            _ => Err(AppError::not_found("friend request")),
        }
    }

    /// Accepts: the two become friends and their direct conversation exists.
    pub async fn accept_friend_request(
        &self,
        who: &Principal,
        id: FriendRequestId,
    ) -> AppResult<FriendRequestView> {
        let mut r = self.incoming(who, id).await?;
        if !self.store.accept_request(&r, Timestamp::now()).await? {
            return Err(AppError::conflict(
                "request_not_pending",
                "this request is no longer pending",
            ));
        }
        r.status = FriendRequestStatus::Accepted;
        let sender = self
            .store
            .user_by_id(r.sender_id)
            .await?
            .ok_or_else(user_not_found)?;
        // Friends get their direct conversation, unless the server's policy forbids
        // it between these two (two patients under `care`).
        let policy = self.policy.messaging;
        if policy.allows(who.role, sender.role, true) || policy.allows(sender.role, who.role, true)
        {
            self.ensure_direct(who, r.sender_id).await?;
        }
        self.notify(
            r.sender_id,
            NotificationKind::FriendAccepted,
            who.user_id,
            None,
            None,
            Some(r.id),
        )
        .await?;
        Ok(FriendRequestView::new(&r, (&sender).into(), true))
    }

    pub async fn reject_friend_request(
        &self,
        who: &Principal,
        id: FriendRequestId,
    ) -> AppResult<()> {
        let r = self.incoming(who, id).await?;
        if self
            .store
            .close_request(r.id, FriendRequestStatus::Rejected, Timestamp::now())
            .await?
        {
            self.notify(
                r.sender_id,
                NotificationKind::FriendRejected,
                who.user_id,
                None,
                None,
                Some(r.id),
            )
            .await?;
        }
        Ok(())
    }

    /// Withdraws a request the caller sent.
    pub async fn cancel_friend_request(
        &self,
        who: &Principal,
        id: FriendRequestId,
    ) -> AppResult<()> {
        match self.store.friend_request(id).await? {
            Some(r) if r.sender_id == who.user_id && r.status == FriendRequestStatus::Pending => {
                self.store
                    .close_request(r.id, FriendRequestStatus::Cancelled, Timestamp::now())
                    .await?;
                Ok(())
            }
            _ => Err(AppError::not_found("friend request")),
        }
    }

    pub async fn friend_requests(
        &self,
        who: &Principal,
        q: RequestsQuery,
    ) -> AppResult<Vec<FriendRequestView>> {
        let incoming = match q.direction.as_deref().unwrap_or("incoming") {
            "incoming" => true,
            "outgoing" => false,
            _ => {
                return Err(AppError::invalid(
                    "direction",
                    "invalid_direction",
                    "direction is incoming or outgoing",
                ))
            }
        };
        let rows = self.store.pending_requests(who.user_id, incoming).await?;
        Ok(rows
            .iter()
            .map(|(r, u)| FriendRequestView::new(r, u.into(), incoming))
            .collect())
    }

    /// The caller's friends with their presence.
    pub async fn friends(&self, who: &Principal) -> AppResult<Vec<FriendView>> {
        let friends = self.store.friends_of(who.user_id).await?;
        let elsewhere = self
            .online_elsewhere_among(friends.iter().map(|(u, _)| u.id))
            .await;
        Ok(friends
            .iter()
            .map(|(u, since)| FriendView {
                user: u.into(),
                presence: self.presence_of_in(u, &elsewhere),
                since: *since,
            })
            .collect())
    }

    pub async fn unfriend(&self, who: &Principal, other: UserId) -> AppResult<()> {
        if self.store.unfriend(who.user_id, other).await? {
            Ok(())
        } else {
            Err(AppError::not_found("friend"))
        }
    }

    /// Blocks a user: ends the friendship and pending requests. The blocked user is
    /// not told.
    pub async fn block(&self, who: &Principal, input: BlockInput) -> AppResult<()> {
        if input.user_id == who.user_id {
            return Err(AppError::invalid(
                "user_id",
                "self_block",
                "you cannot block yourself",
            ));
        }
        self.store
            .user_by_id(input.user_id)
            .await?
            .ok_or_else(user_not_found)?;
        self.store
            .block(who.user_id, input.user_id, Timestamp::now())
            .await?;
        Ok(())
    }

    pub async fn unblock(&self, who: &Principal, other: UserId) -> AppResult<()> {
        if self.store.unblock(who.user_id, other).await? {
            Ok(())
        } else {
            Err(AppError::not_found("block"))
        }
    }

    pub async fn blocked_users(&self, who: &Principal) -> AppResult<Vec<UserView>> {
        Ok(self
            .store
            .blocked_by(who.user_id)
            .await?
            .iter()
            .map(UserView::from)
            .collect())
    }
}
