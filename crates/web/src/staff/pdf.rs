//! Staff PDFs (any template), and the pages that set PDFs up: business
//! details, logo, templates and the portal's default template per type
//! (docs/adr/0010).

use crate::kit::error::WebResult;
use crate::kit::forms::{Errors, Form};
use crate::kit::layout::{notice, when, Layout};
use crate::kit::page::StaffPage;
use crate::kit::render::{render, saved_or_again};
use crate::kit::session::Staff;
use crate::kit::state::AppState;
use crate::ui::file_views::*;
use crate::ui::records::Marker;
use crate::ui::sales::sales_kind;
use askama::Template;
use axum::extract::{Multipart, Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use courtyard_app::domain::records::SalesKind;
use courtyard_app::domain::FieldCode;
use courtyard_app::pdf::TemplateRow;
use courtyard_app::pdf::{self, TemplateForm, AUDIENCES};
use courtyard_app::AppError;
use serde::Deserialize;

#[derive(Deserialize)]
pub(crate) struct Choice {
    template: Option<String>,
}

pub(crate) async fn staff_pdf<K: Marker>(
    State(s): State<AppState>,
    Staff(_ctx): Staff,
    Path(id): Path<String>,
    Query(q): Query<Choice>,
) -> WebResult<Response> {
    let template = q.template.as_deref().filter(|t| !t.is_empty());
    Ok(pdf_response(
        pdf::staff_pdf(&s.app, sales_kind::<K>(), &id, template).await?,
    ))
}

// ---- Settings → Documents ----

#[derive(Template)]
#[template(path = "staff/documents_settings.html")]
struct SettingsPage {
    layout: Layout,
    details: String,
    footer: String,
    accent: String,
    has_logo: bool,
    /// (kind, current default id, [(id, name)] sharing templates)
    defaults: Vec<(SalesKind, String, Choices)>,
    templates: Vec<TemplateRowView>,
    errors: Errors,
}

/// (id, name) pairs for a select.
type Choices = Vec<(String, String)>;

struct TemplateRowView {
    id: String,
    kind: &'static str,
    name: String,
    audience: &'static str,
    updated: String,
    updated_by: String,
    is_default: bool,
}

async fn settings_page(
    p: &StaffPage,
    submitted: Option<(&str, &str, &str)>,
    errors: Errors,
) -> WebResult<SettingsPage> {
    let business = pdf::business_details(&p.s.app).await?;
    let t = pdf::templates(&p.s.app).await?;
    let defaults = t
        .defaults
        .iter()
        .map(|(kind, id)| {
            let options = t
                .rows
                .iter()
                .filter(|r| r.kind == kind.as_str() && r.audience == "sharing")
                .map(|r| (r.id.clone(), r.name.clone()))
                .collect();
            (*kind, id.clone(), options)
        })
        .collect();
    let templates = t
        .rows
        .iter()
        .map(|r| view(r, t.defaults.iter().any(|(_, id)| *id == r.id)))
        .collect();
    let (details, footer, accent) = match submitted {
        Some((d, f, a)) => (d.to_owned(), f.to_owned(), a.to_owned()),
        None => (business.details, business.footer, business.accent),
    };
    Ok(SettingsPage {
        layout: p.layout("Documents and PDFs", "/staff/settings"),
        details,
        footer,
        accent,
        has_logo: pdf::has_logo(&p.s.app).await?,
        defaults,
        templates,
        errors,
    })
}

fn view(r: &TemplateRow, is_default: bool) -> TemplateRowView {
    TemplateRowView {
        id: r.id.clone(),
        kind: SalesKind::parse(&r.kind).map_or("", |k| k.label()),
        name: r.name.clone(),
        audience: AUDIENCES
            .iter()
            .find(|(k, _)| *k == r.audience)
            .map_or("", |(_, l)| l),
        updated: when(r.updated_at),
        updated_by: r.updated_by.clone(),
        is_default,
    }
}

pub(crate) async fn settings_form(
    p: StaffPage,
    axum::extract::RawQuery(raw): axum::extract::RawQuery,
) -> WebResult<Response> {
    // What customers receive is an admin setting, like the rest of Settings.
    p.ctx.require_admin()?;
    let mut page = settings_page(&p, None, Errors::default()).await?;
    let done = raw.as_deref().and_then(|q| q.strip_prefix("done="));
    page.layout = page.layout.with_notice(notice(done));
    render(&page)
}

/// Settings → Documents and PDFs as the browser sends it: the business
/// details and each type's default sharing template (empty: built-in).
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub(crate) struct DocumentSettingsFields {
    details: String,
    footer: String,
    accent: String,
    default_quote: String,
    default_order: String,
    default_invoice: String,
}

/// Business details, and the default template of each type.
pub(crate) async fn save_settings(
    p: StaffPage,
    Form(form): Form<DocumentSettingsFields>,
) -> WebResult<Response> {
    // What customers receive is an admin setting, like the rest of Settings.
    p.ctx.require_admin()?;
    let (details, footer, accent) = (form.details, form.footer, form.accent);
    let defaults: Vec<(SalesKind, String)> = SalesKind::ALL
        .iter()
        .map(|k| {
            let chosen = match k {
                SalesKind::Quote => &form.default_quote,
                SalesKind::Order => &form.default_order,
                SalesKind::Invoice => &form.default_invoice,
            };
            (*k, chosen.clone())
        })
        .collect();
    saved_or_again(
        pdf::save_settings(&p.s.app, &details, &footer, &accent, &defaults).await,
        |()| "/staff/settings/documents?done=saved".to_owned(),
        async |e| settings_page(&p, Some((&details, &footer, &accent)), e).await,
    )
    .await
}

pub(crate) async fn upload_logo(
    p: StaffPage,
    m: Result<Multipart, axum::extract::multipart::MultipartRejection>,
) -> WebResult<Response> {
    // What customers receive is an admin setting, like the rest of Settings.
    p.ctx.require_admin()?;
    let result = match crate::kit::upload::read_upload(m).await.file {
        Ok((name, bytes)) => pdf::set_logo(&p.s.app, &p.ctx, &name, bytes).await,
        Err(problem) => Err(AppError::field(
            "logo",
            FieldCode::File,
            problem.message(&p.s),
        )),
    };
    saved_or_again(
        result,
        |()| "/staff/settings/documents?done=saved#logo".to_owned(),
        async |e| settings_page(&p, None, e).await,
    )
    .await
}

pub(crate) async fn remove_logo(
    State(s): State<AppState>,
    Staff(ctx): Staff,
) -> WebResult<Response> {
    // What customers receive is an admin setting, like the rest of Settings.
    ctx.require_admin()?;
    pdf::remove_logo(&s.app).await?;
    Ok(Redirect::to("/staff/settings/documents?done=saved#logo").into_response())
}

// ---- templates ----

#[derive(Template)]
#[template(path = "staff/template_form.html")]
struct TemplatePage {
    layout: Layout,
    id: Option<String>,
    form: TemplateForm,
    kinds: Vec<(&'static str, &'static str)>,
    audiences: &'static [(&'static str, &'static str)],
    errors: Errors,
}

fn template_page(
    p: &StaffPage,
    id: Option<String>,
    form: TemplateForm,
    errors: Errors,
) -> TemplatePage {
    let title = if id.is_some() {
        "Edit PDF template"
    } else {
        "New PDF template"
    };
    TemplatePage {
        layout: p.layout(title, "/staff/settings"),
        id,
        form,
        kinds: SalesKind::ALL
            .iter()
            .map(|k| (k.as_str(), k.label()))
            .collect(),
        audiences: AUDIENCES,
        errors,
    }
}

#[derive(Deserialize)]
pub(crate) struct NewQuery {
    kind: Option<String>,
}

/// A new template starts as a copy of the type's built-in one.
pub(crate) async fn new_template_form(
    p: StaffPage,
    Query(q): Query<NewQuery>,
) -> WebResult<Response> {
    // What customers receive is an admin setting, like the rest of Settings.
    p.ctx.require_admin()?;
    let kind = q
        .kind
        .as_deref()
        .and_then(SalesKind::parse)
        .unwrap_or(SalesKind::Invoice);
    let form = TemplateForm {
        kind: kind.as_str().into(),
        name: String::new(),
        audience: "sharing".into(),
        source: pdf::builtin(kind).into(),
    };
    render(&template_page(&p, None, form, Errors::default()))
}

pub(crate) async fn create_template(
    p: StaffPage,
    Form(f): Form<TemplateForm>,
) -> WebResult<Response> {
    // What customers receive is an admin setting, like the rest of Settings.
    p.ctx.require_admin()?;
    saved_or_again(
        pdf::save_template(&p.s.app, &p.ctx, None, &f).await,
        |_| "/staff/settings/documents?done=saved#templates".to_owned(),
        async |e| Ok(template_page(&p, None, f, e)),
    )
    .await
}

pub(crate) async fn edit_template_form(
    p: StaffPage,
    Path(id): Path<String>,
) -> WebResult<Response> {
    // What customers receive is an admin setting, like the rest of Settings.
    p.ctx.require_admin()?;
    let t = pdf::find_template(&p.s.app, &id).await?;
    let form = TemplateForm {
        kind: t.kind,
        name: t.name,
        audience: t.audience,
        source: t.source,
    };
    render(&template_page(&p, Some(id), form, Errors::default()))
}

pub(crate) async fn update_template(
    p: StaffPage,
    Path(id): Path<String>,
    Form(f): Form<TemplateForm>,
) -> WebResult<Response> {
    // What customers receive is an admin setting, like the rest of Settings.
    p.ctx.require_admin()?;
    saved_or_again(
        pdf::save_template(&p.s.app, &p.ctx, Some(&id), &f).await,
        |_| "/staff/settings/documents?done=saved#templates".to_owned(),
        async |e| Ok(template_page(&p, Some(id.clone()), f, e)),
    )
    .await
}

pub(crate) async fn delete_template(
    State(s): State<AppState>,
    Staff(ctx): Staff,
    Path(id): Path<String>,
) -> WebResult<Response> {
    // What customers receive is an admin setting, like the rest of Settings.
    ctx.require_admin()?;
    pdf::delete_template(&s.app, &id).await?;
    Ok(Redirect::to("/staff/settings/documents?done=deleted#templates").into_response())
}
