//! Logging in and out, sessions, invitations, password resets, forgotten
//! usernames and the staff setup link.
//!
//! Nothing here tells a visitor whether an account exists: login failures
//! share one message and cost one argon2 verification either way, and
//! reset/username requests are only queued here and looked up by the worker.

use courtyard_db::{login_failures, outbox, portal_users, sessions, staff, tokens, Conn};
use courtyard_domain::{
    portal_access, AccessDenied, AccessWindow, CompanyPortalAccess, ContactPortalAccess,
    EmailAddress, Grants, NewPassword, PortalUserState, StaffRole, StateChange,
};
use serde::{Deserialize, Serialize};

use crate::emails::{self, EmailContext, EmailKind};
use crate::security::{random_token, token_hash};
use crate::{App, AppError, AppResult};

pub use courtyard_db::portal_users::PortalUser;
pub use courtyard_db::sessions::Session;
pub use courtyard_db::staff::StaffUser;

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

pub async fn logout(app: &App, raw: &str) -> AppResult<()> {
    let mut conn = app.db.conn().await?;
    sessions::delete(&mut conn, &token_hash(raw)).await?;
    Ok(())
}

/// Refuse with a delay when too many recent failures hit any bucket. Failures
/// age out after the window, so nobody is ever locked out for good.
async fn check_rate(app: &App, conn: &mut Conn, buckets: &[(String, i64)]) -> AppResult<()> {
    let now = app.now();
    let window = app.config.auth.failure_window_minutes * 60;
    for (bucket, limit) in buckets {
        let (count, last) = login_failures::recent(conn, bucket, now - window).await?;
        if count >= *limit {
            let over = (count - limit).min(5) as u32;
            let delay = (30i64 << over).min(window);
            let retry = last.unwrap_or(now) + delay - now;
            if retry > 0 {
                return Err(AppError::RateLimited {
                    retry_after_secs: retry,
                });
            }
        }
    }
    Ok(())
}

/// The rate-limit buckets of a login: the account (`kind` keeps staff and
/// portal accounts apart) and the client's address.
fn buckets(app: &App, kind: &str, email: &str, client: &ClientInfo) -> Vec<(String, i64)> {
    vec![
        (format!("{kind}:{email}"), app.config.auth.account_failures),
        (format!("ip:{}", client.ip), app.config.auth.ip_failures),
    ]
}

async fn record_failure(app: &App, conn: &mut Conn, buckets: &[(String, i64)]) -> AppResult<()> {
    let now = app.now();
    for (b, _) in buckets {
        login_failures::record(conn, b, now).await?;
    }
    Ok(())
}

/// Log a portal user in with email and password.
pub async fn portal_login(
    app: &App,
    email: &str,
    password: &str,
    client: &ClientInfo,
) -> AppResult<NewSession> {
    let email = email.trim().to_lowercase();
    let b = buckets(app, "acct", &email, client);
    let mut conn = app.db.conn().await?;
    check_rate(app, &mut conn, &b).await?;
    let user = portal_users::find_by_email(&mut conn, &email).await?;
    let hash = user.as_ref().and_then(|u| u.password_hash.clone());
    // Never hold a pooled connection while hashing: under a burst of logins
    // that would starve page requests of connections.
    drop(conn);
    let verified = app.hasher.verify(password, hash.as_deref()).await?;
    let mut conn = app.db.conn().await?;
    if !verified {
        record_failure(app, &mut conn, &b).await?;
        return Err(AppError::Refused(BAD_LOGIN.into()));
    }
    let user = user.expect("verified against a real hash");
    // The password was right, so the person may learn why they can't come in.
    if user.state == PortalUserState::Inactive.as_str() {
        return Err(AppError::Refused(
            "Your portal account has been deactivated. Please contact us if you need access."
                .into(),
        ));
    }
    if user.state != PortalUserState::Active.as_str() {
        return Err(AppError::Refused(BAD_LOGIN.into()));
    }
    if let Err(why) = access_check(&user, app.clock.today()) {
        let msg = match why {
            AccessDenied::Ended => {
                "Your portal access has ended. Please contact us if you still need it."
            }
            AccessDenied::NotYetOpen => "Your portal access has not started yet.",
            _ => "Portal access is not available for your account. Please contact us.",
        };
        return Err(AppError::Refused(msg.into()));
    }
    login_failures::clear(&mut conn, &b[0].0).await?;
    portal_users::touch_login(&mut conn, &user.id, app.now()).await?;
    start_session(&mut conn, app.now(), UserKind::Portal, &user.id, client).await
}

