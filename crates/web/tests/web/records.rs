//! Quotes, orders, jobs, projects, tasks and tickets in the portal: answering
//! and requesting quotes, requesting jobs, ticket conversations with internal
//! notes, comments and their permission, completing tasks, first-view
//! notices and CSV exports. Each on both databases.

use courtyard_app::domain::records::SalesKind;
use courtyard_app::domain::StaffRole;

use crate::support::{on_each_backend, TestApp};

const FULL: &[&str] = &[
    "quotes:view",
    "quotes:create",
    "quotes:comment",
    "quotes:sign",
    "sales_orders:view",
    "invoices:view",
    "invoices:comment",
    "jobs:view",
    "jobs:create",
    "jobs:comment",
    "projects:view",
    "projects:comment",
    "tasks:view",
    "tasks:comment",
    "tickets:view",
    "tickets:create",
    "tickets:comment",
    "my_details:view",
];

/// Acme with Ada (full access) and Olly (view-only quotes and invoices).
async fn acme(t: &TestApp) -> (String, String, String) {
    let full = t.permission_set("Full", FULL).await;
    let viewer = t
        .permission_set(
            "Viewer",
            &[
                "quotes:view",
                "invoices:view",
                "tasks:view",
                "projects:view",
            ],
        )
        .await;
    let acme = t.company("Acme", "all").await;
    let ada = t.active(&acme, "Ada", "ada@acme.example", &full).await;
    let olly = t.active(&acme, "Olly", "olly@acme.example", &viewer).await;
    (acme, ada, olly)
}

fn today(t: &TestApp) -> String {
    t.app.clock.today().to_string()
}

fn id_from(location: &str) -> String {
    location
        .rsplit('/')
        .next()
        .unwrap()
        .split('?')
        .next()
        .unwrap()
        .to_owned()
}

#[tokio::test]
async fn a_sent_quote_is_answered_once_by_someone_allowed_to_sign() {
    on_each_backend(|t| async move {
        let (acme, _, _) = acme(&t).await;
        let quote = t
            .sales_doc(SalesKind::Quote, &acme, None, "sent", &today(&t), "500")
            .await;
        let expired = t
            .sales_doc(SalesKind::Quote, &acme, None, "sent", "2020-01-01", "10")
            .await;
        let mut olly = t.portal_browser("olly@acme.example").await;
        let page = olly.get(&format!("/quotes/{quote}")).await;
        page.assert_status(200);
        assert!(
            !page.body.contains("Accept quote"),
            "no sign permission, no buttons"
        );
        olly.post(&format!("/quotes/{quote}/accept"), &[])
            .await
            .assert_status(403);

        let mut ada = t.portal_browser("ada@acme.example").await;
        ada.get("/")
            .await
            .assert_contains("Quotes to answer")
            .assert_contains(&format!("/quotes/{quote}"));
        ada.get(&format!("/quotes/{quote}"))
            .await
            .assert_contains("Accept quote");
        let r = ada
            .post(
                &format!("/quotes/{quote}/accept"),
                &[("note", "Go ahead in March.")],
            )
            .await;
        r.assert_status(303);
        ada.get(r.location())
            .await
            .assert_contains("you have accepted this quote")
            .assert_contains(">Accepted<")
            .assert_contains("Go ahead in March.");
        ada.post(&format!("/quotes/{quote}/decline"), &[])
            .await
            .assert_status(409)
            .assert_contains("already been answered");
        ada.post(&format!("/quotes/{expired}/accept"), &[])
            .await
            .assert_status(409)
            .assert_contains("no longer valid");
        let mut staff = t
            .staff_browser("sam@harbour.example", StaffRole::Owner)
            .await;
        staff
            .get(&format!("/staff/quotes/{quote}"))
            .await
            .assert_contains("Accepted the quote.");
    })
    .await;
}

