//! Files people send: an upload (the stored file and what was learned of it) and
//! the attachment a message carries (the same facts, frozen into the message).

use serde::{Deserialize, Serialize};

use super::{ConversationId, MessageId, Timestamp, UploadId, UserId};

/// Most attachments one message may carry.
pub const MAX_PER_MESSAGE: usize = 10;

/// Longest file name kept, in characters (the rest is cut, the extension kept).
pub const MAX_NAME_CHARS: usize = 120;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum AttachmentKind {
    /// JPEG, PNG, WebP or GIF, decoded and re-encoded: shown inline, with a thumbnail.
    Image,
    /// Anything else: always downloaded, never shown inline.
    File,
}

impl AttachmentKind {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Image => "image",
            Self::File => "file",
        }
    }
}

impl std::str::FromStr for AttachmentKind {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        match s {
            "image" => Ok(Self::Image),
            "file" => Ok(Self::File),
            _ => Err(format!("unknown attachment kind {s:?}")),
        }
    }
}

/// What a message says of one of its files. Stored as JSON with the message (the
/// facts never change once the upload is processed), so history, events and
/// resume carry it without another query.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Attachment {
    pub id: UploadId,
    pub kind: AttachmentKind,
    /// Decided from the content, never from the name or the client's header.
    pub mime: String,
    pub name: String,
    /// Bytes of the file as served.
    pub size: i64,
    /// Images only, after orientation is applied.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub width: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub height: Option<u32>,
}

/// A stored upload: attached to at most one message, or waiting (until swept).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Upload {
    pub attachment: Attachment,
    pub uploader_id: UserId,
    pub created_at: Timestamp,
    /// Set when a message takes the upload.
    pub message_id: Option<MessageId>,
    pub conversation_id: Option<ConversationId>,
    /// Whether a thumbnail was stored (images).
    pub has_thumb: bool,
}

/// A file name made safe to store and to put in a `Content-Disposition`: no path,
/// no control characters, no quotes, at most [`MAX_NAME_CHARS`] (keeping the
/// extension); never empty.
pub fn clean_name(raw: &str) -> String {
    let base = raw.rsplit(['/', '\\']).next().unwrap_or("");
    let cleaned: String = base
        .chars()
        .map(|c| {
            if c.is_control() || matches!(c, '"' | ';' | '\u{202e}') {
                '_'
            } else {
                c
            }
        })
        .collect();
    let cleaned = cleaned.trim().trim_start_matches('.').to_owned();
    if cleaned.is_empty() {
        return "file".to_owned();
    }
    if cleaned.chars().count() <= MAX_NAME_CHARS {
        return cleaned;
    }
    let ext: String = match cleaned.rsplit_once('.') {
        Some((_, e)) if !e.is_empty() && e.chars().count() <= 10 => format!(".{e}"),
        _ => String::new(),
    };
    let keep = MAX_NAME_CHARS - ext.chars().count();
    cleaned.chars().take(keep).collect::<String>() + &ext
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_lose_paths_controls_and_quotes_and_keep_their_extension() {
        assert_eq!(clean_name("../../etc/passwd"), "passwd");
        assert_eq!(clean_name("C:\\Users\\x\\photo.jpg"), "photo.jpg");
        assert_eq!(clean_name("a\"b;c\n.png"), "a_b_c_.png");
        assert_eq!(clean_name("   "), "file");
        assert_eq!(clean_name(".hidden"), "hidden");
        let long = format!("{}.pdf", "x".repeat(300));
        let c = clean_name(&long);
        assert_eq!(c.chars().count(), MAX_NAME_CHARS);
        assert!(c.ends_with(".pdf"));
    }
}
