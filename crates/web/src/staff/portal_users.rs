//! Portal users: giving access, the list, each user's page, invitations,
//! deactivation, and "view as".

use super::{cursor, opt, query_string, uncursor, ListQuery, PAGE};
use crate::kit::error::WebResult;
use crate::kit::forms::{Errors, Form};
use crate::kit::layout::{notice, when, Layout};
use crate::kit::page::StaffPage;
use crate::kit::render::{render, saved_or_again};
use crate::kit::session::Staff;
use crate::kit::state::AppState;
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use courtyard_app::auth::PortalUser;
use courtyard_app::customers::{Contact, ContactFilter, PermissionSet};
use courtyard_app::portal_users as pu;
use courtyard_app::portal_users::{PortalUserFilter, PortalUserForm};
use courtyard_app::{auth, customers};
use courtyard_domain::{PortalUserState, RecordScope};
// ---- portal users ----

#[derive(Template)]
#[template(path = "staff/portal_user_form.html")]
pub(super) struct GiveAccessPage {
    layout: Layout,
    contact: Contact,
    form: PortalUserForm,
    errors: Errors,
    sets: Vec<PermissionSet>,
    scopes: &'static [RecordScope],
}

pub(super) async fn give_access_page(
    p: &StaffPage,
    contact: Contact,
    form: PortalUserForm,
    errors: Errors,
) -> WebResult<GiveAccessPage> {
    let sets = customers::list_permission_sets(&p.s.app).await?;
    Ok(GiveAccessPage {
        layout: p.layout("Give portal access", "/staff/portal-users"),
        contact,
        form,
        errors,
        sets,
        scopes: RecordScope::ALL,
    })
}

pub(super) async fn give_access_form(p: StaffPage, Path(id): Path<String>) -> WebResult<Response> {
    p.ctx.require_admin()?;
    let contact = customers::find_contact(&p.s.app, &id).await?;
    if let Some(pid) = &contact.portal_user_id {
        return Ok(Redirect::to(&format!("/staff/portal-users/{pid}")).into_response());
    }
    let form = PortalUserForm {
        email: contact.email.clone().unwrap_or_default(),
        record_scope: "company".into(),
        ..Default::default()
    };
    render(&give_access_page(&p, contact, form, Errors::default()).await?)
}

/// The "give portal access" form: the portal user's fields and which button
/// was pressed (`send=invite` mails an invitation).
#[derive(Debug, Default, serde::Deserialize)]
#[serde(default)]
pub(super) struct AccessFields {
    #[serde(flatten)]
    user: PortalUserForm,
    send: String,
}

pub(super) async fn give_access(
    p: StaffPage,
    Path(id): Path<String>,
    Form(AccessFields { user: f, send }): Form<AccessFields>,
) -> WebResult<Response> {
    p.ctx.require_admin()?;
    let invite = send == "invite";
    saved_or_again(
        pu::give_access(&p.s.app, &id, &f, invite).await,
        |uid| {
            format!(
                "/staff/portal-users/{uid}?done={}",
                if invite { "invited" } else { "access" }
            )
        },
        async |e| {
            let contact = customers::find_contact(&p.s.app, &id).await?;
            give_access_page(&p, contact, f, e).await
        },
    )
    .await
}

#[derive(Template)]
#[template(path = "staff/portal_users.html")]
pub(super) struct PortalUsersPage {
    layout: Layout,
    q: String,
    state: String,
    counts: Vec<(PortalUserState, i64)>,
    total: i64,
    users: Vec<PortalUser>,
    next: Option<String>,
}

pub(super) async fn list_portal_users(
    p: StaffPage,
    Query(q): Query<ListQuery>,
) -> WebResult<Response> {
    let state = PortalUserState::parse(&q.state).map(|st| st.as_str().to_owned());
    let after = uncursor(&q.after, 2).map(|v| (v[0].clone(), v[1].clone()));
    let mut users = pu::list(
        &p.s.app,
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
    let counts = pu::counts(&p.s.app).await?;
    render(&PortalUsersPage {
        layout: p
            .layout("Portal users", "/staff/portal-users")
            .with_notice(notice(q.done.as_deref())),
        q: q.q,
        state: state.unwrap_or_default(),
        total: counts.iter().map(|(_, n)| n).sum(),
        counts,
        users,
        next,
    })
}

pub(super) async fn new_portal_user_form(
    p: StaffPage,
    Query(q): Query<ListQuery>,
) -> WebResult<Response> {
    p.ctx.require_admin()?;
    // Pick a person first; the form then lives on the person's "give access" page.
    let people = customers::list_contacts(
        &p.s.app,
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
        layout: p.layout("Add portal user", "/staff/portal-users"),
        q: q.q,
        candidates,
    })
}

