//! Session cookies and the extractors that resolve a request to a logged-in
//! portal user (their customer scope) or staff member before a handler runs.

use std::net::SocketAddr;

use axum::extract::{ConnectInfo, FromRequestParts, OriginalUri};
use axum::http::request::Parts;
use axum::http::{header, HeaderMap, HeaderValue};
use axum::response::{IntoResponse, Redirect, Response};
use courtyard_app::auth::{self, ClientInfo, PortalContext, StaffContext};

use crate::kit::error::WebError;
use crate::kit::state::AppState;

pub const PORTAL_COOKIE: &str = "cy_portal";
pub const STAFF_COOKIE: &str = "cy_staff";
/// The anonymous CSRF token (docs/adr/0004).
pub const CSRF_COOKIE: &str = "cy_csrf";

pub fn cookie_value(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|kv| kv.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v.to_owned())
}

/// Add a `Set-Cookie`: HttpOnly always, `Secure` behind TLS. `max_age` of
/// `Some(0)` deletes the cookie; `None` makes a browser-session cookie.
pub fn set_cookie(
    resp: &mut Response,
    name: &str,
    value: &str,
    same_site: &str,
    max_age: Option<i64>,
    secure: bool,
) {
    let mut c = format!("{name}={value}; Path=/; HttpOnly; SameSite={same_site}");
    if let Some(age) = max_age {
        c.push_str(&format!("; Max-Age={age}"));
    }
    if secure {
        c.push_str("; Secure");
    }
    if let Ok(v) = HeaderValue::from_str(&c) {
        resp.headers_mut().append(header::SET_COOKIE, v);
    }
}

/// The client's address: the last `X-Forwarded-For` entry behind a proxy
/// (the one the proxy added), else the connection's peer.
pub fn client_ip(
    extensions: &axum::http::Extensions,
    headers: &HeaderMap,
    behind_proxy: bool,
) -> Option<std::net::IpAddr> {
    let forwarded = behind_proxy
        .then(|| {
            headers
                .get("x-forwarded-for")?
                .to_str()
                .ok()?
                .rsplit(',')
                .next()?
                .trim()
                .parse::<std::net::IpAddr>()
                .ok()
        })
        .flatten();
    forwarded
        .or_else(|| {
            extensions
                .get::<ConnectInfo<SocketAddr>>()
                .map(|c| c.0.ip())
        })
        .map(|ip| ip.to_canonical())
}

pub fn client_info(parts: &Parts, behind_proxy: bool) -> ClientInfo {
    let ip = client_ip(&parts.extensions, &parts.headers, behind_proxy)
        .map_or_else(|| "unknown".into(), |ip| ip.to_string());
    let user_agent = parts
        .headers
        .get(header::USER_AGENT)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_owned();
    ClientInfo { ip, user_agent }
}

/// The caller's address and browser, for rate limits and the sessions list.
pub struct Client(pub ClientInfo);

impl FromRequestParts<AppState> for Client {
    type Rejection = std::convert::Infallible;
    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        Ok(Client(client_info(parts, state.app.config.behind_proxy)))
    }
}

/// A logged-in portal user. Without a live session the request is sent to
/// the login page and the handler never runs.
pub struct Portal(pub PortalContext);

/// A logged-in staff member.
pub struct Staff(pub StaffContext);

pub enum AuthRejection {
    Login(String),
    Error(WebError),
}

impl IntoResponse for AuthRejection {
    fn into_response(self) -> Response {
        match self {
            AuthRejection::Login(to) => Redirect::to(&to).into_response(),
            AuthRejection::Error(e) => e.into_response(),
        }
    }
}

fn login_redirect(parts: &Parts, login: &str) -> AuthRejection {
    let uri = parts
        .extensions
        .get::<OriginalUri>()
        .map(|u| u.0.clone())
        .unwrap_or_else(|| parts.uri.clone());
    let path = uri.path_and_query().map(|p| p.as_str()).unwrap_or("/");
    if path == "/" || path == "/staff" || parts.method != axum::http::Method::GET {
        AuthRejection::Login(login.to_owned())
    } else {
        let next: String = serde_urlencoded::to_string([("next", path)]).unwrap_or_default();
        AuthRejection::Login(format!("{login}?{next}"))
    }
}

