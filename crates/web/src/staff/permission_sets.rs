//! Permission sets: the list and the module × action matrix.

use super::*;

// ---- permission sets ----

#[derive(Template)]
#[template(path = "staff/permission_sets.html")]
pub(super) struct PermissionSetsPage {
    layout: Layout,
    sets: Vec<(PermissionSet, Vec<&'static str>)>,
}

pub(super) async fn list_permission_sets(
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

pub(super) fn matrix(grants: &[String]) -> Vec<MatrixRow> {
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
pub(super) struct PermissionSetPage {
    layout: Layout,
    id: Option<String>,
    form: PermissionSetForm,
    errors: Errors,
    actions: Vec<&'static str>,
    rows: Vec<MatrixRow>,
    user_count: i64,
}

pub(super) fn permission_set_page(
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

pub(super) fn set_form(form: &FormPairs) -> PermissionSetForm {
    PermissionSetForm {
        name: form.get("name"),
        description: form.get("description"),
        grants: form.all("grant"),
    }
}

pub(super) async fn new_permission_set_form(
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

pub(super) async fn create_permission_set(
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

pub(super) async fn find_permission_set(
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

pub(super) async fn update_permission_set(
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
