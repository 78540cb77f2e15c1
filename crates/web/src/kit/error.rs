//! Turning errors into responses. "Not found" and "outside your scope" are
//! the same response; 5xx bodies are opaque and their cause is logged.

use askama::Template;
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use courtyard_app::AppError;

use crate::kit::layout::Layout;

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

/// What an error response says; [`negotiate`] turns it into the final body.
/// `code` is stable (an API client or a translation keys on it); `fields`
/// are the refused fields of a form, each with its code and message.
#[derive(Clone, Debug)]
pub(crate) struct ErrorInfo {
    code: &'static str,
    heading: String,
    message: String,
    fields: Vec<courtyard_app::domain::FieldError>,
}

/// The code of an error response that names none: its status's kind.
fn code_of(status: StatusCode) -> &'static str {
    match status.as_u16() {
        400 => "refused",
        403 => "forbidden",
        404 => "not_found",
        409 => "conflict",
        413 => "too_large",
        415 => "unsupported_type",
        422 => "invalid",
        429 => "rate_limited",
        503 => "busy",
        _ => "internal",
    }
}

pub(crate) fn error_page(status: StatusCode, heading: &str, message: &str) -> Response {
    coded_error_page(status, code_of(status), heading, message, Vec::new())
}

fn coded_error_page(
    status: StatusCode,
    code: &'static str,
    heading: &str,
    message: &str,
    fields: Vec<courtyard_app::domain::FieldError>,
) -> Response {
    let mut r = (status, message.to_owned()).into_response();
    r.extensions_mut().insert(ErrorInfo {
        code,
        heading: heading.to_owned(),
        message: message.to_owned(),
        fields,
    });
    r
}

/// Render every error response for its audience: a JSON envelope for API
/// clients (`Accept: application/json`), otherwise a page in the business's
/// colours. Runs once, at the edge, so handlers just return errors.
pub(crate) async fn negotiate(
    axum::extract::State(state): axum::extract::State<crate::kit::state::AppState>,
    req: axum::extract::Request,
    next: axum::middleware::Next,
) -> Response {
    let wants_json = req
        .headers()
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|a| a.contains("application/json") && !a.contains("text/html"));
    let resp = next.run(req).await;
    let Some(info) = resp.extensions().get::<ErrorInfo>().cloned() else {
        return resp;
    };
    let (mut parts, _) = resp.into_parts();
    parts.headers.remove(header::CONTENT_LENGTH);
    if wants_json {
        let body = envelope(parts.status, &info);
        parts.headers.insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/json"),
        );
        return Response::from_parts(parts, axum::body::Body::from(body.to_string()));
    }
    let page = ErrorPage {
        layout: Layout::public(&info.heading, &state.app.config.business_name, ""),
        heading: info.heading,
        message: info.message,
    };
    let body = page.render().unwrap_or_else(|_| page_fallback());
    parts.headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/html; charset=utf-8"),
    );
    Response::from_parts(parts, axum::body::Body::from(body))
}

/// The JSON error envelope an API client gets: the status, a stable code,
/// the English title and message, and each refused field with its code.
fn envelope(status: StatusCode, info: &ErrorInfo) -> serde_json::Value {
    let fields: Vec<_> = info
        .fields
        .iter()
        .map(|f| {
            serde_json::json!({ "field": f.field, "code": f.code.as_str(), "message": f.message })
        })
        .collect();
    serde_json::json!({ "error": {
        "status": status.as_u16(),
        "code": info.code,
        "title": info.heading,
        "message": info.message,
        "fields": fields,
    } })
}

fn page_fallback() -> String {
    "Something went wrong.".to_owned()
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
            WebError::Csrf => coded_error_page(
                StatusCode::FORBIDDEN,
                "csrf",
                "Please try again",
                "Your form expired or did not come from this site, so nothing was saved. Go back, reload the page and submit it again.",
                Vec::new(),
            ),
            WebError::App(e) => {
                let code = e.code();
                let mut r = match e {
                AppError::NotFound => WebError::NotFound.into_response(),
                AppError::Forbidden => error_page(
                    StatusCode::FORBIDDEN,
                    "Not allowed",
                    "Your account is not allowed to do this. Ask your administrator if you need it.",
                ),
                AppError::Invalid(errors) => {
                    let msg = errors.iter().map(|e| e.message.as_str()).collect::<Vec<_>>().join(" ");
                    let fields = errors;
                    coded_error_page(StatusCode::UNPROCESSABLE_ENTITY, "invalid", "Please check your input", &msg, fields)
                }
                AppError::Conflict(msg) => error_page(StatusCode::CONFLICT, "That can't be done now", &msg),
                AppError::Refused(msg) => error_page(StatusCode::BAD_REQUEST, "That didn't work", &msg),
                AppError::Busy(msg) => {
                    let mut r = error_page(StatusCode::SERVICE_UNAVAILABLE, "Please try again", &msg);
                    r.headers_mut()
                        .insert(header::RETRY_AFTER, HeaderValue::from_static("2"));
                    r
                }
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
                };
                if let Some(info) = r.extensions_mut().get_mut::<ErrorInfo>() {
                    info.code = code;
                }
                r
            }
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

#[cfg(test)]
mod tests {
    use super::*;
    use courtyard_app::domain::{FieldCode, FieldError};

    #[test]
    fn a_refused_form_names_each_field_with_its_code_for_api_clients() {
        let r = WebError::App(AppError::Invalid(vec![
            FieldError::new("subject", FieldCode::Required, "Enter a subject."),
            FieldError::new("due_on", FieldCode::Format, "Enter a date as YYYY-MM-DD."),
        ]))
        .into_response();
        let info = r.extensions().get::<ErrorInfo>().expect("error info");
        let v = envelope(r.status(), info);
        assert_eq!(v["error"]["status"], 422);
        assert_eq!(v["error"]["code"], "invalid");
        assert_eq!(v["error"]["fields"][0]["field"], "subject");
        assert_eq!(v["error"]["fields"][0]["code"], "required");
        assert_eq!(v["error"]["fields"][1]["code"], "format");
        assert_eq!(
            v["error"]["fields"][1]["message"],
            "Enter a date as YYYY-MM-DD."
        );
    }
}
