//! Invoices. Portal reads always carry the visibility policy's predicate in
//! their SQL; staff reads do not.

use courtyard_domain::money::{Line, Totals};
use courtyard_domain::policy::Predicate;

use crate::{like_pattern, Conn, DbError, Result, Sql};

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Invoice {
    pub id: String,
    pub number: String,
    pub company_id: String,
    pub company_name: String,
    pub contact_id: Option<String>,
    pub contact_name: Option<String>,
    pub subject: String,
    pub status: String,
    pub currency: String,
    pub issued_on: String,
    pub due_on: String,
    pub paid_on: Option<String>,
    pub subtotal: i64,
    pub tax_total: i64,
    pub total: i64,
    pub amount_paid: i64,
    pub balance: i64,
    pub terms: String,
    pub created_at: i64,
    pub updated_at: i64,
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct InvoiceLine {
    pub id: String,
    pub position: i64,
    pub description: String,
    pub quantity_milli: i64,
    pub unit_price: i64,
    pub tax_rate_bp: i64,
    pub discount_bp: i64,
    pub net: i64,
}

/// What staff save: header fields, lines and the totals computed from them.
#[derive(Debug, Clone)]
pub struct InvoiceInput {
    pub company_id: String,
    pub contact_id: Option<String>,
    pub subject: String,
    pub status: String,
    pub currency: String,
    pub issued_on: String,
    pub due_on: String,
    pub paid_on: Option<String>,
    pub amount_paid: i64,
    pub terms: String,
    pub lines: Vec<Line>,
    pub totals: Totals,
}

const SELECT: &str = "SELECT i.id, i.number, i.company_id, co.name AS company_name, i.contact_id, \
    CASE WHEN c.id IS NULL THEN NULL ELSE c.first_name || ' ' || c.last_name END AS contact_name, \
    i.subject, i.status, i.currency, i.issued_on, i.due_on, i.paid_on, i.subtotal, i.tax_total, \
    i.total, i.amount_paid, i.balance, i.terms, i.created_at, i.updated_at \
    FROM invoices i JOIN companies co ON co.id = i.company_id \
    LEFT JOIN contacts c ON c.id = i.contact_id";

/// The next human number of a kind, e.g. `INV-0042`. Numbers are never reused.
pub async fn next_number(conn: &mut Conn, kind: &str, default_prefix: &str) -> Result<String> {
    sqlx::query("INSERT INTO sequences (kind, prefix, next_value) VALUES ($1, $2, 1) ON CONFLICT (kind) DO NOTHING")
        .bind(kind)
        .bind(default_prefix)
        .execute(&mut *conn)
        .await?;
    let (prefix, n): (String, i64) = sqlx::query_as(
        "UPDATE sequences SET next_value = next_value + 1 WHERE kind = $1 RETURNING prefix, next_value - 1",
    )
    .bind(kind)
    .fetch_one(conn)
    .await?;
    Ok(format!("{prefix}{n:04}"))
}

/// Change the prefix of future numbers.
pub async fn set_prefix(conn: &mut Conn, kind: &str, prefix: &str) -> Result<()> {
    sqlx::query(
        "INSERT INTO sequences (kind, prefix, next_value) VALUES ($1, $2, 1) \
         ON CONFLICT (kind) DO UPDATE SET prefix = excluded.prefix",
    )
    .bind(kind)
    .bind(prefix)
    .execute(conn)
    .await?;
    Ok(())
}

async fn write_lines(conn: &mut Conn, invoice_id: &str, lines: &[Line]) -> Result<()> {
    sqlx::query("DELETE FROM invoice_lines WHERE invoice_id = $1")
        .bind(invoice_id)
        .execute(&mut *conn)
        .await?;
    for (i, l) in lines.iter().enumerate() {
        sqlx::query(
            "INSERT INTO invoice_lines (id, invoice_id, position, description, quantity_milli, \
             unit_price, tax_rate_bp, discount_bp, net) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
        )
        .bind(crate::new_id())
        .bind(invoice_id)
        .bind(i as i64)
        .bind(&l.description)
        .bind(l.quantity_milli)
        .bind(l.unit_price)
        .bind(l.tax_rate_bp)
        .bind(l.discount_bp)
        .bind(l.net())
        .execute(&mut *conn)
        .await?;
    }
    Ok(())
}

pub async fn insert(conn: &mut Conn, number: &str, inv: &InvoiceInput, now: i64) -> Result<String> {
    let id = crate::new_id();
    sqlx::query(
        "INSERT INTO invoices (id, number, company_id, contact_id, subject, status, currency, \
         issued_on, due_on, paid_on, subtotal, tax_total, total, amount_paid, balance, terms, \
         created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, \
         $14, $15, $16, $17, $17)",
    )
    .bind(&id)
    .bind(number)
    .bind(&inv.company_id)
    .bind(&inv.contact_id)
    .bind(&inv.subject)
    .bind(&inv.status)
    .bind(&inv.currency)
    .bind(&inv.issued_on)
    .bind(&inv.due_on)
    .bind(&inv.paid_on)
    .bind(inv.totals.subtotal)
    .bind(inv.totals.tax_total)
    .bind(inv.totals.total)
    .bind(inv.amount_paid)
    .bind(inv.totals.total - inv.amount_paid)
    .bind(&inv.terms)
    .bind(now)
    .execute(&mut *conn)
    .await
    .map_err(crate::conflict)?;
    write_lines(conn, &id, &inv.lines).await?;
    Ok(id)
}

pub async fn update(conn: &mut Conn, id: &str, inv: &InvoiceInput, now: i64) -> Result<()> {
    let done = sqlx::query(
        "UPDATE invoices SET company_id = $1, contact_id = $2, subject = $3, status = $4, \
         currency = $5, issued_on = $6, due_on = $7, paid_on = $8, subtotal = $9, tax_total = $10, \
         total = $11, amount_paid = $12, balance = $13, terms = $14, updated_at = $15 WHERE id = $16",
    )
    .bind(&inv.company_id)
    .bind(&inv.contact_id)
    .bind(&inv.subject)
    .bind(&inv.status)
    .bind(&inv.currency)
    .bind(&inv.issued_on)
    .bind(&inv.due_on)
    .bind(&inv.paid_on)
    .bind(inv.totals.subtotal)
    .bind(inv.totals.tax_total)
    .bind(inv.totals.total)
    .bind(inv.amount_paid)
    .bind(inv.totals.total - inv.amount_paid)
    .bind(&inv.terms)
    .bind(now)
    .bind(id)
    .execute(&mut *conn)
    .await?;
    if done.rows_affected() == 0 {
        return Err(DbError::NotFound);
    }
    write_lines(conn, id, &inv.lines).await
}

/// Staff read: any invoice.
pub async fn find(conn: &mut Conn, id: &str) -> Result<Invoice> {
    sqlx::query_as(&format!("{SELECT} WHERE i.id = $1"))
        .bind(id)
        .fetch_optional(conn)
        .await?
        .ok_or(DbError::NotFound)
}

/// Portal read: the invoice only if the policy's predicate holds, in the same
/// query. Outside the scope is exactly "not found".
pub async fn find_scoped(conn: &mut Conn, id: &str, scope: &Predicate) -> Result<Invoice> {
    let mut q = Sql::new(&format!("{SELECT} WHERE i.id = "));
    q.bind(id.to_owned()).scope("i", scope);
    let (text, args) = q.build();
    sqlx::query_as_with(&text, args)
        .fetch_optional(conn)
        .await?
        .ok_or(DbError::NotFound)
}

pub async fn lines(conn: &mut Conn, invoice_id: &str) -> Result<Vec<InvoiceLine>> {
    Ok(sqlx::query_as(
        "SELECT id, position, description, quantity_milli, unit_price, tax_rate_bp, discount_bp, net \
         FROM invoice_lines WHERE invoice_id = $1 ORDER BY position",
    )
    .bind(invoice_id)
    .fetch_all(conn)
    .await?)
}

/// The orders a list can be sorted in; each has an index per company.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum InvoiceSort {
    #[default]
    IssuedDesc,
    IssuedAsc,
    DueAsc,
    DueDesc,
    TotalDesc,
    TotalAsc,
}

