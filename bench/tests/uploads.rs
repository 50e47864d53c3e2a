//! `uploads`: a small run reports the file throughput and the photo times.

mod common;

use confab_bench::uploads;

#[tokio::test]
async fn an_uploads_run_times_files_and_photos() {
    let server = common::start().await;
    let report = uploads::run(
        &server.url,
        uploads::Args {
            file_mib: 1,
            files: 2,
            photos: 2,
            photo: "320x240".into(),
        },
    )
    .await
    .unwrap();
    assert_eq!((report.files.len(), report.photos.len()), (2, 2));
    assert_eq!(report.file_bytes, 1024 * 1024);
    assert!(report.file_mib_per_sec > 0.0);
    assert!(report.json()["photo_p50_ms"].as_f64().unwrap() > 0.0);
    server.shutdown().await;
}
