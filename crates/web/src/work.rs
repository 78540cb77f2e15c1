//! Jobs, tickets, projects and tasks: portal modules and staff pages.

use askama::Template;
use axum::extract::{Path, RawQuery, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::Extension;
use courtyard_app::auth::{PortalContext, StaffContext};
use courtyard_app::customers;
use courtyard_app::db::listing::ListSpec;
use courtyard_app::db::portal_users::PortalUser;
use courtyard_app::db::records::Comment;
use courtyard_app::db::work::{
    Job, Milestone, Project, Task, Ticket, JOB_SPEC, PROJECT_SPEC, TASK_SPEC, TICKET_SPEC,
};
use courtyard_app::domain::records::{
    job_statuses, project_statuses, task_statuses, ticket_statuses, TicketPriority,
};
use courtyard_app::domain::{Action, Module};
use courtyard_app::work::{self, JobForm, ProjectForm, TaskForm, TicketForm, WorkKind};
use courtyard_app::AppError;

use crate::csrf::CsrfToken;
use crate::error::WebResult;
use crate::forms::{Errors, FormPairs};
use crate::layout::{notice, when, Layout};
use crate::records::{
    self, cell, csv_response, date_cell, num, paginate, Filters, ListPage, ListRow, ListSetup,
    Thread, Why, PAGE,
};
use crate::render::{render, unprocessable};
use crate::sales::{company_users, contact_choices};
use crate::session::{Portal, Staff};
use crate::state::AppState;

fn label_of(pairs: &[(&'static str, &'static str)], key: &str) -> String {
    pairs
        .iter()
        .find(|(k, _)| *k == key)
        .map_or("Unknown", |(_, l)| l)
        .to_owned()
}

fn portal_base(kind: WorkKind) -> &'static str {
    kind.module().portal_path()
}

fn staff_base(kind: WorkKind) -> &'static str {
    match kind {
        WorkKind::Job => "/staff/jobs",
        WorkKind::Ticket => "/staff/tickets",
        WorkKind::Project => "/staff/projects",
        WorkKind::Task => "/staff/tasks",
    }
}

fn spec(kind: WorkKind) -> &'static ListSpec {
    match kind {
        WorkKind::Job => &JOB_SPEC,
        WorkKind::Ticket => &TICKET_SPEC,
        WorkKind::Project => &PROJECT_SPEC,
        WorkKind::Task => &TASK_SPEC,
    }
}

fn statuses(kind: WorkKind) -> Vec<(&'static str, &'static str)> {
    match kind {
        WorkKind::Job => job_statuses(),
        WorkKind::Ticket => ticket_statuses(),
        WorkKind::Project => project_statuses(),
        WorkKind::Task => task_statuses(),
    }
}

fn row(
    kind: WorkKind,
    base: &str,
    id: &str,
    number: &str,
    status: &str,
    cells: Vec<records::Cell>,
) -> ListRow {
    ListRow {
        href: format!("{base}/{id}"),
        number: number.to_owned(),
        cells,
        status: status.to_owned(),
        status_label: label_of(&statuses(kind), status),
    }
}

fn job_rows(list: &[Job], base: &str, staff: bool) -> Vec<ListRow> {
    list.iter()
        .map(|j| {
            let mut cells = vec![];
            if staff {
                cells.push(cell("Company", j.company_name.clone()));
            }
            cells.extend([
                cell("Job", j.subject.clone()),
                cell("Site", j.site_address.clone()),
                date_cell("Requested", j.requested_on.clone()),
                date_cell(
                    "Scheduled",
                    j.scheduled_on.clone().unwrap_or_else(|| "Not yet".into()),
                ),
            ]);
            row(WorkKind::Job, base, &j.id, &j.number, &j.status, cells)
        })
        .collect()
}

fn ticket_rows(list: &[Ticket], base: &str, staff: bool) -> Vec<ListRow> {
    list.iter()
        .map(|t| {
            let mut cells = vec![];
            if staff {
                cells.push(cell("Company", t.company_name.clone()));
            }
            cells.extend([
                cell("Subject", t.subject.clone()),
                cell(
                    "Priority",
                    TicketPriority::parse(&t.priority).map_or("", |p| p.label()),
                ),
                date_cell("Opened", t.opened_on.clone()),
                date_cell("Last activity", when(t.last_activity_at)),
            ]);
            row(WorkKind::Ticket, base, &t.id, &t.number, &t.status, cells)
        })
        .collect()
}

fn project_rows(list: &[Project], base: &str, staff: bool) -> Vec<ListRow> {
    list.iter()
        .map(|p| {
            let mut cells = vec![];
            if staff {
                cells.push(cell("Company", p.company_name.clone()));
                cells.push(cell(
                    "Portal",
                    if p.show_on_portal == 1 {
                        "Shown"
                    } else {
                        "Hidden"
                    },
                ));
            }
            cells.extend([
                cell("Project", p.subject.clone()),
                num("Progress", format!("{}%", p.progress)),
                date_cell("Start", p.start_on.clone()),
                date_cell("End", p.end_on.clone().unwrap_or_default()),
            ]);
            row(WorkKind::Project, base, &p.id, &p.number, &p.status, cells)
        })
        .collect()
}

