//! The transactional outbox: side effects (emails for now) are written in the
//! same transaction as the change that causes them and delivered by a worker.

use crate::{Backend, Conn, Db, Result};

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct OutboxItem {
    pub id: String,
    pub kind: String,
    pub payload: String,
    pub attempts: i64,
    pub last_error: Option<String>,
    pub created_at: i64,
    pub done_at: Option<i64>,
}

/// After this many failed attempts an item is parked for staff to look at.
pub const MAX_ATTEMPTS: i64 = 8;

pub async fn enqueue(conn: &mut Conn, kind: &str, payload: &str, now: i64) -> Result<String> {
    let id = crate::new_id();
    sqlx::query(
        "INSERT INTO outbox (id, kind, payload, attempts, run_at, locked_until, created_at) \
         VALUES ($1, $2, $3, 0, $4, 0, $4)",
    )
    .bind(&id)
    .bind(kind)
    .bind(payload)
    .bind(now)
    .execute(conn)
    .await?;
    Ok(id)
}

/// Claim one due item for `lease_secs`. Several workers (on several nodes) may
/// claim at once: PostgreSQL skips rows another worker holds; SQLite has a
/// single writer, so the update itself is the lock.
pub async fn claim(db: &Db, now: i64, lease_secs: i64) -> Result<Option<OutboxItem>> {
    let lock = match db.backend() {
        Backend::Postgres => " FOR UPDATE SKIP LOCKED",
        Backend::Sqlite => "",
    };
    let sql = format!(
        "UPDATE outbox SET locked_until = $1, attempts = attempts + 1 WHERE id = (\
         SELECT id FROM outbox WHERE done_at IS NULL AND run_at <= $2 AND locked_until <= $2 \
         AND attempts < $3 ORDER BY run_at LIMIT 1{lock}) AND locked_until <= $2 \
         RETURNING id, kind, payload, attempts, last_error, created_at, done_at"
    );
    let mut conn = db.conn().await?;
    Ok(sqlx::query_as(&sql)
        .bind(now + lease_secs)
        .bind(now)
        .bind(MAX_ATTEMPTS)
        .fetch_optional(&mut *conn)
        .await?)
}

pub async fn complete(db: &Db, id: &str, now: i64) -> Result<()> {
    let mut conn = db.conn().await?;
    sqlx::query("UPDATE outbox SET done_at = $1, last_error = NULL WHERE id = $2")
        .bind(now)
        .bind(id)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

/// Record a failure and schedule the next attempt at `retry_at`.
pub async fn fail(db: &Db, id: &str, error: &str, retry_at: i64) -> Result<()> {
    let mut conn = db.conn().await?;
    sqlx::query("UPDATE outbox SET last_error = $1, run_at = $2, locked_until = 0 WHERE id = $3")
        .bind(error)
        .bind(retry_at)
        .bind(id)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

/// Items not yet delivered, oldest first.
pub async fn pending(conn: &mut Conn) -> Result<Vec<OutboxItem>> {
    Ok(sqlx::query_as(
        "SELECT id, kind, payload, attempts, last_error, created_at, done_at FROM outbox \
         WHERE done_at IS NULL ORDER BY created_at, id",
    )
    .fetch_all(conn)
    .await?)
}

/// Items of `kind` still waiting to be delivered.
pub async fn count_waiting(conn: &mut Conn, kind: &str) -> Result<i64> {
    let (n,): (i64,) = sqlx::query_as(
        "SELECT COUNT(*) FROM outbox WHERE kind = $1 AND done_at IS NULL AND attempts < $2",
    )
    .bind(kind)
    .bind(MAX_ATTEMPTS)
    .fetch_one(conn)
    .await?;
    Ok(n)
}
