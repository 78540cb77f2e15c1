//! Quotes, sales orders and invoices: staff create and edit them; portal
//! users list, filter, export and open the ones the visibility policy lets
//! them see, comment on them, answer quotes and request new ones.

use courtyard_db::listing::ListQuery;
use courtyard_db::records::{self as rec, Comment, RecordView};
use courtyard_db::sales::{self, SalesInput};
use courtyard_domain::money;
use courtyard_domain::policy::Explanation;
use courtyard_domain::records::{QuoteStatus, SalesKind};
use courtyard_domain::Action;
use courtyard_domain::FieldCode;

use crate::auth::{PortalContext, StaffContext};
use crate::error::Problems;
use crate::records::{self, commit, csv_cell, scope};
use crate::{App, AppError, AppResult};

/// The read models these use cases return, and the list spec of each kind.
pub use courtyard_db::sales::{spec, SalesDoc, SalesLine};

mod form;
pub use form::*;

#[tracing::instrument(skip_all, fields(kind = kind.as_str()))]
pub async fn create(app: &App, kind: SalesKind, form: &SalesForm) -> AppResult<String> {
    let mut tx = app.db.begin().await?;
    let input = form.parse(&mut tx, kind).await?;
    let number = records::next_number(&mut tx, kind.record()).await?;
    let id = sales::insert(&mut tx, kind, &number, &input, app.now()).await?;
    commit(tx).await?;
    Ok(id)
}

#[tracing::instrument(skip_all, fields(id = %id, kind = kind.as_str()))]
pub async fn update(app: &App, kind: SalesKind, id: &str, form: &SalesForm) -> AppResult<()> {
    let mut tx = app.db.begin().await?;
    sales::find(&mut tx, kind, id).await?;
    records::claim_version(
        &mut tx,
        kind.table(),
        id,
        records::version_of(&form.version),
    )
    .await?;
    let input = form.parse(&mut tx, kind).await?;
    sales::update(&mut tx, kind, id, &input, app.now()).await?;
    commit(tx).await
}

/// Everything the staff page of a document shows.
pub struct StaffDoc {
    pub doc: SalesDoc,
    pub lines: Vec<SalesLine>,
    pub views: Vec<RecordView>,
    pub comments: Vec<Comment>,
}

#[tracing::instrument(skip_all, fields(id = %id, kind = kind.as_str()))]
pub async fn staff_find(app: &App, kind: SalesKind, id: &str) -> AppResult<StaffDoc> {
    let mut conn = app.db.conn().await?;
    let doc = sales::find(&mut conn, kind, id).await?;
    let lines = sales::lines(&mut conn, kind, id).await?;
    let views = rec::views(&mut conn, kind.as_str(), id).await?;
    let comments = records::all_comments(&mut conn, kind.as_str(), id).await?;
    Ok(StaffDoc {
        doc,
        lines,
        views,
        comments,
    })
}

#[tracing::instrument(skip_all, fields(kind = kind.as_str()))]
pub async fn staff_list(app: &App, kind: SalesKind, q: &ListQuery) -> AppResult<Vec<SalesDoc>> {
    let mut conn = app.db.conn().await?;
    Ok(sales::list(&mut conn, kind, None, q, &app.clock.today().to_string()).await?)
}

/// A staff comment on a document; `internal` ones stay on staff pages.
#[tracing::instrument(skip_all, fields(id = %id, kind = kind.as_str()))]
pub async fn staff_comment(
    app: &App,
    ctx: &StaffContext,
    kind: SalesKind,
    id: &str,
    body: &str,
    internal: bool,
) -> AppResult<()> {
    let body = records::comment_body(body)?;
    let mut tx = app.db.begin().await?;
    sales::find(&mut tx, kind, id).await?;
    records::add_staff_comment(&mut tx, ctx, kind.as_str(), id, &body, internal, app.now()).await?;
    commit(tx).await
}

/// "Why can this person see this?" for one portal user and one document.
#[tracing::instrument(skip_all, fields(id = %id, kind = kind.as_str()))]
pub async fn explain(
    app: &App,
    kind: SalesKind,
    id: &str,
    portal_user_id: &str,
) -> AppResult<Explanation> {
    let doc = {
        let mut conn = app.db.conn().await?;
        sales::find(&mut conn, kind, id).await?
    };
    records::explain(
        app,
        kind.module(),
        portal_user_id,
        |_| {
            records::company_facts(
                &doc.company_id,
                doc.contact_id.as_deref(),
                doc.status.as_str(),
            )
        },
        None,
    )
    .await
}

/// A portal page of documents: the policy's predicate goes into the SQL.
#[tracing::instrument(skip_all, fields(kind = kind.as_str()))]
pub async fn portal_list(
    app: &App,
    ctx: &PortalContext,
    kind: SalesKind,
    q: &ListQuery,
) -> AppResult<Vec<SalesDoc>> {
    let scope = scope(ctx, kind.module())?;
    let mut conn = app.db.conn().await?;
    Ok(sales::list(
        &mut conn,
        kind,
        Some(&scope),
        q,
        &app.clock.today().to_string(),
    )
    .await?)
}

