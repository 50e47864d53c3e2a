//! Upload rows: stored when a file is processed, attached by the send that takes
//! them (see `append.rs`), swept when they wait too long.

use sqlx::Row;

use super::{affected, placeholders, rows, Store, StoreResult, Tx};
use crate::domain::{Attachment, ConversationId, MessageId, Timestamp, Upload, UploadId, UserId};

const COLUMNS: &str = "up.id, up.uploader_id, up.kind, up.mime, up.name, up.size, up.width, \
     up.height, up.has_thumb, up.created_at, up.message_id, up.conversation_id";

/// An upload and, when attached, whether its message is deleted now.
#[derive(Debug, Clone)]
pub struct UploadState {
    pub upload: Upload,
    pub message_deleted: bool,
}

fn upload(row: &sqlx::any::AnyRow) -> Result<Upload, sqlx::Error> {
    let dim = |col: &str| -> Result<Option<u32>, sqlx::Error> {
        Ok(row
            .try_get::<Option<i64>, _>(col)?
            .and_then(|v| u32::try_from(v).ok()))
    };
    let opt_id = |col: &str| -> Result<Option<String>, sqlx::Error> { row.try_get(col) };
    Ok(Upload {
        attachment: Attachment {
            id: rows::parse(row, "id")?,
            kind: rows::parse(row, "kind")?,
            mime: row.try_get("mime")?,
            name: row.try_get("name")?,
            size: row.try_get("size")?,
            width: dim("width")?,
            height: dim("height")?,
        },
        uploader_id: rows::parse(row, "uploader_id")?,
        created_at: rows::ts(row, "created_at")?,
        message_id: opt_id("message_id")?.and_then(|s| s.parse().ok()),
        conversation_id: opt_id("conversation_id")?.and_then(|s| s.parse().ok()),
        has_thumb: row.try_get::<i64, _>("has_thumb")? != 0,
    })
}

