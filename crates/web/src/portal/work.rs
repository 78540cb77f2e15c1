//! The portal's pages of jobs, tickets, projects and tasks: lists, CSV,
//! detail pages, comments, completing a task, requesting a job or a ticket.

use crate::kit::error::WebResult;
use crate::kit::forms::{Errors, Form};
use crate::kit::layout::day_or_raw;
use crate::kit::layout::{notice, when, Layout};
use crate::kit::page::PortalPage;
use crate::kit::render::{render, saved_or_again, unprocessable};
use crate::kit::session::Portal;
use crate::kit::state::AppState;
use crate::ui::records::{
    csv_response, CommentFields, Filters, ListPage, ListRow, ListSetup, Thread, PAGE,
};
use crate::ui::work::*;
use askama::Template;
use axum::extract::{Path, RawQuery, State};
use axum::response::{IntoResponse, Redirect, Response};
use courtyard_app::domain::records::{TaskStatus, TicketPriority, TicketStatus};
use courtyard_app::domain::WorkKind;
use courtyard_app::domain::{Action, Module};
use courtyard_app::work::{self};
use courtyard_app::work::{Job, Milestone, Project, Task, Ticket};
use courtyard_app::AppError;

pub(crate) async fn portal_list<K: Marker>(
    p: PortalPage,
    RawQuery(raw): RawQuery,
) -> WebResult<Response> {
    let kind = work_kind::<K>();
    let sts = statuses(kind);
    let f = Filters::parse(raw, spec(kind), &sts);
    let base = portal_base(kind);
    let (rows, next, _) = list_rows(&p.s, kind, Some(&p.ctx), &f, base, Some(PAGE + 1)).await?;
    let create = match kind {
        WorkKind::Job if p.ctx.grants.allows(Module::Jobs, Action::Create) => {
            Some(("Request a job".to_owned(), "/jobs/request".to_owned()))
        }
        WorkKind::Ticket if p.ctx.grants.allows(Module::Tickets, Action::Create) => {
            Some(("Open a ticket".to_owned(), "/tickets/new".to_owned()))
        }
        _ => None,
    };
    let m = kind.module();
    render(&ListPage::new(
        ListSetup {
            layout: p
                .layout(m.label(), base)
                .with_notice(notice(f.done.as_deref())),
            heading: m.label(),
            intro: m.blurb(),
            table_id: table_id(kind),
            base,
            staff: false,
            create,
            spec: spec(kind),
            statuses: &sts,
            headers: headers(kind, false),
            companies: vec![],
            empty_text: match kind {
                WorkKind::Job => "Jobs we do for you, and the ones you request, appear here.",
                WorkKind::Ticket => "Open a ticket whenever you need help.",
                WorkKind::Project => "Projects we share with you appear here.",
                WorkKind::Task => "Tasks in your projects appear here.",
            },
        },
        f,
        rows,
        next,
    ))
}

pub(crate) async fn portal_export<K: Marker>(
    State(s): State<AppState>,
    Portal(ctx): Portal,
    RawQuery(raw): RawQuery,
) -> WebResult<Response> {
    let kind = work_kind::<K>();
    let mut f = Filters::parse(raw, spec(kind), &statuses(kind));
    f.after.clear();
    let (_, _, csv) = list_rows(&s, kind, Some(&ctx), &f, portal_base(kind), None).await?;
    Ok(csv_response(csv, &format!("{}.csv", table_id(kind))))
}

