//! Frames of the protocol that are not events: what clients send, and the
//! server's replies.

use std::collections::HashMap;

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::{
    chat::{conversation_views::MessageView, events::TypingState},
    domain::{ConversationId, MessageId, SessionId, UserId},
    error::AppError,
};

#[derive(Debug, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case", deny_unknown_fields)]
pub enum ClientFrame {
    Auth {
        token: String,
    },
    Resume {
        #[serde(default)]
        positions: HashMap<ConversationId, i64>,
        /// The last notification seq the client has; absent: no notification replay.
        inbox: Option<i64>,
    },
    Send {
        conversation_id: ConversationId,
        client_msg_id: String,
        #[serde(default)]
        body: String,
        reply_to: Option<MessageId>,
        #[serde(default)]
        attachment_ids: Vec<crate::domain::UploadId>,
    },
    Typing {
        conversation_id: ConversationId,
        state: TypingState,
    },
    Read {
        conversation_id: ConversationId,
        seq: i64,
    },
    /// Messages up to `seq` reached this device.
    Delivered {
        conversation_id: ConversationId,
        seq: i64,
    },
    Ping {},
}

/// A client frame and the client's optional correlation string `ref`, echoed in the
/// reply.
pub struct Incoming {
    pub reference: Option<String>,
    pub frame: Result<ClientFrame, AppError>,
}

/// Longest `ref` a client may attach to a frame.
pub const MAX_REF_CHARS: usize = 64;

/// Parses a text frame. Malformed JSON, an unknown type or wrong fields are an
/// error to report, never a reason to drop the connection.
pub fn parse(text: &str) -> Incoming {
    let mut value: Value = match serde_json::from_str(text) {
        Ok(v) => v,
        Err(_) => {
            return Incoming {
                reference: None,
                frame: Err(AppError::bad_request(
                    "malformed_frame",
                    "frame is not valid JSON",
                )),
            }
        }
    };
    let reference: Option<String> = value
        .as_object_mut()
        .and_then(|o| o.remove("ref"))
        .and_then(|r| r.as_str().map(str::to_owned));
    if reference
        .as_ref()
        .is_some_and(|r| r.chars().count() > MAX_REF_CHARS)
    {
        // Not echoed: a truncated copy would match nothing the client holds.
        return Incoming {
            reference: None,
            frame: Err(AppError::bad_request(
                "invalid_frame",
                format!("ref is longer than {MAX_REF_CHARS} characters"),
            )),
        };
    }
    let frame = serde_json::from_value::<ClientFrame>(value)
        .map_err(|e| AppError::bad_request("invalid_frame", format!("invalid frame: {e}")));
    Incoming { reference, frame }
}

#[derive(Debug, Serialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Reply {
    Ready {
        user_id: UserId,
        session_id: SessionId,
    },
    Resumed {
        positions: HashMap<ConversationId, i64>,
        inbox: i64,
    },
    Ack {
        #[serde(rename = "ref", skip_serializing_if = "Option::is_none")]
        reference: Option<String>,
        #[serde(flatten)]
        what: Acked,
    },
    Pong {
        #[serde(rename = "ref", skip_serializing_if = "Option::is_none")]
        reference: Option<String>,
    },
    Error {
        #[serde(rename = "ref", skip_serializing_if = "Option::is_none")]
        reference: Option<String>,
        code: String,
        message: String,
        #[serde(skip_serializing_if = "Option::is_none")]
        field: Option<String>,
        /// Seconds to wait before trying again (`too_many_requests`).
        #[serde(skip_serializing_if = "Option::is_none")]
        retry_after: Option<u64>,
    },
}

#[derive(Debug, Serialize)]
#[serde(tag = "for", rename_all = "snake_case")]
pub enum Acked {
    Send {
        /// Boxed: the other acks are a few words.
        message: Box<MessageView>,
        duplicate: bool,
    },
    Read {
        conversation_id: ConversationId,
        last_read_seq: i64,
    },
    Delivered {
        conversation_id: ConversationId,
        last_delivered_seq: i64,
    },
    Auth {},
}

impl Reply {
    pub fn error(reference: Option<String>, e: AppError) -> Self {
        let retry_after = match e.kind {
            crate::error::ErrorKind::TooManyRequests { retry_after_secs } => Some(retry_after_secs),
            _ => None,
        };
        Reply::Error {
            reference,
            retry_after,
            code: e.code.to_owned(),
            message: e.message,
            field: e.field.map(|f| f.into_owned()),
        }
    }

    pub fn to_text(&self) -> String {
        serde_json::to_string(self).unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_frames_and_keeps_the_ref() {
        let i = parse(r#"{"type":"ping","ref":"r1"}"#);
        assert_eq!(i.reference.as_deref(), Some("r1"));
        assert!(matches!(i.frame, Ok(ClientFrame::Ping {})));
        let i = parse(r#"{"type":"resume"}"#);
        assert!(matches!(i.frame, Ok(ClientFrame::Resume { .. })));
    }

    #[test]
    fn bad_frames_are_errors_not_panics() {
        for bad in [
            "not json",
            "[]",
            "42",
            r#"{"type":"nope"}"#,
            r#"{"type":"read","conversation_id":"x","seq":1}"#,
            r#"{"type":"read","conversation_id":"0190f3c2-7d9e-7c1a-9a53-3f8a2b1c0d4e","seq":"one"}"#,
            r#"{"type":"ping","extra":1}"#,
        ] {
            assert!(parse(bad).frame.is_err(), "{bad}");
        }
    }

    #[test]
    fn a_ref_over_the_limit_is_refused_not_truncated() {
        let at_limit = format!(r#"{{"type":"ping","ref":"{}"}}"#, "é".repeat(MAX_REF_CHARS));
        assert!(parse(&at_limit).frame.is_ok());
        let over = format!(
            r#"{{"type":"ping","ref":"{}"}}"#,
            "r".repeat(MAX_REF_CHARS + 1)
        );
        let i = parse(&over);
        assert_eq!(i.frame.unwrap_err().code, "invalid_frame");
        assert_eq!(i.reference, None);
    }
}
