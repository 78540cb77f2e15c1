//! Quotes, orders and invoices as PDFs (docs/adr/0010): the document's data
//! for the template, the template to use (the portal always gets a sharing
//! one), staff-managed templates, the business details printed on every
//! document, and rendering on the PDF pool, never on the async workers.

use courtyard_db::files as db_files;
use courtyard_db::templates::{self as db_templates};
use courtyard_db::{settings, Conn, DbError};
use courtyard_domain::records::SalesKind;
use courtyard_domain::FieldCode;

use crate::auth::StaffContext;
use crate::error::Problems;
use crate::pool::PoolError;
use crate::records::commit;
use crate::{App, AppError, AppResult};

/// The read model of a staff-managed template.
pub use courtyard_db::templates::TemplateRow;

mod render;
mod templates;
pub use render::*;
pub use templates::*;

/// Who may receive a template's PDFs.
pub const AUDIENCES: &[(&str, &str)] = &[
    ("sharing", "For sharing with customers"),
    ("internal", "Internal only"),
];

/// The built-in template of a type: where a new template starts.
pub fn builtin(kind: SalesKind) -> &'static str {
    courtyard_pdf::builtin(kind.as_str())
}

/// The default brand colour of documents.
pub const DEFAULT_ACCENT: &str = "#1d4ed8";

/// A rendered PDF and the file name to save it as.
#[derive(Debug)]
pub struct PdfFile {
    pub filename: String,
    pub bytes: Vec<u8>,
    pub pages: usize,
}

/// What staff set in Settings → Documents: printed on every PDF.
#[derive(Debug, Clone, Default)]
pub struct Business {
    /// Address, phone, email, tax number: one per line.
    pub details: String,
    pub footer: String,
    pub accent: String,
}

/// The business details as Settings → Documents and PDFs shows them.
pub async fn business_details(app: &App) -> AppResult<Business> {
    let mut conn = app.db.conn().await?;
    business(&mut conn).await
}

pub(crate) async fn business(conn: &mut Conn) -> AppResult<Business> {
    let all = settings::with_prefix(conn, "business.").await?;
    let get = |k: &str| {
        all.iter()
            .find(|(key, _)| key == k)
            .map(|(_, v)| v.clone())
            .unwrap_or_default()
    };
    let accent = get("business.accent");
    Ok(Business {
        details: get("business.details"),
        footer: get("business.footer"),
        accent: if valid_colour(&accent) {
            accent
        } else {
            DEFAULT_ACCENT.into()
        },
    })
}

fn valid_colour(s: &str) -> bool {
    s.len() == 7 && s.starts_with('#') && s[1..].chars().all(|c| c.is_ascii_hexdigit())
}

/// Save the business details and the portal's template of each type (a
/// sharing template id, or "" for the built-in) together: all or nothing.
#[tracing::instrument(skip_all)]
pub async fn save_settings(
    app: &App,
    details: &str,
    footer: &str,
    accent: &str,
    defaults: &[(SalesKind, String)],
) -> AppResult<()> {
    let mut p = Problems::default();
    let accent = accent.trim();
    if !accent.is_empty() && !valid_colour(accent) {
        p.add(
            "accent",
            FieldCode::Format,
            "Give the colour as # and six hex digits, like #1d4ed8.",
        );
    }
    if details.len() > 2000 {
        p.add(
            "details",
            FieldCode::TooLong,
            "Keep the business details under 2,000 characters.",
        );
    }
    if footer.len() > 300 {
        p.add(
            "footer",
            FieldCode::TooLong,
            "Keep the footer under 300 characters.",
        );
    }
    p.into_result()?;
    let mut tx = app.db.begin().await?;
    for (kind, id) in defaults {
        set_default(&mut tx, *kind, id).await?;
    }
    for (key, value) in [
        ("business.details", details.trim()),
        ("business.footer", footer.trim()),
        ("business.accent", accent),
    ] {
        if value.is_empty() {
            settings::delete(&mut tx, key).await?;
        } else {
            settings::set(&mut tx, key, value).await?;
        }
    }
    commit(tx).await
}

/// The logo is a file attached to the business itself.
const LOGO: (&str, &str) = ("business", "logo");

async fn logo(app: &App, conn: &mut Conn) -> AppResult<Option<Vec<u8>>> {
    let files = db_files::for_record(conn, LOGO.0, LOGO.1, false).await?;
    let Some(f) = files.last() else {
        return Ok(None);
    };
    match app.files.get(&f.key).await {
        Ok(b) => Ok(Some(b.to_vec())),
        Err(courtyard_files::FilesError::NotFound) => Ok(None),
        Err(e) => Err(AppError::Internal(e.into())),
    }
}

/// Whether a logo is set (for the settings page).
#[tracing::instrument(skip_all)]
pub async fn has_logo(app: &App) -> AppResult<bool> {
    let mut conn = app.db.conn().await?;
    Ok(!db_files::for_record(&mut conn, LOGO.0, LOGO.1, false)
        .await?
        .is_empty())
}

