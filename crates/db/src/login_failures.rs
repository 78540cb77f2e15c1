//! Rate-limit events per bucket: failed logins (an account or an IP) and
//! account emails asked for.
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

/// Claim the one event `id` may stand for (e.g. "one email to this address
/// in this interval"): true for the one caller that inserted it, however
/// many race; false when it was already taken.
pub async fn claim(conn: &mut Conn, id: &str, bucket: &str, now: i64) -> Result<bool> {
    let done = sqlx::query(
        "INSERT INTO login_failures (id, bucket, at) VALUES ($1, $2, $3) ON CONFLICT (id) DO NOTHING",
    )
    .bind(id)
    .bind(bucket)
    .bind(now)
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}
