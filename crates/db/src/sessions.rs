//! Server-side sessions. Only a hash of the session id is stored.

use crate::{Conn, Result};

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Session {
    pub id_hash: String,
    pub user_kind: String,
    pub user_id: String,
    pub created_at: i64,
    pub last_seen_at: i64,
    pub ip: String,
    pub user_agent: String,
}

const COLUMNS: &str = "id_hash, user_kind, user_id, created_at, last_seen_at, ip, user_agent";

pub async fn insert(conn: &mut Conn, s: &Session) -> Result<()> {
    sqlx::query(
        "INSERT INTO sessions (id_hash, user_kind, user_id, created_at, \
         last_seen_at, ip, user_agent) VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(&s.id_hash)
    .bind(&s.user_kind)
    .bind(&s.user_id)
    .bind(s.created_at)
    .bind(s.last_seen_at)
    .bind(&s.ip)
    .bind(&s.user_agent)
    .execute(conn)
    .await?;
    Ok(())
}

pub async fn find(conn: &mut Conn, id_hash: &str) -> Result<Option<Session>> {
    Ok(sqlx::query_as(&format!(
        "SELECT {COLUMNS} FROM sessions WHERE id_hash = $1"
    ))
    .bind(id_hash)
    .fetch_optional(conn)
    .await?)
}

pub async fn touch(conn: &mut Conn, id_hash: &str, now: i64) -> Result<()> {
    sqlx::query("UPDATE sessions SET last_seen_at = $1 WHERE id_hash = $2")
        .bind(now)
        .bind(id_hash)
        .execute(conn)
        .await?;
    Ok(())
}

pub async fn delete(conn: &mut Conn, id_hash: &str) -> Result<()> {
    sqlx::query("DELETE FROM sessions WHERE id_hash = $1")
        .bind(id_hash)
        .execute(conn)
        .await?;
    Ok(())
}

/// End one of a user's sessions; `false` when it is not theirs or is gone.
pub async fn delete_for_user(
    conn: &mut Conn,
    kind: &str,
    user_id: &str,
    id_hash: &str,
) -> Result<bool> {
    let done =
        sqlx::query("DELETE FROM sessions WHERE id_hash = $1 AND user_kind = $2 AND user_id = $3")
            .bind(id_hash)
            .bind(kind)
            .bind(user_id)
            .execute(conn)
            .await?;
    Ok(done.rows_affected() == 1)
}

/// End every session of a user (deactivation, password change).
pub async fn delete_all_for_user(conn: &mut Conn, kind: &str, user_id: &str) -> Result<u64> {
    let done = sqlx::query("DELETE FROM sessions WHERE user_kind = $1 AND user_id = $2")
        .bind(kind)
        .bind(user_id)
        .execute(conn)
        .await?;
    Ok(done.rows_affected())
}

/// End every session of a user but `keep` (the one asking).
pub async fn delete_others_for_user(
    conn: &mut Conn,
    kind: &str,
    user_id: &str,
    keep: &str,
) -> Result<u64> {
    let done =
        sqlx::query("DELETE FROM sessions WHERE user_kind = $1 AND user_id = $2 AND id_hash <> $3")
            .bind(kind)
            .bind(user_id)
            .bind(keep)
            .execute(conn)
            .await?;
    Ok(done.rows_affected())
}

pub async fn list_for_user(conn: &mut Conn, kind: &str, user_id: &str) -> Result<Vec<Session>> {
    Ok(sqlx::query_as(&format!(
        "SELECT {COLUMNS} FROM sessions WHERE user_kind = $1 AND user_id = $2 \
         ORDER BY last_seen_at DESC"
    ))
    .bind(kind)
    .bind(user_id)
    .fetch_all(conn)
    .await?)
}

/// Remove sessions idle since `idle_before` or created before `created_before`.
pub async fn delete_expired(conn: &mut Conn, idle_before: i64, created_before: i64) -> Result<u64> {
    let done = sqlx::query("DELETE FROM sessions WHERE last_seen_at < $1 OR created_at < $2")
        .bind(idle_before)
        .bind(created_before)
        .execute(conn)
        .await?;
    Ok(done.rows_affected())
}