pub async fn staff_login(
    app: &App,
    email: &str,
    password: &str,
    client: &ClientInfo,
) -> AppResult<NewSession> {
    let email = email.trim().to_lowercase();
    let b = buckets(app, "staff", &email, client);
    let mut conn = app.db.conn().await?;
    check_rate(app, &mut conn, &b).await?;
    let user = staff::find_by_email(&mut conn, &email).await?;
    let hash = user
        .as_ref()
        .filter(|u| u.active == 1)
        .and_then(|u| u.password_hash.clone());
    // Never hold a pooled connection while hashing: under a burst of logins
    // that would starve page requests of connections.
    drop(conn);
    let verified = app.hasher.verify(password, hash.as_deref()).await?;
    let mut conn = app.db.conn().await?;
    if !verified {
        record_failure(app, &mut conn, &b).await?;
        return Err(AppError::Refused(BAD_LOGIN.into()));
    }
    let user = user.expect("verified against a real hash");
    login_failures::clear(&mut conn, &b[0].0).await?;
    start_session(&mut conn, app.now(), UserKind::Staff, &user.id, client).await
}

pub async fn list_sessions(app: &App, kind: UserKind, user_id: &str) -> AppResult<Vec<Session>> {
    let mut conn = app.db.conn().await?;
    Ok(sessions::list_for_user(&mut conn, kind.as_str(), user_id).await?)
}

/// End one of the caller's own sessions; another user's session is "not found".
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
        .map_err(|e| AppError::field("password", e.to_string()))?;
    if password != confirm {
        return Err(AppError::field(
            "confirm",
            "The two passwords do not match.",
        ));
    }
    Ok(p)
}

/// The pending user an invitation link is for, or a refusal when the link is dead.
pub async fn invitation_user(app: &App, token: &str) -> AppResult<PortalUser> {
    let mut conn = app.db.conn().await?;
    let t = tokens::find_valid(&mut conn, &token_hash(token), "invite", app.now())
        .await?
        .ok_or_else(|| AppError::Refused(LINK_GONE.into()))?;
    let user = portal_users::find(&mut conn, &t.user_id).await?;
    if user.state != PortalUserState::Pending.as_str() {
        return Err(AppError::Refused(LINK_GONE.into()));
    }
    Ok(user)
}

/// Accept an invitation: set the password, activate, log in. All or nothing.
pub async fn accept_invitation(
    app: &App,
    token: &str,
    password: &str,
    confirm: &str,
    client: &ClientInfo,
) -> AppResult<NewSession> {
    let user = invitation_user(app, token).await?;
    let password = check_password(password, confirm, &user.email)?;
    let hash = app.hasher.hash(password.expose()).await?;
    let now = app.now();
    let mut tx = app.db.begin().await?;
    if tokens::consume(&mut tx, &token_hash(token), "invite", now)
        .await?
        .is_none()
    {
        return Err(AppError::Refused(LINK_GONE.into()));
    }
    let next = PortalUserState::Pending
        .apply(StateChange::Accept, true)
        .expect("pending users can accept");
    if !portal_users::set_state(&mut tx, &user.id, "pending", next.as_str(), now).await? {
        return Err(AppError::Refused(LINK_GONE.into()));
    }
    portal_users::set_password(&mut tx, &user.id, &hash, now).await?;
    let session = start_session(&mut tx, now, UserKind::Portal, &user.id, client).await?;
    tx.commit().await.map_err(courtyard_db::DbError::from)?;
    Ok(session)
}

/// Queued work whose outcome must not show in the response.
#[derive(Debug, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum AccountJob {
    PasswordReset { email: String },
    UsernameReminder { email: String },
}

