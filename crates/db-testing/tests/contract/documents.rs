//! Documents with their folders and file rows, the portal's audiences, and
//! files attached to records, on both engines.

use courtyard_db::companies::Company;
use courtyard_db::documents::{self, DocumentFields, DocumentFilter};
use courtyard_db::files::{self, NewFile};
use courtyard_db::work::{self, ProjectInput};
use courtyard_db::Db;
use courtyard_domain::{Module, RecordScope};

use super::{ann, company, conflict_on, not_found, pluck, portal_user, scope, story, viewer, T0};

/// A document and its file row, written together as the app does.
async fn add_document(
    db: &Db,
    d: &DocumentFields,
    file_name: &str,
    company: Option<&str>,
    at: i64,
) -> String {
    let id = courtyard_db::new_id();
    let key = format!("documents/{id}");
    let mut tx = db.begin().await.unwrap();
    documents::insert(&mut tx, &id, d, at).await.unwrap();
    let file = NewFile {
        key: &key,
        record_type: "document",
        record_id: &id,
        company_id: company,
        display_name: file_name,
        kind: "pdf",
        size: 1234,
        shared: d.shared,
        uploaded_by_kind: "staff",
        uploaded_by_id: "sam",
        uploaded_by_name: "Sam Seller",
        comment_id: None,
    };
    files::insert(&mut tx, &file, None, at).await.unwrap();
    tx.commit().await.unwrap();
    id
}