/// Facts shown at the top of a record page: (label, value).
type Facts = Vec<(&'static str, String)>;

#[derive(Template)]
#[template(path = "work/detail.html")]
pub(super) struct DetailPage {
    layout: Layout,
    base: &'static str,
    plural: &'static str,
    title: String,
    number: String,
    status: String,
    status_label: String,
    facts: Facts,
    description: String,
    milestones: Vec<Milestone>,
    progress: Option<i64>,
    tasks: Vec<ListRow>,
    /// A task assigned to this person that is not done yet: its id.
    complete: Option<String>,
    thread: Thread,
    error: Option<String>,
    /// Files shown with the record, and where uploads go.
    files: Vec<crate::ui::file_views::FileView>,
    upload: Option<String>,
    /// The message typed with a refused upload, shown again.
    upload_note: String,
}

/// A ticket page re-shown with an upload's refusal (422).
/// A record's portal page again, with an error at the top (a refused file).
pub(crate) async fn page_with_error(
    p: &PortalPage,
    kind: WorkKind,
    id: &str,
    msg: String,
    note: String,
) -> WebResult<Response> {
    let mut page = portal_page(p, kind, id).await?;
    page.upload_note = note;
    page.error = Some(msg);
    render(&page).map(unprocessable)
}

pub(super) fn job_facts(j: &Job) -> Facts {
    vec![
        ("Site", j.site_address.clone()),
        ("Requested", day_or_raw(&j.requested_on)),
        (
            "Scheduled",
            j.scheduled_on
                .as_deref()
                .map_or_else(|| "Not scheduled yet".into(), day_or_raw),
        ),
        ("Contact", j.contact_name.clone().unwrap_or_default()),
    ]
}

pub(super) fn ticket_facts(t: &Ticket) -> Facts {
    vec![
        ("Priority", t.priority.label().to_owned()),
        ("Opened", day_or_raw(&t.opened_on)),
        ("Opened by", t.contact_name.clone().unwrap_or_default()),
        ("Last activity", when(t.last_activity_at)),
    ]
}

pub(super) fn project_facts(p: &Project) -> Facts {
    vec![
        ("Start", day_or_raw(&p.start_on)),
        (
            "End",
            p.end_on.as_deref().map(day_or_raw).unwrap_or_default(),
        ),
        ("Progress", format!("{}%", p.progress)),
    ]
}

pub(super) fn task_facts(t: &Task) -> Facts {
    vec![
        ("Project", t.project_name.clone()),
        (
            "Assigned to",
            t.assignee_name.clone().unwrap_or_else(|| "Nobody".into()),
        ),
        (
            "Due",
            t.due_on.as_deref().map(day_or_raw).unwrap_or_default(),
        ),
        ("Completed", t.completed_at.map(when).unwrap_or_default()),
    ]
}

pub(super) async fn portal_page(p: &PortalPage, kind: WorkKind, id: &str) -> WebResult<DetailPage> {
    let base = portal_base(kind);
    let can_comment = p.ctx.grants.allows(kind.module(), Action::Comment);
    let action = |b: bool| b.then(|| format!("{base}/{id}/comments"));
    let layout = |title: &str| {
        Layout::portal(
            title,
            &p.s.app.config.business_name,
            &p.csrf.0,
            &p.ctx,
            base,
        )
    };
    let blank = |title: String,
                 number: String,
                 status: &str,
                 facts: Facts,
                 description: String,
                 thread: Thread| DetailPage {
        layout: layout(&number),
        base,
        plural: kind.module().label(),
        title,
        status: status.to_owned(),
        status_label: label_of(&statuses(kind), status),
        number,
        facts,
        description,
        milestones: vec![],
        progress: None,
        tasks: vec![],
        complete: None,
        thread,
        error: None,
        files: vec![],
        upload: None,
        upload_note: String::new(),
    };
    let mut page = match kind {
        WorkKind::Job => {
            let (j, c) = work::portal_find::<Job>(&p.s.app, &p.ctx, id).await?;
            let facts = job_facts(&j);
            blank(
                j.subject.clone(),
                j.number.clone(),
                j.status.as_str(),
                facts,
                j.description.clone(),
                Thread::new("Messages", &c, action(can_comment), false),
            )
        }
        WorkKind::Ticket => {
            let (t, c) = work::portal_find::<Ticket>(&p.s.app, &p.ctx, id).await?;
            let facts = ticket_facts(&t);
            let open = t.status != TicketStatus::Closed;
            let mut thread = Thread::new("Conversation", &c, action(can_comment && open), false);
            thread.button = "Send reply";
            blank(
                t.subject.clone(),
                t.number.clone(),
                t.status.as_str(),
                facts,
                String::new(),
                thread,
            )
        }
        WorkKind::Project => {
            let v = work::portal_find_project(&p.s.app, &p.ctx, id).await?;
            let p = &v.project;
            let mut page = blank(
                p.subject.clone(),
                p.number.clone(),
                p.status.as_str(),
                project_facts(p),
                p.description.clone(),
                Thread::new("Comments", &v.comments, action(can_comment), false),
            );
            page.milestones = v.milestones;
            page.progress = Some(p.progress);
            page.tasks = task_rows(&v.tasks, "/tasks", false);
            page
        }
        WorkKind::Task => {
            let (t, c) = work::portal_find::<Task>(&p.s.app, &p.ctx, id).await?;
            let mut page = blank(
                t.subject.clone(),
                t.number.clone(),
                t.status.as_str(),
                task_facts(&t),
                t.description.clone(),
                Thread::new("Comments", &c, action(can_comment), false),
            );
            if t.assignee_id.as_deref() == Some(p.ctx.user.id.as_str())
                && t.status != TaskStatus::Done
            {
                page.complete = Some(t.id.clone());
            }
            page
        }
    };
    // Every arm found the record through the policy just above.
    page.files = crate::ui::file_views::views(
        &courtyard_app::files::portal_files(&p.s.app, kind.as_str(), id).await?,
    );
    page.thread.attach(&page.files);
    // A closed ticket takes no more files.
    let closed = kind == WorkKind::Ticket && page.status == "closed";
    page.upload = (!closed && p.ctx.grants.allows(kind.module(), Action::Upload))
        .then(|| format!("{base}/{id}/files"));
    Ok(page)
}

pub(crate) async fn portal_find<K: Marker>(
    p: PortalPage,
    Path(id): Path<String>,
    RawQuery(raw): RawQuery,
) -> WebResult<Response> {
    let mut page = portal_page(&p, work_kind::<K>(), &id).await?;
    let done = raw.as_deref().and_then(|q| q.strip_prefix("done="));
    page.layout = page.layout.with_notice(notice(done));
    render(&page)
}

pub(crate) async fn portal_comment<K: Marker>(
    p: PortalPage,
    Path(id): Path<String>,
    Form(form): Form<CommentFields>,
) -> WebResult<Response> {
    let kind = work_kind::<K>();
    match work::portal_comment(&p.s.app, &p.ctx, kind, &id, &form.body).await {
        Ok(()) => Ok(Redirect::to(&format!(
            "{}/{id}?done=commented#comments",
            portal_base(kind)
        ))
        .into_response()),
        Err(AppError::Invalid(e)) => {
            let mut page = portal_page(&p, kind, &id).await?;
            page.thread.error = e.first().map(|e| e.message.clone());
            page.thread.draft = form.body;
            render(&page).map(unprocessable)
        }
        Err(AppError::Conflict(msg)) => {
            let mut page = portal_page(&p, kind, &id).await?;
            page.error = Some(msg);
            let mut r = render(&page)?;
            *r.status_mut() = axum::http::StatusCode::CONFLICT;
            Ok(r)
        }
        Err(e) => Err(e.into()),
    }
}

pub(crate) async fn portal_complete_task(
    p: PortalPage,
    Path(id): Path<String>,
) -> WebResult<Response> {
    match work::complete_task(&p.s.app, &p.ctx, &id).await {
        Ok(()) => Ok(Redirect::to(&format!("/tasks/{id}?done=completed")).into_response()),
        Err(AppError::Conflict(msg)) => {
            let mut page = portal_page(&p, WorkKind::Task, &id).await?;
            page.error = Some(msg);
            let mut r = render(&page)?;
            *r.status_mut() = axum::http::StatusCode::CONFLICT;
            Ok(r)
        }
        Err(e) => Err(e.into()),
    }
}

/// The customer's "request a job" and "open a ticket" forms as the browser
/// sends them (each kind reads its own fields).
#[derive(Debug, Clone, Default, serde::Deserialize)]
#[serde(default)]
pub(crate) struct RequestFields {
    subject: String,
    description: String,
    // A job.
    site_address: String,
    preferred_on: String,
    // A ticket.
    priority: String,
    message: String,
}

/// The customer's "request a job" and "open a ticket" forms.
#[derive(Template)]
#[template(path = "work/new.html")]
pub(super) struct NewPage {
    layout: Layout,
    kind: &'static str,
    form: RequestFields,
    errors: Errors,
    priorities: &'static [TicketPriority],
}

pub(super) fn new_page(
    p: &PortalPage,
    kind: WorkKind,
    form: RequestFields,
    errors: Errors,
) -> NewPage {
    let (title, base) = match kind {
        WorkKind::Job => ("Request a job", "/jobs"),
        _ => ("Open a ticket", "/tickets"),
    };
    NewPage {
        layout: Layout::portal(
            title,
            &p.s.app.config.business_name,
            &p.csrf.0,
            &p.ctx,
            base,
        ),
        kind: kind.as_str(),
        form,
        errors,
        priorities: TicketPriority::ALL,
    }
}

pub(crate) async fn new_form<K: Marker>(p: PortalPage) -> WebResult<Response> {
    let kind = work_kind::<K>();
    courtyard_app::records::scope(&p.ctx, kind.module())?;
    courtyard_app::records::require(&p.ctx, kind.module(), Action::Create)?;
    render(&new_page(
        &p,
        kind,
        RequestFields {
            priority: TicketPriority::Normal.as_str().into(),
            ..RequestFields::default()
        },
        Errors::default(),
    ))
}

pub(crate) async fn create<K: Marker>(
    p: PortalPage,
    Form(form): Form<RequestFields>,
) -> WebResult<Response> {
    let kind = work_kind::<K>();
    let r = match kind {
        WorkKind::Job => {
            work::request_job(
                &p.s.app,
                &p.ctx,
                &form.subject,
                &form.site_address,
                &form.preferred_on,
                &form.description,
            )
            .await
        }
        _ => {
            work::open_ticket(
                &p.s.app,
                &p.ctx,
                &form.subject,
                &form.priority,
                &form.message,
            )
            .await
        }
    };
    saved_or_again(
        r,
        |id| format!("{}/{id}?done=requested", portal_base(kind)),
        async |e| Ok(new_page(&p, kind, form, e)),
    )
    .await
}
