//! What every record type shares in the portal and on staff pages: the
//! policy's view of a portal user, comments, "why can this person see
//! this?", the staff notice on a customer's first view, and CSV.

use courtyard_domain::FieldCode;
use std::collections::HashMap;

use courtyard_db::portal_users::{self, PortalUser};
use courtyard_db::records::{self, NewComment};
use courtyard_db::{settings, Conn, DbError};
use courtyard_domain::policy::{self, Explanation, Predicate, Viewer};
use courtyard_domain::{Action, Grants, Module, RecordKind, RecordScope, SalesKind};

use crate::auth::{PortalContext, StaffContext};
use crate::{App, AppError, AppResult};

/// The read models every record type shares.
pub use courtyard_db::records::{Comment, RecordView};

/// The policy's view of a portal user.
pub fn viewer_of(user: &PortalUser) -> Option<Viewer> {
    Some(Viewer {
        portal_user_id: user.id.clone(),
        company_id: user.company_id.clone()?,
        contact_id: user.contact_id.clone(),
        scope: RecordScope::parse(&user.record_scope).unwrap_or(RecordScope::Own),
        grants: Grants::from_storage(&user.grants),
    })
}

/// The predicate for this user reading `module`; a module they were not
/// granted does not exist for them.
pub fn scope(ctx: &PortalContext, module: Module) -> AppResult<Predicate> {
    scope_for(&ctx.user, module)
}

/// [`scope`] for any portal user (staff's "view as").
pub fn scope_for(user: &PortalUser, module: Module) -> AppResult<Predicate> {
    let viewer = viewer_of(user).ok_or(AppError::NotFound)?;
    if !viewer.grants.allows(module, Action::View) {
        return Err(AppError::NotFound);
    }
    Ok(policy::predicate(&viewer, module))
}

/// An action beyond viewing. Callers check visibility first, so refusing
/// here reveals nothing.
pub fn require(ctx: &PortalContext, module: Module, action: Action) -> AppResult<()> {
    if ctx.grants.allows(module, action) {
        Ok(())
    } else {
        Err(AppError::Forbidden)
    }
}

/// A comment's text: trimmed, not empty, not huge.
pub fn comment_body(raw: &str) -> AppResult<String> {
    message_text(raw, "body", "Write a message first.")
}

/// A message typed into `field` (a comment, a ticket's first message, the
/// note sent with a file): trimmed, not empty (`empty` says what to write),
/// at most 5,000 characters.
pub fn message_text(raw: &str, field: &'static str, empty: &str) -> AppResult<String> {
    let body = raw.trim();
    if body.is_empty() {
        return Err(AppError::field(field, FieldCode::Required, empty));
    }
    if body.chars().count() > 5000 {
        return Err(AppError::field(
            field,
            FieldCode::TooLong,
            "Keep the message under 5,000 characters.",
        ));
    }
    Ok(body.to_owned())
}

/// A customer's comment (or ticket message) on a record they can see.
pub async fn add_portal_comment(
    conn: &mut Conn,
    ctx: &PortalContext,
    record_type: &str,
    record_id: &str,
    body: &str,
    now: i64,
) -> AppResult<String> {
    Ok(records::add_comment(
        conn,
        &NewComment {
            record_type,
            record_id,
            author_kind: "portal",
            author_id: &ctx.user.id,
            author_name: &ctx.user.full_name(),
            body,
            internal: false,
        },
        now,
    )
    .await?)
}

/// A staff comment; `internal` ones never reach the portal.
pub async fn add_staff_comment(
    conn: &mut Conn,
    ctx: &StaffContext,
    record_type: &str,
    record_id: &str,
    body: &str,
    internal: bool,
    now: i64,
) -> AppResult<()> {
    records::add_comment(
        conn,
        &NewComment {
            record_type,
            record_id,
            author_kind: "staff",
            author_id: &ctx.staff.id,
            author_name: &ctx.staff.name,
            body,
            internal,
        },
        now,
    )
    .await?;
    Ok(())
}

/// The public comments of a record the caller has already found visible.
pub async fn public_comments(
    conn: &mut Conn,
    record_type: &str,
    record_id: &str,
) -> AppResult<Vec<Comment>> {
    Ok(records::comments(conn, record_type, record_id, false).await?)
}

/// Every comment, internal ones included: staff pages only.
pub async fn all_comments(
    conn: &mut Conn,
    record_type: &str,
    record_id: &str,
) -> AppResult<Vec<Comment>> {
    Ok(records::comments(conn, record_type, record_id, true).await?)
}