impl InvoiceSort {
    pub const ALL: &'static [InvoiceSort] = &[
        Self::IssuedDesc,
        Self::IssuedAsc,
        Self::DueAsc,
        Self::DueDesc,
        Self::TotalDesc,
        Self::TotalAsc,
    ];

    pub fn key(self) -> &'static str {
        match self {
            Self::IssuedDesc => "issued_desc",
            Self::IssuedAsc => "issued_asc",
            Self::DueAsc => "due_asc",
            Self::DueDesc => "due_desc",
            Self::TotalDesc => "total_desc",
            Self::TotalAsc => "total_asc",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Self::IssuedDesc => "Newest first",
            Self::IssuedAsc => "Oldest first",
            Self::DueAsc => "Due soonest",
            Self::DueDesc => "Due latest",
            Self::TotalDesc => "Largest total",
            Self::TotalAsc => "Smallest total",
        }
    }

    pub fn parse(s: &str) -> Self {
        Self::ALL
            .iter()
            .copied()
            .find(|x| x.key() == s)
            .unwrap_or_default()
    }

    fn column(self) -> &'static str {
        match self {
            Self::IssuedDesc | Self::IssuedAsc => "issued_on",
            Self::DueAsc | Self::DueDesc => "due_on",
            Self::TotalDesc | Self::TotalAsc => "total",
        }
    }

    fn descending(self) -> bool {
        matches!(self, Self::IssuedDesc | Self::DueDesc | Self::TotalDesc)
    }

    /// The cursor value of a row for this sort.
    pub fn cursor_key(self, inv: &Invoice) -> String {
        match self.column() {
            "issued_on" => inv.issued_on.clone(),
            "due_on" => inv.due_on.clone(),
            _ => inv.total.to_string(),
        }
    }
}

/// The date an invoice list's range applies to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum DateField {
    #[default]
    Issued,
    Due,
    Paid,
}

impl DateField {
    pub const ALL: &'static [DateField] = &[Self::Issued, Self::Due, Self::Paid];

