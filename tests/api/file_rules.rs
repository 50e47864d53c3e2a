//! Files: the limits, ranges and caching, signed URLs, the sweep.

use confab::{domain::Timestamp, store::blobs::Variant};
use reqwest::StatusCode;

use crate::{
    helpers::{spawn_app, spawn_app_with, Backend, TestApp},
    pictures,
    uploads::send_with,
};

#[tokio::test]
async fn limits_refuse_clearly_and_store_nothing() {
    let app = spawn_app_with(
        Backend::Sqlite,
        &[
            "--upload-max-bytes",
            "5000",
            "--upload-quota-bytes",
            "7000",
            "--upload-max-pixels",
            "10000",
            "--upload-types",
            "image/*,text/plain",
        ],
    )
    .await
    .unwrap();
    let ann = app.register("ann").await;
    let r = app.upload(&ann, "big.txt", vec![b'a'; 6000]).await;
    assert_eq!(
        (r.status, r.code()),
        (StatusCode::PAYLOAD_TOO_LARGE, "file_too_large")
    );
    let r = app.upload(&ann, "empty.txt", Vec::new()).await;
    assert_eq!(
        (r.status, r.code()),
        (StatusCode::UNPROCESSABLE_ENTITY, "empty_file")
    );
    // 101×100 pixels is over 10 000: refused before decoding.
    let r = app.upload(&ann, "px.png", pictures::png(101, 100)).await;
    assert_eq!(
        (r.status, r.code()),
        (StatusCode::UNPROCESSABLE_ENTITY, "image_too_large"),
        "{:?}",
        r.body
    );
    // A bomb's header: 100 000 × 100 000 in a few bytes.
    let r = app
        .upload(&ann, "bomb.png", pictures::png_claiming(100_000, 100_000))
        .await;
    assert_eq!(
        (r.status, r.code()),
        (StatusCode::UNPROCESSABLE_ENTITY, "image_too_large"),
        "{:?}",
        r.body
    );
    let broken = pictures::png(10, 10)[..60].to_vec();
    let r = app.upload(&ann, "cut.png", broken).await;
    assert_eq!(
        (r.status, r.code()),
        (StatusCode::UNPROCESSABLE_ENTITY, "image_undecodable"),
        "{:?}",
        r.body
    );
    let zip = b"PK\x03\x04\x14\x00\x00\x00\x08\x00rest of a zip".to_vec();
    let r = app.upload(&ann, "a.zip", zip).await;
    assert_eq!(
        (r.status, r.code()),
        (StatusCode::UNSUPPORTED_MEDIA_TYPE, "type_not_allowed"),
        "{:?}",
        r.body
    );
    // Nothing of the refused files was kept.
    assert_eq!(stored_files(&app), 0);
    assert_eq!(
        app.upload(&ann, "a.txt", vec![b'a'; 4000]).await.status,
        StatusCode::CREATED
    );
    let r = app.upload(&ann, "b.txt", vec![b'b'; 4000]).await;
    assert_eq!(
        (r.status, r.code()),
        (StatusCode::PAYLOAD_TOO_LARGE, "quota_exceeded")
    );
    assert_eq!(stored_files(&app), 1);
}

/// Files under the local store's directory.
fn stored_files(app: &TestApp) -> usize {
    fn count(p: &std::path::Path) -> usize {
        std::fs::read_dir(p).map_or(0, |d| {
            d.flatten()
                .map(|e| {
                    if e.path().is_dir() {
                        count(&e.path())
                    } else {
                        1
                    }
                })
                .sum()
        })
    }
    count(&app.dir.path().join("files"))
}

#[tokio::test]
async fn a_declared_oversize_body_is_refused_before_it_is_read() {
    let app = spawn_app_with(Backend::Sqlite, &["--upload-max-bytes", "1000"])
        .await
        .unwrap();
    let ann = app.register("ann").await;
    let res = app
        .client
        .post(format!("{}/api/v1/uploads", app.base))
        .bearer_auth(&ann.access)
        .header("content-length", "1000000")
        .body(vec![0u8; 10])
        .send()
        .await;
    // Refused at once (the server may close before the client is done writing).
    if let Ok(res) = res {
        assert_eq!(res.status(), StatusCode::PAYLOAD_TOO_LARGE);
    }
    // Uploads have their own limit: bigger than the JSON body limit.
    let r = app.upload(&ann, "a.bin", vec![7u8; 900]).await;
    assert_eq!(r.status, StatusCode::CREATED, "{:?}", r.body);
}