fn task_rows(list: &[Task], base: &str, staff: bool) -> Vec<ListRow> {
    list.iter()
        .map(|t| {
            let mut cells = vec![];
            if staff {
                cells.push(cell("Company", t.company_name.clone()));
            }
            cells.extend([
                cell("Task", t.subject.clone()),
                cell("Project", t.project_name.clone()),
                cell(
                    "Assigned to",
                    t.assignee_name.clone().unwrap_or_else(|| "Nobody".into()),
                ),
                date_cell("Due", t.due_on.clone().unwrap_or_default()),
            ]);
            row(WorkKind::Task, base, &t.id, &t.number, &t.status, cells)
        })
        .collect()
}

fn headers(kind: WorkKind, staff: bool) -> Vec<(&'static str, &'static str)> {
    let mut h = vec![];
    if staff {
        h.push(("Company", ""));
    }
    h.extend(match kind {
        WorkKind::Job => vec![
            ("Job", ""),
            ("Site", ""),
            ("Requested", ""),
            ("Scheduled", ""),
        ],
        WorkKind::Ticket => vec![
            ("Subject", ""),
            ("Priority", ""),
            ("Opened", ""),
            ("Last activity", ""),
        ],
        WorkKind::Project => {
            let mut v = vec![];
            if staff {
                v.push(("Portal", ""));
            }
            v.extend([
                ("Project", ""),
                ("Progress", "num"),
                ("Start", ""),
                ("End", ""),
            ]);
            v
        }
        WorkKind::Task => vec![
            ("Task", ""),
            ("Project", ""),
            ("Assigned to", ""),
            ("Due", ""),
        ],
    });
    h
}

fn table_id(kind: WorkKind) -> &'static str {
    match kind {
        WorkKind::Job => "jobs",
        WorkKind::Ticket => "tickets",
        WorkKind::Project => "projects",
        WorkKind::Task => "tasks",
    }
}

/// A kind as a type, so one generic handler serves each kind's routes.
pub(crate) trait Kind: Send + Sync + 'static {
    const KIND: WorkKind;
}
pub(crate) struct Jobs;
pub(crate) struct Tickets;
pub(crate) struct Projects;
pub(crate) struct Tasks;
impl Kind for Jobs {
    const KIND: WorkKind = WorkKind::Job;
}
impl Kind for Tickets {
    const KIND: WorkKind = WorkKind::Ticket;
}
impl Kind for Projects {
    const KIND: WorkKind = WorkKind::Project;
}
impl Kind for Tasks {
    const KIND: WorkKind = WorkKind::Task;
}

/// One page of a kind's list, as rows; with a portal context, scoped.
async fn list_rows(
    s: &AppState,
    kind: WorkKind,
    ctx: Option<&PortalContext>,
    f: &Filters,
    base: &str,
    limit: Option<i64>,
) -> WebResult<(Vec<ListRow>, Option<String>, String)> {
    let q = f.query(limit);
    let staff = ctx.is_none();
    let sp = spec(kind);
    macro_rules! go {
        ($portal:path, $staff:path, $rows:ident, $csv:path) => {{
            let list = match ctx {
                Some(c) => $portal(&s.app, c, &q).await?,
                None => $staff(&s.app, &q).await?,
            };
            if limit.is_none() {
                return Ok((vec![], None, $csv(&list)));
            }
            let (list, next) = paginate(list, f, sp, base);
            ($rows(&list, base, staff), next)
        }};
    }
    let (rows, next) = match kind {
        WorkKind::Job => go!(
            work::portal_list::<Job>,
            work::staff_list::<Job>,
            job_rows,
            work::jobs_csv
        ),
        WorkKind::Ticket => go!(
            work::portal_list::<Ticket>,
            work::staff_list::<Ticket>,
            ticket_rows,
            work::tickets_csv
        ),
        WorkKind::Project => go!(
            work::portal_list::<Project>,
            work::staff_list::<Project>,
            project_rows,
            work::projects_csv
        ),
        WorkKind::Task => go!(
            work::portal_list::<Task>,
            work::staff_list::<Task>,
            task_rows,
            work::tasks_csv
        ),
    };
    Ok((rows, next, String::new()))
}

