//! The portal's pages of quotes, sales orders and invoices: lists, CSV,
//! detail pages, comments, answering a quote, requesting one.

use super::*;

pub(crate) async fn portal_list<K: Kind>(
    State(s): State<AppState>,
    Extension(csrf): Extension<CsrfToken>,
    Portal(ctx): Portal,
    RawQuery(raw): RawQuery,
) -> WebResult<Response> {
    let kind = K::KIND;
    let spec = sales_db::spec(kind);
    let statuses = portal_statuses(kind);
    let f = Filters::parse(raw, &spec, &statuses);
    let base = portal_base(kind);
    let docs = sales::portal_list(&s.app, &ctx, kind, &f.query(Some(PAGE + 1))).await?;
    let (docs, next) = paginate(docs, &f, &spec, base);
    let create = (kind == SalesKind::Quote && ctx.grants.allows(Module::Quotes, Action::Create))
        .then(|| ("Request a quote".to_owned(), "/quotes/request".to_owned()));
    render(&ListPage::new(
        ListSetup {
            layout: Layout::portal(
                kind.plural(),
                &s.app.config.business_name,
                &csrf.0,
                &ctx,
                base,
            )
            .with_notice(notice(f.done.as_deref())),
            heading: kind.plural(),
            intro: match kind {
                SalesKind::Quote => "Quotes we have prepared for you, and the ones you asked for.",
                SalesKind::Order => "Your orders with us.",
                SalesKind::Invoice => "Every invoice we have issued to you.",
            },
            table_id: table_id(kind),
            base,
            staff: false,
            create,
            spec: &spec,
            statuses: &statuses,
            headers: headers(kind, false),
            companies: vec![],
            empty_text: "When we send you one, it will appear here.",
        },
        f,
        rows(kind, &docs, base, false, &s.app.clock.today().to_string()),
        next,
    ))
}

pub(crate) async fn portal_export<K: Kind>(
    State(s): State<AppState>,
    Portal(ctx): Portal,
    RawQuery(raw): RawQuery,
) -> WebResult<Response> {
    let kind = K::KIND;
    let mut f = Filters::parse(raw, &sales_db::spec(kind), &portal_statuses(kind));
    f.after.clear();
    let docs = sales::portal_list(&s.app, &ctx, kind, &f.query(None)).await?;
    Ok(csv_response(
        sales::to_csv(kind, &docs),
        &format!("{}.csv", table_id(kind)),
    ))
}

pub(crate) struct LineRow {
    pub description: String,
    pub quantity: String,
    pub unit_price: String,
    pub tax: String,
    pub discount: String,
    pub net: String,
}

pub(crate) struct Detail {
    pub kind_label: &'static str,
    pub due_label: &'static str,
    pub has_payments: bool,
    pub number: String,
    pub subject: String,
    pub status: String,
    pub status_label: String,
    pub company: String,
    pub contact: String,
    pub issued: String,
    pub due: String,
    pub paid_on: String,
    pub lines: Vec<LineRow>,
    pub subtotal: String,
    pub taxes: Vec<(String, String)>,
    pub total: String,
    pub paid: String,
    pub balance: String,
    pub has_paid: bool,
    pub terms: String,
}

