//! One-time tokens: invitations, password resets, staff setup links.
//! Only the SHA-256 of a token is stored.

use crate::{Conn, Result};

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Token {
    pub hash: String,
    pub purpose: String,
    pub user_kind: String,
    pub user_id: String,
    pub created_at: i64,
    pub expires_at: i64,
    pub used_at: Option<i64>,
}

pub async fn insert(
    conn: &mut Conn,
    hash: &str,
    purpose: &str,
    user_kind: &str,
    user_id: &str,
    now: i64,
    expires_at: i64,
) -> Result<()> {
    sqlx::query(
        "INSERT INTO tokens (hash, purpose, user_kind, user_id, created_at, expires_at) \
         VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(hash)
    .bind(purpose)
    .bind(user_kind)
    .bind(user_id)
    .bind(now)
    .bind(expires_at)
    .execute(conn)
    .await?;
    Ok(())
}

/// A token that is unused and unexpired, without using it.
pub async fn find_valid(
    conn: &mut Conn,
    hash: &str,
    purpose: &str,
    now: i64,
) -> Result<Option<Token>> {
    Ok(sqlx::query_as(
        "SELECT hash, purpose, user_kind, user_id, created_at, expires_at, used_at FROM tokens \
         WHERE hash = $1 AND purpose = $2 AND used_at IS NULL AND expires_at > $3",
    )
    .bind(hash)
    .bind(purpose)
    .bind(now)
    .fetch_optional(conn)
    .await?)
}

/// Use a token once: only one caller can win, however many race.
pub async fn consume(
    conn: &mut Conn,
    hash: &str,
    purpose: &str,
    now: i64,
) -> Result<Option<(String, String)>> {
    Ok(sqlx::query_as(
        "UPDATE tokens SET used_at = $1 WHERE hash = $2 AND purpose = $3 AND used_at IS NULL \
         AND expires_at > $1 RETURNING user_kind, user_id",
    )
    .bind(now)
    .bind(hash)
    .bind(purpose)
    .fetch_optional(conn)
    .await?)
}

/// Kill every unused token of this purpose for the user (a resent invitation
/// makes the old link useless).
pub async fn revoke_for_user(
    conn: &mut Conn,
    purpose: &str,
    user_kind: &str,
    user_id: &str,
    now: i64,
) -> Result<u64> {
    let done = sqlx::query(
        "UPDATE tokens SET used_at = $1 WHERE purpose = $2 AND user_kind = $3 AND user_id = $4 \
         AND used_at IS NULL",
    )
    .bind(now)
    .bind(purpose)
    .bind(user_kind)
    .bind(user_id)
    .execute(conn)
    .await?;
    Ok(done.rows_affected())
}
