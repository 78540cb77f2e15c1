//! PDF templates staff manage: Typst source per document type, marked for
//! sharing with customers or internal only.

use crate::{Conn, DbError, Result};

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct TemplateRow {
    pub id: String,
    pub kind: String,
    pub name: String,
    /// "sharing" or "internal".
    pub audience: String,
    pub source: String,
    pub updated_by: String,
    pub updated_at: i64,
}

const COLUMNS: &str = "id, kind, name, audience, source, updated_by, updated_at";

/// Every template, by type and name (a business has a handful).
pub async fn list(conn: &mut Conn) -> Result<Vec<TemplateRow>> {
    Ok(sqlx::query_as(&format!(
        "SELECT {COLUMNS} FROM document_templates ORDER BY kind, name, id LIMIT 500"
    ))
    .fetch_all(conn)
    .await?)
}

pub async fn find(conn: &mut Conn, id: &str) -> Result<TemplateRow> {
    sqlx::query_as(&format!(
        "SELECT {COLUMNS} FROM document_templates WHERE id = $1"
    ))
    .bind(id)
    .fetch_optional(conn)
    .await?
    .ok_or(DbError::NotFound)
}

pub struct NewTemplate<'a> {
    pub kind: &'a str,
    pub name: &'a str,
    pub audience: &'a str,
    pub source: &'a str,
    pub updated_by: &'a str,
}

pub async fn insert(conn: &mut Conn, t: &NewTemplate<'_>, now: i64) -> Result<String> {
    let id = crate::new_id();
    sqlx::query(&format!(
        "INSERT INTO document_templates ({COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7)"
    ))
    .bind(&id)
    .bind(t.kind)
    .bind(t.name)
    .bind(t.audience)
    .bind(t.source)
    .bind(t.updated_by)
    .bind(now)
    .execute(conn)
    .await?;
    Ok(id)
}

/// Save a template's new text; its type does not change.
pub async fn update(conn: &mut Conn, id: &str, t: &NewTemplate<'_>, now: i64) -> Result<()> {
    let done = sqlx::query(
        "UPDATE document_templates SET name = $1, audience = $2, source = $3, updated_by = $4, \
         updated_at = $5 WHERE id = $6",
    )
    .bind(t.name)
    .bind(t.audience)
    .bind(t.source)
    .bind(t.updated_by)
    .bind(now)
    .bind(id)
    .execute(conn)
    .await?;
    match done.rows_affected() {
        0 => Err(DbError::NotFound),
        _ => Ok(()),
    }
}

pub async fn delete(conn: &mut Conn, id: &str) -> Result<()> {
    let done = sqlx::query("DELETE FROM document_templates WHERE id = $1")
        .bind(id)
        .execute(conn)
        .await?;
    match done.rows_affected() {
        0 => Err(DbError::NotFound),
        _ => Ok(()),
    }
}
