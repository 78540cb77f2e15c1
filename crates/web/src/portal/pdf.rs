//! The PDF of a quote, order or invoice, from its type's sharing template.

use crate::kit::error::WebResult;
use crate::kit::session::{Client, Portal};
use crate::kit::state::AppState;
use crate::ui::file_views::*;
use crate::ui::records::Marker;
use crate::ui::sales::sales_kind;
use axum::extract::{Path, State};
use axum::response::Response;
use courtyard_app::pdf::{self};

pub(crate) async fn portal_pdf<K: Marker>(
    State(s): State<AppState>,
    Portal(ctx): Portal,
    Client(client): Client,
    Path(id): Path<String>,
) -> WebResult<Response> {
    Ok(pdf_response(
        pdf::portal_pdf(&s.app, &ctx, sales_kind::<K>(), &id, &client.ip).await?,
    ))
}
