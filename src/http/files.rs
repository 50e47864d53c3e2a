//! `GET /files/{id}/{variant}`: downloading a file, by a signed URL (what a
//! browser's `<img src>` uses) or with a bearer token. Private, immutable, and
//! resumable with `Range`.

use axum::{
    body::Body,
    extract::State,
    http::{header, HeaderMap, HeaderValue, StatusCode},
    response::{IntoResponse, Response},
};
use percent_encoding::{utf8_percent_encode, NON_ALPHANUMERIC};
use serde::Deserialize;
use utoipa::IntoParams;
use utoipa_axum::{router::OpenApiRouter, routes};

use super::{
    error::ErrorBody,
    extract::{ApiPath, ApiQuery, Auth},
};
use crate::{
    chat::{attachments::Reader, Chat},
    domain::{AttachmentKind, UploadId, UserId},
    error::{AppError, AppResult, ErrorKind},
    store::blobs::{Blob, Variant},
};

pub fn router() -> OpenApiRouter<Chat> {
    OpenApiRouter::new().routes(routes!(download))
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct SignedQuery {
    /// The reader the URL was signed for.
    pub u: Option<UserId>,
    /// Expiry, unix seconds.
    pub exp: Option<i64>,
    pub sig: Option<String>,
}

impl SignedQuery {
    /// Who reads: the user a complete signed URL names (checked by the use case),
    /// else the bearer token's user (401 without one).
    pub fn reader(self, auth: Result<Auth, AppError>) -> AppResult<Reader> {
        Ok(match (self.u, self.exp, self.sig) {
            (Some(user), Some(exp), Some(sig)) => Reader::Signed { user, exp, sig },
            _ => Reader::User(auth?.0.user_id),
        })
    }
}

/// A stored file's response with what every stored file is served with: its
/// type and length, nosniff, an inert-document CSP for when it is opened
/// directly, and caching for content that never changes under its id.
pub fn stored_file(blob: Blob, mime: &str) -> AppResult<Response> {
    let len = blob.range.end - blob.range.start;
    let mut res = Response::new(Body::from_stream(blob.stream));
    let h = res.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_str(mime).map_err(AppError::internal)?,
    );
    h.insert(header::CONTENT_LENGTH, HeaderValue::from(len));
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    // Opened directly, a file is an inert document: no script, no plugin, no form.
    h.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static("sandbox; default-src 'none'; img-src 'self'; media-src 'self'"),
    );
    // `private` keeps shared caches out.
    h.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("private, max-age=31536000, immutable"),
    );
    Ok(res)
}

/// Types a browser would run or render as a page: never served as themselves.
const ACTIVE_TYPES: &[&str] = &[
    "text/html",
    "application/xhtml+xml",
    "image/svg+xml",
    "text/xml",
    "application/xml",
    "text/javascript",
    "application/javascript",
];

/// A file (`original`) or an image's thumbnail (`thumb`). Needs a signed URL
/// (`u`, `exp`, `sig`, from `POST /files/urls` or an upload) or a bearer token;
/// either way the reader must still be allowed to see it.
#[utoipa::path(get, path = "/files/{id}/{variant}", tag = "files",
    params(("id" = UploadId, Path), ("variant" = String, Path, description = "`original` or `thumb`"), SignedQuery),
    responses((status = 200, description = "the file, with its own type", content(
            (Vec<u8> = "*/*"))),
        (status = 206, description = "the requested range", content((Vec<u8> = "*/*"))),
        (status = 304, description = "not modified (If-None-Match)"),
        (status = 401, description = "neither a signed URL nor a token", body = ErrorBody),
        (status = 403, description = "a signed URL expired or not valid", body = ErrorBody),
        (status = 404, description = "no such file, or not one the reader may see", body = ErrorBody),
        (status = 416, description = "a range outside the file", body = ErrorBody)))]
async fn download(
    State(chat): State<Chat>,
    ApiPath((id, variant)): ApiPath<(String, String)>,
    ApiQuery(q): ApiQuery<SignedQuery>,
    auth: Result<Auth, AppError>,
    headers: HeaderMap,
) -> AppResult<Response> {
    // Anything that is not a file id (a traversal attempt included) names no file.
    let id: UploadId = id.parse().map_err(|_| AppError::not_found("file"))?;
    let variant = match variant.as_str() {
        "original" => Variant::Original,
        "thumb" => Variant::Thumb,
        _ => return Err(AppError::not_found("file")),
    };
    let reader = q.reader(auth)?;
    let etag = format!("\"{id}-{}\"", variant.as_str());
    // Only the original is served in ranges: a thumbnail is a few kB.
    let range = match (variant, headers.get(header::RANGE)) {
        (Variant::Original, Some(r)) => Some(r.clone()),
        _ => None,
    };
    let upload = chat.file_for(reader, id, variant).await?;
    if headers
        .get(header::IF_NONE_MATCH)
        .is_some_and(|v| v.as_bytes() == etag.as_bytes())
    {
        return Ok((StatusCode::NOT_MODIFIED, [(header::ETAG, etag)]).into_response());
    }
    let size = u64::try_from(upload.attachment.size).unwrap_or(0);
    let wanted = match range.as_ref().and_then(|r| r.to_str().ok()) {
        Some(r) => ranges(r, size)?,
        None => None,
    };
    let blob = chat.file_blob(id, variant, wanted.clone()).await?;
    let a = &upload.attachment;
    let mime = match variant {
        Variant::Thumb => "image/jpeg",
        Variant::Original if ACTIVE_TYPES.contains(&a.mime.as_str()) => "application/octet-stream",
        Variant::Original => a.mime.as_str(),
    };
    let inline = a.kind == AttachmentKind::Image;
    let name = utf8_percent_encode(&a.name, NON_ALPHANUMERIC);
    let ascii: String = a
        .name
        .chars()
        .map(|c| {
            if c.is_ascii_graphic() || c == ' ' {
                c
            } else {
                '_'
            }
        })
        .collect();
    let disposition = format!(
        "{}; filename=\"{ascii}\"; filename*=UTF-8''{name}",
        if inline { "inline" } else { "attachment" }
    );
    let served = blob.range.clone();
    let mut res = stored_file(blob, mime)?;
    let h = res.headers_mut();
    let value = |s: &str| HeaderValue::from_str(s).map_err(AppError::internal);
    h.insert(header::CONTENT_DISPOSITION, value(&disposition)?);
    h.insert(header::ETAG, value(&etag)?);
    if variant == Variant::Original {
        h.insert(header::ACCEPT_RANGES, HeaderValue::from_static("bytes"));
    }
    if wanted.is_some() {
        let r = &served;
        h.insert(
            header::CONTENT_RANGE,
            value(&format!("bytes {}-{}/{size}", r.start, r.end - 1))?,
        );
        *res.status_mut() = StatusCode::PARTIAL_CONTENT;
    }
    Ok(res)
}

/// The one range asked for, as a half-open byte range; `None` (serve the whole
/// file) for a header that does not parse or asks for several ranges, as the
/// RFC allows; 416 for a range outside the file.
fn ranges(header: &str, size: u64) -> AppResult<Option<std::ops::Range<u64>>> {
    let Ok(parsed) = http_range_header::parse_range_header(header) else {
        return Ok(None);
    };
    match parsed.validate(size) {
        Ok(v) if v.len() == 1 => Ok(Some(*v[0].start()..*v[0].end() + 1)),
        Ok(_) => Ok(None),
        Err(_) => Err(AppError::new(
            ErrorKind::RangeNotSatisfiable { size },
            "range_not_satisfiable",
            format!("the range is outside the file ({size} bytes)"),
        )),
    }
}
