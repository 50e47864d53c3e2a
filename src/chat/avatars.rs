//! Profile and group pictures: set from any image (cropped to its centre square, 256 px,
//! re-encoded without metadata), readable by every signed-in user through signed
//! URLs like any file's.

use bytes::Bytes;
use futures_util::Stream;

use super::{
    attachments::{FileUrls, Reader},
    conversation_views::ConversationInfo,
    images,
    uploads::refused_image,
    views::MeView,
    Chat, Principal,
};
use crate::{
    auth::signed_urls::UrlSigner,
    domain::{ConversationId, GroupChange, Timestamp, UploadId, UserId},
    error::{AppError, AppResult},
    store::blobs::{Blob, Variant},
};

/// What an avatar URL is signed for (the variant slot of a file URL's signature).
const AVATAR: &str = "avatar";

impl Chat {
    /// Makes the picture in `body` the caller's profile picture.
    pub async fn set_my_avatar<S, E>(&self, who: &Principal, body: S) -> AppResult<MeView>
    where
        S: Stream<Item = Result<Bytes, E>> + Unpin,
        E: std::fmt::Display,
    {
        let id = self.store_picture(body).await?;
        self.replace_avatar(who.user_id, Some(id)).await?;
        self.me(who).await
    }

    /// Sets a group's picture (its owner or an admin); members see a system
    /// message and the change on resume.
    pub async fn set_group_avatar<S, E>(
        &self,
        who: &Principal,
        conversation: ConversationId,
        body: S,
    ) -> AppResult<ConversationInfo>
    where
        S: Stream<Item = Result<Bytes, E>> + Unpin,
        E: std::fmt::Display,
    {
        self.group_manager(who, conversation).await?;
        let id = self.store_picture(body).await?;
        self.replace_group_avatar(who, conversation, Some(id)).await
    }

    /// Takes a group's picture away (initials again).
    pub async fn remove_group_avatar(
        &self,
        who: &Principal,
        conversation: ConversationId,
    ) -> AppResult<ConversationInfo> {
        self.group_manager(who, conversation).await?;
        self.replace_group_avatar(who, conversation, None).await
    }

    async fn replace_group_avatar(
        &self,
        who: &Principal,
        conversation: ConversationId,
        avatar: Option<UploadId>,
    ) -> AppResult<ConversationInfo> {
        let note = self
            .note(
                who,
                GroupChange::PictureChanged {
                    removed: avatar.is_none(),
                },
            )
            .await?;
        let stored = self
            .store
            .set_conversation_avatar(conversation, avatar, who.user_id, &note, Timestamp::now())
            .await;
        let (ev, system, old) = match stored {
            Ok(s) => s,
            Err(e) => {
                if let Some(id) = avatar {
                    let _ = self.media.blobs.delete(id).await;
                }
                return Err(e.into());
            }
        };
        self.delete_old_picture(old).await;
        self.announce_update(conversation, ev, None, None).await?;
        self.announce_system(conversation, &system).await?;
        self.conversation_info(conversation).await
    }

    /// Processes and stores the picture in `body`; its new id.
    async fn store_picture<S, E>(&self, body: S) -> AppResult<UploadId>
    where
        S: Stream<Item = Result<Bytes, E>> + Unpin,
        E: std::fmt::Display,
    {
        let (tmp, size) = self.receive(body).await?;
        if size == 0 {
            return Err(AppError::invalid("body", "empty_file", "the file is empty"));
        }
        let jpeg = {
            let _permit = self
                .media
                .workers
                .acquire()
                .await
                .map_err(AppError::internal)?;
            let (input, max) = (tmp.to_path_buf(), self.media.limits.max_pixels);
            tokio::task::spawn_blocking(move || images::avatar(&input, max))
                .await
                .map_err(AppError::internal)?
        }
        .map_err(refused_image)?
        .ok_or_else(|| {
            AppError::invalid(
                "body",
                "not_an_image",
                "a picture must be a JPEG, PNG, WebP or GIF image",
            )
        })?;
        let id = UploadId::new();
        self.media
            .blobs
            .put_bytes(id, Variant::Original, Bytes::from(jpeg))
            .await?;
        Ok(id)
    }

    /// Back to initials.
    pub async fn remove_my_avatar(&self, who: &Principal) -> AppResult<MeView> {
        self.replace_avatar(who.user_id, None).await?;
        self.me(who).await
    }

    async fn replace_avatar(&self, user: UserId, avatar: Option<UploadId>) -> AppResult<()> {
        let old = match self.store.set_avatar(user, avatar).await {
            Ok(old) => old,
            Err(e) => {
                if let Some(id) = avatar {
                    let _ = self.media.blobs.delete(id).await;
                }
                return Err(e.into());
            }
        };
        self.delete_old_picture(old).await;
        Ok(())
    }

    async fn delete_old_picture(&self, old: Option<UploadId>) {
        if let Some(old) = old {
            // A leftover file is harmless (nothing points at it); log and go on.
            if let Err(e) = self.media.blobs.delete(old).await {
                tracing::warn!(error = %e, avatar = %old, "could not delete a replaced picture");
            }
        }
    }

    /// URLs for profile pictures, for the caller: any signed-in user may see any.
    pub fn avatar_urls(&self, who: &Principal, ids: &[UploadId]) -> AppResult<Vec<FileUrls>> {
        if ids.len() > 100 {
            return Err(AppError::invalid(
                "ids",
                "too_many_ids",
                "at most 100 ids at once",
            ));
        }
        let exp = UrlSigner::expiry(Timestamp::now().millis() / 1000);
        Ok(ids
            .iter()
            .map(|&id| {
                let sig = self.media.signer.sign(id, AVATAR, who.user_id, exp);
                FileUrls {
                    id,
                    url: format!("/api/v1/avatars/{id}?u={}&exp={exp}&sig={sig}", who.user_id),
                    thumb_url: None,
                    expires_at: exp,
                }
            })
            .collect())
    }

    /// A profile picture, for a signed-in reader (by token or signed URL) whose
    /// account is still active.
    pub async fn avatar(&self, reader: Reader, id: UploadId) -> AppResult<Blob> {
        let user = self.reader_id(reader, id, AVATAR)?;
        match self.store.user_by_id(user).await? {
            Some(u) if u.is_active() => {}
            _ => {
                return Err(AppError::unauthorized(
                    "invalid_token",
                    "this account is not active",
                ))
            }
        }
        self.media
            .blobs
            .get(id, Variant::Original, None)
            .await
            .map_err(|e| match e {
                crate::store::StoreError::NotFound => AppError::not_found("picture"),
                e => e.into(),
            })
    }
}
