//! `/auth/sessions`: the caller's signed-in devices.

use axum::{extract::State, http::StatusCode, Json};
use utoipa_axum::{router::OpenApiRouter, routes};

use super::{
    error::ErrorBody,
    extract::{ApiPath, Auth},
};
use crate::{
    chat::{views::SessionView, Chat},
    domain::SessionId,
    error::AppResult,
};

pub fn router() -> OpenApiRouter<Chat> {
    OpenApiRouter::new()
        .routes(routes!(list_sessions))
        .routes(routes!(revoke_session))
}

/// The caller's live sessions, most recently used first.
#[utoipa::path(get, path = "/auth/sessions", tag = "auth", security(("bearer" = [])),
    responses((status = 200, body = Vec<SessionView>), (status = 401, body = ErrorBody)))]
async fn list_sessions(
    State(chat): State<Chat>,
    Auth(who): Auth,
) -> AppResult<Json<Vec<SessionView>>> {
    Ok(Json(chat.list_sessions(&who).await?))
}

/// Sign out one of the caller's devices.
#[utoipa::path(delete, path = "/auth/sessions/{id}", tag = "auth", security(("bearer" = [])),
    params(("id" = SessionId, Path, description = "session id")),
    responses((status = 204), (status = 404, body = ErrorBody)))]
async fn revoke_session(
    State(chat): State<Chat>,
    Auth(who): Auth,
    ApiPath(id): ApiPath<SessionId>,
) -> AppResult<StatusCode> {
    chat.revoke_session(&who, id).await?;
    Ok(StatusCode::NO_CONTENT)
}