#[tokio::test]
async fn documents_folders_and_files() {
    story(|db, t| async move {
        let mut c = db.conn().await.unwrap();
        let acme = company(&mut c, "Acme Ltd").await;
        let bolt = company(&mut c, "Bolt & Sons").await;
        let ann = ann(&mut c, &acme).await;
        let grants = "documents:view projects:view";
        let pu = portal_user(&mut c, &ann, grants).await;
        let plan = ProjectInput {
            company_id: acme.id.clone(),
            contact_id: None,
            subject: "Office move".into(),
            status: "active".into(),
            progress: 0,
            start_on: "2024-05-01".into(),
            end_on: None,
            show_on_portal: true,
            show_documents: true,
            description: String::new(),
            owner_staff_id: None,
            members: vec![pu.clone()],
            milestones: vec![],
        };
        let project = work::insert_project(&mut c, "PRJ-0001", &plan, T0)
            .await
            .unwrap();

        // Folders: unique names, listed by name with their document counts.
        let contracts = documents::create_folder(&mut c, "Contracts", T0)
            .await
            .unwrap();
        let brochures = documents::create_folder(&mut c, "Brochures", T0)
            .await
            .unwrap();
        conflict_on(
            documents::create_folder(&mut c, "Contracts", T0).await,
            "name",
        );

        let doc = |title: &str, audience: &str| DocumentFields {
            title: title.into(),
            audience: audience.into(),
            shared: true,
            ..Default::default()
        };
        let company_doc = |title: &str, company: &Company| DocumentFields {
            company_id: Some(company.id.clone()),
            ..doc(title, "company")
        };
        let prices = add_document(
            &db,
            &DocumentFields {
                folder_id: Some(brochures.clone()),
                ..doc("Price list 2024", "public")
            },
            "prices.pdf",
            None,
            T0,
        )
        .await;
        let service = DocumentFields {
            description: "Signed copy".into(),
            folder_id: Some(contracts.clone()),
            ..company_doc("Service contract", &acme)
        };
        let service =
            add_document(&db, &service, "Contract-Acme.PDF", Some(&acme.id), T0 + 10).await;
        let nda = DocumentFields {
            contact_id: Some(ann.id.clone()),
            company_id: Some(acme.id.clone()),
            ..doc("Ann's NDA", "contact")
        };
        let nda = add_document(&db, &nda, "nda.pdf", Some(&acme.id), T0 + 20).await;
        let floor = add_document(
            &db,
            &DocumentFields {
                project_id: Some(project.clone()),
                ..doc("Floor plan", "project")
            },
            "plan.pdf",
            None,
            T0 + 30,
        )
        .await;
        let hidden = DocumentFields {
            shared: false,
            ..company_doc("Draft terms", &acme)
        };
        let draft = add_document(&db, &hidden, "terms.pdf", Some(&acme.id), T0 + 40).await;
        let theirs = add_document(
            &db,
            &company_doc("Bolt contract", &bolt),
            "bolt.pdf",
            Some(&bolt.id),
            T0 + 50,
        )
        .await;

        let one = documents::find(&mut c, &service, None).await.unwrap();
        assert_eq!(
            (
                one.folder_name.as_deref(),
                one.company_name.as_deref(),
                one.contact_name.as_deref(),
                one.project_name.as_deref()
            ),
            (Some("Contracts"), Some("Acme Ltd"), None, None)
        );
        assert_eq!(
            (
                one.file_name.as_str(),
                one.file_kind.as_str(),
                one.file_size,
                one.thumb_key.as_deref()
            ),
            ("Contract-Acme.PDF", "pdf", 1234, None)
        );
        assert_eq!(
            (one.shared, one.created_at, one.uploaded_by_name.as_str()),
            (1, T0 + 10, "Sam Seller")
        );
        t.saw("document", &one);
        let mine = documents::find(&mut c, &nda, None).await.unwrap();
        assert_eq!(mine.contact_name.as_deref(), Some("Ann Archer"));
        assert_eq!(
            documents::find(&mut c, &floor, None)
                .await
                .unwrap()
                .project_name
                .as_deref(),
            Some("Office move")
        );

        // The staff list: newest first, filtered, searched in title, description and file name.
        let list = |f: DocumentFilter| DocumentFilter { limit: 50, ..f };
        let titles = |rows: &[documents::DocumentRow]| pluck(rows, |r| &r.title);
        let all = documents::list(&mut c, None, &list(Default::default()))
            .await
            .unwrap();
        assert_eq!(
            titles(&all),
            [
                "Bolt contract",
                "Draft terms",
                "Floor plan",
                "Ann's NDA",
                "Service contract",
                "Price list 2024"
            ]
        );
        t.saw("documents", &all);
        let in_contracts = list(DocumentFilter {
            folder_id: Some(contracts.clone()),
            ..Default::default()
        });
        assert_eq!(
            titles(&documents::list(&mut c, None, &in_contracts).await.unwrap()),
            ["Service contract"]
        );
        let public = list(DocumentFilter {
            audiences: vec!["public", "project"],
            ..Default::default()
        });
        assert_eq!(
            titles(&documents::list(&mut c, None, &public).await.unwrap()),
            ["Floor plan", "Price list 2024"]
        );
        let at_acme = list(DocumentFilter {
            company_id: Some(acme.id.clone()),
            ..Default::default()
        });
        assert_eq!(
            titles(&documents::list(&mut c, None, &at_acme).await.unwrap()),
            ["Draft terms", "Ann's NDA", "Service contract"]
        );
        let search = |q: &str| {
            list(DocumentFilter {
                q: q.into(),
                ..Default::default()
            })
        };
        assert_eq!(
            titles(
                &documents::list(&mut c, None, &search("CONTRACT"))
                    .await
                    .unwrap()
            ),
            ["Bolt contract", "Service contract"]
        );
        assert_eq!(
            titles(
                &documents::list(&mut c, None, &search("  signed "))
                    .await
                    .unwrap()
            ),
            ["Service contract"]
        );
        assert_eq!(
            titles(
                &documents::list(&mut c, None, &search("acme.pdf"))
                    .await
                    .unwrap()
            ),
            ["Service contract"]
        );
        assert_eq!(
            titles(&documents::list(&mut c, None, &search("'s")).await.unwrap()),
            ["Ann's NDA"]
        );
        assert_eq!(
            documents::list(&mut c, None, &DocumentFilter::default())
                .await
                .unwrap()
                .len(),
            1,
            "a limit of 0 is 1"
        );
        let mut pages = Vec::new();
        let mut before = None;
        loop {
            let page = documents::list(
                &mut c,
                None,
                &DocumentFilter {
                    limit: 4,
                    before: before.clone(),
                    ..Default::default()
                },
            )
            .await
            .unwrap();
            let Some(last) = page.last() else { break };
            before = Some((last.created_at, last.id.clone()));
            pages.push(page.len());
        }
        assert_eq!(pages, [4, 2]);

        // The portal: shared, and for everyone, the company, the person or their project.
        let p = scope(
            &viewer(&pu, &acme, &ann, RecordScope::Company, grants),
            Module::Documents,
        );
        let seen = documents::list(&mut c, Some(&p), &list(Default::default()))
            .await
            .unwrap();
        assert_eq!(
            titles(&seen),
            [
                "Floor plan",
                "Ann's NDA",
                "Service contract",
                "Price list 2024"
            ]
        );
        not_found(documents::find(&mut c, &draft, Some(&p)).await);
        not_found(documents::find(&mut c, &theirs, Some(&p)).await);
        let no_projects = scope(
            &viewer(&pu, &acme, &ann, RecordScope::Company, "documents:view"),
            Module::Documents,
        );
        not_found(documents::find(&mut c, &floor, Some(&no_projects)).await);
        assert_eq!(
            documents::find(&mut c, &prices, Some(&no_projects))
                .await
                .unwrap()
                .title,
            "Price list 2024"
        );

        // Sharing a document shares its file; removing a folder keeps its documents.
        let shared = DocumentFields {
            shared: true,
            folder_id: Some(contracts.clone()),
            ..hidden.clone()
        };
        documents::update(&mut c, &draft, &shared, T0 + 60)
            .await
            .unwrap();
        not_found(documents::update(&mut c, "no-such-id", &shared, T0).await);
        let file = files::for_record(&mut c, "document", &draft, true)
            .await
            .unwrap();
        assert_eq!(
            file.iter()
                .map(|f| (f.display_name.as_str(), f.shared))
                .collect::<Vec<_>>(),
            [("terms.pdf", 1)]
        );
        assert_eq!(
            documents::find(&mut c, &draft, Some(&p))
                .await
                .unwrap()
                .updated_at,
            T0 + 60
        );
        let folders = documents::folders(&mut c).await.unwrap();
        assert_eq!(
            folders
                .iter()
                .map(|f| (f.name.as_str(), f.documents))
                .collect::<Vec<_>>(),
            [("Brochures", 1), ("Contracts", 2)]
        );
        documents::delete_folder(&mut c, &contracts).await.unwrap();
        not_found(documents::delete_folder(&mut c, &contracts).await);
        let loose = documents::find(&mut c, &service, None).await.unwrap();
        assert_eq!((loose.folder_id, loose.folder_name), (None, None));
        assert_eq!(
            pluck(&documents::folders(&mut c).await.unwrap(), |f| &f.name),
            ["Brochures"]
        );
        let bolt_file = files::for_record(&mut c, "document", &theirs, false)
            .await
            .unwrap();
        documents::delete(&mut c, &theirs).await.unwrap();
        files::delete(&mut c, &bolt_file[0].id).await.unwrap();
        not_found(documents::find(&mut c, &theirs, None).await);

        // Files on a record: hidden from the portal until shared, thumbnails counted as keys.
        let upload = |key: &'static str,
                      name: &'static str,
                      shared: bool,
                      comment: Option<&'static str>| NewFile {
            key,
            record_type: "invoice",
            record_id: "rec-1",
            company_id: None,
            display_name: name,
            kind: "image",
            size: 2048,
            shared,
            uploaded_by_kind: "portal",
            uploaded_by_id: "ann",
            uploaded_by_name: "Ann Archer",
            comment_id: comment,
        };
        let photo = files::insert(
            &mut c,
            &NewFile {
                company_id: Some(&acme.id),
                ..upload("inv/1", "photo.png", false, None)
            },
            Some("thumb/1"),
            T0 + 100,
        )
        .await
        .unwrap();
        let scan = files::insert(
            &mut c,
            &upload("inv/2", "scan.png", true, Some("comment-1")),
            None,
            T0 + 101,
        )
        .await
        .unwrap();
        // A second row for the same bytes is refused (as a database error:
        // files::insert does not map it to DbError::Conflict).
        assert!(
            files::insert(&mut c, &upload("inv/2", "again.png", true, None), None, T0)
                .await
                .is_err()
        );
        let f = files::find(&mut c, &photo).await.unwrap();
        assert_eq!(
            (
                f.thumb_key.as_deref(),
                f.comment_id,
                f.shared,
                f.size,
                f.created_at
            ),
            (Some("thumb/1"), None, 0, 2048, T0 + 100)
        );
        assert_eq!(f.company_id.as_deref(), Some(acme.id.as_str()));
        assert_eq!(
            files::find(&mut c, &scan)
                .await
                .unwrap()
                .comment_id
                .as_deref(),
            Some("comment-1")
        );
        let names = |rows: &[files::FileRow]| pluck(rows, |r| &r.display_name);
        assert_eq!(
            names(
                &files::for_record(&mut c, "invoice", "rec-1", false)
                    .await
                    .unwrap()
            ),
            ["photo.png", "scan.png"]
        );
        assert_eq!(
            names(
                &files::for_record(&mut c, "invoice", "rec-1", true)
                    .await
                    .unwrap()
            ),
            ["scan.png"]
        );
        files::set_shared(&mut c, &photo, true).await.unwrap();
        not_found(files::set_shared(&mut c, "no-such-id", true).await);
        let both = files::for_record(&mut c, "invoice", "rec-1", true)
            .await
            .unwrap();
        assert_eq!(names(&both), ["photo.png", "scan.png"]);
        t.saw("files", &both);
        assert!(files::key_exists(&mut c, "inv/1").await.unwrap());
        assert!(files::key_exists(&mut c, "thumb/1").await.unwrap());
        assert!(!files::key_exists(&mut c, "inv/9").await.unwrap());
        files::delete(&mut c, &photo).await.unwrap();
        assert!(!files::key_exists(&mut c, "thumb/1").await.unwrap());
        not_found(files::find(&mut c, &photo).await);
    })
    .await;
}
