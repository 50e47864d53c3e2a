//! Group invitations: an addition the invitee has not agreed to yet. One row per
//! (group, invitee) until it is accepted or declined.

use super::{rows, Store, StoreResult};
use crate::domain::{ConversationId, Timestamp, UserId};

/// A pending invitation.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Invitation {
    pub conversation_id: ConversationId,
    pub user_id: UserId,
    pub invited_by: UserId,
    pub created_at: Timestamp,
}

impl Store {
    /// Records an invitation; false when one was already pending.
    pub async fn invite(
        &self,
        conversation: ConversationId,
        user: UserId,
        by: UserId,
        now: Timestamp,
    ) -> StoreResult<bool> {
        if self.invitation(conversation, user).await?.is_some() {
            return Ok(false);
        }
        let sql = self.sql(
            "INSERT INTO group_invitations (conversation_id, user_id, invited_by, created_at) \
             VALUES (?, ?, ?, ?)",
        );
        let inserted = sqlx::query(&sql)
            .bind(conversation.to_string())
            .bind(user.to_string())
            .bind(by.to_string())
            .bind(now.millis())
            .execute(&self.pool)
            .await;
        match inserted {
            Ok(_) => Ok(true),
            // Two invitations at once: the other one won, which is the same outcome.
            Err(_) if self.invitation(conversation, user).await?.is_some() => Ok(false),
            Err(e) => Err(e.into()),
        }
    }

    pub async fn invitation(
        &self,
        conversation: ConversationId,
        user: UserId,
    ) -> StoreResult<Option<Invitation>> {
        let sql = self.sql(
            "SELECT conversation_id, user_id, invited_by, created_at FROM group_invitations \
             WHERE conversation_id = ? AND user_id = ?",
        );
        let row = sqlx::query(&sql)
            .bind(conversation.to_string())
            .bind(user.to_string())
            .fetch_optional(&self.pool)
            .await?;
        row.map(|r| invitation(&r)).transpose().map_err(Into::into)
    }

    /// Removes the invitation; what it was, if there was one.
    pub async fn take_invitation(
        &self,
        conversation: ConversationId,
        user: UserId,
    ) -> StoreResult<Option<Invitation>> {
        let Some(found) = self.invitation(conversation, user).await? else {
            return Ok(None);
        };
        let sql =
            self.sql("DELETE FROM group_invitations WHERE conversation_id = ? AND user_id = ?");
        let r = sqlx::query(&sql)
            .bind(conversation.to_string())
            .bind(user.to_string())
            .execute(&self.pool)
            .await?;
        // Taken by a concurrent accept or decline: only one of them acts on it.
        Ok((r.rows_affected() > 0).then_some(found))
    }

    /// The user's pending invitations, newest first.
    pub async fn invitations_for(&self, user: UserId) -> StoreResult<Vec<Invitation>> {
        let sql = self.sql(
            "SELECT conversation_id, user_id, invited_by, created_at FROM group_invitations \
             WHERE user_id = ? ORDER BY created_at DESC",
        );
        let found = sqlx::query(&sql)
            .bind(user.to_string())
            .fetch_all(&self.pool)
            .await?;
        found
            .iter()
            .map(invitation)
            .collect::<Result<_, _>>()
            .map_err(Into::into)
    }
}

fn invitation(r: &sqlx::any::AnyRow) -> Result<Invitation, sqlx::Error> {
    Ok(Invitation {
        conversation_id: rows::parse(r, "conversation_id")?,
        user_id: rows::parse(r, "user_id")?,
        invited_by: rows::parse(r, "invited_by")?,
        created_at: rows::ts(r, "created_at")?,
    })
}
