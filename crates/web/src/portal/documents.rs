//! The portal's Documents module: three folders with search and pages, and customer uploads.

use crate::kit::csrf::CsrfToken;
use crate::kit::error::WebResult;
use crate::kit::forms::Errors;
use crate::kit::layout::{notice, Layout};
use crate::kit::render::{render, unprocessable};
use crate::kit::session::Portal;
use crate::kit::state::AppState;
use askama::Template;
use axum::extract::{Multipart, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::Extension;
use courtyard_app::auth::PortalContext;
use courtyard_app::documents::{self, PortalFolder};
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
    let form = crate::kit::upload::read_upload(m).await;
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
