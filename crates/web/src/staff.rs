//! The staff side: companies, people, portal users, permission sets, settings.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Extension, Router};
use courtyard_app::auth::{self, PortalUser, StaffContext};
use courtyard_app::customers::{self, CompanyForm, ContactForm, PermissionSetForm};
use courtyard_app::db::companies::{Company, CompanyFilter};
use courtyard_app::db::contacts::{Contact, ContactFilter};
use courtyard_app::db::permission_sets::PermissionSet;
use courtyard_app::db::portal_users::PortalUserFilter;
use courtyard_app::emails::{self, EmailKind};
use courtyard_app::portal_users::{self as pu, PortalUserForm};
use courtyard_app::AppError;
use courtyard_domain::{
    Action, CompanyPortalAccess, ContactPortalAccess, Grants, Module, PortalUserState, RecordScope,
};
use serde::Deserialize;

use crate::account::{LoginForm, LoginPage, PageQuery, PasswordForm, SetPasswordPage};
use crate::csrf::CsrfToken;
use crate::error::WebResult;
use crate::forms::{Errors, Form, FormPairs};
use crate::layout::{notice, when, Layout};
use crate::render::{render, staff_layout as layout, unprocessable};
use crate::session::{
    cookie_value, login_response, logout_response, safe_next, Client, Staff, STAFF_COOKIE,
};
use crate::state::AppState;

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
        .route("/files/{id}", get(crate::files::staff_download))
        .route("/files/{id}/thumb", get(crate::files::staff_thumb))
        .route("/notifications", get(crate::documents::notifications))
        .route(
            "/documents",
            get(crate::documents::staff_list)
                .post(crate::documents::create)
                .layer(axum::extract::DefaultBodyLimit::disable()),
        )
        .route("/documents/new", get(crate::documents::new_form))
        .route("/documents/folders", post(crate::documents::create_folder))
        .route(
            "/documents/folders/{id}/delete",
            post(crate::documents::delete_folder),
        )
        .route(
            "/documents/{id}",
            get(crate::documents::find).post(crate::documents::update),
        )
        .route("/documents/{id}/delete", post(crate::documents::delete))
        .route("/files/{id}/share", post(crate::files::staff_share))
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
            get(crate::pdf::settings_form).post(crate::pdf::save_settings),
        )
        .route(
            "/settings/logo",
            post(crate::pdf::upload_logo).layer(axum::extract::DefaultBodyLimit::disable()),
        )
        .route("/settings/logo/remove", post(crate::pdf::remove_logo))
        .route("/templates", post(crate::pdf::create_template))
        .route("/templates/new", get(crate::pdf::new_template_form))
        .route(
            "/templates/{id}",
            get(crate::pdf::edit_template_form).post(crate::pdf::update_template),
        )
        .route("/templates/{id}/delete", post(crate::pdf::delete_template))
}

/// The staff pages of every record type: list, new, create, page, save, comment.
pub(crate) fn record_routes() -> Router<AppState> {
    use crate::{sales, work};
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
                    post(crate::files::staff_upload::<$k>)
                        .layer(axum::extract::DefaultBodyLimit::disable()),
                )
        };
    }
    let r = Router::new();
    let r = records!(r, "/quotes", sales, sales::Quotes);
    let r = records!(r, "/orders", sales, sales::Orders);
    let r = records!(r, "/invoices", sales, sales::Invoices);
    let r = r
        .route(
            "/quotes/{id}/pdf",
            get(crate::pdf::staff_pdf::<sales::Quotes>),
        )
        .route(
            "/orders/{id}/pdf",
            get(crate::pdf::staff_pdf::<sales::Orders>),
        )
        .route(
            "/invoices/{id}/pdf",
            get(crate::pdf::staff_pdf::<sales::Invoices>),
        );
    let r = records!(r, "/jobs", work, work::Jobs);
    let r = records!(r, "/tickets", work, work::Tickets);
    let r = records!(r, "/projects", work, work::Projects);
    records!(r, "/tasks", work, work::Tasks)
}

fn business(s: &AppState) -> &str {
    &s.app.config.business_name
}

// ---- login, setup ----

