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
                Bytes::from_static(PDF)
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
                Bytes::from_static(PDF)
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
            )
            .await,
        );
        assert!(msg.contains("too large"), "{msg}");
        big.truncate(limit);
        files::portal_upload(&t.app, &ada, "ticket", &ticket, "max.pdf", Bytes::from(big))
            .await
            .unwrap();
        assert_eq!(t.app.files.list().await.unwrap().len(), before + 1);

        // A staff file is hidden from the portal until shared.
        let staff = staff_ctx(&t).await;
        let plan = files::staff_upload(
            &t.app,
            &staff,
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
            &staff,
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
            &staff,
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
