//! The web client: files of `web/dist`, embedded in the binary at build time (or
//! read from `--web-dir`), served with an SPA fallback. Hashed assets are cached for
//! a year; `index.html` is never cached, so a new release is picked up at once.
//! HTML carries a Content-Security-Policy that allows no inline script. The build
//! writes `NAME.br` and `NAME.gz` beside each text file (web/scripts/precompress.mjs);
//! a client that accepts them gets those bytes as they are, compressed once at the
//! highest level rather than on every request.

use std::{borrow::Cow, path::PathBuf};

use axum::{
    http::{header, HeaderMap, HeaderValue, Method, StatusCode, Uri},
    response::{IntoResponse, Response},
};

use crate::error::{AppError, ErrorKind};

#[derive(rust_embed::Embed)]
#[folder = "web/dist"]
#[allow_missing = true]
struct Embedded;

/// Where the client's files come from.
#[derive(Clone, Debug)]
pub enum WebSource {
    Embedded,
    Dir(PathBuf),
}

pub const CSP: &str = "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; \
    img-src 'self' data: blob:; connect-src 'self' ws: wss:; font-src 'self' data:; object-src 'none'; \
    base-uri 'none'; frame-ancestors 'none'; form-action 'self'";

impl WebSource {
    async fn get(&self, path: &str) -> Option<Cow<'static, [u8]>> {
        // No traversal out of the client's directory, whatever the source.
        if path
            .split('/')
            .any(|seg| seg == ".." || seg.starts_with('.'))
            || path.contains('\\')
        {
            return None;
        }
        match self {
            WebSource::Embedded => Embedded::get(path).map(|f| f.data),
            WebSource::Dir(root) => tokio::fs::read(root.join(path)).await.ok().map(Cow::Owned),
        }
    }
}

/// Which precompressed forms the client takes, best first.
fn accepted(headers: &HeaderMap) -> Vec<(&'static str, &'static str)> {
    let accept = headers
        .get_all(header::ACCEPT_ENCODING)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .filter_map(|item| {
            let mut parts = item.split(';').map(str::trim);
            let coding = parts.next()?.to_ascii_lowercase();
            // `br;q=0` means "not br".
            let refused = parts
                .filter_map(|p| p.strip_prefix("q="))
                .any(|q| q.parse::<f32>().is_ok_and(|q| q <= 0.0));
            (!refused).then_some(coding)
        })
        .collect::<Vec<_>>();
    [("br", ".br"), ("gzip", ".gz")]
        .into_iter()
        .filter(|(coding, _)| accept.iter().any(|a| a == coding))
        .collect()
}

/// The file at `path`, precompressed when the client takes it and the build made
/// it: the bytes and the `Content-Encoding` they carry.
async fn encoded(
    source: &WebSource,
    path: &str,
    headers: &HeaderMap,
) -> Option<(Cow<'static, [u8]>, Option<&'static str>)> {
    for (coding, ext) in accepted(headers) {
        if let Some(data) = source.get(&format!("{path}{ext}")).await {
            return Some((data, Some(coding)));
        }
    }
    Some((source.get(path).await?, None))
}

/// A response of `data`, marked with its encoding; `Vary` either way, since the
/// same URL has other bytes for other clients.
fn body_response(
    status: StatusCode,
    data: Cow<'static, [u8]>,
    coding: Option<&'static str>,
) -> Response {
    let mut res = (status, data.into_owned()).into_response();
    let h = res.headers_mut();
    h.insert(header::VARY, HeaderValue::from_static("accept-encoding"));
    if let Some(c) = coding {
        h.insert(header::CONTENT_ENCODING, HeaderValue::from_static(c));
    }
    res
}

fn html_headers(res: &mut Response) {
    let h = res.headers_mut();
    h.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(CSP),
    );
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    h.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
}

