//! Staff login, the first owner's setup link, and choosing a password.

use super::business;
use crate::kit::csrf::CsrfToken;
use crate::kit::error::WebResult;
use crate::kit::forms::{Errors, Form};
use crate::kit::layout::{notice, Layout};
use crate::kit::render::{render, unprocessable};
use crate::kit::session::{
    cookie_value, login_response, logout_response, safe_next, Client, STAFF_COOKIE,
};
use crate::kit::state::AppState;
use crate::ui::account::{LoginForm, LoginPage, PageQuery, PasswordForm, SetPasswordPage};
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::Extension;
use courtyard_app::{auth, AppError};
use serde::Deserialize;
// ---- login, setup ----

pub(super) async fn login_form(
    State(s): State<AppState>,
    Extension(csrf): Extension<CsrfToken>,
    Query(q): Query<PageQuery>,
) -> WebResult<Response> {
    render(&LoginPage {
        layout: Layout::public("Staff login", business(&s), &csrf.0)
            .with_notice(notice(q.done.as_deref())),
        heading: format!("{} staff login", business(&s)),
        action: "/staff/login",
        email: String::new(),
        next: safe_next(q.next.as_deref(), "/staff"),
        error: None,
        show_help_links: false,
    })
}

pub(super) async fn login(
    State(s): State<AppState>,
    Extension(csrf): Extension<CsrfToken>,
    Client(client): Client,
    Form(f): Form<LoginForm>,
) -> WebResult<Response> {
    match auth::staff_login(&s.app, &f.email, &f.password, &client).await {
        Ok(session) => Ok(login_response(
            &s,
            STAFF_COOKIE,
            &session,
            &safe_next(Some(&f.next), "/staff"),
        )),
        Err(AppError::Refused(msg)) => render(&LoginPage {
            layout: Layout::public("Staff login", business(&s), &csrf.0),
            heading: format!("{} staff login", business(&s)),
            action: "/staff/login",
            email: f.email,
            next: safe_next(Some(&f.next), "/staff"),
            error: Some(msg),
            show_help_links: false,
        })
        .map(|mut r| {
            *r.status_mut() = axum::http::StatusCode::UNAUTHORIZED;
            r
        }),
        Err(e) => Err(e.into()),
    }
}

pub(super) async fn logout(
    State(s): State<AppState>,
    headers: axum::http::HeaderMap,
) -> WebResult<Response> {
    if let Some(raw) = cookie_value(&headers, STAFF_COOKIE) {
        auth::logout(&s.app, &raw).await?;
    }
    Ok(logout_response(
        &s,
        STAFF_COOKIE,
        "/staff/login?done=loggedout",
    ))
}

#[derive(Template)]
#[template(path = "staff/setup.html")]
pub(super) struct SetupPage {
    layout: Layout,
    action: String,
    name: String,
    email: String,
    errors: Errors,
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub(super) struct SetupForm {
    name: String,
    email: String,
    password: String,
    confirm: String,
}

pub(super) fn gone(s: &AppState, csrf: &CsrfToken, e: AppError) -> WebResult<Response> {
    match e {
        AppError::Refused(m) => {
            let mut r = render(&crate::kit::error::LinkGonePage {
                layout: Layout::public("Link expired", business(s), &csrf.0),
                message: m,
                what_next: "Run `courtyard admin create-staff` on the server to make a new link."
                    .into(),
            })?;
            *r.status_mut() = axum::http::StatusCode::GONE;
            Ok(r)
        }
        e => Err(e.into()),
    }
}

pub(super) async fn setup_form(
    State(s): State<AppState>,
    Extension(csrf): Extension<CsrfToken>,
    Path(token): Path<String>,
) -> WebResult<Response> {
    if let Err(e) = auth::setup_link_valid(&s.app, &token, "setup").await {
        return gone(&s, &csrf, e);
    }
    render(&SetupPage {
        layout: Layout::public("Set up Courtyard", business(&s), &csrf.0),
        action: courtyard_app::links::staff_setup(&token),
        name: String::new(),
        email: String::new(),
        errors: Errors::default(),
    })
}

pub(super) async fn setup(
    State(s): State<AppState>,
    Extension(csrf): Extension<CsrfToken>,
    Client(client): Client,
    Path(token): Path<String>,
    Form(f): Form<SetupForm>,
) -> WebResult<Response> {
    match auth::complete_setup(
        &s.app,
        &token,
        &f.name,
        &f.email,
        &f.password,
        &f.confirm,
        &client,
    )
    .await
    {
        Ok(session) => Ok(login_response(&s, STAFF_COOKIE, &session, "/staff")),
        Err(AppError::Invalid(errors)) => render(&SetupPage {
            layout: Layout::public("Set up Courtyard", business(&s), &csrf.0),
            action: courtyard_app::links::staff_setup(&token),
            name: f.name,
            email: f.email,
            errors: Errors(errors),
        })
        .map(unprocessable),
        Err(e) => gone(&s, &csrf, e),
    }
}

pub(super) fn staff_password_page(
    s: &AppState,
    csrf: &CsrfToken,
    token: &str,
    errors: Errors,
) -> SetPasswordPage {
    SetPasswordPage {
        layout: Layout::public("Choose your password", business(s), &csrf.0),
        heading: "Choose your password".into(),
        intro:
            "Use at least 12 characters. You will log in with your email address and this password."
                .into(),
        action: courtyard_app::links::staff_password(token),
        username: String::new(),
        button: "Set password",
        errors,
    }
}

pub(super) async fn password_form(
    State(s): State<AppState>,
    Extension(csrf): Extension<CsrfToken>,
    Path(token): Path<String>,
) -> WebResult<Response> {
    if let Err(e) = auth::setup_link_valid(&s.app, &token, "staff_password").await {
        return gone(&s, &csrf, e);
    }
    render(&staff_password_page(&s, &csrf, &token, Errors::default()))
}

pub(super) async fn set_password(
    State(s): State<AppState>,
    Extension(csrf): Extension<CsrfToken>,
    Path(token): Path<String>,
    Form(f): Form<PasswordForm>,
) -> WebResult<Response> {
    match auth::set_staff_password(&s.app, &token, &f.password, &f.confirm).await {
        Ok(()) => Ok(Redirect::to("/staff/login?done=staffpassword").into_response()),
        Err(AppError::Invalid(errors)) => {
            render(&staff_password_page(&s, &csrf, &token, Errors(errors))).map(unprocessable)
        }
        Err(e) => gone(&s, &csrf, e),
    }
}
