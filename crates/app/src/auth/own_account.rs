//! A signed-in person's own account: change the password (the current one
//! checked and throttled like a login, the new one under the same policy,
//! every other session ended, this one given a new id) and log out of every
//! other session.

use courtyard_db::{login_failures, portal_users, sessions, staff, tokens};
use courtyard_domain::FieldCode;

use crate::{App, AppError, AppResult};

use super::login::{check_rate, login_buckets, record_failure};
use super::{check_password, UserKind};

/// The person asking and the session they ask from.
#[derive(Debug, Clone, Copy)]
pub struct Me<'a> {
    pub kind: UserKind,
    pub user_id: &'a str,
    pub session: &'a str,
}

/// What a wrong current password says.
pub const WRONG_CURRENT: &str = "That is not your current password.";

/// Change the caller's own password. Every session but the one asking
/// ends, so a thief holding another session is out; the one asking is
/// replaced by a new session (a new cookie, the old id dead), so a copy of
/// its cookie taken before the change is worthless too. Returns the new
/// session for the caller's cookie.
#[tracing::instrument(skip_all)]
pub async fn change_password(
    app: &App,
    me: Me<'_>,
    current: &str,
    new: &str,
    confirm: &str,
    client: &super::ClientInfo,
) -> AppResult<super::NewSession> {
    let Me { kind, user_id, .. } = me;
    let mut conn = app.db.conn().await?;
    let (email, hash) = match kind {
        UserKind::Portal => {
            let u = portal_users::find(&mut conn, user_id).await?;
            (u.email, u.password_hash)
        }
        UserKind::Staff => {
            let u = staff::find(&mut conn, user_id).await?;
            (u.email, u.password_hash)
        }
    };
    let b = login_buckets(app, kind, &email, client);
    check_rate(app, &mut conn, &b).await?;
    // The new password's problems first: they cost no hashing.
    let pw = check_password(new, confirm, &email)?;
    // Never hold a pooled connection while hashing.
    drop(conn);
    if !app.hasher.verify(current, hash.as_deref()).await? {
        let mut conn = app.db.conn().await?;
        record_failure(app, &mut conn, &b).await?;
        return Err(AppError::field(
            "current",
            FieldCode::WrongPassword,
            WRONG_CURRENT,
        ));
    }
    let new_hash = app.hasher.hash(pw.expose()).await?;
    let mut tx = app.db.begin().await?;
    match kind {
        UserKind::Portal => {
            portal_users::set_password(&mut tx, user_id, &new_hash, app.now()).await?;
        }
        UserKind::Staff => staff::set_password(&mut tx, user_id, &new_hash).await?,
    }
    // Every session ends, this one too; it carries on as a new one.
    sessions::delete_all_for_user(&mut tx, kind.as_str(), user_id).await?;
    let session = super::start_session(&mut tx, app.now(), kind, user_id, client).await?;
    // A reset link asked for before the change must not undo it.
    tokens::revoke_for_user(&mut tx, "reset", kind.as_str(), user_id, app.now()).await?;
    login_failures::clear(&mut tx, &b[0].0).await?;
    tx.commit().await.map_err(courtyard_db::DbError::from)?;
    Ok(session)
}

/// Log out of every session but the one asking; returns how many ended.
#[tracing::instrument(skip_all)]
pub async fn end_other_sessions(app: &App, me: Me<'_>) -> AppResult<u64> {
    let mut conn = app.db.conn().await?;
    Ok(
        sessions::delete_others_for_user(&mut conn, me.kind.as_str(), me.user_id, me.session)
            .await?,
    )
}
