//! CSRF protection and body limits for every state-changing request, in one
//! middleware (docs/adr/0004, docs/adr/0012).
//!
//! - A cross-site `Sec-Fetch-Site`/`Origin` is refused outright.
//! - A signed-in request's token is derived from its session cookie, so it
//!   is bound to that session: a token planted in the `cy_csrf` cookie, or
//!   one learnt before login, cannot post as the user. Anonymous forms
//!   (login, reset, invitation) use the `cy_csrf` double-submit cookie.
//! - Nothing is read before it is known how much may be read: a session
//!   cookie is checked first; anonymous bodies get a few KiB; a file upload
//!   (multipart) is read only on an upload route with a live session, and
//!   only after the token in its first part matches.
//! - Bodies and uploads in flight are capped (anonymous ones apart, a few
//!   per address); past a cap the answer is "busy, try again" before
//!   anything is read. Every body has a deadline for the whole of it.

use std::time::Duration;

use axum::body::{to_bytes, Body};
use axum::extract::{MatchedPath, Request, State};
use axum::http::{header, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Redirect, Response};
use bytes::Bytes;
use courtyard_app::auth;
use courtyard_app::security::{random_token, same};
use futures_util::StreamExt;
use sha2::{Digest, Sha256};

use crate::kit::error::WebError;
use crate::kit::session::{
    cookie_value, set_cookie, CSRF_COOKIE as COOKIE, PORTAL_COOKIE, STAFF_COOKIE,
};
use crate::kit::state::AppState;

const FIELD: &str = "csrf";
const HEADER: &str = "x-csrf-token";
/// How much of an upload is read to find the token in its first part.
const FIRST_PART_BYTES: usize = 8 * 1024;
/// Anonymous bodies one address may be sending at once.
const ANONYMOUS_BODIES_PER_IP: usize = 4;

/// The routes that take a file. Every other route refuses a multipart body
/// without reading it.
const UPLOAD_ROUTES: &[&str] = &[
    "/documents",
    "/jobs/{id}/files",
    "/tickets/{id}/files",
    "/projects/{id}/files",
    "/tasks/{id}/files",
    "/staff/documents",
    "/staff/settings/logo",
    "/staff/quotes/{id}/files",
    "/staff/orders/{id}/files",
    "/staff/invoices/{id}/files",
    "/staff/jobs/{id}/files",
    "/staff/tickets/{id}/files",
    "/staff/projects/{id}/files",
    "/staff/tasks/{id}/files",
];

/// The token a page must put in its forms.
#[derive(Clone, Debug)]
pub struct CsrfToken(pub String);

/// The CSRF token of a signed-in request: a hash of its session cookie
/// (domain-separated, so it is not the stored session id). Public for
/// clients that hold the cookie, such as the tests.
pub fn session_token(session_cookie: &str) -> String {
    let mut h = Sha256::new();
    h.update(b"courtyard-csrf\0");
    h.update(session_cookie.as_bytes());
    hex::encode(h.finalize())
}

/// Which sign-in a path belongs to.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Surface {
    Portal,
    Staff,
}

impl Surface {
    fn of(path: &str) -> Self {
        if path == "/staff" || path.starts_with("/staff/") {
            Self::Staff
        } else {
            Self::Portal
        }
    }

    fn cookie(self) -> &'static str {
        match self {
            Self::Portal => PORTAL_COOKIE,
            Self::Staff => STAFF_COOKIE,
        }
    }

    fn login(self) -> &'static str {
        match self {
            Self::Portal => "/login",
            Self::Staff => "/staff/login",
        }
    }

    /// Whether `raw` names a live session; its context goes into the
    /// request so the handler's extractor does not look it up again.
    async fn resolve(
        self,
        state: &AppState,
        raw: &str,
        req: &mut Request,
    ) -> Result<bool, WebError> {
        Ok(match self {
            Self::Portal => match auth::portal_session(&state.app, raw).await? {
                Some(ctx) => {
                    req.extensions_mut().insert(ctx);
                    true
                }
                None => false,
            },
            Self::Staff => match auth::staff_session(&state.app, raw).await? {
                Some(ctx) => {
                    req.extensions_mut().insert(ctx);
                    true
                }
                None => false,
            },
        })
    }
}

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

fn busy(what: &str) -> Response {
    let mut r = crate::kit::error::error_page(
        StatusCode::SERVICE_UNAVAILABLE,
        "Please try again in a moment",
        &format!("Many {what} are arriving right now, so yours was not read. Nothing was saved; send it again in a moment."),
    );
    r.headers_mut().insert(
        header::RETRY_AFTER,
        axum::http::HeaderValue::from_static("5"),
    );
    r
}