#[tokio::test]
async fn downloads_resume_with_ranges_and_are_cached_privately() {
    let app = spawn_app(Backend::Sqlite).await.unwrap();
    let ann = app.register("ann").await;
    let data: Vec<u8> = (0..100_000u32).map(|i| (i % 251) as u8).collect();
    let up = app.upload(&ann, "data.bin", data.clone()).await;
    let url = up.body["url"].as_str().unwrap();
    let (s, h, body) = app.fetch(url, None, &[("range", "bytes=1000-1999")]).await;
    assert_eq!(s, StatusCode::PARTIAL_CONTENT);
    assert_eq!(h["content-range"], "bytes 1000-1999/100000");
    assert_eq!(body, data[1000..2000]);
    let (s, _, body) = app.fetch(url, None, &[("range", "bytes=-10")]).await;
    assert_eq!(
        (s, body.as_slice()),
        (StatusCode::PARTIAL_CONTENT, &data[99_990..])
    );
    let (s, h, _) = app.fetch(url, None, &[("range", "bytes=200000-")]).await;
    assert_eq!(
        (s, &h["content-range"]),
        (
            StatusCode::RANGE_NOT_SATISFIABLE,
            &"bytes */100000".parse().unwrap()
        )
    );
    // Whole, never compressed (a range of a compressed stream means nothing).
    let (s, h, body) = app
        .fetch(url, None, &[("accept-encoding", "gzip, br")])
        .await;
    assert_eq!((s, body.len()), (StatusCode::OK, 100_000));
    assert!(h.get("content-encoding").is_none());
    assert_eq!(h["accept-ranges"], "bytes");
    assert_eq!(h["cache-control"], "private, max-age=31536000, immutable");
    let etag = h["etag"].to_str().unwrap().to_owned();
    let (s, _, _) = app.fetch(url, None, &[("if-none-match", &etag)]).await;
    assert_eq!(s, StatusCode::NOT_MODIFIED);
}

#[tokio::test]
async fn signed_urls_expire_and_name_one_file() {
    let app = spawn_app(Backend::Sqlite).await.unwrap();
    let ann = app.register("ann").await;
    let a = app.upload(&ann, "a.txt", b"aaa".to_vec()).await;
    let b = app.upload(&ann, "b.txt", b"bbb".to_vec()).await;
    let (a_url, b_id) = (
        a.body["url"].as_str().unwrap(),
        b.body["id"].as_str().unwrap(),
    );
    // A's signature on B's path is refused.
    let a_id = a.body["id"].as_str().unwrap();
    let swapped = a_url.replace(a_id, b_id);
    let r = app.fetch(&swapped, None, &[]).await;
    assert_eq!(r.0, StatusCode::FORBIDDEN);
    // A correctly signed URL whose hour has passed.
    let id = a_id.parse().unwrap();
    let user = ann.user_id.parse().unwrap();
    let exp = Timestamp::now().millis() / 1000 - 1;
    let sig = app.chat.media.signer.sign(id, "original", user, exp);
    let old = format!(
        "/api/v1/files/{a_id}/original?u={}&exp={exp}&sig={sig}",
        ann.user_id
    );
    let r = app.fetch(&old, None, &[]).await;
    assert_eq!(r.0, StatusCode::FORBIDDEN);
    assert!(String::from_utf8_lossy(&r.2).contains("url_expired"));
    // Unknown files and variants are 404, not errors.
    let unknown = format!("/api/v1/files/{}/original", uuid::Uuid::now_v7());
    assert_eq!(
        app.fetch(&unknown, Some(&ann.access), &[]).await.0,
        StatusCode::NOT_FOUND
    );
    let traversal = "/api/v1/files/..%2F..%2Fetc%2Fpasswd/original";
    assert_eq!(
        app.fetch(traversal, Some(&ann.access), &[]).await.0,
        StatusCode::NOT_FOUND
    );
    let avatar = "/api/v1/avatars/..%2F..%2Fetc%2Fpasswd";
    assert_eq!(
        app.fetch(avatar, Some(&ann.access), &[]).await.0,
        StatusCode::NOT_FOUND
    );
    let variant = format!("/api/v1/files/{a_id}/..%2F..%2Fetc%2Fpasswd");
    assert_eq!(
        app.fetch(&variant, Some(&ann.access), &[]).await.0,
        StatusCode::NOT_FOUND
    );
    let thumb = format!("/api/v1/files/{a_id}/thumb");
    assert_eq!(
        app.fetch(&thumb, Some(&ann.access), &[]).await.0,
        StatusCode::NOT_FOUND
    );
}

#[tokio::test]
async fn uploads_no_message_takes_are_swept() {
    let app = spawn_app(Backend::Sqlite).await.unwrap();
    let (ann, ben) = (app.register("ann").await, app.register("ben").await);
    let c = app.direct(&ann, &ben).await;
    let waiting = app.upload(&ann, "w.png", pictures::png(4, 4)).await;
    let sent = app.upload(&ann, "s.png", pictures::png(4, 4)).await;
    let sent_id = sent.body["id"].as_str().unwrap();
    assert_eq!(
        send_with(&app, &ann, &c, "s", "", &[sent_id]).await.status,
        StatusCode::CREATED
    );
    // Not yet: less than a day old.
    assert_eq!(
        app.chat
            .sweep_unattached_uploads(Timestamp::now())
            .await
            .unwrap(),
        0
    );
    let later = Timestamp::now().plus_secs(25 * 3600);
    assert_eq!(app.chat.sweep_unattached_uploads(later).await.unwrap(), 1);
    let w: confab::domain::UploadId = waiting.body["id"].as_str().unwrap().parse().unwrap();
    let blobs = &app.chat.media.blobs;
    assert!(!blobs.exists(w, Variant::Original).await.unwrap());
    assert!(!blobs.exists(w, Variant::Thumb).await.unwrap());
    assert!(blobs
        .exists(sent_id.parse().unwrap(), Variant::Original)
        .await
        .unwrap());
    let path = format!("/api/v1/files/{w}/original");
    assert_eq!(
        app.fetch(&path, Some(&ann.access), &[]).await.0,
        StatusCode::NOT_FOUND
    );
    // Swept uploads leave the quota.
    assert_eq!(app.chat.sweep_unattached_uploads(later).await.unwrap(), 0);
}
