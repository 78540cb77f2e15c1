//! The outbox's lower half: queue an email in the caller's transaction, or
//! send one now from inside a job. The worker (the top of the crate) runs
//! what is queued.

use courtyard_db::outbox;
use courtyard_mail::Email;

use crate::{App, AppError, AppResult};

/// Queue an email in the caller's transaction.
pub async fn enqueue_email(
    conn: &mut courtyard_db::Conn,
    email: &Email,
    now: i64,
) -> AppResult<()> {
    let payload = serde_json::to_string(email).map_err(anyhow::Error::from)?;
    outbox::enqueue(conn, "email", &payload, now).await?;
    Ok(())
}

/// Send straight away (from inside a job).
pub async fn send_now(app: &App, email: &Email) -> AppResult<()> {
    app.mailer
        .send(&app.config.mail_from(), email)
        .await
        .map_err(|e| AppError::Internal(e.into()))
}
