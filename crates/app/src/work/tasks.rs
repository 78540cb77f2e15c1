//! Tasks: the staff form, a customer completing a task assigned to them, and
//! the CSV export.

use courtyard_db::work::{self, Task, TaskInput};
use courtyard_db::{staff, Conn, DbError};
use courtyard_domain::records::TaskStatus;
use courtyard_domain::FieldCode;
use courtyard_domain::{Module, RecordKind};

use super::{long_text, optional_date, subject};
use crate::auth::PortalContext;
use crate::error::Problems;
use crate::records::{self, commit, csv_cell, scope};
use crate::{App, AppError, AppResult};

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
            status: t.status.as_str().to_owned(),
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
                p.add(
                    "project_id",
                    FieldCode::InvalidChoice,
                    "Choose the project.",
                );
                None
            }
            Err(e) => return Err(e.into()),
        };
        let subject = subject(&mut p, &self.subject, "task name");
        let status = TaskStatus::parse(&self.status);
        if status.is_none() {
            p.add("status", FieldCode::InvalidChoice, "Choose a status.");
        }
        let due_on = optional_date(&mut p, "due_on", &self.due_on, "due date");
        let description = long_text(&mut p, "description", &self.description);
        let assignee_id = courtyard_domain::optional_text(&self.assignee_id);
        if let (Some(a), Some(pr)) = (&assignee_id, &project) {
            if !work::members(conn, &pr.id).await?.contains(a) {
                p.add(
                    "assignee_id",
                    FieldCode::NotAllowed,
                    "Assign the task to one of the project's portal members.",
                );
            }
        }
        let owner = courtyard_domain::optional_text(&self.owner_staff_id);
        if let Some(id) = &owner {
            if let Err(DbError::NotFound) = staff::find(conn, id).await {
                p.add(
                    "owner_staff_id",
                    FieldCode::InvalidChoice,
                    "Choose a staff member.",
                );
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

#[tracing::instrument(skip_all)]
pub async fn create_task(app: &App, form: &TaskForm) -> AppResult<String> {
    let mut tx = app.db.begin().await?;
    let input = form.parse(&mut tx, &app.clock.today().to_string()).await?;
    let number = records::next_number(&mut tx, RecordKind::Task).await?;
    let id = work::insert_task(&mut tx, &number, &input, app.now()).await?;
    commit(tx).await?;
    Ok(id)
}

#[tracing::instrument(skip_all, fields(id = %id))]
pub async fn update_task(app: &App, id: &str, form: &TaskForm) -> AppResult<()> {
    let mut tx = app.db.begin().await?;
    records::claim_version(&mut tx, "tasks", id, records::version_of(&form.version)).await?;
    let input = form.parse(&mut tx, "").await?;
    work::update_task(&mut tx, id, &input, app.now()).await?;
    commit(tx).await
}

/// Mark a task assigned to this user done.
#[tracing::instrument(skip_all, fields(id = %id))]
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
                csv_cell(t.status.label()),
                csv_cell(t.assignee_name.as_deref().unwrap_or("")),
                t.created_on.clone(),
                t.due_on.clone().unwrap_or_default(),
            ]
        }),
    )
}
