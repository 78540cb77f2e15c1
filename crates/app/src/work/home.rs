//! What waits for a portal user across modules (the portal home page), and
//! staff's read-only "view as" of a portal user's portal.

use courtyard_db::listing::ListQuery;
use courtyard_db::portal_users;
use courtyard_db::work::{self, Job, Project, Record, Task, Ticket};
use courtyard_db::Conn;
use courtyard_domain::policy::Predicate;
use courtyard_domain::{Grants, Module, RecordKind};

use crate::auth::PortalContext;
use crate::records;
use crate::{App, AppResult};

/// The first rows of a list and how many rows it has in all.
pub struct Capped<T> {
    pub rows: Vec<T>,
    pub total: i64,
}

impl<T> Default for Capped<T> {
    fn default() -> Self {
        Self {
            rows: vec![],
            total: 0,
        }
    }
}

/// What a person's invoices leave to pay in one currency.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Owed {
    pub currency: courtyard_domain::money::Currency,
    /// The balances of unpaid, partly paid and overdue invoices.
    pub outstanding: i64,
    /// The part of it that is overdue, and on how many invoices.
    pub overdue: i64,
    pub overdue_count: i64,
}

/// What is waiting for this person across modules, for the portal home
/// page: the first few of each, and the true count.
#[derive(Default)]
pub struct Waiting {
    /// What is left to pay, per currency (the summary strip).
    pub owed: Vec<Owed>,
    /// Unpaid, partly paid and overdue invoices, the first due first.
    pub invoices: Capped<courtyard_db::sales::SalesDoc>,
    /// Sent quotes still valid today.
    pub quotes: Capped<courtyard_db::sales::SalesDoc>,
    /// Open tasks assigned to the person.
    pub tasks: Capped<Task>,
    /// Tickets waiting for the customer's reply.
    pub tickets: Capped<Ticket>,
}

/// The filters behind each of [`Waiting`]'s lists (what "View all" opens).
pub const WAITING_INVOICES: &[&str] = &["overdue", "unpaid", "partially_paid"];
pub const WAITING_QUOTES: &[&str] = &["sent"];
pub const WAITING_TASKS: &[&str] = &["open", "in_progress"];
pub const WAITING_TICKETS: &[&str] = &["awaiting_customer"];

/// How many of each list the home page shows.
const FEW: i64 = 5;

#[tracing::instrument(skip_all)]
pub async fn waiting(app: &App, ctx: &PortalContext) -> AppResult<Waiting> {
    waiting_for(app, &ctx.user).await
}

/// [`waiting`] for any portal user (staff's "view as").
#[tracing::instrument(skip_all)]
pub async fn waiting_for(app: &App, user: &portal_users::PortalUser) -> AppResult<Waiting> {
    use courtyard_db::sales;
    use courtyard_domain::records::SalesKind;
    let mut conn = app.db.conn().await?;
    let today = app.clock.today().to_string();
    let few = |statuses: &[&str], sort: &str| ListQuery {
        statuses: statuses.iter().map(|s| s.to_string()).collect(),
        sort: sort.into(),
        limit: Some(FEW),
        ..Default::default()
    };
    let mut out = Waiting::default();
    let scope = |m| records::scope_for(user, m);
    for (kind, statuses, into) in [
        (SalesKind::Invoice, WAITING_INVOICES, &mut out.invoices),
        // "sent" is only a quote still valid today: past it, it shows Expired.
        (SalesKind::Quote, WAITING_QUOTES, &mut out.quotes),
    ] {
        if let Ok(s) = scope(kind.module()) {
            let q = few(statuses, "due_asc");
            *into = Capped {
                rows: sales::list(&mut conn, kind, Some(&s), &q, &today).await?,
                total: sales::count(&mut conn, kind, Some(&s), &q, &today).await?,
            };
        }
    }
    if let Ok(s) = scope(Module::Invoices) {
        let kind = SalesKind::Invoice;
        let (owing, overdue) = (few(WAITING_INVOICES, ""), few(&["overdue"], ""));
        let all = sales::balances(&mut conn, kind, Some(&s), &owing, &today).await?;
        let late = sales::balances(&mut conn, kind, Some(&s), &overdue, &today).await?;
        out.owed = all
            .into_iter()
            .filter_map(|(code, outstanding, _)| {
                let (_, overdue, overdue_count) = late
                    .iter()
                    .find(|(c, _, _)| *c == code)
                    .cloned()
                    .unwrap_or_default();
                // An unknown stored code is refused when rows are read; here
                // it is left out of the sums rather than shown as another.
                Some(Owed {
                    currency: courtyard_domain::money::Currency::parse(&code)?,
                    outstanding,
                    overdue,
                    overdue_count,
                })
            })
            .filter(|o| o.outstanding > 0)
            .collect();
    }
    if let Ok(s) = scope(Module::Tasks) {
        let mut q = few(WAITING_TASKS, "created_asc");
        q.eq.push(("assignee_id", user.id.clone()));
        out.tasks = Capped {
            rows: work::list_tasks(&mut conn, Some(&s), &q).await?,
            total: work::count::<Task>(&mut conn, Some(&s), &q).await?,
        };
    }
    if let Ok(s) = scope(Module::Tickets) {
        let q = few(WAITING_TICKETS, "activity_desc");
        out.tickets = Capped {
            rows: work::list_tickets(&mut conn, Some(&s), &q).await?,
            total: work::count::<Ticket>(&mut conn, Some(&s), &q).await?,
        };
    }
    Ok(out)
}

