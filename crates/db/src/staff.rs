//! Staff users.

use crate::{conflict, Conn, DbError, Result};

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct StaffUser {
    pub id: String,
    pub email: String,
    pub name: String,
    pub role: String,
    pub password_hash: Option<String>,
    pub active: i64,
    pub created_at: i64,
}

const COLUMNS: &str = "id, email, name, role, password_hash, active, created_at";

pub async fn insert(
    conn: &mut Conn,
    email: &str,
    name: &str,
    role: &str,
    password_hash: Option<&str>,
    now: i64,
) -> Result<StaffUser> {
    let id = crate::new_id();
    sqlx::query(
        "INSERT INTO staff_users (id, email, name, role, password_hash, active, created_at) \
         VALUES ($1, $2, $3, $4, $5, 1, $6)",
    )
    .bind(&id)
    .bind(email)
    .bind(name)
    .bind(role)
    .bind(password_hash)
    .bind(now)
    .execute(&mut *conn)
    .await
    .map_err(conflict)?;
    find(conn, &id).await
}

pub async fn find(conn: &mut Conn, id: &str) -> Result<StaffUser> {
    sqlx::query_as(&format!("SELECT {COLUMNS} FROM staff_users WHERE id = $1"))
        .bind(id)
        .fetch_optional(conn)
        .await?
        .ok_or(DbError::NotFound)
}

pub async fn find_by_email(conn: &mut Conn, email: &str) -> Result<Option<StaffUser>> {
    Ok(sqlx::query_as(&format!(
        "SELECT {COLUMNS} FROM staff_users WHERE email = $1"
    ))
    .bind(email)
    .fetch_optional(conn)
    .await?)
}

pub async fn count(conn: &mut Conn) -> Result<i64> {
    Ok(sqlx::query_scalar("SELECT COUNT(*) FROM staff_users")
        .fetch_one(conn)
        .await?)
}

pub async fn list(conn: &mut Conn) -> Result<Vec<StaffUser>> {
    Ok(sqlx::query_as(&format!(
        "SELECT {COLUMNS} FROM staff_users ORDER BY name, id"
    ))
    .fetch_all(conn)
    .await?)
}

pub async fn set_password(conn: &mut Conn, id: &str, hash: &str) -> Result<()> {
    let done = sqlx::query("UPDATE staff_users SET password_hash = $1 WHERE id = $2")
        .bind(hash)
        .bind(id)
        .execute(conn)
        .await?;
    if done.rows_affected() == 0 {
        return Err(DbError::NotFound);
    }
    Ok(())
}
