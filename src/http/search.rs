//! `/search`: full-text search over the caller's messages.

use axum::{extract::State, Json};
use utoipa_axum::{router::OpenApiRouter, routes};

use super::{
    error::ErrorBody,
    extract::{ApiQuery, Auth},
};
use crate::{
    chat::{conversation_views::MessageView, search::MessageSearchQuery, views::Page, Chat},
    error::AppResult,
};

pub fn router() -> OpenApiRouter<Chat> {
    OpenApiRouter::new().routes(routes!(search_messages))
}

/// Find messages by words, newest first: in every conversation you are or were in
/// (what a former member finds ends where they left), or in one; optionally from
/// one person and within a time range. Deleted messages are never found.
#[utoipa::path(get, path = "/search/messages", tag = "messages", security(("bearer" = [])),
    params(MessageSearchQuery),
    responses((status = 200, body = Page<MessageView>), (status = 404, description = "a conversation_id that is not yours", body = ErrorBody),
        (status = 422, body = ErrorBody), (status = 429, description = "over the rate limit; see Retry-After", body = ErrorBody)))]
async fn search_messages(
    State(chat): State<Chat>,
    Auth(who): Auth,
    ApiQuery(q): ApiQuery<MessageSearchQuery>,
) -> AppResult<Json<Page<MessageView>>> {
    Ok(Json(chat.search_messages(&who, q).await?))
}
