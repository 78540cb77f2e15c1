//! The staff side: the route table of every staff page, the list helpers
//! the pages share, and the dashboard. Each area has its own file: login,
//! companies (and people), portal users, permission sets, settings.

use askama::Template;
use axum::response::Response;
use axum::routing::{get, post};
use axum::Router;
use courtyard_app::portal_users::{self as pu};
use courtyard_domain::PortalUserState;
use serde::Deserialize;

use crate::kit::error::WebResult;
use crate::kit::layout::Layout;
use crate::kit::page::StaffPage;
use crate::kit::render::render;
use crate::kit::state::AppState;
use crate::ui::records::{Invoices, Jobs, Orders, Projects, Quotes, Tasks, Tickets};

mod companies;
mod documents;
mod files;
mod login;
mod pdf;
mod permission_sets;
mod picks;
mod portal_users;
mod sales;
mod settings;
mod work;
mod work_forms;

use companies::*;
use login::*;
use permission_sets::*;
use portal_users::*;
use settings::*;

const PAGE: i64 = 50;

pub fn routes() -> Router<AppState> {
    record_routes()
        .route("/", get(dashboard))
        .route("/login", get(login_form).post(login))
        .route("/logout", post(logout))
        .route("/setup/{token}", get(setup_form).post(setup))
        .route("/password/{token}", get(password_form).post(set_password))
        .route("/companies", get(list_companies).post(create_company))
        .route("/companies/new", get(new_company_form))
        .route("/companies/{id}", get(find_company).post(update_company))
        .route("/people", get(list_people).post(create_person))
        .route("/people/new", get(new_person_form))
        .route("/people/{id}", get(find_person).post(update_person))
        .route(
            "/people/{id}/access",
            get(give_access_form).post(give_access),
        )
        .route("/portal-users", get(list_portal_users))
        .route("/portal-users/new", get(new_portal_user_form))
        .route(
            "/portal-users/{id}",
            get(find_portal_user).post(update_portal_user),
        )
        .route("/portal-users/{id}/invite", post(invite_portal_user))
        .route("/portal-users/{id}/view-as", get(view_as))
        .route("/files/{id}", get(files::staff_download))
        .route("/files/{id}/thumb", get(files::staff_thumb))
        .route("/notifications", get(documents::notifications))
        .route(
            "/documents",
            get(documents::staff_list)
                .post(documents::create)
                .layer(axum::extract::DefaultBodyLimit::disable()),
        )
        .route("/documents/new", get(documents::new_form))
        .route("/documents/folders", post(documents::create_folder))
        .route(
            "/documents/folders/{id}/delete",
            post(documents::delete_folder),
        )
        .route(
            "/documents/{id}",
            get(documents::find).post(documents::update),
        )
        .route("/documents/{id}/delete", post(documents::delete))
        .route("/files/{id}/share", post(files::staff_share))
        .route(
            "/portal-users/{id}/deactivate",
            post(deactivate_portal_user),
        )
        .route(
            "/portal-users/{id}/reactivate",
            post(reactivate_portal_user),
        )
        .route(
            "/permission-sets",
            get(list_permission_sets).post(create_permission_set),
        )
        .route("/permission-sets/new", get(new_permission_set_form))
        .route(
            "/permission-sets/{id}",
            get(find_permission_set).post(update_permission_set),
        )
        .route("/settings", get(settings_form).post(update_settings))
        .route(
            "/settings/documents",
            get(pdf::settings_form).post(pdf::save_settings),
        )
        .route(
            "/settings/logo",
            post(pdf::upload_logo).layer(axum::extract::DefaultBodyLimit::disable()),
        )
        .route("/settings/logo/remove", post(pdf::remove_logo))
        .route("/templates", post(pdf::create_template))
        .route("/templates/new", get(pdf::new_template_form))
        .route(
            "/templates/{id}",
            get(pdf::edit_template_form).post(pdf::update_template),
        )
        .route("/templates/{id}/delete", post(pdf::delete_template))
}

/// The staff pages of every record type: list, new, create, page, save, comment.
pub(crate) fn record_routes() -> Router<AppState> {
    macro_rules! records {
        ($router:expr, $base:literal, $h:ident, $k:ty) => {
            $router
                .route(
                    $base,
                    get($h::staff_list::<$k>).post($h::staff_create::<$k>),
                )
                .route(concat!($base, "/new"), get($h::staff_new_form::<$k>))
                .route(
                    concat!($base, "/{id}"),
                    get($h::staff_find::<$k>).post($h::staff_update::<$k>),
                )
                .route(
                    concat!($base, "/{id}/comments"),
                    post($h::staff_comment::<$k>),
                )
                // The CSRF layer has checked the token and bounds the body by the upload limit.
                .route(
                    concat!($base, "/{id}/files"),
                    post(files::staff_upload::<$k>)
                        .layer(axum::extract::DefaultBodyLimit::disable()),
                )
        };
    }
    let r = Router::new();
    let r = records!(r, "/quotes", sales, Quotes);
    let r = records!(r, "/orders", sales, Orders);
    let r = records!(r, "/invoices", sales, Invoices);
    let r = r
        .route("/quotes/{id}/pdf", get(pdf::staff_pdf::<Quotes>))
        .route("/orders/{id}/pdf", get(pdf::staff_pdf::<Orders>))
        .route("/invoices/{id}/pdf", get(pdf::staff_pdf::<Invoices>));
    let r = records!(r, "/jobs", work, Jobs);
    let r = records!(r, "/tickets", work, Tickets);
    let r = records!(r, "/projects", work, Projects);
    records!(r, "/tasks", work, Tasks)
}

fn business(s: &AppState) -> &str {
    &s.app.config.business_name
}

// ---- companies ----

#[derive(Deserialize, Default)]
#[serde(default)]
struct ListQuery {
    q: String,
    tag: String,
    state: String,
    after: String,
    done: Option<String>,
    company_id: String,
}

fn opt(s: &str) -> Option<String> {
    let t = s.trim();
    (!t.is_empty()).then(|| t.to_owned())
}

/// A keyset cursor travels as its parts joined by a character that can't
/// appear in ids: "\u{1f}".
fn cursor(parts: &[&str]) -> String {
    parts.join("\u{1f}")
}

fn uncursor(raw: &str, n: usize) -> Option<Vec<String>> {
    let v: Vec<String> = raw.split('\u{1f}').map(str::to_owned).collect();
    (v.len() == n).then_some(v)
}

fn query_string(pairs: &[(&str, &str)]) -> String {
    let kept: Vec<(&str, &str)> = pairs
        .iter()
        .copied()
        .filter(|(_, v)| !v.is_empty())
        .collect();
    serde_urlencoded::to_string(kept).unwrap_or_default()
}

// ---- dashboard ----

#[derive(Template)]
#[template(path = "staff/dashboard.html")]
struct DashboardPage {
    /// (label, list link, count) of what waits for staff.
    attention: Vec<(&'static str, String, i64)>,
    layout: Layout,
    counts: Vec<(PortalUserState, i64)>,
    first_name: String,
}

async fn dashboard(p: StaffPage) -> WebResult<Response> {
    let counts = pu::counts(&p.s.app).await?;
    let attention = courtyard_app::records::staff_attention(&p.s.app).await?;
    render(&DashboardPage {
        attention,
        layout: p.layout("Overview", "/staff"),
        first_name: p
            .ctx
            .staff
            .name
            .split_whitespace()
            .next()
            .unwrap_or("")
            .to_owned(),
        counts,
    })
}
