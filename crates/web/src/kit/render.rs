//! Rendering a page: its HTML (a 500 when a template fails), the 422 of a
//! re-shown form, and the one answer to a submitted form.

use askama::Template;
use axum::response::{Html, IntoResponse, Redirect, Response};
use courtyard_app::{AppError, AppResult};

use crate::kit::error::{WebError, WebResult};
use crate::kit::forms::Errors;

/// A page's HTML, or a 500 when its template fails.
pub(crate) fn render(t: &impl Template) -> WebResult<Response> {
    t.render()
        .map(|html| Html(html).into_response())
        .map_err(|e| WebError::App(AppError::Internal(e.into())))
}

/// The same response as 422, for a form re-shown with its problems.
pub(crate) fn unprocessable(mut r: Response) -> Response {
    *r.status_mut() = axum::http::StatusCode::UNPROCESSABLE_ENTITY;
    r
}

/// The answer to a submitted form: saved, a 303 to the page `to` names for
/// the result; refused with field errors, the form again (422) as `again`
/// builds it from them, with what was typed; any other error goes to the
/// error edge.
pub(crate) async fn saved_or_again<T, P: Template>(
    result: AppResult<T>,
    to: impl FnOnce(T) -> String,
    again: impl AsyncFnOnce(Errors) -> WebResult<P>,
) -> WebResult<Response> {
    match result {
        Ok(v) => Ok(Redirect::to(&to(v)).into_response()),
        Err(AppError::Invalid(e)) => render(&again(Errors(e)).await?).map(unprocessable),
        Err(e) => Err(e.into()),
    }
}