#[tokio::test]
async fn customers_request_quotes_and_jobs_and_staff_see_the_requests() {
    on_each_backend(|t| async move {
        acme(&t).await;
        let mut ada = t.portal_browser("ada@acme.example").await;
        ada.get("/quotes").await.assert_contains("Request a quote");
        ada.post("/quotes/request", &[("subject", " "), ("details", "x")])
            .await
            .assert_status(422)
            .assert_contains("Say in a few words what you need.");
        let r = ada
            .post(
                "/quotes/request",
                &[
                    ("subject", "New reception desk"),
                    ("details", "Oak, 2.4 m wide"),
                ],
            )
            .await;
        r.assert_status(303);
        ada.get(r.location())
            .await
            .assert_contains("your request has been sent")
            .assert_contains("New reception desk")
            .assert_contains(">Requested<")
            .assert_contains("Oak, 2.4 m wide");

        ada.post(
            "/jobs/request",
            &[("subject", "Fix the gate"), ("site_address", "")],
        )
        .await
        .assert_status(422)
        .assert_contains("Enter the address of the site.");
        let r = ada
            .post(
                "/jobs/request",
                &[
                    ("subject", "Fix the gate"),
                    ("site_address", "1 Dock Road"),
                    ("preferred_on", "2099-05-01"),
                    ("description", "It sticks."),
                ],
            )
            .await;
        r.assert_status(303);
        let job = id_from(r.location());
        ada.get(&format!("/jobs/{job}"))
            .await
            .assert_contains("Fix the gate")
            .assert_contains("Preferred date: 2099-05-01");

        let mut olly = t.portal_browser("olly@acme.example").await;
        olly.get("/quotes/request").await.assert_status(403);

        let mut staff = t
            .staff_browser("sam@harbour.example", StaffRole::Owner)
            .await;
        staff
            .get("/staff/quotes?status=requested")
            .await
            .assert_contains("New reception desk");
        staff
            .get("/staff/jobs?status=requested")
            .await
            .assert_contains("Fix the gate");
    })
    .await;
}

#[tokio::test]
async fn a_ticket_conversation_keeps_internal_notes_from_the_customer() {
    on_each_backend(|t| async move {
        acme(&t).await;
        let mut ada = t.portal_browser("ada@acme.example").await;
        ada.post("/tickets/new", &[("subject", "Printer"), ("message", "")])
            .await
            .assert_status(422)
            .assert_contains("Describe what you need help with.");
        let r = ada
            .post(
                "/tickets/new",
                &[
                    ("subject", "Printer jams"),
                    ("priority", "high"),
                    ("message", "Tray 2 jams."),
                ],
            )
            .await;
        r.assert_status(303);
        let ticket = id_from(r.location());

        let mut staff = t
            .staff_browser("sam@harbour.example", StaffRole::Owner)
            .await;
        staff
            .get(&format!("/staff/tickets/{ticket}"))
            .await
            .assert_contains("Tray 2 jams.");
        staff
            .post(
                &format!("/staff/tickets/{ticket}/comments"),
                &[("body", "Customer is on the gold plan."), ("internal", "1")],
            )
            .await
            .assert_status(303);
        staff
            .post(
                &format!("/staff/tickets/{ticket}/comments"),
                &[("body", "Which model is it?")],
            )
            .await
            .assert_status(303);

        let page = ada.get(&format!("/tickets/{ticket}")).await;
        page.assert_contains("Which model is it?")
            .assert_contains("Awaiting your reply");
        // Staff read the same status from their side.
        let list = staff.get("/staff/tickets").await;
        list.assert_contains("Waiting on customer");
        assert!(!list.body.contains("Awaiting your reply"), "{}", list.body);
        staff
            .get("/staff/tickets?status=awaiting_customer")
            .await
            .assert_contains(&format!("/staff/tickets/{ticket}"));
        assert!(
            !page.body.contains("gold plan"),
            "internal notes stay internal"
        );
        ada.get("/")
            .await
            .assert_contains("Tickets awaiting your reply")
            .assert_contains("Printer jams");
        ada.post(&format!("/tickets/{ticket}/comments"), &[("body", "  ")])
            .await
            .assert_status(422)
            .assert_contains("Write a message first.");
        ada.post(
            &format!("/tickets/{ticket}/comments"),
            &[("body", "An LX-200.")],
        )
        .await
        .assert_status(303);
        ada.get(&format!("/tickets/{ticket}"))
            .await
            .assert_contains("An LX-200.")
            .assert_contains(">Open<");

        // A closed ticket takes no more replies.
        let ticket_row =
            courtyard_app::work::staff_find::<courtyard_db::work::Ticket>(&t.app, &ticket)
                .await
                .unwrap();
        let mut form = courtyard_app::work::TicketForm::from_ticket(&ticket_row);
        form.status = "closed".into();
        courtyard_app::work::update_ticket(&t.app, &ticket, &form)
            .await
            .unwrap();
        let page = ada.get(&format!("/tickets/{ticket}")).await;
        assert!(
            !page.body.contains("Send reply"),
            "no reply form on a closed ticket"
        );
        ada.post(
            &format!("/tickets/{ticket}/comments"),
            &[("body", "Hello?")],
        )
        .await
        .assert_status(409)
        .assert_contains("This ticket is closed");
    })
    .await;
}

