//! The outbox's lower half: a [`Job`] is queued in the caller's transaction
//! (so it happens exactly when the change commits) and run later by the
//! worker, which dispatches on [`Job::KIND`] through its registry
//! (`worker::jobs()`). A job runs at least once: a worker that dies mid-run
//! leaves it to be run again, so a second run must be harmless (an email
//! may then go twice; nothing is lost).

use std::future::Future;
use std::pin::Pin;

use courtyard_db::outbox;
use courtyard_mail::Email;
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

use crate::{App, AppError, AppResult};

/// Work done after the transaction that asked for it.
pub trait Job: Serialize + DeserializeOwned + Send + Sync + 'static {
    /// The outbox row's `kind`. It and the payload's shape stay stable:
    /// rows queued by one release are run by the next.
    const KIND: &'static str;

    fn run(&self, app: &App) -> impl Future<Output = AppResult<()>> + Send;
}

/// Queue `job` in the caller's transaction.
pub async fn enqueue<J: Job>(conn: &mut courtyard_db::Conn, job: &J, now: i64) -> AppResult<()> {
    let payload = serde_json::to_string(job).map_err(anyhow::Error::from)?;
    outbox::enqueue(conn, J::KIND, &payload, now).await?;
    Ok(())
}

/// How the worker runs a stored job of one kind: parse, then run.
pub type Runner =
    for<'a> fn(&'a App, &'a str) -> Pin<Box<dyn Future<Output = AppResult<()>> + Send + 'a>>;

/// The runner of `J`, for the worker's registry.
pub fn runner<J: Job>() -> (&'static str, Runner) {
    fn run<'a, J: Job>(
        app: &'a App,
        payload: &'a str,
    ) -> Pin<Box<dyn Future<Output = AppResult<()>> + Send + 'a>> {
        Box::pin(async move {
            let job: J = serde_json::from_str(payload).map_err(|e| AppError::Internal(e.into()))?;
            job.run(app).await
        })
    }
    (J::KIND, run::<J>)
}

/// An email to send. Stored as the email itself.
#[derive(Debug, Serialize, Deserialize)]
#[serde(transparent)]
pub struct SendEmail(pub Email);

impl Job for SendEmail {
    const KIND: &'static str = "email";

    async fn run(&self, app: &App) -> AppResult<()> {
        send_now(app, &self.0).await
    }
}

/// Queue an email in the caller's transaction.
pub async fn enqueue_email(
    conn: &mut courtyard_db::Conn,
    email: &Email,
    now: i64,
) -> AppResult<()> {
    enqueue(conn, &SendEmail(email.clone()), now).await
}

/// Send straight away (from inside a job).
pub async fn send_now(app: &App, email: &Email) -> AppResult<()> {
    app.mailer
        .send(&app.config.mail_from(), email)
        .await
        .map_err(|e| AppError::Internal(e.into()))
}
