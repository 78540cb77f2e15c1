//! The staff pages of quotes, sales orders and invoices: lists, forms,
//! record pages, comments, PDF template choices.

use super::picks::{company_users, contact_choices};
use crate::kit::error::WebResult;
use crate::kit::forms::{Errors, Form};
use crate::kit::layout::{notice, when, Layout};
use crate::kit::page::StaffPage;
use crate::kit::render::{render, saved_or_again, unprocessable};
use crate::kit::state::AppState;
use crate::ui::records::{
    self, paginate, CommentFields, Filters, ListPage, ListSetup, Thread, Why, PAGE,
};
use crate::ui::sales::*;
use askama::Template;
use axum::extract::{Path, RawQuery};
use axum::response::{IntoResponse, Redirect, Response};
use courtyard_app::customers;
use courtyard_app::domain::money::{self, Currency};
use courtyard_app::domain::records::SalesKind;
use courtyard_app::domain::FieldCode;
use courtyard_app::records::RecordView;
use courtyard_app::sales::{self, LineForm, SalesForm};
use courtyard_app::AppError;
use serde::Deserialize;

// ---- staff ----

pub(crate) async fn staff_list<K: Marker>(
    p: StaffPage,
    RawQuery(raw): RawQuery,
) -> WebResult<Response> {
    let kind = sales_kind::<K>();
    let spec = courtyard_app::sales::spec(kind);
    let statuses = kind.statuses();
    let f = Filters::parse(raw, &spec, &statuses);
    let base = sales::staff_path(kind);
    let docs = sales::staff_list(&p.s.app, kind, &f.query(Some(PAGE + 1))).await?;
    let (docs, next) = paginate(docs, &f, &spec, base);
    render(&ListPage::new(
        ListSetup {
            layout: p
                .layout(kind.plural(), sales::staff_path(kind))
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
            companies: customers::company_names(&p.s.app).await?,
            empty_text: "Create one for a customer.",
        },
        f,
        rows(kind, &docs, base, true, &p.s.app.clock.today().to_string()),
        next,
    ))
}

#[derive(Template)]
#[template(path = "sales/form.html")]
pub(super) struct FormPage {
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
    files: Vec<crate::ui::file_views::FileView>,
    files_action: String,
}

impl FormPage {
    fn line_rows(&self) -> Vec<LineForm> {
        let mut v = self.form.lines.clone();
        v.extend((0..3).map(|_| LineForm::default()));
        v
    }
}

pub(super) async fn form_page(
    p: &StaffPage,
    kind: SalesKind,
    id: Option<String>,
    form: SalesForm,
    errors: Errors,
) -> WebResult<FormPage> {
    let title = format!("New {}", kind.label().to_lowercase());
    Ok(FormPage {
        layout: p.layout(&title, sales::staff_path(kind)),
        base: sales::staff_path(kind),
        kind_label: kind.label(),
        plural: kind.plural(),
        due_label: kind.due_label(),
        has_payments: kind.has_payments(),
        id,
        form,
        errors,
        companies: customers::company_names(&p.s.app).await?,
        contacts: contact_choices(&p.s).await?,
        staff_members: records::staff_names(&p.s).await?,
        statuses: kind.choices(),
        currencies: money::CURRENCIES,
        detail: None,
        views: vec![],
        why: Why::default(),
        thread: None,
        pdf_templates: pdf_choices(&p.s, kind).await?,
        files: vec![],
        files_action: String::new(),
    })
}

pub(crate) async fn staff_new_form<K: Marker>(
    p: StaffPage,
    RawQuery(raw): RawQuery,
) -> WebResult<Response> {
    let kind = sales_kind::<K>();
    let f = Filters::parse(raw, &courtyard_app::sales::spec(kind), &[]);
    let today = p.s.app.clock.today();
    let form = SalesForm {
        company_id: f.company_id,
        owner_staff_id: p.ctx.staff.id.clone(),
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
    render(&form_page(&p, kind, None, form, Errors::default()).await?)
}

/// The staff form of a quote, order or invoice as the browser sends it:
/// each line's inputs as columns of repeated keys, zipped into lines.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub(crate) struct SalesFields {
    version: String,
    company_id: String,
    owner_staff_id: String,
    contact_id: String,
    subject: String,
    status: String,
    currency: String,
    issued_on: String,
    due_on: String,
    paid_on: String,
    amount_paid: String,
    terms: String,
    line_description: Vec<String>,
    line_quantity: Vec<String>,
    line_unit_price: Vec<String>,
    line_tax_rate: Vec<String>,
    line_discount: Vec<String>,
}

impl From<SalesFields> for SalesForm {
    fn from(f: SalesFields) -> Self {
        let at = |v: &[String], i: usize| v.get(i).cloned().unwrap_or_default();
        let lines = (0..f.line_description.len())
            .map(|i| LineForm {
                description: at(&f.line_description, i),
                quantity: at(&f.line_quantity, i),
                unit_price: at(&f.line_unit_price, i),
                tax_rate: at(&f.line_tax_rate, i),
                discount: at(&f.line_discount, i),
            })
            .collect();
        SalesForm {
            version: f.version,
            company_id: f.company_id,
            owner_staff_id: f.owner_staff_id,
            contact_id: f.contact_id,
            subject: f.subject,
            status: f.status,
            currency: f.currency,
            issued_on: f.issued_on,
            due_on: f.due_on,
            paid_on: f.paid_on,
            amount_paid: f.amount_paid,
            terms: f.terms,
            lines,
        }
    }
}

