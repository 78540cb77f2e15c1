//! Files on records, at the use-case level (the upload and download pages
//! come next): checked uploads, hidden until shared, downloads only through
//! the record's visibility, and the sweep of orphaned bytes. Both databases.

use bytes::Bytes;
use courtyard_app::domain::StaffRole;
use courtyard_app::files;
use courtyard_app::AppError;

use crate::support::{on_each_backend, TestApp};

const PDF: &[u8] = b"%PDF-1.7\n1 0 obj\n<<>>\nendobj\n%%EOF\n";

async fn portal_ctx(t: &TestApp, email: &str) -> courtyard_app::auth::PortalContext {
    let b = t.portal_browser(email).await;
    let raw = b.jar.get("cy_portal").unwrap().clone();
    courtyard_app::auth::portal_session(&t.app, &raw)
        .await
        .unwrap()
        .unwrap()
}

async fn staff_ctx(t: &TestApp) -> courtyard_app::auth::StaffContext {
    let b = t
        .staff_browser("sam@harbour.example", StaffRole::Owner)
        .await;
    let raw = b.jar.get("cy_staff").unwrap().clone();
    courtyard_app::auth::staff_session(&t.app, &raw)
        .await
        .unwrap()
        .unwrap()
}

fn field_error(r: Result<String, AppError>) -> String {
    match r {
        Err(AppError::Invalid(e)) => e[0].message.clone(),
        other => panic!("expected a refused file, got {other:?}"),
    }
}

#[tokio::test]
async fn uploads_are_checked_hidden_until_shared_and_downloaded_through_the_record() {
    on_each_backend(|t| async move {
        let up = t
            .permission_set("Up", &["tickets:view", "tickets:upload", "my_details:view"])
            .await;
        let view = t
            .permission_set("View", &["tickets:view", "my_details:view"])
            .await;
        let acme = t.company("Acme", "all").await;
        let rival = t.company("Rival", "all").await;
        t.active(&acme, "Ada", "ada@acme.example", &up).await;
        t.active(&acme, "Olly", "olly@acme.example", &view).await;
        t.active(&rival, "Eve", "eve@rival.example", &up).await;
        let ticket = t.ticket(&acme, None, "Broken door").await;
        let rival_ticket = t.ticket(&rival, None, "Rival").await;
        let (ada, olly, eve) = (
            portal_ctx(&t, "ada@acme.example").await,
            portal_ctx(&t, "olly@acme.example").await,
            portal_ctx(&t, "eve@rival.example").await,
        );

        // A customer's upload: the display name is the last path segment.
        let id = files::portal_upload(
            &t.app,
            &ada,
            "ticket",
            &ticket,
            "../../etc/door.pdf",
            Bytes::from_static(PDF),
            "",
        )
        .await
        .unwrap();
        let (row, bytes) = files::portal_download(&t.app, &olly, &id).await.unwrap();
        assert_eq!(row.display_name, "door.pdf");
        assert_eq!(&bytes[..], PDF);
        assert!(matches!(
            files::portal_download(&t.app, &eve, &id).await,
            Err(AppError::NotFound)
        ));
        // Someone of another company cannot upload onto the ticket, and the
        // answer is the one for a ticket that does not exist.
        assert!(matches!(
            files::portal_upload(
                &t.app,
                &eve,
                "ticket",
                &ticket,
                "x.pdf",
                Bytes::from_static(PDF),
                ""
            )
            .await,
            Err(AppError::NotFound)
        ));
        assert!(matches!(
            files::portal_upload(
                &t.app,
                &olly,
                "ticket",
                &ticket,
                "x.pdf",
                Bytes::from_static(PDF),
                ""
            )
            .await,
            Err(AppError::Forbidden)
        ));

        // Hostile files are refused with a clear message, and nothing is stored.
        let before = t.app.files.list().await.unwrap().len();
        for (name, body, says) in [
            (
                "page.html",
                &b"<html><script>alert(1)</script>"[..],
                "not accepted",
            ),
            ("logo.svg", &b"<svg onload=alert(1)>"[..], "not accepted"),
            ("invoice.pdf", &b"MZ\x90\x00 not a pdf"[..], "do not match"),
            ("notes.txt", &b"<!DOCTYPE html><p>hi"[..], "do not match"),
            ("empty.pdf", &b""[..], "empty"),
        ] {
            let msg = field_error(
                files::portal_upload(
                    &t.app,
                    &ada,
                    "ticket",
                    &ticket,
                    name,
                    Bytes::copy_from_slice(body),
                    "",
                )
                .await,
            );
            assert!(msg.contains(says), "{name}: {msg}");
        }
        let limit = t.app.config.files.max_upload_bytes as usize;
        let mut big = b"%PDF-".to_vec();
        big.resize(limit + 1, b'x');
        let msg = field_error(
            files::portal_upload(
                &t.app,
                &ada,
                "ticket",
                &ticket,
                "big.pdf",
                Bytes::from(big.clone()),
                "",
            )
            .await,
        );
        assert!(msg.contains("too large"), "{msg}");
        big.truncate(limit);
        files::portal_upload(
            &t.app,
            &ada,
            "ticket",
            &ticket,
            "max.pdf",
            Bytes::from(big),
            "",
        )
        .await
        .unwrap();
        assert_eq!(t.app.files.list().await.unwrap().len(), before + 1);

        // A staff file is hidden from the portal until shared.
        let staff = staff_ctx(&t).await;
        let plan = files::staff_upload(
            &t.app,
            &staff.staff,
            "ticket",
            &ticket,
            "plan.pdf",
            Bytes::from_static(PDF),
        )
        .await
        .unwrap();
        assert!(matches!(
            files::portal_download(&t.app, &ada, &plan).await,
            Err(AppError::NotFound)
        ));
        assert!(!files::portal_files(&t.app, "ticket", &ticket)
            .await
            .unwrap()
            .iter()
            .any(|f| f.id == plan));
        files::set_shared(&t.app, &plan, true).await.unwrap();
        files::portal_download(&t.app, &ada, &plan).await.unwrap();
        assert!(files::portal_files(&t.app, "ticket", &ticket)
            .await
            .unwrap()
            .iter()
            .any(|f| f.id == plan));
        // Shared, but on another company's ticket: still not found for Ada.
        let theirs = files::staff_upload(
            &t.app,
            &staff.staff,
            "ticket",
            &rival_ticket,
            "r.pdf",
            Bytes::from_static(PDF),
        )
        .await
        .unwrap();
        files::set_shared(&t.app, &theirs, true).await.unwrap();
        assert!(matches!(
            files::portal_download(&t.app, &ada, &theirs).await,
            Err(AppError::NotFound)
        ));
        files::portal_download(&t.app, &eve, &theirs).await.unwrap();
    })
    .await;
}

