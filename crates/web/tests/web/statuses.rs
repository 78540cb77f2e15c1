//! Statuses that tell the truth (issue 11): Overdue and Expired come from
//! the dates and the balance on every surface (lists, filters, detail,
//! home, CSV, PDF), a void invoice owes nothing, and the home page's counts
//! are the true ones with "View all N". Both databases.

use courtyard_app::domain::records::SalesKind;
use courtyard_app::domain::StaffRole;
use courtyard_app::sales::{LineForm, SalesForm};

use crate::support::{on_each_backend, TestApp};

/// A document with one line of `price` at 20 % tax, issued 30 days before
/// `due` (days from today).
async fn doc(
    t: &TestApp,
    kind: SalesKind,
    company: &str,
    status: &str,
    due: i64,
    price: &str,
) -> String {
    let today = t.app.clock.today();
    let day = |n: i64| (today + time::Duration::days(n)).to_string();
    courtyard_app::sales::create(
        &t.app,
        kind,
        &SalesForm {
            company_id: company.into(),
            subject: format!("Work due {}", day(due)),
            status: status.into(),
            currency: "GBP".into(),
            issued_on: day(due - 30),
            due_on: day(due),
            amount_paid: if status == "partially_paid" {
                "10".into()
            } else {
                String::new()
            },
            lines: vec![LineForm {
                description: "Consulting".into(),
                quantity: "1".into(),
                unit_price: price.into(),
                tax_rate: "20".into(),
                discount: String::new(),
            }],
            ..Default::default()
        },
    )
    .await
    .unwrap()
}

fn status_of_row(body: &str, id: &str) -> String {
    let at = body
        .find(&format!("/{id}\""))
        .unwrap_or_else(|| panic!("{id} not listed:\n{body}"));
    let rest = &body[at..];
    let badge = rest.find("class=\"badge status-").expect("a status badge");
    let key = &rest[badge + "class=\"badge status-".len()..];
    key.split('"').next().unwrap().to_owned()
}

#[tokio::test]
async fn overdue_and_expired_follow_the_dates_and_a_void_invoice_owes_nothing() {
    on_each_backend(|t| async move {
        let set = t
            .permission_set(
                "Sales",
                &["invoices:view", "quotes:view", "my_details:view"],
            )
            .await;
        let acme = t.company("Acme", "all").await;
        t.active(&acme, "Ada", "ada@acme.example", &set).await;
        let soon = doc(&t, SalesKind::Invoice, &acme, "unpaid", 16, "100").await;
        let late = doc(&t, SalesKind::Invoice, &acme, "unpaid", -300, "200").await;
        let part = doc(&t, SalesKind::Invoice, &acme, "partially_paid", -1, "300").await;
        let paid = doc(&t, SalesKind::Invoice, &acme, "paid", -300, "400").await;
        let void = doc(&t, SalesKind::Invoice, &acme, "void", -300, "1295.50").await;
        let valid = doc(&t, SalesKind::Quote, &acme, "sent", 0, "50").await;
        let stale = doc(&t, SalesKind::Quote, &acme, "sent", -1, "60").await;

        let mut ada = t.portal_browser("ada@acme.example").await;
        let list = ada.get("/invoices").await;
        list.assert_status(200);
        for (id, shown) in [
            (&soon, "unpaid"),
            (&late, "overdue"),
            (&part, "overdue"),
            (&paid, "paid"),
            (&void, "void"),
        ] {
            assert_eq!(status_of_row(&list.body, id), shown, "{id}");
        }
        // The filters follow the shown status, not the stored one.
        let overdue = ada.get("/invoices?status=overdue").await;
        assert!(overdue.body.contains(&late) && overdue.body.contains(&part));
        assert!(!overdue.body.contains(&soon) && !overdue.body.contains(&paid));
        let unpaid = ada.get("/invoices?status=unpaid").await;
        assert!(
            unpaid.body.contains(&soon) && !unpaid.body.contains(&late),
            "{}",
            unpaid.body
        );
        ada.get(&format!("/invoices/{late}"))
            .await
            .assert_contains("badge status-overdue");
        ada.get(&format!("/invoices/{soon}"))
            .await
            .assert_contains("badge status-unpaid");
        let csv = ada.get("/invoices/export.csv?status=overdue").await;
        assert_eq!(csv.body.lines().count(), 3, "{}", csv.body);
        assert!(
            csv.body.lines().skip(1).all(|l| l.contains(",Overdue,")),
            "{}",
            csv.body
        );
        let pdf = ada.get(&format!("/invoices/{late}/pdf")).await;
        let text = pdf_extract::extract_text_from_mem(&pdf.raw).expect("a PDF");
        assert!(text.contains("OVERDUE"), "{text}");

        // A void invoice owes nothing: £1,554.60 once, never as a balance.
        let v = ada.get(&format!("/invoices/{void}")).await;
        v.assert_contains("id=\"void-note\"");
        let balance = v.body.split("id=\"balance\">").nth(1).unwrap();
        assert!(balance.starts_with("£0.00"), "{balance}");
        assert!(
            csv_row(&ada.get("/invoices/export.csv?status=void").await.body)
                .ends_with(",1554.60,0.00,0.00")
        );

        // Quotes: valid until today is still open; yesterday's is expired.
        let quotes = ada.get("/quotes").await;
        assert_eq!(status_of_row(&quotes.body, &valid), "sent");
        assert_eq!(status_of_row(&quotes.body, &stale), "expired");
        let sent = ada.get("/quotes?status=sent").await;
        assert!(sent.body.contains(&valid) && !sent.body.contains(&stale));
        let expired = ada.get("/quotes?status=expired").await;
        assert!(expired.body.contains(&stale) && !expired.body.contains(&valid));

        // Home: the one overdue-or-unpaid card counts what the list counts.
        let home = ada.get("/").await;
        let card = home.body.split("id=\"waiting-invoices\"").nth(1).unwrap();
        assert!(card.contains("<span class=\"count\">3</span>"), "{card}");
        let card = home.body.split("id=\"waiting-quotes\"").nth(1).unwrap();
        assert!(card.contains("<span class=\"count\">1</span>"), "{card}");

        // Staff cannot set Overdue by hand; the list still filters by it.
        let mut staff = t
            .staff_browser("owner@harbour.example", StaffRole::Owner)
            .await;
        let form = staff.get("/staff/invoices/new").await;
        form.assert_status(200);
        assert!(
            !form.body.contains("<option value=\"overdue\""),
            "{}",
            form.body
        );
        let r = staff.get("/staff/invoices?status=overdue").await;
        assert!(r.body.contains(&late) && !r.body.contains(&soon));
    })
    .await;
}

