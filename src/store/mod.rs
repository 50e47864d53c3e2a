//! Persistence behind one interface. All three backends go through sqlx's `Any`
//! driver with the same SQL; the only dialect difference so far (placeholders) is
//! isolated in [`backend::Backend::sql`]. Only this module names sqlx.

pub mod account_tokens;
pub mod admins;
mod append;
pub mod avatars;
mod backend;
mod batch_reads;
mod batched;
pub mod blobs;
mod changes;
pub mod conversations;
pub mod digests;
mod first_account;
pub mod friends;
pub mod invitations;
pub mod members;
pub mod messages;
pub mod notifications;
pub mod outbox;
mod presence;
pub mod push;
pub mod reactions;
pub mod retention;
mod rows;
pub mod search;
pub mod sessions;
#[cfg(feature = "sqlite")]
mod sqlite_native;
mod system;
pub mod uploads;
pub mod users;
pub mod writer;

use std::{borrow::Cow, path::Path, time::Duration};

use anyhow::Context as _;
use sqlx::{
    any::{AnyPoolOptions, AnyQueryResult},
    AnyPool, Executor,
};

pub use backend::{redact as backend_redact, Backend};

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("not found")]
    NotFound,
    /// A unique key was already taken; the value names which (`username`, `email`).
    #[error("conflict on {0}")]
    Conflict(&'static str),
    #[error(transparent)]
    Other(anyhow::Error),
}

pub type StoreResult<T> = Result<T, StoreError>;

/// Names of unique keys as each backend reports them, mapped to the key's meaning.
/// PostgreSQL and MariaDB report the index name, SQLite the table and column.
const UNIQUE_KEYS: &[(&str, &str)] = &[
    ("uq_users_username", "username"),
    ("users.username_lower", "username"),
    ("uq_users_email", "email"),
    ("users.email_lower", "email"),
    ("uq_conversations_direct", "direct_conversation"),
    ("conversations.direct_key", "direct_conversation"),
    ("uq_messages_client", "client_msg_id"),
    (
        "messages.sender_id, messages.client_msg_id",
        "client_msg_id",
    ),
];

type Tx<'c> = sqlx::Transaction<'c, sqlx::Any>;

impl From<sqlx::Error> for StoreError {
    fn from(e: sqlx::Error) -> Self {
        match &e {
            sqlx::Error::RowNotFound => StoreError::NotFound,
            sqlx::Error::Database(db) if db.is_unique_violation() => {
                let text = format!("{} {}", db.constraint().unwrap_or(""), db.message());
                match UNIQUE_KEYS.iter().find(|(name, _)| text.contains(name)) {
                    Some((_, key)) => StoreError::Conflict(key),
                    None => StoreError::Other(e.into()),
                }
            }
            _ => StoreError::Other(e.into()),
        }
    }
}

#[derive(Clone)]
pub struct Store {
    pool: AnyPool,
    backend: Backend,
    /// The URL sqlx opened, to open a dedicated pool (see [`Store::dedicated`]).
    url: String,
    /// On a SQLite file: the hot reads, run natively (sqlite_native.rs).
    #[cfg(feature = "sqlite")]
    native: Option<std::sync::Arc<sqlite_native::NativeReads>>,
    /// Elsewhere: a resume's reads, batched across callers (batched.rs).
    batches: std::sync::Arc<batch_reads::Batches>,
}

// By hand: the URL may carry a password.
impl std::fmt::Debug for Store {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Store")
            .field("backend", &self.backend)
            .field("url", &backend::redact(&self.url))
            .finish()
    }
}

/// How to open the store.
pub struct StoreOptions<'a> {
    pub url: &'a str,
    pub max_connections: u32,
}

impl Store {
    /// Connections open in the pool, and how many of them are idle (metrics).
    pub fn pool_use(&self) -> (u32, usize) {
        (self.pool.size(), self.pool.num_idle())
    }

