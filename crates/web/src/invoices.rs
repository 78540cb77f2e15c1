//! Invoices: the portal module (list with the search panel, CSV export,
//! detail) and the staff pages (list, create, edit, views, "why can this
//! person see this?").

use askama::Template;
use axum::extract::{Path, RawQuery, State};
use axum::http::{header, HeaderValue};
use axum::response::{IntoResponse, Redirect, Response};
use axum::Extension;
use courtyard_app::auth::StaffContext;
use courtyard_app::customers;
use courtyard_app::db::contacts::ContactFilter;
use courtyard_app::db::invoices::{Invoice, InvoiceLine, InvoiceQuery, RecordView};
use courtyard_app::db::portal_users::{PortalUser, PortalUserFilter};
use courtyard_app::domain::invoice::InvoiceStatus;
use courtyard_app::domain::money::{self, Currency};
use courtyard_app::domain::policy::Explanation;
use courtyard_app::invoices::{self, DateField, InvoiceForm, InvoiceSort, LineForm};
use courtyard_app::AppError;

use crate::csrf::CsrfToken;
use crate::error::WebResult;
use crate::forms::{Errors, FormPairs};
use crate::layout::{notice, when, Layout};
use crate::portal::{render, unprocessable};
use crate::session::{Client, Portal, Staff};
use crate::AppState;

const PAGE: i64 = 25;

/// The search panel's state, parsed from the query string (statuses repeat).
#[derive(Debug, Clone, Default)]
pub(crate) struct Filters {
    pub q: String,
    pub statuses: Vec<String>,
    pub date_field: DateField,
    pub from: String,
    pub to: String,
    pub sort: InvoiceSort,
    pub after: String,
    pub company_id: String,
    pub done: Option<String>,
    pub as_user: String,
}

fn valid_date(s: &str) -> Option<String> {
    courtyard_domain::parse_date(s).map(|d| d.to_string())
}

impl Filters {
    fn parse(raw: Option<String>) -> Self {
        let pairs: Vec<(String, String)> = raw
            .as_deref()
            .map(|q| serde_urlencoded::from_str(q).unwrap_or_default())
            .unwrap_or_default();
        let get = |k: &str| {
            pairs
                .iter()
                .find(|(key, _)| key == k)
                .map(|(_, v)| v.clone())
                .unwrap_or_default()
        };
        Self {
            q: get("q").trim().to_owned(),
            statuses: pairs
                .iter()
                .filter(|(k, _)| k == "status")
                .filter_map(|(_, v)| InvoiceStatus::parse(v).map(|s| s.as_str().to_owned()))
                .collect(),
            date_field: DateField::parse(&get("date_field")),
            from: valid_date(&get("from")).unwrap_or_default(),
            to: valid_date(&get("to")).unwrap_or_default(),
            sort: InvoiceSort::parse(&get("sort")),
            after: get("after"),
            company_id: get("company_id"),
            done: pairs
                .iter()
                .find(|(k, _)| k == "done")
                .map(|(_, v)| v.clone()),
            as_user: get("as"),
        }
    }

    fn query(&self, limit: Option<i64>) -> InvoiceQuery {
        let opt = |s: &str| (!s.is_empty()).then(|| s.to_owned());
        InvoiceQuery {
            search: opt(&self.q),
            statuses: self.statuses.clone(),
            date_field: self.date_field,
            from: opt(&self.from),
            to: opt(&self.to),
            company_id: opt(&self.company_id),
            sort: self.sort,
            after: self
                .after
                .split_once('~')
                .map(|(k, id)| (k.to_owned(), id.to_owned())),
            limit,
        }
    }

    /// The query string of this filter, without the cursor.
    fn query_string(&self) -> String {
        let mut pairs: Vec<(&str, &str)> = vec![("q", &self.q)];
        for s in &self.statuses {
            pairs.push(("status", s));
        }
        pairs.extend([
            ("date_field", self.date_field.key()),
            ("from", &self.from),
            ("to", &self.to),
            ("sort", self.sort.key()),
            ("company_id", &self.company_id),
        ]);
        let kept: Vec<(&str, &str)> = pairs
            .into_iter()
            // Defaults stay out of the URL.
            .filter(|(k, v)| {
                !matches!(
                    (*k, *v),
                    (_, "") | ("date_field", "issued") | ("sort", "issued_desc")
                )
            })
            .collect();
        serde_urlencoded::to_string(kept).unwrap_or_default()
    }

    fn is_filtered(&self) -> bool {
        !self.q.is_empty()
            || !self.statuses.is_empty()
            || !self.from.is_empty()
            || !self.to.is_empty()
    }
}

/// An invoice as a list row, with formatted amounts.
pub(crate) struct Row {
    pub id: String,
    pub number: String,
    pub subject: String,
    pub company: String,
    pub status: &'static str,
    pub status_label: &'static str,
    pub issued: String,
    pub due: String,
    pub total: String,
    pub balance: String,
}

