//! The only place with SQL. One code path for SQLite and PostgreSQL: portable
//! SQL with `$n` placeholders through sqlx's `Any` driver (docs/adr/0002).

pub mod companies;
pub mod contacts;
pub mod documents;
pub mod files;
pub mod listing;
pub mod login_failures;
pub mod notifications;
pub mod outbox;
pub mod permission_sets;
pub mod portal_users;
pub mod records;
pub mod sales;
pub mod seed;
pub mod sessions;
pub mod settings;
mod sql;
pub mod staff;
pub mod templates;
pub mod tokens;
pub mod work;

use std::str::FromStr;
use std::time::Duration;

use sqlx::any::{AnyConnectOptions, AnyPoolOptions};
use sqlx::{AnyPool, Executor};

pub use sql::Sql;
pub use sqlx::AnyConnection as Conn;

/// A transaction; derefs to [`Conn`].
pub type Tx = sqlx::Transaction<'static, sqlx::Any>;

/// Which database engine a [`Db`] talks to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// Errors from the data layer.
#[derive(Debug, thiserror::Error)]
pub enum DbError {
    #[error("not found")]
    NotFound,
    /// A unique constraint refused the write; the string names the constraint or column.
    #[error("conflict on {0}")]
    Conflict(String),
    #[error("unsupported database URL: {0}")]
    BadUrl(String),
    #[error(transparent)]
    Sqlx(#[from] sqlx::Error),
    #[error(transparent)]
    Migrate(#[from] sqlx::migrate::MigrateError),
}

pub type Result<T, E = DbError> = std::result::Result<T, E>;

/// Map a unique-violation to [`DbError::Conflict`], leaving other errors alone.
pub(crate) fn conflict(e: sqlx::Error) -> DbError {
    if let sqlx::Error::Database(db) = &e {
        if db.is_unique_violation() {
            let what = db
                .constraint()
                .map(str::to_owned)
                .unwrap_or_else(|| db.message().to_owned());
            return DbError::Conflict(what);
        }
    }
    DbError::Sqlx(e)
}

static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("./migrations");

/// A cloneable database handle that hides which backend is in use.
#[derive(Clone, Debug)]
pub struct Db {
    pool: AnyPool,
    backend: Backend,
}

/// Options for [`Db::connect`].
#[derive(Debug, Clone)]
pub struct ConnectOptions {
    pub max_connections: u32,
    pub acquire_timeout: Duration,
}

impl Default for ConnectOptions {
    fn default() -> Self {
        Self {
            max_connections: 8,
            acquire_timeout: Duration::from_secs(10),
        }
    }
}

impl Db {
    /// Connect to `sqlite://path` or `postgres://…`.
    pub async fn connect(url: &str, opts: &ConnectOptions) -> Result<Self> {
        sqlx::any::install_default_drivers();
        let backend = if url.starts_with("sqlite:") {
            Backend::Sqlite
        } else if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            Backend::Postgres
        } else {
            return Err(DbError::BadUrl(redact(url)));
        };
        let connect = AnyConnectOptions::from_str(url)?;
        let pool = AnyPoolOptions::new()
            .max_connections(opts.max_connections)
            .acquire_timeout(opts.acquire_timeout)
            .after_connect(move |conn, _| {
                Box::pin(async move {
                    if backend == Backend::Sqlite {
                        // WAL lets readers run beside the writer; the busy timeout makes
                        // writers wait for each other instead of failing at once. A 1 MiB
                        // page cache per connection (the default is 2 MiB): keyset pages
                        // touch a few index pages, and the OS caches the file anyway;
                        // this keeps the server under 50 MB (docs/BENCHMARKS.md).
                        conn.execute(
                            "PRAGMA journal_mode = WAL; PRAGMA busy_timeout = 5000; \
                             PRAGMA foreign_keys = ON; PRAGMA synchronous = NORMAL; \
                             PRAGMA cache_size = -1024;",
                        )
                        .await?;
                    }
                    Ok(())
                })
            })
            .connect_with(connect)
            .await?;
        Ok(Self { pool, backend })
    }

    pub fn backend(&self) -> Backend {
        self.backend
    }

    /// Apply the embedded migrations that have not run yet.
    pub async fn migrate(&self) -> Result<()> {
        MIGRATOR.run(&self.pool).await?;
        Ok(())
    }

    /// `SELECT 1`, for readiness checks.
    pub async fn ping(&self) -> Result<()> {
        sqlx::query("SELECT 1").execute(&self.pool).await?;
        Ok(())
    }

    pub async fn conn(&self) -> Result<sqlx::pool::PoolConnection<sqlx::Any>> {
        Ok(self.pool.acquire().await?)
    }

    /// Begin a transaction that writes. On SQLite it takes the write lock at
    /// once (`BEGIN IMMEDIATE`), waiting for it up to the busy timeout: a
    /// deferred transaction that reads and then writes fails at once with
    /// "database is locked" when another connection wrote in between.
    pub async fn begin(&self) -> Result<Tx> {
        Ok(match self.backend {
            Backend::Sqlite => self.pool.begin_with("BEGIN IMMEDIATE").await?,
            Backend::Postgres => self.pool.begin().await?,
        })
    }

    pub async fn close(&self) {
        self.pool.close().await;
    }
}

/// A database URL with any password replaced, fit for logs and errors.
pub fn redact(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(s), Some(at)) if at > s => {
            let creds = &url[s + 3..at];
            match creds.split_once(':') {
                Some((user, _)) => format!("{}://{}:***@{}", &url[..s], user, &url[at + 1..]),
                None => url.to_owned(),
            }
        }
        _ => url.to_owned(),
    }
}

/// A new random public id.
pub fn new_id() -> String {
    uuid::Uuid::new_v4().to_string()
}

/// The longest search term looked for; the rest is ignored (a long
/// pattern is slow everywhere and refused by SQLite past 50,000 bytes).
pub const MAX_SEARCH_CHARS: usize = 200;

/// `needle` as part of a `LIKE … ESCAPE '\'` pattern: lower-cased, `%`, `_`
/// and `\` escaped, at most [`MAX_SEARCH_CHARS`] characters.
pub fn like_escape(needle: &str) -> String {
    let mut s = String::with_capacity(needle.len());
    for c in needle.to_lowercase().chars().take(MAX_SEARCH_CHARS) {
        if matches!(c, '%' | '_' | '\\') {
            s.push('\\');
        }
        s.push(c);
    }
    s
}

/// A `LIKE … ESCAPE '\'` pattern matching `needle` anywhere.
pub fn like_pattern(needle: &str) -> String {
    format!("%{}%", like_escape(needle))
}

#[cfg(test)]
mod tests {
    #[test]
    fn passwords_are_redacted_from_urls() {
        assert_eq!(
            super::redact("postgres://app:s3cret@db:5432/x"),
            "postgres://app:***@db:5432/x"
        );
        assert_eq!(super::redact("sqlite://data/c.db"), "sqlite://data/c.db");
    }

    #[test]
    fn like_patterns_escape_wildcards_and_are_bounded() {
        assert_eq!(super::like_pattern("50%_A\\b"), "%50\\%\\_a\\\\b%");
        assert_eq!(
            super::like_pattern(&"x".repeat(60_000)).len(),
            super::MAX_SEARCH_CHARS + 2
        );
    }
}