#[tokio::test]
async fn comments_need_the_comment_permission_and_internal_ones_stay_on_staff_pages() {
    on_each_backend(|t| async move {
        let (acme, _, _) = acme(&t).await;
        let inv = t.invoice(&acme, None, "unpaid", "2026-03-01", "100").await;
        let mut olly = t.portal_browser("olly@acme.example").await;
        let page = olly.get(&format!("/invoices/{inv}")).await;
        assert!(
            !page.body.contains("Post comment"),
            "no form without the permission"
        );
        olly.post(&format!("/invoices/{inv}/comments"), &[("body", "Hi")])
            .await
            .assert_status(403);
        let mut ada = t.portal_browser("ada@acme.example").await;
        ada.post(
            &format!("/invoices/{inv}/comments"),
            &[("body", "Is VAT included?")],
        )
        .await
        .assert_status(303);
        let mut staff = t
            .staff_browser("sam@harbour.example", StaffRole::Owner)
            .await;
        staff
            .get(&format!("/staff/invoices/{inv}"))
            .await
            .assert_contains("Is VAT included?");
        staff
            .post(
                &format!("/staff/invoices/{inv}/comments"),
                &[("body", "Check with accounts first"), ("internal", "1")],
            )
            .await
            .assert_status(303);
        staff
            .post(
                &format!("/staff/invoices/{inv}/comments"),
                &[("body", "Yes, at 20%.")],
            )
            .await
            .assert_status(303);
        let page = ada.get(&format!("/invoices/{inv}")).await;
        page.assert_contains("Yes, at 20%.");
        assert!(!page.body.contains("Check with accounts"));
    })
    .await;
}

