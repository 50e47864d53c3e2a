use std::borrow::Cow;

use anyhow::bail;
use sqlx::migrate::Migrator;

/// The database product behind a URL.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
    MySql,
}

impl Backend {
    /// Picks the backend from the URL scheme and returns the URL sqlx should open.
    /// A backend that this binary was built without is refused with the cargo
    /// feature to enable, rather than a confusing driver error later.
    pub fn from_url(url: &str) -> anyhow::Result<(Self, String)> {
        let scheme = url.split_once(':').map(|(s, _)| s).unwrap_or("");
        let (backend, url) = match scheme {
            "sqlite" => (Backend::Sqlite, sqlite_url(url)),
            "postgres" | "postgresql" => (Backend::Postgres, url.to_owned()),
            "mysql" => (Backend::MySql, url.to_owned()),
            // MariaDB speaks the MySQL protocol; accept its name too.
            "mariadb" => (Backend::MySql, format!("mysql{}", &url["mariadb".len()..])),
            _ => bail!(
                "unsupported database URL {:?}: use sqlite://PATH, postgres://... or mysql://...",
                redact(url)
            ),
        };
        backend.require(backend.compiled_in())?;
        Ok((backend, url))
    }

    pub fn name(self) -> &'static str {
        match self {
            Backend::Sqlite => "SQLite",
            Backend::Postgres => "PostgreSQL",
            Backend::MySql => "MySQL/MariaDB",
        }
    }

    pub fn feature(self) -> &'static str {
        match self {
            Backend::Sqlite => "sqlite",
            Backend::Postgres => "postgres",
            Backend::MySql => "mysql",
        }
    }

    fn require(self, compiled_in: bool) -> anyhow::Result<()> {
        if !compiled_in {
            bail!(
                "this confab binary was built without {} support; rebuild with `cargo build --release --features {}`",
                self.name(),
                self.feature()
            );
        }
        Ok(())
    }

    fn compiled_in(self) -> bool {
        match self {
            Backend::Sqlite => cfg!(feature = "sqlite"),
            Backend::Postgres => cfg!(feature = "postgres"),
            Backend::MySql => cfg!(feature = "mysql"),
        }
    }

    /// Statements run on every new connection.
    pub(super) fn connection_setup(self) -> &'static [&'static str] {
        match self {
            // WAL lets readers proceed during a write; FULL sync makes a commit
            // survive power loss, which is what an ack promises (group commit pays
            // for the fsync once per batch); the busy timeout makes concurrent
            // writers wait for the lock instead of failing at once.
            Backend::Sqlite => &[
                "PRAGMA journal_mode = WAL",
                "PRAGMA synchronous = FULL",
                "PRAGMA foreign_keys = ON",
                "PRAGMA busy_timeout = 5000",
                // Reads through mmap, and a checkpoint every ~40 MiB of WAL
                // instead of every 4 MiB: sends touch index pages all over the
                // file (see BENCHMARKS.md, ingest).
                "PRAGMA mmap_size = 268435456",
                "PRAGMA wal_autocheckpoint = 10000",
            ],
            Backend::Postgres => &["SET TIME ZONE 'UTC'"],
            Backend::MySql => &["SET time_zone = '+00:00'"],
        }
    }

    /// Extra statements for the message writer's own connection.
    pub(super) fn writer_setup(self) -> &'static [&'static str] {
        match self {
            // The writer rewrites one index page per conversation per message; a
            // 32 MiB cache keeps them (readers keep SQLite's 2 MiB default: their
            // caches are dropped whenever the writer commits anyway).
            // A batch's statements (multi-row INSERTs, the counter UPDATE) keep a
            // statement journal so that one of them can be undone alone (a resend
            // hitting the unique index); past 64 KiB SQLite spills it to a temp
            // file, and at a page per conversation per index that was a
            // pwrite per page: 13.5 % of the server's samples in `ingest`. In
            // memory it is a copy; it lives for one statement of one batch.
            Backend::Sqlite => &["PRAGMA cache_size = -32768", "PRAGMA temp_store = MEMORY"],
            Backend::Postgres | Backend::MySql => &[],
        }
    }

    pub(super) fn migrator(self) -> &'static Migrator {
        static SQLITE: Migrator = sqlx::migrate!("./migrations/sqlite");
        static POSTGRES: Migrator = sqlx::migrate!("./migrations/postgres");
        static MYSQL: Migrator = sqlx::migrate!("./migrations/mysql");
        match self {
            Backend::Sqlite => &SQLITE,
            Backend::Postgres => &POSTGRES,
            Backend::MySql => &MYSQL,
        }
    }

    /// Rewrites `?` placeholders to `$1, $2, ...` for PostgreSQL. Statements in this
    /// crate never contain a literal `?`, so a plain scan is exact.
    pub(super) fn sql(self, sql: &str) -> Cow<'_, str> {
        if self != Backend::Postgres || !sql.contains('?') {
            return Cow::Borrowed(sql);
        }
        let mut out = String::with_capacity(sql.len() + 16);
        let mut n = 0;
        for c in sql.chars() {
            if c == '?' {
                n += 1;
                out.push('$');
                out.push_str(&n.to_string());
            } else {
                out.push(c);
            }
        }
        Cow::Owned(out)
    }
}

