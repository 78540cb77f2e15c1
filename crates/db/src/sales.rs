//! Quotes, sales orders and invoices: one shape in three tables, chosen by
//! [`SalesKind`]. Portal reads always carry the visibility policy's predicate
//! in their SQL; staff reads do not.

use courtyard_domain::money::{Currency, Line, Totals};
use courtyard_domain::policy::Predicate;
use courtyard_domain::records::{SalesKind, SalesStatus};

use crate::listing::{self, DateCol, Keyed, ListQuery, ListSpec, SortKey};
use crate::{Conn, DbError, Result, Sql};

/// A quote, sales order or invoice. `due_on` is a quote's "valid until" and
/// an order's delivery date; `paid_on`, `amount_paid` and `balance` mean
/// something on invoices only.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct SalesDoc {
    pub id: String,
    pub number: String,
    pub company_id: String,
    pub company_name: String,
    pub contact_id: Option<String>,
    pub contact_name: Option<String>,
    pub subject: String,
    /// Checked as the row is read: an unknown status is a read error.
    #[sqlx(try_from = "String")]
    pub status: SalesStatus,
    /// Parsed as the row is read: an unknown code is a read error.
    #[sqlx(try_from = "String")]
    pub currency: Currency,
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
    pub owner_staff_id: Option<String>,
    pub owner_name: Option<String>,
    pub owner_email: Option<String>,
    /// When a customer first opened it.
    pub first_viewed_at: Option<i64>,
}

impl SalesDoc {
    /// The status it shows on `today` ([`SalesKind::shown_status`]).
    pub fn shown_status(&self, kind: SalesKind, today: &str) -> &str {
        kind.shown_status(self.status.as_str(), &self.due_on, self.balance, today)
    }
}