/// "Why can this person see this?": the policy's conditions evaluated
/// against one record's facts, after the account checks.
#[tracing::instrument(skip_all)]
pub async fn explain(
    app: &App,
    module: Module,
    portal_user_id: &str,
    facts: impl FnOnce(&PortalUser) -> HashMap<&'static str, Option<String>>,
    member_of: Option<&str>,
) -> AppResult<Explanation> {
    let mut conn = app.db.conn().await?;
    let mut user = portal_users::find(&mut conn, portal_user_id).await?;
    let off = crate::access::modules_off(&mut conn).await?;
    crate::access::switch_off(&mut user, &off);
    let Some(viewer) = viewer_of(&user) else {
        return Ok(Explanation {
            visible: false,
            checks: vec![(false, "The person is not linked to a company.".into())],
        });
    };
    let mut facts = facts(&user);
    if let Some(project_id) = member_of {
        let member = courtyard_db::work::members(&mut conn, project_id)
            .await?
            .contains(&user.id);
        let shown = courtyard_db::work::find_project(&mut conn, project_id, None)
            .await
            .map(|p| p.show_on_portal == 1 && p.company_id == viewer.company_id)
            .unwrap_or(false);
        facts.insert(
            "member",
            Some(if member && shown { "1" } else { "0" }.into()),
        );
    }
    let mut e = policy::predicate(&viewer, module).explain(&facts);
    if off.contains(&module) {
        e.visible = false;
        e.checks = vec![(
            false,
            if module == Module::Tasks && off.contains(&Module::Projects) {
                "The Projects module is switched off for every portal user (Settings), \
                 and tasks are seen through their projects."
                    .to_owned()
            } else {
                format!(
                    "The {} module is switched off for every portal user (Settings).",
                    module.label()
                )
            },
        )];
    }
    if user.state != "active" {
        e.visible = false;
        e.checks.insert(
            0,
            (
                false,
                format!(
                    "The person's portal account is {}, so they cannot log in.",
                    user.state
                ),
            ),
        );
    } else if let Err(why) = crate::auth::access_check(&user, app.clock.today()) {
        e.visible = false;
        e.checks.insert(0, (false, why.explain().to_owned()));
    }
    Ok(e)
}

/// The facts of a company record for [`explain`].
pub fn company_facts(
    company_id: &str,
    contact_id: Option<&str>,
    status: &str,
) -> HashMap<&'static str, Option<String>> {
    HashMap::from([
        ("company_id", Some(company_id.to_owned())),
        ("contact_id", contact_id.map(str::to_owned)),
        ("status", Some(status.to_owned())),
    ])
}

/// What waits for staff, for the overview: (label, list link, count).
#[tracing::instrument(skip_all)]
pub async fn staff_attention(app: &App) -> AppResult<Vec<(&'static str, String, i64)>> {
    let mut conn = app.db.conn().await?;
    let mut out = Vec::new();
    for (label, kind, table, status) in [
        (
            "Tickets awaiting a reply",
            RecordKind::Ticket,
            "tickets",
            "open",
        ),
        ("Quote requests", RecordKind::Quote, "quotes", "requested"),
        ("Job requests", RecordKind::Job, "jobs", "requested"),
        ("Quotes accepted", RecordKind::Quote, "quotes", "accepted"),
    ] {
        out.push((
            label,
            crate::links::staff_list_with_status(kind, status),
            records::count_with_status(&mut conn, table, status).await?,
        ));
    }
    Ok(out)
}

// ---- portal module switches ----

/// Every switchable module and whether it is on, for the settings page.
#[tracing::instrument(skip_all)]
pub async fn module_switches(app: &App) -> AppResult<Vec<(Module, bool)>> {
    let mut conn = app.db.conn().await?;
    let off = crate::access::modules_off(&mut conn).await?;
    Ok(crate::access::switchable_modules()
        .into_iter()
        .map(|m| (m, !off.contains(&m)))
        .collect())
}

// ---- number prefixes ----

/// The next number of a record type, from its sequence (created with the
/// default prefix on first use).
pub(crate) async fn next_number(conn: &mut Conn, kind: RecordKind) -> AppResult<String> {
    Ok(records::next_number(conn, kind.as_str(), kind.default_prefix()).await?)
}

