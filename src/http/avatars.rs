//! Profile pictures: `PUT/DELETE /users/me/avatar`, `POST /avatars/urls`,
//! `GET /avatars/{id}`.

use axum::{body::Body, extract::State, response::Response, Json};
use utoipa_axum::{router::OpenApiRouter, routes};

use super::{
    error::ErrorBody,
    extract::{ApiJson, ApiPath, ApiQuery, Auth},
    files::{stored_file, SignedQuery},
};
use crate::{
    chat::{
        attachments::{FileUrls, UrlsInput},
        conversation_views::ConversationInfo,
        views::MeView,
        Chat,
    },
    domain::{ConversationId, UploadId},
    error::{AppError, AppResult},
};

pub fn router() -> OpenApiRouter<Chat> {
    OpenApiRouter::new()
        .routes(routes!(set_avatar, remove_avatar))
        .routes(routes!(set_group_avatar, remove_group_avatar))
        .routes(routes!(urls))
        .routes(routes!(avatar))
}

/// Set your profile picture: an image (JPEG, PNG, WebP or GIF) as the raw body.
/// Its centre square is kept, at most 256 px a side, without metadata.
#[utoipa::path(put, path = "/users/me/avatar", tag = "users", security(("bearer" = [])),
    request_body(content = Vec<u8>, content_type = "application/octet-stream"),
    responses((status = 200, body = MeView),
        (status = 413, description = "over the upload size limit", body = ErrorBody),
        (status = 422, description = "not an image, empty, too large in pixels, or undecodable", body = ErrorBody)))]
async fn set_avatar(
    State(chat): State<Chat>,
    Auth(who): Auth,
    body: Body,
) -> AppResult<Json<MeView>> {
    Ok(Json(
        chat.set_my_avatar(&who, body.into_data_stream()).await?,
    ))
}

/// Remove your profile picture (initials are shown).
#[utoipa::path(delete, path = "/users/me/avatar", tag = "users", security(("bearer" = [])),
    responses((status = 200, body = MeView)))]
async fn remove_avatar(State(chat): State<Chat>, Auth(who): Auth) -> AppResult<Json<MeView>> {
    Ok(Json(chat.remove_my_avatar(&who).await?))
}

/// Set a group's picture (owner or admin): an image as the raw body, made square
/// like a profile picture. Members get a system message and `conversation.updated`.
#[utoipa::path(put, path = "/conversations/{id}/avatar", tag = "conversations", security(("bearer" = [])),
    params(("id" = ConversationId, Path)),
    request_body(content = Vec<u8>, content_type = "application/octet-stream"),
    responses((status = 200, body = ConversationInfo),
        (status = 403, description = "not the group's owner or an admin, or not a group", body = ErrorBody),
        (status = 413, description = "over the upload size limit", body = ErrorBody),
        (status = 422, description = "not an image, empty, too large in pixels, or undecodable", body = ErrorBody)))]
async fn set_group_avatar(
    State(chat): State<Chat>,
    Auth(who): Auth,
    ApiPath(id): ApiPath<ConversationId>,
    body: Body,
) -> AppResult<Json<ConversationInfo>> {
    Ok(Json(
        chat.set_group_avatar(&who, id, body.into_data_stream())
            .await?,
    ))
}

/// Take a group's picture away (owner or admin).
#[utoipa::path(delete, path = "/conversations/{id}/avatar", tag = "conversations", security(("bearer" = [])),
    params(("id" = ConversationId, Path)),
    responses((status = 200, body = ConversationInfo),
        (status = 403, description = "not the group's owner or an admin, or not a group", body = ErrorBody)))]
async fn remove_group_avatar(
    State(chat): State<Chat>,
    Auth(who): Auth,
    ApiPath(id): ApiPath<ConversationId>,
) -> AppResult<Json<ConversationInfo>> {
    Ok(Json(chat.remove_group_avatar(&who, id).await?))
}

/// Signed URLs for profile pictures (the `avatar_id` of users and members),
/// valid for one to two hours.
#[utoipa::path(post, path = "/avatars/urls", tag = "users", security(("bearer" = [])),
    request_body = UrlsInput, responses((status = 200, body = Vec<FileUrls>)))]
async fn urls(
    State(chat): State<Chat>,
    Auth(who): Auth,
    ApiJson(input): ApiJson<UrlsInput>,
) -> AppResult<Json<Vec<FileUrls>>> {
    Ok(Json(chat.avatar_urls(&who, &input.ids)?))
}

/// A profile picture (JPEG), by a signed URL or with a bearer token.
#[utoipa::path(get, path = "/avatars/{id}", tag = "users",
    params(("id" = UploadId, Path), SignedQuery),
    responses((status = 200, description = "the picture", content((Vec<u8> = "image/jpeg"))),
        (status = 401, description = "neither a signed URL nor a token", body = ErrorBody),
        (status = 403, description = "a signed URL expired or not valid", body = ErrorBody),
        (status = 404, description = "no such picture", body = ErrorBody)))]
async fn avatar(
    State(chat): State<Chat>,
    ApiPath(id): ApiPath<String>,
    ApiQuery(q): ApiQuery<SignedQuery>,
    auth: Result<Auth, AppError>,
) -> AppResult<Response> {
    let id: UploadId = id.parse().map_err(|_| AppError::not_found("picture"))?;
    // A new picture gets a new id: what is behind one never changes.
    stored_file(chat.avatar(q.reader(auth)?, id).await?, "image/jpeg")
}