pub(crate) async fn staff_create<K: Marker>(
    p: StaffPage,
    Form(fields): Form<SalesFields>,
) -> WebResult<Response> {
    let kind = sales_kind::<K>();
    let f = SalesForm::from(fields);
    saved_or_again(
        sales::create(&p.s.app, kind, &f).await,
        |id| format!("{}/{id}?done=created", sales::staff_path(kind)),
        async |e| Ok(form_page(&p, kind, None, f, e).await?),
    )
    .await
}

pub(super) async fn show(
    p: &StaffPage,
    kind: SalesKind,
    id: String,
    f: &Filters,
    submitted: Option<(SalesForm, Errors)>,
) -> WebResult<FormPage> {
    let doc = sales::staff_find(&p.s.app, kind, &id).await?;
    let (mut form, errors) =
        submitted.unwrap_or_else(|| (SalesForm::from_doc(&doc.doc, &doc.lines), Errors::default()));
    if errors.get("version").is_some() {
        // Changed meanwhile: the page shows the latest record above the
        // person's own edits, with the status as it is now (a customer may
        // have just answered); saving again is a deliberate overwrite.
        form.version = doc.doc.updated_at.to_string();
        form.status = doc.doc.status.as_str().to_owned();
    }
    let mut page = form_page(p, kind, Some(id.clone()), form, errors).await?;
    page.layout.title = doc.doc.number.clone();
    page.layout = page.layout.with_notice(notice(f.done.as_deref()));
    page.detail = Some(detail(
        kind,
        &doc.doc,
        &doc.lines,
        &p.s.app.clock.today().to_string(),
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
    page.files = crate::ui::file_views::views(
        &courtyard_app::files::staff_files(&p.s.app, kind.as_str(), &id).await?,
    );
    if let Some(t) = page.thread.as_mut() {
        t.attach(&page.files);
    }
    page.files_action = format!("{}/{id}/files", sales::staff_path(kind));
    page.why.portal_users = company_users(&p.s, &doc.doc.company_id).await?;
    if !f.as_user.is_empty() {
        page.why.explanation = Some(sales::explain(&p.s.app, kind, &id, &f.as_user).await?);
        page.why.as_user = f.as_user.clone();
    }
    Ok(page)
}

pub(crate) async fn staff_find<K: Marker>(
    p: StaffPage,
    Path(id): Path<String>,
    RawQuery(raw): RawQuery,
) -> WebResult<Response> {
    let kind = sales_kind::<K>();
    let f = Filters::parse(raw, &courtyard_app::sales::spec(kind), &[]);
    render(&show(&p, kind, id, &f, None).await?)
}

pub(crate) async fn staff_update<K: Marker>(
    p: StaffPage,
    Path(id): Path<String>,
    Form(fields): Form<SalesFields>,
) -> WebResult<Response> {
    let kind = sales_kind::<K>();
    let f = SalesForm::from(fields);
    match sales::update(&p.s.app, kind, &id, &f).await {
        Ok(()) => Ok(
            Redirect::to(&format!("{}/{id}?done=saved", sales::staff_path(kind))).into_response(),
        ),
        Err(AppError::Conflict(msg)) => {
            let errors = Errors(vec![courtyard_app::domain::FieldError::new(
                "version",
                FieldCode::Changed,
                msg,
            )]);
            let mut r = render(&show(&p, kind, id, &Filters::default(), Some((f, errors))).await?)?;
            *r.status_mut() = axum::http::StatusCode::CONFLICT;
            Ok(r)
        }
        Err(AppError::Invalid(e)) => {
            render(&show(&p, kind, id, &Filters::default(), Some((f, Errors(e)))).await?)
                .map(unprocessable)
        }
        Err(e) => Err(e.into()),
    }
}

pub(crate) async fn staff_comment<K: Marker>(
    p: StaffPage,
    Path(id): Path<String>,
    Form(form): Form<CommentFields>,
) -> WebResult<Response> {
    let kind = sales_kind::<K>();
    let internal = form.internal();
    saved_or_again(
        sales::staff_comment(&p.s.app, &p.ctx, kind, &id, &form.body, internal).await,
        |()| format!("{}/{id}?done=commented#comments", sales::staff_path(kind)),
        async |e| {
            let mut page = show(&p, kind, id.clone(), &Filters::default(), None).await?;
            if let Some(t) = page.thread.as_mut() {
                t.refused(&e, form.body, internal);
            }
            Ok(page)
        },
    )
    .await
}

/// The templates a staff member can pick on a document's page.
pub(super) async fn pdf_choices(s: &AppState, kind: SalesKind) -> WebResult<Vec<(String, String)>> {
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
