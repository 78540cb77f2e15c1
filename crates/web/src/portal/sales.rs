//! The portal's pages of quotes, sales orders and invoices: lists, CSV,
//! detail pages, comments, answering a quote, requesting one.

use crate::kit::error::WebResult;
use crate::kit::forms::{Errors, Form};
use crate::kit::layout::{notice, Layout};
use crate::kit::page::PortalPage;
use crate::kit::render::{render, saved_or_again};
use crate::kit::session::{Client, Portal};
use crate::kit::state::AppState;
use crate::ui::records::Quotes;
use crate::ui::records::{
    csv_response, paginate, CommentFields, Filters, ListPage, ListSetup, Thread, PAGE,
};
use crate::ui::sales::*;
use askama::Template;
use axum::extract::{Path, RawQuery, State};
use axum::response::{IntoResponse, Redirect, Response};
use courtyard_app::domain::records::SalesKind;
use courtyard_app::domain::{Action, Module};
use courtyard_app::sales::{self};
use courtyard_app::AppError;

pub(crate) async fn portal_list<K: Marker>(
    p: PortalPage,
    RawQuery(raw): RawQuery,
) -> WebResult<Response> {
    let kind = sales_kind::<K>();
    let spec = courtyard_app::sales::spec(kind);
    let statuses = portal_statuses(kind);
    let f = Filters::parse(raw, &spec, &statuses);
    let base = portal_base(kind);
    let docs = sales::portal_list(&p.s.app, &p.ctx, kind, &f.query(Some(PAGE + 1))).await?;
    let (docs, next) = paginate(docs, &f, &spec, base);
    let create = (kind == SalesKind::Quote && p.ctx.grants.allows(Module::Quotes, Action::Create))
        .then(|| ("Request a quote".to_owned(), "/quotes/request".to_owned()));
    render(&ListPage::new(
        ListSetup {
            layout: p
                .layout(kind.plural(), base)
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
        rows(kind, &docs, base, false, &p.s.app.clock.today().to_string()),
        next,
    ))
}

pub(crate) async fn portal_export<K: Marker>(
    State(s): State<AppState>,
    Portal(ctx): Portal,
    RawQuery(raw): RawQuery,
) -> WebResult<Response> {
    let kind = sales_kind::<K>();
    let mut f = Filters::parse(
        raw,
        &courtyard_app::sales::spec(kind),
        &portal_statuses(kind),
    );
    f.after.clear();
    let docs = sales::portal_list(&s.app, &ctx, kind, &f.query(None)).await?;
    Ok(csv_response(
        sales::to_csv(kind, &docs, &s.app.clock.today().to_string()),
        &format!("{}.csv", table_id(kind)),
    ))
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
    files: Vec<crate::ui::file_views::FileView>,
    upload: Option<String>,
    /// The message typed with a refused upload, shown again.
    upload_note: String,
}

pub(super) async fn portal_page<K: Marker>(
    p: &PortalPage,
    id: &str,
    view_from: Option<&str>,
) -> WebResult<DetailPage> {
    let kind = sales_kind::<K>();
    let doc = sales::portal_find(&p.s.app, &p.ctx, kind, id, view_from).await?;
    let base = portal_base(kind);
    let can_comment = p.ctx.grants.allows(kind.module(), Action::Comment);
    let mut page = DetailPage {
        layout: Layout::portal(
            &doc.doc.number,
            &p.s.app.config.business_name,
            &p.csrf.0,
            &p.ctx,
            base,
        ),
        base,
        plural: kind.plural(),
        id: id.to_owned(),
        can_answer: kind == SalesKind::Quote
            && sales::quote_answerable(&p.s.app, &doc.doc)
            && p.ctx.grants.allows(Module::Quotes, Action::Sign),
        d: detail(
            kind,
            &doc.doc,
            &doc.lines,
            &p.s.app.clock.today().to_string(),
        ),
        thread: Thread::new(
            "Messages",
            &doc.comments,
            can_comment.then(|| format!("{base}/{id}/comments")),
            false,
        ),
        error: None,
        // The document was found through the policy just above.
        files: crate::ui::file_views::views(
            &courtyard_app::files::portal_files(&p.s.app, kind.as_str(), id).await?,
        ),
        upload: None,
        upload_note: String::new(),
    };
    page.thread.attach(&page.files);
    Ok(page)
}

pub(crate) async fn portal_find<K: Marker>(
    p: PortalPage,
    Client(client): Client,
    Path(id): Path<String>,
    RawQuery(raw): RawQuery,
) -> WebResult<Response> {
    let mut page = portal_page::<K>(&p, &id, Some(&client.ip)).await?;
    let done = raw.as_deref().and_then(|q| q.strip_prefix("done="));
    page.layout = page.layout.with_notice(notice(done));
    render(&page)
}

pub(crate) async fn portal_comment<K: Marker>(
    p: PortalPage,
    Path(id): Path<String>,
    Form(form): Form<CommentFields>,
) -> WebResult<Response> {
    let kind = sales_kind::<K>();
    saved_or_again(
        sales::portal_comment(&p.s.app, &p.ctx, kind, &id, &form.body).await,
        |()| format!("{}/{id}?done=commented#comments", portal_base(kind)),
        async |e| {
            let mut page = portal_page::<K>(&p, &id, None).await?;
            page.thread.refused(&e, form.body, false);
            Ok(page)
        },
    )
    .await
}

/// A customer's answer to a quote: an optional note.
#[derive(Debug, Default, serde::Deserialize)]
#[serde(default)]
pub(crate) struct AnswerFields {
    note: String,
}

/// Accept or decline a quote (`/quotes/{id}/accept`, `/quotes/{id}/decline`).
pub(super) async fn answer(
    p: PortalPage,
    id: String,
    form: AnswerFields,
    accept: bool,
) -> WebResult<Response> {
    match sales::answer_quote(&p.s.app, &p.ctx, &id, accept, &form.note).await {
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
            let mut page = portal_page::<Quotes>(&p, &id, None).await?;
            page.error = Some(msg);
            let mut r = render(&page)?;
            *r.status_mut() = status;
            Ok(r)
        }
        Err(e) => Err(e.into()),
    }
}

