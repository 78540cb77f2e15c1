//! Signing in: login and logout, forgotten password and username, reset
//! and invitation links.

use super::business;
use crate::kit::csrf::CsrfToken;
use crate::kit::error::WebResult;
use crate::kit::forms::{Errors, Form};
use crate::kit::layout::{notice, Layout};
use crate::kit::render::{render, unprocessable};
use crate::kit::session::{
    cookie_value, login_response, logout_response, safe_next, Client, PORTAL_COOKIE,
};
use crate::kit::state::AppState;
use crate::ui::account::{LoginForm, LoginPage, PageQuery, PasswordForm, SetPasswordPage};
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::response::Response;
use axum::Extension;
use courtyard_app::{auth, AppError};
use serde::Deserialize;
pub(super) async fn login_form(
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

pub(super) async fn login(
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

pub(super) async fn logout(
    State(s): State<AppState>,
    headers: axum::http::HeaderMap,
) -> WebResult<Response> {
    if let Some(raw) = cookie_value(&headers, PORTAL_COOKIE) {
        auth::logout(&s.app, &raw).await?;
    }
    Ok(logout_response(&s, PORTAL_COOKIE, "/login?done=loggedout"))
}

#[derive(Template)]
#[template(path = "portal/forgot.html")]
pub(super) struct ForgotPage {
    layout: Layout,
    heading: &'static str,
    intro: &'static str,
    action: &'static str,
    email: String,
    error: Option<String>,
    sent_to: Option<String>,
    sent_text: &'static str,
}

pub(super) const FORGOT_PW: (&str, &str, &str, &str) = (
    "Forgot your password?",
    "Enter the email address you log in with. We will send you a link to choose a new password.",
    "/forgot-password",
    "If an account uses this address, we have sent it a link to choose a new password. The link works once and expires within the hour. Check your spam folder if nothing arrives in a few minutes.",
);
pub(super) fn forgot_page(
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

pub(super) async fn forgot_password_form(
    State(s): State<AppState>,
    Extension(csrf): Extension<CsrfToken>,
) -> WebResult<Response> {
    forgot_page(&s, &csrf.0, FORGOT_PW, String::new(), None, false)
}

pub(super) async fn forgot_password(
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

#[derive(Template)]
#[template(path = "portal/login_help.html")]
pub(super) struct LoginHelpPage {
    layout: Layout,
    business_name: String,
    /// The business's address, phone and email, one per line (Settings →
    /// Documents and PDFs: the details printed on every document).
    contact: Vec<String>,
}

/// "Can't reach your email?": the username is the email address, so the
/// help is who to ask to change it.
pub(super) async fn login_help(
    State(s): State<AppState>,
    Extension(csrf): Extension<CsrfToken>,
) -> WebResult<Response> {
    let details = courtyard_app::pdf::business_details(&s.app).await?;
    render(&LoginHelpPage {
        layout: Layout::public("Can't reach your email?", business(&s), &csrf.0),
        business_name: business(&s).to_owned(),
        contact: details
            .details
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty())
            .map(str::to_owned)
            .collect(),
    })
}

/// A dead link gets a page that says so and what to do next.
pub(super) fn link_gone(
    s: &AppState,
    csrf: &str,
    msg: String,
    what_next: &str,
) -> WebResult<Response> {
    let mut r = render(&crate::kit::error::LinkGonePage {
        layout: Layout::public("Link expired", business(s), csrf),
        message: msg,
        what_next: what_next.to_owned(),
    })?;
    *r.status_mut() = axum::http::StatusCode::GONE;
    Ok(r)
}

pub(super) const INVITE_GONE: &str = "Ask the person who invited you to send a new invitation. If you already set your password, log in instead.";
pub(super) const RESET_GONE: &str =
    "You can ask for a new link from the \u{201c}Forgot your password?\u{201d} page.";

pub(super) fn refused_message(e: &AppError) -> Option<String> {
    match e {
        AppError::Refused(m) => Some(m.clone()),
        AppError::NotFound => Some("This link has expired or has already been used.".into()),
        _ => None,
    }
}

pub(super) async fn invitation_form(
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

pub(super) fn invitation_page(
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
        action: courtyard_app::links::invitation(token),
        username: email,
        button: "Set password and continue",
        errors,
    }
}

pub(super) async fn accept_invitation(
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

pub(super) fn reset_page(
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
        action: courtyard_app::links::password_reset(token),
        username: email,
        button: "Change password",
        errors,
    }
}

pub(super) async fn reset_form(
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

pub(super) async fn reset(
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
