//! The portal: what people at customer companies see.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Extension, Router};
use courtyard_app::auth::{self, UserKind};
use courtyard_app::customers::{self, MyDetailsForm};
use courtyard_app::AppError;
use courtyard_domain::{Action, Module};
use serde::Deserialize;

use crate::account::{LoginForm, LoginPage, PageQuery, PasswordForm, SetPasswordPage};
use crate::csrf::CsrfToken;
use crate::error::WebError;
use crate::error::WebResult;
use crate::forms::{Errors, Form};
use crate::layout::{notice, when, Layout};
use crate::records::{waiting_groups, WaitingItem};
use crate::render::{render, unprocessable};
use crate::session::{
    cookie_value, login_response, logout_response, safe_next, Client, Portal, PORTAL_COOKIE,
};
use crate::state::AppState;
use crate::{sales, work};

/// How a portal route can expose records, for the isolation test. Every
/// portal route must say, or it does not compile into the router.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Exposure {
    /// Reachable without a login; shows no customer records.
    Public,
    /// Needs a login; shows only the user's own account.
    Account,
    /// Lists records of a module (the body must hold nothing foreign).
    List(Module),
    /// `{id}` in the path is a record of this module.
    Record(Module),
    /// `{id}` in the path is a file attached to a record.
    File,
}

/// One portal route: its path, methods and what it exposes.
#[derive(Debug, Clone, Copy)]
pub struct RouteInfo {
    pub path: &'static str,
    pub methods: &'static [&'static str],
    pub exposure: Exposure,
}

