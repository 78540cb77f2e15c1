//! Companies: the customers of the business.

use crate::{conflict, like_pattern, Conn, DbError, Result, Sql};

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Company {
    pub id: String,
    pub name: String,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub website: Option<String>,
    pub address: Option<String>,
    /// Stored as `,tag1,tag2,` so that one tag can be matched with `LIKE`.
    pub tags: String,
    pub portal_access: String,
    pub created_at: i64,
    pub updated_at: i64,
}

impl Company {
    pub fn tag_list(&self) -> Vec<&str> {
        split_tags(&self.tags)
    }
}

/// The editable fields of a company.
#[derive(Debug, Clone, Default)]
pub struct CompanyInput {
    pub name: String,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub website: Option<String>,
    pub address: Option<String>,
    pub tags: Vec<String>,
    pub portal_access: String,
}

pub(crate) fn join_tags(tags: &[String]) -> String {
    if tags.is_empty() {
        String::new()
    } else {
        format!(",{},", tags.join(","))
    }
}

pub(crate) fn split_tags(s: &str) -> Vec<&str> {
    s.split(',').filter(|t| !t.is_empty()).collect()
}

const COLUMNS: &str =
    "id, name, email, phone, website, address, tags, portal_access, created_at, updated_at";

pub async fn insert(conn: &mut Conn, input: &CompanyInput, now: i64) -> Result<Company> {
    let id = crate::new_id();
    sqlx::query(
        "INSERT INTO companies (id, name, email, phone, website, address, tags, portal_access, \
         created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $9)",
    )
    .bind(&id)
    .bind(&input.name)
    .bind(&input.email)
    .bind(&input.phone)
    .bind(&input.website)
    .bind(&input.address)
    .bind(join_tags(&input.tags))
    .bind(&input.portal_access)
    .bind(now)
    .execute(&mut *conn)
    .await
    .map_err(conflict)?;
    find(conn, &id).await
}

pub async fn update(conn: &mut Conn, id: &str, input: &CompanyInput, now: i64) -> Result<()> {
    let done = sqlx::query(
        "UPDATE companies SET name = $1, email = $2, phone = $3, website = $4, address = $5, \
         tags = $6, portal_access = $7, updated_at = $8 WHERE id = $9",
    )
    .bind(&input.name)
    .bind(&input.email)
    .bind(&input.phone)
    .bind(&input.website)
    .bind(&input.address)
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

/// The company details a portal user may edit on "My details".
#[derive(Debug, Clone, Copy)]
pub struct CompanyDetails<'a> {
    pub name: &'a str,
    pub email: Option<&'a str>,
    pub phone: Option<&'a str>,
    pub website: Option<&'a str>,
    pub address: Option<&'a str>,
}

pub async fn update_details(
    conn: &mut Conn,
    id: &str,
    d: CompanyDetails<'_>,
    now: i64,
) -> Result<()> {
    sqlx::query(
        "UPDATE companies SET name = $1, email = $2, phone = $3, website = $4, address = $5, \
         updated_at = $6 WHERE id = $7",
    )
    .bind(d.name)
    .bind(d.email)
    .bind(d.phone)
    .bind(d.website)
    .bind(d.address)
    .bind(now)
    .bind(id)
    .execute(conn)
    .await?;
    Ok(())
}

pub async fn find(conn: &mut Conn, id: &str) -> Result<Company> {
    sqlx::query_as(&format!("SELECT {COLUMNS} FROM companies WHERE id = $1"))
        .bind(id)
        .fetch_optional(conn)
        .await?
        .ok_or(DbError::NotFound)
}

/// Filters for the staff company list.
#[derive(Debug, Clone, Default)]
pub struct CompanyFilter {
    pub search: Option<String>,
    pub tag: Option<String>,
    /// Keyset cursor: the (name, id) of the last row of the previous page.
    pub after: Option<(String, String)>,
    pub limit: i64,
}

/// One page of companies ordered by name; a page stays as cheap deep in the
/// list as at its start.
pub async fn list(conn: &mut Conn, f: &CompanyFilter) -> Result<Vec<Company>> {
    let mut q = Sql::new(&format!("SELECT {COLUMNS} FROM companies WHERE 1 = 1"));
    if let Some(s) = &f.search {
        q.push(" AND (LOWER(name) LIKE ")
            .bind(like_pattern(s))
            .push(" ESCAPE '\\' OR LOWER(COALESCE(email, '')) LIKE ")
            .bind(like_pattern(s))
            .push(" ESCAPE '\\')");
    }
    if let Some(t) = &f.tag {
        q.push(" AND tags LIKE ")
            .bind(format!("%,{},%", crate::like_escape(t)))
            .push(" ESCAPE '\\'");
    }
    if let Some((name, id)) = &f.after {
        q.push(" AND (name > ")
            .bind(name.clone())
            .push(" OR (name = ")
            .bind(name.clone())
            .push(" AND id > ")
            .bind(id.clone())
            .push("))");
    }
    q.push(" ORDER BY name, id LIMIT ").bind(f.limit);
    let (text, args) = q.build();
    Ok(sqlx::query_as_with(&text, args).fetch_all(conn).await?)
}

/// Every company, by name, for pickers.
pub async fn all_names(conn: &mut Conn) -> Result<Vec<(String, String)>> {
    Ok(
        sqlx::query_as("SELECT id, name FROM companies ORDER BY name, id")
            .fetch_all(conn)
            .await?,
    )
}