async fn login_form(
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

async fn login(
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

async fn logout(State(s): State<AppState>, headers: axum::http::HeaderMap) -> WebResult<Response> {
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
struct SetupPage {
    layout: Layout,
    action: String,
    name: String,
    email: String,
    errors: Errors,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct SetupForm {
    name: String,
    email: String,
    password: String,
    confirm: String,
}

fn gone(s: &AppState, csrf: &CsrfToken, e: AppError) -> WebResult<Response> {
    match e {
        AppError::Refused(m) => {
            let mut r = render(&crate::error::LinkGonePage {
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

async fn setup_form(
    State(s): State<AppState>,
    Extension(csrf): Extension<CsrfToken>,
    Path(token): Path<String>,
) -> WebResult<Response> {
    if let Err(e) = auth::setup_link_valid(&s.app, &token, "setup").await {
        return gone(&s, &csrf, e);
    }
    render(&SetupPage {
        layout: Layout::public("Set up Courtyard", business(&s), &csrf.0),
        action: format!("/staff/setup/{token}"),
        name: String::new(),
        email: String::new(),
        errors: Errors::default(),
    })
}

async fn setup(
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
            action: format!("/staff/setup/{token}"),
            name: f.name,
            email: f.email,
            errors: Errors(errors),
        })
        .map(unprocessable),
        Err(e) => gone(&s, &csrf, e),
    }
}

fn staff_password_page(
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
        action: format!("/staff/password/{token}"),
        username: String::new(),
        button: "Set password",
        errors,
    }
}

async fn password_form(
    State(s): State<AppState>,
    Extension(csrf): Extension<CsrfToken>,
    Path(token): Path<String>,
) -> WebResult<Response> {
    if let Err(e) = auth::setup_link_valid(&s.app, &token, "staff_password").await {
        return gone(&s, &csrf, e);
    }
    render(&staff_password_page(&s, &csrf, &token, Errors::default()))
}

async fn set_password(
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

// ---- dashboard ----

#[derive(Template)]
#[template(path = "staff/dashboard.html")]
struct DashboardPage {
    /// (label, list link, count) of what waits for staff.
    attention: Vec<(&'static str, &'static str, i64)>,
    layout: Layout,
    counts: Vec<(PortalUserState, i64)>,
    first_name: String,
}

async fn dashboard(
    State(s): State<AppState>,
    Extension(csrf): Extension<CsrfToken>,
    Staff(ctx): Staff,
) -> WebResult<Response> {
    let counts = pu::counts(&s.app).await?;
    let attention = courtyard_app::records::staff_attention(&s.app).await?;
    render(&DashboardPage {
        attention,
        layout: layout(&s, &csrf, &ctx, "Overview", "/staff"),
        first_name: ctx
            .staff
            .name
            .split_whitespace()
            .next()
            .unwrap_or("")
            .to_owned(),
        counts,
    })
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

#[derive(Template)]
#[template(path = "staff/companies.html")]
struct CompaniesPage {
    layout: Layout,
    q: String,
    tag: String,
    companies: Vec<Company>,
    next: Option<String>,
}

async fn list_companies(
    State(s): State<AppState>,
    Extension(csrf): Extension<CsrfToken>,
    Staff(ctx): Staff,
    Query(q): Query<ListQuery>,
) -> WebResult<Response> {
    let after = uncursor(&q.after, 2).map(|v| (v[0].clone(), v[1].clone()));
    let mut companies = customers::list_companies(
        &s.app,
        &CompanyFilter {
            search: opt(&q.q),
            tag: opt(&q.tag.to_lowercase()),
            after,
            limit: PAGE + 1,
        },
    )
    .await?;
    let next = (companies.len() as i64 > PAGE).then(|| {
        companies.truncate(PAGE as usize);
        let last = companies.last().expect("a full page");
        format!(
            "/staff/companies?{}",
            query_string(&[
                ("q", &q.q),
                ("tag", &q.tag),
                ("after", &cursor(&[&last.name, &last.id]))
            ])
        )
    });
    render(&CompaniesPage {
        layout: layout(&s, &csrf, &ctx, "Companies", "/staff/companies")
            .with_notice(notice(q.done.as_deref())),
        q: q.q,
        tag: q.tag,
        companies,
        next,
    })
}

#[derive(Template)]
#[template(path = "staff/company.html")]
struct CompanyPage {
    layout: Layout,
    id: Option<String>,
    form: CompanyForm,
    errors: Errors,
    people: Vec<Contact>,
    access_options: &'static [CompanyPortalAccess],
    /// The company's documents (its own, its people's, its projects').
    documents: Vec<crate::documents::DocView>,
    add_document: String,
}

fn company_page(
    s: &AppState,
    csrf: &CsrfToken,
    ctx: &StaffContext,
    id: Option<String>,
    form: CompanyForm,
    errors: Errors,
    people: Vec<Contact>,
) -> CompanyPage {
    let title = if id.is_some() {
        form.name.clone()
    } else {
        "New company".into()
    };
    CompanyPage {
        layout: layout(s, csrf, ctx, &title, "/staff/companies"),
        id,
        form,
        errors,
        people,
        access_options: CompanyPortalAccess::ALL,
        documents: vec![],
        add_document: String::new(),
    }
}

async fn new_company_form(
    State(s): State<AppState>,
    Extension(csrf): Extension<CsrfToken>,
    Staff(ctx): Staff,
) -> WebResult<Response> {
    let form = CompanyForm {
        portal_access: "off".into(),
        ..Default::default()
    };
    render(&company_page(
        &s,
        &csrf,
        &ctx,
        None,
        form,
        Errors::default(),
        vec![],
    ))
}

async fn create_company(
    State(s): State<AppState>,
    Extension(csrf): Extension<CsrfToken>,
    Staff(ctx): Staff,
    Form(f): Form<CompanyForm>,
) -> WebResult<Response> {
    match customers::create_company(&s.app, &f).await {
        Ok(c) => {
            Ok(Redirect::to(&format!("/staff/companies/{}?done=created", c.id)).into_response())
        }
        Err(AppError::Invalid(e)) => {
            render(&company_page(&s, &csrf, &ctx, None, f, Errors(e), vec![])).map(unprocessable)
        }
        Err(e) => Err(e.into()),
    }
}

async fn company_people(s: &AppState, id: &str) -> WebResult<Vec<Contact>> {
    Ok(customers::list_contacts(
        &s.app,
        &ContactFilter {
            company_id: Some(id.into()),
            limit: 500,
            ..Default::default()
        },
    )
    .await?)
}

async fn find_company(
    State(s): State<AppState>,
    Extension(csrf): Extension<CsrfToken>,
    Staff(ctx): Staff,
    Path(id): Path<String>,
    Query(q): Query<ListQuery>,
) -> WebResult<Response> {
    let c = customers::find_company(&s.app, &id).await?;
    let people = company_people(&s, &id).await?;
    let mut page = company_page(
        &s,
        &csrf,
        &ctx,
        Some(id.clone()),
        CompanyForm::from_company(&c),
        Errors::default(),
        people,
    );
    page.documents = crate::documents::staff_documents_of(&s, Some(&id), None).await?;
    page.add_document = format!("/staff/documents/new?audience=company&company_id={id}");
    page.layout = page.layout.with_notice(notice(q.done.as_deref()));
    render(&page)
}

async fn update_company(
    State(s): State<AppState>,
    Extension(csrf): Extension<CsrfToken>,
    Staff(ctx): Staff,
    Path(id): Path<String>,
    Form(f): Form<CompanyForm>,
) -> WebResult<Response> {
    match customers::update_company(&s.app, &id, &f).await {
        Ok(()) => Ok(Redirect::to(&format!("/staff/companies/{id}?done=saved")).into_response()),
        Err(AppError::Invalid(e)) => {
            let people = company_people(&s, &id).await?;
            render(&company_page(
                &s,
                &csrf,
                &ctx,
                Some(id),
                f,
                Errors(e),
                people,
            ))
            .map(unprocessable)
        }
        Err(e) => Err(e.into()),
    }
}

// ---- people ----

#[derive(Template)]
#[template(path = "staff/people.html")]
struct PeoplePage {
    layout: Layout,
    q: String,
    tag: String,
    people: Vec<Contact>,
    next: Option<String>,
}

async fn list_people(
    State(s): State<AppState>,
    Extension(csrf): Extension<CsrfToken>,
    Staff(ctx): Staff,
    Query(q): Query<ListQuery>,
) -> WebResult<Response> {
    let after = uncursor(&q.after, 3).map(|v| (v[0].clone(), v[1].clone(), v[2].clone()));
    let mut people = customers::list_contacts(
        &s.app,
        &ContactFilter {
            search: opt(&q.q),
            tag: opt(&q.tag.to_lowercase()),
            company_id: opt(&q.company_id),
            after,
            limit: PAGE + 1,
        },
    )
    .await?;
    let next = (people.len() as i64 > PAGE).then(|| {
        people.truncate(PAGE as usize);
        let l = people.last().expect("a full page");
        format!(
            "/staff/people?{}",
            query_string(&[
                ("q", &q.q),
                ("tag", &q.tag),
                ("after", &cursor(&[&l.last_name, &l.first_name, &l.id]))
            ])
        )
    });
    render(&PeoplePage {
        layout: layout(&s, &csrf, &ctx, "People", "/staff/people")
            .with_notice(notice(q.done.as_deref())),
        q: q.q,
        tag: q.tag,
        people,
        next,
    })
}

#[derive(Template)]
#[template(path = "staff/person.html")]
struct PersonPage {
    layout: Layout,
    id: Option<String>,
    form: ContactForm,
    errors: Errors,
    companies: Vec<(String, String)>,
    access_options: &'static [ContactPortalAccess],
    portal_user: Option<PortalUser>,
    can_manage: bool,
    /// Documents for this person.
    documents: Vec<crate::documents::DocView>,
    add_document: String,
}

async fn person_page(
    s: &AppState,
    csrf: &CsrfToken,
    ctx: &StaffContext,
    id: Option<String>,
    form: ContactForm,
    errors: Errors,
) -> WebResult<PersonPage> {
    let companies = customers::company_names(&s.app).await?;
    let portal_user = match &id {
        Some(id) => {
            let c = customers::find_contact(&s.app, id).await?;
            match c.portal_user_id {
                Some(pid) => Some(pu::find(&s.app, &pid).await?),
                None => None,
            }
        }
        None => None,
    };
    let title = if id.is_some() {
        format!("{} {}", form.first_name, form.last_name)
    } else {
        "New person".into()
    };
    Ok(PersonPage {
        layout: layout(s, csrf, ctx, &title, "/staff/people"),
        id,
        form,
        errors,
        companies,
        access_options: ContactPortalAccess::ALL,
        portal_user,
        can_manage: ctx.role.can_manage_portal(),
        documents: vec![],
        add_document: String::new(),
    })
}

async fn new_person_form(
    State(s): State<AppState>,
    Extension(csrf): Extension<CsrfToken>,
    Staff(ctx): Staff,
    Query(q): Query<ListQuery>,
) -> WebResult<Response> {
    let form = ContactForm {
        company_id: q.company_id,
        portal_access: "inherit".into(),
        ..Default::default()
    };
    render(&person_page(&s, &csrf, &ctx, None, form, Errors::default()).await?)
}

async fn create_person(
    State(s): State<AppState>,
    Extension(csrf): Extension<CsrfToken>,
    Staff(ctx): Staff,
    Form(f): Form<ContactForm>,
) -> WebResult<Response> {
    match customers::create_contact(&s.app, &f).await {
        Ok(c) => Ok(Redirect::to(&format!("/staff/people/{}?done=created", c.id)).into_response()),
        Err(AppError::Invalid(e)) => {
            render(&person_page(&s, &csrf, &ctx, None, f, Errors(e)).await?).map(unprocessable)
        }
        Err(e) => Err(e.into()),
    }
}

async fn find_person(
    State(s): State<AppState>,
    Extension(csrf): Extension<CsrfToken>,
    Staff(ctx): Staff,
    Path(id): Path<String>,
    Query(q): Query<ListQuery>,
) -> WebResult<Response> {
    let c = customers::find_contact(&s.app, &id).await?;
    let mut page = person_page(
        &s,
        &csrf,
        &ctx,
        Some(id.clone()),
        ContactForm::from_contact(&c),
        Errors::default(),
    )
    .await?;
    page.documents = crate::documents::staff_documents_of(&s, None, Some(&id)).await?;
    page.add_document = format!("/staff/documents/new?audience=contact&contact_id={id}");
    page.layout = page.layout.with_notice(notice(q.done.as_deref()));
    render(&page)
}

async fn update_person(
    State(s): State<AppState>,
    Extension(csrf): Extension<CsrfToken>,
    Staff(ctx): Staff,
    Path(id): Path<String>,
    Form(f): Form<ContactForm>,
) -> WebResult<Response> {
    match customers::update_contact(&s.app, &id, &f).await {
        Ok(()) => Ok(Redirect::to(&format!("/staff/people/{id}?done=saved")).into_response()),
        Err(AppError::Invalid(e)) => {
            render(&person_page(&s, &csrf, &ctx, Some(id), f, Errors(e)).await?).map(unprocessable)
        }
        Err(e) => Err(e.into()),
    }
}

// ---- portal users ----

#[derive(Template)]
#[template(path = "staff/portal_user_form.html")]
struct GiveAccessPage {
    layout: Layout,
    contact: Contact,
    form: PortalUserForm,
    errors: Errors,
    sets: Vec<PermissionSet>,
    scopes: &'static [RecordScope],
}

async fn give_access_page(
    s: &AppState,
    csrf: &CsrfToken,
    ctx: &StaffContext,
    contact: Contact,
    form: PortalUserForm,
    errors: Errors,
) -> WebResult<GiveAccessPage> {
    let sets = customers::list_permission_sets(&s.app).await?;
    Ok(GiveAccessPage {
        layout: layout(s, csrf, ctx, "Give portal access", "/staff/portal-users"),
        contact,
        form,
        errors,
        sets,
        scopes: RecordScope::ALL,
    })
}

async fn give_access_form(
    State(s): State<AppState>,
    Extension(csrf): Extension<CsrfToken>,
    Staff(ctx): Staff,
    Path(id): Path<String>,
) -> WebResult<Response> {
    ctx.require_admin()?;
    let contact = customers::find_contact(&s.app, &id).await?;
    if let Some(pid) = &contact.portal_user_id {
        return Ok(Redirect::to(&format!("/staff/portal-users/{pid}")).into_response());
    }
    let form = PortalUserForm {
        email: contact.email.clone().unwrap_or_default(),
        record_scope: "company".into(),
        ..Default::default()
    };
    render(&give_access_page(&s, &csrf, &ctx, contact, form, Errors::default()).await?)
}

async fn give_access(
    State(s): State<AppState>,
    Extension(csrf): Extension<CsrfToken>,
    Staff(ctx): Staff,
    Path(id): Path<String>,
    form: FormPairs,
) -> WebResult<Response> {
    ctx.require_admin()?;
    let f = PortalUserForm {
        email: form.get("email"),
        permission_set_id: form.get("permission_set_id"),
        record_scope: form.get("record_scope"),
        access_from: form.get("access_from"),
        access_until: form.get("access_until"),
    };
    let invite = form.get("send") == "invite";
    match pu::give_access(&s.app, &id, &f, invite).await {
        Ok(uid) => Ok(Redirect::to(&format!(
            "/staff/portal-users/{uid}?done={}",
            if invite { "invited" } else { "access" }
        ))
        .into_response()),
        Err(AppError::Invalid(e)) => {
            let contact = customers::find_contact(&s.app, &id).await?;
            render(&give_access_page(&s, &csrf, &ctx, contact, f, Errors(e)).await?)
                .map(unprocessable)
        }
        Err(e) => Err(e.into()),
    }
}

#[derive(Template)]
#[template(path = "staff/portal_users.html")]
struct PortalUsersPage {
    layout: Layout,
    q: String,
    state: String,
    counts: Vec<(PortalUserState, i64)>,
    total: i64,
    users: Vec<PortalUser>,
    next: Option<String>,
}

async fn list_portal_users(
    State(s): State<AppState>,
    Extension(csrf): Extension<CsrfToken>,
    Staff(ctx): Staff,
    Query(q): Query<ListQuery>,
) -> WebResult<Response> {
    let state = PortalUserState::parse(&q.state).map(|s| s.as_str().to_owned());
    let after = uncursor(&q.after, 2).map(|v| (v[0].clone(), v[1].clone()));
    let mut users = pu::list(
        &s.app,
        &PortalUserFilter {
            state: state.clone(),
            search: opt(&q.q),
            company_id: opt(&q.company_id),
            after,
            limit: PAGE + 1,
        },
    )
    .await?;
    let next = (users.len() as i64 > PAGE).then(|| {
        users.truncate(PAGE as usize);
        let l = users.last().expect("a full page");
        format!(
            "/staff/portal-users?{}",
            query_string(&[
                ("q", &q.q),
                ("state", &q.state),
                ("after", &cursor(&[&l.email, &l.id]))
            ])
        )
    });
    let counts = pu::counts(&s.app).await?;
    render(&PortalUsersPage {
        layout: layout(&s, &csrf, &ctx, "Portal users", "/staff/portal-users")
            .with_notice(notice(q.done.as_deref())),
        q: q.q,
        state: state.unwrap_or_default(),
        total: counts.iter().map(|(_, n)| n).sum(),
        counts,
        users,
        next,
    })
}

async fn new_portal_user_form(
    State(s): State<AppState>,
    Extension(csrf): Extension<CsrfToken>,
    Staff(ctx): Staff,
    Query(q): Query<ListQuery>,
) -> WebResult<Response> {
    ctx.require_admin()?;
    // Pick a person first; the form then lives on the person's "give access" page.
    let people = customers::list_contacts(
        &s.app,
        &ContactFilter {
            search: opt(&q.q),
            limit: 200,
            ..Default::default()
        },
    )
    .await?;
    let candidates = people
        .into_iter()
        .filter(|c| c.portal_user_id.is_none())
        .collect();
    render(&PickPersonPage {
        layout: layout(&s, &csrf, &ctx, "Add portal user", "/staff/portal-users"),
        q: q.q,
        candidates,
    })
}

#[derive(Template)]
#[template(path = "staff/pick_person.html")]
struct PickPersonPage {
    layout: Layout,
    q: String,
    candidates: Vec<Contact>,
}

#[derive(Template)]
#[template(path = "staff/portal_user.html")]
struct PortalUserPage {
    layout: Layout,
    user: PortalUser,
    state: PortalUserState,
    access_problem: Option<&'static str>,
    form: PortalUserForm,
    errors: Errors,
    sets: Vec<PermissionSet>,
    scopes: &'static [RecordScope],
    invited: String,
    activated: String,
    last_login: String,
    can_manage: bool,
}

async fn portal_user_page(
    s: &AppState,
    csrf: &CsrfToken,
    ctx: &StaffContext,
    user: PortalUser,
    form: PortalUserForm,
    errors: Errors,
) -> WebResult<PortalUserPage> {
    let sets = customers::list_permission_sets(&s.app).await?;
    let state = PortalUserState::parse(&user.state).unwrap_or(PortalUserState::Awaiting);
    let opt_when = |t: Option<i64>| t.map(when).unwrap_or_else(|| "—".into());
    Ok(PortalUserPage {
        layout: layout(s, csrf, ctx, &user.full_name(), "/staff/portal-users"),
        access_problem: auth::access_check(&user, s.app.clock.today())
            .err()
            .map(|e| e.explain()),
        state,
        invited: opt_when(user.invited_at),
        activated: opt_when(user.activated_at),
        last_login: opt_when(user.last_login_at),
        user,
        form,
        errors,
        sets,
        scopes: RecordScope::ALL,
        can_manage: ctx.role.can_manage_portal(),
    })
}

async fn find_portal_user(
    State(s): State<AppState>,
    Extension(csrf): Extension<CsrfToken>,
    Staff(ctx): Staff,
    Path(id): Path<String>,
    Query(q): Query<ListQuery>,
) -> WebResult<Response> {
    let user = pu::find(&s.app, &id).await?;
    let form = PortalUserForm::from_user(&user);
    let mut page = portal_user_page(&s, &csrf, &ctx, user, form, Errors::default()).await?;
    page.layout = page.layout.with_notice(notice(q.done.as_deref()));
    render(&page)
}

async fn update_portal_user(
    State(s): State<AppState>,
    Extension(csrf): Extension<CsrfToken>,
    Staff(ctx): Staff,
    Path(id): Path<String>,
    Form(f): Form<PortalUserForm>,
) -> WebResult<Response> {
    ctx.require_admin()?;
    match pu::update(&s.app, &id, &f).await {
        Ok(()) => Ok(Redirect::to(&format!("/staff/portal-users/{id}?done=saved")).into_response()),
        Err(AppError::Invalid(e)) => {
            let user = pu::find(&s.app, &id).await?;
            render(&portal_user_page(&s, &csrf, &ctx, user, f, Errors(e)).await?).map(unprocessable)
        }
        Err(e) => Err(e.into()),
    }
}

async fn invite_portal_user(
    State(s): State<AppState>,
    Staff(ctx): Staff,
    Path(id): Path<String>,
) -> WebResult<Response> {
    ctx.require_admin()?;
    pu::invite(&s.app, &id).await?;
    Ok(Redirect::to(&format!("/staff/portal-users/{id}?done=invited")).into_response())
}

async fn deactivate_portal_user(
    State(s): State<AppState>,
    Staff(ctx): Staff,
    Path(id): Path<String>,
) -> WebResult<Response> {
    ctx.require_admin()?;
    pu::deactivate(&s.app, &id).await?;
    Ok(Redirect::to(&format!("/staff/portal-users/{id}?done=deactivated")).into_response())
}

async fn reactivate_portal_user(
    State(s): State<AppState>,
    Staff(ctx): Staff,
    Path(id): Path<String>,
) -> WebResult<Response> {
    ctx.require_admin()?;
    pu::reactivate(&s.app, &id).await?;
    Ok(Redirect::to(&format!("/staff/portal-users/{id}?done=reactivated")).into_response())
}

// ---- permission sets ----

#[derive(Template)]
#[template(path = "staff/permission_sets.html")]
struct PermissionSetsPage {
    layout: Layout,
    sets: Vec<(PermissionSet, Vec<&'static str>)>,
}

async fn list_permission_sets(
    State(s): State<AppState>,
    Extension(csrf): Extension<CsrfToken>,
    Staff(ctx): Staff,
    Query(q): Query<ListQuery>,
) -> WebResult<Response> {
    let sets = customers::list_permission_sets(&s.app)
        .await?
        .into_iter()
        .map(|p| {
            let modules = Grants::from_storage(&p.grants)
                .modules()
                .into_iter()
                .map(|m| m.label())
                .collect();
            (p, modules)
        })
        .collect();
    render(&PermissionSetsPage {
        layout: layout(&s, &csrf, &ctx, "Permission sets", "/staff/permission-sets")
            .with_notice(notice(q.done.as_deref())),
        sets,
    })
}

/// One row of the module × action matrix.
struct MatrixRow {
    module: &'static str,
    cells: Vec<MatrixCell>,
}

struct MatrixCell {
    key: String,
    label: &'static str,
    available: bool,
    checked: bool,
}

fn matrix(grants: &[String]) -> Vec<MatrixRow> {
    Module::ALL
        .iter()
        .map(|m| MatrixRow {
            module: m.label(),
            cells: Action::ALL
                .iter()
                .map(|a| {
                    let key = format!("{}:{}", m.as_str(), a.as_str());
                    MatrixCell {
                        checked: grants.contains(&key),
                        available: m.actions().contains(a),
                        label: a.label(),
                        key,
                    }
                })
                .collect(),
        })
        .collect()
}

#[derive(Template)]
#[template(path = "staff/permission_set.html")]
struct PermissionSetPage {
    layout: Layout,
    id: Option<String>,
    form: PermissionSetForm,
    errors: Errors,
    actions: Vec<&'static str>,
    rows: Vec<MatrixRow>,
    user_count: i64,
}

fn permission_set_page(
    s: &AppState,
    csrf: &CsrfToken,
    ctx: &StaffContext,
    id: Option<String>,
    form: PermissionSetForm,
    errors: Errors,
    user_count: i64,
) -> PermissionSetPage {
    let title = if id.is_some() {
        form.name.clone()
    } else {
        "New permission set".into()
    };
    PermissionSetPage {
        layout: layout(s, csrf, ctx, &title, "/staff/permission-sets"),
        rows: matrix(&form.grants),
        actions: Action::ALL.iter().map(|a| a.label()).collect(),
        id,
        form,
        errors,
        user_count,
    }
}

fn set_form(form: &FormPairs) -> PermissionSetForm {
    PermissionSetForm {
        name: form.get("name"),
        description: form.get("description"),
        grants: form.all("grant"),
    }
}

async fn new_permission_set_form(
    State(s): State<AppState>,
    Extension(csrf): Extension<CsrfToken>,
    Staff(ctx): Staff,
) -> WebResult<Response> {
    ctx.require_admin()?;
    let form = PermissionSetForm {
        grants: vec!["my_details:view".into()],
        ..Default::default()
    };
    render(&permission_set_page(
        &s,
        &csrf,
        &ctx,
        None,
        form,
        Errors::default(),
        0,
    ))
}

async fn create_permission_set(
    State(s): State<AppState>,
    Extension(csrf): Extension<CsrfToken>,
    Staff(ctx): Staff,
    form: FormPairs,
) -> WebResult<Response> {
    ctx.require_admin()?;
    let f = set_form(&form);
    match customers::create_permission_set(&s.app, &f).await {
        Ok(p) => Ok(
            Redirect::to(&format!("/staff/permission-sets/{}?done=created", p.id)).into_response(),
        ),
        Err(AppError::Invalid(e)) => {
            render(&permission_set_page(&s, &csrf, &ctx, None, f, Errors(e), 0)).map(unprocessable)
        }
        Err(e) => Err(e.into()),
    }
}

async fn find_permission_set(
    State(s): State<AppState>,
    Extension(csrf): Extension<CsrfToken>,
    Staff(ctx): Staff,
    Path(id): Path<String>,
    Query(q): Query<ListQuery>,
) -> WebResult<Response> {
    let p = customers::find_permission_set(&s.app, &id).await?;
    let mut page = permission_set_page(
        &s,
        &csrf,
        &ctx,
        Some(id),
        PermissionSetForm::from_set(&p),
        Errors::default(),
        p.user_count,
    );
    page.layout = page.layout.with_notice(notice(q.done.as_deref()));
    render(&page)
}

async fn update_permission_set(
    State(s): State<AppState>,
    Extension(csrf): Extension<CsrfToken>,
    Staff(ctx): Staff,
    Path(id): Path<String>,
    form: FormPairs,
) -> WebResult<Response> {
    ctx.require_admin()?;
    let f = set_form(&form);
    match customers::update_permission_set(&s.app, &id, &f).await {
        Ok(()) => {
            Ok(Redirect::to(&format!("/staff/permission-sets/{id}?done=saved")).into_response())
        }
        Err(AppError::Invalid(e)) => {
            let p = customers::find_permission_set(&s.app, &id).await?;
            render(&permission_set_page(
                &s,
                &csrf,
                &ctx,
                Some(id),
                f,
                Errors(e),
                p.user_count,
            ))
            .map(unprocessable)
        }
        Err(e) => Err(e.into()),
    }
}

// ---- settings ----

struct IntroRow {
    key: &'static str,
    label: &'static str,
    text: String,
    default_text: String,
}

#[derive(Template)]
#[template(path = "staff/settings.html")]
struct SettingsPage {
    layout: Layout,
    intros: Vec<IntroRow>,
    /// (record type, label, on): email the assigned staff member on a
    /// customer's first view.
    notify: Vec<(&'static str, &'static str, bool)>,
    /// Portal modules and whether each is on.
    modules: Vec<(courtyard_domain::Module, bool)>,
    /// (sequence kind, label, prefix)
    prefixes: Vec<(&'static str, &'static str, String)>,
    errors: Errors,
}

/// The portal part of the settings form, as loaded or as submitted.
struct PortalSettings {
    notify: Vec<(&'static str, &'static str, bool)>,
    modules: Vec<(courtyard_domain::Module, bool)>,
    prefixes: Vec<(&'static str, &'static str, String)>,
}

fn settings_page(
    s: &AppState,
    csrf: &CsrfToken,
    ctx: &StaffContext,
    texts: Vec<(EmailKind, String)>,
    portal: PortalSettings,
    errors: Errors,
) -> SettingsPage {
    let intros = texts
        .into_iter()
        .map(|(kind, text)| IntroRow {
            key: kind.key(),
            label: kind.label(),
            text,
            default_text: kind.default_intro(business(s)),
        })
        .collect();
    SettingsPage {
        layout: layout(s, csrf, ctx, "Settings", "/staff/settings"),
        intros,
        notify: portal.notify,
        modules: portal.modules,
        prefixes: portal.prefixes,
        errors,
    }
}

async fn settings_form(
    State(s): State<AppState>,
    Extension(csrf): Extension<CsrfToken>,
    Staff(ctx): Staff,
    Query(q): Query<ListQuery>,
) -> WebResult<Response> {
    ctx.require_admin()?;
    let texts = emails::intros(&s.app).await?;
    let portal = PortalSettings {
        notify: courtyard_app::records::notify_settings(&s.app).await?,
        modules: courtyard_app::records::module_switches(&s.app).await?,
        prefixes: courtyard_app::records::number_prefixes(&s.app).await?,
    };
    let mut page = settings_page(&s, &csrf, &ctx, texts, portal, Errors::default());
    page.layout = page.layout.with_notice(notice(q.done.as_deref()));
    render(&page)
}

async fn update_settings(
    State(s): State<AppState>,
    Extension(csrf): Extension<CsrfToken>,
    Staff(ctx): Staff,
    form: FormPairs,
) -> WebResult<Response> {
    ctx.require_admin()?;
    use courtyard_app::records as rec;
    // Intros the form did not send keep their current text.
    let sent = |k: &EmailKind| {
        form.0
            .iter()
            .any(|(key, _)| key == &format!("intro_{}", k.key()))
    };
    let submitted: Vec<(EmailKind, String)> = EmailKind::ALL
        .iter()
        .filter(|k| sent(k))
        .map(|k| (*k, form.get(&format!("intro_{}", k.key()))))
        .collect();
    let texts: Vec<(EmailKind, String)> = emails::intros(&s.app)
        .await?
        .into_iter()
        .map(|(k, current)| {
            let text = submitted
                .iter()
                .find(|(s, _)| *s == k)
                .map_or(current, |(_, t)| t.clone());
            (k, text)
        })
        .collect();
    // Each section counts only when the form sent it (its hidden marker, or
    // the prefix field itself): a partial post changes nothing else.
    let has = |k: &str| form.0.iter().any(|(key, _)| key == k);
    let mut portal = PortalSettings {
        notify: rec::notify_settings(&s.app).await?,
        modules: rec::module_switches(&s.app).await?,
        prefixes: rec::number_prefixes(&s.app).await?,
    };
    if has("notify_form") {
        for (k, _, on) in &mut portal.notify {
            *on = form.get(&format!("notify_{k}")) == "1";
        }
    }
    if has("modules_form") {
        for (m, on) in &mut portal.modules {
            *on = form.get(&format!("module_{}", m.as_str())) == "1";
        }
    }
    for (k, _, prefix) in &mut portal.prefixes {
        let key = format!("prefix_{k}");
        if has(&key) {
            *prefix = form.get(&key);
        }
    }
    let prefixes: Vec<(&str, String)> = portal
        .prefixes
        .iter()
        .map(|(k, _, v)| (*k, v.clone()))
        .collect();
    // Check everything before saving anything.
    let saved = match rec::check_prefixes(&prefixes) {
        Ok(_) => match emails::save_intros(&s.app, &submitted).await {
            Ok(()) => {
                let on: Vec<_> = portal
                    .modules
                    .iter()
                    .filter(|(_, on)| *on)
                    .map(|(m, _)| *m)
                    .collect();
                let notify: Vec<(&str, bool)> =
                    portal.notify.iter().map(|(k, _, on)| (*k, *on)).collect();
                rec::save_portal_settings(&s.app, &on, &notify, &prefixes).await
            }
            Err(e) => Err(e),
        },
        Err(e) => Err(e),
    };
    match saved {
        Ok(()) => Ok(Redirect::to("/staff/settings?done=saved").into_response()),
        Err(AppError::Invalid(e)) => {
            render(&settings_page(&s, &csrf, &ctx, texts, portal, Errors(e))).map(unprocessable)
        }
        Err(e) => Err(e.into()),
    }
}

#[derive(Template)]
#[template(path = "staff/view_as.html")]
struct ViewAsPage {
    layout: Layout,
    v: courtyard_app::work::ViewAs,
    waiting: crate::records::WaitingGroups,
}

/// "View as": what a portal user sees, read-only, links to the staff pages.
/// Nothing here records a customer view.
async fn view_as(
    State(s): State<AppState>,
    Extension(csrf): Extension<CsrfToken>,
    Staff(ctx): Staff,
    Path(id): Path<String>,
) -> WebResult<Response> {
    let mut v = courtyard_app::work::view_as(&s.app, &id).await?;
    let w = std::mem::replace(
        &mut v.waiting,
        courtyard_app::work::Waiting {
            invoices: vec![],
            quotes: vec![],
            tasks: vec![],
            tickets: vec![],
        },
    );
    let mut waiting = crate::records::waiting_groups(w);
    for (_, _, items) in &mut waiting {
        for i in items.iter_mut() {
            i.href = format!("/staff{}", i.href);
        }
    }
    render(&ViewAsPage {
        layout: layout(
            &s,
            &csrf,
            &ctx,
            &format!("Viewing as {}", v.user.full_name()),
            "/staff/portal-users",
        ),
        v,
        waiting,
    })
}
