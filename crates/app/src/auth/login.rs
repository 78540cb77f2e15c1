//! Password logins for portal users and staff, throttled per account and per
//! address: one message and one argon2 verification whatever failed.

use courtyard_db::{login_failures, portal_users, staff, Conn};
use courtyard_domain::{AccessDenied, PortalUserState};

use crate::{App, AppError, AppResult};

use super::{access_check, start_session, ClientInfo, NewSession, UserKind, BAD_LOGIN};

/// Refuse with a delay when too many recent failures hit any bucket. Failures
/// age out after the window, so nobody is ever locked out for good.
pub(super) async fn check_rate(
    app: &App,
    conn: &mut Conn,
    buckets: &[(String, i64)],
) -> AppResult<()> {
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

/// The buckets of a login by a person of `kind`.
pub(super) fn login_buckets(
    app: &App,
    kind: UserKind,
    email: &str,
    client: &ClientInfo,
) -> Vec<(String, i64)> {
    let k = match kind {
        UserKind::Portal => "acct",
        UserKind::Staff => "staff",
    };
    buckets(app, k, &email.trim().to_lowercase(), client)
}

/// The rate-limit buckets of a login: the account (`kind` keeps staff and
/// portal accounts apart) and the client's address.
fn buckets(app: &App, kind: &str, email: &str, client: &ClientInfo) -> Vec<(String, i64)> {
    vec![
        (format!("{kind}:{email}"), app.config.auth.account_failures),
        (format!("ip:{}", client.ip), app.config.auth.ip_failures),
    ]
}

pub(super) async fn record_failure(
    app: &App,
    conn: &mut Conn,
    buckets: &[(String, i64)],
) -> AppResult<()> {
    let now = app.now();
    for (b, _) in buckets {
        login_failures::record(conn, b, now).await?;
    }
    Ok(())
}

/// Log a portal user in with email and password.
#[tracing::instrument(skip_all)]
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

#[tracing::instrument(skip_all)]
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
