//! Files in conversations: who may read one, the URLs a browser fetches it by, the
//! attachments a send takes, the sweep of uploads no message took.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::{Chat, Principal};
use crate::{
    auth::signed_urls::{Refused, UrlSigner},
    domain::{attachment::MAX_PER_MESSAGE, Attachment, Timestamp, Upload, UploadId, UserId},
    error::{AppError, AppResult, ErrorKind},
    store::blobs::{Blob, Variant},
};

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct FileUrls {
    pub id: UploadId,
    /// The file (signed; works without an Authorization header).
    pub url: String,
    /// A JPEG of at most 320 px a side (images only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub thumb_url: Option<String>,
    /// Unix seconds after which the URLs stop working.
    pub expires_at: i64,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UrlsInput {
    /// Up to 100 file ids; those the caller may not read are left out.
    pub ids: Vec<UploadId>,
}

#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct GalleryQuery {
    /// `image` or `file`; both when absent.
    pub kind: Option<crate::domain::AttachmentKind>,
    /// Files of messages before this seq (the `next_before_seq` of the last page).
    pub before_seq: Option<i64>,
    /// Messages per page, 1-100 (default 30); each carries up to 10 files.
    pub limit: Option<u32>,
}

/// One file in the gallery, with the message it came in.
#[derive(Debug, Serialize, ToSchema)]
pub struct GalleryItem {
    pub message_id: crate::domain::MessageId,
    pub seq: i64,
    pub sender_id: UserId,
    #[schema(value_type = String, format = DateTime)]
    pub created_at: Timestamp,
    pub attachment: Attachment,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct GalleryPage {
    /// Newest first.
    pub items: Vec<GalleryItem>,
    /// Where the next (older) page starts; absent on the last page.
    pub next_before_seq: Option<i64>,
}

/// Who is downloading: a signed-in request, or a signed URL (checked here).
pub enum Reader {
    User(UserId),
    Signed { user: UserId, exp: i64, sig: String },
}

fn not_found() -> AppError {
    AppError::not_found("file")
}

impl Chat {
    /// Signed URLs for a file, for `reader`.
    pub(super) fn file_urls(&self, reader: UserId, u: &Upload) -> FileUrls {
        let exp = UrlSigner::expiry(Timestamp::now().millis() / 1000);
        let id = u.attachment.id;
        let url = |v: Variant| {
            let sig = self.media.signer.sign(id, v.as_str(), reader, exp);
            format!(
                "/api/v1/files/{id}/{}?u={reader}&exp={exp}&sig={sig}",
                v.as_str()
            )
        };
        FileUrls {
            id,
            url: url(Variant::Original),
            thumb_url: u.has_thumb.then(|| url(Variant::Thumb)),
            expires_at: exp,
        }
    }

    /// URLs for the files among `ids` the caller may read (the others are left
    /// out, as if they did not exist).
    pub async fn sign_file_urls(
        &self,
        who: &Principal,
        ids: &[UploadId],
    ) -> AppResult<Vec<FileUrls>> {
        if ids.len() > 100 {
            return Err(AppError::invalid(
                "ids",
                "too_many_ids",
                "at most 100 ids at once",
            ));
        }
        let mut out = Vec::with_capacity(ids.len());
        for &id in ids {
            match self.readable(who.user_id, id).await {
                Ok(u) => out.push(self.file_urls(who.user_id, &u)),
                Err(e) if e.kind == ErrorKind::NotFound => {}
                Err(e) => return Err(e),
            }
        }
        Ok(out)
    }

    /// The file `reader` asks for, if they may read it now: a URL signed while
    /// the reader was a member stops working when they no longer are.
    pub async fn file_for(
        &self,
        reader: Reader,
        id: UploadId,
        variant: Variant,
    ) -> AppResult<Upload> {
        let user = self.reader_id(reader, id, variant.as_str())?;
        let upload = self.readable(user, id).await?;
        if variant == Variant::Thumb && !upload.has_thumb {
            return Err(not_found());
        }
        Ok(upload)
    }

    /// Who is reading: the signed-in user, or the one a URL was signed for (if
    /// its signature holds for this file and it has not expired).
    pub(super) fn reader_id(&self, reader: Reader, id: UploadId, what: &str) -> AppResult<UserId> {
        match reader {
            Reader::User(u) => Ok(u),
            Reader::Signed { user, exp, sig } => {
                let now = Timestamp::now().millis() / 1000;
                match self.media.signer.verify(id, what, user, exp, &sig, now) {
                    Ok(()) => Ok(user),
                    Err(Refused::Expired) => Err(AppError::forbidden(
                        "this link has expired; reload the page",
                    )
                    .with_code("url_expired")),
                    Err(Refused::BadSignature) => {
                        Err(AppError::forbidden("this link is not valid")
                            .with_code("bad_signature"))
                    }
                }
            }
        }
    }

    /// The bytes of a file (or the `range` of them), once `file_for` allowed it.
    pub async fn file_blob(
        &self,
        id: UploadId,
        variant: Variant,
        range: Option<std::ops::Range<u64>>,
    ) -> AppResult<Blob> {
        self.media
            .blobs
            .get(id, variant, range)
            .await
            .map_err(|e| match e {
                crate::store::StoreError::NotFound => not_found(),
                e => e.into(),
            })
    }

