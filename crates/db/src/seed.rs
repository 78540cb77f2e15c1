//! A large, realistic dataset for benchmarks: companies with people, one
//! portal user per company, and invoices with lines, inserted in batches;
//! then quotes, sales orders, jobs, tickets (with messages), projects (with
//! their portal user as member and milestones) and tasks in proportion.

use crate::{Db, Result, Sql};

/// What to generate.
#[derive(Debug, Clone)]
pub struct Plan {
    pub companies: usize,
    pub invoices: usize,
    /// One argon2 hash shared by every generated portal user.
    pub password_hash: String,
    pub now: i64,
}

const STATUSES: &[&str] = &[
    "paid",
    "paid",
    "paid",
    "unpaid",
    "unpaid",
    "partially_paid",
    "void",
    "draft",
];
const WORDS: &[&str] = &[
    "Design", "Survey", "Retainer", "Hosting", "Workshop", "Planning", "Audit", "Support",
    "Licence", "Training",
];

fn id(kind: u8, n: usize) -> String {
    // Deterministic UUID-shaped ids keep reruns comparable.
    format!("{kind:02x}{n:06x}-0000-4000-8000-{n:012x}")
}

fn date(days_ago: usize) -> String {
    let d = time::macros::date!(2026 - 11 - 01) - time::Duration::days(days_ago as i64);
    d.to_string()
}

async fn insert_rows(db: &Db, head: &str, width: usize, rows: &[Vec<Value>]) -> Result<()> {
    // Stay under SQLite's 32,766 bound parameters per statement.
    // Small statements: SQLite parses one with thousands of parameters in
    // superlinear time (100 rows: 3 s for 60k rows; 1,000 rows: 17 s).
    let per = (30_000 / width).clamp(1, 100);
    let mut tx = db.begin().await?;
    for chunk in rows.chunks(per) {
        let mut q = Sql::bulk(head, db.backend());
        for (i, row) in chunk.iter().enumerate() {
            q.push(if i == 0 { " (" } else { ", (" });
            for (j, v) in row.iter().enumerate() {
                if j > 0 {
                    q.push(", ");
                }
                match v {
                    Value::S(s) => q.bind(s.clone()),
                    Value::N(n) => q.bind(*n),
                    Value::Null => q.push("NULL"),
                };
            }
            q.push(")");
        }
        let (text, args) = q.build();
        sqlx::query_with(&text, args).execute(&mut *tx).await?;
    }
    tx.commit().await?;
    Ok(())
}

#[derive(Clone)]
enum Value {
    S(String),
    N(i64),
    Null,
}

use Value::{Null, N, S};

