//! Jobs, tickets, projects (with members and milestones) and tasks. Portal
//! reads carry the visibility policy's predicate in their SQL.

use courtyard_domain::policy::Predicate;

use crate::listing::{self, DateCol, Keyed, ListQuery, ListSpec, SortKey};
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
    listing::apply(&mut q, "x", spec, f);
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

macro_rules! record {
    ($t:ty, $kind:ident, $spec:ident, $select:ident) => {
        impl Record for $t {
            const KIND: courtyard_domain::RecordKind = courtyard_domain::RecordKind::$kind;
            const SPEC: &'static ListSpec = &$spec;
            fn select() -> String {
                $select()
            }
            fn summary(&self) -> (&str, &str, &str, &str) {
                (&self.id, &self.number, &self.subject, &self.status)
            }
        }
    };
}
record!(Job, Job, JOB_SPEC, job_select);
record!(Ticket, Ticket, TICKET_SPEC, ticket_select);
record!(Project, Project, PROJECT_SPEC, project_select);
record!(Task, Task, TASK_SPEC, task_select);

const CONTACT_NAME: &str =
    "CASE WHEN c.id IS NULL THEN NULL ELSE c.first_name || ' ' || c.last_name END AS contact_name";

// ---- jobs ----

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Job {
    pub id: String,
    pub number: String,
    pub company_id: String,
    pub company_name: String,
    pub contact_id: Option<String>,
    pub contact_name: Option<String>,
    pub subject: String,
    pub status: String,
    pub site_address: String,
    pub requested_on: String,
    pub scheduled_on: Option<String>,
    pub description: String,
    pub requested_by: Option<String>,
    pub owner_staff_id: Option<String>,
    pub created_at: i64,
    pub updated_at: i64,
}

impl Keyed for Job {
    fn id(&self) -> &str {
        &self.id
    }
    fn sort_value(&self, column: &str) -> String {
        match column {
            "number" => self.number.clone(),
            _ => self.requested_on.clone(),
        }
    }
}

#[derive(Debug, Clone)]
pub struct JobInput {
    pub company_id: String,
    pub contact_id: Option<String>,
    pub subject: String,
    pub status: String,
    pub site_address: String,
    pub requested_on: String,
    pub scheduled_on: Option<String>,
    pub description: String,
    pub requested_by: Option<String>,
    pub owner_staff_id: Option<String>,
}

fn job_select() -> String {
    format!(
        "SELECT x.id, x.number, x.company_id, co.name AS company_name, x.contact_id, {CONTACT_NAME}, \
         x.subject, x.status, x.site_address, x.requested_on, x.scheduled_on, x.description, \
         x.requested_by, x.owner_staff_id, x.created_at, x.updated_at FROM jobs x \
         JOIN companies co ON co.id = x.company_id LEFT JOIN contacts c ON c.id = x.contact_id"
    )
}

pub const JOB_SPEC: ListSpec = ListSpec {
    search: &["number", "subject", "site_address"],
    dates: &[
        DateCol {
            key: "requested",
            column: "requested_on",
            label: "Requested",
        },
        DateCol {
            key: "scheduled",
            column: "scheduled_on",
            label: "Scheduled",
        },
    ],
    sorts: &[
        SortKey {
            key: "requested_desc",
            column: "requested_on",
            desc: true,
            numeric: false,
            label: "Newest first",
        },
        SortKey {
            key: "requested_asc",
            column: "requested_on",
            desc: false,
            numeric: false,
            label: "Oldest first",
        },
        SortKey {
            key: "number_asc",
            column: "number",
            desc: false,
            numeric: false,
            label: "Number",
        },
    ],
};

