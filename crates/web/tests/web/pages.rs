//! Snapshots of key pages as a customer and a staff member see them: the
//! `<main>` of the portal home, an invoice list and page, a ticket with its
//! conversation, a refused form, and the staff invoice and ticket pages.
//! Ids, tokens and the times of today are redacted, so a snapshot changes
//! only when the page does — and both databases must render the same one.
//! Review a change with `cargo insta review` (or `INSTA_UPDATE=always`).

use courtyard_app::domain::StaffRole;

use crate::support::{on_each_backend, Resp, TestApp};

const GRANTS: &[&str] = &[
    "invoices:view",
    "invoices:comment",
    "tickets:view",
    "tickets:create",
    "tickets:comment",
    "my_details:view",
];

/// The page's `<main>`, with what changes from run to run replaced.
fn main_of(t: &TestApp, r: &Resp) -> String {
    r.assert_status(if r.status.as_u16() == 422 { 422 } else { 200 });
    let start = r.body.find("<main").expect("a <main>");
    let end = r.body.rfind("</main>").expect("a </main>") + "</main>".len();
    redact(&r.body[start..end], t.app.clock.today())
}

fn redact(html: &str, today: time::Date) -> String {
    let mut out = html.to_owned();
    // Dates of the test's day in the forms the pages print them ("3 Dec 2026",
    // "2026-12-03"), and of the day before, for a run that crosses midnight.
    let fmt = time::macros::format_description!("[day padding:none] [month repr:short] [year]");
    for day in [today, today.previous_day().unwrap()] {
        out = out.replace(&day.format(&fmt).unwrap(), "[today]");
        out = out.replace(&day.to_string(), "[today]");
    }
    let rules = [
        (
            r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}",
            "[id]",
        ),
        (
            r#"name="csrf" value="[^"]*""#,
            r#"name="csrf" value="[csrf]""#,
        ),
        (
            r#"name="version" value="\d+""#,
            r#"name="version" value="[version]""#,
        ),
        (r"\b\d{1,2}:\d{2}\b", "[time]"),
    ];
    for (pattern, with) in rules {
        out = regex::Regex::new(pattern)
            .unwrap()
            .replace_all(&out, with)
            .into_owned();
    }
    out
}

async fn world(t: &TestApp) -> (String, String) {
    let set = t.permission_set("Customers", GRANTS).await;
    let acme = t.company("Acme", "all").await;
    t.active(&acme, "Ada", "ada@acme.example", &set).await;
    let invoice = t
        .invoice(&acme, None, "unpaid", "2026-01-10", "120.50")
        .await;
    t.invoice(&acme, None, "paid", "2026-01-05", "80").await;
    (acme, invoice)
}

#[tokio::test]
async fn key_portal_and_staff_pages_render_as_reviewed() {
    on_each_backend(|t| async move {
        let (_, invoice) = world(&t).await;
        let mut ada = t.portal_browser("ada@acme.example").await;
        let ticket = ada
            .post(
                "/tickets/new",
                &[
                    ("subject", "Printer jams"),
                    ("priority", "high"),
                    ("message", "Tray 2 jams on every second page."),
                ],
            )
            .await;
        ticket.assert_status(303);
        t.app.clock.advance(1);
        let ticket = ticket.location().split('?').next().unwrap();
        let ticket = ticket.rsplit('/').next().unwrap().to_owned();
        let mut staff = t
            .staff_browser("sam@harbour.example", StaffRole::Owner)
            .await;
        staff
            .post(
                &format!("/staff/tickets/{ticket}/comments"),
                &[("body", "Which model is it?")],
            )
            .await
            .assert_status(303);
        // A second apart: comments of the same second have no set order.
        t.app.clock.advance(1);
        staff
            .post(
                &format!("/staff/tickets/{ticket}/comments"),
                &[("body", "Gold plan customer."), ("internal", "1")],
            )
            .await
            .assert_status(303);
        t.deliver().await;

        insta::assert_snapshot!("portal_home", main_of(&t, &ada.get("/").await));
        insta::assert_snapshot!("portal_invoices", main_of(&t, &ada.get("/invoices").await));
        insta::assert_snapshot!(
            "portal_invoice",
            main_of(&t, &ada.get(&format!("/invoices/{invoice}")).await)
        );
        insta::assert_snapshot!(
            "portal_ticket",
            main_of(&t, &ada.get(&format!("/tickets/{ticket}")).await)
        );
        insta::assert_snapshot!(
            "portal_ticket_refused_reply",
            main_of(
                &t,
                &ada.post(&format!("/tickets/{ticket}/comments"), &[("body", " ")])
                    .await
            )
        );
        insta::assert_snapshot!(
            "staff_invoice",
            main_of(&t, &staff.get(&format!("/staff/invoices/{invoice}")).await)
        );
        insta::assert_snapshot!(
            "staff_ticket",
            main_of(&t, &staff.get(&format!("/staff/tickets/{ticket}")).await)
        );
        t.deliver().await;
    })
    .await;
}
