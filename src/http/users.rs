//! `/users`: the caller's profile, other users' public profiles, search.

use axum::{extract::State, Json};
use utoipa_axum::{router::OpenApiRouter, routes};

use super::{
    error::ErrorBody,
    extract::{ApiJson, ApiPath, ApiQuery, Auth},
};
use crate::{
    chat::{
        users::{SearchQuery, UpdateProfileInput},
        views::{MeView, Page, UserView},
        Chat,
    },
    domain::UserId,
    error::AppResult,
};

pub fn router() -> OpenApiRouter<Chat> {
    OpenApiRouter::new()
        .routes(routes!(me, update_me))
        .routes(routes!(set_presence))
        .routes(routes!(search_users))
        .routes(routes!(get_user))
}

/// The caller's own profile, including private fields.
#[utoipa::path(get, path = "/users/me", tag = "users", security(("bearer" = [])),
    responses((status = 200, body = MeView), (status = 401, body = ErrorBody)))]
async fn me(State(chat): State<Chat>, Auth(who): Auth) -> AppResult<Json<MeView>> {
    Ok(Json(chat.me(&who).await?))
}

/// Change full name, bio or status text. Absent fields are left as they are.
#[utoipa::path(patch, path = "/users/me", tag = "users", security(("bearer" = [])),
    request_body = UpdateProfileInput,
    responses((status = 200, body = MeView), (status = 422, body = ErrorBody)))]
async fn update_me(
    State(chat): State<Chat>,
    Auth(who): Auth,
    ApiJson(input): ApiJson<UpdateProfileInput>,
) -> AppResult<Json<MeView>> {
    Ok(Json(chat.update_me(&who, input).await?))
}

/// Set your presence mode: `available`, `busy`, `away`, or `invisible` (others see
/// you offline). Returns your own view of it.
#[utoipa::path(put, path = "/users/me/presence", tag = "users", security(("bearer" = [])),
    request_body = crate::chat::presence::PresenceInput,
    responses((status = 200, body = crate::chat::social_views::PresenceView), (status = 422, body = ErrorBody)))]
async fn set_presence(
    State(chat): State<Chat>,
    Auth(who): Auth,
    ApiJson(input): ApiJson<crate::chat::presence::PresenceInput>,
) -> AppResult<Json<crate::chat::social_views::PresenceView>> {
    Ok(Json(chat.set_presence_mode(&who, input).await?))
}

/// Search active users by username or full name, in username order.
#[utoipa::path(get, path = "/users", tag = "users", security(("bearer" = [])),
    params(SearchQuery),
    responses((status = 200, body = Page<UserView>), (status = 422, body = ErrorBody), (status = 429, description = "over the rate limit; see Retry-After", body = ErrorBody)))]
async fn search_users(
    State(chat): State<Chat>,
    Auth(who): Auth,
    ApiQuery(q): ApiQuery<SearchQuery>,
) -> AppResult<Json<Page<UserView>>> {
    Ok(Json(chat.search_users(&who, q).await?))
}

/// A user's public profile.
#[utoipa::path(get, path = "/users/{id}", tag = "users", security(("bearer" = [])),
    params(("id" = UserId, Path, description = "user id")),
    responses((status = 200, body = UserView), (status = 404, body = ErrorBody)))]
async fn get_user(
    State(chat): State<Chat>,
    Auth(who): Auth,
    ApiPath(id): ApiPath<UserId>,
) -> AppResult<Json<UserView>> {
    Ok(Json(chat.get_user(&who, id).await?))
}
