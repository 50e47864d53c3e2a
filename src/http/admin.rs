//! `/admin/users`: user administration, admins only (docs/permissions.md).

use axum::{extract::State, Json};
use utoipa_axum::{router::OpenApiRouter, routes};

use super::{
    error::ErrorBody,
    extract::{ApiJson, ApiPath, ApiQuery, Auth},
};
use crate::{
    chat::{
        admin::AdminUpdateUserInput,
        users::SearchQuery,
        views::{AdminUserView, Page},
        Chat,
    },
    domain::UserId,
    error::AppResult,
};

pub fn router() -> OpenApiRouter<Chat> {
    OpenApiRouter::new()
        .routes(routes!(list_users))
        .routes(routes!(update_user))
        .routes(routes!(deactivate))
        .routes(routes!(reactivate))
}

/// All users, deactivated ones included.
#[utoipa::path(get, path = "/admin/users", tag = "admin", security(("bearer" = [])),
    params(SearchQuery),
    responses((status = 200, body = Page<AdminUserView>), (status = 403, body = ErrorBody)))]
async fn list_users(
    State(chat): State<Chat>,
    Auth(who): Auth,
    ApiQuery(q): ApiQuery<SearchQuery>,
) -> AppResult<Json<Page<AdminUserView>>> {
    Ok(Json(chat.admin_list_users(&who, q).await?))
}

/// Change a user's role. Takes effect on the user's next request.
#[utoipa::path(patch, path = "/admin/users/{id}", tag = "admin", security(("bearer" = [])),
    params(("id" = UserId, Path, description = "user id")),
    request_body = AdminUpdateUserInput,
    responses((status = 200, body = AdminUserView), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 409, description = "last admin", body = ErrorBody)))]
async fn update_user(
    State(chat): State<Chat>,
    Auth(who): Auth,
    ApiPath(id): ApiPath<UserId>,
    ApiJson(input): ApiJson<AdminUpdateUserInput>,
) -> AppResult<Json<AdminUserView>> {
    Ok(Json(chat.admin_set_role(&who, id, input.role).await?))
}

/// Deactivate (soft delete): sessions revoked, sign-in refused, data kept.
#[utoipa::path(post, path = "/admin/users/{id}/deactivate", tag = "admin", security(("bearer" = [])),
    params(("id" = UserId, Path, description = "user id")),
    responses((status = 200, body = AdminUserView), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 409, description = "last admin", body = ErrorBody)))]
async fn deactivate(
    State(chat): State<Chat>,
    Auth(who): Auth,
    ApiPath(id): ApiPath<UserId>,
) -> AppResult<Json<AdminUserView>> {
    Ok(Json(chat.admin_deactivate(&who, id).await?))
}

/// Reactivate a deactivated user, exactly as they were.
#[utoipa::path(post, path = "/admin/users/{id}/reactivate", tag = "admin", security(("bearer" = [])),
    params(("id" = UserId, Path, description = "user id")),
    responses((status = 200, body = AdminUserView), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
async fn reactivate(
    State(chat): State<Chat>,
    Auth(who): Auth,
    ApiPath(id): ApiPath<UserId>,
) -> AppResult<Json<AdminUserView>> {
    Ok(Json(chat.admin_reactivate(&who, id).await?))
}
