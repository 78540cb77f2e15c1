//! Failed login attempts per bucket (an account or an IP), for rate limiting.
//! Kept in the database so that every node sees the same counts.

use crate::{Conn, Result};

pub async fn record(conn: &mut Conn, bucket: &str, now: i64) -> Result<()> {
    sqlx::query("INSERT INTO login_failures (id, bucket, at) VALUES ($1, $2, $3)")
        .bind(crate::new_id())
        .bind(bucket)
        .bind(now)
        .execute(conn)
        .await?;
    Ok(())
}

/// Number of failures since `since` and the time of the newest.
pub async fn recent(conn: &mut Conn, bucket: &str, since: i64) -> Result<(i64, Option<i64>)> {
    Ok(sqlx::query_as(
        "SELECT COUNT(*), MAX(at) FROM login_failures WHERE bucket = $1 AND at >= $2",
    )
    .bind(bucket)
    .bind(since)
    .fetch_one(conn)
    .await?)
}

pub async fn clear(conn: &mut Conn, bucket: &str) -> Result<()> {
    sqlx::query("DELETE FROM login_failures WHERE bucket = $1")
        .bind(bucket)
        .execute(conn)
        .await?;
    Ok(())
}

pub async fn prune(conn: &mut Conn, before: i64) -> Result<u64> {
    let done = sqlx::query("DELETE FROM login_failures WHERE at < $1")
        .bind(before)
        .execute(conn)
        .await?;
    Ok(done.rows_affected())
}