impl Keyed for SalesDoc {
    fn id(&self) -> &str {
        &self.id
    }
    fn sort_value(&self, column: &str) -> String {
        match column {
            "due_on" => self.due_on.clone(),
            "total" => self.total.to_string(),
            _ => self.issued_on.clone(),
        }
    }
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct SalesLine {
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
pub struct SalesInput {
    pub company_id: String,
    pub owner_staff_id: Option<String>,
    pub contact_id: Option<String>,
    pub subject: String,
    pub status: SalesStatus,
    pub currency: String,
    pub issued_on: String,
    pub due_on: String,
    pub paid_on: Option<String>,
    pub amount_paid: i64,
    pub terms: String,
    pub lines: Vec<Line>,
    pub totals: Totals,
}

fn select(kind: SalesKind) -> String {
    format!(
        "SELECT i.id, i.number, i.company_id, co.name AS company_name, i.contact_id, \
         CASE WHEN c.id IS NULL THEN NULL ELSE c.first_name || ' ' || c.last_name END AS contact_name, \
         i.subject, i.status, i.currency, i.issued_on, i.due_on, i.paid_on, i.subtotal, i.tax_total, \
         i.total, i.amount_paid, i.balance, i.terms, i.created_at, i.updated_at, i.owner_staff_id, \
         su.name AS owner_name, su.email AS owner_email, i.first_viewed_at \
         FROM {} i JOIN companies co ON co.id = i.company_id \
         LEFT JOIN contacts c ON c.id = i.contact_id \
         LEFT JOIN staff_users su ON su.id = i.owner_staff_id",
        kind.table()
    )
}

const SORTS: &[SortKey] = &[
    SortKey {
        key: "issued_desc",
        column: "issued_on",
        desc: true,
        numeric: false,
        label: "Newest first",
    },
    SortKey {
        key: "issued_asc",
        column: "issued_on",
        desc: false,
        numeric: false,
        label: "Oldest first",
    },
    SortKey {
        key: "due_asc",
        column: "due_on",
        desc: false,
        numeric: false,
        label: "Due soonest",
    },
    SortKey {
        key: "due_desc",
        column: "due_on",
        desc: true,
        numeric: false,
        label: "Due latest",
    },
    SortKey {
        key: "total_desc",
        column: "total",
        desc: true,
        numeric: true,
        label: "Largest total",
    },
    SortKey {
        key: "total_asc",
        column: "total",
        desc: false,
        numeric: true,
        label: "Smallest total",
    },
];

/// The list panel of each kind.
pub fn spec(kind: SalesKind) -> ListSpec {
    const ISSUED: DateCol = DateCol {
        key: "issued",
        column: "issued_on",
        label: "Issue date",
    };
    match kind {
        SalesKind::Invoice => ListSpec {
            search: &["number", "subject"],
            dates: &[
                ISSUED,
                DateCol {
                    key: "due",
                    column: "due_on",
                    label: "Due date",
                },
                DateCol {
                    key: "paid",
                    column: "paid_on",
                    label: "Paid date",
                },
            ],
            sorts: SORTS,
            derived: kind.derived(),
        },
        SalesKind::Quote => ListSpec {
            search: &["number", "subject"],
            dates: &[
                ISSUED,
                DateCol {
                    key: "due",
                    column: "due_on",
                    label: "Valid until",
                },
            ],
            sorts: SORTS,
            derived: kind.derived(),
        },
        SalesKind::Order => ListSpec {
            search: &["number", "subject"],
            dates: &[
                ISSUED,
                DateCol {
                    key: "due",
                    column: "due_on",
                    label: "Delivery date",
                },
            ],
            sorts: SORTS,
            derived: kind.derived(),
        },
    }
}

async fn write_lines(conn: &mut Conn, kind: SalesKind, doc_id: &str, lines: &[Line]) -> Result<()> {
    let (table, fk) = kind.lines_table();
    sqlx::query(&format!("DELETE FROM {table} WHERE {fk} = $1"))
        .bind(doc_id)
        .execute(&mut *conn)
        .await?;
    for (i, l) in lines.iter().enumerate() {
        sqlx::query(&format!(
            "INSERT INTO {table} (id, {fk}, position, description, quantity_milli, \
             unit_price, tax_rate_bp, discount_bp, net) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)"
        ))
        .bind(crate::new_id())
        .bind(doc_id)
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

/// The columns staff write, in the order [`bind_input`] binds them.
const COLUMNS: [&str; 15] = [
    "company_id",
    "contact_id",
    "subject",
    "status",
    "currency",
    "issued_on",
    "due_on",
    "paid_on",
    "subtotal",
    "tax_total",
    "total",
    "amount_paid",
    "balance",
    "terms",
    "owner_staff_id",
];

fn bind_input(q: &mut Sql, d: &SalesInput) {
    q.bind(d.company_id.clone())
        .push(", ")
        .bind(d.contact_id.clone())
        .push(", ")
        .bind(d.subject.clone())
        .push(", ")
        .bind(d.status.as_str())
        .push(", ")
        .bind(d.currency.clone())
        .push(", ")
        .bind(d.issued_on.clone())
        .push(", ")
        .bind(d.due_on.clone())
        .push(", ")
        .bind(d.paid_on.clone())
        .push(", ")
        .bind(d.totals.subtotal)
        .push(", ")
        .bind(d.totals.tax_total)
        .push(", ")
        .bind(d.totals.total)
        .push(", ")
        .bind(d.amount_paid)
        .push(", ")
        // A void invoice owes nothing.
        .bind(if d.status == "void" {
            0
        } else {
            d.totals.total - d.amount_paid
        })
        .push(", ")
        .bind(d.terms.clone())
        .push(", ")
        .bind(d.owner_staff_id.clone());
}

pub async fn insert(
    conn: &mut Conn,
    kind: SalesKind,
    number: &str,
    d: &SalesInput,
    now: i64,
) -> Result<String> {
    let id = crate::new_id();
    let mut q = Sql::new(&format!(
        "INSERT INTO {} (id, number, created_at, updated_at, {}) VALUES (",
        kind.table(),
        COLUMNS.join(", ")
    ));
    q.bind(id.clone())
        .push(", ")
        .bind(number.to_owned())
        .push(", ")
        .bind(now)
        .push(", ")
        .bind(now)
        .push(", ");
    bind_input(&mut q, d);
    q.push(")");
    let (text, args) = q.build();
    sqlx::query_with(&text, args)
        .execute(&mut *conn)
        .await
        .map_err(crate::conflict)?;
    write_lines(conn, kind, &id, &d.lines).await?;
    Ok(id)
}

pub async fn update(
    conn: &mut Conn,
    kind: SalesKind,
    id: &str,
    d: &SalesInput,
    now: i64,
) -> Result<()> {
    // (col1, col2, …) = (…) is portable to both engines.
    let mut q = Sql::new(&format!("UPDATE {} SET updated_at = ", kind.table()));
    q.bind(now).push(&format!(", ({}) = (", COLUMNS.join(", ")));
    bind_input(&mut q, d);
    q.push(") WHERE id = ").bind(id.to_owned());
    let (text, args) = q.build();
    let done = sqlx::query_with(&text, args).execute(&mut *conn).await?;
    if done.rows_affected() == 0 {
        return Err(DbError::NotFound);
    }
    write_lines(conn, kind, id, &d.lines).await
}

/// Set the status alone (a customer accepting a quote), only from `from`.
/// Returns false when the document was no longer in `from`.
pub async fn set_status(
    conn: &mut Conn,
    kind: SalesKind,
    id: &str,
    from: &str,
    to: &str,
    now: i64,
) -> Result<bool> {
    let done = sqlx::query(&format!(
        "UPDATE {} SET status = $1, updated_at = $2 WHERE id = $3 AND status = $4",
        kind.table()
    ))
    .bind(to)
    .bind(now)
    .bind(id)
    .bind(from)
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Who answered a quote on the portal.
pub async fn set_answered_by(
    conn: &mut Conn,
    id: &str,
    portal_user_id: &str,
    now: i64,
) -> Result<()> {
    sqlx::query("UPDATE quotes SET answered_by = $1, answered_at = $2 WHERE id = $3")
        .bind(portal_user_id)
        .bind(now)
        .bind(id)
        .execute(conn)
        .await?;
    Ok(())
}

/// Mark the first customer view; true only for the call that did it.
pub async fn mark_first_view(conn: &mut Conn, kind: SalesKind, id: &str, now: i64) -> Result<bool> {
    let done = sqlx::query(&format!(
        "UPDATE {} SET first_viewed_at = $1 WHERE id = $2 AND first_viewed_at IS NULL",
        kind.table()
    ))
    .bind(now)
    .bind(id)
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// A row read as `kind`: its status must be one of the kind's (a quote
/// status on an invoice row is as unreadable as an unknown one).
fn of_kind(kind: SalesKind, doc: SalesDoc) -> Result<SalesDoc> {
    if kind.status_label(doc.status.as_str()).is_some() {
        return Ok(doc);
    }
    Err(DbError::Sqlx(sqlx::Error::ColumnDecode {
        index: "status".into(),
        source: Box::new(courtyard_domain::UnknownValue {
            of: match kind {
                SalesKind::Quote => "QuoteStatus",
                SalesKind::Order => "OrderStatus",
                SalesKind::Invoice => "InvoiceStatus",
            },
            value: doc.status.as_str().to_owned(),
        }),
    }))
}

/// Staff read: any document of the kind.
pub async fn find(conn: &mut Conn, kind: SalesKind, id: &str) -> Result<SalesDoc> {
    let doc = sqlx::query_as(&format!("{} WHERE i.id = $1", select(kind)))
        .bind(id)
        .fetch_optional(conn)
        .await?
        .ok_or(DbError::NotFound)?;
    of_kind(kind, doc)
}

/// Portal read: the document only if the policy's predicate holds, in the
/// same query. Outside the scope is exactly "not found".
pub async fn find_scoped(
    conn: &mut Conn,
    kind: SalesKind,
    id: &str,
    scope: &Predicate,
) -> Result<SalesDoc> {
    let mut q = Sql::new(&format!("{} WHERE i.id = ", select(kind)));
    q.bind(id.to_owned()).scope("i", scope);
    let (text, args) = q.build();
    let doc = sqlx::query_as_with(&text, args)
        .fetch_optional(conn)
        .await?
        .ok_or(DbError::NotFound)?;
    of_kind(kind, doc)
}

pub async fn lines(conn: &mut Conn, kind: SalesKind, doc_id: &str) -> Result<Vec<SalesLine>> {
    let (table, fk) = kind.lines_table();
    Ok(sqlx::query_as(&format!(
        "SELECT id, position, description, quantity_milli, unit_price, tax_rate_bp, discount_bp, net \
         FROM {table} WHERE {fk} = $1 ORDER BY position"
    ))
    .bind(doc_id)
    .fetch_all(conn)
    .await?)
}

/// A page of documents. With `scope`, only what the policy allows.
/// One page of documents (all of them when `f.limit` is `None`). Status
/// filters follow the statuses shown on `today` (Overdue, Expired).
pub async fn list(
    conn: &mut Conn,
    kind: SalesKind,
    scope: Option<&Predicate>,
    f: &ListQuery,
    today: &str,
) -> Result<Vec<SalesDoc>> {
    let mut q = Sql::new(&format!("{} WHERE 1 = 1", select(kind)));
    if let Some(p) = scope {
        q.scope("i", p);
    }
    listing::apply(&mut q, "i", &spec(kind), f, Some(today));
    let (text, args) = q.build();
    let rows: Vec<SalesDoc> = sqlx::query_as_with(&text, args).fetch_all(conn).await?;
    rows.into_iter().map(|d| of_kind(kind, d)).collect()
}

/// How many documents match `f`'s filters (its cursor and limit ignored):
/// the true count beside a capped list.
/// What the documents `f` selects leave to pay, per currency: (currency
/// code, sum of balances, how many), by code. The same filters as
/// [`count`], so a sum and its list always agree.
pub async fn balances(
    conn: &mut Conn,
    kind: SalesKind,
    scope: Option<&Predicate>,
    f: &ListQuery,
    today: &str,
) -> Result<Vec<(String, i64, i64)>> {
    let mut q = Sql::new(&format!(
        "SELECT i.currency, CAST(COALESCE(SUM(i.balance), 0) AS BIGINT), COUNT(*) \
         FROM {} i WHERE 1 = 1",
        kind.table()
    ));
    if let Some(p) = scope {
        q.scope("i", p);
    }
    listing::filters(&mut q, "i", &spec(kind), f, Some(today));
    q.push(" GROUP BY i.currency ORDER BY i.currency");
    let (text, args) = q.build();
    Ok(sqlx::query_as_with(&text, args).fetch_all(conn).await?)
}

pub async fn count(
    conn: &mut Conn,
    kind: SalesKind,
    scope: Option<&Predicate>,
    f: &ListQuery,
    today: &str,
) -> Result<i64> {
    let mut q = Sql::new(&format!(
        "SELECT COUNT(*) FROM {} i WHERE 1 = 1",
        kind.table()
    ));
    if let Some(p) = scope {
        q.scope("i", p);
    }
    listing::filters(&mut q, "i", &spec(kind), f, Some(today));
    let (text, args) = q.build();
    Ok(sqlx::query_scalar_with(&text, args).fetch_one(conn).await?)
}
