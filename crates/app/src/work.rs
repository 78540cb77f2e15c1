//! Jobs, tickets, projects and tasks: staff create and run them; portal users
//! see what the policy allows, request jobs, open and answer tickets, comment
//! on projects and tasks, and complete tasks assigned to them.

use courtyard_db::listing::ListQuery;
use courtyard_db::portal_users;
use courtyard_db::records::Comment;
use courtyard_db::work::{
    self, Job, JobInput, Milestone, MilestoneInput, Project, ProjectInput, Record, Task, TaskInput,
    Ticket, TicketInput,
};
use courtyard_db::{companies, contacts, staff, Conn, DbError};
use courtyard_domain::policy::{Explanation, Predicate};
use courtyard_domain::records::{
    JobStatus, ProjectStatus, TaskStatus, TicketPriority, TicketStatus,
};
use courtyard_domain::{Action, Grants, Module, RecordKind, WorkKind};

use crate::auth::{PortalContext, StaffContext};
use crate::error::Problems;
use crate::records::{self, commit, csv_cell, scope};
use crate::{App, AppError, AppResult};

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
        p.add(field, format!("Enter the {what} as YYYY-MM-DD."));
    }
    d
}

fn subject(p: &mut Problems, raw: &str, what: &str) -> String {
    let s = raw.trim();
    if s.is_empty() {
        p.add("subject", format!("Enter the {what}."));
    } else if s.chars().count() > 200 {
        p.add("subject", "Keep it under 200 characters.");
    }
    s.to_owned()
}

fn long_text(p: &mut Problems, field: &'static str, raw: &str) -> String {
    if raw.chars().count() > 10_000 {
        p.add(field, "Keep it under 10,000 characters.");
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
            p.add("company_id", "Choose the customer company.");
            false
        }
        Err(e) => return Err(e.into()),
    };
    let contact_id = courtyard_domain::optional_text(contact_id);
    if let (Some(id), true) = (&contact_id, company_ok) {
        match contacts::find(conn, id).await {
            Ok(c) if c.company_id.as_deref() == Some(company_id) => {}
            Ok(_) | Err(DbError::NotFound) => {
                p.add("contact_id", "Choose a contact at this company.")
            }
            Err(e) => return Err(e.into()),
        }
    }
    let owner = courtyard_domain::optional_text(owner);
    if let Some(id) = &owner {
        match staff::find(conn, id).await {
            Ok(_) => {}
            Err(DbError::NotFound) => p.add("owner_staff_id", "Choose a staff member."),
            Err(e) => return Err(e.into()),
        }
    }
    Ok((contact_id, owner))
}

// ---- comments, for every work record ----

pub async fn staff_comments(app: &App, kind: WorkKind, id: &str) -> AppResult<Vec<Comment>> {
    let mut conn = app.db.conn().await?;
    records::all_comments(&mut conn, kind.as_str(), id).await
}

/// A staff comment (a ticket reply, for tickets). A public reply to a ticket
/// puts it in "awaiting your reply"; internal notes change nothing the
/// customer sees.
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
pub async fn staff_find<R: Record>(app: &App, id: &str) -> AppResult<R> {
    let mut conn = app.db.conn().await?;
    Ok(work::find(&mut conn, id, None).await?)
}

/// Staff list: every company's records.
pub async fn staff_list<R: Record>(app: &App, q: &ListQuery) -> AppResult<Vec<R>> {
    let mut conn = app.db.conn().await?;
    Ok(work::list(&mut conn, None, q).await?)
}

/// A portal page of records: the policy's predicate goes into the SQL.
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

// ---- jobs ----

#[derive(Debug, Clone, Default)]
pub struct JobForm {
    /// The `updated_at` the form was rendered from (empty: no check).
    pub version: String,
    pub company_id: String,
    pub contact_id: String,
    pub owner_staff_id: String,
    pub subject: String,
    pub status: String,
    pub site_address: String,
    pub requested_on: String,
    pub scheduled_on: String,
    pub description: String,
}

impl JobForm {
    pub fn from_job(j: &Job) -> Self {
        Self {
            version: j.updated_at.to_string(),
            company_id: j.company_id.clone(),
            contact_id: j.contact_id.clone().unwrap_or_default(),
            owner_staff_id: j.owner_staff_id.clone().unwrap_or_default(),
            subject: j.subject.clone(),
            status: j.status.clone(),
            site_address: j.site_address.clone(),
            requested_on: j.requested_on.clone(),
            scheduled_on: j.scheduled_on.clone().unwrap_or_default(),
            description: j.description.clone(),
        }
    }