fn status_of(s: &str) -> (&'static str, &'static str) {
    InvoiceStatus::parse(s).map_or(("draft", "Unknown"), |st| (st.as_str(), st.label()))
}

fn row(i: &Invoice) -> Row {
    let cur = Currency::parse(&i.currency).unwrap_or(money::CURRENCIES[0]);
    let (status, status_label) = status_of(&i.status);
    Row {
        id: i.id.clone(),
        number: i.number.clone(),
        subject: i.subject.clone(),
        company: i.company_name.clone(),
        status,
        status_label,
        issued: i.issued_on.clone(),
        due: i.due_on.clone(),
        total: cur.format(i.total),
        balance: cur.format(i.balance),
    }
}

/// Paging: fetch one more than a page to know whether another follows.
fn page(mut rows: Vec<Invoice>, f: &Filters, base: &str) -> (Vec<Row>, Option<String>) {
    let next = (rows.len() as i64 > PAGE).then(|| {
        rows.truncate(PAGE as usize);
        let last = rows.last().expect("a full page");
        let cursor = format!("{}~{}", f.sort.cursor_key(last), last.id);
        let qs = f.query_string();
        let after = serde_urlencoded::to_string([("after", cursor.as_str())]).unwrap_or_default();
        format!(
            "{base}?{}{}{after}",
            qs,
            if qs.is_empty() { "" } else { "&" }
        )
    });
    (rows.iter().map(row).collect(), next)
}

pub(crate) struct StatusOption {
    pub key: &'static str,
    pub label: &'static str,
    pub checked: bool,
}

fn status_options(f: &Filters, portal: bool) -> Vec<StatusOption> {
    let all = if portal {
        InvoiceStatus::portal()
    } else {
        InvoiceStatus::ALL.to_vec()
    };
    all.into_iter()
        .map(|s| StatusOption {
            key: s.as_str(),
            label: s.label(),
            checked: f.statuses.iter().any(|x| x == s.as_str()),
        })
        .collect()
}

#[derive(Template)]
#[template(path = "invoices/list.html")]
struct ListPage {
    layout: Layout,
    base: &'static str,
    staff: bool,
    f: Filters,
    statuses: Vec<StatusOption>,
    date_fields: &'static [DateField],
    sorts: &'static [InvoiceSort],
    rows: Vec<Row>,
    next: Option<String>,
    export: String,
    paged: bool,
    filtered: bool,
    companies: Vec<(String, String)>,
}

pub(crate) async fn portal_list(
    State(s): State<AppState>,
    Extension(csrf): Extension<CsrfToken>,
    Portal(ctx): Portal,
    RawQuery(raw): RawQuery,
) -> WebResult<Response> {
    let f = Filters::parse(raw);
    let rows = invoices::portal_list(&s.app, &ctx, &f.query(Some(PAGE + 1))).await?;
    let (rows, next) = page(rows, &f, "/invoices");
    let qs = f.query_string();
    render(&ListPage {
        layout: Layout::portal(
            "Invoices",
            &s.app.config.business_name,
            &csrf.0,
            &ctx,
            "/invoices",
        ),
        base: "/invoices",
        staff: false,
        statuses: status_options(&f, true),
        date_fields: DateField::ALL,
        sorts: InvoiceSort::ALL,
        rows,
        next,
        export: format!(
            "/invoices/export.csv{}{qs}",
            if qs.is_empty() { "" } else { "?" }
        ),
        paged: !f.after.is_empty(),
        filtered: f.is_filtered(),
        companies: vec![],
        f,
    })
}

fn csv_response(body: String, name: &str) -> Response {
    let mut r = body.into_response();
    let h = r.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/csv; charset=utf-8"),
    );
    if let Ok(v) = HeaderValue::from_str(&format!("attachment; filename=\"{name}\"")) {
        h.insert(header::CONTENT_DISPOSITION, v);
    }
    r
}

pub(crate) async fn portal_export(
    State(s): State<AppState>,
    Portal(ctx): Portal,
    RawQuery(raw): RawQuery,
) -> WebResult<Response> {
    let mut f = Filters::parse(raw);
    f.after.clear();
    let rows = invoices::portal_list(&s.app, &ctx, &f.query(None)).await?;
    Ok(csv_response(invoices::to_csv(&rows), "invoices.csv"))
}

pub(crate) struct LineRow {
    pub description: String,
    pub quantity: String,
    pub unit_price: String,
    pub tax: String,
    pub discount: String,
    pub net: String,
}

