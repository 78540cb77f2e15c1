//! Logging in and out, sessions, invitations, password resets, forgotten
//! usernames and the staff setup link.
//!
//! Nothing here tells a visitor whether an account exists: login failures
//! share one message and cost one argon2 verification either way, and
//! reset/username requests are only queued here and looked up by the worker.

use courtyard_db::{portal_users, sessions, staff, Conn};
use courtyard_domain::FieldCode;
use courtyard_domain::{
    portal_access, AccessDenied, AccessWindow, CompanyPortalAccess, ContactPortalAccess, Grants,
    NewPassword, PortalUserState, StaffRole,
};

use crate::security::{random_token, token_hash};
use crate::{App, AppError, AppResult};

pub use courtyard_db::portal_users::PortalUser;
pub use courtyard_db::sessions::Session;
pub use courtyard_db::staff::StaffUser;

mod account_links;
mod login;
mod own_account;
mod staff_accounts;
pub use account_links::*;
pub use login::*;
pub use own_account::*;
pub use staff_accounts::*;

/// The message for every failed login, whatever the reason.
pub const BAD_LOGIN: &str =
    "That email and password do not match an account. Check them and try again.";
const LINK_GONE: &str = "This link has expired or has already been used.";

/// Who a session belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UserKind {
    Staff,
    Portal,
}

impl UserKind {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Staff => "staff",
            Self::Portal => "portal",
        }
    }
}

/// A session just created: the raw id goes in the cookie, once.
#[derive(Debug, Clone)]
pub struct NewSession {
    pub cookie_value: String,
}

/// Where the request comes from, for the sessions list and rate limits.
#[derive(Debug, Clone, Default)]
pub struct ClientInfo {
    pub ip: String,
    pub user_agent: String,
}

/// A logged-in portal user and what they may do: the customer scope every
/// portal handler receives before it runs.
#[derive(Debug, Clone)]
pub struct PortalContext {
    pub session: Session,
    pub user: PortalUser,
    pub grants: Grants,
}

impl PortalContext {
    pub fn company_id(&self) -> Option<&str> {
        self.user.company_id.as_deref()
    }
}

/// A logged-in staff member.
#[derive(Debug, Clone)]
pub struct StaffContext {
    pub session: Session,
    pub staff: StaffUser,
    pub role: StaffRole,
    /// Unread in-app notices (at most 100 counted), for the header.
    pub unread: i64,
}

impl StaffContext {
    pub fn require_admin(&self) -> AppResult<()> {
        if self.role.can_manage_portal() {
            Ok(())
        } else {
            Err(AppError::Forbidden)
        }
    }
}

async fn start_session(
    conn: &mut Conn,
    now: i64,
    kind: UserKind,
    user_id: &str,
    client: &ClientInfo,
) -> AppResult<NewSession> {
    let raw = random_token();
    sessions::insert(
        conn,
        &Session {
            id_hash: token_hash(&raw),
            user_kind: kind.as_str().into(),
            user_id: user_id.into(),
            created_at: now,
            last_seen_at: now,
            ip: client.ip.chars().take(64).collect(),
            user_agent: client.user_agent.chars().take(300).collect(),
        },
    )
    .await?;
    Ok(NewSession { cookie_value: raw })
}

/// Load a live session of `kind`, ending it when it has timed out.
async fn live_session(
    app: &App,
    conn: &mut Conn,
    raw: &str,
    kind: UserKind,
) -> AppResult<Option<Session>> {
    if raw.len() != 43 {
        return Ok(None);
    }
    let Some(s) = sessions::find(conn, &token_hash(raw)).await? else {
        return Ok(None);
    };
    if s.user_kind != kind.as_str() {
        return Ok(None);
    }
    let now = app.now();
    let a = &app.config.auth;
    if now - s.last_seen_at > a.session_idle_minutes * 60
        || now - s.created_at > a.session_absolute_hours * 3600
    {
        sessions::delete(conn, &s.id_hash).await?;
        return Ok(None);
    }
    // Write at most once a minute per session, not on every request.
    if now - s.last_seen_at >= 60 {
        sessions::touch(conn, &s.id_hash, now).await?;
    }
    Ok(Some(s))
}

