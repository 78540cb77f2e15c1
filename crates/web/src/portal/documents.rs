//! The portal's Documents module: three folders with search and pages, and customer uploads.

use crate::kit::error::WebResult;
use crate::kit::forms::Errors;
use crate::kit::layout::{notice, Layout};
use crate::kit::page::PortalPage;
use crate::kit::render::{render, unprocessable};
use askama::Template;
use axum::extract::{Multipart, Query};
use axum::response::{IntoResponse, Redirect, Response};
use courtyard_app::documents::{self, PortalFolder};
use courtyard_app::domain::FieldCode;
use courtyard_app::domain::{Action, Module};
use courtyard_app::AppError;
use serde::Deserialize;

use crate::ui::documents::*;

#[derive(Deserialize, Default)]
pub(crate) struct PortalQuery {
    folder: Option<String>,
    q: Option<String>,
    before: Option<String>,
    done: Option<String>,
}

#[derive(Template)]
#[template(path = "portal/documents.html")]
struct DocumentsPage {
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

impl DocumentsPage {
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

async fn portal_page(p: &PortalPage, q: &PortalQuery) -> WebResult<DocumentsPage> {
    let folder = q
        .folder
        .as_deref()
        .and_then(PortalFolder::parse)
        .unwrap_or(PortalFolder::Public);
    let search = q.q.clone().unwrap_or_default();
    let rows = documents::portal_list(
        &p.s.app,
        &p.ctx,
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
    if !p.ctx.grants.allows(Module::Projects, Action::View) {
        folders.retain(|(k, _)| *k != "project");
    }
    Ok(DocumentsPage {
        layout: Layout::portal(
            "Documents",
            &p.s.app.config.business_name,
            &p.csrf.0,
            &p.ctx,
            "/documents",
        ),
        folder: folder.key(),
        folders,
        q: search,
        docs: views(shown),
        next,
        can_upload: p.ctx.grants.allows(Module::Documents, Action::Upload),
        form: (String::new(), String::new()),
        errors: Errors::default(),
        open_form: false,
    })
}

pub(crate) async fn portal_list(
    p: PortalPage,
    Query(q): Query<PortalQuery>,
) -> WebResult<Response> {
    let mut page = portal_page(&p, &q).await?;
    page.layout = page.layout.with_notice(notice(q.done.as_deref()));
    render(&page)
}

pub(crate) async fn portal_upload(
    p: PortalPage,
    m: Result<Multipart, axum::extract::multipart::MultipartRejection>,
) -> WebResult<Response> {
    let form = crate::kit::upload::read_upload(m).await;
    let (title, description) = (form.get("title"), form.get("description"));
    let result = match form.file {
        Ok((name, bytes)) => {
            documents::portal_upload(&p.s.app, &p.ctx, &title, &description, &name, bytes).await
        }
        Err(problem) => {
            // Still check the text fields, so every problem shows at once.
            let mut e = vec![courtyard_app::domain::FieldError::new(
                "file",
                FieldCode::File,
                problem.message(&p.s),
            )];
            if title.trim().is_empty() {
                e.insert(
                    0,
                    courtyard_app::domain::FieldError::new(
                        "title",
                        FieldCode::Required,
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
                &p,
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
