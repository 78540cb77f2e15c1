//! Portal users: logins for people at customer companies.

use crate::{conflict, like_pattern, Conn, DbError, Result, Sql};

/// A portal user with what the access decision needs from their contact and company.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct PortalUser {
    pub id: String,
    pub contact_id: String,
    pub email: String,
    pub permission_set_id: String,
    pub permission_set_name: String,
    pub grants: String,
    pub record_scope: String,
    pub state: String,
    pub password_hash: Option<String>,
    pub access_from: Option<String>,
    pub access_until: Option<String>,
    pub invited_at: Option<i64>,
    pub activated_at: Option<i64>,
    pub last_login_at: Option<i64>,
    pub created_at: i64,
    pub updated_at: i64,
    pub first_name: String,
    pub last_name: String,
    pub contact_access: String,
    pub company_id: Option<String>,
    pub company_name: Option<String>,
    pub company_access: Option<String>,
}

impl PortalUser {
    pub fn full_name(&self) -> String {
        format!("{} {}", self.first_name, self.last_name)
            .trim()
            .to_owned()
    }
}

const SELECT: &str = "SELECT pu.id, pu.contact_id, pu.email, pu.permission_set_id, \
    ps.name AS permission_set_name, ps.grants, pu.record_scope, pu.state, pu.password_hash, \
    pu.access_from, pu.access_until, pu.invited_at, pu.activated_at, pu.last_login_at, \
    pu.created_at, pu.updated_at, c.first_name, c.last_name, c.portal_access AS contact_access, \
    c.company_id, co.name AS company_name, co.portal_access AS company_access \
    FROM portal_users pu JOIN contacts c ON c.id = pu.contact_id \
    JOIN permission_sets ps ON ps.id = pu.permission_set_id \
    LEFT JOIN companies co ON co.id = c.company_id";

/// The settings staff choose for a portal user.
#[derive(Debug, Clone)]
pub struct PortalUserSettings {
    pub email: String,
    pub permission_set_id: String,
    pub record_scope: String,
    pub access_from: Option<String>,
    pub access_until: Option<String>,
}

pub async fn insert(
    conn: &mut Conn,
    contact_id: &str,
    s: &PortalUserSettings,
    now: i64,
) -> Result<String> {
    let id = crate::new_id();
    sqlx::query(
        "INSERT INTO portal_users (id, contact_id, email, permission_set_id, record_scope, state, \
         access_from, access_until, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, 'awaiting', $6, $7, $8, $8)",
    )
    .bind(&id)
    .bind(contact_id)
    .bind(&s.email)
    .bind(&s.permission_set_id)
    .bind(&s.record_scope)
    .bind(&s.access_from)
    .bind(&s.access_until)
    .bind(now)
    .execute(conn)
    .await
    .map_err(conflict)?;
    Ok(id)
}

pub async fn update_settings(
    conn: &mut Conn,
    id: &str,
    s: &PortalUserSettings,
    now: i64,
) -> Result<()> {
    let done = sqlx::query(
        "UPDATE portal_users SET email = $1, permission_set_id = $2, record_scope = $3, \
         access_from = $4, access_until = $5, updated_at = $6 WHERE id = $7",
    )
    .bind(&s.email)
    .bind(&s.permission_set_id)
    .bind(&s.record_scope)
    .bind(&s.access_from)
    .bind(&s.access_until)
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

pub async fn find(conn: &mut Conn, id: &str) -> Result<PortalUser> {
    sqlx::query_as(&format!("{SELECT} WHERE pu.id = $1"))
        .bind(id)
        .fetch_optional(conn)
        .await?
        .ok_or(DbError::NotFound)
}

pub async fn find_by_email(conn: &mut Conn, email: &str) -> Result<Option<PortalUser>> {
    Ok(sqlx::query_as(&format!("{SELECT} WHERE pu.email = $1"))
        .bind(email)
        .fetch_optional(conn)
        .await?)
}

pub async fn find_by_contact(conn: &mut Conn, contact_id: &str) -> Result<Option<PortalUser>> {
    Ok(
        sqlx::query_as(&format!("{SELECT} WHERE pu.contact_id = $1"))
            .bind(contact_id)
            .fetch_optional(conn)
            .await?,
    )
}

/// Move a user to `state`, stamping the matching time. `from` guards against a
/// concurrent change: nothing happens unless the user is still in that state.
pub async fn set_state(conn: &mut Conn, id: &str, from: &str, to: &str, now: i64) -> Result<bool> {
    let stamp = match to {
        "pending" => ", invited_at = $4",
        "active" => ", activated_at = COALESCE(activated_at, $4)",
        _ => "",
    };
    let sql = format!(
        "UPDATE portal_users SET state = $1, updated_at = $4{stamp} WHERE id = $2 AND state = $3"
    );
    let done = sqlx::query(&sql)
        .bind(to)
        .bind(id)
        .bind(from)
        .bind(now)
        .execute(conn)
        .await?;
    Ok(done.rows_affected() == 1)
}

pub async fn set_password(conn: &mut Conn, id: &str, hash: &str, now: i64) -> Result<()> {
    sqlx::query("UPDATE portal_users SET password_hash = $1, updated_at = $2 WHERE id = $3")
        .bind(hash)
        .bind(now)
        .bind(id)
        .execute(conn)
        .await?;
    Ok(())
}

pub async fn touch_login(conn: &mut Conn, id: &str, now: i64) -> Result<()> {
    sqlx::query("UPDATE portal_users SET last_login_at = $1 WHERE id = $2")
        .bind(now)
        .bind(id)
        .execute(conn)
        .await?;
    Ok(())
}

/// Filters for the staff portal-user list.
#[derive(Debug, Clone, Default)]
pub struct PortalUserFilter {
    pub state: Option<String>,
    pub search: Option<String>,
    pub company_id: Option<String>,
    /// Keyset cursor: (email, id) of the previous page's last row.
    pub after: Option<(String, String)>,
    pub limit: i64,
}

pub async fn list(conn: &mut Conn, f: &PortalUserFilter) -> Result<Vec<PortalUser>> {
    let mut q = Sql::new(&format!("{SELECT} WHERE 1 = 1"));
    if let Some(s) = &f.state {
        q.push(" AND pu.state = ").bind(s.clone());
    }
    if let Some(s) = &f.search {
        let p = like_pattern(s);
        q.push(" AND (pu.email LIKE ")
            .bind(p.clone())
            .push(" ESCAPE '\\' OR LOWER(c.first_name || ' ' || c.last_name) LIKE ")
            .bind(p)
            .push(" ESCAPE '\\')");
    }
    if let Some(id) = &f.company_id {
        q.push(" AND c.company_id = ").bind(id.clone());
    }
    if let Some((email, id)) = &f.after {
        q.push(" AND (pu.email > ")
            .bind(email.clone())
            .push(" OR (pu.email = ")
            .bind(email.clone())
            .push(" AND pu.id > ")
            .bind(id.clone())
            .push("))");
    }
    q.push(" ORDER BY pu.email, pu.id LIMIT ").bind(f.limit);
    let (text, args) = q.build();
    Ok(sqlx::query_as_with(&text, args).fetch_all(conn).await?)
}

/// How many portal users are in each state.
pub async fn count_by_state(conn: &mut Conn) -> Result<Vec<(String, i64)>> {
    Ok(
        sqlx::query_as("SELECT state, COUNT(*) FROM portal_users GROUP BY state")
            .fetch_all(conn)
            .await?,
    )
}
