//! `/conversations`: direct and group conversations, members, history, sending,
//! read markers.

use axum::{extract::State, http::StatusCode, Json};
use utoipa_axum::{router::OpenApiRouter, routes};

use super::{
    error::ErrorBody,
    extract::{ApiJson, ApiPath, ApiQuery, Auth},
};
use crate::{
    chat::{
        conversation_list::ListQuery,
        conversation_views::{ConversationInfo, ConversationSummary, MessageView, MessagesPage},
        conversations::CreateConversationInput,
        members::{AddMemberInput, RenameInput},
        messages::{HistoryQuery, SendInput},
        receipts::{DeliveredState, ReadInput, ReadState},
        views::Page,
        Chat,
    },
    domain::{ConversationId, UserId},
    error::AppResult,
};

pub fn router() -> OpenApiRouter<Chat> {
    OpenApiRouter::new()
        .routes(routes!(create, list))
        .routes(routes!(get_one, rename))
        .routes(routes!(add_member))
        .routes(routes!(remove_member))
        .routes(routes!(leave))
        .routes(routes!(history, send))
        .routes(routes!(read))
        .routes(routes!(delivered))
}

/// Find or create a direct conversation (`{"user_id"}`), or create a group
/// (`{"name", "member_ids"}`). 201 when created, 200 when the direct conversation
/// already existed.
#[utoipa::path(post, path = "/conversations", tag = "conversations", security(("bearer" = [])),
    request_body = CreateConversationInput,
    responses((status = 201, body = ConversationSummary), (status = 200, body = ConversationSummary),
        (status = 422, body = ErrorBody), (status = 429, description = "over the rate limit; see Retry-After", body = ErrorBody)))]
async fn create(
    State(chat): State<Chat>,
    Auth(who): Auth,
    ApiJson(input): ApiJson<CreateConversationInput>,
) -> AppResult<(StatusCode, Json<ConversationSummary>)> {
    let (summary, created) = chat.create_conversation(&who, input).await?;
    Ok((
        if created {
            StatusCode::CREATED
        } else {
            StatusCode::OK
        },
        Json(summary),
    ))
}

/// The caller's conversations, newest activity first.
#[utoipa::path(get, path = "/conversations", tag = "conversations", security(("bearer" = [])),
    params(ListQuery), responses((status = 200, body = Page<ConversationSummary>)))]
async fn list(
    State(chat): State<Chat>,
    Auth(who): Auth,
    ApiQuery(q): ApiQuery<ListQuery>,
) -> AppResult<Json<Page<ConversationSummary>>> {
    Ok(Json(chat.list_conversations(&who, q).await?))
}

/// One conversation. 404 unless the caller is or was a member; a former member
/// sees it as of leaving (last seq, last message, last activity, members).
#[utoipa::path(get, path = "/conversations/{id}", tag = "conversations", security(("bearer" = [])),
    params(("id" = ConversationId, Path)), responses((status = 200, body = ConversationSummary), (status = 404, body = ErrorBody)))]
async fn get_one(
    State(chat): State<Chat>,
    Auth(who): Auth,
    ApiPath(id): ApiPath<ConversationId>,
) -> AppResult<Json<ConversationSummary>> {
    Ok(Json(chat.summary(&who, id).await?))
}

/// Rename a group (owner or admin).
#[utoipa::path(patch, path = "/conversations/{id}", tag = "conversations", security(("bearer" = [])),
    params(("id" = ConversationId, Path)), request_body = RenameInput,
    responses((status = 200, body = ConversationInfo), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
async fn rename(
    State(chat): State<Chat>,
    Auth(who): Auth,
    ApiPath(id): ApiPath<ConversationId>,
    ApiJson(input): ApiJson<RenameInput>,
) -> AppResult<Json<ConversationInfo>> {
    Ok(Json(chat.rename_conversation(&who, id, input).await?))
}

/// Add a member to a group (owner or admin). Someone who does not let the caller
/// add them directly (`group_invites`) is invited instead: 202, and the group is
/// returned without them until they accept.
#[utoipa::path(post, path = "/conversations/{id}/members", tag = "conversations", security(("bearer" = [])),
    params(("id" = ConversationId, Path)), request_body = AddMemberInput,
    responses((status = 200, description = "added", body = ConversationInfo),
        (status = 202, description = "invited; a member once they accept", body = ConversationInfo),
        (status = 403, body = ErrorBody), (status = 409, body = ErrorBody)))]
