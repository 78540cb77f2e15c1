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

pub(crate) async fn portal_list<K: Kind>(
    State(s): State<AppState>,
    Extension(csrf): Extension<CsrfToken>,
    Portal(ctx): Portal,
    RawQuery(raw): RawQuery,
) -> WebResult<Response> {
    let kind = K::KIND;
    let spec = sales_db::spec(kind);
    let statuses = portal_statuses(kind);
    let f = Filters::parse(raw, &spec, &statuses);
    let base = portal_base(kind);
    let docs = sales::portal_list(&s.app, &ctx, kind, &f.query(Some(PAGE + 1))).await?;
    let (docs, next) = paginate(docs, &f, &spec, base);
    let create = (kind == SalesKind::Quote && ctx.grants.allows(Module::Quotes, Action::Create))
        .then(|| ("Request a quote".to_owned(), "/quotes/request".to_owned()));
    render(&ListPage::new(
        ListSetup {
            layout: Layout::portal(
                kind.plural(),
                &s.app.config.business_name,
                &csrf.0,
                &ctx,
                base,
            )
            .with_notice(notice(f.done.as_deref())),
            heading: kind.plural(),
            intro: match kind {
                SalesKind::Quote => "Quotes we have prepared for you, and the ones you asked for.",
                SalesKind::Order => "Your orders with us.",
                SalesKind::Invoice => "Every invoice we have issued to you.",
            },
            table_id: table_id(kind),
            base,
            staff: false,
            create,
            spec: &spec,
            statuses: &statuses,
            headers: headers(kind, false),
            companies: vec![],
            empty_text: "When we send you one, it will appear here.",
        },
        f,
        rows(kind, &docs, base, false, &s.app.clock.today().to_string()),
        next,
    ))
}

