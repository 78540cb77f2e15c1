//! Jobs: the staff form, creating and editing, a customer's request at a site,
//! and the CSV export.

use courtyard_db::work::{self, Job, JobInput};
use courtyard_db::Conn;
use courtyard_domain::records::JobStatus;
use courtyard_domain::FieldCode;
use courtyard_domain::{Action, Module, RecordKind};

use super::{check_parties, date, long_text, optional_date, subject};
use crate::auth::PortalContext;
use crate::error::Problems;
use crate::records::{self, commit, csv_cell, scope};
use crate::{App, AppError, AppResult};

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
            status: j.status.as_str().to_owned(),
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
            p.add("status", FieldCode::InvalidChoice, "Choose a status.");
        }
        let requested_on = date(&self.requested_on);
        if requested_on.is_none() {
            p.add(
                "requested_on",
                FieldCode::Format,
                "Enter the request date as YYYY-MM-DD.",
            );
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

#[tracing::instrument(skip_all)]
pub async fn create_job(app: &App, form: &JobForm) -> AppResult<String> {
    let mut tx = app.db.begin().await?;
    let input = form.parse(&mut tx).await?;
    let number = records::next_number(&mut tx, RecordKind::Job).await?;
    let id = work::insert_job(&mut tx, &number, &input, app.now()).await?;
    commit(tx).await?;
    Ok(id)
}

#[tracing::instrument(skip_all, fields(id = %id))]
pub async fn update_job(app: &App, id: &str, form: &JobForm) -> AppResult<()> {
    let mut tx = app.db.begin().await?;
    records::claim_version(&mut tx, "jobs", id, records::version_of(&form.version)).await?;
    let input = form.parse(&mut tx).await?;
    work::update_job(&mut tx, id, &input, app.now()).await?;
    commit(tx).await
}

/// A customer requests a job at a site; it starts as `requested`.
#[tracing::instrument(skip_all)]
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
        p.add(
            "site_address",
            FieldCode::Required,
            "Enter the address of the site.",
        );
    }
    let preferred = optional_date(&mut p, "preferred_on", preferred_on, "preferred date");
    if let Some(d) = &preferred {
        if d.as_str() < app.clock.today().to_string().as_str() {
            p.add(
                "preferred_on",
                FieldCode::OutOfRange,
                "Choose a date from today on.",
            );
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
                csv_cell(j.status.label()),
                csv_cell(&j.site_address),
                j.requested_on.clone(),
                j.scheduled_on.clone().unwrap_or_default(),
            ]
        }),
    )
}
