//! Telling staff that a customer did something they should look at (an
//! upload): an in-app notice and an email, to the staff member assigned to
//! the record, or to every active staff member when no one is.

use courtyard_db::{notifications, staff, Conn};

use crate::auth::PortalContext;
use crate::{App, AppError, AppResult};

/// What happened, for the notice.
pub struct Notice<'a> {
    /// "uploaded “plan.pdf” to ticket TKT-0004"
    pub what: &'a str,
    /// The staff page to open, e.g. "/staff/tickets/…".
    pub staff_path: &'a str,
    /// The button in the email: "Open the ticket".
    pub button: &'a str,
    /// The record's assigned staff member, if any.
    pub owner_staff_id: Option<&'a str>,
}

/// Queue the notice in the caller's transaction, so it is sent exactly when
/// the upload is kept.
#[tracing::instrument(skip_all)]
pub async fn customer_did(
    app: &App,
    conn: &mut Conn,
    ctx: &PortalContext,
    n: &Notice<'_>,
) -> AppResult<()> {
    let everyone: Vec<staff::StaffUser> = staff::list(conn)
        .await?
        .into_iter()
        .filter(|s| s.active == 1)
        .collect();
    let to: Vec<&staff::StaffUser> = match n
        .owner_staff_id
        .and_then(|id| everyone.iter().find(|s| s.id == id))
    {
        Some(owner) => vec![owner],
        None => everyone.iter().collect(),
    };
    let who = match ctx.user.company_name.as_deref() {
        Some(co) => format!("{} ({co})", ctx.user.full_name()),
        None => ctx.user.full_name(),
    };
    let text = format!("{who} {}", n.what);
    let ids: Vec<String> = to.iter().map(|s| s.id.clone()).collect();
    notifications::add(conn, &ids, &text, n.staff_path, app.now()).await?;
    for s in to {
        let first = s.name.split_whitespace().next().unwrap_or(&s.name);
        let email = crate::emails::render_staff_notice(&crate::emails::StaffNotice {
            to: &s.email,
            business_name: &app.config.business_name,
            name: first,
            subject: &format!("{} {}", ctx.user.full_name(), n.what),
            message: &format!("{text}, on {}.", crate::emails::format_time(app.now())),
            link: &app.url(n.staff_path),
            button: n.button,
        })
        .map_err(AppError::Internal)?;
        crate::outbox::enqueue_email(conn, &email, app.now()).await?;
    }
    Ok(())
}

/// A staff member's recent notices, marked read as they are shown.
#[tracing::instrument(skip_all)]
pub async fn open_list(app: &App, staff_id: &str) -> AppResult<Vec<notifications::Notification>> {
    let mut tx = app.db.begin().await?;
    let list = notifications::recent(&mut tx, staff_id, 50).await?;
    let unread: Vec<String> = list
        .iter()
        .filter(|n| n.read_at.is_none())
        .map(|n| n.id.clone())
        .collect();
    notifications::mark_read(&mut tx, staff_id, &unread, app.now()).await?;
    crate::records::commit(tx).await?;
    Ok(list)
}

#[tracing::instrument(skip_all)]
pub async fn unread(app: &App, staff_id: &str) -> AppResult<i64> {
    let mut conn = app.db.conn().await?;
    Ok(notifications::unread(&mut conn, staff_id).await?)
}