pub async fn insert_job(conn: &mut Conn, number: &str, j: &JobInput, now: i64) -> Result<String> {
    let id = crate::new_id();
    let mut q = Sql::new(
        "INSERT INTO jobs (id, number, company_id, contact_id, subject, status, site_address, \
         requested_on, scheduled_on, description, requested_by, owner_staff_id, created_at, \
         updated_at) VALUES (",
    );
    q.bind(id.clone()).push(", ").bind(number.to_owned());
    for v in [
        Some(j.company_id.clone()),
        j.contact_id.clone(),
        Some(j.subject.clone()),
        Some(j.status.clone()),
        Some(j.site_address.clone()),
        Some(j.requested_on.clone()),
        j.scheduled_on.clone(),
        Some(j.description.clone()),
        j.requested_by.clone(),
        j.owner_staff_id.clone(),
    ] {
        q.push(", ").bind(v);
    }
    q.push(", ").bind(now).push(", ").bind(now).push(")");
    execute(conn, q).await?;
    Ok(id)
}

/// Staff edit everything but who requested it.
pub async fn update_job(conn: &mut Conn, id: &str, j: &JobInput, now: i64) -> Result<()> {
    let mut q = Sql::new("UPDATE jobs SET (company_id, contact_id, subject, status, site_address, requested_on, scheduled_on, description, owner_staff_id, updated_at) = (");
    for (i, v) in [
        Some(j.company_id.clone()),
        j.contact_id.clone(),
        Some(j.subject.clone()),
        Some(j.status.clone()),
        Some(j.site_address.clone()),
        Some(j.requested_on.clone()),
        j.scheduled_on.clone(),
        Some(j.description.clone()),
        j.owner_staff_id.clone(),
    ]
    .into_iter()
    .enumerate()
    {
        if i > 0 {
            q.push(", ");
        }
        q.bind(v);
    }
    q.push(", ")
        .bind(now)
        .push(") WHERE id = ")
        .bind(id.to_owned());
    match execute(conn, q).await? {
        0 => Err(DbError::NotFound),
        _ => Ok(()),
    }
}

pub async fn find_job(conn: &mut Conn, id: &str, scope: Option<&Predicate>) -> Result<Job> {
    find(conn, id, scope).await
}

pub async fn list_jobs(
    conn: &mut Conn,
    scope: Option<&Predicate>,
    f: &ListQuery,
) -> Result<Vec<Job>> {
    list(conn, scope, f).await
}

// ---- tickets ----

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Ticket {
    pub id: String,
    pub number: String,
    pub company_id: String,
    pub company_name: String,
    pub contact_id: Option<String>,
    pub contact_name: Option<String>,
    pub subject: String,
    pub status: String,
    pub priority: String,
    pub opened_on: String,
    pub last_activity_at: i64,
    pub owner_staff_id: Option<String>,
    pub created_at: i64,
    pub updated_at: i64,
}

impl Keyed for Ticket {
    fn id(&self) -> &str {
        &self.id
    }
    fn sort_value(&self, column: &str) -> String {
        match column {
            "last_activity_at" => self.last_activity_at.to_string(),
            _ => self.opened_on.clone(),
        }
    }
}

fn ticket_select() -> String {
    format!(
        "SELECT x.id, x.number, x.company_id, co.name AS company_name, x.contact_id, {CONTACT_NAME}, \
         x.subject, x.status, x.priority, x.opened_on, x.last_activity_at, x.owner_staff_id, \
         x.created_at, x.updated_at FROM tickets x JOIN companies co ON co.id = x.company_id \
         LEFT JOIN contacts c ON c.id = x.contact_id"
    )
}

pub const TICKET_SPEC: ListSpec = ListSpec {
    search: &["number", "subject"],
    dates: &[DateCol {
        key: "opened",
        column: "opened_on",
        label: "Opened",
    }],
    sorts: &[
        SortKey {
            key: "activity_desc",
            column: "last_activity_at",
            desc: true,
            numeric: true,
            label: "Latest activity",
        },
        SortKey {
            key: "opened_desc",
            column: "opened_on",
            desc: true,
            numeric: false,
            label: "Newest first",
        },
        SortKey {
            key: "opened_asc",
            column: "opened_on",
            desc: false,
            numeric: false,
            label: "Oldest first",
        },
    ],
};