/// "Forgot password": queue the request; the worker sends a link if the
/// account exists. The caller always shows the same confirmation, whether
/// an email was queued or the request was throttled.
pub async fn request_password_reset(app: &App, email: &str, client: &ClientInfo) -> AppResult<()> {
    let email = EmailAddress::parse(email).map_err(|m| AppError::field("email", m))?;
    queue_account_job(
        app,
        client,
        AccountJob::PasswordReset {
            email: email.into_inner(),
        },
    )
    .await
}

/// "Forgot username": as above, with a reminder of the username.
pub async fn request_username(app: &App, email: &str, client: &ClientInfo) -> AppResult<()> {
    let email = EmailAddress::parse(email).map_err(|m| AppError::field("email", m))?;
    queue_account_job(
        app,
        client,
        AccountJob::UsernameReminder {
            email: email.into_inner(),
        },
    )
    .await
}

/// The block one client is likely to hold: its IPv4 address, or the /64 of
/// an IPv6 one (a single subscriber gets a whole /64).
fn address_group(ip: &str) -> String {
    match ip.parse::<std::net::IpAddr>() {
        Ok(std::net::IpAddr::V6(v6)) => {
            let s = v6.segments();
            format!("{:x}:{:x}:{:x}:{:x}::/64", s[0], s[1], s[2], s[3])
        }
        _ => ip.to_owned(),
    }
}

/// Queue an account email unless it is throttled: one of each kind per
/// address per interval (claimed atomically, so a burst sends one), a budget per IP
/// address, and a cap on what waits in the outbox. A throttled request
/// changes nothing, so it cannot push a real reset link out of the way.
async fn queue_account_job(app: &App, client: &ClientInfo, job: AccountJob) -> AppResult<()> {
    let (what, email) = match &job {
        AccountJob::PasswordReset { email } => ("reset", email),
        AccountJob::UsernameReminder { email } => ("username", email),
    };
    let cfg = &app.config.auth;
    let now = app.now();
    let interval = cfg.account_email_interval_minutes.max(1) * 60;
    let ip_bucket = format!("account-mail-ip:{}", address_group(&client.ip));
    let mail_bucket = format!("account-mail:{what}:{email}");
    let mut tx = app.db.begin().await?;
    let (sent_lately, _) =
        login_failures::recent(&mut tx, &mail_bucket, now - interval + 1).await?;
    let (from_ip, _) =
        login_failures::recent(&mut tx, &ip_bucket, now - cfg.failure_window_minutes * 60).await?;
    if sent_lately > 0 || from_ip >= cfg.account_emails_per_ip {
        tracing::info!(ip = %client.ip, "account email throttled");
        return Ok(());
    }
    if outbox::count_waiting(&mut tx, <AccountJob as crate::outbox::Job>::KIND).await?
        >= cfg.max_queued_account_jobs
    {
        tracing::warn!("account emails throttled: the outbox holds too many");
        return Ok(());
    }
    let slot = format!("{mail_bucket}:{}", now / interval);
    if !login_failures::claim(&mut tx, &slot, &mail_bucket, now).await? {
        return Ok(());
    }
    login_failures::record(&mut tx, &ip_bucket, now).await?;
    crate::outbox::enqueue(&mut tx, &job, now).await?;
    tx.commit().await.map_err(courtyard_db::DbError::from)?;
    Ok(())
}

impl crate::outbox::Job for AccountJob {
    const KIND: &'static str = "account";

    async fn run(&self, app: &App) -> AppResult<()> {
        run_account_job(app, self).await
    }
}

