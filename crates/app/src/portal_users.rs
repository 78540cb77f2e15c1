//! Staff manage portal users: give access, invite and resend, deactivate and
//! reactivate, change permission set, scope and access window.

use courtyard_db::portal_users::PortalUserSettings;
use courtyard_db::{contacts, permission_sets, portal_users, sessions, tokens, DbError};
use courtyard_domain::FieldCode;
use courtyard_domain::{AccessWindow, EmailAddress, PortalUserState, RecordScope, StateChange};
use serde::Deserialize;

use crate::auth::PortalUser;
use crate::emails::{self, EmailContext, EmailKind};
use crate::error::Problems;
use crate::security::{random_token, token_hash};
use crate::{App, AppError, AppResult};

/// The read models these use cases return.
pub use courtyard_db::portal_users::PortalUserFilter;

/// The portal-user form as submitted.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct PortalUserForm {
    pub email: String,
    pub permission_set_id: String,
    pub record_scope: String,
    pub access_from: String,
    pub access_until: String,
}

impl PortalUserForm {
    pub fn from_user(u: &PortalUser) -> Self {
        Self {
            email: u.email.clone(),
            permission_set_id: u.permission_set_id.clone(),
            record_scope: u.record_scope.clone(),
            access_from: u.access_from.clone().unwrap_or_default(),
            access_until: u.access_until.clone().unwrap_or_default(),
        }
    }

    async fn parse(&self, conn: &mut courtyard_db::Conn) -> AppResult<PortalUserSettings> {
        let mut p = Problems::default();
        let email = p.take("email", FieldCode::Format, EmailAddress::parse(&self.email));
        let scope = RecordScope::parse(&self.record_scope);
        if scope.is_none() {
            p.add(
                "record_scope",
                FieldCode::InvalidChoice,
                "Choose which records this person sees.",
            );
        }
        let window = match AccessWindow::parse(&self.access_from, &self.access_until) {
            Ok(w) => Some(w),
            Err(e) => {
                p.0.push(e);
                None
            }
        };
        match permission_sets::find(conn, &self.permission_set_id).await {
            Ok(_) => {}
            Err(DbError::NotFound) => p.add(
                "permission_set_id",
                FieldCode::InvalidChoice,
                "Choose a permission set.",
            ),
            Err(e) => return Err(e.into()),
        }
        p.into_result()?;
        let window = window.expect("checked");
        let date = |d: Option<time::Date>| d.map(|d| d.to_string());
        Ok(PortalUserSettings {
            email: email.expect("checked").into_inner(),
            permission_set_id: self.permission_set_id.clone(),
            record_scope: scope.expect("checked").as_str().into(),
            access_from: date(window.from),
            access_until: date(window.until),
        })
    }
}

fn duplicate_email() -> AppError {
    AppError::field(
        "email",
        FieldCode::Taken,
        "Another portal user already has this email address. Each portal user needs their own.",
    )
}

/// Make a portal user for an existing contact, optionally inviting them at once.
#[tracing::instrument(skip_all)]
pub async fn give_access(
    app: &App,
    contact_id: &str,
    form: &PortalUserForm,
    invite_now: bool,
) -> AppResult<String> {
    let now = app.now();
    let mut tx = app.db.begin().await?;
    let contact = contacts::find(&mut tx, contact_id).await?;
    if contact.portal_user_id.is_some() {
        return Err(AppError::Conflict(
            "This person already has portal access.".into(),
        ));
    }
    if contact.company_id.is_none() {
        return Err(AppError::field(
            "email",
            FieldCode::NotAllowed,
            "Link this person to a company first: portal users see their company's records.",
        ));
    }
    let settings = form.parse(&mut tx).await?;
    if portal_users::find_by_email(&mut tx, &settings.email)
        .await?
        .is_some()
    {
        return Err(duplicate_email());
    }
    let id = portal_users::insert(&mut tx, contact_id, &settings, now)
        .await
        .map_err(|e| match e {
            DbError::Conflict(_) => duplicate_email(),
            other => other.into(),
        })?;
    // The login email is the person's email (OpenCRM: email as username).
    contacts::set_email(&mut tx, contact_id, &settings.email, now).await?;
    if invite_now {
        invite_in(app, &mut tx, &id, now).await?;
    }
    tx.commit().await.map_err(DbError::from)?;
    Ok(id)
}

#[tracing::instrument(skip_all, fields(id = %id))]
pub async fn update(app: &App, id: &str, form: &PortalUserForm) -> AppResult<()> {
    let now = app.now();
    let mut tx = app.db.begin().await?;
    let user = portal_users::find(&mut tx, id).await?;
    let settings = form.parse(&mut tx).await?;
    if let Some(other) = portal_users::find_by_email(&mut tx, &settings.email).await? {
        if other.id != id {
            return Err(duplicate_email());
        }
    }
    portal_users::update_settings(&mut tx, id, &settings, now)
        .await
        .map_err(|e| match e {
            DbError::Conflict(_) => duplicate_email(),
            other => other.into(),
        })?;
    contacts::set_email(&mut tx, &user.contact_id, &settings.email, now).await?;
    if settings.email != user.email {
        // A changed login ends the sessions opened under the old one, and
        // the links mailed to the old address die with them: whoever reads
        // that mailbox now must not activate or reset this account. A
        // pending user gets a fresh invitation at the new address.
        sessions::delete_all_for_user(&mut tx, "portal", id).await?;
        tokens::revoke_for_user(&mut tx, "reset", "portal", id, now).await?;
        tokens::revoke_for_user(&mut tx, "invite", "portal", id, now).await?;
        if user.state == PortalUserState::Pending.as_str() {
            invite_in(app, &mut tx, id, now).await?;
        }
    }
    tx.commit().await.map_err(DbError::from)?;
    Ok(())
}

