//! PDFs of quotes, orders and invoices through the pages: the portal always
//! gets the type's sharing template, staff pick any, downloads are recorded
//! like views, templates are checked before they are saved. The content is
//! asserted from the text extracted from the PDF. Both databases.

use courtyard_app::domain::records::SalesKind;
use courtyard_app::domain::StaffRole;

use crate::support::{on_each_backend, Browser, Resp, TestApp};

fn pages(r: &Resp) -> Vec<String> {
    assert_eq!(r.status.as_u16(), 200, "{}", r.body);
    assert_eq!(r.headers["content-type"], "application/pdf");
    pdf_extract::extract_text_from_mem_by_pages(&r.raw)
        .expect("a PDF")
        .into_iter()
        .map(|p| p.split_whitespace().collect())
        .collect()
}

fn template_id(location: &str, body: &str, name: &str) -> String {
    let _ = location;
    let at = body
        .find(name)
        .unwrap_or_else(|| panic!("{name} not listed:\n{body}"));
    let head = &body[..at];
    let start = head.rfind("/staff/templates/").unwrap() + "/staff/templates/".len();
    head[start..].split('"').next().unwrap().to_owned()
}

const SHARING: &str = "#import \"/courtyard.typ\": *\n#let d = json(\"/data.json\")\n#standard(d, extra: [BRANDEDSHARING])\n";
const INTERNAL: &str = "#import \"/courtyard.typ\": *\n#let d = json(\"/data.json\")\n#standard(d, extra: [INTERNALONLY])\n";

/// Settings → Documents as the page posts it, with the invoice default.
async fn post_settings(b: &mut Browser, default_invoice: &str) -> Resp {
    b.post(
        "/staff/settings/documents",
        &[
            ("details", "12 Quay Road\nBristol BS1 4DJ"),
            ("footer", "Registered in England no. 0123"),
            ("accent", "#0f766e"),
            ("default_invoice", default_invoice),
        ],
    )
    .await
}

async fn setup(t: &TestApp) -> (String, String) {
    let set = t
        .permission_set(
            "Invoices",
            &["invoices:view", "quotes:view", "my_details:view"],
        )
        .await;
    let acme = t.company("Acme Builders", "all").await;
    let rival = t.company("Rival", "all").await;
    t.active(&acme, "Ada", "ada@acme.example", &set).await;
    t.active(&rival, "Eve", "eve@rival.example", &set).await;
    (acme, rival)
}

