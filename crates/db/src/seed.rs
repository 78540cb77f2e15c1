//! A large, realistic dataset for benchmarks: companies with people, one
//! portal user per company, and invoices with lines, inserted in batches.

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
    "overdue",
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
        S(set_id.clone()), S("Bench invoices".into()), S(String::new()), S("invoices:view my_details:view".into()), N(now), N(now),
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
            let contact = if i % 4 == 0 {
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
                N(total - paid),
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
    let mut conn = db.conn().await?;
    sqlx::query("INSERT INTO sequences (kind, prefix, next_value) VALUES ('invoice', 'INV-', $1) ON CONFLICT (kind) DO UPDATE SET next_value = excluded.next_value")
        .bind(plan.invoices as i64 + 1)
        .execute(&mut *conn)
        .await?;
    // Fresh planner statistics on both engines.
    sqlx::query("ANALYZE").execute(&mut *conn).await?;
    Ok("p0@company0.example".into())
}