#[tokio::test]
async fn a_task_is_completed_only_by_its_assignee_and_projects_follow_membership() {
    on_each_backend(|t| async move {
        let (acme, ada, olly) = acme(&t).await;
        let project = t.project(&acme, &[&ada, &olly], true, "Refit").await;
        let task = t.task(&project, Some(&ada), "Approve plan").await;
        let other = t.task(&project, Some(&olly), "Order paint").await;

        let mut ada_b = t.portal_browser("ada@acme.example").await;
        ada_b
            .get("/")
            .await
            .assert_contains("Tasks assigned to you")
            .assert_contains("Approve plan");
        ada_b
            .get(&format!("/projects/{project}"))
            .await
            .assert_contains("Refit")
            .assert_contains("Kick-off")
            .assert_contains("Approve plan");
        ada_b
            .post(&format!("/tasks/{other}/complete"), &[])
            .await
            .assert_status(403);
        let r = ada_b.post(&format!("/tasks/{task}/complete"), &[]).await;
        r.assert_status(303);
        ada_b
            .get(r.location())
            .await
            .assert_contains("The task is marked as complete")
            .assert_contains(">Done<");
        ada_b
            .post(&format!("/tasks/{task}/complete"), &[])
            .await
            .assert_status(409)
            .assert_contains("already complete");
        ada_b
            .post(
                &format!("/projects/{project}/comments"),
                &[("body", "Looks good")],
            )
            .await
            .assert_status(303);

        // Staff take Olly off the project: the project and its tasks are gone for him.
        let mut staff = t
            .staff_browser("sam@harbour.example", StaffRole::Owner)
            .await;
        let v = courtyard_app::work::staff_find_project(&t.app, &project)
            .await
            .unwrap();
        let mut form = courtyard_app::work::ProjectForm::from_project(
            &v.project,
            vec![ada.clone()],
            &v.milestones,
        );
        form.show_on_portal = true;
        courtyard_app::work::update_project(&t.app, &project, &form)
            .await
            .unwrap();
        let mut olly_b = t.portal_browser("olly@acme.example").await;
        olly_b
            .get(&format!("/projects/{project}"))
            .await
            .assert_status(404);
        olly_b
            .get(&format!("/tasks/{other}"))
            .await
            .assert_status(404);
        staff
            .get(&format!("/staff/projects/{project}?as={olly}"))
            .await
            .assert_contains("Not visible.")
            .assert_contains("not one of the project&#39;s portal members");
        staff
            .get(&format!("/staff/projects/{project}?as={ada}"))
            .await
            .assert_contains("Visible.");
        // Hidden from the portal: gone for members too. (A second save from
        // the same form: no version check.)
        form.version.clear();
        form.show_on_portal = false;
        courtyard_app::work::update_project(&t.app, &project, &form)
            .await
            .unwrap();
        ada_b
            .get(&format!("/projects/{project}"))
            .await
            .assert_status(404);
        ada_b
            .get(&format!("/tasks/{task}"))
            .await
            .assert_status(404);
    })
    .await;
}

#[tokio::test]
async fn the_first_customer_view_notifies_the_assigned_staff_member_once() {
    on_each_backend(|t| async move {
        let (acme, _, _) = acme(&t).await;
        let mut staff = t
            .staff_browser("sam@harbour.example", StaffRole::Owner)
            .await;
        let sam = {
            let mut conn = t.app.db.conn().await.unwrap();
            courtyard_db::staff::find_by_email(&mut conn, "sam@harbour.example")
                .await
                .unwrap()
                .unwrap()
        };
        let owned = |status: &str| courtyard_app::sales::SalesForm {
            company_id: acme.clone(),
            owner_staff_id: sam.id.clone(),
            subject: "Fit-out".into(),
            status: status.into(),
            currency: "GBP".into(),
            issued_on: "2026-03-01".into(),
            due_on: "2026-03-31".into(),
            lines: vec![courtyard_app::sales::LineForm {
                description: "Work".into(),
                quantity: "1".into(),
                unit_price: "10".into(),
                ..Default::default()
            }],
            ..Default::default()
        };
        let inv = courtyard_app::sales::create(&t.app, SalesKind::Invoice, &owned("unpaid"))
            .await
            .unwrap();
        let mut ada = t.portal_browser("ada@acme.example").await;
        staff
            .get(&format!("/staff/invoices/{inv}"))
            .await
            .assert_status(200);
        t.deliver().await;
        let notices = |t: &TestApp| {
            t.sent()
                .into_iter()
                .filter(|m| m.to == "sam@harbour.example" && m.subject.contains("opened"))
                .count()
        };
        assert_eq!(notices(&t), 0, "staff previews do not count");
        ada.get(&format!("/invoices/{inv}"))
            .await
            .assert_status(200);
        ada.get(&format!("/invoices/{inv}"))
            .await
            .assert_status(200);
        t.deliver().await;
        assert_eq!(notices(&t), 1, "one notice for the first view only");
        let mail = t
            .sent()
            .into_iter()
            .rev()
            .find(|m| m.subject.contains("opened"))
            .unwrap();
        assert!(mail.subject.starts_with("Ada "), "{}", mail.subject);
        assert!(mail
            .text
            .contains(&format!("http://portal.test/staff/invoices/{inv}")));

        // Switched off for quotes: no notice.
        staff
            .post(
                "/staff/settings",
                &[
                    ("notify_form", "1"),
                    ("notify_invoice", "1"),
                    ("notify_order", "1"),
                ],
            )
            .await
            .assert_status(303);
        let quote = courtyard_app::sales::create(&t.app, SalesKind::Quote, &owned("sent"))
            .await
            .unwrap();
        ada.get(&format!("/quotes/{quote}"))
            .await
            .assert_status(200);
        t.deliver().await;
        assert_eq!(notices(&t), 1, "quotes' notices are off");
        staff
            .get(&format!("/staff/quotes/{quote}"))
            .await
            .assert_contains("ada@acme.example");
    })
    .await;
}

