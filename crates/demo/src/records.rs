//! The demo's records for every company: quotes, orders and invoices here,
//! jobs, projects, tasks and tickets through `work`.

use courtyard_app::sales::{LineForm, SalesForm};
use courtyard_db::{contacts, staff};
use courtyard_domain::records::SalesKind;

use crate::work::demo_work;
use courtyard_app::{App, AppResult};

/// Records for every company; the first company (that of the first printed
/// login) gets enough of each type to page through.
pub(crate) async fn demo_records(
    app: &App,
    owner: &staff::StaffUser,
    first_company: &str,
) -> AppResult<()> {
    let mut conn = app.db.conn().await?;
    let people = contacts::list(
        &mut conn,
        &courtyard_db::contacts::ContactFilter {
            limit: 1000,
            ..Default::default()
        },
    )
    .await?;
    drop(conn);
    let mut companies: Vec<(String, Vec<String>)> = Vec::new();
    for p in &people {
        let Some(co) = &p.company_id else { continue };
        match companies.iter_mut().find(|(c, _)| c == co) {
            Some((_, v)) => v.push(p.id.clone()),
            None => companies.push((co.clone(), vec![p.id.clone()])),
        }
    }
    companies.sort_by_key(|(c, _)| c != first_company);
    let work = [
        (
            "Design phase",
            "Concept design, 3 options",
            "1",
            "2400",
            "20",
        ),
        (
            "Site survey",
            "Measured survey and report",
            "1",
            "850",
            "20",
        ),
        ("Monthly retainer", "Support retainer", "1", "1200", "20"),
        (
            "Planning application",
            "Drawings and submission",
            "1",
            "1750",
            "20",
        ),
        ("Hosting", "Hosting, 12 months", "12", "45", "0"),
        ("Workshop", "Half-day workshop", "2", "650", "20"),
    ];
    let statuses = [
        "paid",
        "paid",
        "unpaid",
        "unpaid",
        "partially_paid",
        "paid",
        "void",
        "draft",
    ];
    let today = app.clock.today();
    for (ci, (company, contacts)) in companies.iter().enumerate() {
        let count = if ci == 0 { 32 } else { 9 };
        for i in 0..count {
            let (subject, line, qty, price, tax) = work[(i + ci) % work.len()];
            let status = statuses[(i * 3 + ci) % statuses.len()];
            let issued = today - time::Duration::days((i as i64) * 11 + 3);
            let due = issued + time::Duration::days(30);
            let paid = matches!(status, "paid");
            let lines = vec![
                LineForm {
                    description: line.into(),
                    quantity: qty.into(),
                    unit_price: price.into(),
                    tax_rate: tax.into(),
                    discount: String::new(),
                },
                LineForm {
                    description: "Travel and expenses".into(),
                    quantity: "1".into(),
                    unit_price: "95.50".into(),
                    tax_rate: "20".into(),
                    discount: String::new(),
                },
            ];
            // A paid invoice's amount paid is its total, computed by the same rule as on save.
            let total =
                courtyard_domain::money::totals(&lines.iter().map(demo_line).collect::<Vec<_>>())
                    .total;
            let form = SalesForm {
                version: String::new(),
                company_id: company.clone(),
                owner_staff_id: owner.id.clone(),
                contact_id: if i.is_multiple_of(3) { contacts[i % contacts.len()].clone() } else { String::new() },
                subject: subject.into(),
                status: status.into(),
                currency: "GBP".into(),
                issued_on: issued.to_string(),
                due_on: due.to_string(),
                // Paid twelve days after issue, and never after today.
                paid_on: if paid { (issued + time::Duration::days(12)).min(today).to_string() } else { String::new() },
                amount_paid: match status {
                    "paid" => format!("{}.{:02}", total / 100, total % 100),
                    "partially_paid" => "200".into(),
                    _ => String::new(),
                },
                terms: "Payment within 30 days by bank transfer.\nSort code 12-34-56, account 12345678.".into(),
                lines: lines.clone(),
            };
            courtyard_app::sales::create(app, SalesKind::Invoice, &form).await?;
            // The first company gets a quote and an order with every invoice
            // (enough to page through); the others a few of each.
            let kinds: &[bool] = match (ci, i.is_multiple_of(2)) {
                (0, _) => &[true, false],
                (_, even) if i < 6 => {
                    if even {
                        &[true]
                    } else {
                        &[false]
                    }
                }
                _ => &[],
            };
            for &quote in kinds {
                let (kind, statuses) = if quote {
                    (
                        SalesKind::Quote,
                        &["sent", "accepted", "sent", "declined", "expired", "draft"][..],
                    )
                } else {
                    (
                        SalesKind::Order,
                        &["open", "confirmed", "e_signed", "completed", "cancelled"][..],
                    )
                };
                let status = statuses[(i / 2 + ci + usize::from(!quote)) % statuses.len()];
                // Quotes awaiting an answer are still valid.
                let issued = if status == "sent" {
                    today - time::Duration::days(i as i64 + 1)
                } else {
                    issued
                };
                courtyard_app::sales::create(
                    app,
                    kind,
                    &SalesForm {
                        status: status.into(),
                        issued_on: issued.to_string(),
                        due_on: (issued + time::Duration::days(30)).to_string(),
                        paid_on: String::new(),
                        amount_paid: String::new(),
                        terms: if kind == SalesKind::Quote {
                            "This quote is valid for 30 days. Prices exclude VAT where shown."
                                .into()
                        } else {
                            "Delivery as agreed. Invoiced on completion.".into()
                        },
                        ..form.clone()
                    },
                )
                .await?;
            }
        }
        demo_work(app, owner, company, contacts, ci).await?;
    }
    Ok(())
}

/// A demo line as the domain sees it (demo values always parse).
fn demo_line(l: &LineForm) -> courtyard_domain::money::Line {
    let num = |s: &str, digits| courtyard_domain::money::parse_decimal(s, digits).unwrap_or(0);
    courtyard_domain::money::Line {
        description: l.description.clone(),
        quantity_milli: num(&l.quantity, 3),
        unit_price: num(&l.unit_price, 2),
        tax_rate_bp: num(&l.tax_rate, 2),
        discount_bp: 0,
    }
}
