//! The Documents module: the portal's three folders with search, pages and
//! uploads; the staff list, folders, and the page of each document; and the
//! staff's notification list.

use askama::Template;
use axum::extract::{Multipart, Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::Extension;
use courtyard_app::auth::{PortalContext, StaffContext};
use courtyard_app::db::documents::{DocumentFilter, DocumentRow, Folder};
use courtyard_app::documents::{self, DocumentForm, PortalFolder, AUDIENCES};
use courtyard_app::domain::files::human_size;
use courtyard_app::domain::{Action, Module};
use courtyard_app::{customers, notify, AppError};
use serde::Deserialize;

use crate::csrf::CsrfToken;
use crate::error::WebResult;
use crate::forms::{Errors, FormPairs};
use crate::layout::{notice, when, Layout};
use crate::records::Why;
use crate::render::{render, unprocessable};
use crate::session::{Portal, Staff};
use crate::state::AppState;

const PAGE: i64 = 25;

/// A document as listed.
pub(crate) struct DocView {
    pub id: String,
    pub title: String,
    pub description: String,
    pub file_id: String,
    pub file_name: String,
    pub size: String,
    pub when: String,
    pub by: String,
    pub tag: &'static str,
    /// A thumbnail to show instead of the tag.
    pub thumb: bool,
    pub folder: Option<String>,
    pub group: String,
    pub audience: String,
    pub shared: bool,
}

fn audience_label(d: &DocumentRow) -> String {
    match d.audience.as_str() {
        "public" => "Every portal user".into(),
        "company" => d.company_name.clone().unwrap_or_else(|| "A company".into()),
        "contact" => format!(
            "{} ({})",
            d.contact_name.as_deref().unwrap_or("A person"),
            d.company_name.as_deref().unwrap_or("")
        ),
        "project" => format!("Project: {}", d.project_name.as_deref().unwrap_or("")),
        other => other.to_owned(),
    }
}

pub(crate) fn views(rows: &[DocumentRow]) -> Vec<DocView> {
    rows.iter()
        .map(|d| DocView {
            id: d.id.clone(),
            title: d.title.clone(),
            description: d.description.clone(),
            file_id: d.file_id.clone(),
            file_name: d.file_name.clone(),
            size: human_size(d.file_size as u64),
            when: when(d.created_at),
            by: d.uploaded_by_name.clone(),
            tag: crate::file_views::file_tag(&d.file_kind),
            thumb: d.thumb_key.is_some(),
            folder: d.folder_name.clone(),
            group: d.project_name.clone().unwrap_or_default(),
            audience: audience_label(d),
            shared: d.shared == 1,
        })
        .collect()
}

/// `created_at~id` of the last row, for the next page.
fn cursor(rows: &[DocumentRow]) -> Option<String> {
    (rows.len() as i64 > PAGE).then(|| {
        let last = &rows[PAGE as usize - 1];
        format!("{}~{}", last.created_at, last.id)
    })
}

fn parse_cursor(s: Option<&str>) -> Option<(i64, String)> {
    let (at, id) = s?.split_once('~')?;
    Some((at.parse().ok()?, id.to_owned()))
}

// ---- portal ----

#[derive(Deserialize, Default)]
pub(crate) struct PortalQuery {
    folder: Option<String>,
    q: Option<String>,
    before: Option<String>,
    done: Option<String>,
}

#[derive(Template)]
#[template(path = "portal/documents.html")]
struct PortalPage {
    layout: Layout,
    folder: &'static str,
    folders: Vec<(&'static str, &'static str)>,
    q: String,
    docs: Vec<DocView>,
    next: Option<String>,
    can_upload: bool,
    form: (String, String),
    errors: Errors,
    open_form: bool,
}

impl PortalPage {
    /// Rows with a heading where the project changes (the project folder).
    fn grouped(&self) -> Vec<(Option<&str>, &DocView)> {
        let mut last: Option<&str> = None;
        self.docs
            .iter()
            .map(|d| {
                let head = (self.folder == "project" && last != Some(d.group.as_str()))
                    .then_some(d.group.as_str());
                last = Some(d.group.as_str());
                (head, d)
            })
            .collect()
    }
}

async fn portal_page(
    s: &AppState,
    csrf: &CsrfToken,
    ctx: &PortalContext,
    q: &PortalQuery,
) -> WebResult<PortalPage> {
    let folder = q
        .folder
        .as_deref()
        .and_then(PortalFolder::parse)
        .unwrap_or(PortalFolder::Public);
    let search = q.q.clone().unwrap_or_default();
    let rows = documents::portal_list(
        &s.app,
        ctx,
        folder,
        &search,
        parse_cursor(q.before.as_deref()),
        PAGE + 1,
    )
    .await?;
    let next = cursor(&rows).map(|c| {
        format!(
            "/documents?folder={}&q={}&before={c}",
            folder.key(),
            urlencode(&search)
        )
    });
    let shown = &rows[..rows.len().min(PAGE as usize)];
    let mut folders: Vec<(&'static str, &'static str)> = PortalFolder::ALL
        .iter()
        .map(|f| (f.key(), f.label()))
        .collect();
    if !ctx.grants.allows(Module::Projects, Action::View) {
        folders.retain(|(k, _)| *k != "project");
    }
    Ok(PortalPage {
        layout: Layout::portal(
            "Documents",
            &s.app.config.business_name,
            &csrf.0,
            ctx,
            "/documents",
        ),
        folder: folder.key(),
        folders,
        q: search,
        docs: views(shown),
        next,
        can_upload: ctx.grants.allows(Module::Documents, Action::Upload),
        form: (String::new(), String::new()),
        errors: Errors::default(),
        open_form: false,
    })
}

fn urlencode(s: &str) -> String {
    serde_urlencoded::to_string([("", s)])
        .map(|x| x.trim_start_matches('=').to_owned())
        .unwrap_or_default()
}

pub(crate) async fn portal_list(
    State(s): State<AppState>,
    Extension(csrf): Extension<CsrfToken>,
    Portal(ctx): Portal,
    Query(q): Query<PortalQuery>,
) -> WebResult<Response> {
    let mut page = portal_page(&s, &csrf, &ctx, &q).await?;
    page.layout = page.layout.with_notice(notice(q.done.as_deref()));
    render(&page)
}

pub(crate) async fn portal_upload(
    State(s): State<AppState>,
    Extension(csrf): Extension<CsrfToken>,
    Portal(ctx): Portal,
    m: Result<Multipart, axum::extract::multipart::MultipartRejection>,
) -> WebResult<Response> {
    let form = crate::upload::read_upload(m).await;
    let (title, description) = (form.get("title"), form.get("description"));
    let result = match form.file {
        Ok((name, bytes)) => {
            documents::portal_upload(&s.app, &ctx, &title, &description, &name, bytes).await
        }
        Err(p) => {
            // Still check the text fields, so every problem shows at once.
            let mut e = vec![courtyard_app::domain::FieldError::new(
                "file",
                p.message(&s),
            )];
            if title.trim().is_empty() {
                e.insert(
                    0,
                    courtyard_app::domain::FieldError::new(
                        "title",
                        "Give the document a title of up to 200 characters.",
                    ),
                );
            }
            Err(AppError::Invalid(e))
        }
    };
    match result {
        Ok(_) => Ok(Redirect::to("/documents?folder=private&done=uploaded").into_response()),
        Err(AppError::Invalid(e)) => {
            let mut page = portal_page(
                &s,
                &csrf,
                &ctx,
                &PortalQuery {
                    folder: Some("private".into()),
                    ..Default::default()
                },
            )
            .await?;
            page.form = (title, description);
            page.errors = Errors(e);
            page.open_form = true;
            Ok(unprocessable(render(&page)?))
        }
        Err(e) => Err(e.into()),
    }
}

// ---- staff ----

/// The newest documents of a company or a person, for their staff page.
pub(crate) async fn staff_documents_of(
    s: &AppState,
    company_id: Option<&str>,
    contact_id: Option<&str>,
) -> WebResult<Vec<DocView>> {
    let rows = documents::staff_list(
        &s.app,
        &DocumentFilter {
            company_id: company_id.map(str::to_owned),
            contact_id: contact_id.map(str::to_owned),
            limit: 50,
            ..Default::default()
        },
    )
    .await?;
    Ok(views(&rows))
}

#[derive(Deserialize, Default)]
pub(crate) struct StaffQuery {
    folder: Option<String>,
    q: Option<String>,
    before: Option<String>,
    done: Option<String>,
}

#[derive(Template)]
#[template(path = "staff/documents.html")]
struct StaffListPage {
    layout: Layout,
    folders: Vec<Folder>,
    folder: String,
    q: String,
    docs: Vec<DocView>,
    next: Option<String>,
    errors: Errors,
}

fn staff_layout(s: &AppState, csrf: &CsrfToken, ctx: &StaffContext, title: &str) -> Layout {
    crate::render::staff_layout(s, csrf, ctx, title, "/staff/documents")
}

async fn staff_list_page(
    s: &AppState,
    csrf: &CsrfToken,
    ctx: &StaffContext,
    q: &StaffQuery,
    errors: Errors,
) -> WebResult<StaffListPage> {
    let folder = q.folder.clone().unwrap_or_default();
    let search = q.q.clone().unwrap_or_default();
    let rows = documents::staff_list(
        &s.app,
        &DocumentFilter {
            folder_id: (!folder.is_empty()).then(|| folder.clone()),
            q: search.clone(),
            before: parse_cursor(q.before.as_deref()),
            limit: PAGE + 1,
            ..Default::default()
        },
    )
    .await?;
    let next = cursor(&rows).map(|c| {
        format!(
            "/staff/documents?folder={}&q={}&before={c}",
            urlencode(&folder),
            urlencode(&search)
        )
    });
    Ok(StaffListPage {
        layout: staff_layout(s, csrf, ctx, "Documents"),
        folders: documents::folders(&s.app).await?,
        folder,
        q: search,
        docs: views(&rows[..rows.len().min(PAGE as usize)]),
        next,
        errors,
    })
}

pub(crate) async fn staff_list(
    State(s): State<AppState>,
    Extension(csrf): Extension<CsrfToken>,
    Staff(ctx): Staff,
    Query(q): Query<StaffQuery>,
) -> WebResult<Response> {
    let mut page = staff_list_page(&s, &csrf, &ctx, &q, Errors::default()).await?;
    page.layout = page.layout.with_notice(notice(q.done.as_deref()));
    render(&page)
}

pub(crate) async fn create_folder(
    State(s): State<AppState>,
    Extension(csrf): Extension<CsrfToken>,
    Staff(ctx): Staff,
    form: FormPairs,
) -> WebResult<Response> {
    match documents::create_folder(&s.app, &form.get("name")).await {
        Ok(id) => {
            Ok(Redirect::to(&format!("/staff/documents?folder={id}&done=created")).into_response())
        }
        Err(AppError::Invalid(e)) => {
            let page = staff_list_page(&s, &csrf, &ctx, &StaffQuery::default(), Errors(e)).await?;
            Ok(unprocessable(render(&page)?))
        }
        Err(e) => Err(e.into()),
    }
}

pub(crate) async fn delete_folder(
    State(s): State<AppState>,
    Staff(_ctx): Staff,
    Path(id): Path<String>,
) -> WebResult<Response> {
    documents::delete_folder(&s.app, &id).await?;
    Ok(Redirect::to("/staff/documents?done=deleted").into_response())
}

#[derive(Template)]
#[template(path = "staff/document.html")]
struct DocumentPage {
    layout: Layout,
    id: Option<String>,
    doc: Option<DocView>,
    form: DocumentForm,
    audiences: &'static [(&'static str, &'static str)],
    folders: Vec<Folder>,
    companies: Vec<(String, String)>,
    contacts: Vec<(String, String, String)>,
    projects: Vec<(String, String)>,
    errors: Errors,
    why: Why,
}

async fn document_page(
    s: &AppState,
    csrf: &CsrfToken,
    ctx: &StaffContext,
    id: Option<String>,
    form: DocumentForm,
    errors: Errors,
) -> WebResult<DocumentPage> {
    let doc = match &id {
        Some(id) => Some(documents::staff_find(&s.app, id).await?),
        None => None,
    };
    let title = match &doc {
        Some(d) => d.title.clone(),
        None => "New document".into(),
    };
    let mut why = Why::default();
    if let Some(d) = &doc {
        if let Some(company) = &d.company_id {
            why.portal_users = crate::sales::company_users(s, company).await?;
        }
    }
    Ok(DocumentPage {
        layout: staff_layout(s, csrf, ctx, &title),
        doc: doc
            .as_ref()
            .map(|d| views(std::slice::from_ref(d)).remove(0)),
        id,
        form,
        audiences: AUDIENCES,
        folders: documents::folders(&s.app).await?,
        companies: customers::company_names(&s.app).await?,
        contacts: crate::sales::contact_choices(s).await?,
        projects: courtyard_app::work::project_names(&s.app).await?,
        errors,
        why,
    })
}

#[derive(Deserialize, Default)]
pub(crate) struct NewQuery {
    audience: Option<String>,
    company_id: Option<String>,
    contact_id: Option<String>,
    project_id: Option<String>,
}

pub(crate) async fn new_form(
    State(s): State<AppState>,
    Extension(csrf): Extension<CsrfToken>,
    Staff(ctx): Staff,
    Query(q): Query<NewQuery>,
) -> WebResult<Response> {
    let form = DocumentForm {
        audience: q.audience.unwrap_or_else(|| "company".into()),
        company_id: q.company_id.unwrap_or_default(),
        contact_id: q.contact_id.unwrap_or_default(),
        project_id: q.project_id.unwrap_or_default(),
        ..Default::default()
    };
    render(&document_page(&s, &csrf, &ctx, None, form, Errors::default()).await?)
}

fn form_of(get: impl Fn(&str) -> String) -> DocumentForm {
    DocumentForm {
        title: get("title"),
        description: get("description"),
        folder_id: get("folder_id"),
        audience: get("audience"),
        company_id: get("company_id"),
        contact_id: get("contact_id"),
        project_id: get("project_id"),
        shared: get("shared") == "1",
    }
}

pub(crate) async fn create(
    State(s): State<AppState>,
    Extension(csrf): Extension<CsrfToken>,
    Staff(ctx): Staff,
    m: Result<Multipart, axum::extract::multipart::MultipartRejection>,
) -> WebResult<Response> {
    let upload = crate::upload::read_upload(m).await;
    let form = form_of(|k| upload.get(k));
    let result = match upload.file {
        Ok((name, bytes)) => documents::staff_upload(&s.app, &ctx.staff, &form, &name, bytes).await,
        // Report the form's own problems with the file's.
        Err(p) => {
            let mut e = match documents::check_form(&s.app, &form).await {
                Err(AppError::Invalid(e)) => e,
                Err(other) => return Err(other.into()),
                Ok(()) => vec![],
            };
            e.push(courtyard_app::domain::FieldError::new(
                "file",
                p.message(&s),
            ));
            Err(AppError::Invalid(e))
        }
    };
    match result {
        Ok(id) => Ok(Redirect::to(&format!("/staff/documents/{id}?done=created")).into_response()),
        Err(AppError::Invalid(e)) => {
            let page = document_page(&s, &csrf, &ctx, None, form, Errors(e)).await?;
            Ok(unprocessable(render(&page)?))
        }
        Err(e) => Err(e.into()),
    }
}

#[derive(Deserialize, Default)]
pub(crate) struct FindQuery {
    done: Option<String>,
    #[serde(rename = "as")]
    as_user: Option<String>,
}

pub(crate) async fn find(
    State(s): State<AppState>,
    Extension(csrf): Extension<CsrfToken>,
    Staff(ctx): Staff,
    Path(id): Path<String>,
    Query(q): Query<FindQuery>,
) -> WebResult<Response> {
    let d = documents::staff_find(&s.app, &id).await?;
    let mut page = document_page(
        &s,
        &csrf,
        &ctx,
        Some(id.clone()),
        DocumentForm::from_row(&d),
        Errors::default(),
    )
    .await?;
    if let Some(user) = q.as_user.filter(|u| !u.is_empty()) {
        page.why.explanation = Some(documents::explain(&s.app, &id, &user).await?);
        page.why.as_user = user;
    }
    page.layout = page.layout.with_notice(notice(q.done.as_deref()));
    render(&page)
}

pub(crate) async fn update(
    State(s): State<AppState>,
    Extension(csrf): Extension<CsrfToken>,
    Staff(ctx): Staff,
    Path(id): Path<String>,
    form: FormPairs,
) -> WebResult<Response> {
    let f = form_of(|k| form.get(k));
    match documents::staff_update(&s.app, &id, &f).await {
        Ok(()) => Ok(Redirect::to(&format!("/staff/documents/{id}?done=saved")).into_response()),
        Err(AppError::Invalid(e)) => {
            let page = document_page(&s, &csrf, &ctx, Some(id), f, Errors(e)).await?;
            Ok(unprocessable(render(&page)?))
        }
        Err(e) => Err(e.into()),
    }
}

pub(crate) async fn delete(
    State(s): State<AppState>,
    Staff(_ctx): Staff,
    Path(id): Path<String>,
) -> WebResult<Response> {
    documents::delete(&s.app, &id).await?;
    Ok(Redirect::to("/staff/documents?done=deleted").into_response())
}

// ---- notifications ----

#[derive(Template)]
#[template(path = "staff/notifications.html")]
struct NotificationsPage {
    layout: Layout,
    items: Vec<(String, String, String, bool)>,
}

pub(crate) async fn notifications(
    State(s): State<AppState>,
    Extension(csrf): Extension<CsrfToken>,
    Staff(mut ctx): Staff,
) -> WebResult<Response> {
    let list = notify::open_list(&s.app, &ctx.staff.id).await?;
    ctx.unread = 0;
    let items = list
        .into_iter()
        .map(|n| (n.text, n.link, when(n.created_at), n.read_at.is_none()))
        .collect();
    render(&NotificationsPage {
        layout: Layout::staff(
            "Notifications",
            &s.app.config.business_name,
            &csrf.0,
            &ctx,
            "",
        ),
        items,
    })
}