/// The page shown when the binary was built without the client.
const NOT_BUILT: &str = r#"<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Confab</title>
<style>body{font:16px/1.5 system-ui,sans-serif;max-width:40rem;margin:4rem auto;padding:0 1rem;color:#1f2937}
code,pre{background:#f3f4f6;border-radius:.375rem;padding:.1rem .35rem}pre{padding:.75rem 1rem}</style></head>
<body><h1>Confab is running</h1>
<p>The API is up (<a href="/api/docs/">API docs</a>), but this binary was built without the web client.</p>
<p>Build the client, then rebuild the server so it embeds <code>web/dist</code>:</p>
<pre>cd web &amp;&amp; npm install &amp;&amp; npm run build &amp;&amp; cd .. &amp;&amp; cargo build --release</pre>
<p>or simply run <code>scripts/run.sh</code>, which does both.</p></body></html>"#;

/// Serves a client file, or `index.html` for any other page path (the client
/// routes it). Unknown `/api/...` paths stay JSON 404s.
pub async fn serve(source: WebSource, method: Method, uri: Uri, headers: HeaderMap) -> Response {
    let path = uri.path().trim_start_matches('/');
    if path == "api"
        || path.starts_with("api/")
        || !(method == Method::GET || method == Method::HEAD)
    {
        return AppError::new(
            ErrorKind::NotFound,
            "not_found",
            format!("no route for {method} {}", uri.path()),
        )
        .into_response();
    }
    if !path.is_empty() && path != "index.html" {
        if let Some((data, coding)) = encoded(&source, path, &headers).await {
            let mime = mime_guess::from_path(path).first_or_octet_stream();
            let mut res = body_response(StatusCode::OK, data, coding);
            res.headers_mut().insert(
                header::CONTENT_TYPE,
                HeaderValue::from_str(mime.as_ref())
                    .unwrap_or(HeaderValue::from_static("application/octet-stream")),
            );
            let cache = if path.starts_with("assets/") {
                "public, max-age=31536000, immutable"
            } else {
                "no-cache"
            };
            res.headers_mut()
                .insert(header::CACHE_CONTROL, HeaderValue::from_static(cache));
            if mime.essence_str() == "text/html" {
                html_headers(&mut res);
            }
            return res;
        }
        // A missing asset is a 404, not the app shell (a stale hashed file name must
        // not come back as HTML).
        if path.starts_with("assets/") || path.rsplit('/').next().is_some_and(|f| f.contains('.')) {
            return (StatusCode::NOT_FOUND, "not found").into_response();
        }
    }
    let mut res = match encoded(&source, "index.html", &headers).await {
        Some((index, coding)) => body_response(StatusCode::OK, index, coding),
        None => (StatusCode::OK, NOT_BUILT).into_response(),
    };
    res.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/html; charset=utf-8"),
    );
    html_headers(&mut res);
    res
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_accept_encoding_with_weights() {
        let h = |v: &str| {
            let mut m = HeaderMap::new();
            m.insert(header::ACCEPT_ENCODING, HeaderValue::from_str(v).unwrap());
            m
        };
        let codings = |v: &str| {
            accepted(&h(v))
                .into_iter()
                .map(|(c, _)| c)
                .collect::<Vec<_>>()
        };
        assert_eq!(codings("gzip, deflate, br, zstd"), ["br", "gzip"]);
        assert_eq!(codings("gzip"), ["gzip"]);
        assert_eq!(codings("br;q=0, gzip;q=0.5"), ["gzip"]);
        assert_eq!(codings("identity"), Vec::<&str>::new());
        assert!(accepted(&HeaderMap::new()).is_empty());
    }

    #[tokio::test]
    async fn paths_cannot_leave_the_client_directory() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("ok.txt"), "ok").unwrap();
        let src = WebSource::Dir(dir.path().join("sub"));
        std::fs::create_dir(dir.path().join("sub")).unwrap();
        assert!(src.get("../ok.txt").await.is_none());
        assert!(src.get("a/../../ok.txt").await.is_none());
        assert!(src.get(".env").await.is_none(), "no dotfiles");
        assert!(src.get("..\\ok.txt").await.is_none());
        let root = WebSource::Dir(dir.path().to_owned());
        assert_eq!(root.get("ok.txt").await.as_deref(), Some(&b"ok"[..]));
    }
}
