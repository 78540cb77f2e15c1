//! Quotes, orders and invoices as PDFs (docs/adr/0010): the document's data
//! for the template, the template to use (the portal always gets a sharing
//! one), staff-managed templates, the business details printed on every
//! document, and rendering on the PDF pool, never on the async workers.

use courtyard_db::files as db_files;
use courtyard_db::sales::{self, SalesDoc, SalesLine};
use courtyard_db::templates::{self as db_templates, NewTemplate, TemplateRow};
use courtyard_db::{companies, contacts, records as rec, settings, Conn, DbError};
use courtyard_domain::money::{format_quantity, format_rate, Currency};
use courtyard_domain::records::SalesKind;
use courtyard_pdf::{DocData, Line, Pair, Party};

use crate::auth::{PortalContext, StaffContext};
use crate::error::Problems;
use crate::pool::PoolError;
use crate::records::{commit, scope};
use crate::{App, AppError, AppResult};
use courtyard_pdf::sandbox::SandboxError;

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

pub async fn business(conn: &mut Conn) -> AppResult<Business> {
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
            "Give the colour as # and six hex digits, like #1d4ed8.",
        );
    }
    if details.len() > 2000 {
        p.add(
            "details",
            "Keep the business details under 2,000 characters.",
        );
    }
    if footer.len() > 300 {
        p.add("footer", "Keep the footer under 300 characters.");
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
pub async fn has_logo(app: &App) -> AppResult<bool> {
    let mut conn = app.db.conn().await?;
    Ok(!db_files::for_record(&mut conn, LOGO.0, LOGO.1, false)
        .await?
        .is_empty())
}

/// Replace the logo: a PNG or JPEG, checked like any upload.
pub async fn set_logo(
    app: &App,
    ctx: &StaffContext,
    name: &str,
    bytes: bytes::Bytes,
) -> AppResult<()> {
    let kind =
        courtyard_domain::files::FileKind::check(name, &bytes, app.config.files.max_upload_bytes)
            .map_err(|p| AppError::field("logo", p.message()))?;
    if !matches!(
        kind,
        courtyard_domain::files::FileKind::Png | courtyard_domain::files::FileKind::Jpeg
    ) {
        return Err(AppError::field(
            "logo",
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

/// "2026-03-01" → "1 Mar 2026".
fn long_date(iso: &str) -> String {
    match courtyard_domain::parse_date(iso) {
        Some(d) => format!("{} {} {}", d.day(), &d.month().to_string()[..3], d.year()),
        None => iso.to_owned(),
    }
}

fn date_tuple(now: i64) -> courtyard_pdf::Date {
    let d = time::OffsetDateTime::from_unix_timestamp(now)
        .unwrap_or(time::OffsetDateTime::UNIX_EPOCH)
        .date();
    (d.year(), d.month() as u8, d.day())
}

/// The template's view of a document: every value formatted, nothing left
/// for the template to compute.
async fn doc_data(
    app: &App,
    conn: &mut Conn,
    kind: SalesKind,
    doc: &SalesDoc,
    lines: &[SalesLine],
) -> AppResult<DocData> {
    let cur = Currency::parse(&doc.currency).unwrap_or(courtyard_domain::money::CURRENCIES[0]);
    let business = business(conn).await?;
    let company = companies::find(conn, &doc.company_id).await?;
    let mut customer = vec![];
    if let Some(cid) = &doc.contact_id {
        match contacts::find(conn, cid).await {
            Ok(c) => customer.push(format!("{} {}", c.first_name, c.last_name)),
            Err(DbError::NotFound) => {}
            Err(e) => return Err(e.into()),
        }
    }
    customer.extend(
        company
            .address
            .iter()
            .flat_map(|a| a.lines().map(str::to_owned)),
    );
    customer.extend(company.email.clone());
    customer.extend(company.phone.clone());
    let domain_lines: Vec<courtyard_domain::money::Line> = lines
        .iter()
        .map(|l| courtyard_domain::money::Line {
            description: l.description.clone(),
            quantity_milli: l.quantity_milli,
            unit_price: l.unit_price,
            tax_rate_bp: l.tax_rate_bp,
            discount_bp: l.discount_bp,
        })
        .collect();
    let totals = courtyard_domain::money::totals(&domain_lines);
    let mut dates = vec![Pair::new("Issued", long_date(&doc.issued_on))];
    if !doc.due_on.is_empty() {
        dates.push(Pair::new(kind.due_label(), long_date(&doc.due_on)));
    }
    if let Some(paid) = &doc.paid_on {
        dates.push(Pair::new("Paid", long_date(paid)));
    }
    if let Some(owner) = &doc.owner_name {
        dates.push(Pair::new("Contact", owner.clone()));
    }
    let mut sums = vec![
        Pair::new("Subtotal", cur.format(doc.subtotal)),
        Pair::new("Tax", cur.format(doc.tax_total)),
    ];
    let grand = if kind.has_payments() && doc.amount_paid > 0 {
        sums.push(Pair::new("Total", cur.format(doc.total)));
        sums.push(Pair::new("Paid", cur.format(-doc.amount_paid)));
        Pair::new("Balance due", cur.format(doc.balance))
    } else {
        Pair::new(format!("Total {}", cur.code), cur.format(doc.total))
    };
    Ok(DocData {
        kind: kind.as_str().into(),
        title: kind.label().into(),
        number: doc.number.clone(),
        subject: doc.subject.clone(),
        status: kind.status_label(&doc.status).unwrap_or("").into(),
        currency: cur.code.into(),
        dates,
        business: Party {
            name: app.config.business_name.clone(),
            lines: business
                .details
                .lines()
                .map(str::to_owned)
                .filter(|l| !l.trim().is_empty())
                .collect(),
        },
        customer: Party {
            name: company.name.clone(),
            lines: customer,
        },
        has_discounts: lines.iter().any(|l| l.discount_bp != 0),
        lines: lines
            .iter()
            .map(|l| Line {
                description: l.description.clone(),
                quantity: format_quantity(l.quantity_milli),
                unit_price: cur.format(l.unit_price),
                discount: if l.discount_bp == 0 {
                    String::new()
                } else {
                    format_rate(l.discount_bp)
                },
                tax: format_rate(l.tax_rate_bp),
                amount: cur.format(l.net),
            })
            .collect(),
        taxes: totals
            .taxes
            .iter()
            .map(|(rate, base, tax)| {
                Pair::new(
                    format!("Tax {} on {}", format_rate(*rate), cur.format(*base)),
                    cur.format(*tax),
                )
            })
            .collect(),
        totals: sums,
        grand_total: grand,
        terms: doc.terms.clone(),
        footer: if business.footer.is_empty() {
            app.config.business_name.clone()
        } else {
            business.footer
        },
        accent: business.accent,
        has_logo: false,
    })
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
        Some("") | Some("builtin") => return Ok(None),
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

/// Render a PDF. Built-in templates render on the PDF pool, in-process. A
/// stored template renders in a child process within the configured limits
/// (docs/adr/0013), waited on by its own pool; when it fails or breaches a
/// limit, the built-in template is used and the failure logged for staff.
async fn render(
    app: &App,
    template: Option<TemplateRow>,
    mut data: DocData,
    logo: Option<Vec<u8>>,
    now: i64,
) -> AppResult<courtyard_pdf::Pdf> {
    data.has_logo = logo.is_some();
    let today = date_tuple(now);
    let builtin = move |data: &DocData, logo: Option<&[u8]>| {
        let started = std::time::Instant::now();
        let out = courtyard_pdf::render(courtyard_pdf::builtin(&data.kind), data, logo, today);
        let ms = started.elapsed().as_millis();
        if ms > 10_000 {
            tracing::warn!(ms, "a PDF took over ten seconds to render");
        }
        out
    };
    let result = match template {
        None => app
            .pdf
            .run(move || builtin(&data, logo.as_deref()))
            .await
            .map_err(busy)?,
        Some(t) => {
            let sandbox = app.pdf_sandbox.clone();
            let (id, name) = (t.id.clone(), t.name.clone());
            let (d, l) = (data.clone(), logo.clone());
            let first = app
                .pdf_custom
                .run(move || sandbox.render(&t.source, &d, l.as_deref(), today))
                .await;
            match first {
                Ok(Ok(pdf)) => Ok(pdf),
                // The template failed or went past a limit, or too many
                // custom renders are waiting: the customer still gets the
                // document, from the built-in template.
                failed => {
                    let error = match failed {
                        Ok(Err(e)) => e.to_string(),
                        Err(e) => e.to_string(),
                        Ok(Ok(_)) => unreachable!("matched above"),
                    };
                    tracing::error!(template = %id, name = %name, %error, "a stored PDF template failed; using the built-in");
                    app.pdf
                        .run(move || builtin(&data, logo.as_deref()))
                        .await
                        .map_err(busy)?
                }
            }
        }
    };
    result.map_err(|e| AppError::Internal(anyhow::anyhow!("PDF rendering failed: {e}")))
}

fn filename(doc: &SalesDoc) -> String {
    format!("{}.pdf", doc.number)
}

/// A customer downloads a document they can see, always through the type's
/// sharing template. The download is recorded like a view.
pub async fn portal_pdf(
    app: &App,
    ctx: &PortalContext,
    kind: SalesKind,
    id: &str,
    ip: &str,
) -> AppResult<PdfFile> {
    let scope = scope(ctx, kind.module())?;
    let (doc, data, template, logo) = {
        let mut conn = app.db.conn().await?;
        let doc = sales::find_scoped(&mut conn, kind, id, &scope).await?;
        let lines = sales::lines(&mut conn, kind, id).await?;
        let data = doc_data(app, &mut conn, kind, &doc, &lines).await?;
        let template = template_for(&mut conn, kind, None).await?;
        let logo = logo(app, &mut conn).await?;
        (doc, data, template, logo)
    };
    let pdf = render(app, template, data, logo, app.now()).await?;
    {
        let mut conn = app.db.conn().await?;
        rec::record_view(
            &mut conn,
            kind.as_str(),
            id,
            &ctx.user.id,
            "download",
            ip,
            app.now(),
        )
        .await?;
    }
    Ok(PdfFile {
        filename: filename(&doc),
        bytes: pdf.bytes,
        pages: pdf.pages,
    })
}

/// Staff download with any template of the type (`None`: the default).
pub async fn staff_pdf(
    app: &App,
    kind: SalesKind,
    id: &str,
    template: Option<&str>,
) -> AppResult<PdfFile> {
    let (doc, data, template, logo) = {
        let mut conn = app.db.conn().await?;
        let doc = sales::find(&mut conn, kind, id).await?;
        let lines = sales::lines(&mut conn, kind, id).await?;
        let data = doc_data(app, &mut conn, kind, &doc, &lines).await?;
        let template = template_for(&mut conn, kind, template).await?;
        let logo = logo(app, &mut conn).await?;
        (doc, data, template, logo)
    };
    let pdf = render(app, template, data, logo, app.now()).await?;
    Ok(PdfFile {
        filename: filename(&doc),
        bytes: pdf.bytes,
        pages: pdf.pages,
    })
}

/// Templates with the default of each type, for the settings pages.
pub struct Templates {
    pub rows: Vec<TemplateRow>,
    /// (kind, default template id or "" for the built-in)
    pub defaults: Vec<(SalesKind, String)>,
}

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

pub async fn find_template(app: &App, id: &str) -> AppResult<TemplateRow> {
    let mut conn = app.db.conn().await?;
    Ok(db_templates::find(&mut conn, id).await?)
}

/// A template as staff submit it.
#[derive(Debug, Default, Clone)]
pub struct TemplateForm {
    pub kind: String,
    pub name: String,
    pub audience: String,
    pub source: String,
}

/// Check and save a template (new when `id` is `None`). It must compile
/// against short, long and varied samples within two seconds each, in the
/// sandbox (docs/adr/0010, 0013).
pub async fn save_template(
    app: &App,
    ctx: &StaffContext,
    id: Option<&str>,
    form: &TemplateForm,
) -> AppResult<String> {
    let mut p = Problems::default();
    let kind = SalesKind::parse(&form.kind);
    if kind.is_none() {
        p.add("kind", "Choose the type of document.");
    }
    let name = form.name.trim();
    if name.is_empty() || name.chars().count() > 100 {
        p.add("name", "Give the template a name of up to 100 characters.");
    }
    if !AUDIENCES.iter().any(|(k, _)| *k == form.audience) {
        p.add("audience", "Choose who may receive this template's PDFs.");
    }
    if form.source.trim().is_empty() {
        p.add(
            "source",
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
                "source",
                "Many documents are being prepared right now, so the template could not be checked. Save again in a moment.",
            ),
            e => AppError::field("source", format!("The template could not be checked ({e}).")),
        })?
        .map_err(|e| match e {
            SandboxError::Pdf(e) => AppError::field("source", e.to_string()),
            SandboxError::Breach(what) => AppError::field(
                "source",
                format!("The template {what} while rendering a sample document, so it was not saved. Make it do less work."),
            ),
            SandboxError::Unavailable(_) => {
                tracing::error!(error = %e, "the PDF sandbox could not run");
                AppError::field(
                    "source",
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
                    "That template no longer exists.",
                ))
            }
            Err(e) => return Err(e.into()),
        };
        if t.kind != kind.as_str() || t.audience != "sharing" {
            return Err(AppError::field(
                "default",
                "Only a template of this type marked for sharing can be the portal's default.",
            ));
        }
        settings::set(tx, &default_key(kind), id).await?;
    }
    Ok(())
}
