//! The staff Documents pages: the list with folders, the page of each document, documents on
//! company and person pages, and the staff's notification list.

use crate::kit::error::WebResult;
use crate::kit::forms::{Errors, Form};
use crate::kit::layout::{notice, when, Layout};
use crate::kit::page::StaffPage;
use crate::kit::render::{render, saved_or_again};
use crate::kit::session::Staff;
use crate::kit::state::AppState;
use crate::ui::records::Why;
use askama::Template;
use axum::extract::{Multipart, Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use courtyard_app::documents::{self, DocumentForm, AUDIENCES};
use courtyard_app::documents::{DocumentFilter, Folder};
use courtyard_app::domain::FieldCode;
use courtyard_app::{customers, notify, AppError};
use serde::Deserialize;

use crate::ui::documents::*;

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

async fn staff_list_page(
    p: &StaffPage,
    q: &StaffQuery,
    errors: Errors,
) -> WebResult<StaffListPage> {
    let folder = q.folder.clone().unwrap_or_default();
    let search = q.q.clone().unwrap_or_default();
    let rows = documents::staff_list(
        &p.s.app,
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
        layout: p.layout("Documents", "/staff/documents"),
        folders: documents::folders(&p.s.app).await?,
        folder,
        q: search,
        docs: views(&rows[..rows.len().min(PAGE as usize)]),
        next,
        errors,
    })
}

pub(crate) async fn staff_list(p: StaffPage, Query(q): Query<StaffQuery>) -> WebResult<Response> {
    let mut page = staff_list_page(&p, &q, Errors::default()).await?;
    page.layout = page.layout.with_notice(notice(q.done.as_deref()));
    render(&page)
}

/// A new folder's name.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub(crate) struct FolderFields {
    name: String,
}

pub(crate) async fn create_folder(
    p: StaffPage,
    Form(form): Form<FolderFields>,
) -> WebResult<Response> {
    saved_or_again(
        documents::create_folder(&p.s.app, &form.name).await,
        |id| format!("/staff/documents?folder={id}&done=created"),
        async |e| staff_list_page(&p, &StaffQuery::default(), e).await,
    )
    .await
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
    p: &StaffPage,
    id: Option<String>,
    form: DocumentForm,
    errors: Errors,
) -> WebResult<DocumentPage> {
    let doc = match &id {
        Some(id) => Some(documents::staff_find(&p.s.app, id).await?),
        None => None,
    };
    let title = match &doc {
        Some(d) => d.title.clone(),
        None => "New document".into(),
    };
    let mut why = Why::default();
    if let Some(d) = &doc {
        if let Some(company) = &d.company_id {
            why.portal_users = super::picks::company_users(&p.s, company).await?;
        }
    }
    Ok(DocumentPage {
        layout: p.layout(&title, "/staff/documents"),
        doc: doc
            .as_ref()
            .map(|d| views(std::slice::from_ref(d)).remove(0)),
        id,
        form,
        audiences: AUDIENCES,
        folders: documents::folders(&p.s.app).await?,
        companies: customers::company_names(&p.s.app).await?,
        contacts: super::picks::contact_choices(&p.s).await?,
        projects: courtyard_app::work::project_names(&p.s.app).await?,
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

pub(crate) async fn new_form(p: StaffPage, Query(q): Query<NewQuery>) -> WebResult<Response> {
    let form = DocumentForm {
        audience: q.audience.unwrap_or_else(|| "company".into()),
        company_id: q.company_id.unwrap_or_default(),
        contact_id: q.contact_id.unwrap_or_default(),
        project_id: q.project_id.unwrap_or_default(),
        ..Default::default()
    };
    render(&document_page(&p, None, form, Errors::default()).await?)
}

/// A document's fields as the edit form sends them (the upload form sends
/// the same names, read by the multipart reader into [`form_of`]).
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub(crate) struct DocumentFields {
    title: String,
    description: String,
    folder_id: String,
    audience: String,
    company_id: String,
    contact_id: String,
    project_id: String,
    shared: String,
}

impl From<DocumentFields> for DocumentForm {
    fn from(f: DocumentFields) -> Self {
        DocumentForm {
            title: f.title,
            description: f.description,
            folder_id: f.folder_id,
            audience: f.audience,
            company_id: f.company_id,
            contact_id: f.contact_id,
            project_id: f.project_id,
            shared: f.shared == "1",
        }
    }
}

/// The upload form's fields, read by name from the multipart reader.
fn form_of(get: impl Fn(&str) -> String) -> DocumentForm {
    DocumentFields {
        title: get("title"),
        description: get("description"),
        folder_id: get("folder_id"),
        audience: get("audience"),
        company_id: get("company_id"),
        contact_id: get("contact_id"),
        project_id: get("project_id"),
        shared: get("shared"),
    }
    .into()
}

pub(crate) async fn create(
    p: StaffPage,
    m: Result<Multipart, axum::extract::multipart::MultipartRejection>,
) -> WebResult<Response> {
    let upload = crate::kit::upload::read_upload(m).await;
    let form = form_of(|k| upload.get(k));
    let result = match upload.file {
        Ok((name, bytes)) => {
            documents::staff_upload(&p.s.app, &p.ctx.staff, &form, &name, bytes).await
        }
        // Report the form's own problems with the file's.
        Err(problem) => {
            let mut e = match documents::check_form(&p.s.app, &form).await {
                Err(AppError::Invalid(e)) => e,
                Err(other) => return Err(other.into()),
                Ok(()) => vec![],
            };
            e.push(courtyard_app::domain::FieldError::new(
                "file",
                FieldCode::File,
                problem.message(&p.s),
            ));
            Err(AppError::Invalid(e))
        }
    };
    saved_or_again(
        result,
        |id| format!("/staff/documents/{id}?done=created"),
        async |e| document_page(&p, None, form, e).await,
    )
    .await
}

#[derive(Deserialize, Default)]
pub(crate) struct FindQuery {
    done: Option<String>,
    #[serde(rename = "as")]
    as_user: Option<String>,
}

pub(crate) async fn find(
    p: StaffPage,
    Path(id): Path<String>,
    Query(q): Query<FindQuery>,
) -> WebResult<Response> {
    let d = documents::staff_find(&p.s.app, &id).await?;
    let mut page = document_page(
        &p,
        Some(id.clone()),
        DocumentForm::from_row(&d),
        Errors::default(),
    )
    .await?;
    if let Some(user) = q.as_user.filter(|u| !u.is_empty()) {
        page.why.explanation = Some(documents::explain(&p.s.app, &id, &user).await?);
        page.why.as_user = user;
    }
    page.layout = page.layout.with_notice(notice(q.done.as_deref()));
    render(&page)
}

pub(crate) async fn update(
    p: StaffPage,
    Path(id): Path<String>,
    Form(form): Form<DocumentFields>,
) -> WebResult<Response> {
    let f = DocumentForm::from(form);
    saved_or_again(
        documents::staff_update(&p.s.app, &id, &f).await,
        |()| format!("/staff/documents/{id}?done=saved"),
        async |e| document_page(&p, Some(id.clone()), f, e).await,
    )
    .await
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

pub(crate) async fn notifications(mut p: StaffPage) -> WebResult<Response> {
    let list = notify::open_list(&p.s.app, &p.ctx.staff.id).await?;
    p.ctx.unread = 0;
    let items = list
        .into_iter()
        .map(|n| (n.text, n.link, when(n.created_at), n.read_at.is_none()))
        .collect();
    render(&NotificationsPage {
        layout: p.layout("Notifications", ""),
        items,
    })
}