#[tokio::test]
async fn customers_download_through_the_sharing_template_and_staff_choose_any() {
    on_each_backend(|t| async move {
        let (acme, _rival) = setup(&t).await;
        let inv = t.invoice(&acme, None, "unpaid", "2026-03-01", "250").await;
        let draft = t.invoice(&acme, None, "draft", "2026-03-02", "10").await;
        let number = t
            .number_of(courtyard_app::domain::Module::Invoices, &inv)
            .await;
        let mut staff = t
            .staff_browser("sam@harbour.example", StaffRole::Owner)
            .await;

        // Business details and templates.
        post_settings(&mut staff, "").await.assert_status(303);
        for (name, audience, source) in [
            ("Branded", "sharing", SHARING),
            ("Office copy", "internal", INTERNAL),
        ] {
            staff
                .post(
                    "/staff/templates",
                    &[
                        ("kind", "invoice"),
                        ("name", name),
                        ("audience", audience),
                        ("source", source),
                    ],
                )
                .await
                .assert_status(303);
        }
        let list = staff.get("/staff/settings/documents").await;
        let branded = template_id("", &list.body, ">Branded</a>");
        let internal = template_id("", &list.body, ">Office copy</a>");

        // An internal template cannot be what customers receive.
        post_settings(&mut staff, &internal)
            .await
            .assert_status(422)
            .assert_contains("marked for sharing");
        post_settings(&mut staff, &branded).await.assert_status(303);

        // The customer's download: the sharing default, their details, recorded.
        let mut ada = t.portal_browser("ada@acme.example").await;
        let r = ada.get(&format!("/invoices/{inv}/pdf")).await;
        assert!(r.headers["content-disposition"]
            .to_str()
            .unwrap()
            .starts_with("attachment; filename="));
        assert_eq!(r.headers["cache-control"], "no-store");
        let p = pages(&r);
        assert_eq!(p.len(), 1);
        for want in [
            number.as_str(),
            "AcmeBuilders",
            "HarbourStudio",
            "12QuayRoad",
            "RegisteredinEnglandno.0123",
            "£300.00",
            "BRANDEDSHARING",
            "Page1/1",
        ] {
            assert!(p[0].contains(want), "missing {want:?} in {}", p[0]);
        }
        assert!(!p[0].contains("INTERNALONLY"));
        staff
            .get(&format!("/staff/invoices/{inv}"))
            .await
            .assert_contains("downloaded the PDF");

        // Drafts and other companies' documents are not found.
        ada.get(&format!("/invoices/{draft}/pdf"))
            .await
            .assert_status(404);
        let mut eve = t.portal_browser("eve@rival.example").await;
        eve.get(&format!("/invoices/{inv}/pdf"))
            .await
            .assert_status(404);

        // Staff may print the internal copy; a quote id under invoices is 404.
        let p = pages(
            &staff
                .get(&format!("/staff/invoices/{inv}/pdf?template={internal}"))
                .await,
        );
        assert!(p[0].contains("INTERNALONLY"));
        let p = pages(
            &staff
                .get(&format!("/staff/invoices/{inv}/pdf?template=builtin"))
                .await,
        );
        assert!(!p[0].contains("BRANDEDSHARING") && p[0].contains("Pleasequote"));
        let quote = t
            .sales_doc(SalesKind::Quote, &acme, None, "sent", "2026-03-01", "5")
            .await;
        staff
            .get(&format!("/staff/invoices/{quote}/pdf"))
            .await
            .assert_status(404);
        let p = pages(&ada.get(&format!("/quotes/{quote}/pdf")).await);
        assert!(
            p[0].contains("QUOTE") && p[0].contains("ACCEPTANCE"),
            "{}",
            p[0]
        );

        // Deleting the default returns the portal to the built-in.
        staff
            .post(&format!("/staff/templates/{branded}/delete"), &[])
            .await
            .assert_status(303);
        let p = pages(&ada.get(&format!("/invoices/{inv}/pdf")).await);
        assert!(!p[0].contains("BRANDEDSHARING"));
    })
    .await;
}

#[tokio::test]
async fn templates_are_checked_before_they_are_saved() {
    on_each_backend(|t| async move {
        let mut staff = t
            .staff_browser("sam@harbour.example", StaffRole::Owner)
            .await;
        let form = staff.get("/staff/templates/new?kind=quote").await;
        form.assert_status(200).assert_contains("courtyard.typ");
        for (source, says) in [
            ("#let d = json(\"/data.json\")\n#d.totl", "line 2"),
            ("#read(\"/etc/passwd\")", "not found"),
            ("", "Write the template"),
        ] {
            staff
                .post(
                    "/staff/templates",
                    &[
                        ("kind", "quote"),
                        ("name", "Broken"),
                        ("audience", "sharing"),
                        ("source", source),
                    ],
                )
                .await
                .assert_status(422)
                .assert_contains(says);
        }
        let list = staff.get("/staff/settings/documents").await;
        assert!(!list.body.contains(">Broken<"), "nothing was saved");
    })
    .await;
}

#[tokio::test]
async fn a_long_invoice_runs_over_pages_with_every_line_and_the_totals_last() {
    on_each_backend(|t| async move {
        let (acme, _) = setup(&t).await;
        let lines: Vec<courtyard_app::sales::LineForm> = (1..=80)
            .map(|i| courtyard_app::sales::LineForm {
                description: format!("Site visit {i}"),
                quantity: "1".into(),
                unit_price: "10".into(),
                tax_rate: "20".into(),
                discount: String::new(),
            })
            .collect();
        let id = courtyard_app::sales::create(
            &t.app,
            SalesKind::Invoice,
            &courtyard_app::sales::SalesForm {
                company_id: acme.clone(),
                subject: "Long".into(),
                status: "unpaid".into(),
                currency: "GBP".into(),
                issued_on: "2026-03-01".into(),
                due_on: "2026-03-31".into(),
                lines,
                ..Default::default()
            },
        )
        .await
        .unwrap();
        let mut ada = t.portal_browser("ada@acme.example").await;
        let p = pages(&ada.get(&format!("/invoices/{id}/pdf")).await);
        let n = p.len();
        assert!(n >= 2, "80 lines take more than a page");
        for (i, page) in p.iter().enumerate() {
            assert!(page.contains("Description"), "header on page {}", i + 1);
            assert!(page.contains(&format!("Page{}/{n}", i + 1)));
        }
        assert!(p[n - 1].contains("Sitevisit80") && p[n - 1].contains("£960.00"));
    })
    .await;
}