    async fn parse(&self, conn: &mut Conn) -> AppResult<JobInput> {
        let mut p = Problems::default();
        let (contact_id, owner) = check_parties(
            conn,
            &mut p,
            &self.company_id,
            &self.contact_id,
            &self.owner_staff_id,
        )
        .await?;
        let subject = subject(&mut p, &self.subject, "job title");
        let status = JobStatus::parse(&self.status);
        if status.is_none() {
            p.add("status", "Choose a status.");
        }
        let requested_on = date(&self.requested_on);
        if requested_on.is_none() {
            p.add("requested_on", "Enter the request date as YYYY-MM-DD.");
        }
        let scheduled_on =
            optional_date(&mut p, "scheduled_on", &self.scheduled_on, "scheduled date");
        let site_address = long_text(&mut p, "site_address", &self.site_address);
        let description = long_text(&mut p, "description", &self.description);
        p.into_result()?;
        Ok(JobInput {
            company_id: self.company_id.clone(),
            contact_id,
            subject,
            status: status.expect("checked").as_str().to_owned(),
            site_address,
            requested_on: requested_on.expect("checked"),
            scheduled_on,
            description,
            requested_by: None,
            owner_staff_id: owner,
        })
    }
}

pub async fn create_job(app: &App, form: &JobForm) -> AppResult<String> {
    let mut tx = app.db.begin().await?;
    let input = form.parse(&mut tx).await?;
    let number = records::next_number(&mut tx, RecordKind::Job).await?;
    let id = work::insert_job(&mut tx, &number, &input, app.now()).await?;
    commit(tx).await?;
    Ok(id)
}

pub async fn update_job(app: &App, id: &str, form: &JobForm) -> AppResult<()> {
    let mut tx = app.db.begin().await?;
    records::claim_version(&mut tx, "jobs", id, records::version_of(&form.version)).await?;
    let input = form.parse(&mut tx).await?;
    work::update_job(&mut tx, id, &input, app.now()).await?;
    commit(tx).await
}

/// A customer requests a job at a site; it starts as `requested`.
pub async fn request_job(
    app: &App,
    ctx: &PortalContext,
    subject_raw: &str,
    site_address: &str,
    preferred_on: &str,
    description: &str,
) -> AppResult<String> {
    scope(ctx, Module::Jobs)?;
    records::require(ctx, Module::Jobs, Action::Create)?;
    let company_id = ctx.company_id().ok_or(AppError::NotFound)?.to_owned();
    let mut p = Problems::default();
    let subject = subject(&mut p, subject_raw, "job title");
    let site_address = long_text(&mut p, "site_address", site_address);
    if site_address.is_empty() {
        p.add("site_address", "Enter the address of the site.");
    }
    let preferred = optional_date(&mut p, "preferred_on", preferred_on, "preferred date");
    if let Some(d) = &preferred {
        if d.as_str() < app.clock.today().to_string().as_str() {
            p.add("preferred_on", "Choose a date from today on.");
        }
    }
    let mut description = long_text(&mut p, "description", description);
    p.into_result()?;
    if let Some(d) = &preferred {
        description = format!("Preferred date: {d}\n\n{description}")
            .trim()
            .to_owned();
    }
    let input = JobInput {
        company_id,
        contact_id: Some(ctx.user.contact_id.clone()),
        subject,
        status: JobStatus::Requested.as_str().to_owned(),
        site_address,
        requested_on: app.clock.today().to_string(),
        scheduled_on: None,
        description,
        requested_by: Some(ctx.user.id.clone()),
        owner_staff_id: None,
    };
    let mut tx = app.db.begin().await?;
    let number = records::next_number(&mut tx, RecordKind::Job).await?;
    let id = work::insert_job(&mut tx, &number, &input, app.now()).await?;
    commit(tx).await?;
    Ok(id)
}

