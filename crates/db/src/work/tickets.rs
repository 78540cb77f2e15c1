//! Tickets: the row, its list spec, writing, who replied last, reading.

use courtyard_domain::policy::Predicate;
use courtyard_domain::records::{TicketPriority, TicketStatus};

use super::{execute, find, list, Record, CONTACT_NAME};
use crate::listing::{DateCol, Keyed, ListQuery, ListSpec, SortKey};
use crate::{Conn, DbError, Result, Sql};

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Ticket {
    pub id: String,
    pub number: String,
    pub company_id: String,
    pub company_name: String,
    pub contact_id: Option<String>,
    pub contact_name: Option<String>,
    pub subject: String,
    #[sqlx(try_from = "String")]
    pub status: TicketStatus,
    #[sqlx(try_from = "String")]
    pub priority: TicketPriority,
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
    derived: &[],
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

record!(Ticket, Ticket, TICKET_SPEC, ticket_select);