fn table() -> Vec<(RouteInfo, axum::routing::MethodRouter<AppState>)> {
    use Exposure::*;
    let r = |path, methods, exposure| RouteInfo {
        path,
        methods,
        exposure,
    };
    let mut v = vec![
        (r("/", &["GET"], Account), get(home)),
        (
            r("/login", &["GET", "POST"], Public),
            get(login_form).post(login),
        ),
        (r("/logout", &["POST"], Public), post(logout)),
        (
            r("/forgot-password", &["GET", "POST"], Public),
            get(forgot_password_form).post(forgot_password),
        ),
        (
            r("/forgot-username", &["GET", "POST"], Public),
            get(forgot_username_form).post(forgot_username),
        ),
        (
            r("/reset/{token}", &["GET", "POST"], Public),
            get(reset_form).post(reset),
        ),
        (
            r("/invitation/{token}", &["GET", "POST"], Public),
            get(invitation_form).post(accept_invitation),
        ),
        (
            r("/me", &["GET", "POST"], Account),
            get(my_details_form).post(update_my_details),
        ),
        (r("/me/sessions", &["GET"], Account), get(list_sessions)),
        (r("/me/sessions/end", &["POST"], Account), post(end_session)),
        (
            r("/quotes/request", &["GET", "POST"], Account),
            get(sales::request_form).post(sales::request),
        ),
        (
            r("/quotes/{id}/accept", &["POST"], Record(Module::Quotes)),
            post(sales::portal_accept),
        ),
        (
            r("/quotes/{id}/decline", &["POST"], Record(Module::Quotes)),
            post(sales::portal_decline),
        ),
        (
            r("/jobs/request", &["GET", "POST"], Account),
            get(work::new_form::<work::Jobs>).post(work::create::<work::Jobs>),
        ),
        (
            r("/tickets/new", &["GET", "POST"], Account),
            get(work::new_form::<work::Tickets>).post(work::create::<work::Tickets>),
        ),
        (
            r("/tasks/{id}/complete", &["POST"], Record(Module::Tasks)),
            post(work::portal_complete_task),
        ),
        // The CSRF layer has checked the token and bounds the body by the upload limit.
        (
            r("/jobs/{id}/files", &["POST"], Record(Module::Jobs)),
            post(crate::files::portal_upload::<work::Jobs>)
                .layer(axum::extract::DefaultBodyLimit::disable()),
        ),
        (
            r("/tickets/{id}/files", &["POST"], Record(Module::Tickets)),
            post(crate::files::portal_upload::<work::Tickets>)
                .layer(axum::extract::DefaultBodyLimit::disable()),
        ),
        (
            r("/projects/{id}/files", &["POST"], Record(Module::Projects)),
            post(crate::files::portal_upload::<work::Projects>)
                .layer(axum::extract::DefaultBodyLimit::disable()),
        ),
        (
            r("/tasks/{id}/files", &["POST"], Record(Module::Tasks)),
            post(crate::files::portal_upload::<work::Tasks>)
                .layer(axum::extract::DefaultBodyLimit::disable()),
        ),
        (
            r("/quotes/{id}/pdf", &["GET"], Record(Module::Quotes)),
            get(crate::pdf::portal_pdf::<sales::Quotes>),
        ),
        (
            r("/orders/{id}/pdf", &["GET"], Record(Module::SalesOrders)),
            get(crate::pdf::portal_pdf::<sales::Orders>),
        ),
        (
            r("/invoices/{id}/pdf", &["GET"], Record(Module::Invoices)),
            get(crate::pdf::portal_pdf::<sales::Invoices>),
        ),
        (
            r("/files/{id}", &["GET"], File),
            get(crate::files::portal_download),
        ),
        (
            r("/files/{id}/thumb", &["GET"], File),
            get(crate::files::portal_thumb),
        ),
        (
            r("/documents", &["GET", "POST"], List(Module::Documents)),
            get(crate::documents::portal_list)
                .post(crate::documents::portal_upload)
                .layer(axum::extract::DefaultBodyLimit::disable()),
        ),
    ];
    // Each module: list, CSV export of exactly the filter, detail, comments.
    macro_rules! module {
        ($base:literal, $m:expr, $h:ident, $k:ty) => {
            v.extend([
                (r($base, &["GET"], List($m)), get($h::portal_list::<$k>)),
                (
                    r(concat!($base, "/export.csv"), &["GET"], List($m)),
                    get($h::portal_export::<$k>),
                ),
                (
                    r(concat!($base, "/{id}"), &["GET"], Record($m)),
                    get($h::portal_find::<$k>),
                ),
                (
                    r(concat!($base, "/{id}/comments"), &["POST"], Record($m)),
                    post($h::portal_comment::<$k>),
                ),
            ])
        };
    }
    module!("/quotes", Module::Quotes, sales, sales::Quotes);
    module!("/orders", Module::SalesOrders, sales, sales::Orders);
    module!("/invoices", Module::Invoices, sales, sales::Invoices);
    module!("/jobs", Module::Jobs, work, work::Jobs);
    module!("/tickets", Module::Tickets, work, work::Tickets);
    module!("/projects", Module::Projects, work, work::Projects);
    module!("/tasks", Module::Tasks, work, work::Tasks);
    v.push((r("/{module}", &["GET"], Account), get(module_page)));
    v
}

/// Every portal route with its classification: the list the router is built from.
pub fn route_table() -> Vec<RouteInfo> {
    table().into_iter().map(|(info, _)| info).collect()
}

pub fn routes() -> Router<AppState> {
    table()
        .into_iter()
        .fold(Router::new(), |router, (info, method_router)| {
            router.route(info.path, method_router)
        })
}

fn business(s: &AppState) -> &str {
    &s.app.config.business_name
}

async fn login_form(
    State(s): State<AppState>,
    Extension(csrf): Extension<CsrfToken>,
    Query(q): Query<PageQuery>,
) -> WebResult<Response> {
    render(&LoginPage {
        layout: Layout::public("Log in", business(&s), &csrf.0)
            .with_notice(notice(q.done.as_deref())),
        heading: format!("Log in to {}", business(&s)),
        action: "/login",
        email: String::new(),
        next: safe_next(q.next.as_deref(), "/"),
        error: None,
        show_help_links: true,
    })
}

