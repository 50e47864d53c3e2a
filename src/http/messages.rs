//! `/messages/{id}`: edit, delete (soft) and restore.

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
