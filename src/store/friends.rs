use super::{affected, rows, Store, StoreResult};
use crate::domain::{FriendRequest, FriendRequestId, FriendRequestStatus, Timestamp, User, UserId};

impl Store {
    pub async fn insert_friend_request(&self, r: &FriendRequest) -> StoreResult<()> {
        let sql = self.sql(
            "INSERT INTO friend_requests (id, sender_id, recipient_id, status, pending_key, created_at, updated_at) \
             VALUES (?, ?, ?, ?, ?, ?, ?)",
        );
        sqlx::query(&sql)
            .bind(r.id.to_string())
            .bind(r.sender_id.to_string())
            .bind(r.recipient_id.to_string())
            .bind(r.status.as_str())
            .bind(FriendRequest::pending_key(r.sender_id, r.recipient_id))
            .bind(r.created_at.millis())
            .bind(r.updated_at.millis())
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    pub async fn friend_request(&self, id: FriendRequestId) -> StoreResult<Option<FriendRequest>> {
        let sql = format!(
            "SELECT {} FROM friend_requests fr WHERE fr.id = ?",
            rows::REQUEST_COLUMNS
        );
        let row = sqlx::query(&self.sql(&sql))
            .bind(id.to_string())
            .fetch_optional(&self.pool)
            .await?;
        Ok(row.as_ref().map(rows::friend_request).transpose()?)
    }

    /// The pending request from `sender` to `recipient`, if any.
    pub async fn pending_request(
        &self,
        sender: UserId,
        recipient: UserId,
    ) -> StoreResult<Option<FriendRequest>> {
        let sql = format!(
            "SELECT {} FROM friend_requests fr WHERE fr.pending_key = ?",
            rows::REQUEST_COLUMNS
        );
        let row = sqlx::query(&self.sql(&sql))
            .bind(FriendRequest::pending_key(sender, recipient))
            .fetch_optional(&self.pool)
            .await?;
        Ok(row.as_ref().map(rows::friend_request).transpose()?)
    }

    /// Ends a pending request (rejected or cancelled). False if it was not pending.
    pub async fn close_request(
        &self,
        id: FriendRequestId,
        status: FriendRequestStatus,
        now: Timestamp,
    ) -> StoreResult<bool> {
        let sql = self.sql(
            "UPDATE friend_requests SET status = ?, pending_key = NULL, updated_at = ? WHERE id = ? AND status = 'pending'",
        );
        let r = sqlx::query(&sql)
            .bind(status.as_str())
            .bind(now.millis())
            .bind(id.to_string())
            .execute(&self.pool)
            .await?;
        Ok(affected(r) > 0)
    }

    /// Accepts a pending request and records the friendship both ways, in one
    /// transaction. False if the request was no longer pending.
    pub async fn accept_request(&self, r: &FriendRequest, now: Timestamp) -> StoreResult<bool> {
        let mut tx = self.pool.begin().await?;
        let sql = self.sql(
            "UPDATE friend_requests SET status = 'accepted', pending_key = NULL, updated_at = ? \
             WHERE id = ? AND status = 'pending'",
        );
        if affected(
            sqlx::query(&sql)
                .bind(now.millis())
                .bind(r.id.to_string())
                .execute(&mut *tx)
                .await?,
        ) == 0
        {
            tx.rollback().await?;
            return Ok(false);
        }
        let del = self.sql("DELETE FROM friendships WHERE (user_id = ? AND friend_id = ?) OR (user_id = ? AND friend_id = ?)");
        let (a, b) = (r.sender_id.to_string(), r.recipient_id.to_string());
        sqlx::query(&del)
            .bind(a.clone())
            .bind(b.clone())
            .bind(b.clone())
            .bind(a.clone())
            .execute(&mut *tx)
            .await?;
        let ins =
            self.sql("INSERT INTO friendships (user_id, friend_id, created_at) VALUES (?, ?, ?)");
        for (x, y) in [(&a, &b), (&b, &a)] {
            sqlx::query(&ins)
                .bind(x.clone())
                .bind(y.clone())
                .bind(now.millis())
                .execute(&mut *tx)
                .await?;
        }
        tx.commit().await?;
        Ok(true)
    }

    /// Pending requests `user` received (`incoming`) or sent, with the other user.
    /// Incoming requests from users `user` blocks are left out.
    pub async fn pending_requests(
        &self,
        user: UserId,
        incoming: bool,
    ) -> StoreResult<Vec<(FriendRequest, User)>> {
        let (me, other) = if incoming {
            ("recipient_id", "sender_id")
        } else {
            ("sender_id", "recipient_id")
        };
        let mut sql = format!(
            "SELECT {}, {} FROM friend_requests fr JOIN users u ON u.id = fr.{other} \
             WHERE fr.{me} = ? AND fr.status = 'pending' AND u.deactivated_at IS NULL",
            rows::REQUEST_COLUMNS,
            rows::USER_COLUMNS
        );
        if incoming {
            sql.push_str(
                " AND fr.sender_id NOT IN (SELECT blocked_id FROM blocks WHERE blocker_id = ?)",
            );
        }
        sql.push_str(" ORDER BY fr.created_at DESC");
        let sql = self.sql(&sql);
        let mut q = sqlx::query(&sql).bind(user.to_string());
        if incoming {
            q = q.bind(user.to_string());
        }
        let rows = q.fetch_all(&self.pool).await?;
        Ok(rows
            .iter()
            .map(|r| Ok((rows::friend_request(r)?, rows::user(r)?)))
            .collect::<Result<_, sqlx::Error>>()?)
    }

    pub async fn are_friends(&self, a: UserId, b: UserId) -> StoreResult<bool> {
        let sql =
            self.sql("SELECT COUNT(*) AS n FROM friendships WHERE user_id = ? AND friend_id = ?");
        let row = sqlx::query(&sql)
            .bind(a.to_string())
            .bind(b.to_string())
            .fetch_one(&self.pool)
            .await?;
        Ok(sqlx::Row::try_get::<i64, _>(&row, "n")? > 0)
    }

    /// `user`'s active friends, by username, with when they became friends.
    pub async fn friends_of(&self, user: UserId) -> StoreResult<Vec<(User, Timestamp)>> {
        let sql = format!(
            "SELECT {}, f.created_at AS since FROM friendships f JOIN users u ON u.id = f.friend_id \
             WHERE f.user_id = ? AND u.deactivated_at IS NULL ORDER BY u.username_lower",
            rows::USER_COLUMNS
        );
        let rows = sqlx::query(&self.sql(&sql))
            .bind(user.to_string())
            .fetch_all(&self.pool)
            .await?;
        Ok(rows
            .iter()
            .map(|r| Ok((rows::user(r)?, rows::ts(r, "since")?)))
            .collect::<Result<_, sqlx::Error>>()?)
    }

    pub async fn unfriend(&self, a: UserId, b: UserId) -> StoreResult<bool> {
        let sql = self.sql("DELETE FROM friendships WHERE (user_id = ? AND friend_id = ?) OR (user_id = ? AND friend_id = ?)");
        let r = sqlx::query(&sql)
            .bind(a.to_string())
            .bind(b.to_string())
            .bind(b.to_string())
            .bind(a.to_string())
            .execute(&self.pool)
            .await?;
        Ok(affected(r) > 0)
    }

    /// Blocks `blocked`: also ends any friendship and cancels pending requests
    /// between the two, in one transaction. Blocking twice is a no-op.
    pub async fn block(&self, blocker: UserId, blocked: UserId, now: Timestamp) -> StoreResult<()> {
        let (a, b) = (blocker.to_string(), blocked.to_string());
        let mut tx = self.pool.begin().await?;
        let del = self.sql("DELETE FROM blocks WHERE blocker_id = ? AND blocked_id = ?");
        sqlx::query(&del)
            .bind(a.clone())
            .bind(b.clone())
            .execute(&mut *tx)
            .await?;
        let ins =
            self.sql("INSERT INTO blocks (blocker_id, blocked_id, created_at) VALUES (?, ?, ?)");
        sqlx::query(&ins)
            .bind(a.clone())
            .bind(b.clone())
            .bind(now.millis())
            .execute(&mut *tx)
            .await?;
        let unfriend = self.sql("DELETE FROM friendships WHERE (user_id = ? AND friend_id = ?) OR (user_id = ? AND friend_id = ?)");
        sqlx::query(&unfriend)
            .bind(a.clone())
            .bind(b.clone())
            .bind(b.clone())
            .bind(a.clone())
            .execute(&mut *tx)
            .await?;
        let cancel = self.sql(
            "UPDATE friend_requests SET status = 'cancelled', pending_key = NULL, updated_at = ? \
             WHERE status = 'pending' AND ((sender_id = ? AND recipient_id = ?) OR (sender_id = ? AND recipient_id = ?))",
        );
        sqlx::query(&cancel)
            .bind(now.millis())
            .bind(a.clone())
            .bind(b.clone())
            .bind(b)
            .bind(a)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(())
    }

    pub async fn unblock(&self, blocker: UserId, blocked: UserId) -> StoreResult<bool> {
        let sql = self.sql("DELETE FROM blocks WHERE blocker_id = ? AND blocked_id = ?");
        let r = sqlx::query(&sql)
            .bind(blocker.to_string())
            .bind(blocked.to_string())
            .execute(&self.pool)
            .await?;
        Ok(affected(r) > 0)
    }

    /// Users `blocker` blocks.
    pub async fn blocked_by(&self, blocker: UserId) -> StoreResult<Vec<User>> {
        let sql = format!(
            "SELECT {} FROM blocks b JOIN users u ON u.id = b.blocked_id WHERE b.blocker_id = ? ORDER BY u.username_lower",
            rows::USER_COLUMNS
        );
        let rows = sqlx::query(&self.sql(&sql))
            .bind(blocker.to_string())
            .fetch_all(&self.pool)
            .await?;
        Ok(rows.iter().map(rows::user).collect::<Result<_, _>>()?)
    }

    /// Does `blocker` block `blocked`?
    pub async fn blocks(&self, blocker: UserId, blocked: UserId) -> StoreResult<bool> {
        let sql =
            self.sql("SELECT COUNT(*) AS n FROM blocks WHERE blocker_id = ? AND blocked_id = ?");
        let row = sqlx::query(&sql)
            .bind(blocker.to_string())
            .bind(blocked.to_string())
            .fetch_one(&self.pool)
            .await?;
        Ok(sqlx::Row::try_get::<i64, _>(&row, "n")? > 0)
    }
}
