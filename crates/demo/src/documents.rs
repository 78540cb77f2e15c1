//! The demo's business details, PDF template, document folders and
//! documents, and files on the first company's records.

use courtyard_db::{contacts, staff};
use courtyard_domain::records::SalesKind;

use courtyard_app::{App, AppResult};

/// A one-page PDF with a title and a paragraph, made with the PDF engine.
fn demo_pdf(title: &str, body: &str) -> bytes::Bytes {
    let source = format!(
        "#set page(paper: \"a4\", margin: 2cm)\n#set text(font: \"DejaVu Sans\", size: 11pt)\n\
         #text(20pt, weight: \"bold\")[{}]\n\n{}\n",
        title.replace(['[', ']', '#', '\\'], ""),
        body.replace(['[', ']', '#', '\\'], "")
    );
    let pdf = courtyard_pdf::render(
        &source,
        &courtyard_pdf::sample("invoice", 1),
        None,
        (2026, 1, 1),
    )
    .expect("the demo PDF renders");
    bytes::Bytes::from(pdf.bytes)
}

/// Business details for the PDFs, a staff-only invoice template, document
/// folders, documents in each portal folder (shared and not), and files on
/// the first company's records.
pub(crate) async fn demo_documents(
    app: &App,
    owner: &staff::StaffUser,
    first_company: &str,
) -> AppResult<()> {
    use courtyard_app::documents::{self as docs, DocumentForm};
    {
        let mut conn = app.db.conn().await?;
        for (k, v) in [
            ("business.details", "14 Canal Street\nManchester M1 3HE\n+44 161 555 0142\naccounts@courtyard.example\nVAT GB 123 4567 89"),
            ("business.footer", "Registered in England and Wales no. 01234567"),
            ("business.accent", "#1d4ed8"),
        ] {
            courtyard_db::settings::set(&mut conn, k, v).await?;
        }
        courtyard_db::templates::insert(
            &mut conn,
            &courtyard_db::templates::NewTemplate {
                kind: "invoice",
                name: "Office copy",
                audience: "internal",
                source: "#import \"/courtyard.typ\": *\n#let d = json(\"/data.json\")\n#set document(title: d.title + \" \" + d.number)\n\n#standard(d, extra: text(weight: \"bold\", fill: rgb(\"#b42318\"))[OFFICE COPY · not for the customer])\n",
                updated_by: &owner.name,
            },
            app.now(),
        )
        .await?;
    }
    let contracts = docs::create_folder(app, "Contracts").await?;
    let guides = docs::create_folder(app, "Guides").await?;
    let drawings = docs::create_folder(app, "Drawings").await?;
    let doc =
        |title: &str, description: &str, folder: &str, audience: &str, shared: bool| DocumentForm {
            title: title.into(),
            description: description.into(),
            folder_id: folder.into(),
            audience: audience.into(),
            shared,
            ..Default::default()
        };
    let mut add = vec![
        (
            doc(
                "Customer handbook",
                "How we work, who to call and what to expect.",
                &guides,
                "public",
                true,
            ),
            "customer-handbook.pdf",
            demo_pdf(
                "Customer handbook",
                "How we work, who to call, and what happens after you sign.",
            ),
        ),
        (
            doc(
                "Price list 2026",
                "Day rates and fixed-price services.",
                "",
                "public",
                true,
            ),
            "price-list-2026.pdf",
            demo_pdf(
                "Price list 2026",
                "Design day rate: 600 GBP. Site visit: 180 GBP.",
            ),
        ),
    ];
    let mut conn = app.db.conn().await?;
    let first_contacts = contacts::list(
        &mut conn,
        &courtyard_db::contacts::ContactFilter {
            company_id: Some(first_company.to_owned()),
            limit: 10,
            ..Default::default()
        },
    )
    .await?;
    let project = courtyard_db::work::list_projects(
        &mut conn,
        None,
        &courtyard_db::listing::ListQuery {
            company_id: Some(first_company.to_owned()),
            limit: Some(10),
            ..Default::default()
        },
    )
    .await
    .ok()
    .and_then(|v| v.into_iter().find(|p| p.show_documents == 1));
    drop(conn);
    let mut f = doc(
        "Service agreement",
        "Signed agreement for 2026.",
        &contracts,
        "company",
        true,
    );
    f.company_id = first_company.into();
    add.push((
        f,
        "service-agreement.pdf",
        demo_pdf(
            "Service agreement",
            "Agreed scope, terms and service levels for 2026.",
        ),
    ));
    let mut f = doc(
        "Renewal proposal (draft)",
        "Not shared yet: staff are still working on it.",
        &contracts,
        "company",
        false,
    );
    f.company_id = first_company.into();
    add.push((
        f,
        "renewal-draft.pdf",
        demo_pdf("Renewal proposal", "Draft."),
    ));
    // The first printed login's own document.
    let first_login = first_contacts
        .iter()
        .find(|c| c.email.as_deref().is_some_and(|e| e.starts_with("amelia")))
        .or(first_contacts.first());
    if let Some(c) = first_login {
        let mut f = doc(
            "Your account set-up",
            "Private to you: your account details.",
            "",
            "contact",
            true,
        );
        f.contact_id = c.id.clone();
        add.push((
            f,
            "account-set-up.pdf",
            demo_pdf("Your account set-up", "Private to one person."),
        ));
    }
    if let Some(p) = &project {
        let mut f = doc(
            "Ground floor plan",
            "Revision C, as agreed on site.",
            &drawings,
            "project",
            true,
        );
        f.project_id = p.id.clone();
        add.push((
            f,
            "ground-floor-plan.png",
            bytes::Bytes::from(courtyard_files::thumbs::sample_png(
                1200,
                800,
                [222, 232, 246],
            )),
        ));
        let mut f = doc(
            "Site survey",
            "Measured survey of the existing building.",
            &drawings,
            "project",
            true,
        );
        f.project_id = p.id.clone();
        add.push((
            f,
            "site-survey.pdf",
            demo_pdf("Site survey", "Measured survey of the existing building."),
        ));
    }
    for (form, name, bytes) in add {
        docs::staff_upload(app, owner, &form, name, bytes).await?;
    }
    // Files on the first company's newest ticket and invoice: a shared
    // photo, an unshared note, and a shared timesheet.
    let mut conn = app.db.conn().await?;
    let q = courtyard_db::listing::ListQuery {
        company_id: Some(first_company.to_owned()),
        limit: Some(5),
        ..Default::default()
    };
    let ticket = courtyard_db::work::list_tickets(&mut conn, None, &q)
        .await?
        .into_iter()
        .next();
    let invoice = courtyard_db::sales::list(
        &mut conn,
        SalesKind::Invoice,
        None,
        &q,
        &app.clock.today().to_string(),
    )
    .await?
    .into_iter()
    .find(|d| d.status != "draft");
    drop(conn);
    if let Some(t) = ticket {
        let photo = courtyard_app::files::staff_upload(
            app,
            owner,
            "ticket",
            &t.id,
            "door-photo.png",
            bytes::Bytes::from(courtyard_files::thumbs::sample_png(
                800,
                600,
                [238, 226, 214],
            )),
        )
        .await?;
        courtyard_app::files::set_shared(app, &photo, true).await?;
        courtyard_app::files::staff_upload(
            app,
            owner,
            "ticket",
            &t.id,
            "internal-note.pdf",
            demo_pdf("Internal note", "Staff only."),
        )
        .await?;
    }
    if let Some(i) = invoice {
        let id = courtyard_app::files::staff_upload(
            app,
            owner,
            "invoice",
            &i.id,
            "timesheet.pdf",
            demo_pdf("Timesheet", "Hours worked this month."),
        )
        .await?;
        courtyard_app::files::set_shared(app, &id, true).await?;
    }
    Ok(())
}