/// `sqlite://path` opens read-write-create unless the URL already says a mode.
fn sqlite_url(url: &str) -> String {
    if url.contains("mode=") || url.contains(":memory:") {
        url.to_owned()
    } else if url.contains('?') {
        format!("{url}&mode=rwc")
    } else {
        format!("{url}?mode=rwc")
    }
}

/// The file path of a sqlite URL, if it names one.
pub(super) fn sqlite_path(url: &str) -> Option<&str> {
    let rest = url
        .strip_prefix("sqlite://")
        .or_else(|| url.strip_prefix("sqlite:"))?;
    let path = rest.split('?').next().unwrap_or("");
    (!path.is_empty() && path != ":memory:").then_some(path)
}

/// A URL with any password replaced, for messages and logs.
pub fn redact(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(s), Some(at)) if at > s => {
            let creds = &url[s + 3..at];
            match creds.split_once(':') {
                Some((user, _)) => format!("{}{user}:***{}", &url[..s + 3], &url[at..]),
                None => url.to_owned(),
            }
        }
        _ => url.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn picks_backend_by_scheme() {
        assert_eq!(
            Backend::from_url("sqlite://data/c.db").unwrap().0,
            Backend::Sqlite
        );
        assert_eq!(
            Backend::from_url("postgres://u@h/db").unwrap().0,
            Backend::Postgres
        );
        assert_eq!(
            Backend::from_url("postgresql://u@h/db").unwrap().0,
            Backend::Postgres
        );
        let (b, url) = Backend::from_url("mariadb://root@h/db").unwrap();
        assert_eq!((b, url.as_str()), (Backend::MySql, "mysql://root@h/db"));
    }

    #[test]
    fn unknown_scheme_is_a_clear_error_without_the_password() {
        let err = Backend::from_url("oracle://scott:tiger@h/db")
            .unwrap_err()
            .to_string();
        assert!(err.contains("unsupported database URL"), "{err}");
        assert!(err.contains("scott:***@h"), "{err}");
        assert!(!err.contains("tiger"), "{err}");
    }

    #[test]
    fn a_backend_not_compiled_in_names_its_feature() {
        let err = Backend::MySql.require(false).unwrap_err().to_string();
        assert!(err.contains("without MySQL/MariaDB support"), "{err}");
        assert!(err.contains("--features mysql"), "{err}");
        assert!(Backend::Sqlite.require(true).is_ok());
    }

    #[test]
    fn sqlite_urls_open_read_write_create() {
        assert_eq!(sqlite_url("sqlite://x.db"), "sqlite://x.db?mode=rwc");
        assert_eq!(sqlite_url("sqlite://x.db?mode=ro"), "sqlite://x.db?mode=ro");
        assert_eq!(
            sqlite_path("sqlite://data/x.db?mode=rwc"),
            Some("data/x.db")
        );
        assert_eq!(sqlite_path("sqlite::memory:"), None);
    }

    #[test]
    fn postgres_gets_numbered_placeholders() {
        let q = "SELECT a FROM t WHERE b = ? AND c = ?";
        assert_eq!(
            Backend::Postgres.sql(q),
            "SELECT a FROM t WHERE b = $1 AND c = $2"
        );
        assert_eq!(Backend::MySql.sql(q), q);
        assert_eq!(Backend::Sqlite.sql(q), q);
    }
}
