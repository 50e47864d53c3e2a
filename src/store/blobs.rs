//! File contents, next to the rows: one interface over the local disk (the default,
//! under the data directory) and any S3-compatible object store, both through the
//! `object_store` crate. Keys are made from upload ids only, never from anything a
//! client wrote, so no request can name a path of its choosing.

use std::{ops::Range, path::Path as FsPath, sync::Arc};

use anyhow::Context as _;
use bytes::Bytes;
use futures_util::{stream::BoxStream, StreamExt, TryStreamExt};
use object_store::{
    aws::AmazonS3Builder, local::LocalFileSystem, path::Path, GetOptions, GetRange, ObjectStore,
    WriteMultipart,
};
use tokio::io::AsyncReadExt;

use super::{StoreError, StoreResult};
use crate::domain::UploadId;

/// Which of an upload's files.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Variant {
    /// The file as served (for images: re-encoded, metadata stripped).
    Original,
    /// A small JPEG or PNG of an image.
    Thumb,
}

impl Variant {
    pub fn as_str(self) -> &'static str {
        match self {
            Variant::Original => "original",
            Variant::Thumb => "thumb",
        }
    }
}

/// Where blobs go, as configured.
#[derive(Debug, Clone)]
pub enum BlobConfig {
    Local(std::path::PathBuf),
    S3 {
        bucket: String,
        endpoint: Option<String>,
        region: String,
        access_key_id: Option<String>,
        secret_access_key: Option<String>,
    },
}

#[derive(Clone)]
pub struct Blobs {
    inner: Arc<dyn ObjectStore>,
    kind: &'static str,
}

/// Part size for streaming a file into the store (S3's minimum is 5 MiB).
const PART: usize = 5 * 1024 * 1024;

/// A file's bytes (or a range of them) as a stream.
pub struct Blob {
    pub range: Range<u64>,
    pub stream: BoxStream<'static, std::io::Result<Bytes>>,
}

impl Blobs {
    pub fn open(config: &BlobConfig) -> anyhow::Result<Self> {
        match config {
            BlobConfig::Local(dir) => {
                std::fs::create_dir_all(dir)
                    .with_context(|| format!("creating {}", dir.display()))?;
                let fs = LocalFileSystem::new_with_prefix(dir)
                    .with_context(|| format!("opening {}", dir.display()))?;
                Ok(Self {
                    inner: Arc::new(fs),
                    kind: "local disk",
                })
            }
            BlobConfig::S3 {
                bucket,
                endpoint,
                region,
                access_key_id,
                secret_access_key,
            } => {
                let mut b = AmazonS3Builder::from_env()
                    .with_bucket_name(bucket)
                    .with_region(region);
                if let Some(e) = endpoint {
                    b = b.with_endpoint(e).with_allow_http(e.starts_with("http://"));
                }
                if let Some(k) = access_key_id {
                    b = b.with_access_key_id(k);
                }
                if let Some(s) = secret_access_key {
                    b = b.with_secret_access_key(s);
                }
                Ok(Self {
                    inner: Arc::new(b.build().context("configuring the S3 store")?),
                    kind: "S3",
                })
            }
        }
    }

    pub fn kind(&self) -> &'static str {
        self.kind
    }

    fn key(id: UploadId, variant: Variant) -> Path {
        // Two characters of the id's random tail as a directory: a local disk
        // holds ~256 directories of files rather than one huge one.
        let s = id.to_string();
        let shard = &s[s.len() - 2..];
        match variant {
            Variant::Original => Path::from(format!("uploads/{shard}/{s}")),
            Variant::Thumb => Path::from(format!("uploads/{shard}/{s}.thumb")),
        }
    }

    /// Stores the file at `path` under `id`, read and sent in parts (never whole
    /// in memory).
    pub async fn put_file(&self, id: UploadId, variant: Variant, path: &FsPath) -> StoreResult<()> {
        let mut file = tokio::fs::File::open(path).await.map_err(other)?;
        let upload = self
            .inner
            .put_multipart(&Self::key(id, variant))
            .await
            .map_err(other)?;
        let mut w = WriteMultipart::new_with_chunk_size(upload, PART);
        let mut buf = vec![0u8; 256 * 1024];
        loop {
            let n = match file.read(&mut buf).await {
                Ok(n) => n,
                Err(e) => {
                    let _ = w.abort().await;
                    return Err(other(e));
                }
            };
            if n == 0 {
                break;
            }
            if let Err(e) = w.wait_for_capacity(2).await {
                return Err(other(e));
            }
            w.write(&buf[..n]);
        }
        w.finish().await.map_err(other)?;
        Ok(())
    }

    pub async fn put_bytes(&self, id: UploadId, variant: Variant, bytes: Bytes) -> StoreResult<()> {
        self.inner
            .put(&Self::key(id, variant), bytes.into())
            .await
            .map_err(other)?;
        Ok(())
    }

    /// `range` of the file (the whole file when `None`); `NotFound` when absent.
    pub async fn get(
        &self,
        id: UploadId,
        variant: Variant,
        range: Option<Range<u64>>,
    ) -> StoreResult<Blob> {
        let opts = GetOptions {
            range: range.map(GetRange::Bounded),
            ..Default::default()
        };
        let got = self
            .inner
            .get_opts(&Self::key(id, variant), opts)
            .await
            .map_err(|e| match e {
                object_store::Error::NotFound { .. } => StoreError::NotFound,
                e => other(e),
            })?;
        let range = got.range.clone();
        let stream = got.into_stream().map_err(std::io::Error::other).boxed();
        Ok(Blob { range, stream })
    }

    /// Deletes both of an upload's files; one already gone is not an error.
    pub async fn delete(&self, id: UploadId) -> StoreResult<()> {
        for v in [Variant::Original, Variant::Thumb] {
            match self.inner.delete(&Self::key(id, v)).await {
                Ok(()) | Err(object_store::Error::NotFound { .. }) => {}
                Err(e) => return Err(other(e)),
            }
        }
        Ok(())
    }

    /// Whether the file is there (for tests and the sweep's report).
    pub async fn exists(&self, id: UploadId, variant: Variant) -> StoreResult<bool> {
        match self.inner.head(&Self::key(id, variant)).await {
            Ok(_) => Ok(true),
            Err(object_store::Error::NotFound { .. }) => Ok(false),
            Err(e) => Err(other(e)),
        }
    }
}

fn other(e: impl Into<anyhow::Error>) -> StoreError {
    StoreError::Other(e.into())
}