impl Store {
    pub async fn insert_upload(&self, u: &Upload) -> StoreResult<()> {
        let a = &u.attachment;
        let sql = self.sql(
            "INSERT INTO uploads (id, uploader_id, kind, mime, name, size, width, height, \
             has_thumb, created_at, message_id, conversation_id) \
             VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, NULL, NULL)",
        );
        sqlx::query(&sql)
            .bind(a.id.to_string())
            .bind(u.uploader_id.to_string())
            .bind(a.kind.as_str())
            .bind(a.mime.clone())
            .bind(a.name.clone())
            .bind(a.size)
            .bind(a.width.map(i64::from))
            .bind(a.height.map(i64::from))
            .bind(i64::from(u.has_thumb))
            .bind(u.created_at.millis())
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    /// The upload and its message's state (for a download's access check).
    pub async fn upload(&self, id: UploadId) -> StoreResult<Option<UploadState>> {
        let sql = format!(
            "SELECT {COLUMNS}, m.deleted_at AS m_deleted_at FROM uploads up \
             LEFT JOIN messages m ON m.id = up.message_id WHERE up.id = ?"
        );
        let row = sqlx::query(&self.sql(&sql))
            .bind(id.to_string())
            .fetch_optional(&self.pool)
            .await?;
        let Some(row) = row else { return Ok(None) };
        Ok(Some(UploadState {
            upload: upload(&row)?,
            message_deleted: rows::opt_ts(&row, "m_deleted_at")?.is_some(),
        }))
    }

    /// The uploads among `ids` that `uploader` made, in no particular order.
    pub async fn uploads_of(&self, uploader: UserId, ids: &[UploadId]) -> StoreResult<Vec<Upload>> {
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        let sql = format!(
            "SELECT {COLUMNS} FROM uploads up WHERE up.uploader_id = ? AND up.id IN ({})",
            placeholders(ids.len())
        );
        let sql = self.sql(&sql);
        let mut q = sqlx::query(&sql).bind(uploader.to_string());
        for id in ids {
            q = q.bind(id.to_string());
        }
        let rows = q.fetch_all(&self.pool).await?;
        Ok(rows.iter().map(upload).collect::<Result<_, _>>()?)
    }

    /// Bytes `user` keeps in uploads (attached or not): what the quota counts.
    pub async fn upload_bytes(&self, user: UserId) -> StoreResult<i64> {
        // SUM is NUMERIC on PostgreSQL and DECIMAL on MySQL: cast back to an integer.
        let int = match self.backend() {
            super::Backend::MySql => "SIGNED",
            _ => "BIGINT",
        };
        let sql = format!(
            "SELECT CAST(COALESCE(SUM(size), 0) AS {int}) AS n FROM uploads WHERE uploader_id = ?"
        );
        let row = sqlx::query(&self.sql(&sql))
            .bind(user.to_string())
            .fetch_one(&self.pool)
            .await?;
        Ok(row.try_get::<i64, _>("n")?)
    }

    /// Messages of `conversation` that carry files and are not deleted, newest
    /// first, with seq below `before` and at most `max_seq`: the gallery's pages.
    pub async fn messages_with_attachments(
        &self,
        conversation: ConversationId,
        before: i64,
        max_seq: i64,
        limit: u32,
    ) -> StoreResult<Vec<crate::domain::Message>> {
        let sql = format!(
            "SELECT {} FROM messages m WHERE m.conversation_id = ? AND m.seq < ? AND m.seq <= ? \
             AND m.attachments IS NOT NULL AND m.deleted_at IS NULL ORDER BY m.seq DESC LIMIT ?",
            rows::MESSAGE_COLUMNS
        );
        let rows = sqlx::query(&self.sql(&sql))
            .bind(conversation.to_string())
            .bind(before)
            .bind(max_seq)
            .bind(i64::from(limit))
            .fetch_all(&self.pool)
            .await?;
        Ok(rows.iter().map(rows::message).collect::<Result<_, _>>()?)
    }

    /// Uploads no message took, made before `before`: the sweep's work.
    pub async fn unattached_uploads(
        &self,
        before: Timestamp,
        limit: i64,
    ) -> StoreResult<Vec<UploadId>> {
        let sql = self.sql(
            "SELECT id FROM uploads WHERE message_id IS NULL AND created_at < ? \
             ORDER BY created_at LIMIT ?",
        );
        let rows = sqlx::query(&sql)
            .bind(before.millis())
            .bind(limit)
            .fetch_all(&self.pool)
            .await?;
        Ok(rows
            .iter()
            .map(|r| rows::parse(r, "id"))
            .collect::<Result<_, _>>()?)
    }

    /// Deletes an upload's row, only while no message has taken it (a send may
    /// take it between the sweep's read and this). True when deleted.
    pub async fn delete_unattached_upload(&self, id: UploadId) -> StoreResult<bool> {
        let sql = self.sql("DELETE FROM uploads WHERE id = ? AND message_id IS NULL");
        let done = sqlx::query(&sql)
            .bind(id.to_string())
            .execute(&self.pool)
            .await?;
        Ok(affected(done) == 1)
    }

    /// Marks the uploads of a message being stored as taken, inside the batch's
    /// transaction. An upload already taken (by another message or a concurrent
    /// send) fails the whole send with a conflict, so a file never belongs to two
    /// messages.
    pub(super) async fn attach_uploads(
        &self,
        tx: &mut Tx<'_>,
        message: MessageId,
        conversation: ConversationId,
        uploader: UserId,
        ids: impl Iterator<Item = UploadId>,
    ) -> StoreResult<()> {
        let sql = self.sql(
            "UPDATE uploads SET message_id = ?, conversation_id = ? \
             WHERE id = ? AND uploader_id = ? AND message_id IS NULL",
        );
        for id in ids {
            let done = sqlx::query(&sql)
                .bind(message.to_string())
                .bind(conversation.to_string())
                .bind(id.to_string())
                .bind(uploader.to_string())
                .execute(&mut **tx)
                .await?;
            if affected(done) != 1 {
                return Err(super::StoreError::Conflict("attachment"));
            }
        }
        Ok(())
    }
}
