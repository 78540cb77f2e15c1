//! Tickets: the staff form, staff opening one for a customer, a customer
//! opening one with a first message, and the CSV export.

use courtyard_db::work::{self, Ticket, TicketInput};
use courtyard_db::Conn;
use courtyard_domain::records::{TicketPriority, TicketStatus};
use courtyard_domain::FieldCode;
use courtyard_domain::{Action, Module, RecordKind};

use super::{check_parties, subject};
use crate::auth::{PortalContext, StaffContext};
use crate::error::Problems;
use crate::records::{self, commit, csv_cell, scope};
use crate::{App, AppError, AppResult};

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
            status: t.status.as_str().to_owned(),
            priority: t.priority.as_str().to_owned(),
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
            p.add("status", FieldCode::InvalidChoice, "Choose a status.");
        }
        let priority = TicketPriority::parse(&self.priority);
        if priority.is_none() {
            p.add("priority", FieldCode::InvalidChoice, "Choose a priority.");
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
#[tracing::instrument(skip_all)]
pub async fn create_ticket(app: &App, ctx: &StaffContext, form: &TicketForm) -> AppResult<String> {
    let body = records::message_text(
        &form.message,
        "message",
        "Write the first message of the ticket.",
    )?;
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

#[tracing::instrument(skip_all, fields(id = %id))]
pub async fn update_ticket(app: &App, id: &str, form: &TicketForm) -> AppResult<()> {
    let mut tx = app.db.begin().await?;
    records::claim_version(&mut tx, "tickets", id, records::version_of(&form.version)).await?;
    let input = form.parse(&mut tx, "").await?;
    work::update_ticket(&mut tx, id, &input, app.now()).await?;
    commit(tx).await
}

/// A customer opens a ticket for their company, with a first message.
#[tracing::instrument(skip_all)]
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
    let body = match records::message_text(message, "message", "Describe what you need help with.")
    {
        Ok(b) => Some(b),
        Err(AppError::Invalid(problems)) => {
            p.0.extend(problems);
            None
        }
        Err(e) => return Err(e),
    };
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
                csv_cell(t.status.label()),
                csv_cell(t.priority.label()),
                t.opened_on.clone(),
                crate::emails::format_time(t.last_activity_at),
            ]
        }),
    )
}