/// Generate the dataset; `progress` hears how many invoices are done.
pub async fn large(db: &Db, plan: &Plan, mut progress: impl FnMut(usize)) -> Result<String> {
    let now = plan.now;
    let set_id = id(0xee, 1);
    insert_rows(db, "INSERT INTO permission_sets (id, name, description, grants, created_at, updated_at) VALUES", 6, &[vec![
        S(set_id.clone()), S("Bench invoices".into()), S(String::new()), S("invoices:view quotes:view sales_orders:view jobs:view projects:view tasks:view tickets:view my_details:view".into()), N(now), N(now),
    ]]).await?;
    let mut companies = Vec::new();
    let mut contacts = Vec::new();
    let mut users = Vec::new();
    for c in 0..plan.companies {
        companies.push(vec![
            S(id(1, c)),
            S(format!("Company {c:05}")),
            S(format!("hello@company{c}.example")),
            S("all".into()),
            N(now),
            N(now),
        ]);
        for p in 0..3 {
            let n = c * 3 + p;
            contacts.push(vec![
                S(id(2, n)),
                S(id(1, c)),
                S(format!("Person{p}")),
                S(format!("C{c:05}")),
                S(format!("p{p}@company{c}.example")),
                N(now),
                N(now),
            ]);
        }
        users.push(vec![
            S(id(3, c)),
            S(id(2, c * 3)),
            S(format!("p0@company{c}.example")),
            S(set_id.clone()),
            S("company".into()),
            S("active".into()),
            S(plan.password_hash.clone()),
            N(now),
            N(now),
        ]);
    }
    insert_rows(
        db,
        "INSERT INTO companies (id, name, email, portal_access, created_at, updated_at) VALUES",
        6,
        &companies,
    )
    .await?;
    insert_rows(db, "INSERT INTO contacts (id, company_id, first_name, last_name, email, created_at, updated_at) VALUES", 7, &contacts).await?;
    insert_rows(db, "INSERT INTO portal_users (id, contact_id, email, permission_set_id, record_scope, state, password_hash, created_at, updated_at) VALUES", 9, &users).await?;

    let batch = 20_000;
    let mut done = 0;
    while done < plan.invoices {
        let end = (done + batch).min(plan.invoices);
        let mut inv = Vec::with_capacity(end - done);
        let mut lines = Vec::with_capacity((end - done) * 2);
        for i in done..end {
            let company = i % plan.companies.max(1);
            let status = STATUSES[(i * 5 + i / 8) % STATUSES.len()];
            let days = (i / plan.companies.max(1)) * 3 + (i % 17);
            let price = 5_000 + ((i * 7919) % 250_000) as i64;
            let hosting = 4_500i64;
            let subtotal = price + hosting * 2;
            let tax = (subtotal * 2000 + 5000) / 10_000;
            let total = subtotal + tax;
            let paid = match status {
                "paid" => total,
                "partially_paid" => total / 2,
                _ => 0,
            };
            let contact = if i.is_multiple_of(4) {
                S(id(2, company * 3 + 1))
            } else {
                Null
            };
            inv.push(vec![
                S(id(4, i)),
                S(format!("INV-{:07}", i + 1)),
                S(id(1, company)),
                contact,
                S(format!("{} {}", WORDS[i % WORDS.len()], i % 97)),
                S(status.into()),
                S("GBP".into()),
                S(date(days)),
                S(date(days.saturating_sub(30))),
                if status == "paid" {
                    S(date(days.saturating_sub(10)))
                } else {
                    Null
                },
                N(subtotal),
                N(tax),
                N(total),
                N(paid),
                // A void invoice owes nothing (as on every save).
                N(if status == "void" { 0 } else { total - paid }),
                S("Payment within 30 days.".into()),
                N(now),
                N(now),
            ]);
            lines.push(vec![
                S(id(5, i * 2)),
                S(id(4, i)),
                N(0),
                S(format!("{} services", WORDS[i % WORDS.len()])),
                N(1000),
                N(price),
                N(2000),
                N(0),
                N(price),
            ]);
            lines.push(vec![
                S(id(5, i * 2 + 1)),
                S(id(4, i)),
                N(1),
                S("Hosting".into()),
                N(2000),
                N(hosting),
                N(2000),
                N(0),
                N(hosting * 2),
            ]);
        }
        insert_rows(db, "INSERT INTO invoices (id, number, company_id, contact_id, subject, status, currency, issued_on, due_on, paid_on, subtotal, tax_total, total, amount_paid, balance, terms, created_at, updated_at) VALUES", 18, &inv).await?;
        insert_rows(db, "INSERT INTO invoice_lines (id, invoice_id, position, description, quantity_milli, unit_price, tax_rate_bp, discount_bp, net) VALUES", 9, &lines).await?;
        done = end;
        progress(done);
    }
    let counts = others(db, plan).await?;
    let mut conn = db.conn().await?;
    for (kind, prefix, n) in [("invoice", "INV-", plan.invoices)]
        .into_iter()
        .chain(counts)
    {
        sqlx::query("INSERT INTO sequences (kind, prefix, next_value) VALUES ($1, $2, $3) ON CONFLICT (kind) DO UPDATE SET next_value = excluded.next_value")
            .bind(kind)
            .bind(prefix)
            .bind(n as i64 + 1)
            .execute(&mut *conn)
            .await?;
    }
    // Fresh planner statistics on both engines.
    sqlx::query("ANALYZE").execute(&mut *conn).await?;
    Ok("p0@company0.example".into())
}

