//! Invoices: staff create and edit them; portal users list, filter, export
//! and open the ones the visibility policy lets them see.

use std::collections::HashMap;

use courtyard_db::invoices::{self, Invoice, InvoiceInput, InvoiceLine, InvoiceQuery, RecordView};
use courtyard_db::{companies, contacts, portal_users, DbError};
use courtyard_domain::invoice::InvoiceStatus;
use courtyard_domain::money::{self, parse_decimal, Currency, Line};
use courtyard_domain::policy::{self, Explanation, Viewer};
use courtyard_domain::{Action, Grants, Module, RecordScope};

use crate::auth::PortalContext;
use crate::error::Problems;
use crate::{App, AppError, AppResult};

pub use courtyard_db::invoices::{DateField, InvoiceSort};

/// The policy's view of a portal user.
pub fn viewer_of(user: &courtyard_db::portal_users::PortalUser) -> Option<Viewer> {
    Some(Viewer {
        company_id: user.company_id.clone()?,
        contact_id: user.contact_id.clone(),
        scope: RecordScope::parse(&user.record_scope).unwrap_or(RecordScope::Own),
        grants: Grants::from_storage(&user.grants),
    })
}

fn scope(ctx: &PortalContext) -> AppResult<policy::Predicate> {
    let viewer = viewer_of(&ctx.user).ok_or(AppError::NotFound)?;
    if !viewer.grants.allows(Module::Invoices, Action::View) {
        return Err(AppError::NotFound);
    }
    Ok(policy::predicate(&viewer, Module::Invoices))
}

/// One line as typed on the staff form.
#[derive(Debug, Clone, Default)]
pub struct LineForm {
    pub description: String,
    pub quantity: String,
    pub unit_price: String,
    pub tax_rate: String,
    pub discount: String,
}

/// The staff invoice form.
#[derive(Debug, Clone, Default)]
pub struct InvoiceForm {
    pub company_id: String,
    pub contact_id: String,
    pub subject: String,
    pub status: String,
    pub currency: String,
    pub issued_on: String,
    pub due_on: String,
    pub paid_on: String,
    pub amount_paid: String,
    pub terms: String,
    pub lines: Vec<LineForm>,
}

fn percent_bp(raw: &str) -> Option<i64> {
    let raw = raw.trim().trim_end_matches('%');
    if raw.is_empty() {
        return Some(0);
    }
    parse_decimal(raw, 2).filter(|v| (0..=10_000).contains(v))
}

fn date(raw: &str) -> Option<String> {
    courtyard_domain::parse_date(raw).map(|d| d.to_string())
}

impl InvoiceForm {
    pub fn from_invoice(inv: &Invoice, lines: &[InvoiceLine]) -> Self {
        let cur = Currency::parse(&inv.currency).unwrap_or(money::CURRENCIES[0]);
        let amount = |minor: i64| {
            let s = cur.format(minor);
            s.trim_start_matches('-')
                .trim_start_matches(cur.symbol)
                .replace(',', "")
        };
        Self {
            company_id: inv.company_id.clone(),
            contact_id: inv.contact_id.clone().unwrap_or_default(),
            subject: inv.subject.clone(),
            status: inv.status.clone(),
            currency: inv.currency.clone(),
            issued_on: inv.issued_on.clone(),
            due_on: inv.due_on.clone(),
            paid_on: inv.paid_on.clone().unwrap_or_default(),
            amount_paid: amount(inv.amount_paid),
            terms: inv.terms.clone(),
            lines: lines
                .iter()
                .map(|l| LineForm {
                    description: l.description.clone(),
                    quantity: money::format_quantity(l.quantity_milli),
                    unit_price: format!(
                        "{}{}",
                        if l.unit_price < 0 { "-" } else { "" },
                        amount(l.unit_price)
                    ),
                    tax_rate: money::format_rate(l.tax_rate_bp)
                        .trim_end_matches('%')
                        .to_owned(),
                    discount: money::format_rate(l.discount_bp)
                        .trim_end_matches('%')
                        .to_owned(),
                })
                .collect(),
        }
    }