pub fn jobs_csv(rows: &[Job]) -> String {
    records::csv(
        &[
            "Number",
            "Title",
            "Status",
            "Site",
            "Requested",
            "Scheduled",
        ],
        rows.iter().map(|j| {
            vec![
                csv_cell(&j.number),
                csv_cell(&j.subject),
                csv_cell(JobStatus::parse(&j.status).map_or(j.status.as_str(), |s| s.label())),
                csv_cell(&j.site_address),
                j.requested_on.clone(),
                j.scheduled_on.clone().unwrap_or_default(),
            ]
        }),
    )
}

// ---- tickets ----

#[derive(Debug, Clone, Default)]
pub struct TicketForm {
    /// The `updated_at` the form was rendered from (empty: no check).
    pub version: String,
    pub company_id: String,
    pub contact_id: String,
    pub owner_staff_id: String,
    pub subject: String,
    pub status: String,
    pub priority: String,
    /// The first message, when opening a ticket.
    pub message: String,
}

impl TicketForm {
    pub fn from_ticket(t: &Ticket) -> Self {
        Self {
            version: t.updated_at.to_string(),
            company_id: t.company_id.clone(),
            contact_id: t.contact_id.clone().unwrap_or_default(),
            owner_staff_id: t.owner_staff_id.clone().unwrap_or_default(),
            subject: t.subject.clone(),
            status: t.status.clone(),
            priority: t.priority.clone(),
            message: String::new(),
        }
    }

    async fn parse(&self, conn: &mut Conn, today: &str) -> AppResult<TicketInput> {
        let mut p = Problems::default();
        let (contact_id, owner) = check_parties(
            conn,
            &mut p,
            &self.company_id,
            &self.contact_id,
            &self.owner_staff_id,
        )
        .await?;
        let subject = subject(&mut p, &self.subject, "subject");
        let status = TicketStatus::parse(&self.status);
        if status.is_none() {
            p.add("status", "Choose a status.");
        }
        let priority = TicketPriority::parse(&self.priority);
        if priority.is_none() {
            p.add("priority", "Choose a priority.");
        }
        p.into_result()?;
        Ok(TicketInput {
            company_id: self.company_id.clone(),
            contact_id,
            subject,
            status: status.expect("checked").as_str().to_owned(),
            priority: priority.expect("checked").as_str().to_owned(),
            opened_on: today.to_owned(),
            owner_staff_id: owner,
        })
    }
}

/// Staff open a ticket for a customer, with a first public message.
pub async fn create_ticket(app: &App, ctx: &StaffContext, form: &TicketForm) -> AppResult<String> {
    let body = records::comment_body(&form.message)
        .map_err(|_| AppError::field("message", "Write the first message of the ticket."))?;
    let mut tx = app.db.begin().await?;
    let input = form.parse(&mut tx, &app.clock.today().to_string()).await?;
    let number = records::next_number(&mut tx, RecordKind::Ticket).await?;
    let id = work::insert_ticket(&mut tx, &number, &input, app.now()).await?;
    records::add_staff_comment(
        &mut tx,
        ctx,
        RecordKind::Ticket.as_str(),
        &id,
        &body,
        false,
        app.now(),
    )
    .await?;
    // Staff wrote first: the ticket waits for the customer.
    work::staff_replied(&mut tx, &id, app.now()).await?;
    commit(tx).await?;
    Ok(id)
}

pub async fn update_ticket(app: &App, id: &str, form: &TicketForm) -> AppResult<()> {
    let mut tx = app.db.begin().await?;
    records::claim_version(&mut tx, "tickets", id, records::version_of(&form.version)).await?;
    let input = form.parse(&mut tx, "").await?;
    work::update_ticket(&mut tx, id, &input, app.now()).await?;
    commit(tx).await
}

/// A customer opens a ticket for their company, with a first message.
pub async fn open_ticket(
    app: &App,
    ctx: &PortalContext,
    subject_raw: &str,
    priority: &str,
    message: &str,
) -> AppResult<String> {
    scope(ctx, Module::Tickets)?;
    records::require(ctx, Module::Tickets, Action::Create)?;
    let company_id = ctx.company_id().ok_or(AppError::NotFound)?.to_owned();
    let mut p = Problems::default();
    let subject = subject(&mut p, subject_raw, "subject");
    let priority = TicketPriority::parse(priority).unwrap_or(TicketPriority::Normal);
    let body = p.take(
        "message",
        records::comment_body(message).map_err(|_| "Describe what you need help with."),
    );
    p.into_result()?;
    let now = app.now();
    let input = TicketInput {
        company_id,
        contact_id: Some(ctx.user.contact_id.clone()),
        subject,
        status: TicketStatus::Open.as_str().to_owned(),
        priority: priority.as_str().to_owned(),
        opened_on: app.clock.today().to_string(),
        owner_staff_id: None,
    };
    let mut tx = app.db.begin().await?;
    let number = records::next_number(&mut tx, RecordKind::Ticket).await?;
    let id = work::insert_ticket(&mut tx, &number, &input, now).await?;
    records::add_portal_comment(
        &mut tx,
        ctx,
        RecordKind::Ticket.as_str(),
        &id,
        &body.expect("checked"),
        now,
    )
    .await?;
    commit(tx).await?;
    Ok(id)
}

