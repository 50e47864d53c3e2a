//! `/conversations/{id}/mute`: the caller's mute of one conversation.

use axum::{extract::State, Json};
use utoipa_axum::{router::OpenApiRouter, routes};

use super::{
    error::ErrorBody,
    extract::{ApiJson, ApiPath, Auth},
};
use crate::{
    chat::{
        mute::{MuteInput, MuteState},
        Chat,
    },
    domain::ConversationId,
    error::AppResult,
};

pub fn router() -> OpenApiRouter<Chat> {
    OpenApiRouter::new().routes(routes!(mute, unmute))
}

/// Mute a conversation for `minutes`, or until unmuted: no web push and no
/// digest mail for it. Only you see it.
#[utoipa::path(put, path = "/conversations/{id}/mute", tag = "conversations", security(("bearer" = [])),
    params(("id" = ConversationId, Path)), request_body = MuteInput,
    responses((status = 200, body = MuteState), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn mute(
    State(chat): State<Chat>,
    Auth(who): Auth,
    ApiPath(id): ApiPath<ConversationId>,
    ApiJson(input): ApiJson<MuteInput>,
) -> AppResult<Json<MuteState>> {
    Ok(Json(chat.mute(&who, id, input).await?))
}

/// Unmute a conversation.
#[utoipa::path(delete, path = "/conversations/{id}/mute", tag = "conversations", security(("bearer" = [])),
    params(("id" = ConversationId, Path)),
    responses((status = 200, body = MuteState), (status = 404, body = ErrorBody)))]
async fn unmute(
    State(chat): State<Chat>,
    Auth(who): Auth,
    ApiPath(id): ApiPath<ConversationId>,
) -> AppResult<Json<MuteState>> {
    Ok(Json(chat.unmute(&who, id).await?))
}
