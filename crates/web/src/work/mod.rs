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

mod portal_pages;
mod staff_pages;

pub(crate) use portal_pages::*;
pub(crate) use staff_pages::*;

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
