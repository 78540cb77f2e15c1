//! Contacts: the people at the customer companies.

use crate::companies::join_tags;
use crate::{like_pattern, Conn, DbError, Result, Sql};

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Contact {
    pub id: String,
    pub company_id: Option<String>,
    pub company_name: Option<String>,
    pub first_name: String,
    pub last_name: String,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub job_title: Option<String>,
    pub tags: String,
    pub portal_access: String,
    /// The contact's portal user, if one was made.
    pub portal_user_id: Option<String>,
    pub portal_state: Option<String>,
    pub created_at: i64,
    pub updated_at: i64,
}

impl Contact {
    pub fn full_name(&self) -> String {
        format!("{} {}", self.first_name, self.last_name)
            .trim()
            .to_owned()
    }

    pub fn tag_list(&self) -> Vec<&str> {
        crate::companies::split_tags(&self.tags)
    }
}

/// The editable fields of a contact.
#[derive(Debug, Clone, Default)]
pub struct ContactInput {
    pub company_id: Option<String>,
    pub first_name: String,
    pub last_name: String,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub job_title: Option<String>,
    pub tags: Vec<String>,
    pub portal_access: String,
}

const SELECT: &str = "SELECT c.id, c.company_id, co.name AS company_name, c.first_name, \
    c.last_name, c.email, c.phone, c.job_title, c.tags, c.portal_access, \
    pu.id AS portal_user_id, pu.state AS portal_state, c.created_at, c.updated_at \
    FROM contacts c LEFT JOIN companies co ON co.id = c.company_id \
    LEFT JOIN portal_users pu ON pu.contact_id = c.id";

pub async fn insert(conn: &mut Conn, input: &ContactInput, now: i64) -> Result<Contact> {
    let id = crate::new_id();
    sqlx::query(
        "INSERT INTO contacts (id, company_id, first_name, last_name, email, phone, job_title, \
         tags, portal_access, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $10)",
    )
    .bind(&id)
    .bind(&input.company_id)
    .bind(&input.first_name)
    .bind(&input.last_name)
    .bind(&input.email)
    .bind(&input.phone)
    .bind(&input.job_title)
    .bind(join_tags(&input.tags))
    .bind(&input.portal_access)
    .bind(now)
    .execute(&mut *conn)
    .await?;
    find(conn, &id).await
}

pub async fn update(conn: &mut Conn, id: &str, input: &ContactInput, now: i64) -> Result<()> {
    let done = sqlx::query(
        "UPDATE contacts SET company_id = $1, first_name = $2, last_name = $3, email = $4, \
         phone = $5, job_title = $6, tags = $7, portal_access = $8, updated_at = $9 WHERE id = $10",
    )
    .bind(&input.company_id)
    .bind(&input.first_name)
    .bind(&input.last_name)
    .bind(&input.email)
    .bind(&input.phone)
    .bind(&input.job_title)
    .bind(join_tags(&input.tags))
    .bind(&input.portal_access)
    .bind(now)
    .bind(id)
    .execute(conn)
    .await?;
    if done.rows_affected() == 0 {
        return Err(DbError::NotFound);
    }
    Ok(())
}

/// The fields a portal user may change about themselves on "My details".
pub async fn update_own_details(
    conn: &mut Conn,
    id: &str,
    first_name: &str,
    last_name: &str,
    phone: Option<&str>,
    job_title: Option<&str>,
    now: i64,
) -> Result<()> {
    sqlx::query(
        "UPDATE contacts SET first_name = $1, last_name = $2, phone = $3, job_title = $4, \
         updated_at = $5 WHERE id = $6",
    )
    .bind(first_name)
    .bind(last_name)
    .bind(phone)
    .bind(job_title)
    .bind(now)
    .bind(id)
    .execute(conn)
    .await?;
    Ok(())
}

/// Keep the contact's email in step with their portal login.
pub async fn set_email(conn: &mut Conn, id: &str, email: &str, now: i64) -> Result<()> {
    sqlx::query("UPDATE contacts SET email = $1, updated_at = $2 WHERE id = $3")
        .bind(email)
        .bind(now)
        .bind(id)
        .execute(conn)
        .await?;
    Ok(())
}

pub async fn find(conn: &mut Conn, id: &str) -> Result<Contact> {
    sqlx::query_as(&format!("{SELECT} WHERE c.id = $1"))
        .bind(id)
        .fetch_optional(conn)
        .await?
        .ok_or(DbError::NotFound)
}

/// Filters for the staff people list.
#[derive(Debug, Clone, Default)]
pub struct ContactFilter {
    pub search: Option<String>,
    pub company_id: Option<String>,
    pub tag: Option<String>,
    /// Keyset cursor: (last_name, first_name, id) of the previous page's last row.
    pub after: Option<(String, String, String)>,
    pub limit: i64,
}

pub async fn list(conn: &mut Conn, f: &ContactFilter) -> Result<Vec<Contact>> {
    let mut q = Sql::new(&format!("{SELECT} WHERE 1 = 1"));
    if let Some(s) = &f.search {
        let p = like_pattern(s);
        q.push(" AND (LOWER(c.first_name || ' ' || c.last_name) LIKE ")
            .bind(p.clone())
            .push(" ESCAPE '\\' OR LOWER(COALESCE(c.email, '')) LIKE ")
            .bind(p)
            .push(" ESCAPE '\\')");
    }
    if let Some(id) = &f.company_id {
        q.push(" AND c.company_id = ").bind(id.clone());
    }
    if let Some(t) = &f.tag {
        q.push(" AND c.tags LIKE ")
            .bind(format!("%,{},%", crate::like_escape(t)))
            .push(" ESCAPE '\\'");
    }
    if let Some((l, fi, id)) = &f.after {
        q.push(" AND (c.last_name > ")
            .bind(l.clone())
            .push(" OR (c.last_name = ")
            .bind(l.clone())
            .push(" AND (c.first_name > ")
            .bind(fi.clone())
            .push(" OR (c.first_name = ")
            .bind(fi.clone())
            .push(" AND c.id > ")
            .bind(id.clone())
            .push("))))");
    }
    q.push(" ORDER BY c.last_name, c.first_name, c.id LIMIT ")
        .bind(f.limit);
    let (text, args) = q.build();
    Ok(sqlx::query_as_with(&text, args).fetch_all(conn).await?)
}