#[tokio::test]
async fn every_module_exports_exactly_its_filtered_list_as_csv() {
    on_each_backend(|t| async move {
        let (acme, ada, _) = acme(&t).await;
        t.job(&acme, None, "=cmd|calc").await;
        t.job(&acme, None, "Boiler").await;
        t.ticket(&acme, None, "Login help").await;
        let project = t.project(&acme, &[&ada], true, "Refit").await;
        t.task(&project, Some(&ada), "Approve plan").await;
        t.sales_doc(
            SalesKind::Order,
            &acme,
            None,
            "confirmed",
            "2026-02-01",
            "70",
        )
        .await;
        t.sales_doc(
            SalesKind::Order,
            &acme,
            None,
            "cancelled",
            "2026-02-02",
            "80",
        )
        .await;
        let mut b = t.portal_browser("ada@acme.example").await;
        let csv = b.get("/jobs/export.csv?q=boiler").await;
        csv.assert_status(200).assert_contains("Boiler");
        assert!(
            !csv.body.contains("calc"),
            "the filter applies: {}",
            csv.body
        );
        let all = b.get("/jobs/export.csv").await;
        all.assert_contains("'=cmd|calc");
        b.get("/tickets/export.csv")
            .await
            .assert_contains("Login help");
        b.get("/projects/export.csv")
            .await
            .assert_contains("Refit,Active,40%");
        b.get("/tasks/export.csv")
            .await
            .assert_contains("Approve plan,Refit,Open");
        let orders = b.get("/orders/export.csv?status=confirmed").await;
        orders.assert_contains("Confirmed");
        assert!(!orders.body.contains("Cancelled"));
        assert_eq!(orders.body.lines().count(), 2, "{}", orders.body);
    })
    .await;
}

#[tokio::test]
async fn staff_view_as_a_portal_user_shows_what_they_see_and_records_no_view() {
    on_each_backend(|t| async move {
        let (acme, ada, olly) = acme(&t).await;
        let rival = t.company("Rival", "all").await;
        let mine = t.invoice(&acme, None, "unpaid", "2026-04-01", "100").await;
        let draft = t.invoice(&acme, None, "draft", "2026-04-02", "100").await;
        let theirs = t.invoice(&rival, None, "unpaid", "2026-04-03", "100").await;
        let project = t.project(&acme, &[&ada], true, "Refit").await;
        t.task(&project, Some(&ada), "Approve plan").await;
        let mut staff = t
            .staff_browser("sam@harbour.example", StaffRole::Owner)
            .await;
        let number = |id: String| {
            let t = &t;
            async move { t.number_of(courtyard_domain::Module::Invoices, &id).await }
        };
        let (mine_n, draft_n, theirs_n) = (
            number(mine.clone()).await,
            number(draft).await,
            number(theirs).await,
        );
        staff
            .get(&format!("/staff/portal-users/{ada}"))
            .await
            .assert_contains(&format!("/staff/portal-users/{ada}/view-as"));
        let page = staff
            .get(&format!("/staff/portal-users/{ada}/view-as"))
            .await;
        page.assert_status(200)
            .assert_contains("Viewing as Ada")
            .assert_contains("Read-only")
            .assert_contains(&mine_n)
            .assert_contains("Approve plan")
            .assert_contains("Tasks assigned to you")
            .assert_contains(&format!("/staff/invoices/{mine}"));
        assert!(!page.body.contains(&draft_n), "drafts are not shown");
        assert!(
            !page.body.contains(&theirs_n),
            "another company's invoice is not shown"
        );
        assert!(
            !page
                .body
                .contains("<form method=\"post\" action=\"/invoices"),
            "read-only"
        );
        // Olly is not a project member and has no tasks module rows.
        let page = staff
            .get(&format!("/staff/portal-users/{olly}/view-as"))
            .await;
        assert!(!page.body.contains("Approve plan"));
        // Nothing counted as a customer view.
        staff
            .get(&format!("/staff/invoices/{mine}"))
            .await
            .assert_contains("No customer has opened this yet");
        staff
            .get("/staff/portal-users/no-such-user/view-as")
            .await
            .assert_status(404);
    })
    .await;
}