/// Whether this portal user may use the portal today, and if not, why.
pub fn access_check(user: &PortalUser, today: time::Date) -> Result<(), AccessDenied> {
    let window = window_of(user);
    portal_access(
        user.company_access
            .as_deref()
            .and_then(CompanyPortalAccess::parse),
        ContactPortalAccess::parse(&user.contact_access).unwrap_or(ContactPortalAccess::Inherit),
        &window,
        today,
    )
}

pub fn window_of(user: &PortalUser) -> AccessWindow {
    AccessWindow::parse(
        user.access_from.as_deref().unwrap_or(""),
        user.access_until.as_deref().unwrap_or(""),
    )
    .unwrap_or_default()
}

/// The portal user behind a session cookie, if the session is live and the
/// user still may use the portal.
/// No span: this runs on every signed-in portal request.
pub async fn portal_session(app: &App, raw: &str) -> AppResult<Option<PortalContext>> {
    let mut conn = app.db.conn().await?;
    let Some(session) = live_session(app, &mut conn, raw, UserKind::Portal).await? else {
        return Ok(None);
    };
    let user = match portal_users::find(&mut conn, &session.user_id).await {
        Ok(u) => u,
        Err(courtyard_db::DbError::NotFound) => return Ok(None),
        Err(e) => return Err(e.into()),
    };
    if user.state != PortalUserState::Active.as_str()
        || access_check(&user, app.clock.today()).is_err()
    {
        sessions::delete(&mut conn, &session.id_hash).await?;
        return Ok(None);
    }
    let mut user = user;
    crate::access::apply_module_switches(&mut conn, &mut user).await?;
    let grants = Grants::from_storage(&user.grants);
    Ok(Some(PortalContext {
        session,
        user,
        grants,
    }))
}

/// No span: this runs on every signed-in staff request.
pub async fn staff_session(app: &App, raw: &str) -> AppResult<Option<StaffContext>> {
    let mut conn = app.db.conn().await?;
    let Some(session) = live_session(app, &mut conn, raw, UserKind::Staff).await? else {
        return Ok(None);
    };
    let staff = match staff::find(&mut conn, &session.user_id).await {
        Ok(s) if s.active == 1 => s,
        Ok(_) | Err(courtyard_db::DbError::NotFound) => return Ok(None),
        Err(e) => return Err(e.into()),
    };
    let role = StaffRole::parse(&staff.role).unwrap_or(StaffRole::Member);
    let unread = courtyard_db::notifications::unread(&mut conn, &staff.id).await?;
    Ok(Some(StaffContext {
        session,
        staff,
        role,
        unread,
    }))
}

#[tracing::instrument(skip_all)]
pub async fn logout(app: &App, raw: &str) -> AppResult<()> {
    let mut conn = app.db.conn().await?;
    sessions::delete(&mut conn, &token_hash(raw)).await?;
    Ok(())
}

#[tracing::instrument(skip_all)]
pub async fn list_sessions(app: &App, kind: UserKind, user_id: &str) -> AppResult<Vec<Session>> {
    let mut conn = app.db.conn().await?;
    Ok(sessions::list_for_user(&mut conn, kind.as_str(), user_id).await?)
}

/// End one of the caller's own sessions; another user's session is "not found".
#[tracing::instrument(skip_all)]
pub async fn end_session(app: &App, kind: UserKind, user_id: &str, id_hash: &str) -> AppResult<()> {
    let mut conn = app.db.conn().await?;
    if sessions::delete_for_user(&mut conn, kind.as_str(), user_id, id_hash).await? {
        Ok(())
    } else {
        Err(AppError::NotFound)
    }
}

fn check_password(password: &str, confirm: &str, email: &str) -> AppResult<NewPassword> {
    let p = NewPassword::parse(password, Some(email))
        .map_err(|e| AppError::field("password", e.code(), e.to_string()))?;
    if password != confirm {
        return Err(AppError::field(
            "confirm",
            FieldCode::Mismatch,
            "The two passwords do not match.",
        ));
    }
    Ok(p)
}