pub(crate) async fn portal_export<K: Kind>(
    State(s): State<AppState>,
    Portal(ctx): Portal,
    RawQuery(raw): RawQuery,
) -> WebResult<Response> {
    let kind = K::KIND;
    let mut f = Filters::parse(raw, &sales_db::spec(kind), &portal_statuses(kind));
    f.after.clear();
    let docs = sales::portal_list(&s.app, &ctx, kind, &f.query(None)).await?;
    Ok(csv_response(
        sales::to_csv(kind, &docs),
        &format!("{}.csv", table_id(kind)),
    ))
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
    pub kind_label: &'static str,
    pub due_label: &'static str,
    pub has_payments: bool,
    pub number: String,
    pub subject: String,
    pub status: String,
    pub status_label: String,
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

fn detail(kind: SalesKind, i: &SalesDoc, lines: &[SalesLine], today: &str) -> Detail {
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
#[template(path = "sales/detail.html")]
struct DetailPage {
    layout: Layout,
    base: &'static str,
    plural: &'static str,
    id: String,
    d: Detail,
    /// A quote awaiting this person's answer.
    can_answer: bool,
    thread: Thread,
    error: Option<String>,
    /// Files staff shared on the document; customers do not upload here.
    files: Vec<crate::file_views::FileView>,
    upload: Option<String>,
    /// The message typed with a refused upload, shown again.
    upload_note: String,
}

async fn portal_page<K: Kind>(
    s: &AppState,
    csrf: &CsrfToken,
    ctx: &PortalContext,
    id: &str,
    view_from: Option<&str>,
) -> WebResult<DetailPage> {
    let kind = K::KIND;
    let doc = sales::portal_find(&s.app, ctx, kind, id, view_from).await?;
    let base = portal_base(kind);
    let can_comment = ctx.grants.allows(kind.module(), Action::Comment);
    let mut page = DetailPage {
        layout: Layout::portal(
            &doc.doc.number,
            &s.app.config.business_name,
            &csrf.0,
            ctx,
            base,
        ),
        base,
        plural: kind.plural(),
        id: id.to_owned(),
        can_answer: kind == SalesKind::Quote
            && sales::quote_answerable(&s.app, &doc.doc)
            && ctx.grants.allows(Module::Quotes, Action::Sign),
        d: detail(kind, &doc.doc, &doc.lines, &s.app.clock.today().to_string()),
        thread: Thread::new(
            "Messages",
            &doc.comments,
            can_comment.then(|| format!("{base}/{id}/comments")),
            false,
        ),
        error: None,
        // The document was found through the policy just above.
        files: crate::file_views::views(
            &courtyard_app::files::portal_files(&s.app, kind.as_str(), id).await?,
        ),
        upload: None,
        upload_note: String::new(),
    };
    page.thread.attach(&page.files);
    Ok(page)
}

pub(crate) async fn portal_find<K: Kind>(
    State(s): State<AppState>,
    Extension(csrf): Extension<CsrfToken>,
    Portal(ctx): Portal,
    Client(client): Client,
    Path(id): Path<String>,
    RawQuery(raw): RawQuery,
) -> WebResult<Response> {
    let mut page = portal_page::<K>(&s, &csrf, &ctx, &id, Some(&client.ip)).await?;
    let done = raw.as_deref().and_then(|q| q.strip_prefix("done="));
    page.layout = page.layout.with_notice(notice(done));
    render(&page)
}

pub(crate) async fn portal_comment<K: Kind>(
    State(s): State<AppState>,
    Extension(csrf): Extension<CsrfToken>,
    Portal(ctx): Portal,
    Path(id): Path<String>,
    form: FormPairs,
) -> WebResult<Response> {
    let kind = K::KIND;
    match sales::portal_comment(&s.app, &ctx, kind, &id, &form.get("body")).await {
        Ok(()) => Ok(Redirect::to(&format!(
            "{}/{id}?done=commented#comments",
            portal_base(kind)
        ))
        .into_response()),
        Err(AppError::Invalid(e)) => {
            let mut page = portal_page::<K>(&s, &csrf, &ctx, &id, None).await?;
            page.thread.error = e.first().map(|e| e.message.clone());
            page.thread.draft = form.get("body");
            render(&page).map(unprocessable)
        }
        Err(e) => Err(e.into()),
    }
}

/// Accept or decline a quote (`/quotes/{id}/accept`, `/quotes/{id}/decline`).
async fn answer(
    s: AppState,
    csrf: CsrfToken,
    ctx: PortalContext,
    id: String,
    form: FormPairs,
    accept: bool,
) -> WebResult<Response> {
    match sales::answer_quote(&s.app, &ctx, &id, accept, &form.get("note")).await {
        Ok(()) => Ok(Redirect::to(&format!(
            "/quotes/{id}?done={}",
            if accept { "accepted" } else { "declined" }
        ))
        .into_response()),
        Err(e @ (AppError::Conflict(_) | AppError::Invalid(_))) => {
            let (status, msg) = match e {
                AppError::Conflict(msg) => (axum::http::StatusCode::CONFLICT, msg),
                AppError::Invalid(fields) => (
                    axum::http::StatusCode::UNPROCESSABLE_ENTITY,
                    fields
                        .first()
                        .map(|f| f.message.clone())
                        .unwrap_or_default(),
                ),
                _ => unreachable!("matched above"),
            };
            let mut page = portal_page::<Quotes>(&s, &csrf, &ctx, &id, None).await?;
            page.error = Some(msg);
            let mut r = render(&page)?;
            *r.status_mut() = status;
            Ok(r)
        }
        Err(e) => Err(e.into()),
    }
}

pub(crate) async fn portal_accept(
    State(s): State<AppState>,
    Extension(csrf): Extension<CsrfToken>,
    Portal(ctx): Portal,
    Path(id): Path<String>,
    form: FormPairs,
) -> WebResult<Response> {
    answer(s, csrf, ctx, id, form, true).await
}

pub(crate) async fn portal_decline(
    State(s): State<AppState>,
    Extension(csrf): Extension<CsrfToken>,
    Portal(ctx): Portal,
    Path(id): Path<String>,
    form: FormPairs,
) -> WebResult<Response> {
    answer(s, csrf, ctx, id, form, false).await
}

#[derive(Template)]
#[template(path = "sales/request.html")]
struct RequestPage {
    layout: Layout,
    subject: String,
    details: String,
    errors: Errors,
}

pub(crate) async fn request_form(
    State(s): State<AppState>,
    Extension(csrf): Extension<CsrfToken>,
    Portal(ctx): Portal,
) -> WebResult<Response> {
    courtyard_app::records::scope(&ctx, Module::Quotes)?;
    courtyard_app::records::require(&ctx, Module::Quotes, Action::Create)?;
    render(&RequestPage {
        layout: Layout::portal(
            "Request a quote",
            &s.app.config.business_name,
            &csrf.0,
            &ctx,
            "/quotes",
        ),
        subject: String::new(),
        details: String::new(),
        errors: Errors::default(),
    })
}

pub(crate) async fn request(
    State(s): State<AppState>,
    Extension(csrf): Extension<CsrfToken>,
    Portal(ctx): Portal,
    form: FormPairs,
) -> WebResult<Response> {
    let (subject, details) = (form.get("subject"), form.get("details"));
    match sales::request_quote(&s.app, &ctx, &subject, &details).await {
        Ok(id) => Ok(Redirect::to(&format!("/quotes/{id}?done=requested")).into_response()),
        Err(AppError::Invalid(e)) => render(&RequestPage {
            layout: Layout::portal(
                "Request a quote",
                &s.app.config.business_name,
                &csrf.0,
                &ctx,
                "/quotes",
            ),
            subject,
            details,
            errors: Errors(e),
        })
        .map(unprocessable),
        Err(e) => Err(e.into()),
    }
}

// ---- staff ----

fn staff_layout(
    s: &AppState,
    csrf: &CsrfToken,
    ctx: &StaffContext,
    kind: SalesKind,
    title: &str,
) -> Layout {
    Layout::staff(
        title,
        &s.app.config.business_name,
        &csrf.0,
        ctx,
        sales::staff_path(kind),
    )
}

pub(crate) async fn staff_list<K: Kind>(
    State(s): State<AppState>,
    Extension(csrf): Extension<CsrfToken>,
    Staff(ctx): Staff,
    RawQuery(raw): RawQuery,
) -> WebResult<Response> {
    let kind = K::KIND;
    let spec = sales_db::spec(kind);
    let statuses = kind.statuses();
    let f = Filters::parse(raw, &spec, &statuses);
    let base = sales::staff_path(kind);
    let docs = sales::staff_list(&s.app, kind, &f.query(Some(PAGE + 1))).await?;
    let (docs, next) = paginate(docs, &f, &spec, base);
    render(&ListPage::new(
        ListSetup {
            layout: staff_layout(&s, &csrf, &ctx, kind, kind.plural())
                .with_notice(notice(f.done.as_deref())),
            heading: kind.plural(),
            intro: "",
            table_id: table_id(kind),
            base,
            staff: true,
            create: Some((
                format!("New {}", kind.label().to_lowercase()),
                format!("{base}/new"),
            )),
            spec: &spec,
            statuses: &statuses,
            headers: headers(kind, true),
            companies: customers::company_names(&s.app).await?,
            empty_text: "Create one for a customer.",
        },
        f,
        rows(kind, &docs, base, true, &s.app.clock.today().to_string()),
        next,
    ))
}

#[derive(Template)]
#[template(path = "sales/form.html")]
struct FormPage {
    layout: Layout,
    base: &'static str,
    kind_label: &'static str,
    plural: &'static str,
    due_label: &'static str,
    has_payments: bool,
    id: Option<String>,
    form: SalesForm,
    errors: Errors,
    companies: Vec<(String, String)>,
    contacts: Vec<(String, String, String)>,
    staff_members: Vec<(String, String)>,
    statuses: Vec<(&'static str, &'static str)>,
    currencies: &'static [Currency],
    detail: Option<Detail>,
    views: Vec<(String, String, String, String)>,
    why: Why,
    thread: Option<Thread>,
    /// (template id, name) for the PDF download.
    pdf_templates: Vec<(String, String)>,
    files: Vec<crate::file_views::FileView>,
    files_action: String,
}

impl FormPage {
    fn line_rows(&self) -> Vec<LineForm> {
        let mut v = self.form.lines.clone();
        v.extend((0..3).map(|_| LineForm::default()));
        v
    }
}

pub(crate) async fn contact_choices(s: &AppState) -> WebResult<Vec<(String, String, String)>> {
    Ok(customers::list_contacts(
        &s.app,
        &ContactFilter {
            limit: 2000,
            ..Default::default()
        },
    )
    .await?
    .into_iter()
    .filter_map(|c| Some((c.id.clone(), c.full_name(), c.company_name.clone()?)))
    .collect())
}

async fn form_page(
    s: &AppState,
    csrf: &CsrfToken,
    ctx: &StaffContext,
    kind: SalesKind,
    id: Option<String>,
    form: SalesForm,
    errors: Errors,
) -> WebResult<FormPage> {
    let title = format!("New {}", kind.label().to_lowercase());
    Ok(FormPage {
        layout: staff_layout(s, csrf, ctx, kind, &title),
        base: sales::staff_path(kind),
        kind_label: kind.label(),
        plural: kind.plural(),
        due_label: kind.due_label(),
        has_payments: kind.has_payments(),
        id,
        form,
        errors,
        companies: customers::company_names(&s.app).await?,
        contacts: contact_choices(s).await?,
        staff_members: records::staff_names(s).await?,
        statuses: kind.statuses(),
        currencies: money::CURRENCIES,
        detail: None,
        views: vec![],
        why: Why::default(),
        thread: None,
        pdf_templates: pdf_choices(s, kind).await?,
        files: vec![],
        files_action: String::new(),
    })
}

pub(crate) async fn staff_new_form<K: Kind>(
    State(s): State<AppState>,
    Extension(csrf): Extension<CsrfToken>,
    Staff(ctx): Staff,
    RawQuery(raw): RawQuery,
) -> WebResult<Response> {
    let kind = K::KIND;
    let f = Filters::parse(raw, &sales_db::spec(kind), &[]);
    let today = s.app.clock.today();
    let form = SalesForm {
        company_id: f.company_id,
        owner_staff_id: ctx.staff.id.clone(),
        status: kind.initial_status().into(),
        currency: "GBP".into(),
        issued_on: today.to_string(),
        due_on: (today + time::Duration::days(30)).to_string(),
        terms: match kind {
            SalesKind::Quote => "This quote is valid for 30 days.",
            SalesKind::Order => "Delivery as agreed.",
            SalesKind::Invoice => "Payment within 30 days of the invoice date.",
        }
        .into(),
        lines: vec![LineForm {
            quantity: "1".into(),
            tax_rate: "20".into(),
            ..Default::default()
        }],
        ..Default::default()
    };
    render(&form_page(&s, &csrf, &ctx, kind, None, form, Errors::default()).await?)
}

fn read_form(p: &FormPairs) -> SalesForm {
    let d = p.all("line_description");
    let q = p.all("line_quantity");
    let u = p.all("line_unit_price");
    let t = p.all("line_tax_rate");
    let x = p.all("line_discount");
    let at = |v: &Vec<String>, i: usize| v.get(i).cloned().unwrap_or_default();
    SalesForm {
        version: p.get("version"),
        company_id: p.get("company_id"),
        owner_staff_id: p.get("owner_staff_id"),
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

pub(crate) async fn staff_create<K: Kind>(
    State(s): State<AppState>,
    Extension(csrf): Extension<CsrfToken>,
    Staff(ctx): Staff,
    form: FormPairs,
) -> WebResult<Response> {
    let kind = K::KIND;
    let f = read_form(&form);
    match sales::create(&s.app, kind, &f).await {
        Ok(id) => Ok(
            Redirect::to(&format!("{}/{id}?done=created", sales::staff_path(kind))).into_response(),
        ),
        Err(AppError::Invalid(e)) => {
            render(&form_page(&s, &csrf, &ctx, kind, None, f, Errors(e)).await?).map(unprocessable)
        }
        Err(e) => Err(e.into()),
    }
}

/// The portal users of a company, for the "can this person see it?" panel.
pub(crate) async fn company_users(
    s: &AppState,
    company_id: &str,
) -> WebResult<Vec<courtyard_app::db::portal_users::PortalUser>> {
    Ok(courtyard_app::portal_users::list(
        &s.app,
        &PortalUserFilter {
            company_id: Some(company_id.to_owned()),
            limit: 500,
            ..Default::default()
        },
    )
    .await?)
}

async fn show(
    s: &AppState,
    csrf: &CsrfToken,
    ctx: &StaffContext,
    kind: SalesKind,
    id: String,
    f: &Filters,
    submitted: Option<(SalesForm, Errors)>,
) -> WebResult<FormPage> {
    let doc = sales::staff_find(&s.app, kind, &id).await?;
    let (mut form, errors) =
        submitted.unwrap_or_else(|| (SalesForm::from_doc(&doc.doc, &doc.lines), Errors::default()));
    if errors.get("version").is_some() {
        // Changed meanwhile: the page shows the latest record above the
        // person's own edits, with the status as it is now (a customer may
        // have just answered); saving again is a deliberate overwrite.
        form.version = doc.doc.updated_at.to_string();
        form.status = doc.doc.status.clone();
    }
    let mut page = form_page(s, csrf, ctx, kind, Some(id.clone()), form, errors).await?;
    page.layout.title = doc.doc.number.clone();
    page.layout = page.layout.with_notice(notice(f.done.as_deref()));
    page.detail = Some(detail(
        kind,
        &doc.doc,
        &doc.lines,
        &s.app.clock.today().to_string(),
    ));
    page.views = doc
        .views
        .iter()
        .map(|v: &RecordView| {
            let what = if v.kind == "download" {
                "downloaded the PDF"
            } else {
                "opened"
            };
            (
                v.name.clone(),
                format!("{what} · {}", v.email),
                when(v.at),
                v.ip.clone(),
            )
        })
        .collect();
    page.thread = Some(Thread::new(
        "Comments",
        &doc.comments,
        Some(format!("{}/{id}/comments", sales::staff_path(kind))),
        true,
    ));
    page.files = crate::file_views::views(
        &courtyard_app::files::staff_files(&s.app, kind.as_str(), &id).await?,
    );
    if let Some(t) = page.thread.as_mut() {
        t.attach(&page.files);
    }
    page.files_action = format!("{}/{id}/files", sales::staff_path(kind));
    page.why.portal_users = company_users(s, &doc.doc.company_id).await?;
    if !f.as_user.is_empty() {
        page.why.explanation = Some(sales::explain(&s.app, kind, &id, &f.as_user).await?);
        page.why.as_user = f.as_user.clone();
    }
    Ok(page)
}

pub(crate) async fn staff_find<K: Kind>(
    State(s): State<AppState>,
    Extension(csrf): Extension<CsrfToken>,
    Staff(ctx): Staff,
    Path(id): Path<String>,
    RawQuery(raw): RawQuery,
) -> WebResult<Response> {
    let kind = K::KIND;
    let f = Filters::parse(raw, &sales_db::spec(kind), &[]);
    render(&show(&s, &csrf, &ctx, kind, id, &f, None).await?)
}

pub(crate) async fn staff_update<K: Kind>(
    State(s): State<AppState>,
    Extension(csrf): Extension<CsrfToken>,
    Staff(ctx): Staff,
    Path(id): Path<String>,
    form: FormPairs,
) -> WebResult<Response> {
    let kind = K::KIND;
    let f = read_form(&form);
    match sales::update(&s.app, kind, &id, &f).await {
        Ok(()) => Ok(
            Redirect::to(&format!("{}/{id}?done=saved", sales::staff_path(kind))).into_response(),
        ),
        Err(AppError::Conflict(msg)) => {
            let errors = Errors(vec![courtyard_app::domain::FieldError::new("version", msg)]);
            let mut r = render(
                &show(
                    &s,
                    &csrf,
                    &ctx,
                    kind,
                    id,
                    &Filters::default(),
                    Some((f, errors)),
                )
                .await?,
            )?;
            *r.status_mut() = axum::http::StatusCode::CONFLICT;
            Ok(r)
        }
        Err(AppError::Invalid(e)) => render(
            &show(
                &s,
                &csrf,
                &ctx,
                kind,
                id,
                &Filters::default(),
                Some((f, Errors(e))),
            )
            .await?,
        )
        .map(unprocessable),
        Err(e) => Err(e.into()),
    }
}

pub(crate) async fn staff_comment<K: Kind>(
    State(s): State<AppState>,
    Extension(csrf): Extension<CsrfToken>,
    Staff(ctx): Staff,
    Path(id): Path<String>,
    form: FormPairs,
) -> WebResult<Response> {
    let kind = K::KIND;
    let internal = form.get("internal") == "1";
    match sales::staff_comment(&s.app, &ctx, kind, &id, &form.get("body"), internal).await {
        Ok(()) => Ok(Redirect::to(&format!(
            "{}/{id}?done=commented#comments",
            sales::staff_path(kind)
        ))
        .into_response()),
        Err(AppError::Invalid(e)) => {
            let mut page = show(&s, &csrf, &ctx, kind, id, &Filters::default(), None).await?;
            if let Some(t) = page.thread.as_mut() {
                t.error = e.first().map(|e| e.message.clone());
                t.draft = form.get("body");
                t.internal = internal;
            }
            render(&page).map(unprocessable)
        }
        Err(e) => Err(e.into()),
    }
}

/// The templates a staff member can pick on a document's page.
async fn pdf_choices(s: &AppState, kind: SalesKind) -> WebResult<Vec<(String, String)>> {
    let t = courtyard_app::pdf::templates(&s.app).await?;
    let mut v = vec![(String::new(), "Default template".to_owned())];
    v.extend(
        t.rows
            .into_iter()
            .filter(|r| r.kind == kind.as_str())
            .map(|r| {
                let label = if r.audience == "internal" {
                    format!("{} (internal only)", r.name)
                } else {
                    r.name
                };
                (r.id, label)
            }),
    );
    v.push(("builtin".into(), "Built-in template".into()));
    Ok(v)
}