pub fn tickets_csv(rows: &[Ticket]) -> String {
    records::csv(
        &[
            "Number",
            "Subject",
            "Status",
            "Priority",
            "Opened",
            "Last activity",
        ],
        rows.iter().map(|t| {
            vec![
                csv_cell(&t.number),
                csv_cell(&t.subject),
                csv_cell(TicketStatus::parse(&t.status).map_or(t.status.as_str(), |s| s.label())),
                csv_cell(
                    TicketPriority::parse(&t.priority).map_or(t.priority.as_str(), |s| s.label()),
                ),
                t.opened_on.clone(),
                crate::emails::format_time(t.last_activity_at),
            ]
        }),
    )
}

// ---- projects ----

#[derive(Debug, Clone, Default)]
pub struct ProjectForm {
    /// The `updated_at` the form was rendered from (empty: no check).
    pub version: String,
    pub company_id: String,
    pub contact_id: String,
    pub owner_staff_id: String,
    pub subject: String,
    pub status: String,
    pub progress: String,
    pub start_on: String,
    pub end_on: String,
    pub show_on_portal: bool,
    pub show_documents: bool,
    pub description: String,
    pub members: Vec<String>,
    /// (title, due date, done)
    pub milestones: Vec<(String, String, bool)>,
}

impl ProjectForm {
    pub fn from_project(p: &Project, members: Vec<String>, milestones: &[Milestone]) -> Self {
        Self {
            version: p.updated_at.to_string(),
            company_id: p.company_id.clone(),
            contact_id: p.contact_id.clone().unwrap_or_default(),
            owner_staff_id: p.owner_staff_id.clone().unwrap_or_default(),
            subject: p.subject.clone(),
            status: p.status.clone(),
            progress: p.progress.to_string(),
            start_on: p.start_on.clone(),
            end_on: p.end_on.clone().unwrap_or_default(),
            show_on_portal: p.show_on_portal == 1,
            show_documents: p.show_documents == 1,
            description: p.description.clone(),
            members,
            milestones: milestones
                .iter()
                .map(|m| (m.title.clone(), m.due_on.clone(), m.done == 1))
                .collect(),
        }
    }

