//! The Documents module through the pages: the three portal folders under
//! the policy (shared only; public, company, contact, project), customer
//! uploads with staff notices, thumbnails, folders and "can this person see
//! it?". Both databases.

use courtyard_app::domain::StaffRole;
use courtyard_app::portal_users;

use crate::support::{multipart, on_each_backend, Browser, TestApp};

const PDF: &[u8] = b"%PDF-1.7\n1 0 obj\n<<>>\nendobj\n%%EOF\n";

/// A 300 × 200 PNG.
pub(crate) fn png() -> Vec<u8> {
    let img = image::RgbImage::from_fn(300, 200, |x, y| image::Rgb([x as u8, y as u8, 120]));
    let mut out = std::io::Cursor::new(Vec::new());
    img.write_to(&mut out, image::ImageFormat::Png).unwrap();
    out.into_inner()
}

/// The id after `prefix` in the first link to it on the page.
fn first_id(body: &str, prefix: &str) -> String {
    body.split(prefix)
        .nth(1)
        .and_then(|r| r.split(['"', '/', '?']).next())
        .unwrap_or_else(|| panic!("no {prefix} link in:\n{body}"))
        .to_owned()
}

struct World {
    acme: String,
    ada: String,
    olly_contact: String,
    project: String,
}

async fn world(t: &TestApp) -> World {
    let set = t
        .permission_set(
            "Docs",
            &[
                "documents:view",
                "documents:upload",
                "projects:view",
                "my_details:view",
            ],
        )
        .await;
    let acme = t.company("Acme", "all").await;
    let rival = t.company("Rival", "all").await;
    let ada = t.active(&acme, "Ada", "ada@acme.example", &set).await;
    let olly = t.active(&acme, "Olly", "olly@acme.example", &set).await;
    let mut f = t.user_form("olly@acme.example", &set);
    f.record_scope = "own".into();
    portal_users::update(&t.app, &olly, &f).await.unwrap();
    let olly_contact = portal_users::find(&t.app, &olly).await.unwrap().contact_id;
    t.active(&rival, "Eve", "eve@rival.example", &set).await;
    let project = courtyard_app::work::create_project(
        &t.app,
        &courtyard_app::work::ProjectForm {
            company_id: acme.clone(),
            subject: "Extension".into(),
            status: "active".into(),
            progress: "10".into(),
            start_on: "2026-01-01".into(),
            show_on_portal: true,
            show_documents: true,
            members: vec![ada.clone()],
            ..Default::default()
        },
    )
    .await
    .unwrap();
    World {
        acme,
        ada,
        olly_contact,
        project,
    }
}

/// Staff add a document through the page; returns its id.
async fn add(
    staff: &mut Browser,
    title: &str,
    fields: &[(&str, &str)],
    file: (&str, &[u8]),
) -> String {
    let mut all = vec![("title", title)];
    all.extend_from_slice(fields);
    let r = multipart(staff, "/staff/documents", &all, Some(file)).await;
    r.assert_status(303);
    first_id(r.location(), "/staff/documents/")
}