#[tokio::test]
async fn the_sweep_removes_bytes_no_row_points_at_and_keeps_the_rest() {
    on_each_backend(|t| async move {
        let acme = t.company("Acme", "all").await;
        let ticket = t.ticket(&acme, None, "Door").await;
        let staff = staff_ctx(&t).await;
        let kept = files::staff_upload(
            &t.app,
            &staff.staff,
            "ticket",
            &ticket,
            "a.pdf",
            Bytes::from_static(PDF),
        )
        .await
        .unwrap();
        // Bytes stored by an upload that died before its row was written.
        t.app
            .files
            .put("zz/zz/orphan", Bytes::from_static(PDF))
            .await
            .unwrap();
        // Within the grace period nothing is removed (it may be in flight).
        assert_eq!(files::sweep(&t.app, 3600).await.unwrap(), (0, 0));
        // Later, the orphan goes and the file with a row stays.
        t.app.clock.advance(7200);
        assert_eq!(files::sweep(&t.app, 3600).await.unwrap(), (0, 1));
        let keys: Vec<String> = t
            .app
            .files
            .list()
            .await
            .unwrap()
            .into_iter()
            .map(|s| s.key)
            .collect();
        assert_eq!(keys.len(), 1);
        files::staff_download(&t.app, &kept).await.unwrap();
    })
    .await;
}

/// A multipart upload as a browser's form sends it: the CSRF field, then the file.
async fn upload(
    b: &mut crate::support::Browser,
    path: &str,
    name: &str,
    body: &[u8],
    with_csrf: bool,
) -> crate::support::Resp {
    crate::support::multipart_with(b, path, with_csrf, &[], Some((name, body))).await
}