    async fn parse(&self, conn: &mut courtyard_db::Conn) -> AppResult<InvoiceInput> {
        let mut p = Problems::default();
        let company_ok = match companies::find(conn, &self.company_id).await {
            Ok(_) => true,
            Err(DbError::NotFound) => {
                p.add("company_id", "Choose the customer company.");
                false
            }
            Err(e) => return Err(e.into()),
        };
        let contact_id = courtyard_domain::optional_text(&self.contact_id);
        if let (Some(id), true) = (&contact_id, company_ok) {
            match contacts::find(conn, id).await {
                Ok(c) if c.company_id.as_deref() == Some(self.company_id.as_str()) => {}
                Ok(_) | Err(DbError::NotFound) => {
                    p.add("contact_id", "Choose a contact at this company.")
                }
                Err(e) => return Err(e.into()),
            }
        }
        let status = InvoiceStatus::parse(&self.status);
        if status.is_none() {
            p.add("status", "Choose a status.");
        }
        let currency = Currency::parse(&self.currency);
        if currency.is_none() {
            p.add("currency", "Choose a currency.");
        }
        let issued = date(&self.issued_on);
        if issued.is_none() {
            p.add("issued_on", "Enter the issue date as YYYY-MM-DD.");
        }
        let due = date(&self.due_on);
        if due.is_none() {
            p.add("due_on", "Enter the due date as YYYY-MM-DD.");
        }
        if let (Some(i), Some(d)) = (&issued, &due) {
            if d < i {
                p.add("due_on", "The due date must not be before the issue date.");
            }
        }
        let paid_on = if self.paid_on.trim().is_empty() {
            None
        } else {
            let d = date(&self.paid_on);
            if d.is_none() {
                p.add("paid_on", "Enter the paid date as YYYY-MM-DD.");
            }
            d
        };
        if self.subject.chars().count() > 200 {
            p.add("subject", "Keep the subject under 200 characters.");
        }
        let digits = currency.map_or(2, |c| c.digits);
        let amount_paid = if self.amount_paid.trim().is_empty() {
            0
        } else {
            match parse_decimal(&self.amount_paid, digits) {
                Some(v) if v >= 0 => v,
                _ => {
                    p.add("amount_paid", "Enter the amount paid, e.g. 120.50.");
                    0
                }
            }
        };
        let mut lines = Vec::new();
        for (i, l) in self.lines.iter().enumerate() {
            let blank = [
                &l.description,
                &l.quantity,
                &l.unit_price,
                &l.tax_rate,
                &l.discount,
            ]
            .iter()
            .all(|s| s.trim().is_empty());
            if blank {
                continue;
            }
            let n = i + 1;
            if l.description.trim().is_empty() {
                p.add("lines", format!("Line {n}: enter a description."));
            }
            let quantity = if l.quantity.trim().is_empty() {
                Some(1000)
            } else {
                parse_decimal(&l.quantity, 3)
            };
            let price = parse_decimal(&l.unit_price, digits);
            let tax = percent_bp(&l.tax_rate);
            let disc = percent_bp(&l.discount);
            if quantity.is_none() {
                p.add(
                    "lines",
                    format!("Line {n}: the quantity is not a number (up to 3 decimals)."),
                );
            }
            if price.is_none() {
                p.add(
                    "lines",
                    format!("Line {n}: enter the unit price, e.g. 120.50."),
                );
            }
            if tax.is_none() || disc.is_none() {
                p.add(
                    "lines",
                    format!("Line {n}: tax and discount are percentages from 0 to 100."),
                );
            }
            if let (Some(q), Some(pr), Some(t), Some(d)) = (quantity, price, tax, disc) {
                lines.push(Line {
                    description: l.description.trim().to_owned(),
                    quantity_milli: q,
                    unit_price: pr,
                    tax_rate_bp: t,
                    discount_bp: d,
                });
            }
        }
        if lines.is_empty() && !p.0.iter().any(|e| e.field == "lines") {
            p.add("lines", "Add at least one line.");
        }
        let totals = money::totals(&lines);
        if amount_paid > totals.total.max(0) {
            p.add("amount_paid", "The amount paid is more than the total.");
        }
        p.into_result()?;
        Ok(InvoiceInput {
            company_id: self.company_id.clone(),
            contact_id,
            subject: self.subject.trim().to_owned(),
            status: status.expect("checked").as_str().to_owned(),
            currency: currency.expect("checked").code.to_owned(),
            issued_on: issued.expect("checked"),
            due_on: due.expect("checked"),
            paid_on,
            amount_paid,
            terms: self.terms.trim().to_owned(),
            lines,
            totals,
        })
    }
}

pub async fn create(app: &App, form: &InvoiceForm) -> AppResult<String> {
    let mut tx = app.db.begin().await?;
    let input = form.parse(&mut tx).await?;
    let number = invoices::next_number(&mut tx, "invoice", "INV-").await?;
    let id = invoices::insert(&mut tx, &number, &input, app.now()).await?;
    tx.commit().await.map_err(DbError::from)?;
    Ok(id)
}

pub async fn update(app: &App, id: &str, form: &InvoiceForm) -> AppResult<()> {
    let mut tx = app.db.begin().await?;
    invoices::find(&mut tx, id).await?;
    let input = form.parse(&mut tx).await?;
    invoices::update(&mut tx, id, &input, app.now()).await?;
    tx.commit().await.map_err(DbError::from)?;
    Ok(())
}

/// Everything the staff page of an invoice shows.
pub struct StaffInvoice {
    pub invoice: Invoice,
    pub lines: Vec<InvoiceLine>,
    pub views: Vec<RecordView>,
}

pub async fn staff_find(app: &App, id: &str) -> AppResult<StaffInvoice> {
    let mut conn = app.db.conn().await?;
    let invoice = invoices::find(&mut conn, id).await?;
    let lines = invoices::lines(&mut conn, id).await?;
    let views = invoices::views(&mut conn, "invoice", id).await?;
    Ok(StaffInvoice {
        invoice,
        lines,
        views,
    })
}

