//! Quotes, sales orders and invoices: the portal modules (list with the
//! search panel, CSV export, detail, comments, answering and requesting
//! quotes) and the staff pages (list, create, edit, comments, customer
//! views, "can this person see it?"). One set of handlers serves the three
//! kinds, chosen by a type parameter.

use askama::Template;
use axum::extract::{Path, RawQuery, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::Extension;
use courtyard_app::auth::{PortalContext, StaffContext};
use courtyard_app::customers;
use courtyard_app::db::contacts::ContactFilter;
use courtyard_app::db::portal_users::PortalUserFilter;
use courtyard_app::db::records::RecordView;
use courtyard_app::db::sales::{self as sales_db, SalesDoc, SalesLine};
use courtyard_app::domain::money::{self, Currency};
use courtyard_app::domain::records::SalesKind;
use courtyard_app::domain::{Action, Module};
use courtyard_app::sales::{self, LineForm, SalesForm};
use courtyard_app::AppError;

use crate::csrf::CsrfToken;
use crate::error::WebResult;
use crate::forms::{Errors, FormPairs};
use crate::layout::{notice, when, Layout};
use crate::records::{
    self, cell, csv_response, date_cell, num, paginate, Filters, ListPage, ListRow, ListSetup,
    Thread, Why, PAGE,
};
use crate::render::{render, unprocessable};
use crate::session::{Client, Portal, Staff};
use crate::state::AppState;

mod portal_pages;
mod staff_pages;

pub(crate) use portal_pages::*;
pub(crate) use staff_pages::*;

/// A kind as a type, so one generic handler serves each kind's routes.
pub(crate) trait Kind: Send + Sync + 'static {
    const KIND: SalesKind;
}
pub(crate) struct Quotes;
pub(crate) struct Orders;
pub(crate) struct Invoices;
impl Kind for Quotes {
    const KIND: SalesKind = SalesKind::Quote;
}
impl Kind for Orders {
    const KIND: SalesKind = SalesKind::Order;
}
impl Kind for Invoices {
    const KIND: SalesKind = SalesKind::Invoice;
}

fn portal_base(kind: SalesKind) -> &'static str {
    kind.module().portal_path()
}

/// The status as shown: a sent quote past its validity shows as expired
/// (nobody can answer it any more).
fn shown_status(kind: SalesKind, d: &SalesDoc, today: &str) -> (String, String) {
    if kind == SalesKind::Quote && d.status == "sent" && d.due_on.as_str() < today {
        return ("expired".into(), "Expired".into());
    }
    status_of(kind, &d.status)
}

fn status_of(kind: SalesKind, s: &str) -> (String, String) {
    (
        s.to_owned(),
        kind.status_label(s).unwrap_or("Unknown").to_owned(),
    )
}

fn rows(kind: SalesKind, docs: &[SalesDoc], base: &str, staff: bool, today: &str) -> Vec<ListRow> {
    docs.iter()
        .map(|d| {
            let cur = Currency::parse(&d.currency).unwrap_or(money::CURRENCIES[0]);
            let (status, status_label) = shown_status(kind, d, today);
            let mut cells = Vec::new();
            if staff {
                cells.push(cell("Company", d.company_name.clone()));
            }
            cells.extend([
                cell("Subject", d.subject.clone()),
                date_cell("Issued", d.issued_on.clone()),
                date_cell(
                    match kind {
                        SalesKind::Quote => "Valid until",
                        SalesKind::Order => "Delivery",
                        SalesKind::Invoice => "Due",
                    },
                    d.due_on.clone(),
                ),
                num("Total", cur.format(d.total)),
            ]);
            if kind.has_payments() {
                cells.push(num("Balance", cur.format(d.balance)));
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

fn headers(kind: SalesKind, staff: bool) -> Vec<(&'static str, &'static str)> {
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

fn table_id(kind: SalesKind) -> &'static str {
    match kind {
        SalesKind::Quote => "quotes",
        SalesKind::Order => "orders",
        SalesKind::Invoice => "invoices",
    }
}

fn portal_statuses(kind: SalesKind) -> Vec<(&'static str, &'static str)> {
    let hidden = courtyard_app::domain::policy::hidden_statuses(kind.module());
    kind.statuses()
        .into_iter()
        .filter(|(k, _)| !hidden.contains(k))
        .collect()
}
