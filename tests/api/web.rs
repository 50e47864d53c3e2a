//! The web client as the binary serves it: SPA fallback, cache headers, CSP, and a
//! helpful page when the client was not built. Backend-independent (SQLite only).

use reqwest::StatusCode;

use crate::helpers::{spawn_app_with, Backend};

async fn app_with_client(files: &[(&str, &str)]) -> (crate::helpers::TestApp, tempfile::TempDir) {
    let web = tempfile::tempdir().unwrap();
    for (path, body) in files {
        let p = web.path().join(path);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, body).unwrap();
    }
    let dir = web.path().to_str().unwrap().to_owned();
    let app = spawn_app_with(Backend::Sqlite, &["--web-dir", &dir])
        .await
        .unwrap();
    (app, web)
}

fn csp(r: &reqwest::Response) -> String {
    r.headers()["content-security-policy"]
        .to_str()
        .unwrap()
        .to_owned()
}

#[tokio::test]
async fn the_client_is_served_with_an_spa_fallback_and_the_right_caching() {
    let js = "console.log('hello from the client');\n".repeat(100);
    let script = js.as_str();
    let (app, _web) = app_with_client(&[
        ("index.html", "<!doctype html><div id=\"root\"></div><script type=\"module\" src=\"/assets/app-1a2b3c.js\"></script>"),
        ("assets/app-1a2b3c.js", script),
        ("favicon.svg", "<svg/>"),
    ])
    .await;
    let get = |p: &str| app.client.get(format!("{}{p}", app.base)).send();

    let index = get("/").await.unwrap();
    assert_eq!(index.status(), StatusCode::OK);
    assert_eq!(
        index.headers()["cache-control"],
        "no-cache",
        "index.html is never cached"
    );
    let policy = csp(&index);
    assert!(policy.contains("script-src 'self';"), "{policy}");
    assert!(
        !policy
            .split(';')
            .any(|d| d.contains("script-src") && d.contains("unsafe-inline")),
        "no inline scripts: {policy}"
    );
    assert!(index.text().await.unwrap().contains("id=\"root\""));

    for page in [
        "/friends",
        "/c/01a1ff8b-64b1-7675-bdec-57f0ec63fc61",
        "/admin",
    ] {
        let r = get(page).await.unwrap();
        assert_eq!(r.status(), StatusCode::OK, "{page}");
        assert!(
            r.text().await.unwrap().contains("id=\"root\""),
            "{page} gets the app shell"
        );
    }

    let zipped = app
        .client
        .get(format!("{}/assets/app-1a2b3c.js", app.base))
        .header("accept-encoding", "gzip")
        .send()
        .await
        .unwrap();
    assert_eq!(
        zipped.headers()["content-encoding"],
        "gzip",
        "assets are compressed for clients that accept it"
    );

    let js = get("/assets/app-1a2b3c.js").await.unwrap();
    assert_eq!(
        js.headers()["cache-control"],
        "public, max-age=31536000, immutable"
    );
    assert!(js.headers()["content-type"]
        .to_str()
        .unwrap()
        .contains("javascript"));
    assert_eq!(
        get("/favicon.svg").await.unwrap().headers()["content-type"],
        "image/svg+xml"
    );
    assert_eq!(
        get("/assets/app-old.js").await.unwrap().status(),
        StatusCode::NOT_FOUND,
        "a stale asset is not the shell"
    );

    let api = get("/api/v1/nope").await.unwrap();
    assert_eq!(api.status(), StatusCode::NOT_FOUND);
    assert_eq!(
        api.json::<serde_json::Value>().await.unwrap()["error"]["code"],
        "not_found"
    );
    let post = app
        .client
        .post(format!("{}/friends", app.base))
        .send()
        .await
        .unwrap();
    assert_eq!(post.status(), StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn without_a_built_client_the_root_page_says_how_to_build_it() {
    let (app, _web) = app_with_client(&[]).await;
    let r = app
        .client
        .get(format!("{}/", app.base))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    assert!(csp(&r).contains("default-src 'self'"));
    let page = r.text().await.unwrap();
    assert!(
        page.contains("npm run build") && page.contains("scripts/run.sh"),
        "{page}"
    );
    // The API works regardless.
    assert_eq!(
        app.client
            .get(format!("{}/readyz", app.base))
            .send()
            .await
            .unwrap()
            .status(),
        StatusCode::OK
    );
}

/// Text files come precompressed from the build: brotli for a client that takes
/// it, gzip for one that takes only gzip, the plain file otherwise; the bytes are
/// the build's own (not compressed again per request), and `Vary` says so.
#[tokio::test]
async fn precompressed_files_are_sent_as_the_build_made_them() {
    let (app, _web) = app_with_client(&[
        ("index.html", "<!doctype html><div id=\"root\"></div>"),
        ("index.html.br", "BROTLI-INDEX"),
        ("assets/app-9f.js", "console.log('plain');"),
        ("assets/app-9f.js.br", "BROTLI-BYTES"),
        ("assets/app-9f.js.gz", "GZIP-BYTES"),
    ])
    .await;
    let get = |p: &str, accept: Option<&str>| {
        let mut r = app.client.get(format!("{}{p}", app.base));
        if let Some(a) = accept {
            r = r.header("accept-encoding", a);
        }
        r.send()
    };
    let enc = |r: &reqwest::Response| {
        r.headers()
            .get("content-encoding")
            .map(|v| v.to_str().unwrap().to_owned())
    };
    for (accept, coding, body) in [
        (Some("gzip, deflate, br"), Some("br"), "BROTLI-BYTES"),
        (Some("gzip"), Some("gzip"), "GZIP-BYTES"),
        (Some("br;q=0, gzip"), Some("gzip"), "GZIP-BYTES"),
        (None, None, "console.log('plain');"),
    ] {
        let r = get("/assets/app-9f.js", accept).await.unwrap();
        assert_eq!(r.status(), StatusCode::OK);
        assert_eq!(enc(&r).as_deref(), coding, "{accept:?}");
        assert_eq!(r.headers()["vary"], "accept-encoding");
        assert_eq!(
            r.headers()["content-type"],
            "text/javascript",
            "the file's own type"
        );
        assert_eq!(r.text().await.unwrap(), body, "{accept:?}");
    }
    // The app shell too, from any page path.
    let r = get("/friends", Some("br")).await.unwrap();
    assert_eq!(enc(&r).as_deref(), Some("br"));
    assert!(r.headers()["content-type"]
        .to_str()
        .unwrap()
        .starts_with("text/html"));
    assert_eq!(r.text().await.unwrap(), "BROTLI-INDEX");
}