    async fn parse(&self, conn: &mut Conn) -> AppResult<ProjectInput> {
        let mut p = Problems::default();
        let (contact_id, owner) = check_parties(
            conn,
            &mut p,
            &self.company_id,
            &self.contact_id,
            &self.owner_staff_id,
        )
        .await?;
        let subject = subject(&mut p, &self.subject, "project name");
        let status = ProjectStatus::parse(&self.status);
        if status.is_none() {
            p.add("status", "Choose a status.");
        }
        let progress = match self.progress.trim().trim_end_matches('%').parse::<i64>() {
            Ok(v) if (0..=100).contains(&v) => v,
            _ if self.progress.trim().is_empty() => 0,
            _ => {
                p.add("progress", "Progress is a whole percentage from 0 to 100.");
                0
            }
        };
        let start_on = date(&self.start_on);
        if start_on.is_none() {
            p.add("start_on", "Enter the start date as YYYY-MM-DD.");
        }
        let end_on = optional_date(&mut p, "end_on", &self.end_on, "end date");
        if let (Some(s), Some(e)) = (&start_on, &end_on) {
            if e < s {
                p.add("end_on", "The end date must not be before the start date.");
            }
        }
        let description = long_text(&mut p, "description", &self.description);
        // Members are the company's portal users only.
        let mut members = Vec::new();
        for id in self.members.iter().filter(|s| !s.is_empty()) {
            match portal_users::find(conn, id).await {
                Ok(u) if u.company_id.as_deref() == Some(self.company_id.as_str()) => {
                    if !members.contains(&u.id) {
                        members.push(u.id)
                    }
                }
                Ok(_) | Err(DbError::NotFound) => p.add(
                    "members",
                    "Members must be portal users of the project's company.",
                ),
                Err(e) => return Err(e.into()),
            }
        }
        let mut milestones = Vec::new();
        for (i, (title, due, done)) in self.milestones.iter().enumerate() {
            if title.trim().is_empty() && due.trim().is_empty() {
                continue;
            }
            let n = i + 1;
            if title.trim().is_empty() {
                p.add("milestones", format!("Milestone {n}: enter a title."));
            }
            match date(due) {
                Some(d) => milestones.push(MilestoneInput {
                    title: title.trim().to_owned(),
                    due_on: d,
                    done: *done,
                }),
                None => p.add(
                    "milestones",
                    format!("Milestone {n}: enter the due date as YYYY-MM-DD."),
                ),
            }
        }
        p.into_result()?;
        Ok(ProjectInput {
            company_id: self.company_id.clone(),
            contact_id,
            subject,
            status: status.expect("checked").as_str().to_owned(),
            progress,
            start_on: start_on.expect("checked"),
            end_on,
            show_on_portal: self.show_on_portal,
            show_documents: self.show_documents,
            description,
            owner_staff_id: owner,
            members,
            milestones,
        })
    }
}

pub async fn create_project(app: &App, form: &ProjectForm) -> AppResult<String> {
    let mut tx = app.db.begin().await?;
    let input = form.parse(&mut tx).await?;
    let number = records::next_number(&mut tx, RecordKind::Project).await?;
    let id = work::insert_project(&mut tx, &number, &input, app.now()).await?;
    commit(tx).await?;
    Ok(id)
}

pub async fn update_project(app: &App, id: &str, form: &ProjectForm) -> AppResult<()> {
    let mut tx = app.db.begin().await?;
    records::claim_version(&mut tx, "projects", id, records::version_of(&form.version)).await?;
    let input = form.parse(&mut tx).await?;
    work::update_project(&mut tx, id, &input, app.now()).await?;
    commit(tx).await
}

/// A project with its members, milestones and tasks.
pub struct ProjectView {
    pub project: Project,
    pub members: Vec<String>,
    pub milestones: Vec<Milestone>,
    pub tasks: Vec<Task>,
    pub comments: Vec<Comment>,
}

pub async fn staff_find_project(app: &App, id: &str) -> AppResult<ProjectView> {
    let mut conn = app.db.conn().await?;
    let project = work::find_project(&mut conn, id, None).await?;
    let tasks = work::list_tasks(
        &mut conn,
        None,
        &ListQuery {
            eq: vec![("project_id", id.to_owned())],
            sort: "number_asc".into(),
            limit: Some(500),
            ..Default::default()
        },
    )
    .await?;
    Ok(ProjectView {
        members: work::members(&mut conn, id).await?,
        milestones: work::milestones(&mut conn, id).await?,
        comments: records::all_comments(&mut conn, RecordKind::Project.as_str(), id).await?,
        project,
        tasks,
    })
}

/// A project as a member sees it: its tasks only when the tasks module is
/// granted, public comments only.
pub async fn portal_find_project(
    app: &App,
    ctx: &PortalContext,
    id: &str,
) -> AppResult<ProjectView> {
    let scope = scope(ctx, Module::Projects)?;
    let mut conn = app.db.conn().await?;
    let project = work::find_project(&mut conn, id, Some(&scope)).await?;
    let tasks = match records::scope(ctx, Module::Tasks) {
        Ok(task_scope) => {
            work::list_tasks(
                &mut conn,
                Some(&task_scope),
                &ListQuery {
                    eq: vec![("project_id", id.to_owned())],
                    sort: "number_asc".into(),
                    limit: Some(500),
                    ..Default::default()
                },
            )
            .await?
        }
        Err(_) => vec![],
    };
    Ok(ProjectView {
        members: vec![],
        milestones: work::milestones(&mut conn, id).await?,
        comments: records::public_comments(&mut conn, RecordKind::Project.as_str(), id).await?,
        project,
        tasks,
    })
}