    /// Opens a pool for `url`, creating a SQLite file and its directory when needed.
    /// Does not migrate: call [`Store::migrate`].
    pub async fn connect(opts: StoreOptions<'_>) -> anyhow::Result<Self> {
        let (backend, url) = Backend::from_url(opts.url)?;
        sqlx::any::install_default_drivers();
        if backend == Backend::Sqlite {
            if let Some(parent) = backend::sqlite_path(&url).and_then(|p| Path::new(p).parent()) {
                if !parent.as_os_str().is_empty() {
                    std::fs::create_dir_all(parent).with_context(|| {
                        format!("creating database directory {}", parent.display())
                    })?;
                }
            }
        }
        let pool = Self::open_pool(backend, &url, opts.max_connections, &[]).await?;
        Ok(Self {
            pool,
            backend,
            #[cfg(feature = "sqlite")]
            native: Self::native_reads(backend, &url),
            url,
            batches: std::sync::Arc::new(batch_reads::Batches::new()),
        })
    }

    /// Is there a Confab database at `url` already: a SQLite file, or a server
    /// database holding the users table? Creates nothing (the admin CLI asks
    /// before it makes an empty database somewhere nobody meant).
    pub async fn exists(url: &str) -> anyhow::Result<bool> {
        let (backend, url) = Backend::from_url(url)?;
        if backend == Backend::Sqlite {
            return Ok(backend::sqlite_path(&url).is_some_and(|p| Path::new(p).is_file()));
        }
        sqlx::any::install_default_drivers();
        let pool = Self::open_pool(backend, &url, 1, &[]).await?;
        let found = sqlx::query("SELECT 1 FROM users LIMIT 1")
            .fetch_optional(&pool)
            .await
            .is_ok();
        pool.close().await;
        Ok(found)
    }

    /// The same database through a pool of its own with `connections`
    /// connections: the message writer's, so that its commits never queue behind
    /// hundreds of reads waiting for a shared connection.
    pub async fn dedicated(&self, connections: u32) -> anyhow::Result<Self> {
        Ok(Self {
            pool: Self::open_pool(
                self.backend,
                &self.url,
                connections,
                self.backend.writer_setup(),
            )
            .await?,
            backend: self.backend,
            url: self.url.clone(),
            // The writer's pool: writes, and reads inside its transactions.
            #[cfg(feature = "sqlite")]
            native: None,
            batches: std::sync::Arc::new(batch_reads::Batches::new()),
        })
    }

    /// Whether the hot reads go through SQLite's own API (a SQLite file).
    pub fn reads_natively(&self) -> bool {
        #[cfg(feature = "sqlite")]
        return self.native.is_some();
        #[cfg(not(feature = "sqlite"))]
        false
    }

    /// The same database with every read through sqlx: the portable path, to hold
    /// the native reads to the same answers (tests).
    pub fn portable_reads(&self) -> Self {
        let mut store = self.clone();
        #[cfg(feature = "sqlite")]
        {
            store.native = None;
        }
        store
    }

    /// Native reads for a SQLite file; an in-memory database is one connection's
    /// own and cannot be shared, so it reads through sqlx only.
    #[cfg(feature = "sqlite")]
    fn native_reads(
        backend: Backend,
        url: &str,
    ) -> Option<std::sync::Arc<sqlite_native::NativeReads>> {
        if backend != Backend::Sqlite || url.contains("mode=memory") {
            return None;
        }
        let path = backend::sqlite_path(url)?;
        Some(std::sync::Arc::new(sqlite_native::NativeReads::new(path)))
    }