/// What the portal detail page shows.
pub struct PortalDoc {
    pub doc: SalesDoc,
    pub lines: Vec<SalesLine>,
    pub comments: Vec<Comment>,
}

/// Open one document as a customer. With `view_from` (the client's IP) the
/// view is recorded, and the first one notifies the assigned staff member
/// (when that type's setting is on); pages re-shown after a refused action
/// pass `None`.
#[tracing::instrument(skip_all, fields(id = %id, kind = kind.as_str()))]
pub async fn portal_find(
    app: &App,
    ctx: &PortalContext,
    kind: SalesKind,
    id: &str,
    view_from: Option<&str>,
) -> AppResult<PortalDoc> {
    let scope = scope(ctx, kind.module())?;
    let (doc, lines, comments) = {
        let mut conn = app.db.conn().await?;
        let doc = sales::find_scoped(&mut conn, kind, id, &scope).await?;
        let lines = sales::lines(&mut conn, kind, id).await?;
        let comments = records::public_comments(&mut conn, kind.as_str(), id).await?;
        (doc, lines, comments)
    };
    if let Some(ip) = view_from {
        let now = app.now();
        if doc.first_viewed_at.is_some() {
            // The common case: one INSERT, atomic on its own.
            let mut conn = app.db.conn().await?;
            rec::record_view(&mut conn, kind.as_str(), id, &ctx.user.id, "view", ip, now).await?;
        } else {
            // Perhaps the first view: mark it and queue the notice with the
            // view, in one short transaction whose statements all write.
            let mut tx = app.db.begin().await?;
            rec::record_view(&mut tx, kind.as_str(), id, &ctx.user.id, "view", ip, now).await?;
            if sales::mark_first_view(&mut tx, kind, id, now).await? {
                records::queue_first_view_notice(
                    app,
                    &mut tx,
                    ctx,
                    &records::FirstView {
                        record_type: kind.as_str(),
                        label: kind.label(),
                        number: &doc.number,
                        staff_path: format!("{}/{id}", staff_path(kind)),
                        owner_name: doc.owner_name.as_deref(),
                        owner_email: doc.owner_email.as_deref(),
                    },
                )
                .await?;
            }
            commit(tx).await?;
        }
    }
    Ok(PortalDoc {
        doc,
        lines,
        comments,
    })
}

/// Where a kind lives on the staff side.
pub fn staff_path(kind: SalesKind) -> &'static str {
    crate::links::staff_list(kind.record())
}

/// A customer's comment on a document they can see.
#[tracing::instrument(skip_all, fields(id = %id, kind = kind.as_str()))]
pub async fn portal_comment(
    app: &App,
    ctx: &PortalContext,
    kind: SalesKind,
    id: &str,
    body: &str,
) -> AppResult<()> {
    let scope = scope(ctx, kind.module())?;
    let mut tx = app.db.begin().await?;
    sales::find_scoped(&mut tx, kind, id, &scope).await?;
    records::require(ctx, kind.module(), Action::Comment)?;
    let body = records::comment_body(body)?;
    records::add_portal_comment(&mut tx, ctx, kind.as_str(), id, &body, app.now()).await?;
    commit(tx).await
}

/// Accept or decline a quote that awaits an answer. Answering commits the
/// customer, so it needs the quotes "Sign" permission.
#[tracing::instrument(skip_all, fields(id = %id))]
pub async fn answer_quote(
    app: &App,
    ctx: &PortalContext,
    id: &str,
    accept: bool,
    note: &str,
) -> AppResult<()> {
    let kind = SalesKind::Quote;
    let scope = scope(ctx, kind.module())?;
    let mut tx = app.db.begin().await?;
    let doc = sales::find_scoped(&mut tx, kind, id, &scope).await?;
    records::require(ctx, kind.module(), Action::Sign)?;
    let note = note.trim();
    if note.chars().count() > 500 {
        return Err(AppError::field(
            "note",
            FieldCode::TooLong,
            "Keep the note under 500 characters.",
        ));
    }
    match QuoteStatus::parse(doc.status.as_str()) {
        Some(QuoteStatus::Sent) => {}
        Some(QuoteStatus::Accepted | QuoteStatus::Declined) => {
            return Err(AppError::Conflict(
                "This quote has already been answered.".into(),
            ))
        }
        Some(QuoteStatus::Requested) => {
            return Err(AppError::Conflict(
                "We are still preparing this quote; you can answer it once we send it.".into(),
            ))
        }
        _ => {
            return Err(AppError::Conflict(
                "This quote is no longer open for an answer. Ask us for a new one.".into(),
            ))
        }
    }
    if !quote_answerable(app, &doc) {
        return Err(AppError::Conflict(
            "This quote is no longer valid. Ask us for a new one.".into(),
        ));
    }
    let to = if accept {
        QuoteStatus::Accepted
    } else {
        QuoteStatus::Declined
    };
    let now = app.now();
    if !sales::set_status(
        &mut tx,
        kind,
        id,
        QuoteStatus::Sent.as_str(),
        to.as_str(),
        now,
    )
    .await?
    {
        return Err(AppError::Conflict(
            "This quote has already been answered.".into(),
        ));
    }
    sales::set_answered_by(&mut tx, id, &ctx.user.id, now).await?;
    let text = format!(
        "{} the quote.{}{}",
        if accept { "Accepted" } else { "Declined" },
        if note.is_empty() { "" } else { "\n\n" },
        note
    );
    records::add_portal_comment(&mut tx, ctx, kind.as_str(), id, &text, now).await?;
    commit(tx).await
}

