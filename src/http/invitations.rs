//! `/invitations`: group invitations waiting for the caller's answer.

use axum::{extract::State, http::StatusCode, Json};
use utoipa_axum::{router::OpenApiRouter, routes};

use super::{
    error::ErrorBody,
    extract::{ApiPath, Auth},
};
use crate::{
    chat::{conversation_views::ConversationInfo, invitations::InvitationView, Chat},
    domain::ConversationId,
    error::AppResult,
};

pub fn router() -> OpenApiRouter<Chat> {
    OpenApiRouter::new()
        .routes(routes!(list))
        .routes(routes!(accept))
        .routes(routes!(decline))
}

/// Your pending group invitations, newest first.
#[utoipa::path(get, path = "/invitations", tag = "conversations", security(("bearer" = [])),
    responses((status = 200, body = Vec<InvitationView>)))]
async fn list(State(chat): State<Chat>, Auth(who): Auth) -> AppResult<Json<Vec<InvitationView>>> {
    Ok(Json(chat.invitations(&who).await?))
}

/// Accept an invitation: you join the group, and its members see you from now on.
#[utoipa::path(post, path = "/invitations/{conversation_id}/accept", tag = "conversations",
    security(("bearer" = [])), params(("conversation_id" = ConversationId, Path)),
    responses((status = 200, body = ConversationInfo), (status = 404, body = ErrorBody),
        (status = 409, description = "the group is full", body = ErrorBody)))]
async fn accept(
    State(chat): State<Chat>,
    Auth(who): Auth,
    ApiPath(id): ApiPath<ConversationId>,
) -> AppResult<Json<ConversationInfo>> {
    Ok(Json(chat.accept_invitation(&who, id).await?))
}

/// Decline an invitation; nobody is told.
#[utoipa::path(post, path = "/invitations/{conversation_id}/decline", tag = "conversations",
    security(("bearer" = [])), params(("conversation_id" = ConversationId, Path)),
    responses((status = 204), (status = 404, body = ErrorBody)))]
async fn decline(
    State(chat): State<Chat>,
    Auth(who): Auth,
    ApiPath(id): ApiPath<ConversationId>,
) -> AppResult<StatusCode> {
    chat.decline_invitation(&who, id).await?;
    Ok(StatusCode::NO_CONTENT)
}
