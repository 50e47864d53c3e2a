//! HTTP transport: thin handlers that parse, call a use case and map the result.
//! One file per resource, each exporting `router()`; merged here in reading order.

pub mod admin;
pub mod auth;
pub mod avatars;
pub mod client_ip;
pub mod conversations;
pub mod email;
pub mod error;
pub mod extract;
pub mod files;
pub mod friends;
pub mod health;
pub mod invitations;
pub mod messages;
pub mod mute;
pub mod notifications;
mod openapi;
pub mod password_reset;
pub mod push;
pub mod refresh_cookie;
pub mod search;
pub mod sessions;
pub mod uploads;
pub mod users;
pub mod web;

use axum::{
    extract::{DefaultBodyLimit, Request},
    http::{HeaderMap, HeaderName, Method, Uri},
    middleware::Next,
    response::{IntoResponse, Response},
    Router,
};
use tower_http::{
    compression::{predicate::Predicate, CompressionLayer, DefaultPredicate},
    request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer},
    timeout::RequestBodyTimeoutLayer,
    trace::TraceLayer,
};
use utoipa::OpenApi;
use utoipa_axum::router::OpenApiRouter;
use utoipa_swagger_ui::SwaggerUi;

use crate::{
    chat::Chat,
    error::{AppError, ErrorKind},
};

/// Transport settings chosen by the app from the config.
#[derive(Clone, Debug)]
pub struct HttpSettings {
    pub max_body_bytes: usize,
    /// How long a client may take to send a request body.
    pub body_read_timeout: std::time::Duration,
    /// Where the web client's files come from.
    pub web: web::WebSource,
}

/// The API routes and the OpenAPI document generated from them.
pub fn api() -> (Router<Chat>, utoipa::openapi::OpenApi) {
    let v1 = OpenApiRouter::new()
        .merge(auth::router())
        .merge(password_reset::router())
        .merge(email::router())
        .merge(sessions::router())
        .merge(users::router())
        .merge(conversations::router())
        .merge(mute::router())
        .merge(messages::router())
        .merge(search::router())
        .merge(uploads::router())
        .merge(files::router())
        .merge(avatars::router())
        .merge(friends::router())
        .merge(invitations::router())
        .merge(notifications::router())
        .merge(push::router())
        .merge(admin::router());
    let (router, mut doc) = OpenApiRouter::with_openapi(openapi::ApiDoc::openapi())
        .merge(health::router())
        .nest("/api/v1", v1)
        .split_for_parts();
    openapi::document_common_statuses(&mut doc);
    (router, doc)
}

/// The whole HTTP surface: API, OpenAPI document and docs page, plus `extra`
/// routes with their own state (the WebSocket gateway), with request ids, tracing
/// and body limits.
pub fn router(chat: Chat, settings: HttpSettings, extra: Router) -> Router {
    let max_body = settings.max_body_bytes;
    let max_upload = usize::try_from(chat.upload_max_bytes()).unwrap_or(usize::MAX);
    let (api, openapi) = api();
    let request_id = HeaderName::from_static("x-request-id");
    api.merge(SwaggerUi::new("/api/docs").url("/api/openapi.json", openapi))
        .with_state(chat)
        .merge(extra)
        // After every route is registered: it applies to the routes so far. axum
        // adds the `Allow` header to what this returns.
        .method_not_allowed_fallback(|method: Method| async move {
            AppError::new(
                ErrorKind::MethodNotAllowed,
                "method_not_allowed",
                format!("{method} is not allowed on this path"),
            )
        })
        .fallback(move |method: Method, uri: Uri, headers: HeaderMap| {
            web::serve(settings.web.clone(), method, uri, headers)
        })
        .layer(DefaultBodyLimit::max(settings.max_body_bytes))
        .layer(RequestBodyTimeoutLayer::new(settings.body_read_timeout))
        .layer(axum::middleware::from_fn(move |req: Request, next: Next| {
            // An upload has its own, larger limit (the handler counts what it reads).
            let path = req.uri().path();
            let picture = path.starts_with("/api/v1/") && path.ends_with("/avatar");
            let limit = if path == "/api/v1/uploads" || picture {
                (max_upload, "file_too_large", "the file is over the limit of")
            } else {
                (max_body, "payload_too_large", "request body is over")
            };
            refuse_declared_oversize(req, next, limit)
        }))
        // gzip/brotli for clients that accept it: the client's JS shrinks about 3x.
        // Never a file served in ranges: a byte range of a compressed stream
        // means nothing to the client.
        .layer(CompressionLayer::new().compress_when(
            DefaultPredicate::new().and(|_, _, h: &HeaderMap, _: &axum::http::Extensions| {
                !h.contains_key(axum::http::header::ACCEPT_RANGES)
            }),
        ))
        .layer(
            TraceLayer::new_for_http().make_span_with(|req: &Request| {
                let id = req
                    .headers()
                    .get("x-request-id")
                    .and_then(|v| v.to_str().ok())
                    .unwrap_or("");
                tracing::info_span!("request", method = %req.method(), uri = %req.uri(), request_id = %id)
            }),
        )
        .layer(PropagateRequestIdLayer::new(request_id.clone()))
        .layer(SetRequestIdLayer::new(request_id, MakeRequestUuid))
}

/// A body whose declared `Content-Length` is over the limit is refused before any
/// of it is read: the client learns at once, and the server reads nothing.
async fn refuse_declared_oversize(
    req: Request,
    next: Next,
    (max, code, what): (usize, &'static str, &'static str),
) -> Response {
    let declared = req
        .headers()
        .get(axum::http::header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if declared.is_some_and(|n| n > max as u64) {
        return AppError::new(
            ErrorKind::PayloadTooLarge,
            code,
            format!("{what} {max} bytes"),
        )
        .into_response();
    }
    next.run(req).await
}
