//! What every record type shares: human numbers from per-type sequences,
//! the log of customer views, and comments.

use crate::{Conn, Result};

/// The next human number of a kind, e.g. `INV-0042`. Numbers are never reused.
pub async fn next_number(conn: &mut Conn, kind: &str, default_prefix: &str) -> Result<String> {
    sqlx::query("INSERT INTO sequences (kind, prefix, next_value) VALUES ($1, $2, 1) ON CONFLICT (kind) DO NOTHING")
        .bind(kind)
        .bind(default_prefix)
        .execute(&mut *conn)
        .await?;
    let (prefix, n): (String, i64) = sqlx::query_as(
        "UPDATE sequences SET next_value = next_value + 1 WHERE kind = $1 RETURNING prefix, next_value - 1",
    )
    .bind(kind)
    .fetch_one(conn)
    .await?;
    Ok(format!("{prefix}{n:04}"))
}

/// The prefix future numbers of a kind get, if one was ever set or used.
pub async fn prefix(conn: &mut Conn, kind: &str) -> Result<Option<String>> {
    Ok(
        sqlx::query_scalar("SELECT prefix FROM sequences WHERE kind = $1")
            .bind(kind)
            .fetch_optional(conn)
            .await?,
    )
}

/// How many rows of `table` (from code, never input) have `status`.
pub async fn count_with_status(conn: &mut Conn, table: &str, status: &str) -> Result<i64> {
    Ok(
        sqlx::query_scalar(&format!("SELECT COUNT(*) FROM {table} WHERE status = $1"))
            .bind(status)
            .fetch_one(conn)
            .await?,
    )
}

/// Change the prefix of future numbers.
pub async fn set_prefix(conn: &mut Conn, kind: &str, prefix: &str) -> Result<()> {
    sqlx::query(
        "INSERT INTO sequences (kind, prefix, next_value) VALUES ($1, $2, 1) \
         ON CONFLICT (kind) DO UPDATE SET prefix = excluded.prefix",
    )
    .bind(kind)
    .bind(prefix)
    .execute(conn)
    .await?;
    Ok(())
}

/// One customer view or download.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct RecordView {
    pub kind: String,
    pub ip: String,
    pub at: i64,
    pub email: String,
    pub name: String,
}

pub async fn record_view(
    conn: &mut Conn,
    record_type: &str,
    record_id: &str,
    portal_user_id: &str,
    kind: &str,
    ip: &str,
    now: i64,
) -> Result<()> {
    sqlx::query(
        "INSERT INTO record_views (id, record_type, record_id, portal_user_id, kind, ip, at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(crate::new_id())
    .bind(record_type)
    .bind(record_id)
    .bind(portal_user_id)
    .bind(kind)
    .bind(ip)
    .bind(now)
    .execute(conn)
    .await?;
    Ok(())
}

pub async fn views(conn: &mut Conn, record_type: &str, record_id: &str) -> Result<Vec<RecordView>> {
    Ok(sqlx::query_as(
        "SELECT v.kind, v.ip, v.at, pu.email, c.first_name || ' ' || c.last_name AS name \
         FROM record_views v JOIN portal_users pu ON pu.id = v.portal_user_id \
         JOIN contacts c ON c.id = pu.contact_id \
         WHERE v.record_type = $1 AND v.record_id = $2 ORDER BY v.at DESC LIMIT 200",
    )
    .bind(record_type)
    .bind(record_id)
    .fetch_all(conn)
    .await?)
}

/// Optimistic concurrency for staff edit forms: lock the row (PostgreSQL) or
/// hold the write lock (SQLite, `BEGIN IMMEDIATE`) only if it is still the
/// version the form was rendered from. False when someone changed it since.
/// `table` comes from code, never from input.
pub async fn claim_version(conn: &mut Conn, table: &str, id: &str, version: i64) -> Result<bool> {
    let done = sqlx::query(&format!(
        "UPDATE {table} SET updated_at = updated_at WHERE id = $1 AND updated_at = $2"
    ))
    .bind(id)
    .bind(version)
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// A comment on a record, or a message in a ticket's conversation.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Comment {
    pub id: String,
    /// `staff` or `portal`.
    pub author_kind: String,
    pub author_id: String,
    pub author_name: String,
    pub body: String,
    pub internal: i64,
    pub created_at: i64,
}

pub struct NewComment<'a> {
    pub record_type: &'a str,
    pub record_id: &'a str,
    pub author_kind: &'a str,
    pub author_id: &'a str,
    pub author_name: &'a str,
    pub body: &'a str,
    pub internal: bool,
}

pub async fn add_comment(conn: &mut Conn, c: &NewComment<'_>, now: i64) -> Result<String> {
    let id = crate::new_id();
    sqlx::query(
        "INSERT INTO comments (id, record_type, record_id, author_kind, author_id, author_name, \
         body, internal, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
    )
    .bind(&id)
    .bind(c.record_type)
    .bind(c.record_id)
    .bind(c.author_kind)
    .bind(c.author_id)
    .bind(c.author_name)
    .bind(c.body)
    .bind(i64::from(c.internal))
    .bind(now)
    .execute(conn)
    .await?;
    Ok(id)
}

/// A record's comments, oldest first. `with_internal` only for staff pages:
/// the portal never asks for internal ones.
pub async fn comments(
    conn: &mut Conn,
    record_type: &str,
    record_id: &str,
    with_internal: bool,
) -> Result<Vec<Comment>> {
    let extra = if with_internal {
        ""
    } else {
        " AND internal = 0"
    };
    Ok(sqlx::query_as(&format!(
        "SELECT id, author_kind, author_id, author_name, body, internal, created_at FROM comments \
         WHERE record_type = $1 AND record_id = $2{extra} ORDER BY created_at, id LIMIT 1000"
    ))
    .bind(record_type)
    .bind(record_id)
    .fetch_all(conn)
    .await?)
}