    pub fn key(self) -> &'static str {
        match self {
            Self::Issued => "issued",
            Self::Due => "due",
            Self::Paid => "paid",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Self::Issued => "Issue date",
            Self::Due => "Due date",
            Self::Paid => "Paid date",
        }
    }

    pub fn parse(s: &str) -> Self {
        Self::ALL
            .iter()
            .copied()
            .find(|x| x.key() == s)
            .unwrap_or_default()
    }

    fn column(self) -> &'static str {
        match self {
            Self::Issued => "issued_on",
            Self::Due => "due_on",
            Self::Paid => "paid_on",
        }
    }
}

/// A list request: every filter the search panel offers.
#[derive(Debug, Clone, Default)]
pub struct InvoiceQuery {
    /// Matches the number or the subject.
    pub search: Option<String>,
    pub statuses: Vec<String>,
    pub date_field: DateField,
    /// Inclusive `YYYY-MM-DD` bounds.
    pub from: Option<String>,
    pub to: Option<String>,
    pub company_id: Option<String>,
    pub sort: InvoiceSort,
    /// Keyset cursor: (sort key, id) of the previous page's last row.
    pub after: Option<(String, String)>,
    /// `None` for everything (CSV export).
    pub limit: Option<i64>,
}

/// A page of invoices. With `scope`, only what the policy allows.
pub async fn list(
    conn: &mut Conn,
    scope: Option<&Predicate>,
    f: &InvoiceQuery,
) -> Result<Vec<Invoice>> {
    let mut q = Sql::new(&format!("{SELECT} WHERE 1 = 1"));
    if let Some(p) = scope {
        q.scope("i", p);
    }
    if let Some(id) = &f.company_id {
        q.push(" AND i.company_id = ").bind(id.clone());
    }
    if let Some(s) = &f.search {
        let p = like_pattern(s);
        q.push(" AND (LOWER(i.number) LIKE ")
            .bind(p.clone())
            .push(" ESCAPE '\\' OR LOWER(i.subject) LIKE ")
            .bind(p)
            .push(" ESCAPE '\\')");
    }
    if !f.statuses.is_empty() {
        q.push(" AND i.status IN (");
        for (i, s) in f.statuses.iter().enumerate() {
            if i > 0 {
                q.push(", ");
            }
            q.bind(s.clone());
        }
        q.push(")");
    }
    let col = f.date_field.column();
    if let Some(from) = &f.from {
        q.push(&format!(" AND i.{col} >= ")).bind(from.clone());
    }
    if let Some(to) = &f.to {
        q.push(&format!(" AND i.{col} <= ")).bind(to.clone());
    }
    let sort_col = f.sort.column();
    let (cmp, dir) = if f.sort.descending() {
        ("<", "DESC")
    } else {
        (">", "ASC")
    };
    if let Some((key, id)) = &f.after {
        q.push(&format!(" AND (i.{sort_col} {cmp} "));
        if sort_col == "total" {
            q.bind(key.parse::<i64>().unwrap_or(0));
        } else {
            q.bind(key.clone());
        }
        q.push(&format!(" OR (i.{sort_col} = "));
        if sort_col == "total" {
            q.bind(key.parse::<i64>().unwrap_or(0));
        } else {
            q.bind(key.clone());
        }
        q.push(&format!(" AND i.id {cmp} "))
            .bind(id.clone())
            .push("))");
    }
    q.push(&format!(" ORDER BY i.{sort_col} {dir}, i.id {dir}"));
    if let Some(limit) = f.limit {
        q.push(" LIMIT ").bind(limit);
    }
    let (text, args) = q.build();
    Ok(sqlx::query_as_with(&text, args).fetch_all(conn).await?)
}

/// One customer view or download.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct RecordView {
    pub kind: String,
    pub ip: String,
    pub at: i64,
    pub email: String,
    pub name: String,
}

pub async fn record_view(
    conn: &mut Conn,
    record_type: &str,
    record_id: &str,
    portal_user_id: &str,
    kind: &str,
    ip: &str,
    now: i64,
) -> Result<()> {
    sqlx::query(
        "INSERT INTO record_views (id, record_type, record_id, portal_user_id, kind, ip, at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(crate::new_id())
    .bind(record_type)
    .bind(record_id)
    .bind(portal_user_id)
    .bind(kind)
    .bind(ip)
    .bind(now)
    .execute(conn)
    .await?;
    Ok(())
}

pub async fn views(conn: &mut Conn, record_type: &str, record_id: &str) -> Result<Vec<RecordView>> {
    Ok(sqlx::query_as(
        "SELECT v.kind, v.ip, v.at, pu.email, c.first_name || ' ' || c.last_name AS name \
         FROM record_views v JOIN portal_users pu ON pu.id = v.portal_user_id \
         JOIN contacts c ON c.id = pu.contact_id \
         WHERE v.record_type = $1 AND v.record_id = $2 ORDER BY v.at DESC LIMIT 200",
    )
    .bind(record_type)
    .bind(record_id)
    .fetch_all(conn)
    .await?)
}