/// One module as a portal user sees it: its first rows, for staff.
pub struct ModuleView {
    pub module: Module,
    /// (staff page, number, subject, status, status label)
    pub rows: Vec<(String, String, String, String, String)>,
    pub more: bool,
}

/// A portal user's first rows of one record type, linking to staff pages:
/// (staff page, number, subject, status, status label).
async fn staff_rows<R: Record>(
    conn: &mut Conn,
    scope: &Predicate,
    q: &ListQuery,
    staff_base: &str,
    statuses: &[(&'static str, &'static str)],
) -> AppResult<Vec<(String, String, String, String, String)>> {
    Ok(work::list::<R>(conn, Some(scope), q)
        .await?
        .iter()
        .map(|r| {
            let (id, number, subject, status) = r.summary();
            let label = statuses
                .iter()
                .find(|(k, _)| *k == status)
                .map_or("", |(_, l)| l);
            (
                format!("{staff_base}/{id}"),
                number.to_owned(),
                subject.to_owned(),
                status.to_owned(),
                label.to_owned(),
            )
        })
        .collect())
}

/// What a portal user sees, for staff ("view as"): read-only, built with the
/// same policy as the portal, and recording no customer view.
pub struct ViewAs {
    pub user: portal_users::PortalUser,
    /// Why the person cannot log in at all, if they cannot.
    pub blocked: Option<String>,
    pub waiting: Waiting,
    pub modules: Vec<ModuleView>,
}

#[tracing::instrument(skip_all)]
pub async fn view_as(app: &App, portal_user_id: &str) -> AppResult<ViewAs> {
    use courtyard_db::sales;
    use courtyard_domain::records::{
        job_statuses, project_statuses, task_statuses, ticket_statuses, SalesKind,
    };
    let user = {
        let mut conn = app.db.conn().await?;
        let mut user = portal_users::find(&mut conn, portal_user_id).await?;
        crate::access::apply_module_switches(&mut conn, &mut user).await?;
        user
    };
    let blocked = if user.state != "active" {
        Some(format!(
            "The person's portal account is {}, so they cannot log in.",
            user.state
        ))
    } else {
        crate::auth::access_check(&user, app.clock.today())
            .err()
            .map(|why| why.explain().to_owned())
    };
    let waiting = waiting_for(app, &user).await?;
    let today = app.clock.today().to_string();
    let first = ListQuery {
        limit: Some(11),
        ..Default::default()
    };
    let mut modules = Vec::new();
    let mut conn = app.db.conn().await?;
    for module in Grants::from_storage(&user.grants).modules() {
        let Ok(scope) = records::scope_for(&user, module) else {
            continue;
        };
        let sales_kind = SalesKind::ALL
            .iter()
            .copied()
            .find(|k| k.module() == module);
        let mut rows: Vec<(String, String, String, String, String)> = match (sales_kind, module) {
            (Some(kind), _) => sales::list(&mut conn, kind, Some(&scope), &first, &today)
                .await?
                .into_iter()
                .map(|d| {
                    let shown = d.shown_status(kind, &today).to_owned();
                    let l = kind.status_label(&shown).unwrap_or("").to_owned();
                    (
                        format!("{}/{}", crate::sales::staff_path(kind), d.id),
                        d.number,
                        d.subject,
                        shown,
                        l,
                    )
                })
                .collect(),
            (None, Module::Jobs) => {
                staff_rows::<Job>(
                    &mut conn,
                    &scope,
                    &first,
                    crate::links::staff_list(RecordKind::Job),
                    &job_statuses(),
                )
                .await?
            }
            (None, Module::Projects) => {
                staff_rows::<Project>(
                    &mut conn,
                    &scope,
                    &first,
                    crate::links::staff_list(RecordKind::Project),
                    &project_statuses(),
                )
                .await?
            }
            (None, Module::Tasks) => {
                staff_rows::<Task>(
                    &mut conn,
                    &scope,
                    &first,
                    crate::links::staff_list(RecordKind::Task),
                    &task_statuses(),
                )
                .await?
            }
            (None, Module::Tickets) => {
                staff_rows::<Ticket>(
                    &mut conn,
                    &scope,
                    &first,
                    crate::links::staff_list(RecordKind::Ticket),
                    &ticket_statuses(),
                )
                .await?
            }
            _ => continue,
        };
        let more = rows.len() > 10;
        rows.truncate(10);
        modules.push(ModuleView { module, rows, more });
    }
    Ok(ViewAs {
        user,
        blocked,
        waiting,
        modules,
    })
}
