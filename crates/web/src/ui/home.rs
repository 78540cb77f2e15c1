//! The portal home page's parts, shared with staff's "view as": the
//! summary strip (what is left to pay, per currency) and the "waiting for
//! you" cards with their true counts and the lists behind them.

use crate::kit::layout::{day_or_raw, when};

/// One thing waiting for the person on the home page.
pub(crate) struct WaitingItem {
    pub href: String,
    pub title: String,
    pub detail: String,
    pub status: String,
    pub status_label: String,
}

/// One "waiting for you" card on the home page: its first items, the true
/// count and the list behind it.
pub(crate) struct WaitingGroup {
    pub heading: &'static str,
    pub id: &'static str,
    pub items: Vec<WaitingItem>,
    pub total: i64,
    /// The whole list; `None` where the viewer cannot open it (staff's
    /// "view as" shows the portal's cards but not its lists).
    pub all_href: Option<String>,
}

/// The home page's "waiting for you" cards, empty ones left out.
pub(crate) type WaitingGroups = Vec<WaitingGroup>;

/// One currency of the home page's summary strip.
pub(crate) struct OwedView {
    pub outstanding: String,
    pub overdue: String,
    pub overdue_count: i64,
    /// The invoice list behind each figure.
    pub all_href: String,
    pub overdue_href: String,
}

/// The invoice list behind `statuses`, the first due first (the home
/// page's "to pay" and "overdue" figures and its invoices card).
fn invoices_due_first(statuses: &[&str]) -> String {
    courtyard_app::links::portal_list_filtered(
        courtyard_app::domain::RecordKind::Invoice,
        statuses,
        &[("sort", "due_asc")],
    )
}

pub(crate) fn owed_views(owed: &[courtyard_app::work::Owed]) -> Vec<OwedView> {
    use courtyard_app::work::WAITING_INVOICES;
    owed.iter()
        .map(|o| OwedView {
            outstanding: o.currency.format(o.outstanding),
            overdue: o.currency.format(o.overdue),
            overdue_count: o.overdue_count,
            all_href: invoices_due_first(WAITING_INVOICES),
            overdue_href: invoices_due_first(&["overdue"]),
        })
        .collect()
}

pub(crate) fn waiting_groups(w: courtyard_app::work::Waiting, today: &str) -> WaitingGroups {
    use courtyard_app::domain::records::SalesKind;
    use courtyard_app::domain::RecordKind;
    use courtyard_app::links::portal_list_filtered;
    use courtyard_app::work::{
        Capped, WAITING_INVOICES, WAITING_QUOTES, WAITING_TASKS, WAITING_TICKETS,
    };
    let docs = |kind: SalesKind, list: Vec<courtyard_app::sales::SalesDoc>| {
        list.into_iter()
            .map(|d| {
                let cur = d.currency;
                let shown = d.shown_status(kind, today).to_owned();
                WaitingItem {
                    href: format!("{}/{}", kind.module().portal_path(), d.id),
                    title: format!("{} · {}", d.number, d.subject),
                    detail: if kind.has_payments() {
                        format!("{} due {}", cur.format(d.balance), day_or_raw(&d.due_on))
                    } else {
                        format!(
                            "{} · valid until {}",
                            cur.format(d.total),
                            day_or_raw(&d.due_on)
                        )
                    },
                    status_label: kind.status_label(&shown).unwrap_or("").to_owned(),
                    status: shown,
                }
            })
            .collect::<Vec<_>>()
    };
    fn group<T>(
        heading: &'static str,
        id: &'static str,
        c: Capped<T>,
        all_href: String,
        item: impl Fn(T) -> WaitingItem,
    ) -> WaitingGroup {
        WaitingGroup {
            heading,
            id,
            items: c.rows.into_iter().map(item).collect(),
            total: c.total,
            all_href: Some(all_href),
        }
    }
    let Capped { rows, total } = w.invoices;
    let invoices = Capped {
        rows: docs(SalesKind::Invoice, rows),
        total,
    };
    let Capped { rows, total } = w.quotes;
    let quotes = Capped {
        rows: docs(SalesKind::Quote, rows),
        total,
    };
    let mut out = vec![
        group(
            "Invoices to pay",
            "waiting-invoices",
            invoices,
            invoices_due_first(WAITING_INVOICES),
            |i| i,
        ),
        group(
            "Quotes to answer",
            "waiting-quotes",
            quotes,
            portal_list_filtered(RecordKind::Quote, WAITING_QUOTES, &[("sort", "due_asc")]),
            |i| i,
        ),
        group(
            "Tasks assigned to you",
            "waiting-tasks",
            w.tasks,
            portal_list_filtered(
                RecordKind::Task,
                WAITING_TASKS,
                &[("assigned", "me"), ("sort", "created_asc")],
            ),
            |t| WaitingItem {
                href: format!("/tasks/{}", t.id),
                title: t.subject,
                detail: match t.due_on {
                    Some(d) => format!("{} · due {}", t.project_name, day_or_raw(&d)),
                    None => t.project_name,
                },
                status_label: t.status.label().to_owned(),
                status: t.status.as_str().to_owned(),
            },
        ),
        group(
            "Tickets awaiting your reply",
            "waiting-tickets",
            w.tickets,
            portal_list_filtered(RecordKind::Ticket, WAITING_TICKETS, &[]),
            |t| WaitingItem {
                href: format!("/tickets/{}", t.id),
                title: format!("{} · {}", t.number, t.subject),
                detail: format!("Last reply {}", when(t.last_activity_at)),
                status_label: t.status.label().to_owned(),
                status: t.status.as_str().to_owned(),
            },
        ),
    ];
    out.retain(|g| g.total > 0);
    out
}
