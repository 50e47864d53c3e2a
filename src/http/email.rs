//! The caller's email address (`/users/me/email`) and the confirmation link's
//! landing (`/auth/verify-email`, no sign-in needed).

use axum::{extract::State, http::StatusCode, Json};
use utoipa_axum::{router::OpenApiRouter, routes};

use super::{
    error::ErrorBody,
    extract::{ApiJson, Auth, ClientDevice},
};
use crate::{
    chat::{
        email_address::{SetEmailInput, VerifyEmailInput},
        views::MeView,
        Chat,
    },
    error::AppResult,
};

pub fn router() -> OpenApiRouter<Chat> {
    OpenApiRouter::new()
        .routes(routes!(set_email))
        .routes(routes!(resend_verification))
        .routes(routes!(verify_email))
}

/// Set, change or remove your email address (needs the current password). A
/// new address gets a confirmation link and is unconfirmed until it is opened;
/// the old confirmed address is told of the change.
#[utoipa::path(put, path = "/users/me/email", tag = "users", security(("bearer" = [])),
    request_body = SetEmailInput,
    responses(
        (status = 200, body = MeView),
        (status = 401, body = ErrorBody),
        (status = 409, description = "the address is another account's", body = ErrorBody),
        (status = 422, description = "wrong current password or not an address", body = ErrorBody),
        (status = 429, description = "too many attempts; see Retry-After", body = ErrorBody),
    ))]
async fn set_email(
    State(chat): State<Chat>,
    Auth(who): Auth,
    ClientDevice(device): ClientDevice,
    ApiJson(input): ApiJson<SetEmailInput>,
) -> AppResult<Json<MeView>> {
    Ok(Json(chat.set_email(&who, input, &device).await?))
}

/// Mail a new confirmation link to your unconfirmed address.
#[utoipa::path(post, path = "/users/me/email/verification", tag = "users", security(("bearer" = [])),
    responses(
        (status = 202),
        (status = 401, body = ErrorBody),
        (status = 409, description = "no address, already confirmed, or this server sends no mail", body = ErrorBody),
        (status = 429, description = "too many requests; see Retry-After", body = ErrorBody),
    ))]
async fn resend_verification(
    State(chat): State<Chat>,
    Auth(who): Auth,
    ClientDevice(device): ClientDevice,
) -> AppResult<StatusCode> {
    chat.resend_verification(&who, &device).await?;
    Ok(StatusCode::ACCEPTED)
}

/// Confirm an email address with the token from the mailed link.
#[utoipa::path(post, path = "/auth/verify-email", tag = "auth", request_body = VerifyEmailInput,
    responses(
        (status = 204),
        (status = 422, description = "token invalid, used, expired or for an address the account no longer has", body = ErrorBody),
    ))]
async fn verify_email(
    State(chat): State<Chat>,
    ApiJson(input): ApiJson<VerifyEmailInput>,
) -> AppResult<StatusCode> {
    chat.verify_email(input).await?;
    Ok(StatusCode::NO_CONTENT)
}
