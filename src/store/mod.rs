//! Persistence behind one interface. All three backends go through sqlx's `Any`
//! driver with the same SQL; the only dialect difference so far (placeholders) is
//! isolated in [`backend::Backend::sql`]. Only this module names sqlx.

mod backend;
mod rows;
pub mod sessions;
pub mod users;

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
];

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

#[derive(Clone, Debug)]
pub struct Store {
    pool: AnyPool,
    backend: Backend,
}

/// How to open the store.
pub struct StoreOptions<'a> {
    pub url: &'a str,
    pub max_connections: u32,
}

impl Store {
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
        let pool = AnyPoolOptions::new()
            .max_connections(opts.max_connections.max(1))
            .acquire_timeout(Duration::from_secs(10))
            .after_connect(move |conn, _| {
                Box::pin(async move {
                    for pragma in backend.connection_setup() {
                        conn.execute(*pragma).await?;
                    }
                    Ok(())
                })
            })
            .connect(&url)
            .await
            .with_context(|| format!("connecting to the {} database", backend.name()))?;
        Ok(Self { pool, backend })
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