async fn login(
    State(s): State<AppState>,
    Extension(csrf): Extension<CsrfToken>,
    Client(client): Client,
    Form(f): Form<LoginForm>,
) -> WebResult<Response> {
    match auth::portal_login(&s.app, &f.email, &f.password, &client).await {
        Ok(session) => Ok(login_response(
            &s,
            PORTAL_COOKIE,
            &session,
            &safe_next(Some(&f.next), "/"),
        )),
        Err(AppError::Refused(msg)) => {
            let mut r = render(&LoginPage {
                layout: Layout::public("Log in", business(&s), &csrf.0),
                heading: format!("Log in to {}", business(&s)),
                action: "/login",
                email: f.email,
                next: safe_next(Some(&f.next), "/"),
                error: Some(msg),
                show_help_links: true,
            })?;
            *r.status_mut() = axum::http::StatusCode::UNAUTHORIZED;
            Ok(r)
        }
        Err(e) => Err(e.into()),
    }
}

async fn logout(State(s): State<AppState>, headers: axum::http::HeaderMap) -> WebResult<Response> {
    if let Some(raw) = cookie_value(&headers, PORTAL_COOKIE) {
        auth::logout(&s.app, &raw).await?;
    }
    Ok(logout_response(&s, PORTAL_COOKIE, "/login?done=loggedout"))
}

#[derive(Template)]
#[template(path = "portal/forgot.html")]
struct ForgotPage {
    layout: Layout,
    heading: &'static str,
    intro: &'static str,
    action: &'static str,
    email: String,
    error: Option<String>,
    sent_to: Option<String>,
    sent_text: &'static str,
}

const FORGOT_PW: (&str, &str, &str, &str) = (
    "Forgot your password?",
    "Enter the email address you log in with. We will send you a link to choose a new password.",
    "/forgot-password",
    "If an account uses this address, we have sent it a link to choose a new password. The link works once and expires within the hour. Check your spam folder if nothing arrives in a few minutes.",
);
const FORGOT_USER: (&str, &str, &str, &str) = (
    "Forgot your username?",
    "Your username is your email address. Enter the address you think you used, and we will send a reminder to it.",
    "/forgot-username",
    "If an account uses this address, we have sent it a reminder of the username. Check your spam folder if nothing arrives in a few minutes.",
);

