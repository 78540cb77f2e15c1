//! The staff pages of jobs, tickets, projects and tasks: lists, forms,
//! record pages, comments.

use super::picks::{company_users, contact_choices};
use super::work_forms::WorkFields;
use crate::kit::error::WebResult;
use crate::kit::forms::{Errors, Form};
use crate::kit::layout::{notice, Layout};
use crate::kit::page::StaffPage;
use crate::kit::render::{render, saved_or_again, unprocessable};
use crate::kit::state::AppState;
use crate::ui::records::{
    self, CommentFields, Filters, ListPage, ListRow, ListSetup, Thread, Why, PAGE,
};
use crate::ui::work::*;
use askama::Template;
use axum::extract::{Path, RawQuery};
use axum::response::{IntoResponse, Redirect, Response};
use courtyard_app::auth::PortalUser;
use courtyard_app::auth::StaffContext;
use courtyard_app::customers;
use courtyard_app::domain::records::TicketPriority;
use courtyard_app::domain::FieldCode;
use courtyard_app::domain::WorkKind;
use courtyard_app::records::Comment;
use courtyard_app::work::{self, JobForm, ProjectForm, TaskForm, TicketForm};
use courtyard_app::work::{Job, Task, Ticket};
use courtyard_app::AppError;

// ---- staff ----

