//! Staff accounts: made from the command line, the first admin's setup link,
//! and setting a staff password.

use courtyard_db::{sessions, staff, tokens};
use courtyard_domain::FieldCode;
use courtyard_domain::{EmailAddress, NewPassword, StaffRole};

use crate::security::{random_token, token_hash};
use crate::{App, AppError, AppResult};

use super::{check_password, start_session, ClientInfo, NewSession, UserKind, LINK_GONE};

/// Every staff member, for pick lists (owner, assignee).
pub async fn staff_members(app: &App) -> AppResult<Vec<super::StaffUser>> {
    let mut conn = app.db.conn().await?;
    Ok(staff::list(&mut conn).await?)
}

/// Create a staff member from the command line. With no password, returns a
/// one-time link where they choose one.
#[tracing::instrument(skip_all)]
pub async fn create_staff(
    app: &App,
    email: &str,
    name: &str,
    role: StaffRole,
    password: Option<&str>,
) -> AppResult<Option<String>> {
    let email =
        EmailAddress::parse(email).map_err(|m| AppError::field("email", FieldCode::Format, m))?;
    let name = name.trim();
    if name.is_empty() {
        return Err(AppError::field(
            "name",
            FieldCode::Required,
            "Enter a name.",
        ));
    }
    let hash = match password {
        Some(p) => {
            let p = NewPassword::parse(p, Some(email.as_str()))
                .map_err(|e| AppError::field("password", e.code(), e.to_string()))?;
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
        courtyard_db::DbError::Conflict(_) => AppError::field(
            "email",
            FieldCode::Taken,
            "A staff member with this email already exists.",
        ),
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
        Some(app.url(&crate::links::staff_password(&token)))
    } else {
        None
    };
    tx.commit().await.map_err(courtyard_db::DbError::from)?;
    Ok(link)
}

/// When no staff exist yet, a one-time link that creates the first owner.
#[tracing::instrument(skip_all)]
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
    Ok(Some(app.url(&crate::links::staff_setup(&token))))
}

#[tracing::instrument(skip_all)]
pub async fn setup_link_valid(app: &App, token: &str, purpose: &str) -> AppResult<()> {
    let mut conn = app.db.conn().await?;
    tokens::find_valid(&mut conn, &token_hash(token), purpose, app.now())
        .await?
        .map(drop)
        .ok_or_else(|| AppError::Refused(LINK_GONE.into()))
}

/// Create the first owner from the setup link and log them in.
#[tracing::instrument(skip_all)]
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
    let email = problems.take("email", FieldCode::Format, EmailAddress::parse(email));
    if name.trim().is_empty() {
        problems.add("name", FieldCode::Required, "Enter your name.");
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
#[tracing::instrument(skip_all)]
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
