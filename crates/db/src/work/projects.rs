//! Projects with their members and milestones: rows, list spec, writing and
//! reading.

use courtyard_domain::policy::Predicate;
use courtyard_domain::records::ProjectStatus;

use super::{execute, find, list, Record, CONTACT_NAME};
use crate::listing::{DateCol, Keyed, ListQuery, ListSpec, SortKey};
use crate::{Conn, DbError, Result, Sql};

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Project {
    pub id: String,
    pub number: String,
    pub company_id: String,
    pub company_name: String,
    pub contact_id: Option<String>,
    pub contact_name: Option<String>,
    pub subject: String,
    #[sqlx(try_from = "String")]
    pub status: ProjectStatus,
    pub progress: i64,
    pub start_on: String,
    pub end_on: Option<String>,
    pub show_on_portal: i64,
    pub show_documents: i64,
    pub description: String,
    pub owner_staff_id: Option<String>,
    pub created_at: i64,
    pub updated_at: i64,
}

impl Keyed for Project {
    fn id(&self) -> &str {
        &self.id
    }
    fn sort_value(&self, column: &str) -> String {
        match column {
            "subject" => self.subject.clone(),
            _ => self.start_on.clone(),
        }
    }
}

fn project_select() -> String {
    format!(
        "SELECT x.id, x.number, x.company_id, co.name AS company_name, x.contact_id, {CONTACT_NAME}, \
         x.subject, x.status, x.progress, x.start_on, x.end_on, x.show_on_portal, x.show_documents, \
         x.description, x.owner_staff_id, x.created_at, x.updated_at FROM projects x \
         JOIN companies co ON co.id = x.company_id LEFT JOIN contacts c ON c.id = x.contact_id"
    )
}