pub(crate) async fn staff_list<K: Marker>(
    p: StaffPage,
    RawQuery(raw): RawQuery,
) -> WebResult<Response> {
    let kind = work_kind::<K>();
    let sts = staff_statuses(kind);
    let f = Filters::parse(raw, spec(kind), &sts);
    let base = staff_base(kind);
    let (rows, next, _) = list_rows(&p.s, kind, None, &f, base, Some(PAGE + 1)).await?;
    let m = kind.module();
    render(&ListPage::new(
        ListSetup {
            layout: p
                .layout(m.label(), base)
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
            companies: customers::company_names(&p.s.app).await?,
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
pub(super) struct WorkRecordPage {
    layout: Layout,
    kind: &'static str,
    base: &'static str,
    plural: &'static str,
    id: Option<String>,
    title: String,
    /// Every field's current text.
    form: WorkFields,
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
    files: Vec<crate::ui::file_views::FileView>,
    files_action: String,
}

impl WorkRecordPage {
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

pub(super) async fn staff_page(
    p: &StaffPage,
    kind: WorkKind,
    id: Option<String>,
    form: WorkFields,
    errors: Errors,
) -> WebResult<WorkRecordPage> {
    let base = staff_base(kind);
    let title = match &id {
        Some(_) => String::new(),
        None => format!("New {}", kind.as_str()),
    };
    Ok(WorkRecordPage {
        layout: Layout::staff(
            &title,
            &p.s.app.config.business_name,
            &p.csrf.0,
            &p.ctx,
            base,
        ),
        kind: kind.as_str(),
        base,
        plural: kind.module().label(),
        id,
        title,
        form,
        errors,
        statuses: staff_statuses(kind),
        priorities: TicketPriority::ALL,
        companies: customers::company_names(&p.s.app).await?,
        contacts: contact_choices(&p.s).await?,
        staff_members: records::staff_names(&p.s).await?,
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
pub(super) async fn staff_show(
    p: &StaffPage,
    kind: WorkKind,
    id: String,
    submitted: Option<(WorkFields, Errors)>,
    raw: Option<String>,
) -> WebResult<WorkRecordPage> {
    let f = Filters::parse(raw, spec(kind), &[]);
    let (title, company_id, form, comments, extra): (
        String,
        String,
        WorkFields,
        Vec<Comment>,
        Option<work::ProjectView>,
    ) = match kind {
        WorkKind::Job => {
            let j = work::staff_find::<Job>(&p.s.app, &id).await?;
            let c = work::staff_comments(&p.s.app, kind, &id).await?;
            (
                format!("{} · {}", j.number, j.subject),
                j.company_id.clone(),
                WorkFields::from(&JobForm::from_job(&j)),
                c,
                None,
            )
        }
        WorkKind::Ticket => {
            let t = work::staff_find::<Ticket>(&p.s.app, &id).await?;
            let c = work::staff_comments(&p.s.app, kind, &id).await?;
            (
                format!("{} · {}", t.number, t.subject),
                t.company_id.clone(),
                WorkFields::from(&TicketForm::from_ticket(&t)),
                c,
                None,
            )
        }
        WorkKind::Project => {
            let v = work::staff_find_project(&p.s.app, &id).await?;
            let p = &v.project;
            let form = ProjectForm::from_project(p, v.members.clone(), &v.milestones);
            (
                format!("{} · {}", p.number, p.subject),
                p.company_id.clone(),
                WorkFields::from(&form),
                v.comments.clone(),
                Some(v),
            )
        }
        WorkKind::Task => {
            let t = work::staff_find::<Task>(&p.s.app, &id).await?;
            let c = work::staff_comments(&p.s.app, kind, &id).await?;
            let project = work::staff_find_project(&p.s.app, &t.project_id).await?;
            (
                format!("{} · {}", t.number, t.subject),
                t.company_id.clone(),
                WorkFields::from(&TaskForm::from_task(&t)),
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
            mine.version = form.version;
            mine.status = form.status;
            (mine, errors)
        }
        Some(x) => x,
        None => (form, Errors::default()),
    };
    let mut page = staff_page(p, kind, Some(id.clone()), form, errors).await?;
    page.layout.title = title.clone();
    page.layout = page.layout.with_notice(notice(f.done.as_deref()));
    page.title = title;
    let users = company_users(&p.s, &company_id).await?;
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
    page.files = crate::ui::file_views::views(
        &courtyard_app::files::staff_files(&p.s.app, kind.as_str(), &id).await?,
    );
    thread.attach(&page.files);
    page.thread = Some(thread);
    page.files_action = format!("{}/{id}/files", staff_base(kind));
    page.why.portal_users = users;
    if !f.as_user.is_empty() {
        page.why.explanation = Some(work::explain(&p.s.app, kind, &id, &f.as_user).await?);
        page.why.as_user = f.as_user;
    }
    Ok(page)
}

pub(crate) async fn staff_new_form<K: Marker>(
    p: StaffPage,
    RawQuery(raw): RawQuery,
) -> WebResult<Response> {
    let kind = work_kind::<K>();
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
    let today = p.s.app.clock.today().to_string();
    let me = p.ctx.staff.id.clone();
    let form = match kind {
        WorkKind::Job => WorkFields::from(&JobForm {
            company_id: get("company_id"),
            owner_staff_id: me,
            status: "scheduled".into(),
            requested_on: today,
            ..Default::default()
        }),
        WorkKind::Ticket => WorkFields::from(&TicketForm {
            company_id: get("company_id"),
            owner_staff_id: me,
            status: "open".into(),
            priority: "normal".into(),
            ..Default::default()
        }),
        WorkKind::Project => WorkFields::from(&ProjectForm {
            company_id: get("company_id"),
            owner_staff_id: me,
            status: "planned".into(),
            progress: "0".into(),
            start_on: today,
            show_on_portal: true,
            ..Default::default()
        }),
        WorkKind::Task => WorkFields::from(&TaskForm {
            project_id: get("project_id"),
            owner_staff_id: me,
            status: "open".into(),
            ..Default::default()
        }),
    };
    let mut page = staff_page(&p, kind, None, form, Errors::default()).await?;
    if kind == WorkKind::Project && !get("company_id").is_empty() {
        // Members can be chosen at creation when the company is known.
        page.people = company_users(&p.s, &get("company_id"))
            .await
            .unwrap_or_default();
    }
    if kind == WorkKind::Task {
        let project = work::staff_find_project(&p.s.app, &get("project_id")).await?;
        let users = company_users(&p.s, &project.project.company_id).await?;
        page.people = users
            .into_iter()
            .filter(|u| project.members.contains(&u.id))
            .collect();
    }
    render(&page)
}

pub(super) async fn save(
    s: &AppState,
    ctx: &StaffContext,
    kind: WorkKind,
    id: Option<&str>,
    form: &WorkFields,
) -> Result<String, AppError> {
    match (kind, id) {
        (WorkKind::Job, None) => work::create_job(&s.app, &form.job()).await,
        (WorkKind::Job, Some(id)) => work::update_job(&s.app, id, &form.job())
            .await
            .map(|_| id.to_owned()),
        (WorkKind::Ticket, None) => work::create_ticket(&s.app, ctx, &form.ticket()).await,
        (WorkKind::Ticket, Some(id)) => work::update_ticket(&s.app, id, &form.ticket())
            .await
            .map(|_| id.to_owned()),
        (WorkKind::Project, None) => work::create_project(&s.app, &form.project()).await,
        (WorkKind::Project, Some(id)) => work::update_project(&s.app, id, &form.project())
            .await
            .map(|_| id.to_owned()),
        (WorkKind::Task, None) => work::create_task(&s.app, &form.task()).await,
        (WorkKind::Task, Some(id)) => work::update_task(&s.app, id, &form.task())
            .await
            .map(|_| id.to_owned()),
    }
}

pub(crate) async fn staff_create<K: Marker>(
    p: StaffPage,
    Form(form): Form<WorkFields>,
) -> WebResult<Response> {
    let kind = work_kind::<K>();
    saved_or_again(
        save(&p.s, &p.ctx, kind, None, &form).await,
        |id| format!("{}/{id}?done=created", staff_base(kind)),
        async |e| {
            let mut page = staff_page(&p, kind, None, form.clone(), e).await?;
            if kind == WorkKind::Project {
                // Keep what was typed: members and milestones.
                let f = form.project();
                page.people = company_users(&p.s, &f.company_id).await.unwrap_or_default();
                page.members = f.members;
                page.milestones = f.milestones;
            }
            if kind == WorkKind::Task {
                if let Ok(project) = work::staff_find_project(&p.s.app, &page.form.project_id).await
                {
                    let users = company_users(&p.s, &project.project.company_id).await?;
                    page.people = users
                        .into_iter()
                        .filter(|u| project.members.contains(&u.id))
                        .collect();
                }
            }
            Ok(page)
        },
    )
    .await
}

pub(crate) async fn staff_find<K: Marker>(
    p: StaffPage,
    Path(id): Path<String>,
    RawQuery(raw): RawQuery,
) -> WebResult<Response> {
    render(&staff_show(&p, work_kind::<K>(), id, None, raw).await?)
}

pub(crate) async fn staff_update<K: Marker>(
    p: StaffPage,
    Path(id): Path<String>,
    Form(form): Form<WorkFields>,
) -> WebResult<Response> {
    let kind = work_kind::<K>();
    match save(&p.s, &p.ctx, kind, Some(&id), &form).await {
        Ok(_) => Ok(Redirect::to(&format!("{}/{id}?done=saved", staff_base(kind))).into_response()),
        Err(AppError::Conflict(msg)) => {
            let errors = Errors(vec![courtyard_app::domain::FieldError::new(
                "version",
                FieldCode::Changed,
                msg,
            )]);
            let mut page = staff_show(&p, kind, id, Some((form.clone(), errors)), None).await?;
            if kind == WorkKind::Project {
                // Keep the person's member and milestone edits too.
                let f = form.project();
                page.members = f.members;
                page.milestones = f.milestones;
            }
            let mut r = render(&page)?;
            *r.status_mut() = axum::http::StatusCode::CONFLICT;
            Ok(r)
        }
        Err(AppError::Invalid(e)) => {
            let mut page = staff_show(&p, kind, id, Some((form.clone(), Errors(e))), None).await?;
            if kind == WorkKind::Project {
                let f = form.project();
                page.members = f.members;
                page.milestones = f.milestones;
            }
            render(&page).map(unprocessable)
        }
        Err(e) => Err(e.into()),
    }
}

pub(crate) async fn staff_comment<K: Marker>(
    p: StaffPage,
    Path(id): Path<String>,
    Form(form): Form<CommentFields>,
) -> WebResult<Response> {
    let kind = work_kind::<K>();
    let internal = form.internal();
    saved_or_again(
        work::staff_comment(&p.s.app, &p.ctx, kind, &id, &form.body, internal).await,
        |()| format!("{}/{id}?done=commented#comments", staff_base(kind)),
        async |e| {
            let mut page = staff_show(&p, kind, id.clone(), None, None).await?;
            if let Some(t) = page.thread.as_mut() {
                t.refused(&e, form.body, internal);
            }
            Ok(page)
        },
    )
    .await
}
