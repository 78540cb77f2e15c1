//! Customers upload files to records (multipart forms checked by the app),
//! and download shared ones and their thumbnails: downloads a browser can
//! only save, never render.

use crate::kit::error::WebResult;
use crate::kit::page::PortalPage;
use crate::kit::session::Portal;
use crate::kit::state::AppState;
use crate::ui::file_views::*;
use axum::extract::{Multipart, Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use courtyard_app::domain::FieldCode;
use courtyard_app::files;
use courtyard_app::AppError;

/// A customer uploads onto a job, project, task or ticket they can see.
pub(crate) async fn portal_upload<K: crate::ui::records::Marker>(
    p: PortalPage,
    Path(id): Path<String>,
    m: Result<Multipart, axum::extract::multipart::MultipartRejection>,
) -> WebResult<Response> {
    let kind = crate::ui::work::work_kind::<K>();
    // A record this person cannot see is not found, whatever was sent.
    files::portal_check(&p.s.app, &p.ctx, kind.as_str(), &id).await?;
    let form = crate::kit::upload::read_upload(m).await;
    let note = form.get("note");
    let result = match form.file {
        Ok((name, bytes)) => {
            files::portal_upload(&p.s.app, &p.ctx, kind.as_str(), &id, &name, bytes, &note).await
        }
        Err(problem) => Err(AppError::field(
            "file",
            FieldCode::File,
            problem.message(&p.s),
        )),
    };
    match result {
        Ok(_) => Ok(Redirect::to(&format!(
            "{}/{id}?done=uploaded#files",
            kind.module().portal_path()
        ))
        .into_response()),
        Err(AppError::Invalid(e)) => {
            super::work::page_with_error(&p, kind, &id, e[0].message.clone(), note).await
        }
        Err(AppError::Conflict(msg)) => {
            let mut r = super::work::page_with_error(&p, kind, &id, msg, note).await?;
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

pub(crate) async fn portal_thumb(
    State(s): State<AppState>,
    Portal(ctx): Portal,
    Path(id): Path<String>,
) -> WebResult<Response> {
    Ok(thumb_response(
        files::portal_thumb(&s.app, &ctx, &id).await?,
    ))
}
