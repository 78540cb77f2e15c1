//! Invoices in the portal: the search panel, CSV export, detail, the
//! visibility policy in the SQL, and the staff side.

use courtyard_app::portal_users;
use courtyard_app::security::token_hash;

use crate::support::{on_each_backend, TestApp, PASSWORD};

const INVOICES: &[&str] = &["invoices:view", "my_details:view"];

/// Two companies; Ada (company scope) and Olly (own scope) at Acme, Eve at Rival.
struct World {
    acme: String,
    rival: String,
    olly_contact: String,
}

async fn world(t: &TestApp) -> World {
    let set = t.permission_set("Invoices", INVOICES).await;
    let acme = t.company("Acme", "all").await;
    let rival = t.company("Rival", "all").await;
    t.active(&acme, "Ada", "ada@acme.example", &set).await;
    let olly = t.active(&acme, "Olly", "olly@acme.example", &set).await;
    let u = portal_users::find(&t.app, &olly).await.unwrap();
    let mut f = t.user_form("olly@acme.example", &set);
    f.record_scope = "own".into();
    portal_users::update(&t.app, &olly, &f).await.unwrap();
    t.active(&rival, "Eve", "eve@rival.example", &set).await;
    World {
        acme,
        rival,
        olly_contact: u.contact_id,
    }
}

#[tokio::test]
async fn portal_users_see_their_company_s_invoices_and_never_drafts_or_others() {
    on_each_backend(|t| async move {
        let w = world(&t).await;
        let mine = t
            .invoice(&w.acme, None, "unpaid", "2026-01-10", "100")
            .await;
        let draft = t.invoice(&w.acme, None, "draft", "2026-01-11", "200").await;
        let olly_s = t
            .invoice(&w.acme, Some(&w.olly_contact), "paid", "2026-01-12", "300")
            .await;
        let theirs = t
            .invoice(&w.rival, None, "unpaid", "2026-01-13", "400")
            .await;

        let mut ada = t.portal_browser("ada@acme.example").await;
        let list = ada.get("/invoices").await;
        list.assert_status(200)
            .assert_contains(&format!("/invoices/{mine}"))
            .assert_contains(&format!("/invoices/{olly_s}"));
        assert!(
            !list.body.contains(&draft) && !list.body.contains(&theirs),
            "no drafts, no other company"
        );
        ada.get(&format!("/invoices/{mine}"))
            .await
            .assert_status(200)
            .assert_contains("£120.00")
            .assert_contains("Tax 20%");
        let not_found = ada.get("/invoices/does-not-exist").await;
        not_found.assert_status(404);
        for foreign in [&draft, &theirs] {
            let r = ada.get(&format!("/invoices/{foreign}")).await;
            r.assert_status(404);
            assert_eq!(
                r.body, not_found.body,
                "outside the scope looks exactly like nothing"
            );
        }

        // Own scope: only invoices where Olly is the contact.
        let mut olly = t.portal_browser("olly@acme.example").await;
        let list = olly.get("/invoices").await;
        list.assert_contains(&olly_s);
        assert!(!list.body.contains(&mine));
        olly.get(&format!("/invoices/{mine}"))
            .await
            .assert_status(404);
        olly.get(&format!("/invoices/{olly_s}"))
            .await
            .assert_status(200);

        // The other company's user sees only theirs.
        let mut eve = t.portal_browser("eve@rival.example").await;
        let list = eve.get("/invoices").await;
        list.assert_contains(&theirs);
        assert!(!list.body.contains(&mine) && !list.body.contains(&olly_s));
        let csv = eve.get("/invoices/export.csv").await;
        assert_eq!(
            csv.body.lines().count(),
            2,
            "header and Eve's one invoice:\n{}",
            csv.body
        );
    })
    .await;
}

