//! Staff-managed PDF templates: the list with each type's default, saving
//! (checked by a render in the sandbox first), deleting (the default is chosen in `pdf/mod.rs`).

use courtyard_db::settings;
use courtyard_db::templates::{self as db_templates, NewTemplate, TemplateRow};
use courtyard_domain::records::SalesKind;
use courtyard_domain::FieldCode;

use super::{default_key, template_for, AUDIENCES};
use crate::auth::StaffContext;
use crate::error::Problems;
use crate::pool::PoolError;
use crate::records::commit;
use crate::{App, AppError, AppResult};
use courtyard_pdf::sandbox::SandboxError;

/// Templates with the default of each type, for the settings pages.
pub struct Templates {
    pub rows: Vec<TemplateRow>,
    /// (kind, default template id or "" for the built-in)
    pub defaults: Vec<(SalesKind, String)>,
}

#[tracing::instrument(skip_all)]
pub async fn templates(app: &App) -> AppResult<Templates> {
    let mut conn = app.db.conn().await?;
    let rows = db_templates::list(&mut conn).await?;
    let mut defaults = vec![];
    for kind in SalesKind::ALL.iter().copied() {
        let id = template_for(&mut conn, kind, None)
            .await?
            .map(|t| t.id)
            .unwrap_or_default();
        defaults.push((kind, id));
    }
    Ok(Templates { rows, defaults })
}

#[tracing::instrument(skip_all, fields(id = %id))]
pub async fn find_template(app: &App, id: &str) -> AppResult<TemplateRow> {
    let mut conn = app.db.conn().await?;
    Ok(db_templates::find(&mut conn, id).await?)
}

/// A template as staff submit it.
#[derive(Debug, Default, Clone, serde::Deserialize)]
#[serde(default)]
pub struct TemplateForm {
    pub kind: String,
    pub name: String,
    pub audience: String,
    pub source: String,
}

/// Check and save a template (new when `id` is `None`). It must compile
/// against short, long and varied samples within two seconds each, in the
/// sandbox (docs/adr/0010, 0013).
#[tracing::instrument(skip_all)]
pub async fn save_template(
    app: &App,
    ctx: &StaffContext,
    id: Option<&str>,
    form: &TemplateForm,
) -> AppResult<String> {
    let mut p = Problems::default();
    let kind = SalesKind::parse(&form.kind);
    if kind.is_none() {
        p.add(
            "kind",
            FieldCode::InvalidChoice,
            "Choose the type of document.",
        );
    }
    let name = form.name.trim();
    if name.is_empty() || name.chars().count() > 100 {
        p.add(
            "name",
            if name.is_empty() {
                FieldCode::Required
            } else {
                FieldCode::TooLong
            },
            "Give the template a name of up to 100 characters.",
        );
    }
    if !AUDIENCES.iter().any(|(k, _)| *k == form.audience) {
        p.add(
            "audience",
            FieldCode::InvalidChoice,
            "Choose who may receive this template's PDFs.",
        );
    }
    if form.source.trim().is_empty() {
        p.add(
            "source",
            FieldCode::Required,
            "Write the template, or start from the built-in one.",
        );
    }
    p.into_result()?;
    let kind = kind.expect("checked above");
    let source = form.source.replace("\r\n", "\n");
    let check_source = source.clone();
    // Checked in the sandbox too: a template that runs away while being
    // checked ends only its own process. Busy or failed: say so on the
    // form, which comes back with the text.
    let sandbox = app.pdf_sandbox.clone();
    app.pdf_custom
        .run(move || sandbox.check(kind.as_str(), &check_source))
        .await
        .map_err(|e| match e {
            PoolError::Busy(_) => AppError::field(
                "source", FieldCode::Unavailable,
                "Many documents are being prepared right now, so the template could not be checked. Save again in a moment.",
            ),
            e => AppError::field("source", FieldCode::Unavailable, format!("The template could not be checked ({e}).")),
        })?
        .map_err(|e| match e {
            SandboxError::Pdf(e) => AppError::field("source", FieldCode::Format, e.to_string()),
            SandboxError::Breach(what) => AppError::field(
                "source", FieldCode::NotAllowed,
                format!("The template {what} while rendering a sample document, so it was not saved. Make it do less work."),
            ),
            SandboxError::Unavailable(_) => {
                tracing::error!(error = %e, "the PDF sandbox could not run");
                AppError::field(
                    "source", FieldCode::Unavailable,
                    "The template could not be checked because PDF rendering is not working on the server. Nothing was saved; ask your administrator to look at the server log.",
                )
            }
        })?;
    let mut tx = app.db.begin().await?;
    let t = NewTemplate {
        kind: kind.as_str(),
        name,
        audience: &form.audience,
        source: &source,
        updated_by: &ctx.staff.name,
    };
    let id = match id {
        Some(id) => {
            let old = db_templates::find(&mut tx, id).await?;
            if old.kind != kind.as_str() {
                return Err(AppError::field(
                    "kind",
                    FieldCode::NotAllowed,
                    "A template's type cannot change; make a new one.",
                ));
            }
            db_templates::update(&mut tx, id, &t, app.now()).await?;
            // An internal template cannot stay the portal's default.
            if form.audience != "sharing"
                && settings::get(&mut tx, &default_key(kind)).await?.as_deref() == Some(id)
            {
                settings::delete(&mut tx, &default_key(kind)).await?;
            }
            id.to_owned()
        }
        None => db_templates::insert(&mut tx, &t, app.now()).await?,
    };
    commit(tx).await?;
    Ok(id)
}

#[tracing::instrument(skip_all, fields(id = %id))]
pub async fn delete_template(app: &App, id: &str) -> AppResult<()> {
    let mut tx = app.db.begin().await?;
    let t = db_templates::find(&mut tx, id).await?;
    if let Some(kind) = SalesKind::parse(&t.kind) {
        if settings::get(&mut tx, &default_key(kind)).await?.as_deref() == Some(id) {
            settings::delete(&mut tx, &default_key(kind)).await?;
        }
    }
    db_templates::delete(&mut tx, id).await?;
    commit(tx).await
}
