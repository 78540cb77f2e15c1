//! Jobs, tickets, projects and tasks: staff create and run them; portal users
//! see what the policy allows, request jobs, open and answer tickets, comment
//! on projects and tasks, and complete tasks assigned to them.

use courtyard_db::listing::ListQuery;
use courtyard_db::records::Comment;
use courtyard_db::work::{self, Record};
use courtyard_db::{companies, staff, Conn, DbError};
use courtyard_domain::policy::{Explanation, Predicate};
use courtyard_domain::FieldCode;
use courtyard_domain::{Action, WorkKind};

use crate::auth::{PortalContext, StaffContext};
use crate::error::Problems;
use crate::records::{self, commit, scope};
use crate::{App, AppError, AppResult};

/// The read models these use cases return, and their list specs.
pub use courtyard_db::work::{
    Job, Milestone, Project, Task, Ticket, JOB_SPEC, PROJECT_SPEC, TASK_SPEC, TICKET_SPEC,
};

mod home;
mod jobs;
mod projects;
mod tasks;
mod tickets;
pub use home::*;
pub use jobs::*;
pub use projects::*;
pub use tasks::*;
pub use tickets::*;

/// The record exists and (with `scope`) is visible; its company id.
async fn visible(
    conn: &mut Conn,
    kind: WorkKind,
    id: &str,
    scope: Option<&Predicate>,
) -> AppResult<String> {
    Ok(match kind {
        WorkKind::Job => work::find_job(conn, id, scope).await?.company_id,
        WorkKind::Ticket => work::find_ticket(conn, id, scope).await?.company_id,
        WorkKind::Project => work::find_project(conn, id, scope).await?.company_id,
        WorkKind::Task => work::find_task(conn, id, scope).await?.company_id,
    })
}

fn date(raw: &str) -> Option<String> {
    courtyard_domain::parse_date(raw).map(|d| d.to_string())
}

/// An optional date field: empty is `None`, anything else must parse.
fn optional_date(p: &mut Problems, field: &'static str, raw: &str, what: &str) -> Option<String> {
    if raw.trim().is_empty() {
        return None;
    }
    let d = date(raw);
    if d.is_none() {
        p.add(
            field,
            FieldCode::Format,
            format!("Enter the {what} as YYYY-MM-DD."),
        );
    }
    d
}

fn subject(p: &mut Problems, raw: &str, what: &str) -> String {
    let s = raw.trim();
    if s.is_empty() {
        p.add("subject", FieldCode::Required, format!("Enter the {what}."));
    } else if s.chars().count() > 200 {
        p.add(
            "subject",
            FieldCode::TooLong,
            "Keep it under 200 characters.",
        );
    }
    s.to_owned()
}

fn long_text(p: &mut Problems, field: &'static str, raw: &str) -> String {
    if raw.chars().count() > 10_000 {
        p.add(
            field,
            FieldCode::TooLong,
            "Keep it under 10,000 characters.",
        );
    }
    raw.trim().to_owned()
}

/// The company exists, the contact (if any) works there, the owner (if any)
/// is a staff member.
async fn check_parties(
    conn: &mut Conn,
    p: &mut Problems,
    company_id: &str,
    contact_id: &str,
    owner: &str,
) -> AppResult<(Option<String>, Option<String>)> {
    let company_ok = match companies::find(conn, company_id).await {
        Ok(_) => true,
        Err(DbError::NotFound) => {
            p.add(
                "company_id",
                FieldCode::InvalidChoice,
                "Choose the customer company.",
            );
            false
        }
        Err(e) => return Err(e.into()),
    };
    let contact_id = courtyard_domain::optional_text(contact_id);
    if let (Some(id), true) = (&contact_id, company_ok) {
        crate::records::check_contact(conn, p, company_id, id).await?;
    }
    let owner = courtyard_domain::optional_text(owner);
    if let Some(id) = &owner {
        match staff::find(conn, id).await {
            Ok(_) => {}
            Err(DbError::NotFound) => p.add(
                "owner_staff_id",
                FieldCode::InvalidChoice,
                "Choose a staff member.",
            ),
            Err(e) => return Err(e.into()),
        }
    }
    Ok((contact_id, owner))
}

// ---- comments, for every work record ----

#[tracing::instrument(skip_all, fields(id = %id, kind = kind.as_str()))]
pub async fn staff_comments(app: &App, kind: WorkKind, id: &str) -> AppResult<Vec<Comment>> {
    let mut conn = app.db.conn().await?;
    records::all_comments(&mut conn, kind.as_str(), id).await
}

