//! A document as PDF: its data for the template (every value formatted) and
//! rendering on the PDF pool for the portal and for staff (which template is
//! used — the portal always gets a sharing one — is chosen in `pdf/mod.rs`).

use courtyard_db::sales::{self, SalesDoc, SalesLine};
use courtyard_db::templates::TemplateRow;
use courtyard_db::{companies, contacts, records as rec, Conn, DbError};
use courtyard_domain::money::{format_quantity, format_rate};
use courtyard_domain::records::SalesKind;
use courtyard_pdf::{DocData, Line, Pair, Party};

use super::{business, busy, logo, template_for, PdfFile};
use crate::auth::PortalContext;
use crate::records::scope;
use crate::{App, AppError, AppResult};

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
    let cur = doc.currency;
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
        status: kind
            .status_label(doc.shown_status(kind, &app.clock.today().to_string()))
            .unwrap_or("")
            .into(),
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
#[tracing::instrument(skip_all, fields(id = %id, kind = kind.as_str()))]
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
#[tracing::instrument(skip_all, fields(id = %id, kind = kind.as_str()))]
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