/// The prefix each numbered type's next number gets.
#[tracing::instrument(skip_all)]
pub async fn number_prefixes(app: &App) -> AppResult<Vec<(&'static str, &'static str, String)>> {
    let mut conn = app.db.conn().await?;
    let mut out = Vec::new();
    for kind in RecordKind::ALL.iter().copied() {
        let p = records::prefix(&mut conn, kind.as_str()).await?;
        out.push((
            kind.as_str(),
            kind.plural(),
            p.unwrap_or_else(|| kind.default_prefix().to_owned()),
        ));
    }
    Ok(out)
}

/// A prefix staff typed: 1 to 12 letters, digits, `-`, `_`, `/` or `.`, not
/// ending in a digit (`X1` + `0001` would repeat `X` + `10001`).
fn check_prefix(raw: &str) -> Option<String> {
    let p = raw.trim();
    (!p.is_empty()
        && p.chars().count() <= 12
        && !p.ends_with(|c: char| c.is_ascii_digit())
        && p.chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '/' | '.')))
    .then(|| p.to_owned())
}

/// Check the number prefixes staff typed; the clean values, or every problem.
pub fn check_prefixes<'a>(prefixes: &[(&'a str, String)]) -> AppResult<Vec<(&'a str, String)>> {
    let mut p = crate::error::Problems::default();
    let mut clean = Vec::new();
    for (kind, raw) in prefixes {
        match check_prefix(raw) {
            Some(v) => clean.push((*kind, v)),
            None => p.add(
                "prefixes",
                FieldCode::Format,
                format!(
                    "The {kind} prefix needs 1 to 12 letters, digits, and - _ / . only, \
                     and must not end with a digit."
                ),
            ),
        }
    }
    p.into_result()?;
    Ok(clean)
}

/// Save module switches, first-view notices and number prefixes together,
/// or nothing when a prefix is refused.
#[tracing::instrument(skip_all)]
pub async fn save_portal_settings(
    app: &App,
    modules_on: &[Module],
    notify: &[(&str, bool)],
    prefixes: &[(&str, String)],
) -> AppResult<()> {
    let clean = check_prefixes(prefixes)?;
    let mut tx = app.db.begin().await?;
    for m in crate::access::switchable_modules() {
        let key = format!("module.{}.enabled", m.as_str());
        if modules_on.contains(&m) {
            settings::delete(&mut tx, &key).await?;
        } else {
            settings::set(&mut tx, &key, "off").await?;
        }
    }
    for (kind, on) in notify {
        settings::set(&mut tx, &notify_key(kind), if *on { "on" } else { "off" }).await?;
    }
    for (kind, prefix) in clean {
        records::set_prefix(&mut tx, kind, &prefix).await?;
    }
    commit(tx).await
}

fn notify_key(record_type: &str) -> String {
    format!("notify.first_view.{record_type}")
}

/// Whether a customer's first view of this type emails the assigned staff
/// member. On unless staff switched it off.
pub async fn notify_on_first_view(conn: &mut Conn, record_type: &str) -> AppResult<bool> {
    Ok(settings::get(conn, &notify_key(record_type))
        .await?
        .as_deref()
        != Some("off"))
}

/// Every first-view setting, for the settings page.
#[tracing::instrument(skip_all)]
pub async fn notify_settings(app: &App) -> AppResult<Vec<(&'static str, &'static str, bool)>> {
    let mut conn = app.db.conn().await?;
    let mut out = Vec::new();
    // Record types whose first customer view can notify the assigned staff member.
    for kind in SalesKind::ALL.iter().copied() {
        let on = notify_on_first_view(&mut conn, kind.as_str()).await?;
        out.push((kind.as_str(), kind.plural(), on));
    }
    Ok(out)
}

/// Queue the "first view" notice for the record's assigned staff member.
pub struct FirstView<'a> {
    pub record_type: &'a str,
    pub label: &'a str,
    pub number: &'a str,
    pub staff_path: String,
    pub owner_name: Option<&'a str>,
    pub owner_email: Option<&'a str>,
}

