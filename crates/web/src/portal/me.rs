//! A signed-in customer's own pages: home, a module's landing page, My
//! details and the sessions list.

use super::business;
use crate::kit::error::{WebError, WebResult};
use crate::kit::forms::{Errors, Form};
use crate::kit::layout::{notice, when, Layout};
use crate::kit::page::PortalPage;
use crate::kit::render::{render, unprocessable};
use crate::kit::session::{login_response, logout_response, Client, Portal, PORTAL_COOKIE};
use crate::kit::state::AppState;
use crate::ui::account::PageQuery;
use crate::ui::home::{owed_views, waiting_groups, OwedView, WaitingGroups};
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use courtyard_app::auth::UserKind;
use courtyard_app::customers::MyDetailsForm;
use courtyard_app::{auth, customers, AppError};
use courtyard_domain::{Action, Module};
use serde::Deserialize;

#[derive(Template)]
#[template(path = "portal/home.html")]
pub(super) struct HomePage {
    layout: Layout,
    first_name: String,
    company_name: String,
    /// Whether the account includes any module at all.
    has_modules: bool,
    /// What is left to pay, per currency (the summary strip).
    owed: Vec<OwedView>,
    /// The cards of things waiting for this person.
    waiting: WaitingGroups,
}

pub(super) async fn home(p: PortalPage, Query(q): Query<PageQuery>) -> WebResult<Response> {
    let mut w = courtyard_app::work::waiting(&p.s.app, &p.ctx).await?;
    let owed = owed_views(&std::mem::take(&mut w.owed));
    render(&HomePage {
        layout: Layout::portal("Home", business(&p.s), &p.csrf.0, &p.ctx, "/")
            .with_notice(notice(q.done.as_deref())),
        first_name: p.ctx.user.first_name.clone(),
        company_name: p.ctx.user.company_name.clone().unwrap_or_default(),
        has_modules: !p.ctx.grants.modules().is_empty(),
        owed,
        waiting: waiting_groups(w, &p.s.app.clock.today().to_string()),
    })
}

#[derive(Template)]
#[template(path = "portal/module.html")]
pub(super) struct ModulePage {
    layout: Layout,
    label: &'static str,
    blurb: &'static str,
    lower: String,
}

/// A module's landing page. Modules the user was not granted do not exist for them.
pub(super) async fn module_page(p: PortalPage, Path(module): Path<String>) -> WebResult<Response> {
    let m = Module::ALL
        .iter()
        .copied()
        .find(|m| m.portal_path().trim_start_matches('/') == module && *m != Module::MyDetails)
        .filter(|m| p.ctx.grants.allows(*m, Action::View))
        .ok_or(WebError::NotFound)?;
    render(&ModulePage {
        layout: Layout::portal(
            m.label(),
            business(&p.s),
            &p.csrf.0,
            &p.ctx,
            m.portal_path(),
        ),
        label: m.label(),
        blurb: m.blurb(),
        lower: m.label().to_lowercase(),
    })
}

#[derive(Template)]
#[template(path = "portal/me.html")]
pub(super) struct MyDetailsPage {
    layout: Layout,
    form: MyDetailsForm,
    email: String,
    has_company: bool,
    can_edit_company: bool,
    errors: Errors,
}

pub(super) async fn my_details_form(
    p: PortalPage,
    Query(q): Query<PageQuery>,
) -> WebResult<Response> {
    if !p.ctx.grants.allows(Module::MyDetails, Action::View) {
        return Err(WebError::NotFound);
    }
    let d = customers::my_details(&p.s.app, &p.ctx).await?;
    render(&MyDetailsPage {
        layout: Layout::portal("My details", business(&p.s), &p.csrf.0, &p.ctx, "/me")
            .with_notice(notice(q.done.as_deref())),
        form: d.form(),
        email: p.ctx.user.email.clone(),
        has_company: d.company.is_some(),
        can_edit_company: d.can_edit_company,
        errors: Errors::default(),
    })
}

