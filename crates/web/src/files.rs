//! Uploading and downloading files on records: multipart
//! forms checked by the app, and downloads that a browser can only save,
//! never render.

use axum::extract::{Multipart, Path, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::Extension;
use bytes::Bytes;
use courtyard_app::db::files::FileRow;
use courtyard_app::domain::files::{display_name, FileKind};
use courtyard_app::files;
use courtyard_app::AppError;

use crate::csrf::CsrfToken;
use crate::error::WebResult;
use crate::file_views::{attachment, sandboxed};
use crate::forms::FormPairs;
use crate::session::{Portal, Staff};
use crate::state::AppState;

fn file_response(f: &FileRow, bytes: Bytes) -> Response {
    let kind = FileKind::parse(&f.kind).unwrap_or(FileKind::Pdf);
    attachment(bytes, kind.content_type(), &display_name(&f.display_name))
}

/// A customer uploads onto a job, project, task or ticket they can see.
pub(crate) async fn portal_upload<K: crate::work::Kind>(
    State(s): State<AppState>,
    Extension(csrf): Extension<CsrfToken>,
    Portal(ctx): Portal,
    Path(id): Path<String>,
    m: Result<Multipart, axum::extract::multipart::MultipartRejection>,
) -> WebResult<Response> {
    let kind = K::KIND;
    // A record this person cannot see is not found, whatever was sent.
    files::portal_check(&s.app, &ctx, kind.as_str(), &id).await?;
    let form = crate::upload::read_upload(m).await;
    let note = form.get("note");
    let result = match form.file {
        Ok((name, bytes)) => {
            files::portal_upload(&s.app, &ctx, kind.as_str(), &id, &name, bytes, &note).await
        }
        Err(p) => Err(AppError::field("file", p.message(&s))),
    };
    match result {
        Ok(_) => Ok(Redirect::to(&format!(
            "{}/{id}?done=uploaded#files",
            kind.module().portal_path()
        ))
        .into_response()),
        Err(AppError::Invalid(e)) => {
            crate::work::page_with_error(&s, &csrf, &ctx, kind, &id, e[0].message.clone(), note)
                .await
        }
        Err(AppError::Conflict(msg)) => {
            let mut r = crate::work::page_with_error(&s, &csrf, &ctx, kind, &id, msg, note).await?;
            *r.status_mut() = StatusCode::CONFLICT;
            Ok(r)
        }
        Err(e) => Err(e.into()),
    }
}

pub(crate) async fn portal_download(
    State(s): State<AppState>,
    Portal(ctx): Portal,
    Path(id): Path<String>,
) -> WebResult<Response> {
    let (f, bytes) = files::portal_download(&s.app, &ctx, &id).await?;
    Ok(file_response(&f, bytes))
}

/// A record type files attach to, as a type: one upload handler for all.
pub(crate) trait Host: Send + Sync + 'static {
    const RECORD_TYPE: &'static str;
}

macro_rules! hosts {
    ($($t:ty => $rt:literal),* $(,)?) => {
        $(impl Host for $t { const RECORD_TYPE: &'static str = $rt; })*
    };
}
hosts!(
    crate::sales::Quotes => "quote",
    crate::sales::Orders => "order",
    crate::sales::Invoices => "invoice",
    crate::work::Jobs => "job",
    crate::work::Tickets => "ticket",
    crate::work::Projects => "project",
    crate::work::Tasks => "task",
);

/// Staff attach a file to a record; hidden from the portal until shared.
pub(crate) async fn staff_upload<H: Host>(
    State(s): State<AppState>,
    Staff(ctx): Staff,
    Path(id): Path<String>,
    m: Result<Multipart, axum::extract::multipart::MultipartRejection>,
) -> WebResult<Response> {
    let form = crate::upload::read_upload(m).await;
    let (note, share) = (form.get("note"), form.get("shared") == "1");
    let (name, bytes) = match form.file {
        Ok(x) => x,
        Err(p) => return Ok(p.into_response(&s)),
    };
    match files::staff_attach(
        &s.app,
        &ctx.staff,
        H::RECORD_TYPE,
        &id,
        &name,
        bytes,
        &note,
        share,
    )
    .await
    {
        Ok(_) => {
            let page = files::staff_page(H::RECORD_TYPE, &id).ok_or(AppError::NotFound)?;
            Ok(Redirect::to(&format!("{page}?done=uploaded#files")).into_response())
        }
        Err(AppError::Invalid(e)) => Ok(crate::error::error_page(
            StatusCode::UNPROCESSABLE_ENTITY,
            "The file was not uploaded",
            &e[0].message,
        )),
        Err(e) => Err(e.into()),
    }
}

/// A thumbnail is an image we made ourselves (PNG); same headers otherwise,
/// but it may be shown inline. Not cached, like every authenticated answer:
/// a shared computer's cache must not keep a customer's pictures.
fn thumb_response(bytes: Bytes) -> Response {
    let mut r = bytes.into_response();
    let h = r.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static("image/png"));
    sandboxed(h);
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    r
}

pub(crate) async fn portal_thumb(
    State(s): State<AppState>,
    Portal(ctx): Portal,
    Path(id): Path<String>,
) -> WebResult<Response> {
    Ok(thumb_response(
        files::portal_thumb(&s.app, &ctx, &id).await?,
    ))
}

pub(crate) async fn staff_thumb(
    State(s): State<AppState>,
    Staff(_ctx): Staff,
    Path(id): Path<String>,
) -> WebResult<Response> {
    Ok(thumb_response(files::staff_thumb(&s.app, &id).await?))
}

pub(crate) async fn staff_download(
    State(s): State<AppState>,
    Staff(_ctx): Staff,
    Path(id): Path<String>,
) -> WebResult<Response> {
    let (f, bytes) = files::staff_download(&s.app, &id).await?;
    Ok(file_response(&f, bytes))
}

/// Share a file with the portal, or hide it again.
pub(crate) async fn staff_share(
    State(s): State<AppState>,
    Staff(_ctx): Staff,
    Path(id): Path<String>,
    form: FormPairs,
) -> WebResult<Response> {
    let f = files::staff_find(&s.app, &id).await?;
    // Only files on records: a document is shared from its own page (its
    // flag and its file's move together), the logo never.
    let page = files::staff_page(&f.record_type, &f.record_id).ok_or(AppError::NotFound)?;
    files::set_shared(&s.app, &id, form.get("shared") == "1").await?;
    Ok(Redirect::to(&format!("{page}?done=saved#files")).into_response())
}
