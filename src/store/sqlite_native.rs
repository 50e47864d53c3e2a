//! The hot reads on SQLite, through SQLite's own API (rusqlite) instead of sqlx.
//!
//! Through sqlx, every query hands over to one of its SQLite worker threads and
//! each row comes back through a channel, with every value copied out and wrapped
//! twice (`SqliteRow`, then `AnyRow`). For a page of history that path cost six
//! sevenths of the server's CPU per page (BENCHMARKS.md, `history`, third look).
//! Here the statement runs on the calling thread, prepared once per connection,
//! and each row is decoded where it is read. The SQL text and the row decoders are
//! the ones the sqlx path uses (`rows.rs`), so a query still has one place.
//!
//! Only reads come here, and only bounded ones (an index lookup or a range of at
//! most a page): they run inline on the async worker, for about as long as the
//! hand-off to a worker thread took. In WAL mode a reader never waits for the
//! writer; the busy timeout only covers the rare reader that finds the WAL index
//! being rebuilt. Writes stay on the one writer (`writer.rs`).

use std::cell::Cell;
use std::sync::Mutex;

use rusqlite::{Connection, OpenFlags, Params, Row};

use super::{
    reactions::{attach_reactions, reactions_sql},
    rows::{self, decode_err, Cols},
    StoreError, StoreResult,
};
use crate::domain::Message;

/// Statements kept prepared per connection: every hot read, with room to spare.
const STATEMENT_CACHE: usize = 32;

/// Connections to one SQLite file, kept for reuse. One is checked out per read
/// and returned after it, so there are never more than threads reading at once.
pub(super) struct NativeReads {
    path: String,
    idle: Mutex<Vec<Connection>>,
}

impl std::fmt::Debug for NativeReads {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("NativeReads")
            .field("path", &self.path)
            .finish()
    }
}

/// A row and its statement's column names. rusqlite finds a column by name
/// through SQLite's C API each time (`sqlite3_column_name`, `strlen`, a
/// case-insensitive compare per column): 13 % of the server's samples with 8
/// history readers. The names are read once per statement instead.
pub(super) struct Named<'r, 's> {
    row: &'r Row<'s>,
    names: &'r [String],
    /// Where the next column is looked for first: decoders read columns in the
    /// order the statement selects them, so a lookup is one compare, not a scan
    /// (the scan's compares were 2 % of the server's CPU per history page).
    next: Cell<usize>,
}

impl Named<'_, '_> {
    fn get<T: rusqlite::types::FromSql>(&self, col: &str) -> Result<T, sqlx::Error> {
        let hint = self.next.get();
        let idx = if self.names.get(hint).is_some_and(|n| n == col) {
            hint
        } else {
            self.names
                .iter()
                .position(|n| n == col)
                .ok_or_else(|| sqlx::Error::ColumnNotFound(col.to_owned()))?
        };
        self.next.set(idx + 1);
        self.row.get(idx).map_err(|e| decode_err(col, e))
    }
}

impl Cols for Named<'_, '_> {
    fn int(&self, col: &str) -> Result<i64, sqlx::Error> {
        self.get(col)
    }
    fn opt_int(&self, col: &str) -> Result<Option<i64>, sqlx::Error> {
        self.get(col)
    }
    fn text(&self, col: &str) -> Result<String, sqlx::Error> {
        self.get(col)
    }
    fn opt_text(&self, col: &str) -> Result<Option<String>, sqlx::Error> {
        self.get(col)
    }
}

/// The column names of a prepared statement, owned (the rows borrow it).
fn names(stmt: &rusqlite::Statement<'_>) -> Vec<String> {
    stmt.column_names().into_iter().map(str::to_owned).collect()
}

impl From<rusqlite::Error> for StoreError {
    fn from(e: rusqlite::Error) -> Self {
        StoreError::Other(e.into())
    }
}

impl NativeReads {
    /// Reads of the database file at `path` (which sqlx has created and migrated).
    pub(super) fn new(path: &str) -> Self {
        Self {
            path: path.to_owned(),
            idle: Mutex::new(Vec::new()),
        }
    }