pub(super) fn detail(kind: SalesKind, i: &SalesDoc, lines: &[SalesLine], today: &str) -> Detail {
    let cur = Currency::parse(&i.currency).unwrap_or(money::CURRENCIES[0]);
    let domain_lines: Vec<money::Line> = lines
        .iter()
        .map(|l| money::Line {
            description: l.description.clone(),
            quantity_milli: l.quantity_milli,
            unit_price: l.unit_price,
            tax_rate_bp: l.tax_rate_bp,
            discount_bp: l.discount_bp,
        })
        .collect();
    let totals = money::totals(&domain_lines);
    let (status, status_label) = shown_status(kind, i, today);
    Detail {
        kind_label: kind.label(),
        due_label: kind.due_label(),
        has_payments: kind.has_payments(),
        number: i.number.clone(),
        subject: i.subject.clone(),
        status,
        status_label,
        company: i.company_name.clone(),
        contact: i.contact_name.clone().unwrap_or_default(),
        issued: i.issued_on.clone(),
        due: i.due_on.clone(),
        paid_on: i.paid_on.clone().unwrap_or_default(),
        lines: lines
            .iter()
            .map(|l| LineRow {
                description: l.description.clone(),
                quantity: money::format_quantity(l.quantity_milli),
                unit_price: cur.format(l.unit_price),
                tax: money::format_rate(l.tax_rate_bp),
                discount: if l.discount_bp == 0 {
                    String::new()
                } else {
                    money::format_rate(l.discount_bp)
                },
                net: cur.format(l.net),
            })
            .collect(),
        subtotal: cur.format(i.subtotal),
        taxes: totals
            .taxes
            .iter()
            .map(|(rate, _, tax)| {
                (
                    format!("Tax {}", money::format_rate(*rate)),
                    cur.format(*tax),
                )
            })
            .collect(),
        total: cur.format(i.total),
        paid: cur.format(i.amount_paid),
        balance: cur.format(i.balance),
        has_paid: i.amount_paid != 0,
        terms: i.terms.clone(),
    }
}

#[derive(Template)]
#[template(path = "sales/detail.html")]
pub(super) struct DetailPage {
    layout: Layout,
    base: &'static str,
    plural: &'static str,
    id: String,
    d: Detail,
    /// A quote awaiting this person's answer.
    can_answer: bool,
    thread: Thread,
    error: Option<String>,
    /// Files staff shared on the document; customers do not upload here.
    files: Vec<crate::file_views::FileView>,
    upload: Option<String>,
    /// The message typed with a refused upload, shown again.
    upload_note: String,
}

pub(super) async fn portal_page<K: Kind>(
    s: &AppState,
    csrf: &CsrfToken,
    ctx: &PortalContext,
    id: &str,
    view_from: Option<&str>,
) -> WebResult<DetailPage> {
    let kind = K::KIND;
    let doc = sales::portal_find(&s.app, ctx, kind, id, view_from).await?;
    let base = portal_base(kind);
    let can_comment = ctx.grants.allows(kind.module(), Action::Comment);
    let mut page = DetailPage {
        layout: Layout::portal(
            &doc.doc.number,
            &s.app.config.business_name,
            &csrf.0,
            ctx,
            base,
        ),
        base,
        plural: kind.plural(),
        id: id.to_owned(),
        can_answer: kind == SalesKind::Quote
            && sales::quote_answerable(&s.app, &doc.doc)
            && ctx.grants.allows(Module::Quotes, Action::Sign),
        d: detail(kind, &doc.doc, &doc.lines, &s.app.clock.today().to_string()),
        thread: Thread::new(
            "Messages",
            &doc.comments,
            can_comment.then(|| format!("{base}/{id}/comments")),
            false,
        ),
        error: None,
        // The document was found through the policy just above.
        files: crate::file_views::views(
            &courtyard_app::files::portal_files(&s.app, kind.as_str(), id).await?,
        ),
        upload: None,
        upload_note: String::new(),
    };
    page.thread.attach(&page.files);
    Ok(page)
}

pub(crate) async fn portal_find<K: Kind>(
    State(s): State<AppState>,
    Extension(csrf): Extension<CsrfToken>,
    Portal(ctx): Portal,
    Client(client): Client,
    Path(id): Path<String>,
    RawQuery(raw): RawQuery,
) -> WebResult<Response> {
    let mut page = portal_page::<K>(&s, &csrf, &ctx, &id, Some(&client.ip)).await?;
    let done = raw.as_deref().and_then(|q| q.strip_prefix("done="));
    page.layout = page.layout.with_notice(notice(done));
    render(&page)
}