#[derive(Debug, Clone)]
pub struct TicketInput {
    pub company_id: String,
    pub contact_id: Option<String>,
    pub subject: String,
    pub status: String,
    pub priority: String,
    pub opened_on: String,
    pub owner_staff_id: Option<String>,
}

pub async fn insert_ticket(
    conn: &mut Conn,
    number: &str,
    t: &TicketInput,
    now: i64,
) -> Result<String> {
    let id = crate::new_id();
    let mut q = Sql::new(
        "INSERT INTO tickets (id, number, company_id, contact_id, subject, status, priority, \
         opened_on, owner_staff_id, last_activity_at, created_at, updated_at) VALUES (",
    );
    q.bind(id.clone()).push(", ").bind(number.to_owned());
    for v in [
        Some(t.company_id.clone()),
        t.contact_id.clone(),
        Some(t.subject.clone()),
        Some(t.status.clone()),
        Some(t.priority.clone()),
        Some(t.opened_on.clone()),
        t.owner_staff_id.clone(),
    ] {
        q.push(", ").bind(v);
    }
    q.push(", ")
        .bind(now)
        .push(", ")
        .bind(now)
        .push(", ")
        .bind(now)
        .push(")");
    execute(conn, q).await?;
    Ok(id)
}

/// Staff change status, priority, subject or owner.
pub async fn update_ticket(conn: &mut Conn, id: &str, t: &TicketInput, now: i64) -> Result<()> {
    let done = sqlx::query(
        "UPDATE tickets SET subject = $1, status = $2, priority = $3, owner_staff_id = $4, \
         updated_at = $5, company_id = $7, contact_id = $8 WHERE id = $6",
    )
    .bind(&t.subject)
    .bind(&t.status)
    .bind(&t.priority)
    .bind(&t.owner_staff_id)
    .bind(now)
    .bind(id)
    .bind(&t.company_id)
    .bind(&t.contact_id)
    .execute(conn)
    .await?;
    match done.rows_affected() {
        0 => Err(DbError::NotFound),
        _ => Ok(()),
    }
}

/// A customer's message: the ticket (unless closed) is open again and moves
/// to the top of the list. False when it is closed.
pub async fn customer_replied(conn: &mut Conn, id: &str, now: i64) -> Result<bool> {
    let done = sqlx::query(
        "UPDATE tickets SET status = 'open', last_activity_at = $1, updated_at = $1 \
         WHERE id = $2 AND status <> 'closed'",
    )
    .bind(now)
    .bind(id)
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// A staff member's public message: an open ticket now awaits the
/// customer; a resolved or closed one keeps its status (staff reopen it
/// with the form).
pub async fn staff_replied(conn: &mut Conn, id: &str, now: i64) -> Result<()> {
    sqlx::query(
        "UPDATE tickets SET status = CASE WHEN status IN ('open', 'awaiting_customer') \
         THEN 'awaiting_customer' ELSE status END, last_activity_at = $1, updated_at = $1 \
         WHERE id = $2",
    )
    .bind(now)
    .bind(id)
    .execute(conn)
    .await?;
    Ok(())
}

pub async fn find_ticket(conn: &mut Conn, id: &str, scope: Option<&Predicate>) -> Result<Ticket> {
    find(conn, id, scope).await
}

pub async fn list_tickets(
    conn: &mut Conn,
    scope: Option<&Predicate>,
    f: &ListQuery,
) -> Result<Vec<Ticket>> {
    list(conn, scope, f).await
}

// ---- projects ----

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Project {
    pub id: String,
    pub number: String,
    pub company_id: String,
    pub company_name: String,
    pub contact_id: Option<String>,
    pub contact_name: Option<String>,
    pub subject: String,
    pub status: String,
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

// ---- tasks ----

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Task {
    pub id: String,
    pub number: String,
    pub project_id: String,
    pub project_name: String,
    pub company_id: String,
    pub company_name: String,
    pub subject: String,
    pub status: String,
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