pub(super) async fn update_my_details(
    p: PortalPage,
    Form(f): Form<MyDetailsForm>,
) -> WebResult<Response> {
    if !p.ctx.grants.allows(Module::MyDetails, Action::View) {
        return Err(WebError::NotFound);
    }
    match customers::update_my_details(&p.s.app, &p.ctx, &f).await {
        Ok(()) => Ok(Redirect::to("/me?done=saved").into_response()),
        Err(AppError::Invalid(errors)) => {
            let d = customers::my_details(&p.s.app, &p.ctx).await?;
            render(&MyDetailsPage {
                layout: Layout::portal("My details", business(&p.s), &p.csrf.0, &p.ctx, "/me"),
                form: f,
                email: p.ctx.user.email.clone(),
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
pub(super) fn describe_agent(ua: &str) -> String {
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
    /// "Log out of all other sessions".
    pub others_action: &'static str,
    /// "Change password".
    pub password_href: &'static str,
    pub sessions: Vec<SessionRow>,
}

pub(super) async fn list_sessions(
    p: PortalPage,
    Query(q): Query<PageQuery>,
) -> WebResult<Response> {
    let list = auth::list_sessions(&p.s.app, UserKind::Portal, &p.ctx.user.id).await?;
    render(&SessionsPage {
        layout: Layout::portal(
            "My sessions",
            business(&p.s),
            &p.csrf.0,
            &p.ctx,
            "/me/sessions",
        )
        .with_notice(notice(q.done.as_deref())),
        action: "/me/sessions/end",
        others_action: "/me/sessions/end-others",
        password_href: "/me/password",
        sessions: session_rows(list, &p.ctx.session.id_hash),
    })
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct EndSessionForm {
    pub id: String,
}

pub(super) async fn end_session(
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

#[derive(Template)]
#[template(path = "change_password.html")]
pub(crate) struct ChangePasswordPage {
    pub layout: Layout,
    pub action: &'static str,
    pub errors: Errors,
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct ChangePasswordForm {
    pub current: String,
    pub password: String,
    pub confirm: String,
}

/// The signed-in customer and this session.
fn me(p: &PortalPage) -> auth::Me<'_> {
    auth::Me {
        kind: UserKind::Portal,
        user_id: &p.ctx.user.id,
        session: &p.ctx.session.id_hash,
    }
}

fn change_password_page(p: &PortalPage, errors: Errors) -> ChangePasswordPage {
    ChangePasswordPage {
        layout: p.layout("Change password", "/me/sessions"),
        action: "/me/password",
        errors,
    }
}

pub(super) async fn change_password_form(p: PortalPage) -> WebResult<Response> {
    render(&change_password_page(&p, Errors::default()))
}

/// Nothing typed is sent back: a refused form comes back empty, with the
/// reason beside the field.
pub(super) async fn change_password(
    p: PortalPage,
    Client(client): Client,
    Form(f): Form<ChangePasswordForm>,
) -> WebResult<Response> {
    match auth::change_password(
        &p.s.app,
        me(&p),
        &f.current,
        &f.password,
        &f.confirm,
        &client,
    )
    .await
    {
        // This session carries on under a new id: a new cookie.
        Ok(session) => Ok(login_response(
            &p.s,
            PORTAL_COOKIE,
            &session,
            "/me/sessions?done=changed",
        )),
        Err(AppError::Invalid(e)) => {
            render(&change_password_page(&p, Errors(e))).map(unprocessable)
        }
        Err(e) => Err(e.into()),
    }
}

/// "Log out of all other sessions": this one stays.
pub(super) async fn end_other_sessions(p: PortalPage) -> WebResult<Response> {
    auth::end_other_sessions(&p.s.app, me(&p)).await?;
    Ok(Redirect::to("/me/sessions?done=others").into_response())
}
