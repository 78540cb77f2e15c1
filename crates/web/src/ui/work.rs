//! Jobs, tickets, projects and tasks as both surfaces show them: list
//! specs, columns and rows, statuses, and `work_kind`.

use courtyard_app::auth::PortalContext;
use courtyard_app::domain::records::{
    job_statuses, project_statuses, staff_ticket_statuses, task_statuses, ticket_statuses,
};
use courtyard_app::domain::WorkKind;
use courtyard_app::listing::ListSpec;
use courtyard_app::work;
use courtyard_app::work::{
    Job, Project, Task, Ticket, JOB_SPEC, PROJECT_SPEC, TASK_SPEC, TICKET_SPEC,
};

use crate::kit::error::WebResult;
use crate::kit::layout::when;
use crate::kit::state::AppState;
pub(crate) use crate::ui::records::Marker;
use crate::ui::records::{self, cell, date_cell, num, paginate, Filters, ListRow, Slot};

pub(crate) fn label_of(pairs: &[(&'static str, &'static str)], key: &str) -> String {
    pairs
        .iter()
        .find(|(k, _)| *k == key)
        .map_or("Unknown", |(_, l)| l)
        .to_owned()
}

pub(crate) fn portal_base(kind: WorkKind) -> &'static str {
    kind.module().portal_path()
}

pub(crate) fn staff_base(kind: WorkKind) -> &'static str {
    courtyard_app::links::staff_list(kind.record())
}

pub(crate) fn spec(kind: WorkKind) -> &'static ListSpec {
    match kind {
        WorkKind::Job => &JOB_SPEC,
        WorkKind::Ticket => &TICKET_SPEC,
        WorkKind::Project => &PROJECT_SPEC,
        WorkKind::Task => &TASK_SPEC,
    }
}

/// A record type's statuses as staff read them (a ticket waiting for the
/// customer is "Waiting on customer", not "Awaiting your reply").
pub(crate) fn staff_statuses(kind: WorkKind) -> Vec<(&'static str, &'static str)> {
    match kind {
        WorkKind::Ticket => staff_ticket_statuses(),
        _ => statuses(kind),
    }
}

/// A record type's statuses as customers read them.
pub(crate) fn statuses(kind: WorkKind) -> Vec<(&'static str, &'static str)> {
    match kind {
        WorkKind::Job => job_statuses(),
        WorkKind::Ticket => ticket_statuses(),
        WorkKind::Project => project_statuses(),
        WorkKind::Task => task_statuses(),
    }
}

pub(crate) fn row(
    kind: WorkKind,
    base: &str,
    id: &str,
    number: &str,
    status: &str,
    cells: Vec<records::Cell>,
    staff: bool,
) -> ListRow {
    let labels = if staff {
        staff_statuses(kind)
    } else {
        statuses(kind)
    };
    ListRow {
        href: format!("{base}/{id}"),
        number: number.to_owned(),
        cells,
        status: status.to_owned(),
        status_label: label_of(&labels, status),
    }
}

pub(crate) fn job_rows(list: &[Job], base: &str, staff: bool) -> Vec<ListRow> {
    list.iter()
        .map(|j| {
            let mut cells = vec![];
            if staff {
                cells.push(cell("Company", j.company_name.clone()).on_phone(Slot::Context));
            }
            cells.extend([
                cell("Job", j.subject.clone()).on_phone(Slot::Title),
                cell("Site", j.site_address.clone()),
                date_cell("Requested", j.requested_on.clone()),
                date_cell(
                    "Scheduled",
                    j.scheduled_on.clone().unwrap_or_else(|| "Not yet".into()),
                )
                .on_phone(Slot::Meta),
            ]);
            row(
                WorkKind::Job,
                base,
                &j.id,
                &j.number,
                j.status.as_str(),
                cells,
                staff,
            )
        })
        .collect()
}

pub(crate) fn ticket_rows(list: &[Ticket], base: &str, staff: bool) -> Vec<ListRow> {
    list.iter()
        .map(|t| {
            let mut cells = vec![];
            if staff {
                cells.push(cell("Company", t.company_name.clone()).on_phone(Slot::Context));
            }
            cells.extend([
                cell("Subject", t.subject.clone()).on_phone(Slot::Title),
                cell("Priority", t.priority.label()),
                date_cell("Opened", t.opened_on.clone()),
                date_cell("Last activity", when(t.last_activity_at)).on_phone(Slot::Meta),
            ]);
            row(
                WorkKind::Ticket,
                base,
                &t.id,
                &t.number,
                t.status.as_str(),
                cells,
                staff,
            )
        })
        .collect()
}

pub(crate) fn project_rows(list: &[Project], base: &str, staff: bool) -> Vec<ListRow> {
    list.iter()
        .map(|p| {
            let mut cells = vec![];
            if staff {
                cells.push(cell("Company", p.company_name.clone()).on_phone(Slot::Context));
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
                cell("Project", p.subject.clone()).on_phone(Slot::Title),
                num("Progress", format!("{}%", p.progress)).on_phone(Slot::Aside),
                date_cell("Start", p.start_on.clone()),
                date_cell("End", p.end_on.clone().unwrap_or_default()).on_phone(Slot::Meta),
            ]);
            row(
                WorkKind::Project,
                base,
                &p.id,
                &p.number,
                p.status.as_str(),
                cells,
                staff,
            )
        })
        .collect()
}

pub(crate) fn task_rows(list: &[Task], base: &str, staff: bool) -> Vec<ListRow> {
    list.iter()
        .map(|t| {
            let mut cells = vec![];
            if staff {
                cells.push(cell("Company", t.company_name.clone()).on_phone(Slot::Context));
            }
            cells.extend([
                cell("Task", t.subject.clone()).on_phone(Slot::Title),
                cell("Project", t.project_name.clone()).on_phone(Slot::Context),
                cell(
                    "Assigned to",
                    t.assignee_name.clone().unwrap_or_else(|| "Nobody".into()),
                ),
                date_cell("Due", t.due_on.clone().unwrap_or_default()).on_phone(Slot::Meta),
            ]);
            row(
                WorkKind::Task,
                base,
                &t.id,
                &t.number,
                t.status.as_str(),
                cells,
                staff,
            )
        })
        .collect()
}

pub(crate) fn headers(kind: WorkKind, staff: bool) -> Vec<(&'static str, &'static str)> {
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

pub(crate) fn table_id(kind: WorkKind) -> &'static str {
    match kind {
        WorkKind::Job => "jobs",
        WorkKind::Ticket => "tickets",
        WorkKind::Project => "projects",
        WorkKind::Task => "tasks",
    }
}

/// The work kind of a marker, evaluated at compile time: a handler
/// instantiated with a marker of the other family fails `cargo build`.
pub(crate) fn work_kind<K: Marker>() -> WorkKind {
    const {
        match K::KIND.work() {
            Some(k) => k,
            None => panic!("not a work record marker"),
        }
    }
}

/// One page of a kind's list, as rows; with a portal context, scoped.
pub(crate) async fn list_rows(
    s: &AppState,
    kind: WorkKind,
    ctx: Option<&PortalContext>,
    f: &Filters,
    base: &str,
    limit: Option<i64>,
) -> WebResult<(Vec<ListRow>, Option<String>, String)> {
    let mut q = f.query(limit);
    if let (true, WorkKind::Task, Some(c)) = (f.assigned_to_me, kind, ctx) {
        q.eq.push(("assignee_id", c.user.id.clone()));
    }
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
