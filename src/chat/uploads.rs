//! Receiving an upload: streamed to a temporary file, checked against the limits,
//! its type decided from its bytes, images processed off the runtime, then stored
//! (file and row, or neither).

use std::{path::PathBuf, sync::Arc, time::Duration};

use bytes::Bytes;
use futures_util::{Stream, StreamExt};
use serde::Serialize;
use tokio::{io::AsyncWriteExt, sync::Semaphore};
use utoipa::ToSchema;

use super::{attachments::FileUrls, images, Chat, Principal};
use crate::{
    auth::signed_urls::UrlSigner,
    domain::{attachment::clean_name, Attachment, Timestamp, Upload, UploadId},
    error::{AppError, AppResult, ErrorKind},
    store::blobs::{Blobs, Variant},
};

/// Limits on uploads, decided by the app from the config.
#[derive(Debug, Clone)]
pub struct MediaLimits {
    pub max_bytes: u64,
    pub max_pixels: u64,
    /// 0: no quota.
    pub quota_bytes: u64,
    /// MIME patterns accepted (`image/*`, `application/pdf`); empty: any.
    pub types: Vec<String>,
    pub unattached: Duration,
}

/// Blob storage and what processing files needs. Cheap to clone.
#[derive(Clone)]
pub struct Media {
    pub blobs: Blobs,
    pub signer: UrlSigner,
    pub limits: MediaLimits,
    /// Images decoded at once: a burst of uploads cannot take every blocking
    /// thread (or core) from message delivery.
    pub workers: Arc<Semaphore>,
    /// Where an upload's bytes wait while they are checked (under the data
    /// directory, so on the same disk as the local store).
    pub tmp_dir: PathBuf,
}

/// An upload as its uploader sees it: the facts, plus URLs valid for an hour or
/// two.
#[derive(Debug, Serialize, ToSchema)]
pub struct UploadView {
    #[serde(flatten)]
    pub attachment: Attachment,
    #[serde(flatten)]
    pub urls: FileUrls,
}

fn too_large(code: &'static str, message: String) -> AppError {
    AppError::new(ErrorKind::PayloadTooLarge, code, message)
}

impl Chat {
    /// Largest upload accepted, in bytes.
    pub fn upload_max_bytes(&self) -> u64 {
        self.media.limits.max_bytes
    }

    /// Receives, checks and stores an upload. The body is streamed to a
    /// temporary file (never whole in memory); going over the size limit or the
    /// quota, a refused type or a refused image stores nothing.
    pub async fn upload<S, E>(
        &self,
        who: &Principal,
        name: &str,
        declared: Option<u64>,
        body: S,
    ) -> AppResult<UploadView>
    where
        S: Stream<Item = Result<Bytes, E>> + Unpin,
        E: std::fmt::Display,
    {
        let limits = &self.media.limits;
        let used = u64::try_from(self.store.upload_bytes(who.user_id).await?).unwrap_or(0);
        let check_quota = |size: u64| -> AppResult<()> {
            if limits.quota_bytes > 0 && used + size > limits.quota_bytes {
                return Err(too_large(
                    "quota_exceeded",
                    format!(
                        "this file would take your storage over its quota of {} bytes ({} used)",
                        limits.quota_bytes, used
                    ),
                ));
            }
            Ok(())
        };
        check_quota(declared.unwrap_or(0))?;
        let tmp = self.receive(body).await?;
        let size = tmp.1;
        if size == 0 {
            return Err(AppError::invalid("body", "empty_file", "the file is empty"));
        }
        check_quota(size)?;

        let out = tmp.0.with_extension("out");
        let _out_guard = tempfile::TempPath::try_from_path(&out).map_err(AppError::internal)?;
        let processed = {
            let _permit = self
                .media
                .workers
                .acquire()
                .await
                .map_err(AppError::internal)?;
            let (input, output, max) = (tmp.0.to_path_buf(), out.clone(), limits.max_pixels);
            tokio::task::spawn_blocking(move || images::process(&input, &output, max))
                .await
                .map_err(AppError::internal)?
        }
        .map_err(refused_image)?;
        if !type_allowed(&limits.types, &processed.mime) {
            return Err(AppError::new(
                ErrorKind::UnsupportedMediaType,
                "type_not_allowed",
                format!("files of type {} are not accepted here", processed.mime),
            ));
        }
        let served = if processed.reencoded { &out } else { &*tmp.0 };
        let size = tokio::fs::metadata(served)
            .await
            .map_err(AppError::internal)?
            .len();
        let upload = Upload {
            attachment: Attachment {
                id: UploadId::new(),
                kind: processed.kind,
                mime: processed.mime,
                name: clean_name(name),
                size: i64::try_from(size).unwrap_or(i64::MAX),
                width: processed.width,
                height: processed.height,
            },
            uploader_id: who.user_id,
            created_at: Timestamp::now(),
            message_id: None,
            conversation_id: None,
            has_thumb: processed.thumb.is_some(),
        };
        let id = upload.attachment.id;
        let blobs = &self.media.blobs;
        let stored = async {
            blobs.put_file(id, Variant::Original, served).await?;
            if let Some(t) = processed.thumb {
                blobs.put_bytes(id, Variant::Thumb, Bytes::from(t)).await?;
            }
            self.store.insert_upload(&upload).await
        }
        .await;
        if let Err(e) = stored {
            // Nothing half-stored: a row without its file, or a file without a row.
            let _ = blobs.delete(id).await;
            return Err(e.into());
        }
        let urls = self.file_urls(who.user_id, &upload);
        Ok(UploadView {
            attachment: upload.attachment,
            urls,
        })
    }

