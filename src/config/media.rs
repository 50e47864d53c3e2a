//! Uploads and where their files are kept (README, "Files and images").

use clap::Args;

#[derive(Args, Clone)]
pub struct Media {
    /// Where uploaded files are kept: empty for DATA_DIR/files on local disk, or an
    /// S3 bucket as `s3://BUCKET` (credentials and region from the usual AWS_*
    /// variables, or the options below).
    #[arg(long, env = "CONFAB_STORAGE_URL", default_value = "")]
    pub storage_url: String,

    /// An S3-compatible endpoint (MinIO, Ceph, moto...), e.g. http://127.0.0.1:9000.
    #[arg(long, env = "CONFAB_S3_ENDPOINT")]
    pub s3_endpoint: Option<String>,

    /// The bucket's region.
    #[arg(long, env = "CONFAB_S3_REGION", default_value = "us-east-1")]
    pub s3_region: String,

    /// Access key id (else AWS_ACCESS_KEY_ID).
    #[arg(long, env = "CONFAB_S3_ACCESS_KEY_ID")]
    pub s3_access_key_id: Option<String>,

    /// Secret access key (else AWS_SECRET_ACCESS_KEY).
    #[arg(long, env = "CONFAB_S3_SECRET_ACCESS_KEY", hide_env_values = true)]
    pub s3_secret_access_key: Option<String>,

    /// Largest file one upload may be, in bytes (413 over it).
    #[arg(long, env = "CONFAB_UPLOAD_MAX_BYTES", default_value_t = 25 * 1024 * 1024)]
    pub upload_max_bytes: u64,

    /// Largest image, in pixels (width × height); a bigger one is refused (422)
    /// before it is decoded, which is what stops a decompression bomb.
    #[arg(long, env = "CONFAB_UPLOAD_MAX_PIXELS", default_value_t = 50_000_000)]
    pub upload_max_pixels: u64,

    /// Bytes of files one user may keep in all; 0: no quota (413 over it).
    #[arg(long, env = "CONFAB_UPLOAD_QUOTA_BYTES", default_value_t = 1024 * 1024 * 1024)]
    pub upload_quota_bytes: u64,

    /// Types accepted, by MIME type as detected from the content: `*` for any,
    /// or a comma-separated list such as `image/*,application/pdf` (415 otherwise).
    #[arg(long, env = "CONFAB_UPLOAD_TYPES", default_value = "*")]
    pub upload_types: String,

    /// Hours an upload may wait for a message before the sweep deletes it.
    #[arg(long, env = "CONFAB_UPLOAD_UNATTACHED_HOURS", default_value_t = 24)]
    pub upload_unattached_hours: u64,

    /// Images decoded at once (on the blocking pool); 0: one less than the number
    /// of cores (at least 1), so a burst of uploads leaves a core to delivery.
    #[arg(long, env = "CONFAB_IMAGE_WORKERS", default_value_t = 0)]
    pub image_workers: usize,
}

/// The secret key never reaches a log line through `{:?}`.
impl std::fmt::Debug for Media {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Media")
            .field("storage_url", &self.storage_url)
            .field("s3_endpoint", &self.s3_endpoint)
            .field("s3_region", &self.s3_region)
            .field("s3_access_key_id", &self.s3_access_key_id)
            .field(
                "s3_secret_access_key",
                &self.s3_secret_access_key.as_ref().map(|_| "<redacted>"),
            )
            .field("upload_max_bytes", &self.upload_max_bytes)
            .field("upload_max_pixels", &self.upload_max_pixels)
            .field("upload_quota_bytes", &self.upload_quota_bytes)
            .field("upload_types", &self.upload_types)
            .field("upload_unattached_hours", &self.upload_unattached_hours)
            .field("image_workers", &self.image_workers)
            .finish()
    }
}