    async fn open_pool(
        backend: Backend,
        url: &str,
        max_connections: u32,
        extra_setup: &'static [&'static str],
    ) -> anyhow::Result<AnyPool> {
        AnyPoolOptions::new()
            .max_connections(max_connections.max(1))
            .acquire_timeout(Duration::from_secs(10))
            // A ping before every acquire was one more round trip per query, and
            // under load a server's connections are never idle long enough to have
            // gone stale unnoticed. A server connection that sat idle may have (a
            // restart, an idle cut): it is pinged, and replaced when the ping fails.
            // An embedded SQLite connection cannot go stale.
            .test_before_acquire(false)
            .before_acquire(move |conn, meta| {
                Box::pin(async move {
                    if backend != Backend::Sqlite && meta.idle_for >= PING_WHEN_IDLE {
                        // An error closes the connection; the pool takes another.
                        sqlx::Connection::ping(conn).await?;
                    }
                    Ok(true)
                })
            })
            .after_connect(move |conn, _| {
                Box::pin(async move {
                    for pragma in backend.connection_setup().iter().chain(extra_setup) {
                        conn.execute(*pragma).await?;
                    }
                    Ok(())
                })
            })
            .connect(url)
            .await
            .with_context(|| format!("connecting to the {} database", backend.name()))
    }

    pub fn backend(&self) -> Backend {
        self.backend
    }

    /// Applies pending migrations of this backend's migration folder.
    pub async fn migrate(&self) -> anyhow::Result<()> {
        self.backend
            .migrator()
            .run(&self.pool)
            .await
            .with_context(|| format!("migrating the {} database", self.backend.name()))
    }

    /// Refreshes the planner's statistics. After a bulk load (`seed-bench`) they
    /// still describe empty tables until autovacuum gets to them, and PostgreSQL
    /// then picked a plan for the presence audience that read every group: 113 ms
    /// a query instead of well under one, and 5,000 reconnecting clients took 67 s.
    pub async fn analyze(&self) -> anyhow::Result<()> {
        let sql = match self.backend {
            Backend::Sqlite | Backend::Postgres => "ANALYZE",
            Backend::MySql => "ANALYZE TABLE users, conversations, members, messages, friendships, blocks, sessions",
        };
        sqlx::query(sql).execute(&self.pool).await?;
        Ok(())
    }

    /// True when the database answers a trivial query.
    pub async fn ping(&self) -> bool {
        sqlx::query("SELECT 1").execute(&self.pool).await.is_ok()
    }

    /// Waits for checked-out connections to return, then closes the pool.
    pub async fn close(&self) {
        self.pool.close().await;
    }

    /// The statement in this backend's dialect.
    fn sql<'q>(&self, sql: &'q str) -> Cow<'q, str> {
        self.backend.sql(sql)
    }
}

fn affected(r: AnyQueryResult) -> u64 {
    r.rows_affected()
}

/// A pooled server connection idle this long is pinged before it is used: the
/// ping before every use cost PostgreSQL and MariaDB a round trip per statement
/// (BENCHMARKS.md `reconnect`); a connection killed less than this before it was
/// used again fails that one statement.
const PING_WHEN_IDLE: Duration = Duration::from_secs(1);

/// `?, ?, ?` for an IN list of `n` values.
fn placeholders(n: usize) -> String {
    vec!["?"; n.max(1)].join(", ")
}

/// A statement with a list of `n` placeholders as long as a batch. Every length
/// is a statement of its own, and kept in each pooled connection's statement
/// cache they held 4.5 MB of SQLite's memory after a reconnect storm (lists of
/// hundreds; valgrind massif, BENCHMARKS.md `idle`), so long lists are prepared
/// for the one use. Short ones (one user's presence snapshot) are the common
/// case, few lengths, and stay cached.
fn batch_query(
    sql: &str,
    n: usize,
) -> sqlx::query::Query<'_, sqlx::Any, sqlx::any::AnyArguments<'_>> {
    sqlx::query(sql).persistent(n <= 4)
}

impl Store {
    /// Advances a conversation's change counter (and its message counter when
    /// `message` is set) and returns the new `(last_seq, last_ev)`. The UPDATE comes
    /// first in its transaction, so it takes the conversation row's write lock (on
    /// SQLite, the database write lock) before anything is read: concurrent writers
    /// queue here, and commit order equals counter order.
    async fn bump(
        &self,
        tx: &mut Tx<'_>,
        conversation: crate::domain::ConversationId,
        message: bool,
        now: crate::domain::Timestamp,
    ) -> StoreResult<(i64, i64)> {
        let id = conversation.to_string();
        let update = if message {
            "UPDATE conversations SET last_seq = last_seq + 1, last_ev = last_ev + 1, \
             last_activity_at = ? WHERE id = ?"
        } else {
            "UPDATE conversations SET last_ev = last_ev + 1 WHERE id = ?"
        };
        let sql = self.sql(update);
        let mut q = sqlx::query(&sql);
        if message {
            q = q.bind(now.millis());
        }
        if affected(q.bind(id.clone()).execute(&mut **tx).await?) == 0 {
            return Err(StoreError::NotFound);
        }
        let row =
            sqlx::query(&self.sql("SELECT last_seq, last_ev FROM conversations WHERE id = ?"))
                .bind(id)
                .fetch_one(&mut **tx)
                .await?;
        use sqlx::Row;
        Ok((row.try_get("last_seq")?, row.try_get("last_ev")?))
    }
}
