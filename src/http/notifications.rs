//! `/notifications`: the caller's own notifications only.

use axum::{extract::State, http::StatusCode, Json};
use utoipa_axum::{router::OpenApiRouter, routes};

use super::{
    error::ErrorBody,
    extract::{ApiPath, ApiQuery, Auth},
};
use crate::{
    chat::{
        notifications::{NotificationsQuery, UnreadNotifications},
        social_views::NotificationsPage,
        Chat,
    },
    domain::NotificationId,
    error::AppResult,
};

pub fn router() -> OpenApiRouter<Chat> {
    OpenApiRouter::new()
        .routes(routes!(list))
        .routes(routes!(unread))
        .routes(routes!(read_all))
        .routes(routes!(read_one))
        .routes(routes!(delete))
}

/// Your notifications, newest first, with the unread count.
#[utoipa::path(get, path = "/notifications", tag = "notifications", security(("bearer" = [])),
    params(NotificationsQuery), responses((status = 200, body = NotificationsPage)))]
async fn list(
    State(chat): State<Chat>,
    Auth(who): Auth,
    ApiQuery(q): ApiQuery<NotificationsQuery>,
) -> AppResult<Json<NotificationsPage>> {
    Ok(Json(chat.notifications(&who, q).await?))
}

#[utoipa::path(get, path = "/notifications/unread", tag = "notifications", security(("bearer" = [])),
    responses((status = 200, body = UnreadNotifications)))]
async fn unread(State(chat): State<Chat>, Auth(who): Auth) -> AppResult<Json<UnreadNotifications>> {
    Ok(Json(chat.unread_notifications(&who).await?))
}

/// Mark all read.
#[utoipa::path(post, path = "/notifications/read-all", tag = "notifications", security(("bearer" = [])),
    responses((status = 200, body = UnreadNotifications)))]
async fn read_all(
    State(chat): State<Chat>,
    Auth(who): Auth,
) -> AppResult<Json<UnreadNotifications>> {
    Ok(Json(chat.read_all_notifications(&who).await?))
}

/// Mark one read. Another user's notification is 404.
#[utoipa::path(post, path = "/notifications/{id}/read", tag = "notifications", security(("bearer" = [])),
    params(("id" = NotificationId, Path)), responses((status = 200, body = UnreadNotifications), (status = 404, body = ErrorBody)))]
async fn read_one(
    State(chat): State<Chat>,
    Auth(who): Auth,
    ApiPath(id): ApiPath<NotificationId>,
) -> AppResult<Json<UnreadNotifications>> {
    Ok(Json(chat.read_notification(&who, id).await?))
}

/// Delete one. Another user's notification is 404.
#[utoipa::path(delete, path = "/notifications/{id}", tag = "notifications", security(("bearer" = [])),
    params(("id" = NotificationId, Path)), responses((status = 204), (status = 404, body = ErrorBody)))]
async fn delete(
    State(chat): State<Chat>,
    Auth(who): Auth,
    ApiPath(id): ApiPath<NotificationId>,
) -> AppResult<StatusCode> {
    chat.delete_notification(&who, id).await?;
    Ok(StatusCode::NO_CONTENT)
}
