//! `/auth/password-reset`: ask for a reset link by mail, then set a new
//! password with its token.

use axum::{extract::State, http::StatusCode, Json};
use serde::Serialize;
use utoipa::ToSchema;
use utoipa_axum::{router::OpenApiRouter, routes};

use super::{
    error::ErrorBody,
    extract::{ApiJson, ClientDevice},
};
use crate::{
    chat::{
        password_reset::{ResetConfirm, ResetRequest},
        Chat,
    },
    error::AppResult,
};

pub fn router() -> OpenApiRouter<Chat> {
    OpenApiRouter::new()
        .routes(routes!(request_reset))
        .routes(routes!(confirm_reset))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Accepted {
    pub status: &'static str,
}

/// Ask for a password reset link. The answer is the same whether or not the
/// account exists or has a confirmed address (and comes before the account is looked up or any mail is
/// queued); at most one link per account per interval is mailed.
#[utoipa::path(post, path = "/auth/password-reset", tag = "auth", request_body = ResetRequest,
    responses(
        (status = 202, body = Accepted),
        (status = 422, description = "neither or both of username and email", body = ErrorBody),
        (status = 429, description = "too many requests from this address; see Retry-After", body = ErrorBody),
    ))]
async fn request_reset(
    State(chat): State<Chat>,
    ClientDevice(device): ClientDevice,
    ApiJson(input): ApiJson<ResetRequest>,
) -> AppResult<(StatusCode, Json<Accepted>)> {
    chat.request_password_reset(input, &device).await?;
    Ok((
        StatusCode::ACCEPTED,
        Json(Accepted {
            status: "if the account has a confirmed email address, a reset link is on its way",
        }),
    ))
}

/// Set a new password with the token from the mailed link. Every session of
/// the account is signed out; the owner is told by mail.
#[utoipa::path(post, path = "/auth/password-reset/confirm", tag = "auth", request_body = ResetConfirm,
    responses(
        (status = 204),
        (status = 403, description = "the account is deactivated", body = ErrorBody),
        (status = 422, description = "token invalid, used or expired (code says which), or a password the rules refuse", body = ErrorBody),
    ))]
async fn confirm_reset(
    State(chat): State<Chat>,
    ApiJson(input): ApiJson<ResetConfirm>,
) -> AppResult<StatusCode> {
    chat.confirm_password_reset(input).await?;
    Ok(StatusCode::NO_CONTENT)
}