/// Send or resend the invitation. A resend kills the previous link.
#[tracing::instrument(skip_all, fields(id = %id))]
pub async fn invite(app: &App, id: &str) -> AppResult<()> {
    let now = app.now();
    let mut tx = app.db.begin().await?;
    invite_in(app, &mut tx, id, now).await?;
    tx.commit().await.map_err(DbError::from)?;
    Ok(())
}

async fn invite_in(app: &App, conn: &mut courtyard_db::Conn, id: &str, now: i64) -> AppResult<()> {
    let user = portal_users::find(conn, id).await?;
    let state = PortalUserState::parse(&user.state).unwrap_or(PortalUserState::Awaiting);
    let next = state
        .apply(StateChange::Invite, user.password_hash.is_some())
        .ok_or_else(|| AppError::Conflict(format!("{} users can't be invited.", state.label())))?;
    if !portal_users::set_state(conn, id, state.as_str(), next.as_str(), now).await? {
        return Err(AppError::Conflict(
            "The user changed meanwhile; reload and try again.".into(),
        ));
    }
    tokens::revoke_for_user(conn, "invite", "portal", id, now).await?;
    let token = random_token();
    let expires = now + app.config.auth.invitation_ttl_hours * 3600;
    tokens::insert(
        conn,
        &token_hash(&token),
        "invite",
        "portal",
        id,
        now,
        expires,
    )
    .await?;
    let business = &app.config.business_name;
    let intro = emails::intro(conn, EmailKind::Invitation, business).await?;
    let mail = emails::render(
        EmailKind::Invitation,
        &EmailContext {
            to: &user.email,
            business_name: business,
            first_name: &user.first_name,
            intro: &intro,
            link: &app.url(&crate::links::invitation(&token)),
            username: &user.email,
            expires: &emails::format_time(expires),
        },
    )?;
    crate::outbox::enqueue_email(conn, &mail, now).await
}

/// Deactivate: the user can't log in and every session ends at once.
#[tracing::instrument(skip_all, fields(id = %id))]
pub async fn deactivate(app: &App, id: &str) -> AppResult<()> {
    change_state(app, id, StateChange::Deactivate).await
}

#[tracing::instrument(skip_all, fields(id = %id))]
pub async fn reactivate(app: &App, id: &str) -> AppResult<()> {
    change_state(app, id, StateChange::Reactivate).await
}

async fn change_state(app: &App, id: &str, change: StateChange) -> AppResult<()> {
    let now = app.now();
    let mut tx = app.db.begin().await?;
    let user = portal_users::find(&mut tx, id).await?;
    let state = PortalUserState::parse(&user.state).unwrap_or(PortalUserState::Awaiting);
    let next = state
        .apply(change, user.password_hash.is_some())
        .ok_or_else(|| {
            AppError::Conflict(format!(
                "This can't be done to a user who is {}.",
                state.label().to_lowercase()
            ))
        })?;
    if !portal_users::set_state(&mut tx, id, state.as_str(), next.as_str(), now).await? {
        return Err(AppError::Conflict(
            "The user changed meanwhile; reload and try again.".into(),
        ));
    }
    if next == PortalUserState::Inactive {
        sessions::delete_all_for_user(&mut tx, "portal", id).await?;
        tokens::revoke_for_user(&mut tx, "invite", "portal", id, now).await?;
        tokens::revoke_for_user(&mut tx, "reset", "portal", id, now).await?;
    }
    tx.commit().await.map_err(DbError::from)?;
    Ok(())
}

#[tracing::instrument(skip_all, fields(id = %id))]
pub async fn find(app: &App, id: &str) -> AppResult<PortalUser> {
    let mut conn = app.db.conn().await?;
    Ok(portal_users::find(&mut conn, id).await?)
}

#[tracing::instrument(skip_all)]
pub async fn list(app: &App, filter: &PortalUserFilter) -> AppResult<Vec<PortalUser>> {
    let mut conn = app.db.conn().await?;
    Ok(portal_users::list(&mut conn, filter).await?)
}

#[tracing::instrument(skip_all)]
pub async fn counts(app: &App) -> AppResult<Vec<(PortalUserState, i64)>> {
    let mut conn = app.db.conn().await?;
    let raw = portal_users::count_by_state(&mut conn).await?;
    Ok(PortalUserState::ALL
        .iter()
        .map(|s| {
            (
                *s,
                raw.iter()
                    .find(|(k, _)| k == s.as_str())
                    .map_or(0, |(_, n)| *n),
            )
        })
        .collect())
}
