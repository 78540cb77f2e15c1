//! Staff attach files to records, download them and their thumbnails
//! (downloads a browser can only save, never render), and share them.

use crate::kit::error::WebResult;
use crate::kit::forms::Form;
use crate::kit::session::Staff;
use crate::kit::state::AppState;
use crate::ui::file_views::*;
use axum::extract::{Multipart, Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use courtyard_app::files;
use courtyard_app::AppError;

/// Staff attach a file to a record; hidden from the portal until shared.
pub(crate) async fn staff_upload<H: crate::ui::records::Marker>(
    State(s): State<AppState>,
    Staff(ctx): Staff,
    Path(id): Path<String>,
    m: Result<Multipart, axum::extract::multipart::MultipartRejection>,
) -> WebResult<Response> {
    let form = crate::kit::upload::read_upload(m).await;
    let (note, share) = (form.get("note"), form.get("shared") == "1");
    let (name, bytes) = match form.file {
        Ok(x) => x,
        Err(p) => return Ok(p.into_response(&s)),
    };
    match files::staff_attach(
        &s.app,
        &ctx.staff,
        H::KIND.as_str(),
        &id,
        &name,
        bytes,
        &note,
        share,
    )
    .await
    {
        Ok(_) => {
            let page = files::staff_page(H::KIND.as_str(), &id).ok_or(AppError::NotFound)?;
            Ok(Redirect::to(&format!("{page}?done=uploaded#files")).into_response())
        }
        Err(AppError::Invalid(e)) => Ok(crate::kit::error::error_page(
            StatusCode::UNPROCESSABLE_ENTITY,
            "The file was not uploaded",
            &e[0].message,
        )),
        Err(e) => Err(e.into()),
    }
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

/// The share switch: `shared=1` shares, anything else hides.
#[derive(Debug, Default, serde::Deserialize)]
#[serde(default)]
pub(crate) struct ShareFields {
    shared: String,
}

/// Share a file with the portal, or hide it again.
pub(crate) async fn staff_share(
    State(s): State<AppState>,
    Staff(_ctx): Staff,
    Path(id): Path<String>,
    Form(form): Form<ShareFields>,
) -> WebResult<Response> {
    let f = files::staff_find(&s.app, &id).await?;
    // Only files on records: a document is shared from its own page (its
    // flag and its file's move together), the logo never.
    let page = files::staff_page(&f.record_type, &f.record_id).ok_or(AppError::NotFound)?;
    files::set_shared(&s.app, &id, form.shared == "1").await?;
    Ok(Redirect::to(&format!("{page}?done=saved#files")).into_response())
}
