//! Documents (the Documents module) and the folders staff keep them in. A
//! document's bytes are its row in `files` (record_type 'document'); the two
//! are written in one transaction and their `shared` flags move together.

use courtyard_domain::policy::Predicate;

use crate::sql::Sql;
use crate::{Conn, DbError, Result};

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct DocumentRow {
    pub id: String,
    pub title: String,
    pub description: String,
    pub folder_id: Option<String>,
    pub folder_name: Option<String>,
    /// public | company | contact | project
    pub audience: String,
    pub company_id: Option<String>,
    pub company_name: Option<String>,
    pub contact_id: Option<String>,
    pub contact_name: Option<String>,
    pub project_id: Option<String>,
    pub project_name: Option<String>,
    pub shared: i64,
    pub created_at: i64,
    pub updated_at: i64,
    pub file_id: String,
    pub file_name: String,
    pub file_kind: String,
    pub file_size: i64,
    pub thumb_key: Option<String>,
    pub uploaded_by_kind: String,
    pub uploaded_by_name: String,
}

const SELECT: &str = "SELECT d.id, d.title, d.description, d.folder_id, fo.name AS folder_name, \
    d.audience, d.company_id, co.name AS company_name, d.contact_id, \
    CASE WHEN ct.id IS NULL THEN NULL ELSE ct.first_name || ' ' || ct.last_name END AS contact_name, \
    d.project_id, p.subject AS project_name, d.shared, d.created_at, d.updated_at, \
    f.id AS file_id, f.display_name AS file_name, f.kind AS file_kind, f.size AS file_size, \
    f.thumb_key, f.uploaded_by_kind, f.uploaded_by_name \
    FROM documents d \
    JOIN files f ON f.record_type = 'document' AND f.record_id = d.id \
    LEFT JOIN document_folders fo ON fo.id = d.folder_id \
    LEFT JOIN companies co ON co.id = d.company_id \
    LEFT JOIN contacts ct ON ct.id = d.contact_id \
    LEFT JOIN projects p ON p.id = d.project_id \
    WHERE 1 = 1";

/// Who a document is for, and where staff file it.
#[derive(Debug, Clone, Default)]
pub struct DocumentFields {
    pub title: String,
    pub description: String,
    pub folder_id: Option<String>,
    pub audience: String,
    pub company_id: Option<String>,
    pub contact_id: Option<String>,
    pub project_id: Option<String>,
    pub shared: bool,
}

/// Insert a document row (its file row is written by the caller in the same
/// transaction, with record_id = the returned id).
pub async fn insert(conn: &mut Conn, id: &str, d: &DocumentFields, now: i64) -> Result<()> {
    sqlx::query(
        "INSERT INTO documents (id, title, description, folder_id, audience, company_id, \
         contact_id, project_id, shared, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $10)",
    )
    .bind(id)
    .bind(&d.title)
    .bind(&d.description)
    .bind(&d.folder_id)
    .bind(&d.audience)
    .bind(&d.company_id)
    .bind(&d.contact_id)
    .bind(&d.project_id)
    .bind(i64::from(d.shared))
    .bind(now)
    .execute(conn)
    .await?;
    Ok(())
}

/// Save staff edits; the file's shared flag follows the document's.
pub async fn update(conn: &mut Conn, id: &str, d: &DocumentFields, now: i64) -> Result<()> {
    let done = sqlx::query(
        "UPDATE documents SET title = $1, description = $2, folder_id = $3, audience = $4, \
         company_id = $5, contact_id = $6, project_id = $7, shared = $8, updated_at = $9 \
         WHERE id = $10",
    )
    .bind(&d.title)
    .bind(&d.description)
    .bind(&d.folder_id)
    .bind(&d.audience)
    .bind(&d.company_id)
    .bind(&d.contact_id)
    .bind(&d.project_id)
    .bind(i64::from(d.shared))
    .bind(now)
    .bind(id)
    .execute(&mut *conn)
    .await?;
    if done.rows_affected() == 0 {
        return Err(DbError::NotFound);
    }
    sqlx::query("UPDATE files SET shared = $1 WHERE record_type = 'document' AND record_id = $2")
        .bind(i64::from(d.shared))
        .bind(id)
        .execute(conn)
        .await?;
    Ok(())
}

/// One document; with a predicate, only if the policy lets the viewer see it.
pub async fn find(conn: &mut Conn, id: &str, scope: Option<&Predicate>) -> Result<DocumentRow> {
    let mut q = Sql::new(SELECT);
    q.push(" AND d.id = ").bind(id.to_owned());
    if let Some(p) = scope {
        q.scope("d", p);
    }
    let (text, args) = q.build();
    sqlx::query_as_with(&text, args)
        .fetch_optional(conn)
        .await?
        .ok_or(DbError::NotFound)
}