pub const PROJECT_SPEC: ListSpec = ListSpec {
    search: &["number", "subject"],
    dates: &[
        DateCol {
            key: "start",
            column: "start_on",
            label: "Start date",
        },
        DateCol {
            key: "end",
            column: "end_on",
            label: "End date",
        },
    ],
    sorts: &[
        SortKey {
            key: "start_desc",
            column: "start_on",
            desc: true,
            numeric: false,
            label: "Newest first",
        },
        SortKey {
            key: "start_asc",
            column: "start_on",
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
pub struct ProjectInput {
    pub company_id: String,
    pub contact_id: Option<String>,
    pub subject: String,
    pub status: String,
    pub progress: i64,
    pub start_on: String,
    pub end_on: Option<String>,
    pub show_on_portal: bool,
    pub show_documents: bool,
    pub description: String,
    pub owner_staff_id: Option<String>,
    /// Portal user ids; the app checks they belong to the company.
    pub members: Vec<String>,
    pub milestones: Vec<MilestoneInput>,
}

#[derive(Debug, Clone)]
pub struct MilestoneInput {
    pub title: String,
    pub due_on: String,
    pub done: bool,
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Milestone {
    pub id: String,
    pub title: String,
    pub due_on: String,
    pub done: i64,
}

fn bind_project(q: &mut Sql, p: &ProjectInput) {
    q.bind(p.company_id.clone())
        .push(", ")
        .bind(p.contact_id.clone())
        .push(", ")
        .bind(p.subject.clone())
        .push(", ")
        .bind(p.status.clone())
        .push(", ")
        .bind(p.progress)
        .push(", ")
        .bind(p.start_on.clone())
        .push(", ")
        .bind(p.end_on.clone())
        .push(", ")
        .bind(i64::from(p.show_on_portal))
        .push(", ")
        .bind(i64::from(p.show_documents))
        .push(", ")
        .bind(p.description.clone())
        .push(", ")
        .bind(p.owner_staff_id.clone());
}

const PROJECT_COLUMNS: &str = "company_id, contact_id, subject, status, progress, start_on, \
    end_on, show_on_portal, show_documents, description, owner_staff_id";

async fn write_project_parts(conn: &mut Conn, id: &str, p: &ProjectInput) -> Result<()> {
    sqlx::query("DELETE FROM project_members WHERE project_id = $1")
        .bind(id)
        .execute(&mut *conn)
        .await?;
    for m in &p.members {
        sqlx::query("INSERT INTO project_members (project_id, portal_user_id) VALUES ($1, $2)")
            .bind(id)
            .bind(m)
            .execute(&mut *conn)
            .await?;
    }
    // Tasks follow their project: its company, and assignees among its members.
    sqlx::query(
        "UPDATE tasks SET assignee_id = NULL WHERE project_id = $1 AND assignee_id IS NOT NULL \
         AND assignee_id NOT IN (SELECT portal_user_id FROM project_members WHERE project_id = $1)",
    )
    .bind(id)
    .execute(&mut *conn)
    .await?;
    sqlx::query("UPDATE tasks SET company_id = $1 WHERE project_id = $2 AND company_id <> $1")
        .bind(&p.company_id)
        .bind(id)
        .execute(&mut *conn)
        .await?;
    sqlx::query("DELETE FROM milestones WHERE project_id = $1")
        .bind(id)
        .execute(&mut *conn)
        .await?;
    for (i, m) in p.milestones.iter().enumerate() {
        sqlx::query(
            "INSERT INTO milestones (id, project_id, position, title, due_on, done) \
             VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(crate::new_id())
        .bind(id)
        .bind(i as i64)
        .bind(&m.title)
        .bind(&m.due_on)
        .bind(i64::from(m.done))
        .execute(&mut *conn)
        .await?;
    }
    Ok(())
}

pub async fn insert_project(
    conn: &mut Conn,
    number: &str,
    p: &ProjectInput,
    now: i64,
) -> Result<String> {
    let id = crate::new_id();
    let mut q = Sql::new(&format!(
        "INSERT INTO projects (id, number, created_at, updated_at, {PROJECT_COLUMNS}) VALUES ("
    ));
    q.bind(id.clone())
        .push(", ")
        .bind(number.to_owned())
        .push(", ")
        .bind(now)
        .push(", ")
        .bind(now)
        .push(", ");
    bind_project(&mut q, p);
    q.push(")");
    execute(conn, q).await?;
    write_project_parts(conn, &id, p).await?;
    Ok(id)
}

pub async fn update_project(conn: &mut Conn, id: &str, p: &ProjectInput, now: i64) -> Result<()> {
    let mut q = Sql::new("UPDATE projects SET updated_at = ");
    q.bind(now).push(&format!(", ({PROJECT_COLUMNS}) = ("));
    bind_project(&mut q, p);
    q.push(") WHERE id = ").bind(id.to_owned());
    if execute(conn, q).await? == 0 {
        return Err(DbError::NotFound);
    }
    write_project_parts(conn, id, p).await
}

pub async fn find_project(conn: &mut Conn, id: &str, scope: Option<&Predicate>) -> Result<Project> {
    find(conn, id, scope).await
}

pub async fn list_projects(
    conn: &mut Conn,
    scope: Option<&Predicate>,
    f: &ListQuery,
) -> Result<Vec<Project>> {
    list(conn, scope, f).await
}

/// The portal user ids that are members of a project.
/// Projects to pick from: (id, "number · subject (company)"), newest first.
pub async fn project_names(conn: &mut Conn) -> Result<Vec<(String, String)>> {
    let rows: Vec<(String, String, String, String)> = sqlx::query_as(
        "SELECT p.id, p.number, p.subject, c.name FROM projects p JOIN companies c ON c.id = p.company_id \
         ORDER BY p.created_at DESC, p.id DESC LIMIT 2000",
    )
    .fetch_all(conn)
    .await?;
    Ok(rows
        .into_iter()
        .map(|(id, number, subject, company)| (id, format!("{number} · {subject} ({company})")))
        .collect())
}

pub async fn members(conn: &mut Conn, project_id: &str) -> Result<Vec<String>> {
    Ok(sqlx::query_scalar(
        "SELECT portal_user_id FROM project_members WHERE project_id = $1 ORDER BY portal_user_id",
    )
    .bind(project_id)
    .fetch_all(conn)
    .await?)
}

pub async fn milestones(conn: &mut Conn, project_id: &str) -> Result<Vec<Milestone>> {
    Ok(sqlx::query_as(
        "SELECT id, title, due_on, done FROM milestones WHERE project_id = $1 ORDER BY position",
    )
    .bind(project_id)
    .fetch_all(conn)
    .await?)
}

record!(Project, Project, PROJECT_SPEC, project_select);
