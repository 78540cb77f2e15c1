//! Named permission sets.

use crate::{conflict, Conn, DbError, Result};

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct PermissionSet {
    pub id: String,
    pub name: String,
    pub description: String,
    /// Space-separated `module:action` keys.
    pub grants: String,
    pub created_at: i64,
    pub updated_at: i64,
    /// How many portal users have this set.
    pub user_count: i64,
}

const SELECT: &str = "SELECT ps.id, ps.name, ps.description, ps.grants, ps.created_at, \
    ps.updated_at, (SELECT COUNT(*) FROM portal_users pu WHERE pu.permission_set_id = ps.id) \
    AS user_count FROM permission_sets ps";

pub async fn insert(
    conn: &mut Conn,
    name: &str,
    description: &str,
    grants: &str,
    now: i64,
) -> Result<PermissionSet> {
    let id = crate::new_id();
    sqlx::query(
        "INSERT INTO permission_sets (id, name, description, grants, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $5)",
    )
    .bind(&id)
    .bind(name)
    .bind(description)
    .bind(grants)
    .bind(now)
    .execute(&mut *conn)
    .await
    .map_err(conflict)?;
    find(conn, &id).await
}

pub async fn update(
    conn: &mut Conn,
    id: &str,
    name: &str,
    description: &str,
    grants: &str,
    now: i64,
) -> Result<()> {
    let done = sqlx::query(
        "UPDATE permission_sets SET name = $1, description = $2, grants = $3, updated_at = $4 \
         WHERE id = $5",
    )
    .bind(name)
    .bind(description)
    .bind(grants)
    .bind(now)
    .bind(id)
    .execute(conn)
    .await
    .map_err(conflict)?;
    if done.rows_affected() == 0 {
        return Err(DbError::NotFound);
    }
    Ok(())
}

pub async fn find(conn: &mut Conn, id: &str) -> Result<PermissionSet> {
    sqlx::query_as(&format!("{SELECT} WHERE ps.id = $1"))
        .bind(id)
        .fetch_optional(conn)
        .await?
        .ok_or(DbError::NotFound)
}

pub async fn list(conn: &mut Conn) -> Result<Vec<PermissionSet>> {
    Ok(sqlx::query_as(&format!("{SELECT} ORDER BY ps.name, ps.id"))
        .fetch_all(conn)
        .await?)
}