/// What a list of documents is narrowed to.
#[derive(Debug, Clone, Default)]
pub struct DocumentFilter {
    /// Only these audiences (a portal folder), if any.
    pub audiences: Vec<&'static str>,
    pub folder_id: Option<String>,
    pub company_id: Option<String>,
    pub contact_id: Option<String>,
    pub project_id: Option<String>,
    /// Title, description or file name contains this (case-insensitive).
    pub q: String,
    /// Keyset cursor: the (created_at, id) of the last row of the previous page.
    pub before: Option<(i64, String)>,
    pub limit: i64,
}

/// Newest first, a keyset page at a time; with a predicate, scoped.
pub async fn list(
    conn: &mut Conn,
    scope: Option<&Predicate>,
    f: &DocumentFilter,
) -> Result<Vec<DocumentRow>> {
    let mut q = Sql::new(SELECT);
    if let Some(p) = scope {
        q.scope("d", p);
    }
    if !f.audiences.is_empty() {
        q.push(" AND d.audience IN (");
        for (i, a) in f.audiences.iter().enumerate() {
            if i > 0 {
                q.push(", ");
            }
            q.bind(a.to_string());
        }
        q.push(")");
    }
    for (col, v) in [
        ("d.folder_id", &f.folder_id),
        ("d.company_id", &f.company_id),
        ("d.contact_id", &f.contact_id),
        ("d.project_id", &f.project_id),
    ] {
        if let Some(v) = v {
            q.push(&format!(" AND {col} = ")).bind(v.clone());
        }
    }
    if !f.q.trim().is_empty() {
        let like = crate::like_pattern(f.q.trim());
        q.push(" AND (LOWER(d.title) LIKE ")
            .bind(like.clone())
            .push(" ESCAPE '\\' OR LOWER(d.description) LIKE ")
            .bind(like.clone())
            .push(" ESCAPE '\\' OR LOWER(f.display_name) LIKE ")
            .bind(like)
            .push(" ESCAPE '\\')");
    }
    if let Some((at, id)) = &f.before {
        q.push(" AND (d.created_at < ")
            .bind(*at)
            .push(" OR (d.created_at = ")
            .bind(*at)
            .push(" AND d.id < ")
            .bind(id.clone())
            .push("))");
    }
    q.push(" ORDER BY d.created_at DESC, d.id DESC LIMIT ")
        .bind(f.limit.clamp(1, 501));
    let (text, args) = q.build();
    Ok(sqlx::query_as_with(&text, args).fetch_all(conn).await?)
}

/// Delete a document's row; the caller deletes its file row and bytes.
pub async fn delete(conn: &mut Conn, id: &str) -> Result<()> {
    sqlx::query("DELETE FROM documents WHERE id = $1")
        .bind(id)
        .execute(conn)
        .await?;
    Ok(())
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Folder {
    pub id: String,
    pub name: String,
    pub documents: i64,
}

pub async fn folders(conn: &mut Conn) -> Result<Vec<Folder>> {
    Ok(sqlx::query_as(
        "SELECT fo.id, fo.name, (SELECT COUNT(*) FROM documents d WHERE d.folder_id = fo.id) AS documents \
         FROM document_folders fo ORDER BY fo.name, fo.id LIMIT 500",
    )
    .fetch_all(conn)
    .await?)
}

/// A new folder; `Conflict` when the name is taken.
pub async fn create_folder(conn: &mut Conn, name: &str, now: i64) -> Result<String> {
    let taken: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM document_folders WHERE name = $1")
        .bind(name)
        .fetch_one(&mut *conn)
        .await?;
    if taken > 0 {
        return Err(DbError::Conflict("name".into()));
    }
    let id = crate::new_id();
    sqlx::query("INSERT INTO document_folders (id, name, created_at) VALUES ($1, $2, $3)")
        .bind(&id)
        .bind(name)
        .bind(now)
        .execute(conn)
        .await?;
    Ok(id)
}

/// Remove a folder; its documents stay, outside any folder.
pub async fn delete_folder(conn: &mut Conn, id: &str) -> Result<()> {
    sqlx::query("UPDATE documents SET folder_id = NULL WHERE folder_id = $1")
        .bind(id)
        .execute(&mut *conn)
        .await?;
    let done = sqlx::query("DELETE FROM document_folders WHERE id = $1")
        .bind(id)
        .execute(conn)
        .await?;
    match done.rows_affected() {
        0 => Err(DbError::NotFound),
        _ => Ok(()),
    }
}
