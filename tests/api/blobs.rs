//! The blob store's contract, run on both implementations: the local disk and an
//! S3-compatible server (moto, started on loopback by scripts/s3.sh; under CI a
//! missing one fails the run instead of skipping).

use confab::{
    domain::UploadId,
    store::{
        blobs::{BlobConfig, Blobs, Variant},
        StoreError,
    },
};
use futures_util::TryStreamExt;
use reqwest::StatusCode;

use crate::{
    helpers::{spawn_app_with, Backend},
    pictures,
};

/// The S3 endpoint to test against, or `None` (outside CI) when there is none.
fn s3_endpoint() -> Option<String> {
    match std::env::var("CONFAB_TEST_S3_ENDPOINT") {
        Ok(e) if !e.is_empty() => Some(e),
        _ if std::env::var("CI").is_ok_and(|v| v == "true") => {
            panic!("CONFAB_TEST_S3_ENDPOINT is not set: CI must test the S3 store (scripts/s3.sh starts one)")
        }
        _ => {
            eprintln!("CONFAB_TEST_S3_ENDPOINT not set: S3 store tests NOT run");
            None
        }
    }
}

/// A new, empty bucket on the S3 server.
async fn fresh_bucket(endpoint: &str) -> String {
    let name = format!("confab-t-{}", uuid::Uuid::now_v7().simple());
    let r = reqwest::Client::new()
        .put(format!("{endpoint}/{name}"))
        .send()
        .await
        .expect("S3 server reachable");
    assert!(r.status().is_success(), "creating bucket: {}", r.status());
    name
}

fn s3_config(endpoint: &str, bucket: &str) -> BlobConfig {
    BlobConfig::S3 {
        bucket: bucket.to_owned(),
        endpoint: Some(endpoint.to_owned()),
        region: "us-east-1".to_owned(),
        access_key_id: Some("test".to_owned()),
        secret_access_key: Some("test".to_owned()),
    }
}

async fn read(
    blobs: &Blobs,
    id: UploadId,
    v: Variant,
    range: Option<std::ops::Range<u64>>,
) -> Vec<u8> {
    let blob = blobs.get(id, v, range).await.unwrap();
    let chunks: Vec<bytes::Bytes> = blob.stream.try_collect().await.unwrap();
    chunks.concat()
}

/// What every implementation must do.
async fn contract(blobs: Blobs) {
    let dir = tempfile::tempdir().unwrap();
    // Over one 5 MiB part, so a local file and an S3 multipart upload both take
    // more than one write.
    let data: Vec<u8> = (0..(6 * 1024 * 1024 + 123))
        .map(|i: u32| (i % 253) as u8)
        .collect();
    let path = dir.path().join("f");
    std::fs::write(&path, &data).unwrap();
    let id = UploadId::new();
    assert!(!blobs.exists(id, Variant::Original).await.unwrap());
    blobs.put_file(id, Variant::Original, &path).await.unwrap();
    assert!(blobs.exists(id, Variant::Original).await.unwrap());
    assert!(!blobs.exists(id, Variant::Thumb).await.unwrap());
    assert_eq!(read(&blobs, id, Variant::Original, None).await, data);
    let mid = 5 * 1024 * 1024 - 10..5 * 1024 * 1024 + 10;
    let got = blobs
        .get(id, Variant::Original, Some(mid.clone()))
        .await
        .unwrap();
    assert_eq!(got.range, mid);
    assert_eq!(
        read(&blobs, id, Variant::Original, Some(mid.clone())).await,
        data[mid.start as usize..mid.end as usize]
    );
    blobs
        .put_bytes(id, Variant::Thumb, bytes::Bytes::from_static(b"thumb"))
        .await
        .unwrap();
    assert_eq!(read(&blobs, id, Variant::Thumb, None).await, b"thumb");
    assert!(matches!(
        blobs.get(UploadId::new(), Variant::Original, None).await,
        Err(StoreError::NotFound)
    ));
    blobs.delete(id).await.unwrap();
    assert!(!blobs.exists(id, Variant::Original).await.unwrap());
    assert!(!blobs.exists(id, Variant::Thumb).await.unwrap());
    assert!(matches!(
        blobs.get(id, Variant::Original, None).await,
        Err(StoreError::NotFound)
    ));
    // Deleting what is gone is not an error (a sweep may be retried).
    blobs.delete(id).await.unwrap();
}

#[tokio::test]
async fn the_local_store_keeps_the_contract() {
    let dir = tempfile::tempdir().unwrap();
    let blobs = Blobs::open(&BlobConfig::Local(dir.path().join("files"))).unwrap();
    contract(blobs).await;
}