pub(crate) struct Detail {
    pub number: String,
    pub subject: String,
    pub status: &'static str,
    pub status_label: &'static str,
    pub company: String,
    pub contact: String,
    pub issued: String,
    pub due: String,
    pub paid_on: String,
    pub lines: Vec<LineRow>,
    pub subtotal: String,
    pub taxes: Vec<(String, String)>,
    pub total: String,
    pub paid: String,
    pub balance: String,
    pub has_paid: bool,
    pub terms: String,
}

fn detail(i: &Invoice, lines: &[InvoiceLine]) -> Detail {
    let cur = Currency::parse(&i.currency).unwrap_or(money::CURRENCIES[0]);
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
    let (status, status_label) = status_of(&i.status);
    Detail {
        number: i.number.clone(),
        subject: i.subject.clone(),
        status,
        status_label,
        company: i.company_name.clone(),
        contact: i.contact_name.clone().unwrap_or_default(),
        issued: i.issued_on.clone(),
        due: i.due_on.clone(),
        paid_on: i.paid_on.clone().unwrap_or_default(),
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

#[derive(Template)]
#[template(path = "invoices/detail.html")]
struct DetailPage {
    layout: Layout,
    d: Detail,
}

pub(crate) async fn portal_find(
    State(s): State<AppState>,
    Extension(csrf): Extension<CsrfToken>,
    Portal(ctx): Portal,
    Client(client): Client,
    Path(id): Path<String>,
) -> WebResult<Response> {
    let inv = invoices::portal_find(&s.app, &ctx, &id, &client.ip).await?;
    render(&DetailPage {
        layout: Layout::portal(
            &inv.invoice.number,
            &s.app.config.business_name,
            &csrf.0,
            &ctx,
            "/invoices",
        ),
        d: detail(&inv.invoice, &inv.lines),
    })
}

// ---- staff ----

fn staff_layout(s: &AppState, csrf: &CsrfToken, ctx: &StaffContext, title: &str) -> Layout {
    Layout::staff(
        title,
        &s.app.config.business_name,
        &csrf.0,
        ctx,
        "/staff/invoices",
    )
}

pub(crate) async fn staff_list(
    State(s): State<AppState>,
    Extension(csrf): Extension<CsrfToken>,
    Staff(ctx): Staff,
    RawQuery(raw): RawQuery,
) -> WebResult<Response> {
    let f = Filters::parse(raw);
    let rows = invoices::staff_list(&s.app, &f.query(Some(PAGE + 1))).await?;
    let (rows, next) = page(rows, &f, "/staff/invoices");
    render(&ListPage {
        layout: staff_layout(&s, &csrf, &ctx, "Invoices").with_notice(notice(f.done.as_deref())),
        base: "/staff/invoices",
        staff: true,
        statuses: status_options(&f, false),
        date_fields: DateField::ALL,
        sorts: InvoiceSort::ALL,
        rows,
        next,
        export: String::new(),
        paged: !f.after.is_empty(),
        filtered: f.is_filtered(),
        companies: customers::company_names(&s.app).await?,
        f,
    })
}

#[derive(Template)]
#[template(path = "invoices/form.html")]
struct FormPage {
    layout: Layout,
    id: Option<String>,
    form: InvoiceForm,
    errors: Errors,
    companies: Vec<(String, String)>,
    contacts: Vec<(String, String, String)>,
    statuses: &'static [InvoiceStatus],
    currencies: &'static [Currency],
    detail: Option<Detail>,
    views: Vec<(String, String, String, String)>,
    portal_users: Vec<PortalUser>,
    as_user: String,
    explanation: Option<Explanation>,
}

impl FormPage {
    fn line_rows(&self) -> Vec<LineForm> {
        let mut v = self.form.lines.clone();
        v.extend((0..3).map(|_| LineForm::default()));
        v
    }
}

async fn form_page(
    s: &AppState,
    csrf: &CsrfToken,
    ctx: &StaffContext,
    id: Option<String>,
    form: InvoiceForm,
    errors: Errors,
) -> WebResult<FormPage> {
    let contacts = customers::list_contacts(
        &s.app,
        &ContactFilter {
            limit: 2000,
            ..Default::default()
        },
    )
    .await?
    .into_iter()
    .filter_map(|c| Some((c.id.clone(), c.full_name(), c.company_name.clone()?)))
    .collect();
    let title = if id.is_some() {
        "Invoice".to_owned()
    } else {
        "New invoice".to_owned()
    };
    Ok(FormPage {
        layout: staff_layout(s, csrf, ctx, &title),
        id,
        form,
        errors,
        companies: customers::company_names(&s.app).await?,
        contacts,
        statuses: InvoiceStatus::ALL,
        currencies: money::CURRENCIES,
        detail: None,
        views: vec![],
        portal_users: vec![],
        as_user: String::new(),
        explanation: None,
    })
}

pub(crate) async fn staff_new_form(
    State(s): State<AppState>,
    Extension(csrf): Extension<CsrfToken>,
    Staff(ctx): Staff,
    RawQuery(raw): RawQuery,
) -> WebResult<Response> {
    let f = Filters::parse(raw);
    let today = s.app.clock.today();
    let form = InvoiceForm {
        company_id: f.company_id,
        status: "draft".into(),
        currency: "GBP".into(),
        issued_on: today.to_string(),
        due_on: (today + time::Duration::days(30)).to_string(),
        terms: "Payment within 30 days of the invoice date.".into(),
        lines: vec![LineForm {
            quantity: "1".into(),
            tax_rate: "20".into(),
            ..Default::default()
        }],
        ..Default::default()
    };
    render(&form_page(&s, &csrf, &ctx, None, form, Errors::default()).await?)
}

fn read_form(p: &FormPairs) -> InvoiceForm {
    let d = p.all("line_description");
    let q = p.all("line_quantity");
    let u = p.all("line_unit_price");
    let t = p.all("line_tax_rate");
    let x = p.all("line_discount");
    let at = |v: &Vec<String>, i: usize| v.get(i).cloned().unwrap_or_default();
    InvoiceForm {
        company_id: p.get("company_id"),
        contact_id: p.get("contact_id"),
        subject: p.get("subject"),
        status: p.get("status"),
        currency: p.get("currency"),
        issued_on: p.get("issued_on"),
        due_on: p.get("due_on"),
        paid_on: p.get("paid_on"),
        amount_paid: p.get("amount_paid"),
        terms: p.get("terms"),
        lines: (0..d.len())
            .map(|i| LineForm {
                description: at(&d, i),
                quantity: at(&q, i),
                unit_price: at(&u, i),
                tax_rate: at(&t, i),
                discount: at(&x, i),
            })
            .collect(),
    }
}

pub(crate) async fn staff_create(
    State(s): State<AppState>,
    Extension(csrf): Extension<CsrfToken>,
    Staff(ctx): Staff,
    form: FormPairs,
) -> WebResult<Response> {
    let f = read_form(&form);
    match invoices::create(&s.app, &f).await {
        Ok(id) => Ok(Redirect::to(&format!("/staff/invoices/{id}?done=created")).into_response()),
        Err(AppError::Invalid(e)) => {
            render(&form_page(&s, &csrf, &ctx, None, f, Errors(e)).await?).map(unprocessable)
        }
        Err(e) => Err(e.into()),
    }
}

async fn show(
    s: &AppState,
    csrf: &CsrfToken,
    ctx: &StaffContext,
    id: String,
    f: &Filters,
    form: Option<InvoiceForm>,
    errors: Errors,
) -> WebResult<FormPage> {
    let inv = invoices::staff_find(&s.app, &id).await?;
    let form = form.unwrap_or_else(|| InvoiceForm::from_invoice(&inv.invoice, &inv.lines));
    let mut page = form_page(s, csrf, ctx, Some(id.clone()), form, errors).await?;
    page.layout.title = inv.invoice.number.clone();
    page.layout = page.layout.with_notice(notice(f.done.as_deref()));
    page.detail = Some(detail(&inv.invoice, &inv.lines));
    page.views = inv
        .views
        .iter()
        .map(|v: &RecordView| (v.name.clone(), v.email.clone(), when(v.at), v.ip.clone()))
        .collect();
    page.portal_users = courtyard_app::portal_users::list(
        &s.app,
        &PortalUserFilter {
            company_id: Some(inv.invoice.company_id.clone()),
            limit: 500,
            ..Default::default()
        },
    )
    .await?;
    if !f.as_user.is_empty() {
        page.explanation = Some(invoices::explain(&s.app, &id, &f.as_user).await?);
        page.as_user = f.as_user.clone();
    }
    Ok(page)
}

pub(crate) async fn staff_find(
    State(s): State<AppState>,
    Extension(csrf): Extension<CsrfToken>,
    Staff(ctx): Staff,
    Path(id): Path<String>,
    RawQuery(raw): RawQuery,
) -> WebResult<Response> {
    let f = Filters::parse(raw);
    render(&show(&s, &csrf, &ctx, id, &f, None, Errors::default()).await?)
}

pub(crate) async fn staff_update(
    State(s): State<AppState>,
    Extension(csrf): Extension<CsrfToken>,
    Staff(ctx): Staff,
    Path(id): Path<String>,
    form: FormPairs,
) -> WebResult<Response> {
    let f = read_form(&form);
    match invoices::update(&s.app, &id, &f).await {
        Ok(()) => Ok(Redirect::to(&format!("/staff/invoices/{id}?done=saved")).into_response()),
        Err(AppError::Invalid(e)) => {
            render(&show(&s, &csrf, &ctx, id, &Filters::default(), Some(f), Errors(e)).await?)
                .map(unprocessable)
        }
        Err(e) => Err(e.into()),
    }
}