#[tokio::test]
async fn the_search_panel_filters_by_status_and_date_range_and_the_export_matches() {
    on_each_backend(|t| async move {
        let w = world(&t).await;
        t.invoice(&w.acme, None, "unpaid", "2026-02-01", "10").await;
        t.invoice(&w.acme, None, "unpaid", "2026-02-15", "20").await;
        t.invoice(&w.acme, None, "paid", "2026-03-01", "30").await;
        t.invoice(&w.acme, None, "void", "2026-02-20", "40").await;
        let mut ada = t.portal_browser("ada@acme.example").await;
        let r = ada.get("/invoices?status=unpaid&status=overdue&date_field=issued&from=2026-02-10&to=2026-02-28").await;
        r.assert_status(200).assert_contains("£24.00");
        assert!(!r.body.contains("£12.00") && !r.body.contains("£36.00") && !r.body.contains("£48.00"), "{}", r.body);
        assert!(r.body.contains("value=\"unpaid\" checked") && r.body.contains("value=\"overdue\" checked"));
        let csv = ada.get("/invoices/export.csv?status=unpaid&status=overdue&date_field=issued&from=2026-02-10&to=2026-02-28").await;
        assert_eq!(csv.headers.get("content-type").unwrap(), "text/csv; charset=utf-8");
        assert!(csv.headers.get("content-disposition").unwrap().to_str().unwrap().starts_with("attachment"));
        let lines: Vec<&str> = csv.body.lines().collect();
        assert_eq!(lines.len(), 2, "{}", csv.body);
        assert!(lines[1].contains("Overdue") && lines[1].contains("24.00"), "{}", lines[1]);
        // Search on number and subject.
        let r = ada.get("/invoices?q=INV-0003").await;
        r.assert_contains("INV-0003");
        assert!(!r.body.contains("INV-0002"));
        let r = ada.get("/invoices?q=work+2026-03").await;
        r.assert_contains("INV-0003");
        // Staff drafts are not a portal status filter.
        let r = ada.get("/invoices?status=draft").await;
        assert!(!r.body.contains("value=\"draft\""));
    })
    .await;
}

#[tokio::test]
async fn pages_follow_each_other_without_gaps_or_repeats_in_every_sort() {
    on_each_backend(|t| async move {
        let w = world(&t).await;
        for i in 0..60 {
            // Repeated dates and totals exercise the id tie-breaker.
            let day = format!("2026-04-{:02}", 1 + i % 20);
            t.invoice(&w.acme, None, "unpaid", &day, &format!("{}", 10 + i % 7))
                .await;
        }
        let mut ada = t.portal_browser("ada@acme.example").await;
        for sort in [
            "issued_desc",
            "issued_asc",
            "due_asc",
            "total_desc",
            "total_asc",
        ] {
            let mut seen = Vec::new();
            let mut url = format!("/invoices?sort={sort}");
            for _ in 0..10 {
                let r = ada.get(&url).await;
                r.assert_status(200);
                seen.extend(
                    r.body
                        .split("href=\"/invoices/")
                        .skip(1)
                        .map(|s| s.split('"').next().unwrap().to_owned())
                        .filter(|s| !s.starts_with("export")),
                );
                match r
                    .body
                    .split("rel=\"next\"")
                    .next()
                    .and_then(|b| b.rsplit("href=\"").next())
                    .filter(|_| r.body.contains("rel=\"next\""))
                {
                    Some(href) => {
                        url = href
                            .split('"')
                            .next()
                            .unwrap()
                            .replace("&amp;", "&")
                            .replace("&#38;", "&");
                    }
                    None => break,
                }
            }
            let mut unique = seen.clone();
            unique.sort();
            unique.dedup();
            assert_eq!(seen.len(), 60, "{sort}: every invoice once");
            assert_eq!(unique.len(), 60, "{sort}: no repeats");
        }
    })
    .await;
}