pub fn projects_csv(rows: &[Project]) -> String {
    records::csv(
        &["Number", "Name", "Status", "Progress", "Start", "End"],
        rows.iter().map(|p| {
            vec![
                csv_cell(&p.number),
                csv_cell(&p.subject),
                csv_cell(ProjectStatus::parse(&p.status).map_or(p.status.as_str(), |s| s.label())),
                format!("{}%", p.progress),
                p.start_on.clone(),
                p.end_on.clone().unwrap_or_default(),
            ]
        }),
    )
}

// ---- tasks ----

#[derive(Debug, Clone, Default)]
pub struct TaskForm {
    /// The `updated_at` the form was rendered from (empty: no check).
    pub version: String,
    pub project_id: String,
    pub owner_staff_id: String,
    pub subject: String,
    pub status: String,
    pub due_on: String,
    pub description: String,
    pub assignee_id: String,
}

impl TaskForm {
    pub fn from_task(t: &Task) -> Self {
        Self {
            version: t.updated_at.to_string(),
            project_id: t.project_id.clone(),
            owner_staff_id: t.owner_staff_id.clone().unwrap_or_default(),
            subject: t.subject.clone(),
            status: t.status.clone(),
            due_on: t.due_on.clone().unwrap_or_default(),
            description: t.description.clone(),
            assignee_id: t.assignee_id.clone().unwrap_or_default(),
        }
    }

    async fn parse(&self, conn: &mut Conn, today: &str) -> AppResult<TaskInput> {
        let mut p = Problems::default();
        let project = match work::find_project(conn, &self.project_id, None).await {
            Ok(pr) => Some(pr),
            Err(DbError::NotFound) => {
                p.add("project_id", "Choose the project.");
                None
            }
            Err(e) => return Err(e.into()),
        };
        let subject = subject(&mut p, &self.subject, "task name");
        let status = TaskStatus::parse(&self.status);
        if status.is_none() {
            p.add("status", "Choose a status.");
        }
        let due_on = optional_date(&mut p, "due_on", &self.due_on, "due date");
        let description = long_text(&mut p, "description", &self.description);
        let assignee_id = courtyard_domain::optional_text(&self.assignee_id);
        if let (Some(a), Some(pr)) = (&assignee_id, &project) {
            if !work::members(conn, &pr.id).await?.contains(a) {
                p.add(
                    "assignee_id",
                    "Assign the task to one of the project's portal members.",
                );
            }
        }
        let owner = courtyard_domain::optional_text(&self.owner_staff_id);
        if let Some(id) = &owner {
            if let Err(DbError::NotFound) = staff::find(conn, id).await {
                p.add("owner_staff_id", "Choose a staff member.");
            }
        }
        p.into_result()?;
        let project = project.expect("checked");
        Ok(TaskInput {
            project_id: project.id,
            company_id: project.company_id,
            subject,
            status: status.expect("checked").as_str().to_owned(),
            created_on: today.to_owned(),
            due_on,
            description,
            assignee_id,
            owner_staff_id: owner,
        })
    }
}

pub async fn create_task(app: &App, form: &TaskForm) -> AppResult<String> {
    let mut tx = app.db.begin().await?;
    let input = form.parse(&mut tx, &app.clock.today().to_string()).await?;
    let number = records::next_number(&mut tx, RecordKind::Task).await?;
    let id = work::insert_task(&mut tx, &number, &input, app.now()).await?;
    commit(tx).await?;
    Ok(id)
}

pub async fn update_task(app: &App, id: &str, form: &TaskForm) -> AppResult<()> {
    let mut tx = app.db.begin().await?;
    records::claim_version(&mut tx, "tasks", id, records::version_of(&form.version)).await?;
    let input = form.parse(&mut tx, "").await?;
    work::update_task(&mut tx, id, &input, app.now()).await?;
    commit(tx).await
}

/// Mark a task assigned to this user done.
pub async fn complete_task(app: &App, ctx: &PortalContext, id: &str) -> AppResult<()> {
    let scope = scope(ctx, Module::Tasks)?;
    let mut tx = app.db.begin().await?;
    let task = work::find_task(&mut tx, id, Some(&scope)).await?;
    if task.assignee_id.as_deref() != Some(ctx.user.id.as_str()) {
        return Err(AppError::Forbidden);
    }
    if !work::complete_task(&mut tx, id, &ctx.user.id, app.now()).await? {
        return Err(AppError::Conflict("This task is already complete.".into()));
    }
    commit(tx).await
}