#[tokio::test]
async fn each_portal_folder_shows_exactly_what_is_shared_with_the_person() {
    on_each_backend(|t| async move {
        let w = world(&t).await;
        let mut staff = t
            .staff_browser("sam@harbour.example", StaffRole::Owner)
            .await;
        add(
            &mut staff,
            "Price list 2026",
            &[("audience", "public"), ("shared", "1")],
            ("prices.pdf", PDF),
        )
        .await;
        add(
            &mut staff,
            "Acme contract",
            &[
                ("audience", "company"),
                ("company_id", &w.acme),
                ("shared", "1"),
            ],
            ("contract.pdf", PDF),
        )
        .await;
        add(
            &mut staff,
            "Draft contract",
            &[("audience", "company"), ("company_id", &w.acme)],
            ("draft.pdf", PDF),
        )
        .await;
        add(
            &mut staff,
            "Olly's payslip",
            &[
                ("audience", "contact"),
                ("contact_id", &w.olly_contact),
                ("shared", "1"),
            ],
            ("olly.pdf", PDF),
        )
        .await;
        add(
            &mut staff,
            "Extension drawings",
            &[
                ("audience", "project"),
                ("project_id", &w.project),
                ("shared", "1"),
            ],
            ("plan.png", &png()),
        )
        .await;

        let mut ada = t.portal_browser("ada@acme.example").await;
        let public = ada.get("/documents").await;
        public.assert_status(200).assert_contains("Price list 2026");
        assert!(!public.body.contains("Acme contract"));
        let private = ada.get("/documents?folder=private").await;
        private.assert_contains("Acme contract");
        for hidden in ["Draft contract", "payslip", "Price list"] {
            assert!(
                !private.body.contains(hidden),
                "Ada's private folder shows {hidden}"
            );
        }
        let project = ada.get("/documents?folder=project").await;
        project
            .assert_contains("Extension drawings")
            .assert_contains("class=\"group-head\">Extension")
            .assert_contains("/thumb\"");
        // The thumbnail is a small PNG of the image.
        let file = first_id(&project.body, "href=\"/files/");
        let thumb = ada.get(&format!("/files/{file}/thumb")).await;
        thumb.assert_status(200);
        assert_eq!(thumb.headers["content-type"], "image/png");
        assert_eq!(
            thumb.headers["cache-control"], "no-store",
            "not kept in a shared cache"
        );
        let img = image::load_from_memory(&thumb.raw).unwrap();
        assert_eq!((img.width(), img.height()), (160, 107));
        let full = ada.get(&format!("/files/{file}")).await;
        full.assert_status(200);
        assert_eq!(full.raw, png());

        // Olly sees the company's document and his own; Eve only the public one.
        let mut olly = t.portal_browser("olly@acme.example").await;
        olly.get("/documents?folder=private")
            .await
            .assert_contains("Acme contract")
            .assert_contains("payslip");
        olly.get("/documents?folder=project")
            .await
            .assert_contains("No project documents yet");
        let mut eve = t.portal_browser("eve@rival.example").await;
        eve.get("/documents")
            .await
            .assert_contains("Price list 2026");
        for folder in ["private", "project"] {
            let r = eve.get(&format!("/documents?folder={folder}")).await;
            for hidden in ["Acme", "payslip", "Extension"] {
                assert!(
                    !r.body.contains(hidden),
                    "Eve's {folder} folder shows {hidden}"
                );
            }
        }
        eve.get(&format!("/files/{file}")).await.assert_status(404);
        eve.get(&format!("/files/{file}/thumb"))
            .await
            .assert_status(404);

        // Search within a folder.
        ada.get("/documents?folder=private&q=CONTRACT")
            .await
            .assert_contains("Acme contract");
        let none = ada
            .get("/documents?folder=private&q=nothing-like-this")
            .await;
        none.assert_contains("No documents match your search");

        // Sharing the draft makes it appear; the explanation agrees.
        let list = staff.get("/staff/documents?q=Draft").await;
        let rows = &list.body[list.body.find("class=\"doc-list\"").unwrap()..];
        let draft = first_id(rows, "href=\"/staff/documents/");
        let ada_id = w.ada.clone();
        staff
            .get(&format!("/staff/documents/{draft}?as={ada_id}"))
            .await
            .assert_contains("Not visible.")
            .assert_contains("not shared with the portal yet");
        staff
            .post(
                &format!("/staff/documents/{draft}"),
                &[
                    ("title", "Draft contract"),
                    ("audience", "company"),
                    ("company_id", &w.acme),
                    ("shared", "1"),
                ],
            )
            .await
            .assert_status(303);
        ada.get("/documents?folder=private")
            .await
            .assert_contains("Draft contract");
        staff
            .get(&format!("/staff/documents/{draft}?as={ada_id}"))
            .await
            .assert_contains("Visible.");
    })
    .await;
}