/// A sent quote still within its validity can be answered.
pub fn quote_answerable(app: &App, doc: &SalesDoc) -> bool {
    doc.shown_status(SalesKind::Quote, &app.clock.today().to_string()) == QuoteStatus::Sent.as_str()
}

/// A customer asks for a quote: it is created as `requested`, for them and
/// their company, with their description as its first comment.
#[tracing::instrument(skip_all)]
pub async fn request_quote(
    app: &App,
    ctx: &PortalContext,
    subject: &str,
    details: &str,
) -> AppResult<String> {
    let kind = SalesKind::Quote;
    scope(ctx, kind.module())?;
    records::require(ctx, kind.module(), Action::Create)?;
    let company_id = ctx.company_id().ok_or(AppError::NotFound)?.to_owned();
    let mut p = Problems::default();
    let subject = subject.trim();
    if subject.is_empty() {
        p.add(
            "subject",
            FieldCode::Required,
            "Say in a few words what you need.",
        );
    } else if subject.chars().count() > 200 {
        p.add(
            "subject",
            FieldCode::TooLong,
            "Keep the subject under 200 characters.",
        );
    }
    if details.chars().count() > 5000 {
        p.add(
            "details",
            FieldCode::TooLong,
            "Keep the details under 5,000 characters.",
        );
    }
    p.into_result()?;
    let today = app.clock.today();
    let input = SalesInput {
        company_id,
        owner_staff_id: None,
        contact_id: Some(ctx.user.contact_id.clone()),
        subject: subject.to_owned(),
        status: QuoteStatus::Requested.into(),
        currency: money::CURRENCIES[0].code.to_owned(),
        issued_on: today.to_string(),
        due_on: (today + time::Duration::days(30)).to_string(),
        paid_on: None,
        amount_paid: 0,
        terms: String::new(),
        lines: vec![],
        totals: money::totals(&[]),
    };
    let mut tx = app.db.begin().await?;
    let number = records::next_number(&mut tx, kind.record()).await?;
    let id = sales::insert(&mut tx, kind, &number, &input, app.now()).await?;
    if !details.trim().is_empty() {
        records::add_portal_comment(&mut tx, ctx, kind.as_str(), &id, details.trim(), app.now())
            .await?;
    }
    commit(tx).await?;
    Ok(id)
}

/// Exactly the rows of a filtered list, as CSV with amounts in major units.
/// Statuses as shown on `today` (Overdue, Expired).
pub fn to_csv(kind: SalesKind, rows: &[SalesDoc], today: &str) -> String {
    let due = match kind {
        SalesKind::Quote => "Valid until",
        SalesKind::Order => "Delivery",
        SalesKind::Invoice => "Due",
    };
    let mut header = vec!["Number", "Subject", "Status", "Issued", due];
    if kind.has_payments() {
        header.push("Paid");
    }
    header.extend(["Currency", "Subtotal", "Tax", "Total"]);
    if kind.has_payments() {
        header.extend(["Paid amount", "Balance"]);
    }
    records::csv(
        &header,
        rows.iter().map(|r| {
            let cur = r.currency;
            let amount = |v: i64| cur.plain(v);
            let shown = r.shown_status(kind, today);
            let status = kind.status_label(shown).unwrap_or(shown);
            let mut cells = vec![
                csv_cell(&r.number),
                csv_cell(&r.subject),
                csv_cell(status),
                r.issued_on.clone(),
                r.due_on.clone(),
            ];
            if kind.has_payments() {
                cells.push(r.paid_on.clone().unwrap_or_default());
            }
            cells.extend([
                r.currency.code.to_owned(),
                amount(r.subtotal),
                amount(r.tax_total),
                amount(r.total),
            ]);
            if kind.has_payments() {
                cells.extend([amount(r.amount_paid), amount(r.balance)]);
            }
            cells
        }),
    )
}