pub fn tasks_csv(rows: &[Task]) -> String {
    records::csv(
        &[
            "Number",
            "Task",
            "Project",
            "Status",
            "Assigned to",
            "Created",
            "Due",
        ],
        rows.iter().map(|t| {
            vec![
                csv_cell(&t.number),
                csv_cell(&t.subject),
                csv_cell(&t.project_name),
                csv_cell(TaskStatus::parse(&t.status).map_or(t.status.as_str(), |s| s.label())),
                csv_cell(t.assignee_name.as_deref().unwrap_or("")),
                t.created_on.clone(),
                t.due_on.clone().unwrap_or_default(),
            ]
        }),
    )
}

/// "Why can this person see this?" for a job, ticket, project or task.
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
                records::company_facts(&j.company_id, j.contact_id.as_deref(), &j.status),
                None,
            )
        }
        WorkKind::Ticket => {
            let t = work::find_ticket(&mut conn, id, None).await?;
            (
                records::company_facts(&t.company_id, t.contact_id.as_deref(), &t.status),
                None,
            )
        }
        WorkKind::Project => {
            let p = work::find_project(&mut conn, id, None).await?;
            let mut f = records::company_facts(&p.company_id, p.contact_id.as_deref(), &p.status);
            f.insert("show_on_portal", Some(p.show_on_portal.to_string()));
            (f, Some(p.id))
        }
        WorkKind::Task => {
            let t = work::find_task(&mut conn, id, None).await?;
            let mut f = records::company_facts(&t.company_id, None, &t.status);
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

/// What is waiting for this person across modules, for the portal home page.
pub struct Waiting {
    pub invoices: Vec<courtyard_db::sales::SalesDoc>,
    pub quotes: Vec<courtyard_db::sales::SalesDoc>,
    pub tasks: Vec<Task>,
    pub tickets: Vec<Ticket>,
}

pub async fn waiting(app: &App, ctx: &PortalContext) -> AppResult<Waiting> {
    waiting_for(app, &ctx.user).await
}

/// [`waiting`] for any portal user (staff's "view as").
pub async fn waiting_for(app: &App, user: &portal_users::PortalUser) -> AppResult<Waiting> {
    use courtyard_db::sales;
    use courtyard_domain::records::SalesKind;
    let mut conn = app.db.conn().await?;
    let few = |statuses: &[&str], sort: &str| ListQuery {
        statuses: statuses.iter().map(|s| s.to_string()).collect(),
        sort: sort.into(),
        limit: Some(5),
        ..Default::default()
    };
    let mut out = Waiting {
        invoices: vec![],
        quotes: vec![],
        tasks: vec![],
        tickets: vec![],
    };
    let scope = |m| records::scope_for(user, m);
    if let Ok(s) = scope(Module::Invoices) {
        out.invoices = sales::list(
            &mut conn,
            SalesKind::Invoice,
            Some(&s),
            &few(&["overdue", "unpaid", "partially_paid"], "due_asc"),
        )
        .await?;
    }
    if let Ok(s) = scope(Module::Quotes) {
        // Only quotes that can still be answered.
        let mut q = few(&["sent"], "due_asc");
        q.date_field = "due".into();
        q.from = Some(app.clock.today().to_string());
        out.quotes = sales::list(&mut conn, SalesKind::Quote, Some(&s), &q).await?;
    }
    if let Ok(s) = scope(Module::Tasks) {
        let mut q = few(&["open", "in_progress"], "created_asc");
        q.eq.push(("assignee_id", user.id.clone()));
        out.tasks = work::list_tasks(&mut conn, Some(&s), &q).await?;
    }
    if let Ok(s) = scope(Module::Tickets) {
        out.tickets = work::list_tickets(
            &mut conn,
            Some(&s),
            &few(&["awaiting_customer"], "activity_desc"),
        )
        .await?;
    }
    Ok(out)
}

/// One module as a portal user sees it: its first rows, for staff.
pub struct ModuleView {
    pub module: Module,
    /// (staff page, number, subject, status, status label)
    pub rows: Vec<(String, String, String, String, String)>,
    pub more: bool,
}

/// A portal user's first rows of one record type, linking to staff pages:
/// (staff page, number, subject, status, status label).
async fn staff_rows<R: Record>(
    conn: &mut Conn,
    scope: &Predicate,
    q: &ListQuery,
    staff_base: &str,
    statuses: &[(&'static str, &'static str)],
) -> AppResult<Vec<(String, String, String, String, String)>> {
    Ok(work::list::<R>(conn, Some(scope), q)
        .await?
        .iter()
        .map(|r| {
            let (id, number, subject, status) = r.summary();
            let label = statuses
                .iter()
                .find(|(k, _)| *k == status)
                .map_or("", |(_, l)| l);
            (
                format!("{staff_base}/{id}"),
                number.to_owned(),
                subject.to_owned(),
                status.to_owned(),
                label.to_owned(),
            )
        })
        .collect())
}

/// What a portal user sees, for staff ("view as"): read-only, built with the
/// same policy as the portal, and recording no customer view.
pub struct ViewAs {
    pub user: portal_users::PortalUser,
    /// Why the person cannot log in at all, if they cannot.
    pub blocked: Option<String>,
    pub waiting: Waiting,
    pub modules: Vec<ModuleView>,
}

pub async fn view_as(app: &App, portal_user_id: &str) -> AppResult<ViewAs> {
    use courtyard_db::sales;
    use courtyard_domain::records::{
        job_statuses, project_statuses, task_statuses, ticket_statuses, SalesKind,
    };
    let user = {
        let mut conn = app.db.conn().await?;
        let mut user = portal_users::find(&mut conn, portal_user_id).await?;
        crate::access::apply_module_switches(&mut conn, &mut user).await?;
        user
    };
    let blocked = if user.state != "active" {
        Some(format!(
            "The person's portal account is {}, so they cannot log in.",
            user.state
        ))
    } else {
        crate::auth::access_check(&user, app.clock.today())
            .err()
            .map(|why| why.explain().to_owned())
    };
    let waiting = waiting_for(app, &user).await?;
    let first = ListQuery {
        limit: Some(11),
        ..Default::default()
    };
    let mut modules = Vec::new();
    let mut conn = app.db.conn().await?;
    for module in Grants::from_storage(&user.grants).modules() {
        let Ok(scope) = records::scope_for(&user, module) else {
            continue;
        };
        let sales_kind = SalesKind::ALL
            .iter()
            .copied()
            .find(|k| k.module() == module);
        let mut rows: Vec<(String, String, String, String, String)> = match (sales_kind, module) {
            (Some(kind), _) => sales::list(&mut conn, kind, Some(&scope), &first)
                .await?
                .into_iter()
                .map(|d| {
                    let l = kind.status_label(&d.status).unwrap_or("").to_owned();
                    (
                        format!("{}/{}", crate::sales::staff_path(kind), d.id),
                        d.number,
                        d.subject,
                        d.status,
                        l,
                    )
                })
                .collect(),
            (None, Module::Jobs) => {
                staff_rows::<Job>(
                    &mut conn,
                    &scope,
                    &first,
                    crate::links::staff_list(RecordKind::Job),
                    &job_statuses(),
                )
                .await?
            }
            (None, Module::Projects) => {
                staff_rows::<Project>(
                    &mut conn,
                    &scope,
                    &first,
                    crate::links::staff_list(RecordKind::Project),
                    &project_statuses(),
                )
                .await?
            }
            (None, Module::Tasks) => {
                staff_rows::<Task>(
                    &mut conn,
                    &scope,
                    &first,
                    crate::links::staff_list(RecordKind::Task),
                    &task_statuses(),
                )
                .await?
            }
            (None, Module::Tickets) => {
                staff_rows::<Ticket>(
                    &mut conn,
                    &scope,
                    &first,
                    crate::links::staff_list(RecordKind::Ticket),
                    &ticket_statuses(),
                )
                .await?
            }
            _ => continue,
        };
        let more = rows.len() > 10;
        rows.truncate(10);
        modules.push(ModuleView { module, rows, more });
    }
    Ok(ViewAs {
        user,
        blocked,
        waiting,
        modules,
    })
}

/// Projects to pick from (documents for a project).
pub async fn project_names(app: &App) -> AppResult<Vec<(String, String)>> {
    let mut conn = app.db.conn().await?;
    Ok(courtyard_db::work::project_names(&mut conn).await?)
}