/// The other record types, in proportion to the invoices: a quote for every
/// 4 invoices, an order for every 8, a job and a ticket (with two messages)
/// for every 10, two projects per company with 5 tasks each. Returns
/// (sequence kind, prefix, count) for the number sequences.
async fn others(db: &Db, plan: &Plan) -> Result<Vec<(&'static str, &'static str, usize)>> {
    let now = plan.now;
    let companies = plan.companies.max(1);
    let doc = |kind: u8, prefix: &str, i: usize, status: &str| {
        let company = i % companies;
        let days = (i / companies) * 5 + (i % 13);
        let price = 8_000 + ((i * 104_729) % 400_000) as i64;
        let tax = (price * 2000 + 5000) / 10_000;
        vec![
            S(id(kind, i)),
            S(format!("{prefix}{:07}", i + 1)),
            S(id(1, company)),
            if i.is_multiple_of(4) {
                S(id(2, company * 3 + 1))
            } else {
                Null
            },
            S(format!("{} {}", WORDS[i % WORDS.len()], i % 89)),
            S(status.into()),
            S("GBP".into()),
            S(date(days + 30)),
            S(date(days)),
            N(price),
            N(tax),
            N(price + tax),
            N(0),
            N(price + tax),
            S(String::new()),
            N(now),
            N(now),
        ]
    };
    let line = |kind: u8, parent: u8, i: usize| {
        let price = 8_000 + ((i * 104_729) % 400_000) as i64;
        vec![
            S(id(kind, i)),
            S(id(parent, i)),
            N(0),
            S(format!("{} services", WORDS[i % WORDS.len()])),
            N(1000),
            N(price),
            N(2000),
            N(0),
            N(price),
        ]
    };
    const DOC_COLUMNS: &str = "(id, number, company_id, contact_id, subject, status, currency, issued_on, due_on, subtotal, tax_total, total, amount_paid, balance, terms, created_at, updated_at) VALUES";
    let quote_statuses = [
        "sent", "accepted", "declined", "expired", "draft", "accepted",
    ];
    let order_statuses = [
        "open",
        "confirmed",
        "e_signed",
        "completed",
        "cancelled",
        "completed",
    ];
    let (quotes, orders, jobs, tickets) = (
        plan.invoices / 4,
        plan.invoices / 8,
        plan.invoices / 10,
        plan.invoices / 10,
    );
    let batch = 20_000;
    for start in (0..quotes).step_by(batch) {
        let end = (start + batch).min(quotes);
        let docs: Vec<_> = (start..end)
            .map(|i| doc(6, "QUO-", i, quote_statuses[i % quote_statuses.len()]))
            .collect();
        let lines: Vec<_> = (start..end).map(|i| line(7, 6, i)).collect();
        insert_rows(db, &format!("INSERT INTO quotes {DOC_COLUMNS}"), 17, &docs).await?;
        insert_rows(db, "INSERT INTO quote_lines (id, quote_id, position, description, quantity_milli, unit_price, tax_rate_bp, discount_bp, net) VALUES", 9, &lines).await?;
    }
    for start in (0..orders).step_by(batch) {
        let end = (start + batch).min(orders);
        let docs: Vec<_> = (start..end)
            .map(|i| doc(8, "SO-", i, order_statuses[i % order_statuses.len()]))
            .collect();
        let lines: Vec<_> = (start..end).map(|i| line(9, 8, i)).collect();
        insert_rows(
            db,
            &format!("INSERT INTO sales_orders {DOC_COLUMNS}"),
            17,
            &docs,
        )
        .await?;
        insert_rows(db, "INSERT INTO sales_order_lines (id, order_id, position, description, quantity_milli, unit_price, tax_rate_bp, discount_bp, net) VALUES", 9, &lines).await?;
    }
    let job_statuses = [
        "completed",
        "scheduled",
        "in_progress",
        "requested",
        "completed",
        "cancelled",
    ];
    for start in (0..jobs).step_by(batch) {
        let end = (start + batch).min(jobs);
        let rows: Vec<_> = (start..end)
            .map(|i| {
                let company = i % companies;
                let days = (i / companies) * 7 + (i % 11);
                vec![
                    S(id(10, i)),
                    S(format!("JOB-{:07}", i + 1)),
                    S(id(1, company)),
                    if i.is_multiple_of(3) {
                        S(id(2, company * 3))
                    } else {
                        Null
                    },
                    S(format!("{} visit {}", WORDS[i % WORDS.len()], i % 53)),
                    S(job_statuses[i % job_statuses.len()].into()),
                    S(format!("{} Mill Lane", i % 200 + 1)),
                    S(date(days + 7)),
                    S(date(days)),
                    N(now),
                    N(now),
                ]
            })
            .collect();
        insert_rows(db, "INSERT INTO jobs (id, number, company_id, contact_id, subject, status, site_address, requested_on, scheduled_on, created_at, updated_at) VALUES", 11, &rows).await?;
    }
    let ticket_statuses = ["closed", "resolved", "open", "awaiting_customer", "closed"];
    for start in (0..tickets).step_by(batch) {
        let end = (start + batch).min(tickets);
        let mut rows = Vec::new();
        let mut messages = Vec::new();
        for i in start..end {
            let company = i % companies;
            let days = (i / companies) * 7 + (i % 5);
            let at = now - (days as i64) * 86_400;
            rows.push(vec![
                S(id(11, i)),
                S(format!("TKT-{:07}", i + 1)),
                S(id(1, company)),
                S(id(2, company * 3)),
                S(format!(
                    "Question about {} {}",
                    WORDS[i % WORDS.len()].to_lowercase(),
                    i % 41
                )),
                S(ticket_statuses[i % ticket_statuses.len()].into()),
                S("normal".into()),
                S(date(days)),
                N(at),
                N(now),
                N(now),
            ]);
            for (k, (kind, author, name)) in [
                ("portal", id(3, company), "Person0"),
                ("staff", "bench-staff".to_owned(), "Support team"),
            ]
            .into_iter()
            .enumerate()
            {
                messages.push(vec![
                    S(id(12, i * 2 + k)),
                    S("ticket".into()),
                    S(id(11, i)),
                    S(kind.into()),
                    S(author),
                    S(name.into()),
                    S(if k == 0 {
                        "Could you help us with this?".into()
                    } else {
                        "Thanks, we are on it.".into()
                    }),
                    N(at + k as i64 * 600),
                ]);
            }
        }
        insert_rows(db, "INSERT INTO tickets (id, number, company_id, contact_id, subject, status, priority, opened_on, last_activity_at, created_at, updated_at) VALUES", 11, &rows).await?;
        insert_rows(db, "INSERT INTO comments (id, record_type, record_id, author_kind, author_id, author_name, body, created_at) VALUES", 8, &messages).await?;
    }
    let projects = companies * 2;
    let (mut project_rows, mut members, mut milestones, mut tasks) =
        (vec![], vec![], vec![], vec![]);
    for p in 0..projects {
        let company = p % companies;
        project_rows.push(vec![
            S(id(13, p)),
            S(format!("PRJ-{:07}", p + 1)),
            S(id(1, company)),
            S(if p < companies {
                "Office move"
            } else {
                "Website"
            }
            .into()),
            S(if p.is_multiple_of(3) {
                "completed"
            } else {
                "active"
            }
            .into()),
            N((p * 37 % 100) as i64),
            S(date(p % 300 + 60)),
            N(1),
            N(1),
            N(now),
            N(now),
        ]);
        members.push(vec![S(id(13, p)), S(id(3, company))]);
        for m in 0..2 {
            milestones.push(vec![
                S(id(14, p * 2 + m)),
                S(id(13, p)),
                N(m as i64),
                S(if m == 0 { "Kick-off" } else { "Handover" }.into()),
                S(date(p % 300 + 60 - m * 30)),
                N(i64::from(m == 0)),
            ]);
        }
        for k in 0..5 {
            let n = p * 5 + k;
            tasks.push(vec![
                S(id(15, n)),
                S(format!("TSK-{:07}", n + 1)),
                S(id(13, p)),
                S(id(1, company)),
                S(format!("{} step {k}", WORDS[n % WORDS.len()])),
                S(["open", "in_progress", "done"][n % 3].into()),
                S(date(p % 300 + 50)),
                if k.is_multiple_of(2) {
                    S(id(3, company))
                } else {
                    Null
                },
                N(now),
                N(now),
            ]);
        }
    }
    insert_rows(db, "INSERT INTO projects (id, number, company_id, subject, status, progress, start_on, show_on_portal, show_documents, created_at, updated_at) VALUES", 11, &project_rows).await?;
    insert_rows(
        db,
        "INSERT INTO project_members (project_id, portal_user_id) VALUES",
        2,
        &members,
    )
    .await?;
    insert_rows(
        db,
        "INSERT INTO milestones (id, project_id, position, title, due_on, done) VALUES",
        6,
        &milestones,
    )
    .await?;
    insert_rows(db, "INSERT INTO tasks (id, number, project_id, company_id, subject, status, created_on, assignee_id, created_at, updated_at) VALUES", 10, &tasks).await?;
    Ok(vec![
        ("quote", "QUO-", quotes),
        ("order", "SO-", orders),
        ("job", "JOB-", jobs),
        ("ticket", "TKT-", tickets),
        ("project", "PRJ-", projects),
        ("task", "TSK-", projects * 5),
    ])
}