    fn open(&self) -> rusqlite::Result<Connection> {
        // NO_MUTEX: a connection is used by one thread at a time (checked out).
        let flags = OpenFlags::SQLITE_OPEN_READ_WRITE
            | OpenFlags::SQLITE_OPEN_NO_MUTEX
            | OpenFlags::SQLITE_OPEN_URI;
        let conn = Connection::open_with_flags(&self.path, flags)?;
        // The pool's settings for reads (backend.rs), and query_only: nothing
        // written through here, ever.
        conn.execute_batch(
            "PRAGMA query_only = ON; PRAGMA busy_timeout = 5000; PRAGMA mmap_size = 268435456;",
        )?;
        conn.set_prepared_statement_cache_capacity(STATEMENT_CACHE);
        Ok(conn)
    }

    /// Runs `read` on an idle connection (opening one when none is idle).
    fn with<T>(&self, read: impl FnOnce(&Connection) -> StoreResult<T>) -> StoreResult<T> {
        let taken = self.idle.lock().unwrap_or_else(|p| p.into_inner()).pop();
        let conn = match taken {
            Some(c) => c,
            None => self.open()?,
        };
        let out = read(&conn);
        self.idle
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .push(conn);
        out
    }

    /// The one row `sql` finds, decoded, or `None` (the statements asked this
    /// are lookups by a key: at most one row).
    pub(super) fn row<T>(
        &self,
        sql: &str,
        params: impl Params,
        decode: impl FnMut(&Named<'_, '_>) -> Result<T, sqlx::Error>,
    ) -> StoreResult<Option<T>> {
        Ok(self.rows(sql, params, decode)?.into_iter().next())
    }

    /// Every row `sql` finds, decoded.
    pub(super) fn rows<T>(
        &self,
        sql: &str,
        params: impl Params,
        decode: impl FnMut(&Named<'_, '_>) -> Result<T, sqlx::Error>,
    ) -> StoreResult<Vec<T>> {
        self.with(|conn| decode_all(conn, sql, params, decode))
    }

    /// The messages `sql` selects (`rows::MESSAGE_COLUMNS`), with their reactions
    /// read on the same connection when any has some.
    pub(super) fn messages(&self, sql: &str, params: impl Params) -> StoreResult<Vec<Message>> {
        self.with(|conn| {
            let mut reacted = Vec::new();
            let mut msgs = decode_all(conn, sql, params, |row| {
                let m = rows::message(row)?;
                if row.int("m_reacted")? > 0 {
                    reacted.push(m.id.to_string());
                }
                Ok(m)
            })?;
            if !reacted.is_empty() {
                // As many placeholders as reacted messages: prepared for the one
                // use, like the sqlx path's long lists (mod.rs, batch_query).
                let mut stmt = conn.prepare(&reactions_sql(reacted.len()))?;
                let found = stmt
                    .query_map(rusqlite::params_from_iter(&reacted), |r| {
                        Ok((r.get(0)?, r.get(1)?, r.get(2)?))
                    })?
                    .collect::<rusqlite::Result<Vec<(String, String, String)>>>()?;
                attach_reactions(&mut msgs, found);
            }
            Ok(msgs)
        })
    }
}

/// Runs `sql` (prepared once per connection) and decodes every row it finds.
fn decode_all<T>(
    conn: &Connection,
    sql: &str,
    params: impl Params,
    mut decode: impl FnMut(&Named<'_, '_>) -> Result<T, sqlx::Error>,
) -> StoreResult<Vec<T>> {
    let mut stmt = conn.prepare_cached(sql)?;
    let names = names(&stmt);
    let mut rows = stmt.query(params)?;
    let mut out = Vec::new();
    while let Some(row) = rows.next()? {
        out.push(decode(&Named {
            row,
            names: &names,
            next: Cell::new(0),
        })?);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A column is found by name whether it is read in the statement's order
    /// (the next one is tried first) or not (a scan), and a missing one is an
    /// error, never another column's value.
    #[test]
    fn columns_are_found_by_name_in_any_order() {
        let conn = Connection::open_in_memory().unwrap();
        let read = |order: &[&str]| {
            decode_all(&conn, "SELECT 1 AS a, 2 AS b, 3 AS c", [], |row| {
                order
                    .iter()
                    .map(|c| row.int(c))
                    .collect::<Result<Vec<_>, _>>()
            })
        };
        assert_eq!(read(&["a", "b", "c"]).unwrap(), vec![vec![1, 2, 3]]);
        assert_eq!(read(&["c", "a", "b", "b"]).unwrap(), vec![vec![3, 1, 2, 2]]);
        assert_eq!(read(&["b", "c", "a"]).unwrap(), vec![vec![2, 3, 1]]);
        assert!(read(&["a", "d"]).is_err());
    }
}
