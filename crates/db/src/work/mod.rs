//! Jobs, tickets, projects (with members and milestones) and tasks. Portal
//! reads carry the visibility policy's predicate in their SQL.

use courtyard_domain::policy::Predicate;

use crate::listing::{self, Keyed, ListQuery, ListSpec};
use crate::{Conn, DbError, Result, Sql};

/// One row by id, with the policy's predicate (if any) in the same query.
async fn one<T>(conn: &mut Conn, select: &str, id: &str, scope: Option<&Predicate>) -> Result<T>
where
    T: for<'r> sqlx::FromRow<'r, sqlx::any::AnyRow> + Send + Unpin,
{
    let mut q = Sql::new(&format!("{select} WHERE x.id = "));
    q.bind(id.to_owned());
    if let Some(p) = scope {
        q.scope("x", p);
    }
    let (text, args) = q.build();
    sqlx::query_as_with(&text, args)
        .fetch_optional(conn)
        .await?
        .ok_or(DbError::NotFound)
}

/// A page of rows: `select`, the policy's predicate, then the list filters.
async fn page<T>(
    conn: &mut Conn,
    select: &str,
    spec: &ListSpec,
    scope: Option<&Predicate>,
    f: &ListQuery,
) -> Result<Vec<T>>
where
    T: for<'r> sqlx::FromRow<'r, sqlx::any::AnyRow> + Send + Unpin,
{
    let mut q = Sql::new(&format!("{select} WHERE 1 = 1"));
    if let Some(p) = scope {
        q.scope("x", p);
    }
    listing::apply(&mut q, "x", spec, f, None);
    let (text, args) = q.build();
    Ok(sqlx::query_as_with(&text, args).fetch_all(conn).await?)
}

async fn execute(conn: &mut Conn, q: Sql) -> Result<u64> {
    let (text, args) = q.build();
    Ok(sqlx::query_with(&text, args)
        .execute(conn)
        .await
        .map_err(crate::conflict)?
        .rows_affected())
}

/// A job, ticket, project or task: how to select it and list it, and the
/// module and comment type it belongs to.
pub trait Record: for<'r> sqlx::FromRow<'r, sqlx::any::AnyRow> + Keyed + Send + Unpin {
    /// Its record type: the `record_type` of its comments and its number
    /// sequence, and (through it) its module.
    const KIND: courtyard_domain::RecordKind;
    const SPEC: &'static ListSpec;
    fn select() -> String;
    /// (id, number, subject, status), for lists that show any record type.
    fn summary(&self) -> (&str, &str, &str, &str);
}

/// One record by id; with `scope`, only if the policy allows.
pub async fn find<R: Record>(conn: &mut Conn, id: &str, scope: Option<&Predicate>) -> Result<R> {
    one(conn, &R::select(), id, scope).await
}

/// A page of records; with `scope`, only what the policy allows.
pub async fn list<R: Record>(
    conn: &mut Conn,
    scope: Option<&Predicate>,
    f: &ListQuery,
) -> Result<Vec<R>> {
    page(conn, &R::select(), R::SPEC, scope, f).await
}

/// How many records match `f`'s filters (its cursor and limit ignored):
/// the true count beside a capped list.
pub async fn count<R: Record>(
    conn: &mut Conn,
    scope: Option<&Predicate>,
    f: &ListQuery,
) -> Result<i64> {
    let mut q = Sql::new(&format!(
        "SELECT COUNT(*) FROM ({} WHERE 1 = 1",
        R::select()
    ));
    if let Some(p) = scope {
        q.scope("x", p);
    }
    listing::filters(&mut q, "x", R::SPEC, f, None);
    q.push(") n");
    let (text, args) = q.build();
    Ok(sqlx::query_scalar_with(&text, args).fetch_one(conn).await?)
}

macro_rules! record {
    ($t:ty, $kind:ident, $spec:ident, $select:ident) => {
        impl Record for $t {
            const KIND: courtyard_domain::RecordKind = courtyard_domain::RecordKind::$kind;
            const SPEC: &'static ListSpec = &$spec;
            fn select() -> String {
                $select()
            }
            fn summary(&self) -> (&str, &str, &str, &str) {
                (&self.id, &self.number, &self.subject, self.status.as_str())
            }
        }
    };
}

const CONTACT_NAME: &str =
    "CASE WHEN c.id IS NULL THEN NULL ELSE c.first_name || ' ' || c.last_name END AS contact_name";

mod jobs;
mod projects;
mod tasks;
mod tickets;
pub use jobs::*;
pub use projects::*;
pub use tasks::*;
pub use tickets::*;
