//! The portal: what people at customer companies see. Here the route table
//! (each route with its `Exposure`, which the isolation test walks); the
//! sign-in pages and the customer's own pages are in their own files.

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

mod me;
mod sign_in;

use me::*;
use sign_in::*;

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
