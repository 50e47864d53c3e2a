//! Muting a conversation, for a while or for good: no web push and no digest
//! mail for it; it still counts unread and shows in the list (marked muted).
//! Personal: other members never learn of it.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::{Chat, Principal};
use crate::{
    domain::{ConversationId, Timestamp, MUTED_FOREVER},
    error::{AppError, AppResult},
};

/// Longest timed mute: a year, in minutes.
const MAX_MINUTES: u32 = 525_600;

#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MuteInput {
    /// How long, in minutes (1 to 525600); absent or null mutes until unmuted.
    pub minutes: Option<u32>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct MuteState {
    /// Muted until then; 9999-12-31T23:59:59Z for good; null when not muted.
    #[schema(value_type = Option<String>, format = DateTime)]
    pub muted_until: Option<Timestamp>,
}

impl Chat {
    pub async fn mute(
        &self,
        who: &Principal,
        id: ConversationId,
        input: MuteInput,
    ) -> AppResult<MuteState> {
        let until = match input.minutes {
            None => MUTED_FOREVER,
            Some(m) if (1..=MAX_MINUTES).contains(&m) => {
                Timestamp::now().plus_secs(i64::from(m) * 60)
            }
            Some(_) => {
                return Err(AppError::invalid(
                    "minutes",
                    "invalid_minutes",
                    "minutes must be between 1 and 525600, or absent to mute until unmuted",
                ))
            }
        };
        self.set_mute(who, id, Some(until)).await
    }

    pub async fn unmute(&self, who: &Principal, id: ConversationId) -> AppResult<MuteState> {
        self.set_mute(who, id, None).await
    }

    async fn set_mute(
        &self,
        who: &Principal,
        id: ConversationId,
        until: Option<Timestamp>,
    ) -> AppResult<MuteState> {
        self.active_membership(who, id).await?;
        if !self.store.set_muted(id, who.user_id, until).await? {
            return Err(AppError::not_found("conversation"));
        }
        Ok(MuteState { muted_until: until })
    }
}
