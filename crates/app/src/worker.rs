//! The outbox worker: claims due items, delivers them, retries with backoff.
//! Items are claimed with a lease, so a worker that dies mid-send leaves the
//! item to be picked up again when the lease runs out: nothing is lost.

use std::time::Duration;

use tracing::Instrument;

use courtyard_db::outbox;

use crate::auth::AccountJob;
use crate::outbox::{runner, Runner, SendEmail};
use crate::{App, AppError, AppResult};

const LEASE_SECS: i64 = 120;

/// Every kind of job the worker runs: a new job type is registered here.
fn jobs() -> [(&'static str, Runner); 2] {
    [runner::<SendEmail>(), runner::<AccountJob>()]
}

/// Claim and run one due item. `Ok(false)` when nothing is due.
pub async fn run_one(app: &App) -> AppResult<bool> {
    let now = app.now();
    let Some(item) = outbox::claim(&app.db, now, LEASE_SECS).await? else {
        return Ok(false);
    };
    let span =
        tracing::info_span!("outbox", id = %item.id, kind = %item.kind, attempt = item.attempts);
    // The span goes with the future, never held across an await.
    async {
        let result = match jobs().iter().find(|(kind, _)| *kind == item.kind) {
            Some((_, run)) => run(app, &item.payload).await,
            None => Err(AppError::Internal(anyhow::anyhow!(
                "unknown outbox kind {}",
                item.kind
            ))),
        };
        match result {
            Ok(()) => {
                outbox::complete(&app.db, &item.id, app.now()).await?;
                tracing::info!("delivered");
            }
            Err(e) => {
                // 30 s, 1 min, 2 min, … capped at an hour.
                let backoff = (30i64 << (item.attempts.clamp(1, 8) - 1)).min(3600);
                let msg = match &e {
                    AppError::Internal(inner) => format!("{inner:#}"),
                    other => other.to_string(),
                };
                tracing::warn!(error = %msg, retry_in_secs = backoff, "delivery failed");
                outbox::fail(&app.db, &item.id, &msg, app.now() + backoff).await?;
            }
        }
        Ok(true)
    }
    .instrument(span)
    .await
}

/// Run every item that is due now (tests call this to deliver deterministically).
pub async fn drain(app: &App) -> AppResult<usize> {
    let mut n = 0;
    while run_one(app).await? {
        n += 1;
    }
    Ok(n)
}

async fn prune_rate_events(app: &App) -> AppResult<u64> {
    let mut conn = app.db.conn().await?;
    Ok(courtyard_db::login_failures::prune(&mut conn, app.now() - 24 * 3600).await?)
}

/// Poll the outbox until `shutdown` resolves.
pub async fn run(app: App, shutdown: impl std::future::Future<Output = ()>) {
    tokio::pin!(shutdown);
    let mut pruned: Option<std::time::Instant> = None;
    loop {
        // Rate-limit events older than a day count for nothing: dropped
        // every ten minutes.
        if pruned.is_none_or(|t| t.elapsed() > Duration::from_secs(600)) {
            pruned = Some(std::time::Instant::now());
            if let Err(e) = prune_rate_events(&app).await {
                tracing::warn!(error = %e, "could not prune rate-limit events");
            }
        }
        let idle = match run_one(&app).await {
            Ok(true) => false,
            Ok(false) => true,
            Err(e) => {
                tracing::error!(error = %e, "outbox worker error");
                true
            }
        };
        if idle {
            tokio::select! {
                _ = &mut shutdown => break,
                _ = tokio::time::sleep(Duration::from_millis(500)) => {}
            }
        }
    }
    tracing::info!("outbox worker stopped");
}

#[cfg(test)]
mod tests {
    #[test]
    fn every_job_kind_is_registered_once() {
        let kinds: Vec<&str> = super::jobs().iter().map(|(k, _)| *k).collect();
        let mut unique = kinds.clone();
        unique.sort();
        unique.dedup();
        assert_eq!(unique.len(), kinds.len(), "{kinds:?}");
        assert!(kinds.contains(&"email") && kinds.contains(&"account"));
    }
}
