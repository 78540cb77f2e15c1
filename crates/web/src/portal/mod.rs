//! The portal: what people at customer companies see. Here the route table
//! (each route with its `Exposure`, which the isolation test walks); the
//! sign-in pages and the customer's own pages are in their own files.

use axum::routing::{get, post};
use axum::Router;
use courtyard_domain::Module;

use crate::kit::state::AppState;
use crate::ui::records::{Invoices, Jobs, Orders, Projects, Quotes, Tasks, Tickets};

mod documents;
mod files;
mod me;
mod pdf;
mod sales;
mod sign_in;
mod work;

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
        (r("/login-help", &["GET"], Public), get(login_help)),
        // Where "Forgot your username?" used to be.
        (
            r("/forgot-username", &["GET"], Public),
            get(|| async { axum::response::Redirect::permanent("/login-help") }),
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
            r("/me/sessions/end-others", &["POST"], Account),
            post(end_other_sessions),
        ),
        (
            r("/me/password", &["GET", "POST"], Account),
            get(change_password_form).post(change_password),
        ),
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
            get(work::new_form::<Jobs>).post(work::create::<Jobs>),
        ),
        (
            r("/tickets/new", &["GET", "POST"], Account),
            get(work::new_form::<Tickets>).post(work::create::<Tickets>),
        ),
        (
            r("/tasks/{id}/complete", &["POST"], Record(Module::Tasks)),
            post(work::portal_complete_task),
        ),
        // The CSRF layer has checked the token and bounds the body by the upload limit.
        (
            r("/jobs/{id}/files", &["POST"], Record(Module::Jobs)),
            post(files::portal_upload::<Jobs>).layer(axum::extract::DefaultBodyLimit::disable()),
        ),
        (
            r("/tickets/{id}/files", &["POST"], Record(Module::Tickets)),
            post(files::portal_upload::<Tickets>).layer(axum::extract::DefaultBodyLimit::disable()),
        ),
        (
            r("/projects/{id}/files", &["POST"], Record(Module::Projects)),
            post(files::portal_upload::<Projects>)
                .layer(axum::extract::DefaultBodyLimit::disable()),
        ),
        (
            r("/tasks/{id}/files", &["POST"], Record(Module::Tasks)),
            post(files::portal_upload::<Tasks>).layer(axum::extract::DefaultBodyLimit::disable()),
        ),
        (
            r("/quotes/{id}/pdf", &["GET"], Record(Module::Quotes)),
            get(pdf::portal_pdf::<Quotes>),
        ),
        (
            r("/orders/{id}/pdf", &["GET"], Record(Module::SalesOrders)),
            get(pdf::portal_pdf::<Orders>),
        ),
        (
            r("/invoices/{id}/pdf", &["GET"], Record(Module::Invoices)),
            get(pdf::portal_pdf::<Invoices>),
        ),
        (
            r("/files/{id}", &["GET"], File),
            get(files::portal_download),
        ),
        (
            r("/files/{id}/thumb", &["GET"], File),
            get(files::portal_thumb),
        ),
        (
            r("/documents", &["GET", "POST"], List(Module::Documents)),
            get(documents::portal_list)
                .post(documents::portal_upload)
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
    module!("/quotes", Module::Quotes, sales, Quotes);
    module!("/orders", Module::SalesOrders, sales, Orders);
    module!("/invoices", Module::Invoices, sales, Invoices);
    module!("/jobs", Module::Jobs, work, Jobs);
    module!("/tickets", Module::Tickets, work, Tickets);
    module!("/projects", Module::Projects, work, Projects);
    module!("/tasks", Module::Tasks, work, Tasks);
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
