//! Test databases: a fresh SQLite file, and a fresh PostgreSQL schema when
//! `COURTYARD_TEST_POSTGRES_URL` is set. Each is dropped when the test ends,
//! even when it panics. A dev-dependency of the crates whose tests need a
//! database; `tests/contract/` runs the data layer's stories on both
//! engines.

use std::future::Future;

use courtyard_db::{Backend, ConnectOptions, Db};

/// The environment variable that switches the PostgreSQL suite on.
pub const POSTGRES_ENV: &str = "COURTYARD_TEST_POSTGRES_URL";

/// A migrated database that is removed on drop.
pub struct TestDb {
    pub db: Db,
    cleanup: Cleanup,
}

enum Cleanup {
    File(std::path::PathBuf),
    Schema { base_url: String, schema: String },
}

/// One connection to `base_url`, for creating and dropping test schemas.
async fn admin(base_url: &str) -> courtyard_db::Result<Db> {
    Db::connect(
        base_url,
        &ConnectOptions {
            max_connections: 1,
            ..Default::default()
        },
    )
    .await
}

/// Run `statements` in order on one connection of `db` (a `SET` holds for
/// the statements after it).
async fn execute(db: &Db, statements: &[&str]) -> courtyard_db::Result<()> {
    let mut conn = db.conn().await?;
    for sql in statements {
        sqlx::query(sql).execute(&mut *conn).await?;
    }
    Ok(())
}

impl TestDb {
    pub async fn sqlite() -> Self {
        let path = std::env::temp_dir().join(format!("courtyard-test-{}.db", uuid::Uuid::new_v4()));
        let url = format!("sqlite://{}?mode=rwc", path.display());
        let db = Db::connect(&url, &ConnectOptions::default())
            .await
            .expect("open a SQLite test database");
        db.migrate().await.expect("migrate SQLite test database");
        Self {
            db,
            cleanup: Cleanup::File(path),
        }
    }

    pub async fn postgres(base_url: &str) -> Self {
        let schema = format!("t_{}", uuid::Uuid::new_v4().simple());
        let admin = admin(base_url).await.unwrap_or_else(|e| {
            panic!(
                "connect to {} ({POSTGRES_ENV}): {e}",
                courtyard_db::redact(base_url)
            )
        });
        execute(&admin, &[&format!("CREATE SCHEMA {schema}")])
            .await
            .expect("create test schema");
        admin.close().await;
        let sep = if base_url.contains('?') { '&' } else { '?' };
        let url = format!("{base_url}{sep}options=-csearch_path%3D{schema}");
        let db = Db::connect(
            &url,
            &ConnectOptions {
                max_connections: 4,
                ..Default::default()
            },
        )
        .await
        .expect("connect to test schema");
        db.migrate().await.expect("migrate PostgreSQL test schema");
        Self {
            db,
            cleanup: Cleanup::Schema {
                base_url: base_url.to_owned(),
                schema,
            },
        }
    }

    /// The backends this test run covers: SQLite always, PostgreSQL when configured.
    pub fn backends() -> Vec<Backend> {
        let mut v = vec![Backend::Sqlite];
        if postgres_url().is_some() {
            v.push(Backend::Postgres);
        }
        v
    }

    pub async fn new(backend: Backend) -> Self {
        match backend {
            Backend::Sqlite => Self::sqlite().await,
            Backend::Postgres => {
                Self::postgres(&postgres_url().expect("PostgreSQL suite is not configured")).await
            }
        }
    }
}

/// The PostgreSQL URL for tests, if the suite is switched on.
pub fn postgres_url() -> Option<String> {
    std::env::var(POSTGRES_ENV).ok().filter(|s| !s.is_empty())
}

impl Drop for TestDb {
    fn drop(&mut self) {
        let db = self.db.clone();
        let cleanup = std::mem::replace(&mut self.cleanup, Cleanup::File(Default::default()));
        // Drop runs inside (or after) the test's runtime, so clean up on a
        // thread with its own small runtime.
        let _ = std::thread::spawn(move || {
            let rt = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .expect("cleanup runtime");
            rt.block_on(async move {
                // After a panic, connections may still be checked out by the
                // test's (now stopped) runtime; never wait for them for long.
                let _ = tokio::time::timeout(std::time::Duration::from_secs(2), db.close()).await;
                match cleanup {
                    Cleanup::File(path) => {
                        for suffix in ["", "-wal", "-shm"] {
                            let _ = std::fs::remove_file(format!("{}{suffix}", path.display()));
                        }
                    }
                    Cleanup::Schema { base_url, schema } => {
                        if let Ok(admin) = admin(&base_url).await {
                            let drop = format!("DROP SCHEMA {schema} CASCADE");
                            // Each on its own: a refused SET must not keep the DROP from running.
                            let _ = execute(&admin, &["SET lock_timeout = '5s'"]).await;
                            let _ = execute(&admin, &[drop.as_str()]).await;
                            admin.close().await;
                        }
                    }
                }
            });
        })
        .join();
    }
}

/// Run `test` once per configured backend, each on a fresh database.
pub async fn each_backend<F, Fut>(test: F)
where
    F: Fn(Db) -> Fut,
    Fut: Future<Output = ()>,
{
    for backend in TestDb::backends() {
        eprintln!("-- running on {backend:?}");
        let t = TestDb::new(backend).await;
        test(t.db.clone()).await;
        t.db.close().await;
    }
}