#[tokio::test]
async fn a_staff_save_does_not_silently_undo_a_customer_s_answer() {
    on_each_backend(|t| async move {
        let (acme, _, _) = acme(&t).await;
        let quote = t
            .sales_doc(SalesKind::Quote, &acme, None, "sent", &today(&t), "500")
            .await;
        let mut staff = t
            .staff_browser("sam@harbour.example", StaffRole::Owner)
            .await;
        let page = staff.get(&format!("/staff/quotes/{quote}")).await;
        let version = page
            .body
            .split("name=\"version\" value=\"")
            .nth(1)
            .and_then(|r| r.split('"').next())
            .unwrap()
            .to_owned();
        // Meanwhile, a second later, the customer accepts.
        t.app.clock.advance(2);
        let mut ada = t.portal_browser("ada@acme.example").await;
        ada.post(&format!("/quotes/{quote}/accept"), &[])
            .await
            .assert_status(303);
        let form = |v: &str| {
            vec![
                ("version", v.to_owned()),
                ("company_id", acme.clone()),
                ("subject", "Changed by staff".to_owned()),
                ("status", "sent".to_owned()),
                ("currency", "GBP".to_owned()),
                ("issued_on", today(&t)),
                ("due_on", today(&t)),
                ("line_description", "Work".to_owned()),
                ("line_quantity", "1".to_owned()),
                ("line_unit_price", "500".to_owned()),
            ]
        };
        let stale = form(&version);
        let stale: Vec<(&str, &str)> = stale.iter().map(|(k, v)| (*k, v.as_str())).collect();
        let r = staff.post(&format!("/staff/quotes/{quote}"), &stale).await;
        r.assert_status(409)
            .assert_contains("changed this record while you were editing")
            .assert_contains("Changed by staff")
            // The re-shown form has the status as it is now.
            .assert_contains("value=\"accepted\" selected");
        ada.get(&format!("/quotes/{quote}"))
            .await
            .assert_contains(">Accepted<");
        // Saving again from the re-shown form is a deliberate overwrite.
        let fresh = r
            .body
            .split("name=\"version\" value=\"")
            .nth(1)
            .and_then(|r| r.split('"').next())
            .unwrap()
            .to_owned();
        assert_ne!(fresh, version);
        let again = form(&fresh);
        let again: Vec<(&str, &str)> = again.iter().map(|(k, v)| (*k, v.as_str())).collect();
        staff
            .post(&format!("/staff/quotes/{quote}"), &again)
            .await
            .assert_status(303);
    })
    .await;
}

