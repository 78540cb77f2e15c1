//! CSRF protection for every state-changing request, in one middleware:
//! a random token in an HttpOnly, SameSite=Strict cookie must come back in the
//! form's `csrf` field (or the `X-CSRF-Token` header), and a cross-site
//! `Sec-Fetch-Site`/`Origin` is refused outright. See docs/adr/0005.

use axum::body::{to_bytes, Body};
use axum::extract::{Request, State};
use axum::http::{header, Method};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use courtyard_app::security::{random_token, same};

use crate::session::{cookie_value, set_cookie};
use crate::{AppState, WebError};

pub const COOKIE: &str = "cy_csrf";
const FIELD: &str = "csrf";
const HEADER: &str = "x-csrf-token";

/// The token a page must put in its forms.
#[derive(Clone, Debug)]
pub struct CsrfToken(pub String);

fn cross_site(req: &Request) -> bool {
    let h = req.headers();
    // Browsers that send Fetch Metadata say exactly where a request comes
    // from; trust it over Origin, which is "null" under some referrer policies.
    if let Some(site) = h.get("sec-fetch-site").and_then(|v| v.to_str().ok()) {
        return !matches!(site, "same-origin" | "none");
    }
    match (
        h.get(header::ORIGIN).and_then(|v| v.to_str().ok()),
        h.get(header::HOST).and_then(|v| v.to_str().ok()),
    ) {
        (Some("null"), _) => true,
        (Some(origin), Some(host)) => origin.split_once("://").map(|(_, rest)| rest) != Some(host),
        _ => false,
    }
}

pub async fn protect(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let existing = cookie_value(req.headers(), COOKIE).filter(|t| t.len() == 43);
    let safe = matches!(*req.method(), Method::GET | Method::HEAD | Method::OPTIONS);
    if safe {
        let (token, fresh) = match existing {
            Some(t) => (t, false),
            None => (random_token(), true),
        };
        let mut req = req;
        req.extensions_mut().insert(CsrfToken(token.clone()));
        let mut resp = next.run(req).await;
        if fresh {
            set_cookie(
                &mut resp,
                COOKIE,
                &token,
                "Strict",
                None,
                state.app.config.secure_cookies(),
            );
        }
        return resp;
    }
    // Uploads (multipart) may be as large as a file plus its form; anything
    // else as large as a form. Refused before reading the body when the
    // length says so, and while reading otherwise.
    let multipart_boundary = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .filter(|v| v.starts_with("multipart/form-data"))
        .and_then(|v| multer::parse_boundary(v).ok());
    let limit = if multipart_boundary.is_some() {
        upload_body_limit(&state.app.config)
    } else {
        state.app.config.max_body_bytes
    };
    // An upload says what the limit is; anything else, that it was too much.
    let too_large = || match multipart_boundary {
        Some(_) => crate::error::error_page(
            axum::http::StatusCode::PAYLOAD_TOO_LARGE,
            "The file was not uploaded",
            &format!(
                "The file is too large: the limit is {}. Nothing was saved.",
                courtyard_app::domain::files::human_size(state.app.config.files.max_upload_bytes)
            ),
        ),
        None => WebError::PayloadTooLarge.into_response(),
    };
    if req
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok()?.parse::<usize>().ok())
        .is_some_and(|n| n > limit)
    {
        return too_large();
    }
    let Some(expected) = existing else {
        return WebError::Csrf.into_response();
    };
    if cross_site(&req) {
        return WebError::Csrf.into_response();
    }
    let (parts, body) = req.into_parts();
    let bytes = match to_bytes(body, limit).await {
        Ok(b) => b,
        Err(_) => return too_large(),
    };
    let from_header = parts
        .headers
        .get(HEADER)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    let is_form = parts
        .headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/x-www-form-urlencoded"));
    let submitted = match (from_header, multipart_boundary) {
        (Some(h), _) => Some(h),
        (None, Some(boundary)) => multipart_field(bytes.clone(), boundary, FIELD).await,
        (None, None) => is_form
            .then(|| {
                form_urlencoded_pairs(&bytes)
                    .into_iter()
                    .find(|(k, _)| k == FIELD)
                    .map(|(_, v)| v)
            })
            .flatten(),
    };
    if !submitted.is_some_and(|s| same(&s, &expected)) {
        return WebError::Csrf.into_response();
    }
    let mut req = Request::from_parts(parts, Body::from(bytes));
    req.extensions_mut().insert(CsrfToken(expected));
    next.run(req).await
}

/// The largest upload request: the file limit plus room for the form.
pub(crate) fn upload_body_limit(config: &courtyard_app::config::Config) -> usize {
    config.files.max_upload_bytes as usize + 64 * 1024
}

/// A small text field of a buffered multipart body (the CSRF token, which
/// forms put before the file).
async fn multipart_field(body: bytes::Bytes, boundary: String, name: &str) -> Option<String> {
    let stream = futures_util::stream::once(async move { Ok::<_, std::io::Error>(body) });
    let mut m = multer::Multipart::new(stream, boundary);
    while let Ok(Some(field)) = m.next_field().await {
        if field.name() == Some(name) {
            return field.text().await.ok();
        }
    }
    None
}

pub(crate) fn form_urlencoded_pairs(bytes: &[u8]) -> Vec<(String, String)> {
    serde_urlencoded::from_bytes::<Vec<(String, String)>>(bytes).unwrap_or_default()
}