/// Worker side of [`AccountJob`]: look the account up and send, or do nothing.
async fn run_account_job(app: &App, job: &AccountJob) -> AppResult<()> {
    let mut conn = app.db.conn().await?;
    let business = app.config.business_name.clone();
    match job {
        AccountJob::PasswordReset { email } => {
            let Some(user) = portal_users::find_by_email(&mut conn, email).await? else {
                return Ok(());
            };
            if user.state != PortalUserState::Active.as_str() {
                return Ok(());
            }
            let now = app.now();
            let expires = now + app.config.auth.reset_ttl_minutes * 60;
            let token = random_token();
            let intro = emails::intro(&mut conn, EmailKind::PasswordReset, &business).await?;
            let mail = emails::render(
                EmailKind::PasswordReset,
                &EmailContext {
                    to: &user.email,
                    business_name: &business,
                    first_name: &user.first_name,
                    intro: &intro,
                    link: &app.url(&format!("/reset/{token}")),
                    username: &user.email,
                    expires: &emails::format_time(expires),
                },
            )?;
            // Earlier links stay valid until they expire or one is used:
            // a second request must not kill the one the person is reading.
            // The account is read again in the transaction: if staff changed
            // its email meanwhile, no link goes to the old address.
            let mut tx = app.db.begin().await?;
            let now_user = portal_users::find(&mut tx, &user.id).await?;
            if now_user.email != user.email || now_user.state != PortalUserState::Active.as_str() {
                return Ok(());
            }
            tokens::insert(
                &mut tx,
                &token_hash(&token),
                "reset",
                "portal",
                &user.id,
                now,
                expires,
            )
            .await?;
            tx.commit().await.map_err(courtyard_db::DbError::from)?;
            drop(conn);
            crate::outbox::send_now(app, &mail).await
        }
        AccountJob::UsernameReminder { email } => {
            let Some(user) = portal_users::find_by_email(&mut conn, email).await? else {
                return Ok(());
            };
            if user.state != PortalUserState::Active.as_str() {
                return Ok(());
            }
            let intro = emails::intro(&mut conn, EmailKind::UsernameReminder, &business).await?;
            let mail = emails::render(
                EmailKind::UsernameReminder,
                &EmailContext {
                    to: &user.email,
                    business_name: &business,
                    first_name: &user.first_name,
                    intro: &intro,
                    link: &app.url("/login"),
                    username: &user.email,
                    expires: "",
                },
            )?;
            drop(conn);
            crate::outbox::send_now(app, &mail).await
        }
    }
}

/// The user a reset link is for, or a refusal when the link is dead.
pub async fn reset_user(app: &App, token: &str) -> AppResult<PortalUser> {
    let mut conn = app.db.conn().await?;
    let t = tokens::find_valid(&mut conn, &token_hash(token), "reset", app.now())
        .await?
        .ok_or_else(|| AppError::Refused(LINK_GONE.into()))?;
    Ok(portal_users::find(&mut conn, &t.user_id).await?)
}

/// Set a new password from a reset link; every existing session ends.
pub async fn reset_password(
    app: &App,
    token: &str,
    password: &str,
    confirm: &str,
) -> AppResult<()> {
    let user = reset_user(app, token).await?;
    let password = check_password(password, confirm, &user.email)?;
    let hash = app.hasher.hash(password.expose()).await?;
    let now = app.now();
    let mut tx = app.db.begin().await?;
    if tokens::consume(&mut tx, &token_hash(token), "reset", now)
        .await?
        .is_none()
    {
        return Err(AppError::Refused(LINK_GONE.into()));
    }
    portal_users::set_password(&mut tx, &user.id, &hash, now).await?;
    tokens::revoke_for_user(&mut tx, "reset", "portal", &user.id, now).await?;
    sessions::delete_all_for_user(&mut tx, "portal", &user.id).await?;
    tx.commit().await.map_err(courtyard_db::DbError::from)?;
    let mut conn = app.db.conn().await?;
    login_failures::clear(&mut conn, &format!("acct:{}", user.email)).await?;
    Ok(())
}

/// Create a staff member from the command line. With no password, returns a
/// one-time link where they choose one.
pub async fn create_staff(
    app: &App,
    email: &str,
    name: &str,
    role: StaffRole,
    password: Option<&str>,
) -> AppResult<Option<String>> {
    let email = EmailAddress::parse(email).map_err(|m| AppError::field("email", m))?;
    let name = name.trim();
    if name.is_empty() {
        return Err(AppError::field("name", "Enter a name."));
    }
    let hash = match password {
        Some(p) => {
            let p = NewPassword::parse(p, Some(email.as_str()))
                .map_err(|e| AppError::field("password", e.to_string()))?;
            Some(app.hasher.hash(p.expose()).await?)
        }
        None => None,
    };
    let now = app.now();
    let mut tx = app.db.begin().await?;
    let user = staff::insert(
        &mut tx,
        email.as_str(),
        name,
        role.as_str(),
        hash.as_deref(),
        now,
    )
    .await
    .map_err(|e| match e {
        courtyard_db::DbError::Conflict(_) => {
            AppError::field("email", "A staff member with this email already exists.")
        }
        other => other.into(),
    })?;
    let link = if hash.is_none() {
        let token = random_token();
        tokens::insert(
            &mut tx,
            &token_hash(&token),
            "staff_password",
            "staff",
            &user.id,
            now,
            now + 72 * 3600,
        )
        .await?;
        Some(app.url(&format!("/staff/password/{token}")))
    } else {
        None
    };
    tx.commit().await.map_err(courtyard_db::DbError::from)?;
    Ok(link)
}

