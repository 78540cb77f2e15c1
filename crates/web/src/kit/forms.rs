//! Form bodies. The CSRF middleware has already buffered and checked them.

use axum::body::Bytes;
use axum::extract::{FromRequest, Request};
use courtyard_domain::FieldError;
use serde::de::DeserializeOwned;

use crate::kit::error::WebError;
use crate::kit::state::AppState;

/// A urlencoded form deserialized into `T` (`serde_html_form`: a repeated
/// key, such as a column of line inputs or a group of checkboxes, fills a
/// `Vec`; a single one fills a one-item `Vec`). A key repeated for a
/// one-value field is refused (400) as it was before: our pages never send
/// one twice, so only a hand-made request does.
pub struct Form<T>(pub T);

impl<T: DeserializeOwned> FromRequest<AppState> for Form<T> {
    type Rejection = WebError;
    async fn from_request(req: Request, state: &AppState) -> Result<Self, Self::Rejection> {
        let bytes = Bytes::from_request(req, state)
            .await
            .map_err(|_| WebError::PayloadTooLarge)?;
        serde_html_form::from_bytes(&bytes).map(Form).map_err(|_| {
            WebError::App(courtyard_app::AppError::Refused(
                "We could not read that form. Please reload the page and try again.".into(),
            ))
        })
    }
}

/// Field errors for a form page.
#[derive(Debug, Default, Clone)]
pub struct Errors(pub Vec<FieldError>);

impl Errors {
    pub fn get(&self, field: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|e| e.field == field)
            .map(|e| e.message.as_str())
    }

    pub fn any(&self) -> bool {
        !self.0.is_empty()
    }

    /// One summary line per error, for the box at the top of a form.
    pub fn messages(&self) -> Vec<&str> {
        self.0.iter().map(|e| e.message.as_str()).collect()
    }
}
