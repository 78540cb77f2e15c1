//! Permission sets: the list and the module × action matrix.

use super::ListQuery;
use crate::kit::error::WebResult;
use crate::kit::forms::{Errors, Form};
use crate::kit::layout::{notice, Layout};
use crate::kit::page::StaffPage;
use crate::kit::render::{render, saved_or_again};
use askama::Template;
use axum::extract::{Path, Query};
use axum::response::Response;
use courtyard_app::customers;
use courtyard_app::customers::{PermissionSet, PermissionSetForm};
use courtyard_domain::{Action, Grants, Module};
// ---- permission sets ----

#[derive(Template)]
#[template(path = "staff/permission_sets.html")]
pub(super) struct PermissionSetsPage {
    layout: Layout,
    sets: Vec<(PermissionSet, Vec<&'static str>)>,
}

pub(super) async fn list_permission_sets(
    p: StaffPage,
    Query(q): Query<ListQuery>,
) -> WebResult<Response> {
    let sets = customers::list_permission_sets(&p.s.app)
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
        layout: p
            .layout("Permission sets", "/staff/permission-sets")
            .with_notice(notice(q.done.as_deref())),
        sets,
    })
}

/// One row of the module × action matrix.
pub(super) struct MatrixRow {
    module: &'static str,
    cells: Vec<MatrixCell>,
}

pub(super) struct MatrixCell {
    key: String,
    label: &'static str,
    available: bool,
    checked: bool,
}

/// The actions any available module offers: the editor's columns.
fn columns() -> Vec<Action> {
    Action::ALL
        .iter()
        .copied()
        .filter(|a| Module::available().iter().any(|m| m.actions().contains(a)))
        .collect()
}

pub(super) fn matrix(grants: &[String]) -> Vec<MatrixRow> {
    Module::available()
        .iter()
        .map(|m| MatrixRow {
            module: m.label(),
            cells: columns()
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
pub(super) struct PermissionSetPage {
    layout: Layout,
    id: Option<String>,
    form: PermissionSetForm,
    errors: Errors,
    actions: Vec<&'static str>,
    rows: Vec<MatrixRow>,
    /// What is not offered yet, in words.
    coming_later: String,
    user_count: i64,
}

pub(super) fn permission_set_page(
    p: &StaffPage,
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
        layout: p.layout(&title, "/staff/permission-sets"),
        rows: matrix(&form.grants),
        actions: columns().iter().map(|a| a.label()).collect(),
        coming_later: Module::coming_later().join(", "),
        id,
        form,
        errors,
        user_count,
    }
}

/// A permission set as the browser sends it: one `grant` per ticked box.
#[derive(Debug, Default, serde::Deserialize)]
#[serde(default)]
pub(super) struct SetFields {
    name: String,
    description: String,
    grant: Vec<String>,
}

impl From<SetFields> for PermissionSetForm {
    fn from(f: SetFields) -> Self {
        PermissionSetForm {
            name: f.name,
            description: f.description,
            grants: f.grant,
        }
    }
}

pub(super) async fn new_permission_set_form(p: StaffPage) -> WebResult<Response> {
    p.ctx.require_admin()?;
    let form = PermissionSetForm {
        grants: vec!["my_details:view".into()],
        ..Default::default()
    };
    render(&permission_set_page(&p, None, form, Errors::default(), 0))
}

pub(super) async fn create_permission_set(
    p: StaffPage,
    Form(fields): Form<SetFields>,
) -> WebResult<Response> {
    p.ctx.require_admin()?;
    let f = PermissionSetForm::from(fields);
    saved_or_again(
        customers::create_permission_set(&p.s.app, &f).await,
        |p| format!("/staff/permission-sets/{}?done=created", p.id),
        async |e| Ok(permission_set_page(&p, None, f, e, 0)),
    )
    .await
}

pub(super) async fn find_permission_set(
    p: StaffPage,
    Path(id): Path<String>,
    Query(q): Query<ListQuery>,
) -> WebResult<Response> {
    let set = customers::find_permission_set(&p.s.app, &id).await?;
    let mut page = permission_set_page(
        &p,
        Some(id),
        PermissionSetForm::from_set(&set),
        Errors::default(),
        set.user_count,
    );
    page.layout = page.layout.with_notice(notice(q.done.as_deref()));
    render(&page)
}

pub(super) async fn update_permission_set(
    p: StaffPage,
    Path(id): Path<String>,
    Form(fields): Form<SetFields>,
) -> WebResult<Response> {
    p.ctx.require_admin()?;
    let f = PermissionSetForm::from(fields);
    saved_or_again(
        customers::update_permission_set(&p.s.app, &id, &f).await,
        |()| format!("/staff/permission-sets/{id}?done=saved"),
        async |e| {
            let set = customers::find_permission_set(&p.s.app, &id).await?;
            Ok(permission_set_page(
                &p,
                Some(id.clone()),
                f,
                e,
                set.user_count,
            ))
        },
    )
    .await
}