pub(crate) async fn portal_accept(
    p: PortalPage,
    Path(id): Path<String>,
    Form(form): Form<AnswerFields>,
) -> WebResult<Response> {
    answer(p, id, form, true).await
}

pub(crate) async fn portal_decline(
    p: PortalPage,
    Path(id): Path<String>,
    Form(form): Form<AnswerFields>,
) -> WebResult<Response> {
    answer(p, id, form, false).await
}

#[derive(Template)]
#[template(path = "sales/request.html")]
pub(super) struct RequestPage {
    layout: Layout,
    subject: String,
    details: String,
    errors: Errors,
}

pub(crate) async fn request_form(p: PortalPage) -> WebResult<Response> {
    courtyard_app::records::scope(&p.ctx, Module::Quotes)?;
    courtyard_app::records::require(&p.ctx, Module::Quotes, Action::Create)?;
    render(&RequestPage {
        layout: p.layout("Request a quote", "/quotes"),
        subject: String::new(),
        details: String::new(),
        errors: Errors::default(),
    })
}

/// A quote request as the browser sends it.
#[derive(Debug, Default, serde::Deserialize)]
#[serde(default)]
pub(crate) struct RequestFields {
    subject: String,
    details: String,
}

pub(crate) async fn request(
    p: PortalPage,
    Form(RequestFields { subject, details }): Form<RequestFields>,
) -> WebResult<Response> {
    saved_or_again(
        sales::request_quote(&p.s.app, &p.ctx, &subject, &details).await,
        |id| format!("/quotes/{id}?done=requested"),
        async |e| {
            Ok(RequestPage {
                layout: p.layout("Request a quote", "/quotes"),
                subject,
                details,
                errors: e,
            })
        },
    )
    .await
}
