//! Quotes, sales orders and invoices as both surfaces show them: list
//! columns and rows, statuses as shown (overdue and expired derived),
//! the detail view with lines and totals, and `sales_kind`.

use crate::kit::layout::day_or_raw;
use courtyard_app::domain::money;
use courtyard_app::domain::records::SalesKind;
use courtyard_app::sales::{SalesDoc, SalesLine};

pub(crate) use crate::ui::records::Marker;
use crate::ui::records::{cell, date_cell, num, ListRow, Slot};

/// The sales kind of a marker, evaluated at compile time: a handler
/// instantiated with a marker of the other family fails `cargo build`.
pub(crate) fn sales_kind<K: Marker>() -> SalesKind {
    const {
        match K::KIND.sales() {
            Some(k) => k,
            None => panic!("not a sales record marker"),
        }
    }
}

pub(crate) fn portal_base(kind: SalesKind) -> &'static str {
    kind.module().portal_path()
}

/// The status as shown on `today`: Overdue and Expired come from the dates
/// and the balance ([`SalesKind::shown_status`]).
pub(crate) fn shown_status(kind: SalesKind, d: &SalesDoc, today: &str) -> (String, String) {
    status_of(kind, d.shown_status(kind, today))
}

pub(crate) fn status_of(kind: SalesKind, s: &str) -> (String, String) {
    (
        s.to_owned(),
        kind.status_label(s).unwrap_or("Unknown").to_owned(),
    )
}

pub(crate) fn rows(
    kind: SalesKind,
    docs: &[SalesDoc],
    base: &str,
    staff: bool,
    today: &str,
) -> Vec<ListRow> {
    docs.iter()
        .map(|d| {
            let cur = d.currency;
            let (status, status_label) = shown_status(kind, d, today);
            let mut cells = Vec::new();
            if staff {
                cells.push(cell("Company", d.company_name.clone()).on_phone(Slot::Context));
            }
            cells.extend([
                cell("Subject", d.subject.clone()).on_phone(Slot::Title),
                date_cell("Issued", d.issued_on.clone()),
                date_cell(
                    match kind {
                        SalesKind::Quote => "Valid until",
                        SalesKind::Order => "Delivery",
                        SalesKind::Invoice => "Due",
                    },
                    d.due_on.clone(),
                )
                .on_phone(Slot::Meta),
                // On a phone an invoice shows what is left to pay.
                num("Total", cur.format(d.total)).on_phone(if kind.has_payments() {
                    Slot::Extra
                } else {
                    Slot::Aside
                }),
            ]);
            if kind.has_payments() {
                cells.push(num("Balance", cur.format(d.balance)).on_phone(Slot::Aside));
            }
            ListRow {
                href: format!("{base}/{}", d.id),
                number: d.number.clone(),
                cells,
                status,
                status_label,
            }
        })
        .collect()
}

pub(crate) fn headers(kind: SalesKind, staff: bool) -> Vec<(&'static str, &'static str)> {
    let mut h = Vec::new();
    if staff {
        h.push(("Company", ""));
    }
    h.extend([
        ("Subject", ""),
        ("Issued", ""),
        (
            match kind {
                SalesKind::Quote => "Valid until",
                SalesKind::Order => "Delivery",
                SalesKind::Invoice => "Due",
            },
            "",
        ),
        ("Total", "num"),
    ]);
    if kind.has_payments() {
        h.push(("Balance", "num"));
    }
    h
}

pub(crate) fn table_id(kind: SalesKind) -> &'static str {
    match kind {
        SalesKind::Quote => "quotes",
        SalesKind::Order => "orders",
        SalesKind::Invoice => "invoices",
    }
}

pub(crate) fn portal_statuses(kind: SalesKind) -> Vec<(&'static str, &'static str)> {
    let hidden = courtyard_app::domain::policy::hidden_statuses(kind.module());
    kind.statuses()
        .into_iter()
        .filter(|(k, _)| !hidden.contains(k))
        .collect()
}

pub(crate) struct LineRow {
    pub(crate) description: String,
    pub(crate) quantity: String,
    pub(crate) unit_price: String,
    pub(crate) tax: String,
    pub(crate) discount: String,
    pub(crate) net: String,
}

pub(crate) struct Detail {
    pub(crate) kind_label: &'static str,
    pub(crate) due_label: &'static str,
    pub(crate) has_payments: bool,
    pub(crate) number: String,
    pub(crate) subject: String,
    pub(crate) status: String,
    pub(crate) status_label: String,
    pub(crate) company: String,
    pub(crate) contact: String,
    pub(crate) issued: String,
    pub(crate) due: String,
    pub(crate) paid_on: String,
    pub(crate) lines: Vec<LineRow>,
    pub(crate) subtotal: String,
    pub(crate) taxes: Vec<(String, String)>,
    pub(crate) total: String,
    pub(crate) paid: String,
    pub(crate) balance: String,
    pub(crate) has_paid: bool,
    pub(crate) terms: String,
}

pub(crate) fn detail(kind: SalesKind, i: &SalesDoc, lines: &[SalesLine], today: &str) -> Detail {
    let cur = i.currency;
    let domain_lines: Vec<money::Line> = lines
        .iter()
        .map(|l| money::Line {
            description: l.description.clone(),
            quantity_milli: l.quantity_milli,
            unit_price: l.unit_price,
            tax_rate_bp: l.tax_rate_bp,
            discount_bp: l.discount_bp,
        })
        .collect();
    let totals = money::totals(&domain_lines);
    let (status, status_label) = shown_status(kind, i, today);
    Detail {
        kind_label: kind.label(),
        due_label: kind.due_label(),
        has_payments: kind.has_payments(),
        number: i.number.clone(),
        subject: i.subject.clone(),
        status,
        status_label,
        company: i.company_name.clone(),
        contact: i.contact_name.clone().unwrap_or_default(),
        issued: day_or_raw(&i.issued_on),
        due: day_or_raw(&i.due_on),
        paid_on: i.paid_on.as_deref().map(day_or_raw).unwrap_or_default(),
        lines: lines
            .iter()
            .map(|l| LineRow {
                description: l.description.clone(),
                quantity: money::format_quantity(l.quantity_milli),
                unit_price: cur.format(l.unit_price),
                tax: money::format_rate(l.tax_rate_bp),
                discount: if l.discount_bp == 0 {
                    String::new()
                } else {
                    money::format_rate(l.discount_bp)
                },
                net: cur.format(l.net),
            })
            .collect(),
        subtotal: cur.format(i.subtotal),
        taxes: totals
            .taxes
            .iter()
            .map(|(rate, _, tax)| {
                (
                    format!("Tax {}", money::format_rate(*rate)),
                    cur.format(*tax),
                )
            })
            .collect(),
        total: cur.format(i.total),
        paid: cur.format(i.amount_paid),
        balance: cur.format(i.balance),
        has_paid: i.amount_paid != 0,
        terms: i.terms.clone(),
    }
}
