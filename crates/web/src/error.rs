//! Turning errors into responses. "Not found" and "outside your scope" are
//! the same response; 5xx bodies are opaque and their cause is logged.

use askama::Template;
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{Html, IntoResponse, Response};
use courtyard_app::AppError;

use crate::layout::Layout;

#[derive(Debug)]
pub enum WebError {
    NotFound,
    App(AppError),
    PayloadTooLarge,
    Csrf,
}

impl From<AppError> for WebError {
    fn from(e: AppError) -> Self {
        match e {
            AppError::NotFound => WebError::NotFound,
            other => WebError::App(other),
        }
    }
}

#[derive(Template)]
#[template(path = "error.html")]
struct ErrorPage {
    layout: Layout,
    heading: String,
    message: String,
}

pub(crate) fn error_page(status: StatusCode, heading: &str, message: &str) -> Response {
    let page = ErrorPage {
        layout: Layout::bare(heading),
        heading: heading.to_owned(),
        message: message.to_owned(),
    };
    let body = page.render().unwrap_or_else(|_| message.to_owned());
    (status, Html(body)).into_response()
}

impl IntoResponse for WebError {
    fn into_response(self) -> Response {
        match self {
            WebError::NotFound => error_page(
                StatusCode::NOT_FOUND,
                "Page not found",
                "The page you asked for does not exist, or you do not have access to it.",
            ),
            WebError::PayloadTooLarge => error_page(
                StatusCode::PAYLOAD_TOO_LARGE,
                "That was too large",
                "What you sent is larger than we accept. Nothing was saved. Please send less and try again.",
            ),
            WebError::Csrf => error_page(
                StatusCode::FORBIDDEN,
                "Please try again",
                "Your form expired or did not come from this site, so nothing was saved. Go back, reload the page and submit it again.",
            ),
            WebError::App(e) => match e {
                AppError::NotFound => WebError::NotFound.into_response(),
                AppError::Forbidden => error_page(
                    StatusCode::FORBIDDEN,
                    "Not allowed",
                    "Your account is not allowed to do this. Ask your administrator if you need it.",
                ),
                AppError::Invalid(errors) => {
                    let msg = errors.iter().map(|e| e.message.as_str()).collect::<Vec<_>>().join(" ");
                    error_page(StatusCode::UNPROCESSABLE_ENTITY, "Please check your input", &msg)
                }
                AppError::Conflict(msg) => error_page(StatusCode::CONFLICT, "That can't be done now", &msg),
                AppError::Refused(msg) => error_page(StatusCode::BAD_REQUEST, "That didn't work", &msg),
                AppError::RateLimited { retry_after_secs } => {
                    let mut r = error_page(
                        StatusCode::TOO_MANY_REQUESTS,
                        "Too many attempts",
                        &format!("Please wait {} and try again.", human_wait(retry_after_secs)),
                    );
                    if let Ok(v) = HeaderValue::from_str(&retry_after_secs.to_string()) {
                        r.headers_mut().insert(header::RETRY_AFTER, v);
                    }
                    r
                }
                AppError::Internal(cause) => {
                    tracing::error!(error = ?cause, "internal error");
                    error_page(
                        StatusCode::INTERNAL_SERVER_ERROR,
                        "Something went wrong",
                        "We could not complete your request and nothing was changed. Please try again in a moment.",
                    )
                }
            },
        }
    }
}

pub(crate) fn human_wait(secs: i64) -> String {
    if secs <= 60 {
        format!("{} second{}", secs.max(1), if secs == 1 { "" } else { "s" })
    } else {
        let m = (secs + 59) / 60;
        format!("{m} minute{}", if m == 1 { "" } else { "s" })
    }
}

pub type WebResult<T> = Result<T, WebError>;

/// A one-time link that no longer works.
#[derive(Template)]
#[template(path = "link_gone.html")]
pub(crate) struct LinkGonePage {
    pub layout: Layout,
    pub message: String,
    pub what_next: String,
}