/// A staff comment (a ticket reply, for tickets). A public reply to a ticket
/// puts it in "awaiting your reply"; internal notes change nothing the
/// customer sees.
#[tracing::instrument(skip_all, fields(id = %id, kind = kind.as_str()))]
pub async fn staff_comment(
    app: &App,
    ctx: &StaffContext,
    kind: WorkKind,
    id: &str,
    body: &str,
    internal: bool,
) -> AppResult<()> {
    let body = records::comment_body(body)?;
    let mut tx = app.db.begin().await?;
    visible(&mut tx, kind, id, None).await?;
    let now = app.now();
    records::add_staff_comment(&mut tx, ctx, kind.as_str(), id, &body, internal, now).await?;
    if kind == WorkKind::Ticket && !internal {
        work::staff_replied(&mut tx, id, now).await?;
    }
    commit(tx).await
}

/// A customer's comment on a record they can see (a reply, on a ticket,
/// which reopens it unless it is closed).
#[tracing::instrument(skip_all, fields(id = %id, kind = kind.as_str()))]
pub async fn portal_comment(
    app: &App,
    ctx: &PortalContext,
    kind: WorkKind,
    id: &str,
    body: &str,
) -> AppResult<()> {
    let scope = scope(ctx, kind.module())?;
    let mut tx = app.db.begin().await?;
    visible(&mut tx, kind, id, Some(&scope)).await?;
    records::require(ctx, kind.module(), Action::Comment)?;
    let body = records::comment_body(body)?;
    let now = app.now();
    if kind == WorkKind::Ticket && !work::customer_replied(&mut tx, id, now).await? {
        return Err(AppError::Conflict(
            "This ticket is closed. Open a new ticket and mention this one.".into(),
        ));
    }
    records::add_portal_comment(&mut tx, ctx, kind.as_str(), id, &body, now).await?;
    commit(tx).await
}

// ---- reading any of them ----

/// Staff read: any record of the type.
#[tracing::instrument(skip_all, fields(id = %id))]
pub async fn staff_find<R: Record>(app: &App, id: &str) -> AppResult<R> {
    let mut conn = app.db.conn().await?;
    Ok(work::find(&mut conn, id, None).await?)
}

/// Staff list: every company's records.
#[tracing::instrument(skip_all)]
pub async fn staff_list<R: Record>(app: &App, q: &ListQuery) -> AppResult<Vec<R>> {
    let mut conn = app.db.conn().await?;
    Ok(work::list(&mut conn, None, q).await?)
}

/// A portal page of records: the policy's predicate goes into the SQL.
#[tracing::instrument(skip_all)]
pub async fn portal_list<R: Record>(
    app: &App,
    ctx: &PortalContext,
    q: &ListQuery,
) -> AppResult<Vec<R>> {
    let scope = scope(ctx, R::KIND.module())?;
    let mut conn = app.db.conn().await?;
    Ok(work::list(&mut conn, Some(&scope), q).await?)
}

/// One record as a customer sees it, with its public comments.
#[tracing::instrument(skip_all, fields(id = %id))]
pub async fn portal_find<R: Record>(
    app: &App,
    ctx: &PortalContext,
    id: &str,
) -> AppResult<(R, Vec<Comment>)> {
    let scope = scope(ctx, R::KIND.module())?;
    let mut conn = app.db.conn().await?;
    let record = work::find(&mut conn, id, Some(&scope)).await?;
    let comments = records::public_comments(&mut conn, R::KIND.as_str(), id).await?;
    Ok((record, comments))
}

/// "Why can this person see this?" for a job, ticket, project or task.
#[tracing::instrument(skip_all, fields(id = %id, kind = kind.as_str()))]
pub async fn explain(
    app: &App,
    kind: WorkKind,
    id: &str,
    portal_user_id: &str,
) -> AppResult<Explanation> {
    let mut conn = app.db.conn().await?;
    let (facts, project) = match kind {
        WorkKind::Job => {
            let j = work::find_job(&mut conn, id, None).await?;
            (
                records::company_facts(&j.company_id, j.contact_id.as_deref(), j.status.as_str()),
                None,
            )
        }
        WorkKind::Ticket => {
            let t = work::find_ticket(&mut conn, id, None).await?;
            (
                records::company_facts(&t.company_id, t.contact_id.as_deref(), t.status.as_str()),
                None,
            )
        }
        WorkKind::Project => {
            let p = work::find_project(&mut conn, id, None).await?;
            let mut f =
                records::company_facts(&p.company_id, p.contact_id.as_deref(), p.status.as_str());
            f.insert("show_on_portal", Some(p.show_on_portal.to_string()));
            (f, Some(p.id))
        }
        WorkKind::Task => {
            let t = work::find_task(&mut conn, id, None).await?;
            let mut f = records::company_facts(&t.company_id, None, t.status.as_str());
            f.insert("assignee_id", t.assignee_id.clone());
            (f, Some(t.project_id))
        }
    };
    drop(conn);
    records::explain(
        app,
        kind.module(),
        portal_user_id,
        |_| facts,
        project.as_deref(),
    )
    .await
}

/// Projects to pick from (documents for a project).
#[tracing::instrument(skip_all)]
pub async fn project_names(app: &App) -> AppResult<Vec<(String, String)>> {
    let mut conn = app.db.conn().await?;
    Ok(courtyard_db::work::project_names(&mut conn).await?)
}