/// Replace the logo: a PNG or JPEG, checked like any upload.
#[tracing::instrument(skip_all)]
pub async fn set_logo(
    app: &App,
    ctx: &StaffContext,
    name: &str,
    bytes: bytes::Bytes,
) -> AppResult<()> {
    let kind =
        courtyard_domain::files::FileKind::check(name, &bytes, app.config.files.max_upload_bytes)
            .map_err(|p| AppError::field("logo", FieldCode::File, p.message()))?;
    if !matches!(
        kind,
        courtyard_domain::files::FileKind::Png | courtyard_domain::files::FileKind::Jpeg
    ) {
        return Err(AppError::field(
            "logo",
            FieldCode::File,
            "The logo must be a PNG or JPEG image.",
        ));
    }
    // Typst must be able to read it: try it once before keeping it.
    let probe = bytes.to_vec();
    let ok = app
        .pdf
        .run(move || {
            let mut d = courtyard_pdf::sample("invoice", 1);
            d.has_logo = true;
            courtyard_pdf::render(
                courtyard_pdf::builtin("invoice"),
                &d,
                Some(&probe),
                (2026, 1, 1),
            )
            .is_ok()
        })
        .await
        .map_err(busy)?;
    if !ok {
        return Err(AppError::field(
            "logo",
            FieldCode::File,
            "This image could not be read. Try saving it again as PNG.",
        ));
    }
    let old = {
        let mut conn = app.db.conn().await?;
        db_files::for_record(&mut conn, LOGO.0, LOGO.1, false).await?
    };
    crate::files::store_plain(app, ctx, LOGO.0, LOGO.1, name, kind, bytes).await?;
    for f in old {
        crate::files::remove(app, &f).await?;
    }
    Ok(())
}

#[tracing::instrument(skip_all)]
pub async fn remove_logo(app: &App) -> AppResult<()> {
    let old = {
        let mut conn = app.db.conn().await?;
        db_files::for_record(&mut conn, LOGO.0, LOGO.1, false).await?
    };
    for f in old {
        crate::files::remove(app, &f).await?;
    }
    Ok(())
}

/// One render on the PDF pool at start-up (docs/adr/0010).
#[tracing::instrument(skip_all)]
pub async fn warm_up(app: &App) {
    if let Err(e) = app.pdf.run(courtyard_pdf::warm_up).await {
        tracing::warn!(error = %e, "the PDF warm-up render failed");
    }
}

fn busy(e: PoolError) -> AppError {
    match e {
        PoolError::Busy(_) => AppError::Busy(
            "Many documents are being prepared right now. Please try again in a moment.".into(),
        ),
        e => AppError::Internal(e.into()),
    }
}

/// The template for a document: a staff choice (any audience), else the
/// type's sharing default from the settings, else the built-in. The portal
/// never passes a choice.
async fn template_for(
    conn: &mut Conn,
    kind: SalesKind,
    chosen: Option<&str>,
) -> AppResult<Option<TemplateRow>> {
    let id = match chosen {
        Some("" | "builtin") => return Ok(None),
        Some(id) => id.to_owned(),
        None => match settings::get(conn, &default_key(kind)).await? {
            Some(id) => id,
            None => return Ok(None),
        },
    };
    match db_templates::find(conn, &id).await {
        Ok(t) if t.kind == kind.as_str() && (chosen.is_some() || t.audience == "sharing") => {
            Ok(Some(t))
        }
        Ok(_) if chosen.is_some() => Err(AppError::NotFound),
        Ok(_) => Ok(None),
        Err(DbError::NotFound) if chosen.is_some() => Err(AppError::NotFound),
        Err(DbError::NotFound) => Ok(None),
        Err(e) => Err(e.into()),
    }
}

fn default_key(kind: SalesKind) -> String {
    format!("pdf.default.{}", kind.as_str())
}

/// Set the portal's template of a type: a sharing template, or "" for the
/// built-in.
async fn set_default(tx: &mut Conn, kind: SalesKind, id: &str) -> AppResult<()> {
    if id.is_empty() {
        settings::delete(tx, &default_key(kind)).await?;
    } else {
        let t = match db_templates::find(tx, id).await {
            Ok(t) => t,
            Err(DbError::NotFound) => {
                return Err(AppError::field(
                    "default",
                    FieldCode::Gone,
                    "That template no longer exists.",
                ))
            }
            Err(e) => return Err(e.into()),
        };
        if t.kind != kind.as_str() || t.audience != "sharing" {
            return Err(AppError::field(
                "default",
                FieldCode::NotAllowed,
                "Only a template of this type marked for sharing can be the portal's default.",
            ));
        }
        settings::set(tx, &default_key(kind), id).await?;
    }
    Ok(())
}
