//! `/messages/{id}`: edit, delete (soft), restore, and reactions.

use axum::{extract::State, Json};
use utoipa_axum::{router::OpenApiRouter, routes};

use super::{
    error::ErrorBody,
    extract::{ApiJson, ApiPath, Auth},
};
use crate::{
    chat::{conversation_views::MessageView, messages::EditInput, Chat},
    domain::MessageId,
    error::AppResult,
};

pub fn router() -> OpenApiRouter<Chat> {
    OpenApiRouter::new()
        .routes(routes!(edit, delete))
        .routes(routes!(restore))
        .routes(routes!(react, unreact))
}

/// Add your reaction `emoji` (one emoji, percent-encoded in the path) to a
/// message you can see. Adding it again changes nothing. Members get
/// `message.updated` with the message's reactions.
#[utoipa::path(put, path = "/messages/{id}/reactions/{emoji}", tag = "messages", security(("bearer" = [])),
    params(("id" = MessageId, Path), ("emoji" = String, Path, example = "👍")),
    responses((status = 200, body = MessageView), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 409, description = "message deleted, or it has the most kinds of reaction already", body = ErrorBody),
        (status = 422, description = "not one emoji", body = ErrorBody),
        (status = 429, description = "over the rate limit; see Retry-After", body = ErrorBody)))]
async fn react(
    State(chat): State<Chat>,
    Auth(who): Auth,
    ApiPath((id, emoji)): ApiPath<(MessageId, String)>,
) -> AppResult<Json<MessageView>> {
    Ok(Json(chat.react(&who, id, &emoji, true).await?))
}

/// Take back your reaction `emoji`. Taking back one you did not make changes nothing.
#[utoipa::path(delete, path = "/messages/{id}/reactions/{emoji}", tag = "messages", security(("bearer" = [])),
    params(("id" = MessageId, Path), ("emoji" = String, Path, example = "👍")),
    responses((status = 200, body = MessageView), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 409, description = "message deleted", body = ErrorBody),
        (status = 422, description = "not one emoji", body = ErrorBody),
        (status = 429, description = "over the rate limit; see Retry-After", body = ErrorBody)))]
async fn unreact(
    State(chat): State<Chat>,
    Auth(who): Auth,
    ApiPath((id, emoji)): ApiPath<(MessageId, String)>,
) -> AppResult<Json<MessageView>> {
    Ok(Json(chat.react(&who, id, &emoji, false).await?))
}

/// Edit a message (sender only).
#[utoipa::path(patch, path = "/messages/{id}", tag = "messages", security(("bearer" = [])),
    params(("id" = MessageId, Path)), request_body = EditInput,
    responses((status = 200, body = MessageView), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 409, description = "message is deleted", body = ErrorBody)))]
async fn edit(
    State(chat): State<Chat>,
    Auth(who): Auth,
    ApiPath(id): ApiPath<MessageId>,
    ApiJson(input): ApiJson<EditInput>,
) -> AppResult<Json<MessageView>> {
    Ok(Json(chat.edit_message(&who, id, input).await?))
}

/// Delete a message (sender, or a group owner/admin). Members then see a tombstone
/// with the same seq and no body.
#[utoipa::path(delete, path = "/messages/{id}", tag = "messages", security(("bearer" = [])),
    params(("id" = MessageId, Path)),
    responses((status = 200, body = MessageView), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
async fn delete(
    State(chat): State<Chat>,
    Auth(who): Auth,
    ApiPath(id): ApiPath<MessageId>,
) -> AppResult<Json<MessageView>> {
    Ok(Json(chat.delete_message(&who, id).await?))
}

/// Restore a deleted message (whoever could delete it).
#[utoipa::path(post, path = "/messages/{id}/restore", tag = "messages", security(("bearer" = [])),
    params(("id" = MessageId, Path)),
    responses((status = 200, body = MessageView), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
async fn restore(
    State(chat): State<Chat>,
    Auth(who): Auth,
    ApiPath(id): ApiPath<MessageId>,
) -> AppResult<Json<MessageView>> {
    Ok(Json(chat.restore_message(&who, id).await?))
}
