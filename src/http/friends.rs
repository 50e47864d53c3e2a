//! `/friends`: requests, friendships; `/blocks`: blocking.

use axum::{extract::State, http::StatusCode, Json};
use utoipa_axum::{router::OpenApiRouter, routes};

use super::{
    error::ErrorBody,
    extract::{ApiJson, ApiPath, ApiQuery, Auth},
};
use crate::{
    chat::{
        friends::{BlockInput, FriendRequestInput, RequestsQuery},
        social_views::{FriendRequestView, FriendView},
        views::UserView,
        Chat,
    },
    domain::{FriendRequestId, UserId},
    error::AppResult,
};

pub fn router() -> OpenApiRouter<Chat> {
    OpenApiRouter::new()
        .routes(routes!(send_request, list_requests))
        .routes(routes!(accept))
        .routes(routes!(reject))
        .routes(routes!(cancel))
        .routes(routes!(list_friends))
        .routes(routes!(unfriend))
        .routes(routes!(block, list_blocks))
        .routes(routes!(unblock))
}

/// Send a friend request (`user_id` or `username`). 201 when sent now; 200 when a
/// request to them was already pending (the same one), or when they had already
/// asked you (then it is accepted: `status` says `accepted`).
#[utoipa::path(post, path = "/friends/requests", tag = "friends", security(("bearer" = [])),
    request_body = FriendRequestInput,
    responses((status = 201, body = FriendRequestView), (status = 200, body = FriendRequestView),
        (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody),
        (status = 429, description = "over the rate limit; see Retry-After", body = ErrorBody)))]
async fn send_request(
    State(chat): State<Chat>,
    Auth(who): Auth,
    ApiJson(input): ApiJson<FriendRequestInput>,
) -> AppResult<(StatusCode, Json<FriendRequestView>)> {
    let (view, created) = chat.send_friend_request(&who, input).await?;
    Ok((
        if created {
            StatusCode::CREATED
        } else {
            StatusCode::OK
        },
        Json(view),
    ))
}

/// Pending requests, `incoming` (default) or `outgoing`.
#[utoipa::path(get, path = "/friends/requests", tag = "friends", security(("bearer" = [])),
    params(RequestsQuery), responses((status = 200, body = Vec<FriendRequestView>)))]
async fn list_requests(
    State(chat): State<Chat>,
    Auth(who): Auth,
    ApiQuery(q): ApiQuery<RequestsQuery>,
) -> AppResult<Json<Vec<FriendRequestView>>> {
    Ok(Json(chat.friend_requests(&who, q).await?))
}

/// Accept an incoming request: you become friends and your direct conversation exists.
#[utoipa::path(post, path = "/friends/requests/{id}/accept", tag = "friends", security(("bearer" = [])),
    params(("id" = FriendRequestId, Path)), responses((status = 200, body = FriendRequestView), (status = 404, body = ErrorBody)))]
async fn accept(
    State(chat): State<Chat>,
    Auth(who): Auth,
    ApiPath(id): ApiPath<FriendRequestId>,
) -> AppResult<Json<FriendRequestView>> {
    Ok(Json(chat.accept_friend_request(&who, id).await?))
}

/// Reject an incoming request.
#[utoipa::path(post, path = "/friends/requests/{id}/reject", tag = "friends", security(("bearer" = [])),
    params(("id" = FriendRequestId, Path)), responses((status = 204), (status = 404, body = ErrorBody)))]
async fn reject(
    State(chat): State<Chat>,
    Auth(who): Auth,
    ApiPath(id): ApiPath<FriendRequestId>,
) -> AppResult<StatusCode> {
    chat.reject_friend_request(&who, id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Cancel a request you sent.
#[utoipa::path(delete, path = "/friends/requests/{id}", tag = "friends", security(("bearer" = [])),
    params(("id" = FriendRequestId, Path)), responses((status = 204), (status = 404, body = ErrorBody)))]
async fn cancel(
    State(chat): State<Chat>,
    Auth(who): Auth,
    ApiPath(id): ApiPath<FriendRequestId>,
) -> AppResult<StatusCode> {
    chat.cancel_friend_request(&who, id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Your friends, with presence.
#[utoipa::path(get, path = "/friends", tag = "friends", security(("bearer" = [])),
    responses((status = 200, body = Vec<FriendView>)))]
async fn list_friends(
    State(chat): State<Chat>,
    Auth(who): Auth,
) -> AppResult<Json<Vec<FriendView>>> {
    Ok(Json(chat.friends(&who).await?))
}

/// Unfriend.
#[utoipa::path(delete, path = "/friends/{user_id}", tag = "friends", security(("bearer" = [])),
    params(("user_id" = UserId, Path)), responses((status = 204), (status = 404, body = ErrorBody)))]
async fn unfriend(
    State(chat): State<Chat>,
    Auth(who): Auth,
    ApiPath(user): ApiPath<UserId>,
) -> AppResult<StatusCode> {
    chat.unfriend(&who, user).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Block a user: ends friendship and pending requests; they cannot message you or
/// see your presence, and are not told.
#[utoipa::path(post, path = "/blocks", tag = "friends", security(("bearer" = [])),
    request_body = BlockInput, responses((status = 204), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn block(
    State(chat): State<Chat>,
    Auth(who): Auth,
    ApiJson(input): ApiJson<BlockInput>,
) -> AppResult<StatusCode> {
    chat.block(&who, input).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Users you block.
#[utoipa::path(get, path = "/blocks", tag = "friends", security(("bearer" = [])),
    responses((status = 200, body = Vec<UserView>)))]
async fn list_blocks(State(chat): State<Chat>, Auth(who): Auth) -> AppResult<Json<Vec<UserView>>> {
    Ok(Json(chat.blocked_users(&who).await?))
}

/// Unblock.
#[utoipa::path(delete, path = "/blocks/{user_id}", tag = "friends", security(("bearer" = [])),
    params(("user_id" = UserId, Path)), responses((status = 204), (status = 404, body = ErrorBody)))]
async fn unblock(
    State(chat): State<Chat>,
    Auth(who): Auth,
    ApiPath(user): ApiPath<UserId>,
) -> AppResult<StatusCode> {
    chat.unblock(&who, user).await?;
    Ok(StatusCode::NO_CONTENT)
}
