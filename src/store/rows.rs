//! Decoding rows into domain types. Values are stored in portable forms (ids and
//! enums as text, times as integer milliseconds), so decoding is the same for every
//! backend.

use std::str::FromStr;

use sqlx::{any::AnyRow, Row};

use crate::domain::{Role, Session, SessionId, Timestamp, User, UserId, Username};

pub(super) const USER_COLUMNS: &str = "u.id, u.username, u.email, u.full_name, u.bio, \
     u.status_text, u.role, u.created_at, u.updated_at, u.deactivated_at";

pub(super) const SESSION_COLUMNS: &str =
    "s.id AS s_id, s.user_id AS s_user_id, s.created_at AS s_created_at, \
     s.last_used_at AS s_last_used_at, s.expires_at AS s_expires_at, \
     s.revoked_at AS s_revoked_at, s.user_agent AS s_user_agent, s.ip AS s_ip";

fn decode_err(col: &str, e: impl std::fmt::Display) -> sqlx::Error {
    sqlx::Error::ColumnDecode {
        index: col.to_owned(),
        source: e.to_string().into(),
    }
}

pub(super) fn parse<T: FromStr>(row: &AnyRow, col: &str) -> Result<T, sqlx::Error>
where
    T::Err: std::fmt::Display,
{
    let s: String = row.try_get(col)?;
    s.parse().map_err(|e| decode_err(col, e))
}

pub(super) fn ts(row: &AnyRow, col: &str) -> Result<Timestamp, sqlx::Error> {
    Ok(Timestamp(row.try_get::<i64, _>(col)?))
}

pub(super) fn opt_ts(row: &AnyRow, col: &str) -> Result<Option<Timestamp>, sqlx::Error> {
    Ok(row.try_get::<Option<i64>, _>(col)?.map(Timestamp))
}

pub(super) fn user(row: &AnyRow) -> Result<User, sqlx::Error> {
    Ok(User {
        id: parse::<UserId>(row, "id")?,
        username: Username::from_trusted(row.try_get("username")?),
        email: row.try_get("email")?,
        full_name: row.try_get("full_name")?,
        bio: row.try_get("bio")?,
        status_text: row.try_get("status_text")?,
        role: parse::<Role>(row, "role")?,
        created_at: ts(row, "created_at")?,
        updated_at: ts(row, "updated_at")?,
        deactivated_at: opt_ts(row, "deactivated_at")?,
    })
}

pub(super) fn session(row: &AnyRow) -> Result<Session, sqlx::Error> {
    Ok(Session {
        id: parse::<SessionId>(row, "s_id")?,
        user_id: parse::<UserId>(row, "s_user_id")?,
        created_at: ts(row, "s_created_at")?,
        last_used_at: ts(row, "s_last_used_at")?,
        expires_at: ts(row, "s_expires_at")?,
        revoked_at: opt_ts(row, "s_revoked_at")?,
        user_agent: row.try_get("s_user_agent")?,
        ip: row.try_get("s_ip")?,
    })
}
