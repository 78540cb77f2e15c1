//! Tasks: the row, its list spec, writing, completing, reading.

use courtyard_domain::policy::Predicate;
use courtyard_domain::records::TaskStatus;

use super::{execute, find, list, Record};
use crate::listing::{DateCol, Keyed, ListQuery, ListSpec, SortKey};
use crate::{Conn, DbError, Result, Sql};

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Task {
    pub id: String,
    pub number: String,
    pub project_id: String,
    pub project_name: String,
    pub company_id: String,
    pub company_name: String,
    pub subject: String,
    #[sqlx(try_from = "String")]
    pub status: TaskStatus,
    pub created_on: String,
    pub due_on: Option<String>,
    pub description: String,
    pub assignee_id: Option<String>,
    pub assignee_name: Option<String>,
    pub completed_at: Option<i64>,
    pub owner_staff_id: Option<String>,
    pub created_at: i64,
    pub updated_at: i64,
}

impl Keyed for Task {
    fn id(&self) -> &str {
        &self.id
    }
    fn sort_value(&self, column: &str) -> String {
        match column {
            "subject" => self.subject.clone(),
            "number" => self.number.clone(),
            _ => self.created_on.clone(),
        }
    }
}

fn task_select() -> String {
    "SELECT x.id, x.number, x.project_id, p.subject AS project_name, x.company_id, \
     co.name AS company_name, x.subject, x.status, x.created_on, x.due_on, x.description, \
     x.assignee_id, CASE WHEN ac.id IS NULL THEN NULL ELSE ac.first_name || ' ' || ac.last_name END \
     AS assignee_name, x.completed_at, x.owner_staff_id, x.created_at, x.updated_at FROM tasks x \
     JOIN projects p ON p.id = x.project_id JOIN companies co ON co.id = x.company_id \
     LEFT JOIN portal_users au ON au.id = x.assignee_id LEFT JOIN contacts ac ON ac.id = au.contact_id"
        .to_owned()
}

pub const TASK_SPEC: ListSpec = ListSpec {
    search: &["number", "subject"],
    dates: &[
        DateCol {
            key: "created",
            column: "created_on",
            label: "Created",
        },
        DateCol {
            key: "due",
            column: "due_on",
            label: "Due date",
        },
    ],
    sorts: &[
        SortKey {
            key: "created_desc",
            column: "created_on",
            desc: true,
            numeric: false,
            label: "Newest first",
        },
        SortKey {
            key: "created_asc",
            column: "created_on",
            desc: false,
            numeric: false,
            label: "Oldest first",
        },
        SortKey {
            key: "name_asc",
            column: "subject",
            desc: false,
            numeric: false,
            label: "Name",
        },
    ],
    derived: &[],
};

#[derive(Debug, Clone)]
pub struct TaskInput {
    pub project_id: String,
    /// The project's company, copied so lists can filter by company.
    pub company_id: String,
    pub subject: String,
    pub status: String,
    pub created_on: String,
    pub due_on: Option<String>,
    pub description: String,
    pub assignee_id: Option<String>,
    pub owner_staff_id: Option<String>,
}

pub async fn insert_task(conn: &mut Conn, number: &str, t: &TaskInput, now: i64) -> Result<String> {
    let id = crate::new_id();
    let mut q = Sql::new(
        "INSERT INTO tasks (id, number, project_id, company_id, subject, status, created_on, \
         due_on, description, assignee_id, owner_staff_id, created_at, updated_at) VALUES (",
    );
    q.bind(id.clone()).push(", ").bind(number.to_owned());
    for v in [
        Some(t.project_id.clone()),
        Some(t.company_id.clone()),
        Some(t.subject.clone()),
        Some(t.status.clone()),
        Some(t.created_on.clone()),
        t.due_on.clone(),
        Some(t.description.clone()),
        t.assignee_id.clone(),
        t.owner_staff_id.clone(),
    ] {
        q.push(", ").bind(v);
    }
    q.push(", ").bind(now).push(", ").bind(now).push(")");
    execute(conn, q).await?;
    Ok(id)
}

pub async fn update_task(conn: &mut Conn, id: &str, t: &TaskInput, now: i64) -> Result<()> {
    let done = sqlx::query(
        "UPDATE tasks SET subject = $1, status = $2, due_on = $3, description = $4, \
         assignee_id = $5, owner_staff_id = $6, updated_at = $7, \
         completed_at = CASE WHEN $2 = 'done' THEN COALESCE(completed_at, $7) ELSE NULL END \
         WHERE id = $8",
    )
    .bind(&t.subject)
    .bind(&t.status)
    .bind(&t.due_on)
    .bind(&t.description)
    .bind(&t.assignee_id)
    .bind(&t.owner_staff_id)
    .bind(now)
    .bind(id)
    .execute(conn)
    .await?;
    match done.rows_affected() {
        0 => Err(DbError::NotFound),
        _ => Ok(()),
    }
}

/// A portal user marks a task assigned to them done. False when it was not
/// theirs or already done.
pub async fn complete_task(
    conn: &mut Conn,
    id: &str,
    portal_user_id: &str,
    now: i64,
) -> Result<bool> {
    let done = sqlx::query(
        "UPDATE tasks SET status = 'done', completed_at = $1, completed_by = $2, updated_at = $1 \
         WHERE id = $3 AND assignee_id = $2 AND status <> 'done'",
    )
    .bind(now)
    .bind(portal_user_id)
    .bind(id)
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

pub async fn find_task(conn: &mut Conn, id: &str, scope: Option<&Predicate>) -> Result<Task> {
    find(conn, id, scope).await
}

pub async fn list_tasks(
    conn: &mut Conn,
    scope: Option<&Predicate>,
    f: &ListQuery,
) -> Result<Vec<Task>> {
    list(conn, scope, f).await
}

record!(Task, Task, TASK_SPEC, task_select);