const RUNAWAY: &str = "#import \"/courtyard.typ\": *\n#let d = json(\"/data.json\")\n#for a in range(10000) { for b in range(10000) { for c in range(10000) { } } }\n#standard(d, extra: [RUNAWAY])\n";
const GREEDY: &str = "#import \"/courtyard.typ\": *\n#let d = json(\"/data.json\")\n#let s = \"x\" * 1500000000\n#standard(d, extra: [GREEDY #s.len()])\n";

#[tokio::test]
async fn a_runaway_template_is_refused_when_saved_and_never_stops_a_download() {
    crate::support::on_each_backend_with(
        |c| {
            c.pdf.custom_cpu_secs = 1;
            c.pdf.custom_timeout_secs = 3;
            c.pdf.custom_memory_mib = 128;
        },
        |t| async move {
            let (acme, _) = setup(&t).await;
            let inv = t.invoice(&acme, None, "unpaid", "2026-03-01", "250").await;
            let mut staff = t
                .staff_browser("sam@harbour.example", StaffRole::Owner)
                .await;
            for (source, limit) in [(RUNAWAY, "1 s"), (GREEDY, "128 MiB")] {
                let r = staff
                    .post(
                        "/staff/templates",
                        &[
                            ("kind", "invoice"),
                            ("name", "Runaway"),
                            ("audience", "sharing"),
                            ("source", source),
                        ],
                    )
                    .await;
                r.assert_status(422)
                    .assert_contains("so it was not saved")
                    .assert_contains("Runaway");
                assert!(
                    r.body.contains(limit) || r.body.contains("took longer than 3 s"),
                    "the limit it hit is named: {}",
                    r.body
                );
                assert!(!r.body.contains("The the"));
            }
            // Stored anyway (say, before a Typst upgrade changed its speed):
            // the customer's download falls back to the built-in template.
            for (name, source) in [("Loops", RUNAWAY), ("Greedy", GREEDY)] {
                let mut conn = t.app.db.conn().await.unwrap();
                let id = courtyard_db::templates::insert(
                    &mut conn,
                    &courtyard_db::templates::NewTemplate {
                        kind: "invoice",
                        name,
                        audience: "sharing",
                        source,
                        updated_by: "test",
                    },
                    t.app.now(),
                )
                .await
                .unwrap();
                drop(conn);
                post_settings(&mut staff, &id).await.assert_status(303);
                let mut ada = t.portal_browser("ada@acme.example").await;
                let p = pages(&ada.get(&format!("/invoices/{inv}/pdf")).await);
                assert!(
                    p[0].contains("£300.00") && p[0].contains("Page1/1"),
                    "{}",
                    p[0]
                );
                assert!(!p[0].contains("RUNAWAY") && !p[0].contains("GREEDY"));
            }
        },
    )
    .await;
}

#[tokio::test]
async fn the_logo_form_says_what_is_missing_and_takes_an_image() {
    on_each_backend(|t| async move {
        let mut staff = t
            .staff_browser("sam@harbour.example", StaffRole::Owner)
            .await;
        // Submitted without choosing a file (the browser sends an empty part).
        crate::support::multipart(&mut staff, "/staff/settings/logo", &[], Some(("", b"")))
            .await
            .assert_status(422)
            .assert_contains("Choose a file to upload.");
        crate::support::multipart(
            &mut staff,
            "/staff/settings/logo",
            &[],
            Some(("logo.png", crate::documents::png().as_slice())),
        )
        .await
        .assert_status(303);
        staff
            .get("/staff/settings/documents")
            .await
            .assert_contains("Replace the logo");
    })
    .await;
}