fn csv_row(body: &str) -> String {
    let lines: Vec<&str> = body.lines().collect();
    assert_eq!(lines.len(), 2, "{body}");
    lines[1].to_owned()
}

#[tokio::test]
async fn the_home_page_counts_every_waiting_invoice_and_links_to_all_of_them() {
    on_each_backend(|t| async move {
        let set = t
            .permission_set("Invoices", &["invoices:view", "my_details:view"])
            .await;
        let acme = t.company("Acme", "all").await;
        t.active(&acme, "Ada", "ada@acme.example", &set).await;
        for n in 0..12 {
            doc(&t, SalesKind::Invoice, &acme, "unpaid", n - 6, "10").await;
        }
        doc(&t, SalesKind::Invoice, &acme, "paid", 0, "10").await;
        let mut ada = t.portal_browser("ada@acme.example").await;
        let home = ada.get("/").await;
        let card = home.body.split("id=\"waiting-invoices\"").nth(1).unwrap();
        let card = card.split("</section>").next().unwrap();
        assert!(card.contains("<span class=\"count\">12</span>"), "{card}");
        assert_eq!(card.matches("<li>").count(), 5, "{card}");
        let href =
            "/invoices?status=overdue&#38;status=unpaid&#38;status=partially_paid&#38;sort=due_asc";
        assert!(
            card.contains(&format!("<a href=\"{href}\">View all 12</a>")),
            "{card}"
        );
        // The strip above: what is left to pay (12 x £12.00) and the part
        // overdue (the six due before today), each linking to its list.
        let strip = home
            .body
            .split("id=\"summary\"")
            .nth(1)
            .expect("a summary strip");
        let strip = strip.split("</section>").next().unwrap();
        assert!(
            strip.contains("<strong class=\"summary-figure\">£144.00</strong>"),
            "{strip}"
        );
        assert!(strip.contains("Overdue · 6 invoices"), "{strip}");
        assert!(
            strip.contains("<strong class=\"summary-figure\">£72.00</strong>"),
            "{strip}"
        );
        assert!(
            strip.contains("href=\"/invoices?status=overdue&#38;sort=due_asc\""),
            "{strip}"
        );
        assert!(
            !home.body.contains("id=\"modules\""),
            "no tiles repeating the navigation"
        );
        let all = ada.get(&href.replace("&#38;", "&")).await;
        assert_eq!(
            all.body.matches("class=\"badge status-").count(),
            12,
            "the list behind it has all 12"
        );
    })
    .await;
}