#[tokio::test]
async fn concurrent_customer_views_all_succeed_and_the_notice_goes_once() {
    on_each_backend(|t| async move {
        let (acme, _, _) = acme(&t).await;
        let inv = t.invoice(&acme, None, "unpaid", "2026-05-01", "10").await;
        // Assign it to a staff member, so the first view sends a notice.
        let mut staff = t
            .staff_browser("sam@harbour.example", StaffRole::Owner)
            .await;
        let doc = courtyard_app::sales::staff_find(&t.app, SalesKind::Invoice, &inv)
            .await
            .unwrap();
        let mut form = courtyard_app::sales::SalesForm::from_doc(&doc.doc, &doc.lines);
        form.owner_staff_id = {
            let mut conn = t.app.db.conn().await.unwrap();
            courtyard_db::staff::find_by_email(&mut conn, "sam@harbour.example")
                .await
                .unwrap()
                .unwrap()
                .id
        };
        courtyard_app::sales::update(&t.app, SalesKind::Invoice, &inv, &form)
            .await
            .unwrap();
        let mut browsers = Vec::new();
        for _ in 0..12 {
            browsers.push(t.portal_browser("ada@acme.example").await);
        }
        let path = format!("/invoices/{inv}");
        let mut views = tokio::task::JoinSet::new();
        for mut b in browsers {
            let path = path.clone();
            views.spawn(async move { b.get(&path).await.status.as_u16() });
        }
        while let Some(status) = views.join_next().await {
            assert_eq!(status.unwrap(), 200, "a concurrent view failed");
        }
        t.deliver().await;
        let notices = t
            .sent()
            .into_iter()
            .filter(|m| m.to == "sam@harbour.example" && m.subject.contains("opened"))
            .count();
        assert_eq!(
            notices, 1,
            "one first-view notice, however many views raced"
        );
        let page = staff.get(&format!("/staff/invoices/{inv}")).await;
        assert_eq!(
            page.body.matches("ada@acme.example · ").count(),
            12,
            "every view recorded"
        );
    })
    .await;
}

#[tokio::test]
async fn staff_replies_do_not_reopen_a_resolved_ticket_and_expired_quotes_offer_no_answer() {
    on_each_backend(|t| async move {
        let (acme, _, _) = acme(&t).await;
        let ticket = t.ticket(&acme, None, "Old issue").await;
        let row = courtyard_app::work::staff_find::<courtyard_db::work::Ticket>(&t.app, &ticket)
            .await
            .unwrap();
        let mut form = courtyard_app::work::TicketForm::from_ticket(&row);
        form.status = "resolved".into();
        courtyard_app::work::update_ticket(&t.app, &ticket, &form)
            .await
            .unwrap();
        let mut staff = t
            .staff_browser("sam@harbour.example", StaffRole::Owner)
            .await;
        staff
            .post(
                &format!("/staff/tickets/{ticket}/comments"),
                &[("body", "For the record: fixed in v2.")],
            )
            .await
            .assert_status(303);
        let row = courtyard_app::work::staff_find::<courtyard_db::work::Ticket>(&t.app, &ticket)
            .await
            .unwrap();
        assert_eq!(row.status.as_str(), "resolved");

        let expired = t
            .sales_doc(SalesKind::Quote, &acme, None, "sent", "2020-01-01", "10")
            .await;
        let mut ada = t.portal_browser("ada@acme.example").await;
        let page = ada.get(&format!("/quotes/{expired}")).await;
        assert!(!page.body.contains("Accept quote"));
        assert!(page.body.contains(">Expired<"), "an expired quote says so");
        let home = ada.get("/").await.body;
        assert!(
            !home.contains(&format!("/quotes/{expired}")),
            "{}",
            &home[home.find("waiting").unwrap_or(0)..]
        );
        // A refused comment does not count as another view.
        ada.post(&format!("/quotes/{expired}/comments"), &[("body", "")])
            .await
            .assert_status(422);
        let page = staff.get(&format!("/staff/quotes/{expired}")).await;
        assert_eq!(page.body.matches("ada@acme.example · ").count(), 1);
    })
    .await;
}