/// When no staff exist yet, a one-time link that creates the first owner.
pub async fn ensure_setup_link(app: &App) -> AppResult<Option<String>> {
    let mut conn = app.db.conn().await?;
    if staff::count(&mut conn).await? > 0 {
        return Ok(None);
    }
    let now = app.now();
    tokens::revoke_for_user(&mut conn, "setup", "setup", "-", now).await?;
    let token = random_token();
    tokens::insert(
        &mut conn,
        &token_hash(&token),
        "setup",
        "setup",
        "-",
        now,
        now + 24 * 3600,
    )
    .await?;
    Ok(Some(app.url(&format!("/staff/setup/{token}"))))
}

pub async fn setup_link_valid(app: &App, token: &str, purpose: &str) -> AppResult<()> {
    let mut conn = app.db.conn().await?;
    tokens::find_valid(&mut conn, &token_hash(token), purpose, app.now())
        .await?
        .map(drop)
        .ok_or_else(|| AppError::Refused(LINK_GONE.into()))
}

/// Create the first owner from the setup link and log them in.
pub async fn complete_setup(
    app: &App,
    token: &str,
    name: &str,
    email: &str,
    password: &str,
    confirm: &str,
    client: &ClientInfo,
) -> AppResult<NewSession> {
    setup_link_valid(app, token, "setup").await?;
    let mut problems = crate::error::Problems::default();
    let email = problems.take("email", EmailAddress::parse(email));
    if name.trim().is_empty() {
        problems.add("name", "Enter your name.");
    }
    let pw = email
        .as_ref()
        .map(|e| check_password(password, confirm, e.as_str()));
    if let Some(Err(AppError::Invalid(v))) = &pw {
        problems.0.extend(v.iter().cloned());
    }
    problems.into_result()?;
    let (email, pw) = (email.expect("checked"), pw.expect("checked")?);
    let hash = app.hasher.hash(pw.expose()).await?;
    let now = app.now();
    let mut tx = app.db.begin().await?;
    if tokens::consume(&mut tx, &token_hash(token), "setup", now)
        .await?
        .is_none()
    {
        return Err(AppError::Refused(LINK_GONE.into()));
    }
    let user = staff::insert(
        &mut tx,
        email.as_str(),
        name.trim(),
        StaffRole::Owner.as_str(),
        Some(&hash),
        now,
    )
    .await?;
    let s = start_session(&mut tx, now, UserKind::Staff, &user.id, client).await?;
    tx.commit().await.map_err(courtyard_db::DbError::from)?;
    Ok(s)
}

/// Set a staff password from a link printed by `admin create-staff`.
pub async fn set_staff_password(
    app: &App,
    token: &str,
    password: &str,
    confirm: &str,
) -> AppResult<()> {
    let mut conn = app.db.conn().await?;
    let t = tokens::find_valid(&mut conn, &token_hash(token), "staff_password", app.now())
        .await?
        .ok_or_else(|| AppError::Refused(LINK_GONE.into()))?;
    let user = staff::find(&mut conn, &t.user_id).await?;
    drop(conn);
    let pw = check_password(password, confirm, &user.email)?;
    let hash = app.hasher.hash(pw.expose()).await?;
    let now = app.now();
    let mut tx = app.db.begin().await?;
    if tokens::consume(&mut tx, &token_hash(token), "staff_password", now)
        .await?
        .is_none()
    {
        return Err(AppError::Refused(LINK_GONE.into()));
    }
    staff::set_password(&mut tx, &user.id, &hash).await?;
    sessions::delete_all_for_user(&mut tx, "staff", &user.id).await?;
    tx.commit().await.map_err(courtyard_db::DbError::from)?;
    Ok(())
}