#[tracing::instrument(skip_all)]
pub async fn queue_first_view_notice(
    app: &App,
    conn: &mut Conn,
    ctx: &PortalContext,
    v: &FirstView<'_>,
) -> AppResult<()> {
    let (Some(name), Some(email)) = (v.owner_name, v.owner_email) else {
        return Ok(());
    };
    if !notify_on_first_view(conn, v.record_type).await? {
        return Ok(());
    }
    let who = match ctx.user.company_name.as_deref() {
        Some(co) => format!("{} ({co})", ctx.user.full_name()),
        None => ctx.user.full_name(),
    };
    let subject = format!(
        "{} opened {} {}",
        ctx.user.full_name(),
        v.label.to_lowercase(),
        v.number
    );
    let message = format!(
        "{who} opened {} {} in the customer portal for the first time, on {}.",
        v.label.to_lowercase(),
        v.number,
        crate::emails::format_time(app.now())
    );
    let first = name.split_whitespace().next().unwrap_or(name);
    let email = crate::emails::render_staff_notice(&crate::emails::StaffNotice {
        to: email,
        business_name: &app.config.business_name,
        name: first,
        subject: &subject,
        message: &message,
        link: &app.url(&v.staff_path),
        button: &format!("Open the {}", v.label.to_lowercase()),
    })
    .map_err(AppError::Internal)?;
    crate::outbox::enqueue_email(conn, &email, app.now()).await
}

/// A text cell from what people typed: one a spreadsheet would run as a
/// formula gets a leading apostrophe. ([`csv`] quotes every cell.)
pub fn csv_cell(s: &str) -> String {
    if s.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{s}")
    } else {
        s.to_owned()
    }
}

/// Quote a cell that holds a separator, a quote or a line break.
fn quote(s: &str) -> std::borrow::Cow<'_, str> {
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\"")).into()
    } else {
        s.into()
    }
}

/// A CSV document: a header and rows of cells, every one quoted as needed
/// here (dates and amounts hold commas too); text cells typed by people go
/// through [`csv_cell`] first.
pub fn csv(header: &[&str], rows: impl Iterator<Item = Vec<String>>) -> String {
    let line = |cells: &mut dyn Iterator<Item = &str>, out: &mut String| {
        for (i, c) in cells.enumerate() {
            if i > 0 {
                out.push(',');
            }
            out.push_str(&quote(c));
        }
        out.push_str("\r\n");
    };
    let mut out = String::new();
    line(&mut header.iter().copied(), &mut out);
    for cells in rows {
        line(&mut cells.iter().map(String::as_str), &mut out);
    }
    out
}

/// The version a staff form was rendered from (`updated_at`), if it says.
pub fn version_of(raw: &str) -> Option<i64> {
    raw.trim().parse().ok()
}

/// Refuse a staff save when the record changed since the form was shown
/// (a customer answered, replied or completed it meanwhile).
pub async fn claim_version(
    conn: &mut Conn,
    table: &str,
    id: &str,
    version: Option<i64>,
) -> AppResult<()> {
    match version {
        Some(v) if !records::claim_version(conn, table, id, v).await? => Err(AppError::Conflict(
            "Someone changed this record while you were editing it. Reload the page to see \
             the latest version, then make your change again."
                .into(),
        )),
        _ => Ok(()),
    }
}

/// A transaction's commit, as an app error.
pub async fn commit(tx: courtyard_db::Tx) -> AppResult<()> {
    tx.commit().await.map_err(DbError::from)?;
    Ok(())
}

/// A record form's optional contact: it must exist (`invalid_choice`) and
/// work at `company_id` (`not_allowed`). Problems go to `p`.
pub(crate) async fn check_contact(
    conn: &mut Conn,
    p: &mut crate::error::Problems,
    company_id: &str,
    contact_id: &str,
) -> AppResult<()> {
    let code = match courtyard_db::contacts::find(conn, contact_id).await {
        Ok(c) if c.company_id.as_deref() == Some(company_id) => return Ok(()),
        Ok(_) => FieldCode::NotAllowed,
        Err(DbError::NotFound) => FieldCode::InvalidChoice,
        Err(e) => return Err(e.into()),
    };
    p.add("contact_id", code, "Choose a contact at this company.");
    Ok(())
}

#[cfg(test)]
mod tests {
    #[test]
    fn csv_cells_are_quoted_and_formulas_defused() {
        assert_eq!(super::csv_cell("plain"), "plain");
        assert_eq!(super::csv_cell("=HYPERLINK(1)"), "'=HYPERLINK(1)");
        let doc = super::csv(
            &["A", "B, C"],
            [vec![
                "a,b".to_owned(),
                "say \"hi\"".to_owned(),
                "2 Dec 2026, 02:41 UTC".to_owned(),
            ]]
            .into_iter(),
        );
        assert_eq!(
            doc,
            "A,\"B, C\"\r\n\"a,b\",\"say \"\"hi\"\"\",\"2 Dec 2026, 02:41 UTC\"\r\n"
        );
    }
}
