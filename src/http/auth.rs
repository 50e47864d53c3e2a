//! `/auth`: what sign-in needs to know, registration, login, refresh, logout,
//! password change.

use axum::{
    extract::State,
    http::StatusCode,
    response::{IntoResponse, Response},
    Json,
};
use utoipa_axum::{router::OpenApiRouter, routes};

use super::{
    error::ErrorBody,
    extract::{ApiJson, Auth, ClientDevice},
    refresh_cookie::RefreshCookie,
};
use crate::{
    chat::{
        accounts::{ChangePasswordInput, LoginInput, RefreshInput, RegisterInput, SetupView},
        views::TokenResponse,
        Chat,
    },
    error::AppResult,
};

pub fn router() -> OpenApiRouter<Chat> {
    OpenApiRouter::new()
        .routes(routes!(setup))
        .routes(routes!(register))
        .routes(routes!(login))
        .routes(routes!(refresh))
        .routes(routes!(logout))
        .routes(routes!(change_password))
}

/// What the sign-in page shows before anyone signs in: whether this server has
/// no account yet (the next one becomes its admin) and its messaging policy.
#[utoipa::path(get, path = "/auth/setup", tag = "auth", responses((status = 200, body = SetupView)))]
async fn setup(State(chat): State<Chat>) -> AppResult<Json<SetupView>> {
    Ok(Json(chat.setup().await?))
}

/// Create an account (with the server's default role; the server's first account
/// is its admin) and sign it in.
#[utoipa::path(post, path = "/auth/register", tag = "auth", request_body = RegisterInput,
    responses(
        (status = 201, body = TokenResponse),
        (status = 409, description = "username or email taken", body = ErrorBody),
        (status = 422, description = "invalid field", body = ErrorBody),
        (status = 429, description = "over the rate limit; see Retry-After", body = ErrorBody),
    ))]
async fn register(
    State(chat): State<Chat>,
    ClientDevice(device): ClientDevice,
    cookie: RefreshCookie,
    ApiJson(input): ApiJson<RegisterInput>,
) -> AppResult<Response> {
    let tokens = chat.register(input, device).await?;
    Ok(cookie.respond(StatusCode::CREATED, tokens))
}

/// Sign in. Wrong username and wrong password get the same answer.
#[utoipa::path(post, path = "/auth/login", tag = "auth", request_body = LoginInput,
    responses(
        (status = 200, body = TokenResponse),
        (status = 401, description = "invalid username or password", body = ErrorBody),
        (status = 403, description = "account deactivated", body = ErrorBody),
        (status = 429, description = "too many failures; see Retry-After", body = ErrorBody),
    ))]
async fn login(
    State(chat): State<Chat>,
    ClientDevice(device): ClientDevice,
    cookie: RefreshCookie,
    ApiJson(input): ApiJson<LoginInput>,
) -> AppResult<Response> {
    let tokens = chat.login(input, device).await?;
    Ok(cookie.respond(StatusCode::OK, tokens))
}

/// Exchange a refresh token for a new access and refresh token. Each refresh token
/// works once; presenting a spent one signs the whole session out.
#[utoipa::path(post, path = "/auth/refresh", tag = "auth", request_body = RefreshInput,
    responses(
        (status = 200, body = TokenResponse),
        (status = 401, description = "invalid, expired or reused refresh token, or none sent", body = ErrorBody),
        (status = 403, description = "a refresh from the cookie without `X-Confab-Refresh: cookie` or from another origin (`csrf`)", body = ErrorBody),
        (status = 429, description = "too many refreshes from this address", body = ErrorBody),
    ))]
async fn refresh(
    State(chat): State<Chat>,
    ClientDevice(device): ClientDevice,
    cookie: RefreshCookie,
    ApiJson(input): ApiJson<RefreshInput>,
) -> AppResult<Response> {
    let token = cookie.token(input.refresh_token)?;
    let tokens = chat.refresh(&token, &device).await?;
    Ok(cookie.respond(StatusCode::OK, tokens))
}

/// Sign out this session; its tokens stop working at once.
#[utoipa::path(post, path = "/auth/logout", tag = "auth", security(("bearer" = [])),
    responses((status = 204), (status = 401, body = ErrorBody)))]
async fn logout(
    State(chat): State<Chat>,
    Auth(who): Auth,
    cookie: RefreshCookie,
) -> AppResult<Response> {
    chat.logout(&who).await?;
    Ok(cookie.cleared(StatusCode::NO_CONTENT.into_response()))
}

/// Change the password; every other session is signed out.
#[utoipa::path(put, path = "/auth/password", tag = "auth", security(("bearer" = [])),
    request_body = ChangePasswordInput,
    responses((status = 204), (status = 401, body = ErrorBody), (status = 422, body = ErrorBody),
        (status = 429, description = "too many wrong current passwords; see Retry-After", body = ErrorBody)))]
async fn change_password(
    State(chat): State<Chat>,
    Auth(who): Auth,
    ClientDevice(device): ClientDevice,
    ApiJson(input): ApiJson<ChangePasswordInput>,
) -> AppResult<StatusCode> {
    chat.change_password(&who, input, device).await?;
    Ok(StatusCode::NO_CONTENT)
}