#[tokio::test]
async fn staff_switch_modules_off_for_everyone_and_choose_number_prefixes() {
    on_each_backend(|t| async move {
        let (acme, ada, _) = acme(&t).await;
        let inv = t.invoice(&acme, None, "unpaid", "2026-06-01", "10").await;
        let mut staff = t
            .staff_browser("sam@harbour.example", StaffRole::Owner)
            .await;
        let mut ada_b = t.portal_browser("ada@acme.example").await;
        ada_b.get("/invoices").await.assert_status(200);
        // Every module but invoices stays on; the quote prefix changes.
        let mut fields: Vec<(String, String)> = courtyard_app::access::switchable_modules()
            .into_iter()
            .filter(|m| *m != courtyard_domain::Module::Invoices)
            .map(|m| (format!("module_{}", m.as_str()), "1".to_owned()))
            .collect();
        fields.push(("modules_form".into(), "1".into()));
        fields.push(("prefix_quote".into(), "Q/2026/".into()));
        let pairs: Vec<(&str, &str)> = fields
            .iter()
            .map(|(k, v)| (k.as_str(), v.as_str()))
            .collect();
        staff
            .post("/staff/settings", &pairs)
            .await
            .assert_status(303);
        let home = ada_b.get("/").await;
        assert!(
            !home.body.contains("href=\"/invoices\""),
            "no Invoices in the menu"
        );
        ada_b.get("/invoices").await.assert_status(404);
        ada_b
            .get(&format!("/invoices/{inv}"))
            .await
            .assert_status(404);
        ada_b.get("/quotes").await.assert_status(200);
        staff
            .get(&format!("/staff/invoices/{inv}?as={ada}"))
            .await
            .assert_contains("Not visible.")
            .assert_contains("switched off for every portal user");
        let q = t
            .sales_doc(SalesKind::Quote, &acme, None, "sent", "2099-01-01", "5")
            .await;
        assert!(t
            .number_of(courtyard_domain::Module::Quotes, &q)
            .await
            .starts_with("Q/2026/"));
        // A prefix with spaces or symbols is refused, and nothing is saved.
        staff
            .post(
                "/staff/settings",
                &[("modules_form", "1"), ("prefix_invoice", "IN <V>")],
            )
            .await
            .assert_status(422)
            .assert_contains("prefix needs 1 to 12 letters");
        ada_b.get("/invoices").await.assert_status(404);
    })
    .await;
}

#[tokio::test]
async fn the_staff_overview_counts_what_waits_for_staff() {
    on_each_backend(|t| async move {
        let (acme, _, _) = acme(&t).await;
        let mut ada = t.portal_browser("ada@acme.example").await;
        ada.post(
            "/quotes/request",
            &[("subject", "Shelving"), ("details", "")],
        )
        .await
        .assert_status(303);
        ada.post(
            "/tickets/new",
            &[
                ("subject", "Help"),
                ("priority", "normal"),
                ("message", "Please call."),
            ],
        )
        .await
        .assert_status(303);
        let mut staff = t
            .staff_browser("sam@harbour.example", StaffRole::Owner)
            .await;
        let page = staff.get("/staff").await;
        let attention = &page.body[page.body.find("id=\"attention\"").unwrap()..];
        let count_after = |label: &str| {
            let at = attention.find(label).unwrap();
            attention[at..]
                .split("<div class=\"stat\">")
                .nth(1)
                .and_then(|r| r.split('<').next())
                .unwrap()
                .to_owned()
        };
        assert_eq!(count_after("Quote requests"), "1");
        assert_eq!(count_after("Tickets awaiting a reply"), "1");
        assert_eq!(count_after("Job requests"), "0");
        for href in [
            "/staff/tickets?status=open",
            "/staff/quotes?status=requested",
            "/staff/jobs?status=requested",
            "/staff/quotes?status=accepted",
        ] {
            assert!(attention.contains(&format!("href=\"{href}\"")), "{href}");
        }
        // A company's lists create records for that company.
        staff
            .get(&format!("/staff/companies/{acme}"))
            .await
            .assert_contains(&format!("/staff/jobs?company_id={acme}"));
        staff
            .get(&format!("/staff/jobs?company_id={acme}"))
            .await
            .assert_contains(&format!("/staff/jobs/new?company_id={acme}"));
    })
    .await;
}
