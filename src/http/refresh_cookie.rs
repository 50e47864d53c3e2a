//! The web client's refresh token as an `HttpOnly` cookie, so no script in the page
//! can read it (localStorage could be read by any script that ran there).
//!
//! A client asks for this form with `X-Confab-Refresh: cookie` on register, login
//! and refresh: the answer then sets `confab_refresh` (HttpOnly, SameSite=Strict,
//! Path=/api/v1/auth, Secure over TLS) and leaves `refresh_token` out of the JSON.
//! A refresh from the cookie needs that same header, which a cross-site form cannot
//! send and a cross-origin script cannot send without a CORS preflight (never
//! granted), and an `Origin`, when the browser sends one, naming this server:
//! SameSite alone would leave older browsers open to cross-site requests. API
//! clients keep the JSON body form and never see a cookie.

use axum::{
    extract::FromRequestParts,
    http::{header, request::Parts, HeaderValue, StatusCode},
    response::{IntoResponse, Response},
    Json,
};
use cookie::{time::Duration, Cookie, SameSite};

use crate::{
    chat::views::TokenResponse,
    error::{AppError, AppResult},
};

pub const COOKIE: &str = "confab_refresh";
const PATH: &str = "/api/v1/auth";
const MODE_HEADER: &str = "x-confab-refresh";

/// What the request says about the cookie form.
pub struct RefreshCookie {
    /// The client asked for the cookie form.
    wanted: bool,
    /// The request came over TLS (directly or as the proxy says).
    secure: bool,
    /// No `Origin`, or one naming this server.
    same_origin: bool,
    /// The cookie's value, when the browser sent it.
    value: Option<String>,
    /// Seconds the cookie lives: the refresh token's idle lifetime.
    max_age: i64,
}

impl FromRequestParts<crate::chat::Chat> for RefreshCookie {
    type Rejection = AppError;

    async fn from_request_parts(
        parts: &mut Parts,
        chat: &crate::chat::Chat,
    ) -> Result<Self, Self::Rejection> {
        let h = &parts.headers;
        let text = |name| h.get(name).and_then(|v: &HeaderValue| v.to_str().ok());
        let wanted = text(MODE_HEADER).is_some_and(|v| v.eq_ignore_ascii_case("cookie"));
        let secure = text("x-forwarded-proto").is_some_and(|p| p.eq_ignore_ascii_case("https"))
            || parts.uri.scheme_str() == Some("https");
        let host = text(header::HOST.as_str()).unwrap_or("");
        let same_origin = match text(header::ORIGIN.as_str()) {
            None => true,
            Some(origin) => origin
                .split_once("://")
                .is_some_and(|(_, authority)| authority.eq_ignore_ascii_case(host)),
        };
        let value = h
            .get_all(header::COOKIE)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .flat_map(Cookie::split_parse)
            .filter_map(Result::ok)
            .find(|c| c.name() == COOKIE)
            .map(|c| c.value().to_owned());
        Ok(Self {
            wanted,
            secure,
            same_origin,
            value,
            max_age: chat.policy.refresh_ttl_secs,
        })
    }
}

impl RefreshCookie {
    /// The refresh token to spend: the body's (API clients), else the cookie's,
    /// which only the client's own same-origin requests may spend.
    pub fn token(&self, from_body: Option<String>) -> AppResult<String> {
        if let Some(t) = from_body {
            return Ok(t);
        }
        let Some(value) = &self.value else {
            return Err(AppError::unauthorized(
                "missing_refresh_token",
                "send `refresh_token` in the body, or the refresh cookie with `X-Confab-Refresh: cookie`",
            ));
        };
        if !self.wanted || !self.same_origin {
            return Err(AppError::forbidden(
                "a refresh from the cookie needs `X-Confab-Refresh: cookie` from this server's own pages",
            )
            .with_code("csrf"));
        }
        Ok(value.clone())
    }

    /// The answer carrying `tokens`: in the cookie form, the refresh token moves
    /// from the JSON into the cookie.
    pub fn respond(&self, status: StatusCode, mut tokens: TokenResponse) -> Response {
        if !self.wanted {
            return (status, Json(tokens)).into_response();
        }
        let token = tokens.refresh_token.take().unwrap_or_default();
        let cookie = self.cookie(token, Duration::seconds(self.max_age));
        let mut res = (status, Json(tokens)).into_response();
        if let Ok(v) = HeaderValue::from_str(&cookie.to_string()) {
            res.headers_mut().append(header::SET_COOKIE, v);
        }
        res
    }

    /// After a logout: a cookie that expires at once, when the client uses cookies.
    pub fn cleared(&self, mut res: Response) -> Response {
        if self.wanted || self.value.is_some() {
            let cookie = self.cookie(String::new(), Duration::ZERO);
            if let Ok(v) = HeaderValue::from_str(&cookie.to_string()) {
                res.headers_mut().append(header::SET_COOKIE, v);
            }
        }
        res
    }

    fn cookie(&self, value: String, max_age: Duration) -> Cookie<'static> {
        Cookie::build((COOKIE, value))
            .http_only(true)
            .same_site(SameSite::Strict)
            .secure(self.secure)
            .path(PATH)
            .max_age(max_age)
            .build()
    }
}