#[derive(Template)]
#[template(path = "staff/pick_person.html")]
pub(super) struct PickPersonPage {
    layout: Layout,
    q: String,
    candidates: Vec<Contact>,
}

#[derive(Template)]
#[template(path = "staff/portal_user.html")]
pub(super) struct PortalUserPage {
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

pub(super) async fn portal_user_page(
    p: &StaffPage,
    user: PortalUser,
    form: PortalUserForm,
    errors: Errors,
) -> WebResult<PortalUserPage> {
    let sets = customers::list_permission_sets(&p.s.app).await?;
    let state = PortalUserState::parse(&user.state).unwrap_or(PortalUserState::Awaiting);
    let opt_when = |t: Option<i64>| t.map(when).unwrap_or_else(|| "—".into());
    Ok(PortalUserPage {
        layout: p.layout(&user.full_name(), "/staff/portal-users"),
        access_problem: auth::access_check(&user, p.s.app.clock.today())
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
        can_manage: p.ctx.role.can_manage_portal(),
    })
}

pub(super) async fn find_portal_user(
    p: StaffPage,
    Path(id): Path<String>,
    Query(q): Query<ListQuery>,
) -> WebResult<Response> {
    let user = pu::find(&p.s.app, &id).await?;
    let form = PortalUserForm::from_user(&user);
    let mut page = portal_user_page(&p, user, form, Errors::default()).await?;
    page.layout = page.layout.with_notice(notice(q.done.as_deref()));
    render(&page)
}

pub(super) async fn update_portal_user(
    p: StaffPage,
    Path(id): Path<String>,
    Form(f): Form<PortalUserForm>,
) -> WebResult<Response> {
    p.ctx.require_admin()?;
    saved_or_again(
        pu::update(&p.s.app, &id, &f).await,
        |()| format!("/staff/portal-users/{id}?done=saved"),
        async |e| {
            let user = pu::find(&p.s.app, &id).await?;
            portal_user_page(&p, user, f, e).await
        },
    )
    .await
}

pub(super) async fn invite_portal_user(
    State(s): State<AppState>,
    Staff(ctx): Staff,
    Path(id): Path<String>,
) -> WebResult<Response> {
    ctx.require_admin()?;
    pu::invite(&s.app, &id).await?;
    Ok(Redirect::to(&format!("/staff/portal-users/{id}?done=invited")).into_response())
}

pub(super) async fn deactivate_portal_user(
    State(s): State<AppState>,
    Staff(ctx): Staff,
    Path(id): Path<String>,
) -> WebResult<Response> {
    ctx.require_admin()?;
    pu::deactivate(&s.app, &id).await?;
    Ok(Redirect::to(&format!("/staff/portal-users/{id}?done=deactivated")).into_response())
}

pub(super) async fn reactivate_portal_user(
    State(s): State<AppState>,
    Staff(ctx): Staff,
    Path(id): Path<String>,
) -> WebResult<Response> {
    ctx.require_admin()?;
    pu::reactivate(&s.app, &id).await?;
    Ok(Redirect::to(&format!("/staff/portal-users/{id}?done=reactivated")).into_response())
}

#[derive(Template)]
#[template(path = "staff/view_as.html")]
pub(super) struct ViewAsPage {
    layout: Layout,
    v: courtyard_app::work::ViewAs,
    waiting: crate::ui::home::WaitingGroups,
}

/// "View as": what a portal user sees, read-only, links to the staff pages.
/// Nothing here records a customer view.
pub(super) async fn view_as(p: StaffPage, Path(id): Path<String>) -> WebResult<Response> {
    let mut v = courtyard_app::work::view_as(&p.s.app, &id).await?;
    let w = std::mem::take(&mut v.waiting);
    let mut waiting = crate::ui::home::waiting_groups(w, &p.s.app.clock.today().to_string());
    for g in &mut waiting {
        g.all_href = None;
        for i in &mut g.items {
            i.href = format!("/staff{}", i.href);
        }
    }
    render(&ViewAsPage {
        layout: p.layout(
            &format!("Viewing as {}", v.user.full_name()),
            "/staff/portal-users",
        ),
        v,
        waiting,
    })
}