pub(crate) async fn portal_list<K: Kind>(
    State(s): State<AppState>,
    Extension(csrf): Extension<CsrfToken>,
    Portal(ctx): Portal,
    RawQuery(raw): RawQuery,
) -> WebResult<Response> {
    let kind = K::KIND;
    let sts = statuses(kind);
    let f = Filters::parse(raw, spec(kind), &sts);
    let base = portal_base(kind);
    let (rows, next, _) = list_rows(&s, kind, Some(&ctx), &f, base, Some(PAGE + 1)).await?;
    let create = match kind {
        WorkKind::Job if ctx.grants.allows(Module::Jobs, Action::Create) => {
            Some(("Request a job".to_owned(), "/jobs/request".to_owned()))
        }
        WorkKind::Ticket if ctx.grants.allows(Module::Tickets, Action::Create) => {
            Some(("Open a ticket".to_owned(), "/tickets/new".to_owned()))
        }
        _ => None,
    };
    let m = kind.module();
    render(&ListPage::new(
        ListSetup {
            layout: Layout::portal(m.label(), &s.app.config.business_name, &csrf.0, &ctx, base)
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

pub(crate) async fn portal_export<K: Kind>(
    State(s): State<AppState>,
    Portal(ctx): Portal,
    RawQuery(raw): RawQuery,
) -> WebResult<Response> {
    let kind = K::KIND;
    let mut f = Filters::parse(raw, spec(kind), &statuses(kind));
    f.after.clear();
    let (_, _, csv) = list_rows(&s, kind, Some(&ctx), &f, portal_base(kind), None).await?;
    Ok(csv_response(csv, &format!("{}.csv", table_id(kind))))
}

/// Facts shown at the top of a record page: (label, value).
type Facts = Vec<(&'static str, String)>;

#[derive(Template)]
#[template(path = "work/detail.html")]
struct DetailPage {
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
    files: Vec<crate::file_views::FileView>,
    upload: Option<String>,
    /// The message typed with a refused upload, shown again.
    upload_note: String,
}

/// A ticket page re-shown with an upload's refusal (422).
/// A record's portal page again, with an error at the top (a refused file).
pub(crate) async fn page_with_error(
    s: &AppState,
    csrf: &CsrfToken,
    ctx: &PortalContext,
    kind: WorkKind,
    id: &str,
    msg: String,
    note: String,
) -> WebResult<Response> {
    let mut page = portal_page(s, csrf, ctx, kind, id).await?;
    page.upload_note = note;
    page.error = Some(msg);
    render(&page).map(unprocessable)
}

fn job_facts(j: &Job) -> Facts {
    vec![
        ("Site", j.site_address.clone()),
        ("Requested", j.requested_on.clone()),
        (
            "Scheduled",
            j.scheduled_on
                .clone()
                .unwrap_or_else(|| "Not scheduled yet".into()),
        ),
        ("Contact", j.contact_name.clone().unwrap_or_default()),
    ]
}

fn ticket_facts(t: &Ticket) -> Facts {
    vec![
        (
            "Priority",
            TicketPriority::parse(&t.priority)
                .map_or("", |p| p.label())
                .to_owned(),
        ),
        ("Opened", t.opened_on.clone()),
        ("Opened by", t.contact_name.clone().unwrap_or_default()),
        ("Last activity", when(t.last_activity_at)),
    ]
}

fn project_facts(p: &Project) -> Facts {
    vec![
        ("Start", p.start_on.clone()),
        ("End", p.end_on.clone().unwrap_or_default()),
        ("Progress", format!("{}%", p.progress)),
    ]
}

fn task_facts(t: &Task) -> Facts {
    vec![
        ("Project", t.project_name.clone()),
        (
            "Assigned to",
            t.assignee_name.clone().unwrap_or_else(|| "Nobody".into()),
        ),
        ("Due", t.due_on.clone().unwrap_or_default()),
        ("Completed", t.completed_at.map(when).unwrap_or_default()),
    ]
}

async fn portal_page(
    s: &AppState,
    csrf: &CsrfToken,
    ctx: &PortalContext,
    kind: WorkKind,
    id: &str,
) -> WebResult<DetailPage> {
    let base = portal_base(kind);
    let can_comment = ctx.grants.allows(kind.module(), Action::Comment);
    let action = |b: bool| b.then(|| format!("{base}/{id}/comments"));
    let layout =
        |title: &str| Layout::portal(title, &s.app.config.business_name, &csrf.0, ctx, base);
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
            let (j, c) = work::portal_find::<Job>(&s.app, ctx, id).await?;
            let facts = job_facts(&j);
            blank(
                j.subject.clone(),
                j.number.clone(),
                &j.status,
                facts,
                j.description.clone(),
                Thread::new("Messages", &c, action(can_comment), false),
            )
        }
        WorkKind::Ticket => {
            let (t, c) = work::portal_find::<Ticket>(&s.app, ctx, id).await?;
            let facts = ticket_facts(&t);
            let open = t.status != "closed";
            let mut thread = Thread::new("Conversation", &c, action(can_comment && open), false);
            thread.button = "Send reply";
            blank(
                t.subject.clone(),
                t.number.clone(),
                &t.status,
                facts,
                String::new(),
                thread,
            )
        }
        WorkKind::Project => {
            let v = work::portal_find_project(&s.app, ctx, id).await?;
            let p = &v.project;
            let mut page = blank(
                p.subject.clone(),
                p.number.clone(),
                &p.status,
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
            let (t, c) = work::portal_find::<Task>(&s.app, ctx, id).await?;
            let mut page = blank(
                t.subject.clone(),
                t.number.clone(),
                &t.status,
                task_facts(&t),
                t.description.clone(),
                Thread::new("Comments", &c, action(can_comment), false),
            );
            if t.assignee_id.as_deref() == Some(ctx.user.id.as_str()) && t.status != "done" {
                page.complete = Some(t.id.clone());
            }
            page
        }
    };
    // Every arm found the record through the policy just above.
    page.files = crate::file_views::views(
        &courtyard_app::files::portal_files(&s.app, kind.as_str(), id).await?,
    );
    page.thread.attach(&page.files);
    // A closed ticket takes no more files.
    let closed = kind == WorkKind::Ticket && page.status == "closed";
    page.upload = (!closed && ctx.grants.allows(kind.module(), Action::Upload))
        .then(|| format!("{base}/{id}/files"));
    Ok(page)
}

pub(crate) async fn portal_find<K: Kind>(
    State(s): State<AppState>,
    Extension(csrf): Extension<CsrfToken>,
    Portal(ctx): Portal,
    Path(id): Path<String>,
    RawQuery(raw): RawQuery,
) -> WebResult<Response> {
    let mut page = portal_page(&s, &csrf, &ctx, K::KIND, &id).await?;
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
    match work::portal_comment(&s.app, &ctx, kind, &id, &form.get("body")).await {
        Ok(()) => Ok(Redirect::to(&format!(
            "{}/{id}?done=commented#comments",
            portal_base(kind)
        ))
        .into_response()),
        Err(AppError::Invalid(e)) => {
            let mut page = portal_page(&s, &csrf, &ctx, kind, &id).await?;
            page.thread.error = e.first().map(|e| e.message.clone());
            page.thread.draft = form.get("body");
            render(&page).map(unprocessable)
        }
        Err(AppError::Conflict(msg)) => {
            let mut page = portal_page(&s, &csrf, &ctx, kind, &id).await?;
            page.error = Some(msg);
            let mut r = render(&page)?;
            *r.status_mut() = axum::http::StatusCode::CONFLICT;
            Ok(r)
        }
        Err(e) => Err(e.into()),
    }
}

pub(crate) async fn portal_complete_task(
    State(s): State<AppState>,
    Extension(csrf): Extension<CsrfToken>,
    Portal(ctx): Portal,
    Path(id): Path<String>,
) -> WebResult<Response> {
    match work::complete_task(&s.app, &ctx, &id).await {
        Ok(()) => Ok(Redirect::to(&format!("/tasks/{id}?done=completed")).into_response()),
        Err(AppError::Conflict(msg)) => {
            let mut page = portal_page(&s, &csrf, &ctx, WorkKind::Task, &id).await?;
            page.error = Some(msg);
            let mut r = render(&page)?;
            *r.status_mut() = axum::http::StatusCode::CONFLICT;
            Ok(r)
        }
        Err(e) => Err(e.into()),
    }
}

/// The customer's "request a job" and "open a ticket" forms.
#[derive(Template)]
#[template(path = "work/new.html")]
struct NewPage {
    layout: Layout,
    kind: &'static str,
    form: FormPairs,
    errors: Errors,
    priorities: &'static [TicketPriority],
}

fn new_page(
    s: &AppState,
    csrf: &CsrfToken,
    ctx: &PortalContext,
    kind: WorkKind,
    form: FormPairs,
    errors: Errors,
) -> NewPage {
    let (title, base) = match kind {
        WorkKind::Job => ("Request a job", "/jobs"),
        _ => ("Open a ticket", "/tickets"),
    };
    NewPage {
        layout: Layout::portal(title, &s.app.config.business_name, &csrf.0, ctx, base),
        kind: kind.as_str(),
        form,
        errors,
        priorities: TicketPriority::ALL,
    }
}

pub(crate) async fn new_form<K: Kind>(
    State(s): State<AppState>,
    Extension(csrf): Extension<CsrfToken>,
    Portal(ctx): Portal,
) -> WebResult<Response> {
    let kind = K::KIND;
    courtyard_app::records::scope(&ctx, kind.module())?;
    courtyard_app::records::require(&ctx, kind.module(), Action::Create)?;
    render(&new_page(
        &s,
        &csrf,
        &ctx,
        kind,
        FormPairs(vec![("priority".into(), "normal".into())]),
        Errors::default(),
    ))
}

pub(crate) async fn create<K: Kind>(
    State(s): State<AppState>,
    Extension(csrf): Extension<CsrfToken>,
    Portal(ctx): Portal,
    form: FormPairs,
) -> WebResult<Response> {
    let kind = K::KIND;
    let r = match kind {
        WorkKind::Job => {
            work::request_job(
                &s.app,
                &ctx,
                &form.get("subject"),
                &form.get("site_address"),
                &form.get("preferred_on"),
                &form.get("description"),
            )
            .await
        }
        _ => {
            work::open_ticket(
                &s.app,
                &ctx,
                &form.get("subject"),
                &form.get("priority"),
                &form.get("message"),
            )
            .await
        }
    };
    match r {
        Ok(id) => {
            Ok(Redirect::to(&format!("{}/{id}?done=requested", portal_base(kind))).into_response())
        }
        Err(AppError::Invalid(e)) => {
            render(&new_page(&s, &csrf, &ctx, kind, form, Errors(e))).map(unprocessable)
        }
        Err(e) => Err(e.into()),
    }
}

// ---- staff ----

pub(crate) async fn staff_list<K: Kind>(
    State(s): State<AppState>,
    Extension(csrf): Extension<CsrfToken>,
    Staff(ctx): Staff,
    RawQuery(raw): RawQuery,
) -> WebResult<Response> {
    let kind = K::KIND;
    let sts = statuses(kind);
    let f = Filters::parse(raw, spec(kind), &sts);
    let base = staff_base(kind);
    let (rows, next, _) = list_rows(&s, kind, None, &f, base, Some(PAGE + 1)).await?;
    let m = kind.module();
    render(&ListPage::new(
        ListSetup {
            layout: Layout::staff(m.label(), &s.app.config.business_name, &csrf.0, &ctx, base)
                .with_notice(notice(f.done.as_deref())),
            heading: m.label(),
            intro: "",
            table_id: table_id(kind),
            base,
            staff: true,
            create: (kind != WorkKind::Task)
                .then(|| (format!("New {}", kind.as_str()), format!("{base}/new"))),
            spec: spec(kind),
            statuses: &sts,
            headers: headers(kind, true),
            companies: customers::company_names(&s.app).await?,
            empty_text: if kind == WorkKind::Task {
                "Add tasks from a project's page."
            } else {
                "Create one for a customer."
            },
        },
        f,
        rows,
        next,
    ))
}

/// The staff page of a job, ticket, project or task: summary, edit form,
/// comments and the "can this person see it?" panel.
#[derive(Template)]
#[template(path = "work/staff.html")]
struct StaffPage {
    layout: Layout,
    kind: &'static str,
    base: &'static str,
    plural: &'static str,
    id: Option<String>,
    title: String,
    /// Every field's current text by name.
    form: FormPairs,
    errors: Errors,
    statuses: Vec<(&'static str, &'static str)>,
    priorities: &'static [TicketPriority],
    companies: Vec<(String, String)>,
    contacts: Vec<(String, String, String)>,
    staff_members: Vec<(String, String)>,
    /// Project members to choose from / task assignees.
    people: Vec<PortalUser>,
    members: Vec<String>,
    milestones: Vec<(String, String, bool)>,
    tasks: Vec<ListRow>,
    thread: Option<Thread>,
    why: Why,
    files: Vec<crate::file_views::FileView>,
    files_action: String,
}

impl StaffPage {
    fn v(&self, key: &str) -> String {
        self.form.get(key)
    }
    fn is_member(&self, id: &str) -> bool {
        self.members.iter().any(|m| m == id)
    }
    /// The milestones and two empty rows, numbered for the "done" boxes.
    fn milestone_rows(&self) -> Vec<(usize, String, String, bool)> {
        let mut v = self.milestones.clone();
        v.extend((0..2).map(|_| (String::new(), String::new(), false)));
        v.into_iter()
            .enumerate()
            .map(|(i, (t, d, done))| (i, t, d, done))
            .collect()
    }
}

fn pairs(items: &[(&str, String)]) -> FormPairs {
    FormPairs(
        items
            .iter()
            .map(|(k, v)| (k.to_string(), v.clone()))
            .collect(),
    )
}

fn job_pairs(f: &JobForm) -> FormPairs {
    pairs(&[
        ("version", f.version.clone()),
        ("company_id", f.company_id.clone()),
        ("contact_id", f.contact_id.clone()),
        ("owner_staff_id", f.owner_staff_id.clone()),
        ("subject", f.subject.clone()),
        ("status", f.status.clone()),
        ("site_address", f.site_address.clone()),
        ("requested_on", f.requested_on.clone()),
        ("scheduled_on", f.scheduled_on.clone()),
        ("description", f.description.clone()),
    ])
}

fn ticket_pairs(f: &TicketForm) -> FormPairs {
    pairs(&[
        ("version", f.version.clone()),
        ("company_id", f.company_id.clone()),
        ("contact_id", f.contact_id.clone()),
        ("owner_staff_id", f.owner_staff_id.clone()),
        ("subject", f.subject.clone()),
        ("status", f.status.clone()),
        ("priority", f.priority.clone()),
        ("message", f.message.clone()),
    ])
}

fn project_pairs(f: &ProjectForm) -> FormPairs {
    pairs(&[
        ("version", f.version.clone()),
        ("company_id", f.company_id.clone()),
        ("contact_id", f.contact_id.clone()),
        ("owner_staff_id", f.owner_staff_id.clone()),
        ("subject", f.subject.clone()),
        ("status", f.status.clone()),
        ("progress", f.progress.clone()),
        ("start_on", f.start_on.clone()),
        ("end_on", f.end_on.clone()),
        (
            "show_on_portal",
            if f.show_on_portal { "1" } else { "" }.into(),
        ),
        (
            "show_documents",
            if f.show_documents { "1" } else { "" }.into(),
        ),
        ("description", f.description.clone()),
    ])
}

fn task_pairs(f: &TaskForm) -> FormPairs {
    pairs(&[
        ("version", f.version.clone()),
        ("project_id", f.project_id.clone()),
        ("owner_staff_id", f.owner_staff_id.clone()),
        ("subject", f.subject.clone()),
        ("status", f.status.clone()),
        ("due_on", f.due_on.clone()),
        ("description", f.description.clone()),
        ("assignee_id", f.assignee_id.clone()),
    ])
}

fn read_job(p: &FormPairs) -> JobForm {
    JobForm {
        version: p.get("version"),
        company_id: p.get("company_id"),
        contact_id: p.get("contact_id"),
        owner_staff_id: p.get("owner_staff_id"),
        subject: p.get("subject"),
        status: p.get("status"),
        site_address: p.get("site_address"),
        requested_on: p.get("requested_on"),
        scheduled_on: p.get("scheduled_on"),
        description: p.get("description"),
    }
}

fn read_ticket(p: &FormPairs) -> TicketForm {
    TicketForm {
        version: p.get("version"),
        company_id: p.get("company_id"),
        contact_id: p.get("contact_id"),
        owner_staff_id: p.get("owner_staff_id"),
        subject: p.get("subject"),
        status: p.get("status"),
        priority: p.get("priority"),
        message: p.get("message"),
    }
}

fn read_project(p: &FormPairs) -> ProjectForm {
    let titles = p.all("milestone_title");
    let dues = p.all("milestone_due");
    let done = p.all("milestone_done");
    ProjectForm {
        version: p.get("version"),
        company_id: p.get("company_id"),
        contact_id: p.get("contact_id"),
        owner_staff_id: p.get("owner_staff_id"),
        subject: p.get("subject"),
        status: p.get("status"),
        progress: p.get("progress"),
        start_on: p.get("start_on"),
        end_on: p.get("end_on"),
        show_on_portal: p.get("show_on_portal") == "1",
        show_documents: p.get("show_documents") == "1",
        description: p.get("description"),
        members: p.all("members"),
        milestones: titles
            .iter()
            .enumerate()
            .map(|(i, t)| {
                (
                    t.clone(),
                    dues.get(i).cloned().unwrap_or_default(),
                    done.contains(&i.to_string()),
                )
            })
            .collect(),
    }
}

fn read_task(p: &FormPairs) -> TaskForm {
    TaskForm {
        version: p.get("version"),
        project_id: p.get("project_id"),
        owner_staff_id: p.get("owner_staff_id"),
        subject: p.get("subject"),
        status: p.get("status"),
        due_on: p.get("due_on"),
        description: p.get("description"),
        assignee_id: p.get("assignee_id"),
    }
}

async fn staff_page(
    s: &AppState,
    csrf: &CsrfToken,
    ctx: &StaffContext,
    kind: WorkKind,
    id: Option<String>,
    form: FormPairs,
    errors: Errors,
) -> WebResult<StaffPage> {
    let base = staff_base(kind);
    let title = match &id {
        Some(_) => String::new(),
        None => format!("New {}", kind.as_str()),
    };
    Ok(StaffPage {
        layout: Layout::staff(&title, &s.app.config.business_name, &csrf.0, ctx, base),
        kind: kind.as_str(),
        base,
        plural: kind.module().label(),
        id,
        title,
        form,
        errors,
        statuses: statuses(kind),
        priorities: TicketPriority::ALL,
        companies: customers::company_names(&s.app).await?,
        contacts: contact_choices(s).await?,
        staff_members: records::staff_names(s).await?,
        people: vec![],
        members: vec![],
        milestones: vec![],
        tasks: vec![],
        thread: None,
        why: Why::default(),
        files: vec![],
        files_action: String::new(),
    })
}

/// Fill the page of an existing record: title, form (unless re-shown with
/// the submitted one), comments, people to pick and the "why" panel.
async fn staff_show(
    s: &AppState,
    csrf: &CsrfToken,
    ctx: &StaffContext,
    kind: WorkKind,
    id: String,
    submitted: Option<(FormPairs, Errors)>,
    raw: Option<String>,
) -> WebResult<StaffPage> {
    let f = Filters::parse(raw, spec(kind), &[]);
    let (title, company_id, form, comments, extra): (
        String,
        String,
        FormPairs,
        Vec<Comment>,
        Option<work::ProjectView>,
    ) = match kind {
        WorkKind::Job => {
            let j = work::staff_find::<Job>(&s.app, &id).await?;
            let c = work::staff_comments(&s.app, kind, &id).await?;
            (
                format!("{} · {}", j.number, j.subject),
                j.company_id.clone(),
                job_pairs(&JobForm::from_job(&j)),
                c,
                None,
            )
        }
        WorkKind::Ticket => {
            let t = work::staff_find::<Ticket>(&s.app, &id).await?;
            let c = work::staff_comments(&s.app, kind, &id).await?;
            (
                format!("{} · {}", t.number, t.subject),
                t.company_id.clone(),
                ticket_pairs(&TicketForm::from_ticket(&t)),
                c,
                None,
            )
        }
        WorkKind::Project => {
            let v = work::staff_find_project(&s.app, &id).await?;
            let p = &v.project;
            let form = ProjectForm::from_project(p, v.members.clone(), &v.milestones);
            (
                format!("{} · {}", p.number, p.subject),
                p.company_id.clone(),
                project_pairs(&form),
                v.comments.clone(),
                Some(v),
            )
        }
        WorkKind::Task => {
            let t = work::staff_find::<Task>(&s.app, &id).await?;
            let c = work::staff_comments(&s.app, kind, &id).await?;
            let project = work::staff_find_project(&s.app, &t.project_id).await?;
            (
                format!("{} · {}", t.number, t.subject),
                t.company_id.clone(),
                task_pairs(&TaskForm::from_task(&t)),
                c,
                Some(project),
            )
        }
    };
    let (form, errors) = match submitted {
        // Changed meanwhile: show the person's edits with the latest
        // version, so saving again is a deliberate overwrite.
        Some((mut mine, errors)) if errors.get("version").is_some() => {
            // The latest version, and the status as it is now (a customer
            // may have just answered, completed or reopened it).
            mine.0.retain(|(k, _)| k != "version" && k != "status");
            mine.0.push(("version".into(), form.get("version")));
            mine.0.push(("status".into(), form.get("status")));
            (mine, errors)
        }
        Some(x) => x,
        None => (form, Errors::default()),
    };
    let mut page = staff_page(s, csrf, ctx, kind, Some(id.clone()), form, errors).await?;
    page.layout.title = title.clone();
    page.layout = page.layout.with_notice(notice(f.done.as_deref()));
    page.title = title;
    let users = company_users(s, &company_id).await?;
    if let Some(v) = extra {
        match kind {
            WorkKind::Project => {
                page.members = v.members.clone();
                page.milestones =
                    ProjectForm::from_project(&v.project, vec![], &v.milestones).milestones;
                page.tasks = task_rows(&v.tasks, "/staff/tasks", false);
                page.people = users.clone();
            }
            _ => {
                // A task's assignee is one of its project's members.
                page.people = users
                    .iter()
                    .filter(|u| v.members.contains(&u.id))
                    .cloned()
                    .collect();
            }
        }
    }
    let mut thread = Thread::new(
        if kind == WorkKind::Ticket {
            "Conversation"
        } else {
            "Comments"
        },
        &comments,
        Some(format!("{}/{id}/comments", staff_base(kind))),
        true,
    );
    if kind == WorkKind::Ticket {
        thread.button = "Send";
    }
    page.files = crate::file_views::views(
        &courtyard_app::files::staff_files(&s.app, kind.as_str(), &id).await?,
    );
    thread.attach(&page.files);
    page.thread = Some(thread);
    page.files_action = format!("{}/{id}/files", staff_base(kind));
    page.why.portal_users = users;
    if !f.as_user.is_empty() {
        page.why.explanation = Some(work::explain(&s.app, kind, &id, &f.as_user).await?);
        page.why.as_user = f.as_user;
    }
    Ok(page)
}

pub(crate) async fn staff_new_form<K: Kind>(
    State(s): State<AppState>,
    Extension(csrf): Extension<CsrfToken>,
    Staff(ctx): Staff,
    RawQuery(raw): RawQuery,
) -> WebResult<Response> {
    let kind = K::KIND;
    let q: Vec<(String, String)> = raw
        .as_deref()
        .map(|q| serde_urlencoded::from_str(q).unwrap_or_default())
        .unwrap_or_default();
    let get = |k: &str| {
        q.iter()
            .find(|(x, _)| x == k)
            .map(|(_, v)| v.clone())
            .unwrap_or_default()
    };
    let today = s.app.clock.today().to_string();
    let me = ctx.staff.id.clone();
    let form = match kind {
        WorkKind::Job => job_pairs(&JobForm {
            company_id: get("company_id"),
            owner_staff_id: me,
            status: "scheduled".into(),
            requested_on: today,
            ..Default::default()
        }),
        WorkKind::Ticket => ticket_pairs(&TicketForm {
            company_id: get("company_id"),
            owner_staff_id: me,
            status: "open".into(),
            priority: "normal".into(),
            ..Default::default()
        }),
        WorkKind::Project => project_pairs(&ProjectForm {
            company_id: get("company_id"),
            owner_staff_id: me,
            status: "planned".into(),
            progress: "0".into(),
            start_on: today,
            show_on_portal: true,
            ..Default::default()
        }),
        WorkKind::Task => task_pairs(&TaskForm {
            project_id: get("project_id"),
            owner_staff_id: me,
            status: "open".into(),
            ..Default::default()
        }),
    };
    let mut page = staff_page(&s, &csrf, &ctx, kind, None, form, Errors::default()).await?;
    if kind == WorkKind::Project && !get("company_id").is_empty() {
        // Members can be chosen at creation when the company is known.
        page.people = company_users(&s, &get("company_id"))
            .await
            .unwrap_or_default();
    }
    if kind == WorkKind::Task {
        let project = work::staff_find_project(&s.app, &get("project_id")).await?;
        let users = company_users(&s, &project.project.company_id).await?;
        page.people = users
            .into_iter()
            .filter(|u| project.members.contains(&u.id))
            .collect();
    }
    render(&page)
}

async fn save(
    s: &AppState,
    ctx: &StaffContext,
    kind: WorkKind,
    id: Option<&str>,
    form: &FormPairs,
) -> Result<String, AppError> {
    match (kind, id) {
        (WorkKind::Job, None) => work::create_job(&s.app, &read_job(form)).await,
        (WorkKind::Job, Some(id)) => work::update_job(&s.app, id, &read_job(form))
            .await
            .map(|_| id.to_owned()),
        (WorkKind::Ticket, None) => work::create_ticket(&s.app, ctx, &read_ticket(form)).await,
        (WorkKind::Ticket, Some(id)) => work::update_ticket(&s.app, id, &read_ticket(form))
            .await
            .map(|_| id.to_owned()),
        (WorkKind::Project, None) => work::create_project(&s.app, &read_project(form)).await,
        (WorkKind::Project, Some(id)) => work::update_project(&s.app, id, &read_project(form))
            .await
            .map(|_| id.to_owned()),
        (WorkKind::Task, None) => work::create_task(&s.app, &read_task(form)).await,
        (WorkKind::Task, Some(id)) => work::update_task(&s.app, id, &read_task(form))
            .await
            .map(|_| id.to_owned()),
    }
}

pub(crate) async fn staff_create<K: Kind>(
    State(s): State<AppState>,
    Extension(csrf): Extension<CsrfToken>,
    Staff(ctx): Staff,
    form: FormPairs,
) -> WebResult<Response> {
    let kind = K::KIND;
    match save(&s, &ctx, kind, None, &form).await {
        Ok(id) => {
            Ok(Redirect::to(&format!("{}/{id}?done=created", staff_base(kind))).into_response())
        }
        Err(AppError::Invalid(e)) => {
            let mut page = staff_page(&s, &csrf, &ctx, kind, None, form.clone(), Errors(e)).await?;
            if kind == WorkKind::Project {
                // Keep what was typed: members and milestones.
                let f = read_project(&form);
                page.people = company_users(&s, &f.company_id).await.unwrap_or_default();
                page.members = f.members;
                page.milestones = f.milestones;
            }
            if kind == WorkKind::Task {
                if let Ok(project) =
                    work::staff_find_project(&s.app, &page.form.get("project_id")).await
                {
                    let users = company_users(&s, &project.project.company_id).await?;
                    page.people = users
                        .into_iter()
                        .filter(|u| project.members.contains(&u.id))
                        .collect();
                }
            }
            render(&page).map(unprocessable)
        }
        Err(e) => Err(e.into()),
    }
}

pub(crate) async fn staff_find<K: Kind>(
    State(s): State<AppState>,
    Extension(csrf): Extension<CsrfToken>,
    Staff(ctx): Staff,
    Path(id): Path<String>,
    RawQuery(raw): RawQuery,
) -> WebResult<Response> {
    render(&staff_show(&s, &csrf, &ctx, K::KIND, id, None, raw).await?)
}

pub(crate) async fn staff_update<K: Kind>(
    State(s): State<AppState>,
    Extension(csrf): Extension<CsrfToken>,
    Staff(ctx): Staff,
    Path(id): Path<String>,
    form: FormPairs,
) -> WebResult<Response> {
    let kind = K::KIND;
    match save(&s, &ctx, kind, Some(&id), &form).await {
        Ok(_) => Ok(Redirect::to(&format!("{}/{id}?done=saved", staff_base(kind))).into_response()),
        Err(AppError::Conflict(msg)) => {
            let errors = Errors(vec![courtyard_app::domain::FieldError::new("version", msg)]);
            let mut page = staff_show(
                &s,
                &csrf,
                &ctx,
                kind,
                id,
                Some((form.clone(), errors)),
                None,
            )
            .await?;
            if kind == WorkKind::Project {
                // Keep the person's member and milestone edits too.
                let f = read_project(&form);
                page.members = f.members;
                page.milestones = f.milestones;
            }
            let mut r = render(&page)?;
            *r.status_mut() = axum::http::StatusCode::CONFLICT;
            Ok(r)
        }
        Err(AppError::Invalid(e)) => {
            let mut page = staff_show(
                &s,
                &csrf,
                &ctx,
                kind,
                id,
                Some((form.clone(), Errors(e))),
                None,
            )
            .await?;
            if kind == WorkKind::Project {
                let f = read_project(&form);
                page.members = f.members;
                page.milestones = f.milestones;
            }
            render(&page).map(unprocessable)
        }
        Err(e) => Err(e.into()),
    }
}

pub(crate) async fn staff_comment<K: Kind>(
    State(s): State<AppState>,
    Extension(csrf): Extension<CsrfToken>,
    Staff(ctx): Staff,
    Path(id): Path<String>,
    form: FormPairs,
) -> WebResult<Response> {
    let kind = K::KIND;
    let internal = form.get("internal") == "1";
    match work::staff_comment(&s.app, &ctx, kind, &id, &form.get("body"), internal).await {
        Ok(()) => Ok(Redirect::to(&format!(
            "{}/{id}?done=commented#comments",
            staff_base(kind)
        ))
        .into_response()),
        Err(AppError::Invalid(e)) => {
            let mut page = staff_show(&s, &csrf, &ctx, kind, id, None, None).await?;
            if let Some(t) = page.thread.as_mut() {
                t.error = e.first().map(|e| e.message.clone());
                t.draft = form.get("body");
                t.internal = internal;
            }
            render(&page).map(unprocessable)
        }
        Err(e) => Err(e.into()),
    }
}