#[tokio::test]
async fn customers_and_staff_upload_and_download_files_on_a_ticket_through_the_pages() {
    on_each_backend(|t| async move {
        let up = t
            .permission_set("Up", &["tickets:view", "tickets:upload", "my_details:view"])
            .await;
        let acme = t.company("Acme", "all").await;
        t.active(&acme, "Ada", "ada@acme.example", &up).await;
        let ticket = t.ticket(&acme, None, "Broken door").await;
        let mut ada = t.portal_browser("ada@acme.example").await;
        ada.get(&format!("/tickets/{ticket}"))
            .await
            .assert_contains("enctype=\"multipart/form-data\"");

        // No CSRF field: refused, nothing stored.
        upload(&mut ada, &format!("/tickets/{ticket}/files"), "a.pdf", PDF, false)
            .await
            .assert_status(403);
        assert!(t.app.files.list().await.unwrap().is_empty());

        let r = upload(&mut ada, &format!("/tickets/{ticket}/files"), "Door photo – ü.pdf", PDF, true).await;
        r.assert_status(303);
        let page = ada.get(r.location()).await;
        page.assert_contains("Your file has been uploaded").assert_contains("Door photo – ü.pdf");
        let id = page
            .body
            .split("href=\"/files/")
            .nth(1)
            .and_then(|r| r.split('"').next())
            .unwrap()
            .to_owned();
        let d = ada.get(&format!("/files/{id}")).await;
        d.assert_status(200);
        let h = |k: &str| d.headers.get(k).and_then(|v| v.to_str().ok()).unwrap_or("").to_owned();
        assert_eq!(h("content-type"), "application/pdf");
        assert_eq!(
            h("content-disposition"),
            "attachment; filename=\"Door photo _ _.pdf\"; filename*=UTF-8''Door%20photo%20%E2%80%93%20%C3%BC.pdf"
        );
        assert_eq!(h("x-content-type-options"), "nosniff");
        assert_eq!(h("content-security-policy"), "sandbox; default-src 'none'");
        assert_eq!(h("cache-control"), "no-store");
        assert_eq!(d.body.as_bytes(), PDF);

        // Hostile or broken files: a clear message on the ticket page.
        upload(&mut ada, &format!("/tickets/{ticket}/files"), "x.html", b"<html>", true)
            .await
            .assert_status(422)
            .assert_contains("not accepted");
        let limit = t.app.config.files.max_upload_bytes as usize;
        let mut big = b"%PDF-".to_vec();
        big.resize(limit + 1, b'x');
        upload(&mut ada, &format!("/tickets/{ticket}/files"), "big.pdf", &big, true)
            .await
            .assert_status(422)
            .assert_contains("too large");
        // Far over the limit: refused from its length, before the body is read.
        big.resize(limit + 200 * 1024, b'x');
        upload(&mut ada, &format!("/tickets/{ticket}/files"), "huge.pdf", &big, true)
            .await
            .assert_status(413)
            .assert_contains("The file is too large: the limit is 64 KB");
        assert_eq!(t.app.files.list().await.unwrap().len(), 1);

        // Staff files are hidden until shared.
        let mut staff = t
            .staff_browser("sam@harbour.example", StaffRole::Owner)
            .await;
        upload(&mut staff, &format!("/staff/tickets/{ticket}/files"), "quote.pdf", PDF, true)
            .await
            .assert_status(303);
        let page = staff.get(&format!("/staff/tickets/{ticket}")).await;
        page.assert_contains("quote.pdf").assert_contains("Not shared");
        assert!(!ada.get(&format!("/tickets/{ticket}")).await.body.contains("quote.pdf"));
        let sid = courtyard_app::files::staff_files(&t.app, "ticket", &ticket)
            .await
            .unwrap()
            .into_iter()
            .find(|f| f.display_name == "quote.pdf")
            .unwrap()
            .id;
        page.assert_contains(&format!("/staff/files/{sid}/share"));
        ada.get(&format!("/files/{sid}")).await.assert_status(404);
        staff
            .post(&format!("/staff/files/{sid}/share"), &[("shared", "1")])
            .await
            .assert_status(303);
        ada.get(&format!("/tickets/{ticket}")).await.assert_contains("quote.pdf");
        ada.get(&format!("/files/{sid}")).await.assert_status(200);
    })
    .await;
}