    /// Streams a body into a temporary file, counting; over the limit stops at
    /// once with 413.
    pub(super) async fn receive<S, E>(&self, mut body: S) -> AppResult<(tempfile::TempPath, u64)>
    where
        S: Stream<Item = Result<Bytes, E>> + Unpin,
        E: std::fmt::Display,
    {
        let max = self.media.limits.max_bytes;
        tokio::fs::create_dir_all(&self.media.tmp_dir)
            .await
            .map_err(AppError::internal)?;
        let path = tempfile::Builder::new()
            .prefix("upload-")
            .tempfile_in(&self.media.tmp_dir)
            .map_err(AppError::internal)?
            .into_temp_path();
        let mut file = tokio::fs::File::create(&path)
            .await
            .map_err(AppError::internal)?;
        let mut size = 0u64;
        while let Some(chunk) = body.next().await {
            let chunk = chunk.map_err(|e| {
                AppError::bad_request(
                    "body_read_failed",
                    format!("reading the upload failed: {e}"),
                )
            })?;
            size += chunk.len() as u64;
            if size > max {
                return Err(too_large(
                    "file_too_large",
                    format!("the file is over the limit of {max} bytes"),
                ));
            }
            file.write_all(&chunk).await.map_err(AppError::internal)?;
        }
        file.flush().await.map_err(AppError::internal)?;
        Ok((path, size))
    }
}

pub(super) fn refused_image(e: anyhow::Error) -> AppError {
    match e.downcast::<images::ImageRefused>() {
        Ok(r @ images::ImageRefused::TooLarge { .. }) => {
            AppError::invalid("body", "image_too_large", r.to_string())
        }
        Ok(r @ images::ImageRefused::Undecodable { .. }) => {
            AppError::invalid("body", "image_undecodable", r.to_string())
        }
        Err(e) => AppError::internal(e),
    }
}

/// Whether `mime` matches one of the patterns (`*`, `image/*`, `application/pdf`).
pub fn type_allowed(patterns: &[String], mime: &str) -> bool {
    patterns.is_empty()
        || patterns.iter().any(|p| {
            p == "*"
                || p == mime
                || p.strip_suffix("/*")
                    .is_some_and(|major| mime.split('/').next() == Some(major))
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn type_patterns() {
        let p = |s: &[&str]| s.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        assert!(type_allowed(&[], "application/zip"));
        assert!(type_allowed(&p(&["*"]), "application/zip"));
        assert!(type_allowed(&p(&["image/*"]), "image/png"));
        assert!(!type_allowed(&p(&["image/*"]), "application/pdf"));
        assert!(type_allowed(
            &p(&["image/*", "application/pdf"]),
            "application/pdf"
        ));
        assert!(!type_allowed(&p(&["application/pdf"]), "application/pdfx"));
    }
}
