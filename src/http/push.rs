//! `/push`: the server's VAPID key and this user's push subscriptions.

use axum::{extract::State, http::StatusCode, Json};
use serde::Serialize;
use utoipa::ToSchema;
use utoipa_axum::{router::OpenApiRouter, routes};

use super::{
    error::ErrorBody,
    extract::{ApiJson, ApiPath, Auth, ClientDevice},
};
use crate::{
    chat::{
        push::{SubscribeInput, SubscriptionView},
        Chat,
    },
    domain::PushSubscriptionId,
    error::AppResult,
};

pub fn router() -> OpenApiRouter<Chat> {
    OpenApiRouter::new()
        .routes(routes!(vapid_key))
        .routes(routes!(subscribe, list))
        .routes(routes!(unsubscribe))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct VapidKey {
    /// `applicationServerKey` for `pushManager.subscribe` (base64url, uncompressed P-256).
    pub public_key: String,
}

/// The key browsers subscribe with.
#[utoipa::path(get, path = "/push/key", tag = "push", responses((status = 200, body = VapidKey)))]
async fn vapid_key(State(chat): State<Chat>) -> Json<VapidKey> {
    Json(VapidKey {
        public_key: chat.vapid_public_key().to_owned(),
    })
}

/// Subscribe this browser (its `PushSubscription.toJSON()`) to pushes while the
/// user is away. Tied to this session: signing out removes it.
#[utoipa::path(post, path = "/push/subscriptions", tag = "push", security(("bearer" = [])),
    request_body = SubscribeInput,
    responses((status = 201, body = SubscriptionView), (status = 401, body = ErrorBody),
        (status = 409, description = "too many devices subscribed", body = ErrorBody),
        (status = 422, description = "an endpoint the server does not send to, or bad keys", body = ErrorBody)))]
async fn subscribe(
    State(chat): State<Chat>,
    Auth(who): Auth,
    ClientDevice(device): ClientDevice,
    ApiJson(input): ApiJson<SubscribeInput>,
) -> AppResult<(StatusCode, Json<SubscriptionView>)> {
    let view = chat.subscribe_push(&who, input, &device).await?;
    Ok((StatusCode::CREATED, Json(view)))
}

/// Devices that get pushes (subscriptions of signed-in sessions).
#[utoipa::path(get, path = "/push/subscriptions", tag = "push", security(("bearer" = [])),
    responses((status = 200, body = Vec<SubscriptionView>), (status = 401, body = ErrorBody)))]
async fn list(State(chat): State<Chat>, Auth(who): Auth) -> AppResult<Json<Vec<SubscriptionView>>> {
    Ok(Json(chat.push_subscriptions(&who).await?))
}

/// Stop pushes to a device.
#[utoipa::path(delete, path = "/push/subscriptions/{id}", tag = "push", security(("bearer" = [])),
    params(("id" = PushSubscriptionId, Path)),
    responses((status = 204), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)))]
async fn unsubscribe(
    State(chat): State<Chat>,
    Auth(who): Auth,
    ApiPath(id): ApiPath<PushSubscriptionId>,
) -> AppResult<StatusCode> {
    chat.unsubscribe_push(&who, id).await?;
    Ok(StatusCode::NO_CONTENT)
}
