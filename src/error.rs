//! The one error type of Confab. Use cases return it; `http::error` turns it into a
//! response in exactly one place. Internal details are logged there, never sent.

use std::{borrow::Cow, fmt};

/// What went wrong, in terms a transport can map to a status code.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorKind {
    BadRequest,
    Unauthorized,
    Forbidden,
    NotFound,
    MethodNotAllowed,
    Conflict,
    PayloadTooLarge,
    /// The client did not send its request in time.
    RequestTimeout,
    UnsupportedMediaType,
    /// A `Range` outside a file of `size` bytes.
    RangeNotSatisfiable {
        size: u64,
    },
    Unprocessable,
    TooManyRequests {
        retry_after_secs: u64,
    },
    Internal,
}

#[derive(Debug)]
pub struct AppError {
    pub kind: ErrorKind,
    /// Stable, machine-readable code such as `username_taken`.
    pub code: &'static str,
    /// Human-readable sentence, safe to show to the user.
    pub message: String,
    /// The request field the error is about, when there is one.
    pub field: Option<Cow<'static, str>>,
    /// The underlying cause of an internal error; logged, never sent.
    pub source: Option<anyhow::Error>,
}

pub type AppResult<T> = Result<T, AppError>;

impl AppError {
    pub fn new(kind: ErrorKind, code: &'static str, message: impl Into<String>) -> Self {
        Self {
            kind,
            code,
            message: message.into(),
            field: None,
            source: None,
        }
    }

    pub fn with_field(mut self, field: impl Into<Cow<'static, str>>) -> Self {
        self.field = Some(field.into());
        self
    }

    /// Replaces the stable code, keeping kind and message.
    pub fn with_code(mut self, code: &'static str) -> Self {
        self.code = code;
        self
    }

    pub fn bad_request(code: &'static str, message: impl Into<String>) -> Self {
        Self::new(ErrorKind::BadRequest, code, message)
    }

    /// Invalid value for one field of an otherwise well-formed request.
    pub fn invalid(field: &'static str, code: &'static str, message: impl Into<String>) -> Self {
        Self::new(ErrorKind::Unprocessable, code, message).with_field(field)
    }

    pub fn unauthorized(code: &'static str, message: impl Into<String>) -> Self {
        Self::new(ErrorKind::Unauthorized, code, message)
    }

    pub fn forbidden(message: impl Into<String>) -> Self {
        Self::new(ErrorKind::Forbidden, "forbidden", message)
    }

    pub fn not_found(what: &str) -> Self {
        Self::new(
            ErrorKind::NotFound,
            "not_found",
            format!("{what} not found"),
        )
    }

    pub fn conflict(code: &'static str, message: impl Into<String>) -> Self {
        Self::new(ErrorKind::Conflict, code, message)
    }

    pub fn too_many_requests(retry_after_secs: u64, message: impl Into<String>) -> Self {
        Self::new(
            ErrorKind::TooManyRequests { retry_after_secs },
            "too_many_requests",
            message,
        )
    }

    pub fn internal(source: impl Into<anyhow::Error>) -> Self {
        Self {
            source: Some(source.into()),
            ..Self::new(ErrorKind::Internal, "internal", "internal server error")
        }
    }
}

impl fmt::Display for AppError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.code, self.message)?;
        if let Some(source) = &self.source {
            write!(f, " ({source:#})")?;
        }
        Ok(())
    }
}

impl std::error::Error for AppError {}

/// Unique keys of the schema, by the name the store reports, with the error a client
/// sees when it collides with one. The one declarative place for constraint mapping.
const UNIQUE_KEYS: &[(&str, &str, &str, &str)] = &[
    (
        "username",
        "username_taken",
        "username",
        "this username is already taken",
    ),
    (
        "email",
        "email_taken",
        "email",
        "this email address is already in use",
    ),
    (
        "attachment",
        "attachment_taken",
        "attachment_ids",
        "an attachment was taken by another message meanwhile",
    ),
];

impl From<crate::store::StoreError> for AppError {
    fn from(err: crate::store::StoreError) -> Self {
        use crate::store::StoreError;
        match err {
            StoreError::NotFound => AppError::not_found("resource"),
            StoreError::Conflict(key) => UNIQUE_KEYS
                .iter()
                .find(|(k, ..)| *k == key)
                .map(|(_, code, field, msg)| AppError::conflict(code, *msg).with_field(*field))
                .unwrap_or_else(|| AppError::conflict("conflict", "the resource already exists")),
            StoreError::Other(e) => AppError::internal(e),
        }
    }
}