#[tokio::test]
async fn customers_upload_documents_and_staff_are_told() {
    on_each_backend(|t| async move {
        let _w = world(&t).await;
        // Staff exist before the upload, so the notice reaches them.
        let mut staff = t
            .staff_browser("sam@harbour.example", StaffRole::Owner)
            .await;
        let mut ada = t.portal_browser("ada@acme.example").await;
        ada.get("/documents")
            .await
            .assert_contains("Upload a document");
        // Clear errors, nothing stored.
        multipart(
            &mut ada,
            "/documents",
            &[("title", "Empty")],
            Some(("empty.pdf", b"")),
        )
        .await
        .assert_status(422)
        .assert_contains("The document was not uploaded")
        .assert_contains("empty");
        multipart(
            &mut ada,
            "/documents",
            &[("title", "")],
            Some(("a.pdf", PDF)),
        )
        .await
        .assert_status(422)
        .assert_contains("Give the document a title");
        multipart(
            &mut ada,
            "/documents",
            &[("title", "Page")],
            Some(("page.html", b"<html><script>alert(1)</script>")),
        )
        .await
        .assert_status(422);
        multipart(&mut ada, "/documents", &[("title", "No file")], None)
            .await
            .assert_status(422)
            .assert_contains("Choose a file");
        assert!(t.app.files.list().await.unwrap().is_empty());

        let r = multipart(
            &mut ada,
            "/documents",
            &[
                ("title", "Signed lease"),
                ("description", "Countersigned copy"),
            ],
            Some(("lease.pdf", PDF)),
        )
        .await;
        r.assert_status(303);
        ada.get(r.location())
            .await
            .assert_contains("Your file has been uploaded")
            .assert_contains("Signed lease")
            .assert_contains("Countersigned copy");
        // Own-scope colleagues do not see it.
        let mut olly = t.portal_browser("olly@acme.example").await;
        let o = olly.get("/documents?folder=private").await;
        assert!(!o.body.contains("Signed lease"));

        // Staff: a bell with a count, the notice naming Ada, an email.
        staff
            .get("/staff")
            .await
            .assert_contains("Notifications: 1 unread");
        staff
            .get("/staff/notifications")
            .await
            .assert_contains("Ada")
            .assert_contains("uploaded the document “Signed lease”");
        assert!(!staff.get("/staff").await.body.contains("unread"));
        t.deliver().await;
        let mail = t
            .sent()
            .into_iter()
            .find(|m| m.to == "sam@harbour.example" && m.text.contains("Signed lease"))
            .expect("an email to staff");
        assert!(mail.text.contains("Ada"));
        let list = staff.get("/staff/documents").await;
        list.assert_contains("Signed lease");
        // Staff file it in a folder, saving the form as shown: it stays Ada's,
        // so her own-scope colleague still does not see it.
        let rows = &list.body[list.body.find("class=\"doc-list\"").unwrap()..];
        let doc = first_id(rows, "href=\"/staff/documents/");
        let r = staff
            .post("/staff/documents/folders", &[("name", "Leases")])
            .await;
        let folder = r
            .location()
            .split("folder=")
            .nth(1)
            .unwrap()
            .split('&')
            .next()
            .unwrap()
            .to_owned();
        let d = courtyard_app::documents::staff_find(&t.app, &doc)
            .await
            .unwrap();
        let contact = d
            .contact_id
            .clone()
            .expect("a customer upload names its uploader");
        let page = staff.get(&format!("/staff/documents/{doc}")).await;
        assert!(
            page.body.contains(&format!("value=\"{contact}\" selected")),
            "the form shows the uploader"
        );
        staff
            .post(
                &format!("/staff/documents/{doc}"),
                &[
                    ("title", "Signed lease"),
                    ("description", "Countersigned copy"),
                    ("audience", "company"),
                    ("company_id", d.company_id.as_deref().unwrap()),
                    ("contact_id", &contact),
                    ("folder_id", &folder),
                    ("shared", "1"),
                ],
            )
            .await
            .assert_status(303);
        let o = olly.get("/documents?folder=private").await;
        assert!(!o.body.contains("Signed lease"), "still Ada's own");
        ada.get("/documents?folder=private")
            .await
            .assert_contains("Signed lease")
            .assert_contains("· Leases");
        // A document's file is shared from the document's page only.
        staff
            .post(
                &format!("/staff/files/{}/share", d.file_id),
                &[("shared", "0")],
            )
            .await
            .assert_status(404);
        ada.get(&format!("/files/{}", d.file_id))
            .await
            .assert_status(200);
        // Settings → Documents and PDFs, and templates, are for admins.
        let mut member = t
            .staff_browser("mia@harbour.example", StaffRole::Member)
            .await;
        member
            .get("/staff/settings/documents")
            .await
            .assert_status(403);
        member
            .post(
                "/staff/templates",
                &[
                    ("kind", "invoice"),
                    ("name", "Mine"),
                    ("audience", "sharing"),
                    ("source", "x"),
                ],
            )
            .await
            .assert_status(403);
    })
    .await;
}

#[tokio::test]
async fn staff_file_documents_in_folders() {
    on_each_backend(|t| async move {
        let w = world(&t).await;
        let mut staff = t
            .staff_browser("sam@harbour.example", StaffRole::Owner)
            .await;
        let r = staff
            .post("/staff/documents/folders", &[("name", "Contracts")])
            .await;
        r.assert_status(303);
        let folder = r
            .location()
            .split("folder=")
            .nth(1)
            .unwrap()
            .split('&')
            .next()
            .unwrap()
            .to_owned();
        staff
            .post("/staff/documents/folders", &[("name", "Contracts")])
            .await
            .assert_status(422)
            .assert_contains("already a folder");
        add(
            &mut staff,
            "Acme contract",
            &[
                ("audience", "company"),
                ("company_id", &w.acme),
                ("folder_id", &folder),
                ("shared", "1"),
            ],
            ("c.pdf", PDF),
        )
        .await;
        add(
            &mut staff,
            "Loose note",
            &[("audience", "public"), ("shared", "1")],
            ("n.pdf", PDF),
        )
        .await;
        let inside = staff
            .get(&format!("/staff/documents?folder={folder}"))
            .await;
        inside.assert_contains("Acme contract");
        assert!(!inside.body.contains("Loose note"));
        // The customer sees the folder's name beside the document.
        let mut ada = t.portal_browser("ada@acme.example").await;
        ada.get("/documents?folder=private")
            .await
            .assert_contains("· Contracts");
        // A document for a company must name the company.
        multipart(
            &mut staff,
            "/staff/documents",
            &[("title", "X"), ("audience", "company")],
            Some(("x.pdf", PDF)),
        )
        .await
        .assert_status(422)
        .assert_contains("Choose the company");
        staff
            .post(&format!("/staff/documents/folders/{folder}/delete"), &[])
            .await
            .assert_status(303);
        staff
            .get("/staff/documents")
            .await
            .assert_contains("Acme contract");
    })
    .await;
}