impl FromRequestParts<AppState> for Portal {
    type Rejection = AuthRejection;
    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        // A state change's session was already checked by the CSRF layer.
        if let Some(ctx) = parts.extensions.get::<PortalContext>() {
            return Ok(Portal(ctx.clone()));
        }
        let Some(raw) = cookie_value(&parts.headers, PORTAL_COOKIE) else {
            return Err(login_redirect(parts, "/login"));
        };
        match auth::portal_session(&state.app, &raw).await {
            Ok(Some(ctx)) => Ok(Portal(ctx)),
            Ok(None) => Err(login_redirect(parts, "/login")),
            Err(e) => Err(AuthRejection::Error(e.into())),
        }
    }
}

impl FromRequestParts<AppState> for Staff {
    type Rejection = AuthRejection;
    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        if let Some(ctx) = parts.extensions.get::<StaffContext>() {
            return Ok(Staff(ctx.clone()));
        }
        let Some(raw) = cookie_value(&parts.headers, STAFF_COOKIE) else {
            return Err(login_redirect(parts, "/staff/login"));
        };
        match auth::staff_session(&state.app, &raw).await {
            Ok(Some(ctx)) => Ok(Staff(ctx)),
            Ok(None) => Err(login_redirect(parts, "/staff/login")),
            Err(e) => Err(AuthRejection::Error(e.into())),
        }
    }
}

/// Only a plain same-origin path (and query) is followed after login:
/// printable ASCII only, so no tab, newline or other character a browser
/// strips (`/<TAB>/evil.example` would become `//evil.example`) or a header
/// refuses; no `//` or backslash that would name another host. Anything
/// else goes to `default`.
pub fn safe_next(next: Option<&str>, default: &str) -> String {
    match next {
        Some(n)
            if n.starts_with('/')
                && !n.starts_with("//")
                && !n.contains('\\')
                && n.len() <= 2048
                && n.bytes().all(|b| b.is_ascii_graphic()) =>
        {
            n.to_owned()
        }
        _ => default.to_owned(),
    }
}

/// After login: the session cookie (signed-in forms carry a token derived
/// from it), and a fresh anonymous CSRF token so that one planted before
/// login is useless after logout too.
pub fn login_response(
    state: &AppState,
    cookie: &str,
    session: &auth::NewSession,
    to: &str,
) -> Response {
    let secure = state.app.config.secure_cookies();
    let mut resp = Redirect::to(to).into_response();
    set_cookie(
        &mut resp,
        cookie,
        &session.cookie_value,
        "Lax",
        None,
        secure,
    );
    set_cookie(
        &mut resp,
        CSRF_COOKIE,
        &courtyard_app::security::random_token(),
        "Strict",
        None,
        secure,
    );
    resp
}

pub fn logout_response(state: &AppState, cookie: &str, to: &str) -> Response {
    let mut resp = Redirect::to(to).into_response();
    set_cookie(
        &mut resp,
        cookie,
        "",
        "Lax",
        Some(0),
        state.app.config.secure_cookies(),
    );
    resp
}

#[cfg(test)]
mod tests {
    use super::safe_next;

    #[test]
    fn next_accepts_a_plain_same_origin_path_only() {
        assert_eq!(safe_next(Some("/invoices?page=2"), "/"), "/invoices?page=2");
        for bad in [
            "//evil.example/phish",
            "/\\evil.example",
            "/\tevil.example/phish",
            "/\t/evil.example/phish",
            "/ /evil.example",
            "/\r\nSet-Cookie: x=1",
            "/\u{b}x",
            "/caf\u{e9}",
            "https://evil.example/",
            "evil.example",
            "",
        ] {
            assert_eq!(
                safe_next(Some(bad), "/"),
                "/",
                "{bad:?} must not be followed"
            );
        }
        assert_eq!(safe_next(None, "/staff"), "/staff");
    }
}
