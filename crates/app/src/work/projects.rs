//! Projects with members and milestones: the staff form, the project as staff
//! and as a member see it, and the CSV export.

use courtyard_db::listing::ListQuery;
use courtyard_db::portal_users;
use courtyard_db::records::Comment;
use courtyard_db::work::{self, Milestone, MilestoneInput, Project, ProjectInput, Task};
use courtyard_db::{Conn, DbError};
use courtyard_domain::records::ProjectStatus;
use courtyard_domain::FieldCode;
use courtyard_domain::{Module, RecordKind};

use super::{check_parties, date, long_text, optional_date, subject};
use crate::auth::PortalContext;
use crate::error::Problems;
use crate::records::{self, commit, csv_cell, scope};
use crate::{App, AppResult};

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
            status: p.status.as_str().to_owned(),
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
            p.add("status", FieldCode::InvalidChoice, "Choose a status.");
        }
        let progress = match self.progress.trim().trim_end_matches('%').parse::<i64>() {
            Ok(v) if (0..=100).contains(&v) => v,
            _ if self.progress.trim().is_empty() => 0,
            parsed => {
                p.add(
                    "progress",
                    // A number, but not a percentage; or not a number.
                    if parsed.is_ok() {
                        FieldCode::OutOfRange
                    } else {
                        FieldCode::Format
                    },
                    "Progress is a whole percentage from 0 to 100.",
                );
                0
            }
        };
        let start_on = date(&self.start_on);
        if start_on.is_none() {
            p.add(
                "start_on",
                FieldCode::Format,
                "Enter the start date as YYYY-MM-DD.",
            );
        }
        let end_on = optional_date(&mut p, "end_on", &self.end_on, "end date");
        if let (Some(s), Some(e)) = (&start_on, &end_on) {
            if e < s {
                p.add(
                    "end_on",
                    FieldCode::OutOfRange,
                    "The end date must not be before the start date.",
                );
            }
        }
        let description = long_text(&mut p, "description", &self.description);
        // Members are the company's portal users only.
        let mut members = Vec::new();
        for id in self.members.iter().filter(|s| !s.is_empty()) {
            match portal_users::find(conn, id).await {
                Ok(u) if u.company_id.as_deref() == Some(self.company_id.as_str()) => {
                    if !members.contains(&u.id) {
                        members.push(u.id);
                    }
                }
                Ok(_) | Err(DbError::NotFound) => p.add(
                    "members",
                    FieldCode::NotAllowed,
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
                p.add(
                    "milestones",
                    FieldCode::Required,
                    format!("Milestone {n}: enter a title."),
                );
            }
            match date(due) {
                Some(d) => milestones.push(MilestoneInput {
                    title: title.trim().to_owned(),
                    due_on: d,
                    done: *done,
                }),
                None => p.add(
                    "milestones",
                    FieldCode::Format,
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

#[tracing::instrument(skip_all)]
pub async fn create_project(app: &App, form: &ProjectForm) -> AppResult<String> {
    let mut tx = app.db.begin().await?;
    let input = form.parse(&mut tx).await?;
    let number = records::next_number(&mut tx, RecordKind::Project).await?;
    let id = work::insert_project(&mut tx, &number, &input, app.now()).await?;
    commit(tx).await?;
    Ok(id)
}

#[tracing::instrument(skip_all, fields(id = %id))]
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

#[tracing::instrument(skip_all, fields(id = %id))]
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
#[tracing::instrument(skip_all, fields(id = %id))]
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
                csv_cell(p.status.label()),
                format!("{}%", p.progress),
                p.start_on.clone(),
                p.end_on.clone().unwrap_or_default(),
            ]
        }),
    )
}