#[tokio::test]
async fn the_s3_store_keeps_the_contract() {
    let Some(endpoint) = s3_endpoint() else {
        return;
    };
    let bucket = fresh_bucket(&endpoint).await;
    contract(Blobs::open(&s3_config(&endpoint, &bucket)).unwrap()).await;
}

/// The whole path on S3: upload, send, download by signed URL, a range.
#[tokio::test]
async fn a_server_on_s3_serves_uploads() {
    let Some(endpoint) = s3_endpoint() else {
        return;
    };
    let bucket = fresh_bucket(&endpoint).await;
    let url = format!("s3://{bucket}");
    let app = spawn_app_with(
        Backend::Sqlite,
        &[
            "--storage-url",
            &url,
            "--s3-endpoint",
            &endpoint,
            "--s3-access-key-id",
            "test",
            "--s3-secret-access-key",
            "test",
        ],
    )
    .await
    .unwrap();
    let ann = app.register("ann").await;
    let up = app.upload(&ann, "p.png", pictures::png(30, 10)).await;
    assert_eq!(up.status, StatusCode::CREATED, "{:?}", up.body);
    let (s, _, bytes) = app.fetch(up.body["url"].as_str().unwrap(), None, &[]).await;
    assert_eq!(
        (s, pictures::dimensions(&bytes)),
        (StatusCode::OK, (30, 10))
    );
    let (s, h, part) = app
        .fetch(
            up.body["url"].as_str().unwrap(),
            None,
            &[("range", "bytes=0-7")],
        )
        .await;
    assert_eq!(
        (s, part.as_slice()),
        (StatusCode::PARTIAL_CONTENT, &bytes[..8])
    );
    assert_eq!(h["content-range"], format!("bytes 0-7/{}", bytes.len()));
    let (s, _, _) = app
        .fetch(up.body["thumb_url"].as_str().unwrap(), None, &[])
        .await;
    assert_eq!(s, StatusCode::OK);
    // The access rules hold on S3 as on disk: a member reads, a stranger and an
    // anonymous client do not, an expired URL is refused, a deleted message's
    // file is gone until it is restored, an untaken upload is swept.
    let (ben, eve) = (app.register("ben").await, app.register("eve").await);
    let c = app.direct(&ann, &ben).await;
    let id = up.body["id"].as_str().unwrap();
    let sent = crate::uploads::send_with(&app, &ann, &c, "s3", "", &[id]).await;
    assert_eq!(sent.status, StatusCode::CREATED, "{:?}", sent.body);
    let path = format!("/api/v1/files/{id}/thumb");
    assert_eq!(
        app.fetch(&path, Some(&ben.access), &[]).await.0,
        StatusCode::OK
    );
    assert_eq!(
        app.fetch(&path, Some(&eve.access), &[]).await.0,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        app.fetch(&path, None, &[]).await.0,
        StatusCode::UNAUTHORIZED
    );
    let exp = confab::domain::Timestamp::now().millis() / 1000 - 1;
    let (fid, uid) = (id.parse().unwrap(), ben.user_id.parse().unwrap());
    let sig = app.chat.media.signer.sign(fid, "original", uid, exp);
    let old = format!(
        "/api/v1/files/{id}/original?u={}&exp={exp}&sig={sig}",
        ben.user_id
    );
    assert_eq!(app.fetch(&old, None, &[]).await.0, StatusCode::FORBIDDEN);
    let m = sent.body["id"].as_str().unwrap();
    let del = app
        .request(
            reqwest::Method::DELETE,
            &format!("/api/v1/messages/{m}"),
            Some(&ann.access),
            None,
        )
        .await;
    assert!(del.status.is_success());
    assert_eq!(
        app.fetch(&path, Some(&ben.access), &[]).await.0,
        StatusCode::NOT_FOUND
    );
    app.post(
        &format!("/api/v1/messages/{m}/restore"),
        Some(&ann.access),
        serde_json::json!({}),
    )
    .await;
    assert_eq!(
        app.fetch(&path, Some(&ben.access), &[]).await.0,
        StatusCode::OK
    );
    let waiting = app.upload(&ann, "w.txt", b"waiting".to_vec()).await;
    let w: UploadId = waiting.body["id"].as_str().unwrap().parse().unwrap();
    let later = confab::domain::Timestamp::now().plus_secs(25 * 3600);
    assert_eq!(app.chat.sweep_unattached_uploads(later).await.unwrap(), 1);
    assert!(!app
        .chat
        .media
        .blobs
        .exists(w, Variant::Original)
        .await
        .unwrap());
    // Nothing went to the local disk.
    assert!(!app.dir.path().join("files").join("uploads").exists());
}
