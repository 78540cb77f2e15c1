//! Key/value settings that staff change at run time (email texts, …).

use crate::{Conn, Result};

pub async fn get(conn: &mut Conn, key: &str) -> Result<Option<String>> {
    Ok(
        sqlx::query_scalar("SELECT value FROM settings WHERE key = $1")
            .bind(key)
            .fetch_optional(conn)
            .await?,
    )
}

pub async fn set(conn: &mut Conn, key: &str, value: &str) -> Result<()> {
    sqlx::query(
        "INSERT INTO settings (key, value) VALUES ($1, $2) \
         ON CONFLICT (key) DO UPDATE SET value = excluded.value",
    )
    .bind(key)
    .bind(value)
    .execute(conn)
    .await?;
    Ok(())
}

/// Every setting whose key starts with `prefix`.
pub async fn with_prefix(conn: &mut Conn, prefix: &str) -> Result<Vec<(String, String)>> {
    Ok(
        sqlx::query_as("SELECT key, value FROM settings WHERE key LIKE $1 ORDER BY key")
            .bind(format!("{prefix}%"))
            .fetch_all(conn)
            .await?,
    )
}

pub async fn delete(conn: &mut Conn, key: &str) -> Result<()> {
    sqlx::query("DELETE FROM settings WHERE key = $1")
        .bind(key)
        .execute(conn)
        .await?;
    Ok(())
}