pub async fn staff_list(app: &App, q: &InvoiceQuery) -> AppResult<Vec<Invoice>> {
    let mut conn = app.db.conn().await?;
    Ok(invoices::list(&mut conn, None, q).await?)
}

/// "Why can this person see this?" for one portal user and one invoice.
pub async fn explain(app: &App, invoice_id: &str, portal_user_id: &str) -> AppResult<Explanation> {
    let mut conn = app.db.conn().await?;
    let inv = invoices::find(&mut conn, invoice_id).await?;
    let user = portal_users::find(&mut conn, portal_user_id).await?;
    let Some(viewer) = viewer_of(&user) else {
        return Ok(Explanation {
            visible: false,
            checks: vec![(false, "The person is not linked to a company.".into())],
        });
    };
    let facts: HashMap<&str, Option<String>> = HashMap::from([
        ("company_id", Some(inv.company_id.clone())),
        ("contact_id", inv.contact_id.clone()),
        ("status", Some(inv.status.clone())),
    ]);
    let mut e = policy::predicate(&viewer, Module::Invoices).explain(&facts);
    if user.state != "active" {
        e.visible = false;
        e.checks.insert(
            0,
            (
                false,
                format!(
                    "The person's portal account is {}, so they cannot log in.",
                    user.state
                ),
            ),
        );
    } else if let Err(why) = crate::auth::access_check(&user, app.clock.today()) {
        e.visible = false;
        e.checks.insert(0, (false, why.explain().to_owned()));
    }
    Ok(e)
}

/// A portal page of invoices: the policy's predicate goes into the SQL.
pub async fn portal_list(
    app: &App,
    ctx: &PortalContext,
    q: &InvoiceQuery,
) -> AppResult<Vec<Invoice>> {
    let scope = scope(ctx)?;
    let mut conn = app.db.conn().await?;
    Ok(invoices::list(&mut conn, Some(&scope), q).await?)
}

/// What the portal detail page shows.
pub struct PortalInvoice {
    pub invoice: Invoice,
    pub lines: Vec<InvoiceLine>,
}

/// Open one invoice as a customer; the view is recorded.
pub async fn portal_find(
    app: &App,
    ctx: &PortalContext,
    id: &str,
    ip: &str,
) -> AppResult<PortalInvoice> {
    let scope = scope(ctx)?;
    let mut conn = app.db.conn().await?;
    let invoice = invoices::find_scoped(&mut conn, id, &scope).await?;
    let lines = invoices::lines(&mut conn, id).await?;
    invoices::record_view(
        &mut conn,
        "invoice",
        id,
        &ctx.user.id,
        "view",
        ip,
        app.now(),
    )
    .await?;
    Ok(PortalInvoice { invoice, lines })
}

/// Quote a CSV cell; cells that a spreadsheet would run as a formula get a
/// leading apostrophe.
fn csv_cell(s: &str) -> String {
    let s = if s.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{s}")
    } else {
        s.to_owned()
    };
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s
    }
}

/// Exactly the rows of a filtered list, as CSV with amounts in major units.
pub fn to_csv(rows: &[Invoice]) -> String {
    let mut out = String::from(
        "Number,Subject,Status,Issued,Due,Paid,Currency,Subtotal,Tax,Total,Paid amount,Balance\r\n",
    );
    for r in rows {
        let cur = Currency::parse(&r.currency).unwrap_or(money::CURRENCIES[0]);
        let amount = |v: i64| {
            let scale = 10i64.pow(cur.digits);
            if cur.digits == 0 {
                v.to_string()
            } else {
                format!(
                    "{}{}.{:0w$}",
                    if v < 0 { "-" } else { "" },
                    v.abs() / scale,
                    v.abs() % scale,
                    w = cur.digits as usize
                )
            }
        };
        let status = InvoiceStatus::parse(&r.status).map_or(r.status.as_str(), |s| s.label());
        let cells = [
            csv_cell(&r.number),
            csv_cell(&r.subject),
            csv_cell(status),
            r.issued_on.clone(),
            r.due_on.clone(),
            r.paid_on.clone().unwrap_or_default(),
            r.currency.clone(),
            amount(r.subtotal),
            amount(r.tax_total),
            amount(r.total),
            amount(r.amount_paid),
            amount(r.balance),
        ];
        out.push_str(&cells.join(","));
        out.push_str("\r\n");
    }
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn csv_cells_are_quoted_and_formulas_defused() {
        assert_eq!(super::csv_cell("plain"), "plain");
        assert_eq!(super::csv_cell("a,b"), "\"a,b\"");
        assert_eq!(super::csv_cell("say \"hi\""), "\"say \"\"hi\"\"\"");
        assert_eq!(super::csv_cell("=HYPERLINK(1)"), "'=HYPERLINK(1)");
    }
}