pub async fn protect(State(state): State<AppState>, mut req: Request, next: Next) -> Response {
    let surface = Surface::of(req.uri().path());
    let raw = cookie_value(req.headers(), surface.cookie());
    let anon = cookie_value(req.headers(), COOKIE).filter(|t| t.len() == 43);
    let safe = matches!(*req.method(), Method::GET | Method::HEAD | Method::OPTIONS);
    if safe {
        let fresh = anon.is_none().then(random_token);
        let token = raw
            .as_deref()
            .map(session_token)
            .or_else(|| anon.clone())
            .or_else(|| fresh.clone())
            .unwrap_or_default();
        req.extensions_mut().insert(CsrfToken(token));
        let mut resp = next.run(req).await;
        if let Some(fresh) = fresh {
            set_cookie(
                &mut resp,
                COOKIE,
                &fresh,
                "Strict",
                None,
                state.app.config.secure_cookies(),
            );
        }
        return resp;
    }
    if cross_site(&req) {
        return WebError::Csrf.into_response();
    }
    let signed_in = match &raw {
        Some(r) => match surface.resolve(&state, r, &mut req).await {
            Ok(live) => live,
            Err(e) => return e.into_response(),
        },
        None => false,
    };
    // A live session accepts only its own token. Without one, the anonymous
    // cookie's token, or the one a page rendered from a stale session cookie.
    let mut accepted: Vec<String> = raw.as_deref().map(session_token).into_iter().collect();
    if !signed_in {
        accepted.extend(anon);
    }
    let Some(page_token) = accepted.first().cloned() else {
        return WebError::Csrf.into_response();
    };
    let multipart_boundary = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .filter(|v| v.starts_with("multipart/form-data"))
        .and_then(|v| multer::parse_boundary(v).ok());
    let length = req
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok()?.parse::<usize>().ok());
    let from_header = req
        .headers()
        .get(HEADER)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    let accepts = |t: &str| accepted.iter().any(|a| same(t, a));

    if let Some(boundary) = multipart_boundary {
        let Some(route) = req.extensions().get::<MatchedPath>() else {
            return WebError::NotFound.into_response();
        };
        if !UPLOAD_ROUTES.contains(&route.as_str()) {
            return crate::kit::error::error_page(
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "The form was not sent",
                "This page does not take files. Nothing was saved.",
            );
        }
        if !signed_in {
            return Redirect::to(surface.login()).into_response();
        }
        let limit = upload_body_limit(&state.app.config);
        if length.is_some_and(|n| n > limit) {
            return crate::kit::upload::UploadProblem::TooLarge.into_response(&state);
        }
        let Ok(permit) = state.limits.uploads.clone().try_acquire_owned() else {
            return busy("uploads");
        };
        let deadline = tokio::time::Instant::now()
            + Duration::from_secs(state.app.config.http.body_timeout_secs);
        let (parts, body) = req.into_parts();
        let (first, body) = match first_part(body, &boundary, deadline, permit).await {
            Ok(x) => x,
            Err(_) => return crate::kit::upload::UploadProblem::Broken.into_response(&state),
        };
        let submitted = from_header.or(first);
        if !submitted.is_some_and(|s| accepts(&s)) {
            return WebError::Csrf.into_response();
        }
        let body = Body::new(http_body_util::Limited::new(body, limit));
        let mut req = Request::from_parts(parts, body);
        req.extensions_mut().insert(CsrfToken(page_token));
        return next.run(req).await;
    }

    let http = &state.app.config.http;
    let (limit, timeout) = if signed_in {
        (state.app.config.max_body_bytes, http.body_timeout_secs)
    } else {
        // A login form is a few hundred bytes, sent at once.
        (http.max_anonymous_body_bytes, http.header_timeout_secs)
    };
    if length.is_some_and(|n| n > limit) {
        // A session that ended while a long form was being written: the
        // answer is "log in again", not "too large".
        if raw.is_some() && !signed_in {
            return Redirect::to(surface.login()).into_response();
        }
        return WebError::PayloadTooLarge.into_response();
    }
    // Anonymous bodies have slots of their own, a few per address, so that
    // nobody can keep signed-in people's forms waiting, or everyone's logins.
    let permit = if signed_in {
        state
            .limits
            .bodies
            .clone()
            .try_acquire_owned()
            .ok()
            .map(|p| (p, None))
    } else {
        let ip = crate::kit::session::client_ip(
            req.extensions(),
            req.headers(),
            state.app.config.behind_proxy,
        )
        .unwrap_or(std::net::Ipv4Addr::UNSPECIFIED.into());
        crate::kit::limits::IpSlot::take(
            &state.limits.anonymous_per_ip,
            ip,
            ANONYMOUS_BODIES_PER_IP,
        )
        .and_then(|slot| {
            let p = state
                .limits
                .anonymous_bodies
                .clone()
                .try_acquire_owned()
                .ok()?;
            Some((p, Some(slot)))
        })
    };
    let Some(permit) = permit else {
        return busy("requests");
    };
    let (parts, body) = req.into_parts();
    let read = tokio::time::timeout(Duration::from_secs(timeout), to_bytes(body, limit)).await;
    drop(permit);
    let bytes = match read {
        Ok(Ok(b)) => b,
        Ok(Err(e)) if too_large(&e) => {
            if raw.is_some() && !signed_in {
                return Redirect::to(surface.login()).into_response();
            }
            return WebError::PayloadTooLarge.into_response();
        }
        Ok(Err(_)) | Err(_) => return incomplete("Nothing was saved", "The form"),
    };
    let is_form = parts
        .headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/x-www-form-urlencoded"));
    let submitted = from_header.or_else(|| {
        is_form
            .then(|| {
                form_urlencoded_pairs(&bytes)
                    .into_iter()
                    .find(|(k, _)| k == FIELD)
                    .map(|(_, v)| v)
            })
            .flatten()
    });
    if !submitted.is_some_and(|s| accepts(&s)) {
        return WebError::Csrf.into_response();
    }
    let mut req = Request::from_parts(parts, Body::from(bytes));
    req.extensions_mut().insert(CsrfToken(page_token));
    next.run(req).await
}

