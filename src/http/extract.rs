//! Extractors whose rejections use the one error shape, so a malformed body, query
//! or path gets the same clear JSON error as any other mistake.

use std::net::SocketAddr;

use axum::{
    extract::{
        rejection::{JsonRejection, PathRejection, QueryRejection},
        ConnectInfo, FromRequest, FromRequestParts, Path, Query, Request,
    },
    http::{header, request::Parts, StatusCode},
    Json,
};
use serde::de::DeserializeOwned;

use crate::{
    chat::{Chat, Device, Principal},
    error::{AppError, ErrorKind},
};

/// JSON body. Unknown fields are refused by the input types themselves
/// (`deny_unknown_fields`); the message names the field.
pub struct ApiJson<T>(pub T);

/// The field a serde message is about: "unknown field `x`", "missing field `x`".
fn field_in(message: &str) -> Option<String> {
    let start = message.find("field `")? + "field `".len();
    let len = message[start..].find('`')?;
    Some(message[start..start + len].to_owned())
}

fn json_error(rej: JsonRejection) -> AppError {
    match rej {
        JsonRejection::JsonDataError(e) => {
            let text = e.body_text();
            let detail = text
                .split_once("target type: ")
                .map(|(_, d)| d.to_owned())
                .unwrap_or(text);
            let err = AppError::new(
                ErrorKind::Unprocessable,
                "invalid_body",
                format!("invalid request body: {detail}"),
            );
            match field_in(&detail) {
                Some(f) => err.with_field(f),
                None => err,
            }
        }
        JsonRejection::JsonSyntaxError(_) => {
            AppError::bad_request("malformed_json", "request body is not valid JSON")
        }
        JsonRejection::MissingJsonContentType(_) => AppError::new(
            ErrorKind::UnsupportedMediaType,
            "unsupported_media_type",
            "send the body as JSON with `Content-Type: application/json`",
        ),
        other if caused_by_timeout(&other) => AppError::new(
            ErrorKind::RequestTimeout,
            "request_timeout",
            "the request body did not arrive in time",
        ),
        other if other.status() == StatusCode::PAYLOAD_TOO_LARGE => AppError::new(
            ErrorKind::PayloadTooLarge,
            "payload_too_large",
            "request body is too large",
        ),
        other => AppError::bad_request("invalid_body", other.body_text()),
    }
}

/// True when the body read failed because the body-read timeout ran out.
fn caused_by_timeout(e: &(dyn std::error::Error + 'static)) -> bool {
    let mut cause = Some(e);
    while let Some(c) = cause {
        if c.is::<tower_http::timeout::TimeoutError>() {
            return true;
        }
        cause = c.source();
    }
    false
}

impl<S, T> FromRequest<S> for ApiJson<T>
where
    T: DeserializeOwned,
    S: Send + Sync,
{
    type Rejection = AppError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        Json::<T>::from_request(req, state)
            .await
            .map(|Json(v)| ApiJson(v))
            .map_err(json_error)
    }
}

pub struct ApiQuery<T>(pub T);

impl<S, T> FromRequestParts<S> for ApiQuery<T>
where
    T: DeserializeOwned,
    S: Send + Sync,
{
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        Query::<T>::from_request_parts(parts, state)
            .await
            .map(|Query(v)| ApiQuery(v))
            .map_err(|e: QueryRejection| {
                AppError::bad_request(
                    "invalid_query",
                    format!("invalid query string: {}", e.body_text()),
                )
            })
    }
}

pub struct ApiPath<T>(pub T);

impl<S, T> FromRequestParts<S> for ApiPath<T>
where
    T: DeserializeOwned + Send,
    S: Send + Sync,
{
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        Path::<T>::from_request_parts(parts, state)
            .await
            .map(|Path(v)| ApiPath(v))
            .map_err(|e: PathRejection| {
                AppError::bad_request("invalid_path", format!("invalid path: {}", e.body_text()))
            })
    }
}

/// The authenticated caller: `Authorization: Bearer <access token>`, checked
/// against the store on every request.
pub struct Auth(pub Principal);

impl FromRequestParts<Chat> for Auth {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, chat: &Chat) -> Result<Self, Self::Rejection> {
        let token = parts
            .headers
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| {
                v.strip_prefix("Bearer ")
                    .or_else(|| v.strip_prefix("bearer "))
            })
            .map(str::trim)
            .filter(|t| !t.is_empty())
            .ok_or_else(|| {
                AppError::unauthorized(
                    "missing_token",
                    "send `Authorization: Bearer <access token>`",
                )
            })?;
        chat.authenticate(token).await.map(Auth)
    }
}

/// The client's address and user agent, for the session list and the throttle.
pub struct ClientDevice(pub Device);

impl<S: Send + Sync> FromRequestParts<S> for ClientDevice {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        // The accept loop worked out the client behind trusted proxies.
        let ip = match parts.extensions.get::<super::client_ip::ClientIp>() {
            Some(super::client_ip::ClientIp(ip)) => ip.to_string(),
            None => parts
                .extensions
                .get::<ConnectInfo<SocketAddr>>()
                .map(|ConnectInfo(addr)| addr.ip().to_string())
                .unwrap_or_default(),
        };
        let user_agent = parts
            .headers
            .get(header::USER_AGENT)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .to_owned();
        Ok(ClientDevice(Device { user_agent, ip }))
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn finds_the_field_in_serde_messages() {
        assert_eq!(
            super::field_in("unknown field `nick`, expected one of").as_deref(),
            Some("nick")
        );
        assert_eq!(
            super::field_in("missing field `password` at line 1").as_deref(),
            Some("password")
        );
        assert_eq!(super::field_in("invalid type: integer"), None);
    }
}
