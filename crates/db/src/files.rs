//! Rows of files attached to records. The portal reads a file only together
//! with the record it is attached to, which the caller found through the
//! visibility policy.

use crate::{Conn, DbError, Result};

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct FileRow {
    pub id: String,
    pub key: String,
    pub record_type: String,
    pub record_id: String,
    pub company_id: Option<String>,
    pub display_name: String,
    pub kind: String,
    pub size: i64,
    pub shared: i64,
    pub uploaded_by_kind: String,
    pub uploaded_by_id: String,
    pub uploaded_by_name: String,
    pub created_at: i64,
    /// The thumbnail's key, for images.
    pub thumb_key: Option<String>,
    /// The comment the file came with, if any.
    pub comment_id: Option<String>,
}

pub struct NewFile<'a> {
    pub key: &'a str,
    pub record_type: &'a str,
    pub record_id: &'a str,
    pub company_id: Option<&'a str>,
    pub display_name: &'a str,
    pub kind: &'a str,
    pub size: i64,
    pub shared: bool,
    pub uploaded_by_kind: &'a str,
    pub uploaded_by_id: &'a str,
    pub uploaded_by_name: &'a str,
    /// The comment the file came with, if any.
    pub comment_id: Option<&'a str>,
}

const COLUMNS: &str = "id, key, record_type, record_id, company_id, display_name, kind, size, \
    shared, uploaded_by_kind, uploaded_by_id, uploaded_by_name, created_at, thumb_key, comment_id";

pub async fn insert(
    conn: &mut Conn,
    f: &NewFile<'_>,
    thumb_key: Option<&str>,
    now: i64,
) -> Result<String> {
    let id = crate::new_id();
    sqlx::query(&format!(
        "INSERT INTO files ({COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)"
    ))
    .bind(&id)
    .bind(f.key)
    .bind(f.record_type)
    .bind(f.record_id)
    .bind(f.company_id)
    .bind(f.display_name)
    .bind(f.kind)
    .bind(f.size)
    .bind(i64::from(f.shared))
    .bind(f.uploaded_by_kind)
    .bind(f.uploaded_by_id)
    .bind(f.uploaded_by_name)
    .bind(now)
    .bind(thumb_key)
    .bind(f.comment_id)
    .execute(conn)
    .await?;
    Ok(id)
}

pub async fn find(conn: &mut Conn, id: &str) -> Result<FileRow> {
    sqlx::query_as(&format!("SELECT {COLUMNS} FROM files WHERE id = $1"))
        .bind(id)
        .fetch_optional(conn)
        .await?
        .ok_or(DbError::NotFound)
}

/// A record's files; `portal` keeps only what a customer may see: files
/// staff shared, and the customer's company's own uploads.
pub async fn for_record(
    conn: &mut Conn,
    record_type: &str,
    record_id: &str,
    portal: bool,
) -> Result<Vec<FileRow>> {
    let extra = if portal {
        // Customers' own uploads are shared when stored; staff may hide them.
        " AND shared = 1"
    } else {
        ""
    };
    Ok(sqlx::query_as(&format!(
        "SELECT {COLUMNS} FROM files WHERE record_type = $1 AND record_id = $2{extra} \
         ORDER BY created_at, id LIMIT 500"
    ))
    .bind(record_type)
    .bind(record_id)
    .fetch_all(conn)
    .await?)
}

pub async fn set_shared(conn: &mut Conn, id: &str, shared: bool) -> Result<()> {
    let done = sqlx::query("UPDATE files SET shared = $1 WHERE id = $2")
        .bind(i64::from(shared))
        .bind(id)
        .execute(conn)
        .await?;
    match done.rows_affected() {
        0 => Err(DbError::NotFound),
        _ => Ok(()),
    }
}

/// Remove a file's row (its bytes are deleted after, by the caller).
pub async fn delete(conn: &mut Conn, id: &str) -> Result<()> {
    sqlx::query("DELETE FROM files WHERE id = $1")
        .bind(id)
        .execute(conn)
        .await?;
    Ok(())
}

/// Whether a row points at `key` (the start-up sweep keeps those bytes).
pub async fn key_exists(conn: &mut Conn, key: &str) -> Result<bool> {
    Ok(sqlx::query_scalar::<_, i64>(
        "SELECT (SELECT COUNT(*) FROM files WHERE key = $1) + \
             (SELECT COUNT(*) FROM files WHERE thumb_key = $1)",
    )
    .bind(key)
    .fetch_one(conn)
    .await?
        > 0)
}