pub(crate) async fn portal_comment<K: Kind>(
    State(s): State<AppState>,
    Extension(csrf): Extension<CsrfToken>,
    Portal(ctx): Portal,
    Path(id): Path<String>,
    form: FormPairs,
) -> WebResult<Response> {
    let kind = K::KIND;
    match sales::portal_comment(&s.app, &ctx, kind, &id, &form.get("body")).await {
        Ok(()) => Ok(Redirect::to(&format!(
            "{}/{id}?done=commented#comments",
            portal_base(kind)
        ))
        .into_response()),
        Err(AppError::Invalid(e)) => {
            let mut page = portal_page::<K>(&s, &csrf, &ctx, &id, None).await?;
            page.thread.error = e.first().map(|e| e.message.clone());
            page.thread.draft = form.get("body");
            render(&page).map(unprocessable)
        }
        Err(e) => Err(e.into()),
    }
}

/// Accept or decline a quote (`/quotes/{id}/accept`, `/quotes/{id}/decline`).
pub(super) async fn answer(
    s: AppState,
    csrf: CsrfToken,
    ctx: PortalContext,
    id: String,
    form: FormPairs,
    accept: bool,
) -> WebResult<Response> {
    match sales::answer_quote(&s.app, &ctx, &id, accept, &form.get("note")).await {
        Ok(()) => Ok(Redirect::to(&format!(
            "/quotes/{id}?done={}",
            if accept { "accepted" } else { "declined" }
        ))
        .into_response()),
        Err(e @ (AppError::Conflict(_) | AppError::Invalid(_))) => {
            let (status, msg) = match e {
                AppError::Conflict(msg) => (axum::http::StatusCode::CONFLICT, msg),
                AppError::Invalid(fields) => (
                    axum::http::StatusCode::UNPROCESSABLE_ENTITY,
                    fields
                        .first()
                        .map(|f| f.message.clone())
                        .unwrap_or_default(),
                ),
                _ => unreachable!("matched above"),
            };
            let mut page = portal_page::<Quotes>(&s, &csrf, &ctx, &id, None).await?;
            page.error = Some(msg);
            let mut r = render(&page)?;
            *r.status_mut() = status;
            Ok(r)
        }
        Err(e) => Err(e.into()),
    }
}

pub(crate) async fn portal_accept(
    State(s): State<AppState>,
    Extension(csrf): Extension<CsrfToken>,
    Portal(ctx): Portal,
    Path(id): Path<String>,
    form: FormPairs,
) -> WebResult<Response> {
    answer(s, csrf, ctx, id, form, true).await
}

pub(crate) async fn portal_decline(
    State(s): State<AppState>,
    Extension(csrf): Extension<CsrfToken>,
    Portal(ctx): Portal,
    Path(id): Path<String>,
    form: FormPairs,
) -> WebResult<Response> {
    answer(s, csrf, ctx, id, form, false).await
}

#[derive(Template)]
#[template(path = "sales/request.html")]
pub(super) struct RequestPage {
    layout: Layout,
    subject: String,
    details: String,
    errors: Errors,
}

pub(crate) async fn request_form(
    State(s): State<AppState>,
    Extension(csrf): Extension<CsrfToken>,
    Portal(ctx): Portal,
) -> WebResult<Response> {
    courtyard_app::records::scope(&ctx, Module::Quotes)?;
    courtyard_app::records::require(&ctx, Module::Quotes, Action::Create)?;
    render(&RequestPage {
        layout: Layout::portal(
            "Request a quote",
            &s.app.config.business_name,
            &csrf.0,
            &ctx,
            "/quotes",
        ),
        subject: String::new(),
        details: String::new(),
        errors: Errors::default(),
    })
}

pub(crate) async fn request(
    State(s): State<AppState>,
    Extension(csrf): Extension<CsrfToken>,
    Portal(ctx): Portal,
    form: FormPairs,
) -> WebResult<Response> {
    let (subject, details) = (form.get("subject"), form.get("details"));
    match sales::request_quote(&s.app, &ctx, &subject, &details).await {
        Ok(id) => Ok(Redirect::to(&format!("/quotes/{id}?done=requested")).into_response()),
        Err(AppError::Invalid(e)) => render(&RequestPage {
            layout: Layout::portal(
                "Request a quote",
                &s.app.config.business_name,
                &csrf.0,
                &ctx,
                "/quotes",
            ),
            subject,
            details,
            errors: Errors(e),
        })
        .map(unprocessable),
        Err(e) => Err(e.into()),
    }
}
