//! Benchmark helpers: the large seed and the "query alone" measurement that
//! the invoice list's throughput is compared with (bench/README.md).

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{bail, Context};
use courtyard_app::domain::policy;
use courtyard_app::domain::records::SalesKind;
use courtyard_app::domain::Module;
use courtyard_app::{App, Db};
use courtyard_db::listing::ListQuery;
use courtyard_db::sales;
use courtyard_db::{portal_users, seed};

/// The password of every seeded portal user (benchmark data only).
pub const BENCH_PASSWORD: &str = "bench-password-not-for-production";

pub async fn seed(app: &App, companies: usize, invoices: usize) -> anyhow::Result<()> {
    let existing = courtyard_app::customers::list_companies(
        app,
        &courtyard_db::companies::CompanyFilter {
            limit: 1,
            ..Default::default()
        },
    )
    .await
    .map_err(|e| anyhow::anyhow!("{e}"))?;
    if !existing.is_empty() {
        bail!("the database already has companies; seed-bench only fills an empty database");
    }
    let hash = app.hasher.hash(BENCH_PASSWORD).await?;
    let started = Instant::now();
    let plan = seed::Plan {
        companies,
        invoices,
        password_hash: hash,
        now: app.now(),
    };
    let login = seed::large(&app.db, &plan, |done| {
        if done % 100_000 == 0 || done == invoices {
            eprintln!(
                "  {done} invoices ({:.0} s)",
                started.elapsed().as_secs_f64()
            );
        }
    })
    .await
    .context("seed")?;
    println!("Seeded {companies} companies, {} contacts, {companies} portal users and {invoices} invoices in {:.0} s.", companies * 3, started.elapsed().as_secs_f64());
    println!("Portal login for benchmarks: {login} / {BENCH_PASSWORD}");
    Ok(())
}

/// The filter each benchmarked page uses.
pub fn page_query(page: &str, deep_cursor: Option<(String, String)>) -> ListQuery {
    match page {
        "filtered" => ListQuery {
            statuses: vec!["unpaid".into(), "overdue".into()],
            from: Some("2024-01-01".into()),
            to: Some("2026-12-31".into()),
            limit: Some(26),
            ..Default::default()
        },
        "deep" => ListQuery {
            after: deep_cursor,
            limit: Some(26),
            ..Default::default()
        },
        _ => ListQuery {
            limit: Some(26),
            ..Default::default()
        },
    }
}

pub async fn query(
    db: &Db,
    email: &str,
    page: &str,
    seconds: u64,
    concurrency: usize,
) -> anyhow::Result<()> {
    let mut conn = db.conn().await?;
    let user = portal_users::find_by_email(&mut conn, email)
        .await?
        .context("no such portal user")?;
    let viewer = courtyard_app::records::viewer_of(&user).context("user has no company")?;
    let scope = policy::predicate(&viewer, Module::Invoices);
    // Overdue is derived on a day: the page's own.
    let today = courtyard_app::Clock::default().today().to_string();
    // The deep page starts after the 80th percentile of the user's list.
    let all = sales::list(
        &mut conn,
        SalesKind::Invoice,
        Some(&scope),
        &ListQuery::default(),
        &today,
    )
    .await?;
    let cursor = all
        .get(all.len() * 4 / 5)
        .map(|i| (i.issued_on.clone(), i.id.clone()));
    drop(conn);
    let q = Arc::new(page_query(page, cursor));
    let scope = Arc::new(scope);
    let count = Arc::new(AtomicU64::new(0));
    let deadline = Instant::now() + Duration::from_secs(seconds);
    let mut tasks = Vec::new();
    for _ in 0..concurrency {
        let (db, q, scope, count) = (db.clone(), q.clone(), scope.clone(), count.clone());
        let today = today.clone();
        tasks.push(tokio::spawn(async move {
            while Instant::now() < deadline {
                let mut conn = db.conn().await?;
                sales::list(&mut conn, SalesKind::Invoice, Some(&scope), &q, &today).await?;
                count.fetch_add(1, Ordering::Relaxed);
            }
            anyhow::Ok(())
        }));
    }
    for t in tasks {
        t.await??;
    }
    let n = count.load(Ordering::Relaxed);
    println!("query-alone page={page} concurrency={concurrency}: {n} queries in {seconds} s = {:.0} queries/s (user has {} invoices)", n as f64 / seconds as f64, all.len());
    Ok(())
}