async fn add_member(
    State(chat): State<Chat>,
    Auth(who): Auth,
    ApiPath(id): ApiPath<ConversationId>,
    ApiJson(input): ApiJson<AddMemberInput>,
) -> AppResult<(StatusCode, Json<ConversationInfo>)> {
    let (info, added) = chat.add_member(&who, id, input).await?;
    let status = if added {
        StatusCode::OK
    } else {
        StatusCode::ACCEPTED
    };
    Ok((status, Json(info)))
}

/// Remove a member (owner or admin; removing yourself is leaving).
#[utoipa::path(delete, path = "/conversations/{id}/members/{user_id}", tag = "conversations", security(("bearer" = [])),
    params(("id" = ConversationId, Path), ("user_id" = UserId, Path)),
    responses((status = 204), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
async fn remove_member(
    State(chat): State<Chat>,
    Auth(who): Auth,
    ApiPath((id, user)): ApiPath<(ConversationId, UserId)>,
) -> AppResult<StatusCode> {
    chat.remove_member(&who, id, user).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Leave a group. What you could see stays readable.
#[utoipa::path(post, path = "/conversations/{id}/leave", tag = "conversations", security(("bearer" = [])),
    params(("id" = ConversationId, Path)), responses((status = 204), (status = 404, body = ErrorBody)))]
async fn leave(
    State(chat): State<Chat>,
    Auth(who): Auth,
    ApiPath(id): ApiPath<ConversationId>,
) -> AppResult<StatusCode> {
    chat.leave_conversation(&who, id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// History, by seq cursor: `before_seq` pages backwards (newest page by default),
/// `after_seq` forwards. Items are ascending.
#[utoipa::path(get, path = "/conversations/{id}/messages", tag = "messages", security(("bearer" = [])),
    params(("id" = ConversationId, Path), HistoryQuery),
    responses((status = 200, body = MessagesPage), (status = 404, body = ErrorBody)))]
async fn history(
    State(chat): State<Chat>,
    Auth(who): Auth,
    ApiPath(id): ApiPath<ConversationId>,
    ApiQuery(q): ApiQuery<HistoryQuery>,
) -> AppResult<Json<MessagesPage>> {
    Ok(Json(chat.history(&who, id, q).await?))
}

/// Send a message. Idempotent by `client_msg_id`: 201 when stored now, 200 with the
/// original message when that id was already used.
#[utoipa::path(post, path = "/conversations/{id}/messages", tag = "messages", security(("bearer" = [])),
    params(("id" = ConversationId, Path)), request_body = SendInput,
    responses((status = 201, body = MessageView), (status = 200, body = MessageView), (status = 404, body = ErrorBody),
        (status = 409, description = "client_msg_id already used for another conversation", body = ErrorBody),
        (status = 422, body = ErrorBody), (status = 429, description = "over the rate limit; see Retry-After", body = ErrorBody)))]
async fn send(
    State(chat): State<Chat>,
    Auth(who): Auth,
    ApiPath(id): ApiPath<ConversationId>,
    ApiJson(input): ApiJson<SendInput>,
) -> AppResult<(StatusCode, Json<MessageView>)> {
    let (message, created) = chat.send_message(&who, id, input).await?;
    Ok((
        if created {
            StatusCode::CREATED
        } else {
            StatusCode::OK
        },
        Json(message),
    ))
}

/// Move the caller's read marker forward (it never moves back).
#[utoipa::path(post, path = "/conversations/{id}/read", tag = "messages", security(("bearer" = [])),
    params(("id" = ConversationId, Path)), request_body = ReadInput,
    responses((status = 200, body = ReadState), (status = 404, body = ErrorBody)))]
async fn read(
    State(chat): State<Chat>,
    Auth(who): Auth,
    ApiPath(id): ApiPath<ConversationId>,
    ApiJson(input): ApiJson<ReadInput>,
) -> AppResult<Json<ReadState>> {
    Ok(Json(chat.mark_read(&who, id, input).await?))
}

/// Move the caller's delivery marker forward: messages up to `seq` reached one of
/// the caller's devices (it never moves back). The same as the WebSocket `delivered`.
#[utoipa::path(post, path = "/conversations/{id}/delivered", tag = "messages", security(("bearer" = [])),
    params(("id" = ConversationId, Path)), request_body = ReadInput,
    responses((status = 200, body = DeliveredState), (status = 404, body = ErrorBody)))]
async fn delivered(
    State(chat): State<Chat>,
    Auth(who): Auth,
    ApiPath(id): ApiPath<ConversationId>,
    ApiJson(input): ApiJson<ReadInput>,
) -> AppResult<Json<DeliveredState>> {
    Ok(Json(chat.mark_delivered(&who, id, input).await?))
}