/// Whether a body error is the length limit (rather than a dropped or
/// timed-out connection).
fn too_large(e: &axum::Error) -> bool {
    let mut cur: Option<&(dyn std::error::Error + 'static)> = Some(e);
    while let Some(err) = cur {
        if err.is::<http_body_util::LengthLimitError>() {
            return true;
        }
        cur = err.source();
    }
    false
}

/// A body that stopped coming (dropped, or past its deadline).
fn incomplete(heading: &str, what: &str) -> Response {
    crate::kit::error::error_page(
        StatusCode::BAD_REQUEST,
        heading,
        &format!("{what} did not arrive completely (the connection may have dropped or was too slow). Nothing was saved; please send it again."),
    )
}

/// The largest upload request: the file limit plus room for the form.
pub(crate) fn upload_body_limit(config: &courtyard_app::config::Config) -> usize {
    config.files.max_upload_bytes as usize + 64 * 1024
}

/// Read the start of a multipart body, just enough to find its first part,
/// and give back that part's text (when it is the CSRF field) and the whole
/// body to read on, nothing lost. The body ends in an error at `deadline`,
/// and holds the upload slot `permit` until it is read or dropped.
async fn first_part(
    body: Body,
    boundary: &str,
    deadline: tokio::time::Instant,
    permit: tokio::sync::OwnedSemaphorePermit,
) -> Result<(Option<String>, Body), axum::Error> {
    let mut stream = Box::pin(until(body.into_data_stream(), deadline, permit));
    let mut prefix: Vec<Bytes> = Vec::new();
    let mut read = 0;
    while read < FIRST_PART_BYTES {
        match stream.next().await {
            Some(Ok(chunk)) => {
                read += chunk.len();
                prefix.push(chunk);
            }
            Some(Err(e)) => return Err(e),
            None => break,
        }
    }
    let token = field_in_prefix(prefix.clone(), boundary.to_owned()).await;
    let rest =
        futures_util::stream::iter(prefix.into_iter().map(Ok::<_, axum::Error>)).chain(stream);
    Ok((token, Body::from_stream(rest)))
}

/// `stream`, ending in a timeout error at `deadline` (a slow client cannot
/// hold an upload slot by trickling bytes), with `guard` dropped when it ends.
fn until<S, G>(
    stream: S,
    deadline: tokio::time::Instant,
    guard: G,
) -> impl futures_util::Stream<Item = Result<Bytes, axum::Error>>
where
    S: futures_util::Stream<Item = Result<Bytes, axum::Error>> + Unpin,
    G: Send + 'static,
{
    futures_util::stream::unfold(Some((stream, guard)), move |state| async move {
        let (mut stream, guard) = state?;
        match tokio::time::timeout_at(deadline, stream.next()).await {
            Ok(Some(item)) => Some((item, Some((stream, guard)))),
            Ok(None) => None,
            Err(_) => Some((
                Err(axum::Error::new(std::io::Error::new(
                    std::io::ErrorKind::TimedOut,
                    "the upload took too long",
                ))),
                None,
            )),
        }
    })
    // Readers may poll again after the end; a fused stream says "ended".
    .fuse()
}

/// The CSRF field, if it is the first part and complete within `prefix`.
async fn field_in_prefix(prefix: Vec<Bytes>, boundary: String) -> Option<String> {
    let stream = futures_util::stream::iter(prefix.into_iter().map(Ok::<_, std::io::Error>));
    let mut m = multer::Multipart::new(stream, boundary);
    let field = m.next_field().await.ok()??;
    if field.name() != Some(FIELD) {
        return None;
    }
    field.text().await.ok()
}

pub(crate) fn form_urlencoded_pairs(bytes: &[u8]) -> Vec<(String, String)> {
    serde_urlencoded::from_bytes::<Vec<(String, String)>>(bytes).unwrap_or_default()
}
