//! `/uploads` (sending a file) and `/files/urls` (URLs to fetch files by).

use axum::{
    body::Body,
    extract::State,
    http::{header, HeaderMap, StatusCode},
    Json,
};
use serde::Deserialize;
use utoipa::IntoParams;
use utoipa_axum::{router::OpenApiRouter, routes};

use super::{
    error::ErrorBody,
    extract::{ApiJson, ApiPath, ApiQuery, Auth},
};
use crate::{
    chat::{
        attachments::{FileUrls, GalleryPage, GalleryQuery, UrlsInput},
        uploads::UploadView,
        Chat,
    },
    domain::ConversationId,
    error::AppResult,
};

pub fn router() -> OpenApiRouter<Chat> {
    OpenApiRouter::new()
        .routes(routes!(upload))
        .routes(routes!(urls))
        .routes(routes!(gallery))
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
struct UploadQuery {
    /// The file's name as the sender sees it (paths are cut off). Its extension
    /// does not decide the type: the content does.
    name: Option<String>,
}

/// Upload a file: the raw bytes as the body (any `Content-Type`; the type is
/// decided from the content). Images (JPEG, PNG, WebP, GIF) come back with width,
/// height and a thumbnail, re-encoded without their metadata. Then send a message
/// with `attachment_ids`; an upload no message takes is deleted after a day.
#[utoipa::path(post, path = "/uploads", tag = "files", security(("bearer" = [])),
    params(UploadQuery),
    request_body(content = Vec<u8>, content_type = "application/octet-stream"),
    responses((status = 201, body = UploadView),
        (status = 413, description = "over the size limit, or the quota", body = ErrorBody),
        (status = 415, description = "a type not accepted here", body = ErrorBody),
        (status = 422, description = "empty, or an image too large or undecodable", body = ErrorBody)))]
async fn upload(
    State(chat): State<Chat>,
    Auth(who): Auth,
    ApiQuery(q): ApiQuery<UploadQuery>,
    headers: HeaderMap,
    body: Body,
) -> AppResult<(StatusCode, Json<UploadView>)> {
    let declared = headers
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse().ok());
    let name = q.name.unwrap_or_default();
    let view = chat
        .upload(&who, &name, declared, body.into_data_stream())
        .await?;
    Ok((StatusCode::CREATED, Json(view)))
}

/// Signed URLs for files, valid for one to two hours: what `<img src>` and
/// download links use. Ids the caller may not read are left out.
#[utoipa::path(post, path = "/files/urls", tag = "files", security(("bearer" = [])),
    request_body = UrlsInput, responses((status = 200, body = Vec<FileUrls>)))]
async fn urls(
    State(chat): State<Chat>,
    Auth(who): Auth,
    ApiJson(input): ApiJson<UrlsInput>,
) -> AppResult<Json<Vec<FileUrls>>> {
    Ok(Json(chat.sign_file_urls(&who, &input.ids).await?))
}

/// A conversation's pictures and files, newest first, a page of messages at a
/// time (none of deleted messages).
#[utoipa::path(get, path = "/conversations/{id}/files", tag = "files", security(("bearer" = [])),
    params(("id" = ConversationId, Path), GalleryQuery),
    responses((status = 200, body = GalleryPage), (status = 404, body = ErrorBody)))]
async fn gallery(
    State(chat): State<Chat>,
    Auth(who): Auth,
    ApiPath(id): ApiPath<ConversationId>,
    ApiQuery(q): ApiQuery<GalleryQuery>,
) -> AppResult<Json<GalleryPage>> {
    Ok(Json(chat.gallery(&who, id, q).await?))
}
