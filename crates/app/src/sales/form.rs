//! The staff form of a quote, order or invoice: lines as typed, and the checks
//! that turn it into a record to store (parties, dates, amounts, totals).

use courtyard_db::sales::{SalesDoc, SalesInput, SalesLine};
use courtyard_db::{companies, staff, DbError};
use courtyard_domain::money::{self, parse_decimal, Currency, Line};
use courtyard_domain::records::{QuoteStatus, SalesKind, SalesStatus};
use courtyard_domain::FieldCode;

use crate::error::Problems;
use crate::AppResult;

/// One line as typed on the staff form.
#[derive(Debug, Clone, Default)]
pub struct LineForm {
    pub description: String,
    pub quantity: String,
    pub unit_price: String,
    pub tax_rate: String,
    pub discount: String,
}

/// The staff form of a quote, order or invoice.
#[derive(Debug, Clone, Default)]
pub struct SalesForm {
    /// The `updated_at` the form was rendered from (empty: no check).
    pub version: String,
    pub company_id: String,
    pub owner_staff_id: String,
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

impl SalesForm {
    pub fn from_doc(inv: &SalesDoc, lines: &[SalesLine]) -> Self {
        let cur = inv.currency;
        let amount = |minor: i64| cur.plain(minor);
        Self {
            version: inv.updated_at.to_string(),
            company_id: inv.company_id.clone(),
            owner_staff_id: inv.owner_staff_id.clone().unwrap_or_default(),
            contact_id: inv.contact_id.clone().unwrap_or_default(),
            subject: inv.subject.clone(),
            status: inv.status.as_str().to_owned(),
            currency: inv.currency.code.to_owned(),
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
                    unit_price: amount(l.unit_price),
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

    pub(super) async fn parse(
        &self,
        conn: &mut courtyard_db::Conn,
        kind: SalesKind,
    ) -> AppResult<SalesInput> {
        let mut p = Problems::default();
        let company_ok = match companies::find(conn, &self.company_id).await {
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
        let contact_id = courtyard_domain::optional_text(&self.contact_id);
        if let (Some(id), true) = (&contact_id, company_ok) {
            crate::records::check_contact(conn, &mut p, &self.company_id, id).await?;
        }
        let status = kind
            .choices()
            .into_iter()
            .find(|(k, _)| *k == self.status)
            .and_then(|(k, _)| SalesStatus::parse(k));
        if status.is_none() {
            p.add("status", FieldCode::InvalidChoice, "Choose a status.");
        }
        let owner_staff_id = courtyard_domain::optional_text(&self.owner_staff_id);
        if let Some(id) = &owner_staff_id {
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
        let currency = Currency::parse(&self.currency);
        if currency.is_none() {
            p.add("currency", FieldCode::InvalidChoice, "Choose a currency.");
        }
        let issued = date(&self.issued_on);
        if issued.is_none() {
            p.add(
                "issued_on",
                FieldCode::Format,
                "Enter the issue date as YYYY-MM-DD.",
            );
        }
        let due_label = kind.due_label();
        let due = date(&self.due_on);
        if due.is_none() {
            p.add(
                "due_on",
                FieldCode::Format,
                format!("Enter the {} as YYYY-MM-DD.", due_label.to_lowercase()),
            );
        }
        if let (Some(i), Some(d)) = (&issued, &due) {
            if d < i {
                p.add(
                    "due_on",
                    FieldCode::OutOfRange,
                    format!(
                        "The {} must not be before the issue date.",
                        due_label.to_lowercase()
                    ),
                );
            }
        }
        let paid_on = if !kind.has_payments() || self.paid_on.trim().is_empty() {
            None
        } else {
            let d = date(&self.paid_on);
            if d.is_none() {
                p.add(
                    "paid_on",
                    FieldCode::Format,
                    "Enter the paid date as YYYY-MM-DD.",
                );
            }
            d
        };
        if self.subject.chars().count() > 200 {
            p.add(
                "subject",
                FieldCode::TooLong,
                "Keep the subject under 200 characters.",
            );
        }
        let digits = currency.map_or(2, |c| c.digits);
        let amount_paid = if !kind.has_payments() || self.amount_paid.trim().is_empty() {
            0
        } else {
            match parse_decimal(&self.amount_paid, digits) {
                Some(v) if v >= 0 => v,
                _ => {
                    p.add(
                        "amount_paid",
                        FieldCode::Format,
                        "Enter the amount paid, e.g. 120.50.",
                    );
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
                p.add(
                    "lines",
                    FieldCode::Required,
                    format!("Line {n}: enter a description."),
                );
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
                    FieldCode::Format,
                    format!("Line {n}: the quantity is not a number (up to 3 decimals)."),
                );
            }
            if price.is_none() {
                p.add(
                    "lines",
                    FieldCode::Format,
                    format!("Line {n}: enter the unit price, e.g. 120.50."),
                );
            }
            if tax.is_none() || disc.is_none() {
                p.add(
                    "lines",
                    FieldCode::Format,
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
        // A customer's quote request has no lines until staff price it.
        let requested = kind == SalesKind::Quote && status == Some(QuoteStatus::Requested.into());
        if lines.is_empty() && !requested && !p.0.iter().any(|e| e.field == "lines") {
            p.add("lines", FieldCode::Required, "Add at least one line.");
        }
        let totals = money::totals(&lines);
        if amount_paid > totals.total.max(0) {
            p.add(
                "amount_paid",
                FieldCode::OutOfRange,
                "The amount paid is more than the total.",
            );
        }
        p.into_result()?;
        Ok(SalesInput {
            company_id: self.company_id.clone(),
            owner_staff_id,
            contact_id,
            subject: self.subject.trim().to_owned(),
            status: status.expect("checked"),
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