    /// The upload, if `reader` may see it: its uploader while no message took it;
    /// then the conversation's current members while the message is not deleted.
    /// A removed or departed member keeps the text they saw, not the files: a
    /// file is the heavier thing to leave in the hands of someone shown out (a
    /// patient's scan, say). Everything else is "not found", so ids cannot be
    /// probed.
    async fn readable(&self, reader: UserId, id: UploadId) -> AppResult<Upload> {
        let state = self.store.upload(id).await?.ok_or_else(not_found)?;
        let u = state.upload;
        let Some(conversation) = u.conversation_id else {
            return if u.uploader_id == reader {
                Ok(u)
            } else {
                Err(not_found())
            };
        };
        if state.message_deleted {
            return Err(not_found());
        }
        match self.store.member(conversation, reader).await? {
            Some(m) if m.is_active() => Ok(u),
            _ => Err(not_found()),
        }
    }

    /// A conversation's files, newest first, for its current members (as
    /// downloads), never those of deleted messages.
    pub async fn gallery(
        &self,
        who: &Principal,
        conversation: crate::domain::ConversationId,
        q: GalleryQuery,
    ) -> AppResult<GalleryPage> {
        let limit = super::views::page_limit(q.limit, 30, 100)?;
        let (_, me) = self.active_membership(who, conversation).await?;
        let before = q.before_seq.unwrap_or(i64::MAX);
        let messages = self
            .store
            .messages_with_attachments(conversation, before, me.visible_until(), limit)
            .await?;
        let next_before_seq = (messages.len() == limit as usize)
            .then(|| messages.last().map(|m| m.seq))
            .flatten();
        let items = messages
            .into_iter()
            .flat_map(|m| {
                let (id, seq, sender, at) = (m.id, m.seq, m.sender_id, m.created_at);
                m.attachments.into_iter().map(move |a| GalleryItem {
                    message_id: id,
                    seq,
                    sender_id: sender,
                    created_at: at,
                    attachment: a,
                })
            })
            .filter(|i| q.kind.is_none_or(|k| i.attachment.kind == k))
            .collect();
        Ok(GalleryPage {
            items,
            next_before_seq,
        })
    }

    /// The attachments a send takes: the sender's own uploads, not yet taken
    /// (or taken by this very send, when it is a retry), in the order given.
    pub(super) async fn attachments_for_send(
        &self,
        who: &Principal,
        client_msg_id: &str,
        ids: &[UploadId],
    ) -> AppResult<Vec<Attachment>> {
        // Most sends carry no file: nothing to read.
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        if ids.len() > MAX_PER_MESSAGE {
            return Err(AppError::invalid(
                "attachment_ids",
                "too_many_attachments",
                format!("a message carries at most {MAX_PER_MESSAGE} attachments"),
            ));
        }
        let mut unique = ids.to_vec();
        unique.sort_unstable();
        unique.dedup();
        if unique.len() != ids.len() {
            return Err(AppError::invalid(
                "attachment_ids",
                "duplicate_attachment",
                "an attachment is listed twice",
            ));
        }
        let found = self.store.uploads_of(who.user_id, ids).await?;
        let mut out = Vec::with_capacity(ids.len());
        for id in ids {
            let Some(u) = found.iter().find(|u| u.attachment.id == *id) else {
                return Err(AppError::invalid(
                    "attachment_ids",
                    "unknown_attachment",
                    format!("{id} is not a file you uploaded"),
                ));
            };
            if let Some(m) = u.message_id {
                let retry = self.store.message(m).await?.is_some_and(|m| {
                    m.sender_id == who.user_id && m.client_msg_id == client_msg_id
                });
                if !retry {
                    return Err(AppError::conflict(
                        "attachment_taken",
                        format!("{id} is already attached to another message"),
                    )
                    .with_field("attachment_ids"));
                }
            }
            out.push(u.attachment.clone());
        }
        Ok(out)
    }

    /// Deletes uploads no message took within the configured time. The row goes
    /// first, by a DELETE that only matches while no message has taken it: that
    /// statement is the one decision point, so a send taking the upload at the
    /// same moment either wins (the row stays, the file too) or fails with
    /// `attachment_taken`; a file is never deleted from under a message. A crash
    /// between the two steps leaves an orphan file, never a broken message.
    pub async fn sweep_unattached_uploads(&self, now: Timestamp) -> AppResult<usize> {
        let keep = i64::try_from(self.media.limits.unattached.as_secs()).unwrap_or(i64::MAX);
        let ids = self
            .store
            .unattached_uploads(now.plus_secs(-keep), 500)
            .await?;
        let mut deleted = 0;
        for id in ids {
            if !self.store.delete_unattached_upload(id).await? {
                continue;
            }
            deleted += 1;
            if let Err(e) = self.media.blobs.delete(id).await {
                tracing::warn!(error = %e, upload = %id, "swept upload's file not deleted (orphaned)");
            }
        }
        Ok(deleted)
    }
}