#[tokio::test]
async fn files_attach_to_every_record_type_hidden_until_shared() {
    on_each_backend(|t| async move {
        use courtyard_app::domain::records::SalesKind;
        let set = t
            .permission_set(
                "All",
                &[
                    "quotes:view",
                    "sales_orders:view",
                    "invoices:view",
                    "jobs:view",
                    "jobs:upload",
                    "projects:view",
                    "projects:upload",
                    "tasks:view",
                    "tasks:upload",
                    "my_details:view",
                ],
            )
            .await;
        let acme = t.company("Acme", "all").await;
        let ada_id = t.active(&acme, "Ada", "ada@acme.example", &set).await;
        let project = t.project(&acme, &[&ada_id], true, "Extension").await;
        let records = [
            (
                "quotes",
                t.sales_doc(SalesKind::Quote, &acme, None, "sent", "2026-03-01", "5")
                    .await,
            ),
            (
                "orders",
                t.sales_doc(
                    SalesKind::Order,
                    &acme,
                    None,
                    "confirmed",
                    "2026-03-01",
                    "5",
                )
                .await,
            ),
            (
                "invoices",
                t.invoice(&acme, None, "unpaid", "2026-03-01", "5").await,
            ),
            ("jobs", t.job(&acme, None, "Survey").await),
            ("projects", project.clone()),
            ("tasks", t.task(&project, Some(&ada_id), "Sign off").await),
        ];
        let mut staff = t
            .staff_browser("sam@harbour.example", StaffRole::Owner)
            .await;
        let mut ada = t.portal_browser("ada@acme.example").await;
        for (base, id) in &records {
            let name = format!("{base}-plan.pdf");
            let r = upload(
                &mut staff,
                &format!("/staff/{base}/{id}/files"),
                &name,
                PDF,
                true,
            )
            .await;
            r.assert_status(303);
            assert_eq!(
                r.location(),
                format!("/staff/{base}/{id}?done=uploaded#files")
            );
            let page = staff.get(&format!("/staff/{base}/{id}")).await;
            page.assert_contains(&name).assert_contains("Not shared");
            // Hidden from the customer until shared.
            let portal = ada.get(&format!("/{base}/{id}")).await;
            portal.assert_status(200);
            assert!(!portal.body.contains(&name), "{base}: unshared file shown");
            let file = page
                .body
                .split("/staff/files/")
                .nth(1)
                .and_then(|r| r.split('"').next())
                .unwrap()
                .to_owned();
            ada.get(&format!("/files/{file}")).await.assert_status(404);
            staff
                .post(&format!("/staff/files/{file}/share"), &[("shared", "1")])
                .await
                .assert_status(303);
            ada.get(&format!("/{base}/{id}"))
                .await
                .assert_contains(&name);
            let d = ada.get(&format!("/files/{file}")).await;
            d.assert_status(200);
            assert_eq!(d.raw, PDF);
        }
        // Customers upload where their permission set says so: jobs,
        // projects and tasks here; never onto quotes, orders or invoices.
        for (base, id) in &records {
            let r = upload(
                &mut ada,
                &format!("/{base}/{id}/files"),
                "mine.pdf",
                PDF,
                true,
            )
            .await;
            if ["jobs", "projects", "tasks"].contains(base) {
                r.assert_status(303);
                ada.get(r.location()).await.assert_contains("mine.pdf");
            } else {
                assert!(
                    [404, 405].contains(&r.status.as_u16()),
                    "{base}: customer upload got {}",
                    r.status
                );
            }
        }
        // A refused file re-shows the record with the reason.
        let (_, job) = &records[3];
        upload(
            &mut ada,
            &format!("/jobs/{job}/files"),
            "empty.pdf",
            b"",
            true,
        )
        .await
        .assert_status(422)
        .assert_contains("empty");
        // Each of the customer's three uploads was mailed to staff (the
        // refused ones were not); the only other email is her invitation.
        t.deliver().await;
        let mails = t.sent();
        let to_staff = mails
            .iter()
            .filter(|m| m.to == "sam@harbour.example")
            .count();
        assert_eq!(to_staff, 3);
        assert_eq!(mails.len(), 4);
    })
    .await;
}

