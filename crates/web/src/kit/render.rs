//! Rendering a page: its HTML (a 500 when a template fails), the 422 of a
//! re-shown form, and the layout of a staff page.

use askama::Template;
use axum::response::{Html, IntoResponse, Response};
use courtyard_app::auth::StaffContext;
use courtyard_app::AppError;

use crate::kit::csrf::CsrfToken;
use crate::kit::error::{WebError, WebResult};
use crate::kit::layout::Layout;
use crate::kit::state::AppState;

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

/// The layout of a staff page.
pub(crate) fn staff_layout(
    s: &AppState,
    csrf: &CsrfToken,
    ctx: &StaffContext,
    title: &str,
    active: &str,
) -> Layout {
    Layout::staff(title, &s.app.config.business_name, &csrf.0, ctx, active)
}
