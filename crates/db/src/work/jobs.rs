//! Jobs: the row, its list spec, writing and reading.

use courtyard_domain::policy::Predicate;
use courtyard_domain::records::JobStatus;

use super::{execute, find, list, Record, CONTACT_NAME};
use crate::listing::{DateCol, Keyed, ListQuery, ListSpec, SortKey};
use crate::{Conn, DbError, Result, Sql};

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Job {
    pub id: String,
    pub number: String,
    pub company_id: String,
    pub company_name: String,
    pub contact_id: Option<String>,
    pub contact_name: Option<String>,
    pub subject: String,
    #[sqlx(try_from = "String")]
    pub status: JobStatus,
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
    derived: &[],
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

record!(Job, Job, JOB_SPEC, job_select);