#[tokio::test]
async fn customer_views_are_recorded_and_staff_can_ask_why_someone_sees_an_invoice() {
    on_each_backend(|t| async move {
        let w = world(&t).await;
        let inv = t.invoice(&w.acme, None, "unpaid", "2026-05-01", "50").await;
        let draft = t.invoice(&w.acme, None, "draft", "2026-05-02", "50").await;
        let mut staff = t
            .staff_browser(
                "owner@harbour.example",
                courtyard_app::domain::StaffRole::Owner,
            )
            .await;
        staff
            .get(&format!("/staff/invoices/{inv}"))
            .await
            .assert_status(200)
            .assert_contains("No customer has opened this yet");
        let mut ada = t.portal_browser("ada@acme.example").await;
        ada.get(&format!("/invoices/{inv}"))
            .await
            .assert_status(200);
        staff
            .get(&format!("/staff/invoices/{inv}"))
            .await
            .assert_contains("ada@acme.example");

        let olly = portal_users::list(
            &t.app,
            &courtyard_db::portal_users::PortalUserFilter {
                limit: 100,
                ..Default::default()
            },
        )
        .await
        .unwrap()
        .into_iter()
        .find(|u| u.email == "olly@acme.example")
        .unwrap();
        let eve = portal_users::list(
            &t.app,
            &courtyard_db::portal_users::PortalUserFilter {
                limit: 100,
                ..Default::default()
            },
        )
        .await
        .unwrap()
        .into_iter()
        .find(|u| u.email == "eve@rival.example")
        .unwrap();
        let ada_u = portal_users::list(
            &t.app,
            &courtyard_db::portal_users::PortalUserFilter {
                limit: 100,
                ..Default::default()
            },
        )
        .await
        .unwrap()
        .into_iter()
        .find(|u| u.email == "ada@acme.example")
        .unwrap();
        staff
            .get(&format!("/staff/invoices/{inv}?as={}", ada_u.id))
            .await
            .assert_contains("Visible.");
        staff
            .get(&format!("/staff/invoices/{inv}?as={}", olly.id))
            .await
            .assert_contains("Not visible.")
            .assert_contains("someone else");
        staff
            .get(&format!("/staff/invoices/{inv}?as={}", eve.id))
            .await
            .assert_contains("another company");
        staff
            .get(&format!("/staff/invoices/{draft}?as={}", ada_u.id))
            .await
            .assert_contains("drafts never reach the portal");
        // The explanation agrees with what the portal does.
        ada.get(&format!("/invoices/{draft}"))
            .await
            .assert_status(404);
        let _ = token_hash;
        let _ = PASSWORD;
    })
    .await;
}

#[tokio::test]
async fn staff_create_an_invoice_with_lines_and_totals_and_bad_input_saves_nothing() {
    on_each_backend(|t| async move {
        let w = world(&t).await;
        let mut s = t
            .staff_browser(
                "owner@harbour.example",
                courtyard_app::domain::StaffRole::Owner,
            )
            .await;
        let base = [
            ("company_id", w.acme.as_str()),
            ("subject", "Website"),
            ("status", "unpaid"),
            ("currency", "GBP"),
            ("issued_on", "2026-06-01"),
            ("due_on", "2026-07-01"),
        ];
        let mut bad = base.to_vec();
        bad.extend([
            ("line_description", "Design"),
            ("line_quantity", "two"),
            ("line_unit_price", "100"),
            ("line_tax_rate", "20"),
            ("line_discount", ""),
        ]);
        s.post("/staff/invoices", &bad)
            .await
            .assert_status(422)
            .assert_contains("Line 1: the quantity is not a number");
        let mut none = base.to_vec();
        none.extend([
            ("line_description", ""),
            ("line_quantity", ""),
            ("line_unit_price", ""),
            ("line_tax_rate", ""),
            ("line_discount", ""),
        ]);
        s.post("/staff/invoices", &none)
            .await
            .assert_status(422)
            .assert_contains("Add at least one line.");
        assert!(!s.get("/staff/invoices").await.body.contains("Website"));

        let mut good = base.to_vec();
        good.extend([
            ("line_description", "Design"),
            ("line_quantity", "1.5"),
            ("line_unit_price", "333.33"),
            ("line_tax_rate", "20"),
            ("line_discount", "10"),
            ("line_description", "Hosting"),
            ("line_quantity", "12"),
            ("line_unit_price", "5"),
            ("line_tax_rate", "0"),
            ("line_discount", ""),
            ("line_description", ""),
            ("line_quantity", ""),
            ("line_unit_price", ""),
            ("line_tax_rate", ""),
            ("line_discount", ""),
        ]);
        let r = s.post("/staff/invoices", &good).await;
        r.assert_status(303);
        let page = s.get(r.location()).await;
        // 1.5 × 333.33 × 0.9 = 449.9955 → 450.00; tax 20 % of 450.00 = 90.00; hosting 60.00.
        page.assert_contains("£450.00")
            .assert_contains("£60.00")
            .assert_contains("£510.00")
            .assert_contains("£90.00")
            .assert_contains("£600.00");
        page.assert_contains("INV-0001");
    })
    .await;
}