fn forgot_page(
    s: &AppState,
    csrf: &str,
    which: (&'static str, &'static str, &'static str, &'static str),
    email: String,
    error: Option<String>,
    sent: bool,
) -> WebResult<Response> {
    render(&ForgotPage {
        layout: Layout::public(which.0, business(s), csrf),
        heading: which.0,
        intro: which.1,
        action: which.2,
        sent_to: sent.then(|| email.clone()),
        email,
        error,
        sent_text: which.3,
    })
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct EmailForm {
    pub email: String,
}

async fn forgot_password_form(
    State(s): State<AppState>,
    Extension(csrf): Extension<CsrfToken>,
) -> WebResult<Response> {
    forgot_page(&s, &csrf.0, FORGOT_PW, String::new(), None, false)
}

async fn forgot_password(
    State(s): State<AppState>,
    Extension(csrf): Extension<CsrfToken>,
    Client(client): Client,
    Form(f): Form<EmailForm>,
) -> WebResult<Response> {
    match auth::request_password_reset(&s.app, &f.email, &client).await {
        Ok(()) => forgot_page(
            &s,
            &csrf.0,
            FORGOT_PW,
            f.email.trim().to_owned(),
            None,
            true,
        ),
        Err(AppError::Invalid(e)) => forgot_page(
            &s,
            &csrf.0,
            FORGOT_PW,
            f.email,
            Some(e[0].message.clone()),
            false,
        )
        .map(unprocessable),
        Err(e) => Err(e.into()),
    }
}

async fn forgot_username_form(
    State(s): State<AppState>,
    Extension(csrf): Extension<CsrfToken>,
) -> WebResult<Response> {
    forgot_page(&s, &csrf.0, FORGOT_USER, String::new(), None, false)
}

async fn forgot_username(
    State(s): State<AppState>,
    Extension(csrf): Extension<CsrfToken>,
    Client(client): Client,
    Form(f): Form<EmailForm>,
) -> WebResult<Response> {
    match auth::request_username(&s.app, &f.email, &client).await {
        Ok(()) => forgot_page(
            &s,
            &csrf.0,
            FORGOT_USER,
            f.email.trim().to_owned(),
            None,
            true,
        ),
        Err(AppError::Invalid(e)) => forgot_page(
            &s,
            &csrf.0,
            FORGOT_USER,
            f.email,
            Some(e[0].message.clone()),
            false,
        )
        .map(unprocessable),
        Err(e) => Err(e.into()),
    }
}

/// A dead link gets a page that says so and what to do next.
fn link_gone(s: &AppState, csrf: &str, msg: String, what_next: &str) -> WebResult<Response> {
    let mut r = render(&crate::error::LinkGonePage {
        layout: Layout::public("Link expired", business(s), csrf),
        message: msg,
        what_next: what_next.to_owned(),
    })?;
    *r.status_mut() = axum::http::StatusCode::GONE;
    Ok(r)
}

const INVITE_GONE: &str = "Ask the person who invited you to send a new invitation. If you already set your password, log in instead.";
const RESET_GONE: &str =
    "You can ask for a new link from the \u{201c}Forgot your password?\u{201d} page.";

fn refused_message(e: &AppError) -> Option<String> {
    match e {
        AppError::Refused(m) => Some(m.clone()),
        AppError::NotFound => Some("This link has expired or has already been used.".into()),
        _ => None,
    }
}

async fn invitation_form(
    State(s): State<AppState>,
    Extension(csrf): Extension<CsrfToken>,
    Path(token): Path<String>,
) -> WebResult<Response> {
    match auth::invitation_user(&s.app, &token).await {
        Ok(user) => render(&invitation_page(
            &s,
            &csrf.0,
            &token,
            &user.first_name,
            user.email.clone(),
            Errors::default(),
        )),
        Err(e) => match refused_message(&e) {
            Some(m) => link_gone(&s, &csrf.0, m, INVITE_GONE),
            None => Err(e.into()),
        },
    }
}

fn invitation_page(
    s: &AppState,
    csrf: &str,
    token: &str,
    first_name: &str,
    email: String,
    errors: Errors,
) -> SetPasswordPage {
    SetPasswordPage {
        layout: Layout::public("Accept invitation", business(s), csrf),
        heading: format!("Welcome, {first_name}"),
        intro: format!("{} has invited you to its customer portal. Choose a password to finish setting up your account.", business(s)),
        action: format!("/invitation/{token}"),
        username: email,
        button: "Set password and continue",
        errors,
    }
}

async fn accept_invitation(
    State(s): State<AppState>,
    Extension(csrf): Extension<CsrfToken>,
    Client(client): Client,
    Path(token): Path<String>,
    Form(f): Form<PasswordForm>,
) -> WebResult<Response> {
    match auth::accept_invitation(&s.app, &token, &f.password, &f.confirm, &client).await {
        Ok(session) => Ok(login_response(&s, PORTAL_COOKIE, &session, "/")),
        Err(AppError::Invalid(errors)) => {
            let user = auth::invitation_user(&s.app, &token).await?;
            render(&invitation_page(
                &s,
                &csrf.0,
                &token,
                &user.first_name,
                user.email.clone(),
                Errors(errors),
            ))
            .map(unprocessable)
        }
        Err(e) => match refused_message(&e) {
            Some(m) => link_gone(&s, &csrf.0, m, INVITE_GONE),
            None => Err(e.into()),
        },
    }
}

fn reset_page(
    s: &AppState,
    csrf: &str,
    token: &str,
    email: String,
    errors: Errors,
) -> SetPasswordPage {
    SetPasswordPage {
        layout: Layout::public("Choose a new password", business(s), csrf),
        heading: "Choose a new password".into(),
        intro: "Use at least 12 characters. A few unrelated words make a strong password that is easy to remember.".into(),
        action: format!("/reset/{token}"),
        username: email,
        button: "Change password",
        errors,
    }
}

async fn reset_form(
    State(s): State<AppState>,
    Extension(csrf): Extension<CsrfToken>,
    Path(token): Path<String>,
) -> WebResult<Response> {
    match auth::reset_user(&s.app, &token).await {
        Ok(user) => render(&reset_page(
            &s,
            &csrf.0,
            &token,
            user.email,
            Errors::default(),
        )),
        Err(e) => match refused_message(&e) {
            Some(m) => link_gone(&s, &csrf.0, m, RESET_GONE),
            None => Err(e.into()),
        },
    }
}

async fn reset(
    State(s): State<AppState>,
    Extension(csrf): Extension<CsrfToken>,
    Path(token): Path<String>,
    Form(f): Form<PasswordForm>,
) -> WebResult<Response> {
    match auth::reset_password(&s.app, &token, &f.password, &f.confirm).await {
        Ok(()) => Ok(logout_response(&s, PORTAL_COOKIE, "/login?done=password")),
        Err(AppError::Invalid(errors)) => {
            let user = auth::reset_user(&s.app, &token).await?;
            render(&reset_page(&s, &csrf.0, &token, user.email, Errors(errors))).map(unprocessable)
        }
        Err(e) => match refused_message(&e) {
            Some(m) => link_gone(&s, &csrf.0, m, RESET_GONE),
            None => Err(e.into()),
        },
    }
}

#[derive(Template)]
#[template(path = "portal/home.html")]
struct HomePage {
    layout: Layout,
    first_name: String,
    company_name: String,
    modules: Vec<(&'static str, &'static str, &'static str)>,
    /// Groups of things waiting for this person: (heading, element id, items).
    waiting: Vec<(&'static str, &'static str, Vec<WaitingItem>)>,
}

async fn home(
    State(s): State<AppState>,
    Extension(csrf): Extension<CsrfToken>,
    Portal(ctx): Portal,
    Query(q): Query<PageQuery>,
) -> WebResult<Response> {
    let modules = ctx
        .grants
        .modules()
        .into_iter()
        .map(|m| (m.label(), m.portal_path(), m.blurb()))
        .collect();
    render(&HomePage {
        layout: Layout::portal("Home", business(&s), &csrf.0, &ctx, "/")
            .with_notice(notice(q.done.as_deref())),
        first_name: ctx.user.first_name.clone(),
        company_name: ctx.user.company_name.clone().unwrap_or_default(),
        modules,
        waiting: waiting_groups(courtyard_app::work::waiting(&s.app, &ctx).await?),
    })
}

#[derive(Template)]
#[template(path = "portal/module.html")]
struct ModulePage {
    layout: Layout,
    label: &'static str,
    blurb: &'static str,
    lower: String,
}

/// A module's landing page. Modules the user was not granted do not exist for them.
async fn module_page(
    State(s): State<AppState>,
    Extension(csrf): Extension<CsrfToken>,
    Portal(ctx): Portal,
    Path(module): Path<String>,
) -> WebResult<Response> {
    let m = Module::ALL
        .iter()
        .copied()
        .find(|m| m.portal_path().trim_start_matches('/') == module && *m != Module::MyDetails)
        .filter(|m| ctx.grants.allows(*m, Action::View))
        .ok_or(WebError::NotFound)?;
    render(&ModulePage {
        layout: Layout::portal(m.label(), business(&s), &csrf.0, &ctx, m.portal_path()),
        label: m.label(),
        blurb: m.blurb(),
        lower: m.label().to_lowercase(),
    })
}

#[derive(Template)]
#[template(path = "portal/me.html")]
struct MyDetailsPage {
    layout: Layout,
    form: MyDetailsForm,
    email: String,
    has_company: bool,
    can_edit_company: bool,
    errors: Errors,
}

async fn my_details_form(
    State(s): State<AppState>,
    Extension(csrf): Extension<CsrfToken>,
    Portal(ctx): Portal,
    Query(q): Query<PageQuery>,
) -> WebResult<Response> {
    if !ctx.grants.allows(Module::MyDetails, Action::View) {
        return Err(WebError::NotFound);
    }
    let d = customers::my_details(&s.app, &ctx).await?;
    render(&MyDetailsPage {
        layout: Layout::portal("My details", business(&s), &csrf.0, &ctx, "/me")
            .with_notice(notice(q.done.as_deref())),
        form: d.form(),
        email: ctx.user.email.clone(),
        has_company: d.company.is_some(),
        can_edit_company: d.can_edit_company,
        errors: Errors::default(),
    })
}

async fn update_my_details(
    State(s): State<AppState>,
    Extension(csrf): Extension<CsrfToken>,
    Portal(ctx): Portal,
    Form(f): Form<MyDetailsForm>,
) -> WebResult<Response> {
    if !ctx.grants.allows(Module::MyDetails, Action::View) {
        return Err(WebError::NotFound);
    }
    match customers::update_my_details(&s.app, &ctx, &f).await {
        Ok(()) => Ok(Redirect::to("/me?done=saved").into_response()),
        Err(AppError::Invalid(errors)) => {
            let d = customers::my_details(&s.app, &ctx).await?;
            render(&MyDetailsPage {
                layout: Layout::portal("My details", business(&s), &csrf.0, &ctx, "/me"),
                form: f,
                email: ctx.user.email.clone(),
                has_company: d.company.is_some(),
                can_edit_company: d.can_edit_company,
                errors: Errors(errors),
            })
            .map(unprocessable)
        }
        Err(e) => Err(e.into()),
    }
}

pub(crate) struct SessionRow {
    pub id: String,
    pub current: bool,
    pub device: String,
    pub ip: String,
    pub started: String,
    pub last_seen: String,
}

pub(crate) fn session_rows(list: Vec<auth::Session>, current: &str) -> Vec<SessionRow> {
    list.into_iter()
        .map(|x| SessionRow {
            current: x.id_hash == current,
            device: describe_agent(&x.user_agent),
            ip: x.ip,
            started: when(x.created_at),
            last_seen: when(x.last_seen_at),
            id: x.id_hash,
        })
        .collect()
}

/// "Chrome on Android" from a user-agent string, good enough to tell devices apart.
fn describe_agent(ua: &str) -> String {
    let browser = [
        ("Edg/", "Edge"),
        ("Firefox/", "Firefox"),
        ("Chrome/", "Chrome"),
        ("Safari/", "Safari"),
    ]
    .iter()
    .find(|(k, _)| ua.contains(k))
    .map_or("Unknown browser", |(_, v)| v);
    let os = [
        ("Android", "Android"),
        ("iPhone", "iPhone"),
        ("iPad", "iPad"),
        ("Windows", "Windows"),
        ("Mac OS X", "macOS"),
        ("Linux", "Linux"),
    ]
    .iter()
    .find(|(k, _)| ua.contains(k))
    .map_or("unknown system", |(_, v)| v);
    format!("{browser} on {os}")
}

#[derive(Template)]
#[template(path = "sessions.html")]
pub(crate) struct SessionsPage {
    pub layout: Layout,
    pub action: &'static str,
    pub sessions: Vec<SessionRow>,
}

async fn list_sessions(
    State(s): State<AppState>,
    Extension(csrf): Extension<CsrfToken>,
    Portal(ctx): Portal,
    Query(q): Query<PageQuery>,
) -> WebResult<Response> {
    let list = auth::list_sessions(&s.app, UserKind::Portal, &ctx.user.id).await?;
    render(&SessionsPage {
        layout: Layout::portal("My sessions", business(&s), &csrf.0, &ctx, "/me/sessions")
            .with_notice(notice(q.done.as_deref())),
        action: "/me/sessions/end",
        sessions: session_rows(list, &ctx.session.id_hash),
    })
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct EndSessionForm {
    pub id: String,
}

async fn end_session(
    State(s): State<AppState>,
    Portal(ctx): Portal,
    Form(f): Form<EndSessionForm>,
) -> WebResult<Response> {
    auth::end_session(&s.app, UserKind::Portal, &ctx.user.id, &f.id).await?;
    if f.id == ctx.session.id_hash {
        return Ok(logout_response(&s, PORTAL_COOKIE, "/login?done=loggedout"));
    }
    Ok(Redirect::to("/me/sessions?done=ended").into_response())
}