#[tokio::test]
async fn a_file_can_come_with_a_message_and_shows_under_it() {
    on_each_backend(|t| async move {
        use crate::support::multipart;
        let talk = t
            .permission_set(
                "Talk",
                &[
                    "tickets:view",
                    "tickets:upload",
                    "tickets:comment",
                    "my_details:view",
                ],
            )
            .await;
        let quiet = t
            .permission_set(
                "Quiet",
                &["tickets:view", "tickets:upload", "my_details:view"],
            )
            .await;
        let acme = t.company("Acme", "all").await;
        t.active(&acme, "Ada", "ada@acme.example", &talk).await;
        t.active(&acme, "Olly", "olly@acme.example", &quiet).await;
        let ticket = t.ticket(&acme, None, "Leaking roof").await;
        let mut staff = t
            .staff_browser("sam@harbour.example", StaffRole::Owner)
            .await;
        let mut ada = t.portal_browser("ada@acme.example").await;

        // Ada: a photo with a message; it sits under her message.
        let r = multipart(
            &mut ada,
            &format!("/tickets/{ticket}/files"),
            &[("note", "Here is the damp patch")],
            Some(("patch.pdf", PDF)),
        )
        .await;
        r.assert_status(303);
        let page = ada.get(r.location()).await;
        let thread = &page.body[page.body.find("id=\"comments\"").unwrap()..];
        assert!(
            thread.contains("Here is the damp patch") && thread.contains("patch.pdf"),
            "{thread}"
        );
        staff
            .get(&format!("/staff/tickets/{ticket}"))
            .await
            .assert_contains("Here is the damp patch");

        // Olly may upload but not comment: a message is refused, nothing stored.
        let before = t.app.files.list().await.unwrap().len();
        let mut olly = t.portal_browser("olly@acme.example").await;
        let r = multipart(
            &mut olly,
            &format!("/tickets/{ticket}/files"),
            &[("note", "me too")],
            Some(("o.pdf", PDF)),
        )
        .await;
        assert_eq!(r.status.as_u16(), 403, "{}", r.body);
        assert_eq!(t.app.files.list().await.unwrap().len(), before);

        // Staff: hidden file + message = internal note; shared = public.
        multipart(
            &mut staff,
            &format!("/staff/tickets/{ticket}/files"),
            &[("note", "Quote from the roofer, do not share yet")],
            Some(("roofer.pdf", PDF)),
        )
        .await
        .assert_status(303);
        multipart(
            &mut staff,
            &format!("/staff/tickets/{ticket}/files"),
            &[("note", "Our surveyor's report"), ("shared", "1")],
            Some(("survey.pdf", PDF)),
        )
        .await
        .assert_status(303);
        let page = ada.get(&format!("/tickets/{ticket}")).await;
        page.assert_contains("Our surveyor&#39;s report")
            .assert_contains("survey.pdf");
        assert!(
            !page.body.contains("roofer"),
            "an internal note and a hidden file stay hidden"
        );
        staff
            .get(&format!("/staff/tickets/{ticket}"))
            .await
            .assert_contains("Quote from the roofer")
            .assert_contains("Internal note");
        // Staff hide Ada's own upload: gone from the portal, download included.
        let staff_page = staff.get(&format!("/staff/tickets/{ticket}")).await;
        let patch = staff_page.body[..staff_page.body.find(">patch.pdf<").unwrap()]
            .rsplit("/staff/files/")
            .next()
            .unwrap()
            .split('"')
            .next()
            .unwrap()
            .to_owned();
        staff
            .post(&format!("/staff/files/{patch}/share"), &[("shared", "0")])
            .await
            .assert_status(303);
        let page = ada.get(&format!("/tickets/{ticket}")).await;
        assert!(
            !page.body.contains("patch.pdf"),
            "a hidden customer upload is hidden"
        );
        ada.get(&format!("/files/{patch}")).await.assert_status(404);
        // A closed ticket takes no more files, with or without a message.
        let row = courtyard_app::work::staff_find::<courtyard_db::work::Ticket>(&t.app, &ticket)
            .await
            .unwrap();
        let mut form = courtyard_app::work::TicketForm::from_ticket(&row);
        form.status = "closed".into();
        courtyard_app::work::update_ticket(&t.app, &ticket, &form)
            .await
            .unwrap();
        let before = t.app.files.list().await.unwrap().len();
        multipart(
            &mut ada,
            &format!("/tickets/{ticket}/files"),
            &[],
            Some(("late.pdf", PDF)),
        )
        .await
        .assert_status(409)
        .assert_contains("This ticket is closed");
        assert_eq!(
            t.app.files.list().await.unwrap().len(),
            before,
            "nothing stored"
        );
        // Staff were told of the customer's upload with a message.
        t.deliver().await;
        assert!(t.sent().iter().any(|m| m.to == "sam@harbour.example"));
    })
    .await;
}
