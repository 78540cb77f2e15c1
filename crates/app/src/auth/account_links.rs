//! The emailed one-time links of portal accounts: accepting an invitation,
//! forgotten passwords (queued, looked up by the worker, so the
//! response never tells whether an account exists), resetting a password.

use courtyard_db::{login_failures, outbox, portal_users, sessions, tokens};
use courtyard_domain::FieldCode;
use courtyard_domain::{EmailAddress, PortalUserState, StateChange};
use serde::{Deserialize, Serialize};

use crate::emails::{self, EmailContext, EmailKind};
use crate::security::{random_token, token_hash};
use crate::{App, AppError, AppResult};

use super::{check_password, start_session, ClientInfo, NewSession, UserKind, LINK_GONE};
use courtyard_db::portal_users::PortalUser;

/// The pending user an invitation link is for, or a refusal when the link is dead.
#[tracing::instrument(skip_all)]
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
#[tracing::instrument(skip_all)]
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
    PasswordReset {
        email: String,
    },
    /// Queued by versions before the username reminder was replaced by
    /// "Can't reach your email?" (the username is the email address): such
    /// a row is done without sending anything.
    UsernameReminder {
        email: String,
    },
}

/// "Forgot password": queue the request; the worker sends a link if the
/// account exists. The caller always shows the same confirmation, whether
/// an email was queued or the request was throttled.
#[tracing::instrument(skip_all)]
pub async fn request_password_reset(app: &App, email: &str, client: &ClientInfo) -> AppResult<()> {
    let email =
        EmailAddress::parse(email).map_err(|m| AppError::field("email", FieldCode::Format, m))?;
    queue_account_job(
        app,
        client,
        AccountJob::PasswordReset {
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
                    link: &app.url(&crate::links::password_reset(&token)),
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
        AccountJob::UsernameReminder { .. } => {
            tracing::info!("an old username reminder was dropped: usernames are email addresses");
            Ok(())
        }
    }
}

/// The user a reset link is for, or a refusal when the link is dead.
#[tracing::instrument(skip_all)]
pub async fn reset_user(app: &App, token: &str) -> AppResult<PortalUser> {
    let mut conn = app.db.conn().await?;
    let t = tokens::find_valid(&mut conn, &token_hash(token), "reset", app.now())
        .await?
        .ok_or_else(|| AppError::Refused(LINK_GONE.into()))?;
    Ok(portal_users::find(&mut conn, &t.user_id).await?)
}

/// Set a new password from a reset link; every existing session ends.
#[tracing::instrument(skip_all)]
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
