//! A small realistic demo: companies, people, permission sets and portal
//! users in every state. Passwords are generated per run and printed once.

use courtyard_app::sales::{LineForm, SalesForm};
use courtyard_app::work::{JobForm, ProjectForm, TaskForm};
use courtyard_db::records::{self as rec, NewComment};
use courtyard_db::{contacts, portal_users, staff};
use courtyard_domain::records::SalesKind;
use courtyard_domain::{RecordKind, StaffRole};

use courtyard_app::customers::{self, CompanyForm, ContactForm, PermissionSetForm};
use courtyard_app::portal_users::PortalUserForm;
use courtyard_app::security::random_token;
use courtyard_app::{App, AppResult};

/// A login the demo prints.
#[derive(Debug, Clone)]
pub struct DemoLogin {
    pub who: String,
    pub email: String,
    pub password: Option<String>,
    pub note: String,
}

#[derive(Debug, Clone, Default)]
pub struct DemoLogins {
    pub staff: Vec<DemoLogin>,
    pub customers: Vec<DemoLogin>,
}

fn demo_password() -> String {
    // Readable and long enough; a fresh one every run.
    let t = random_token();
    format!("demo-{}-{}", &t[..6], &t[6..12])
}

fn set(name: &str, description: &str, grants: &[&str]) -> PermissionSetForm {
    PermissionSetForm {
        name: name.into(),
        description: description.into(),
        grants: grants.iter().map(|g| g.to_string()).collect(),
    }
}

/// Fill an empty database with the demo.
pub async fn seed(app: &App) -> AppResult<DemoLogins> {
    let mut logins = DemoLogins::default();
    let now = app.now();

    let staff_pw = demo_password();
    let hash = app.hasher.hash(&staff_pw).await?;
    let owner = {
        let mut conn = app.db.conn().await?;
        staff::insert(
            &mut conn,
            "owner@courtyard.example",
            "Morgan Reyes",
            StaffRole::Owner.as_str(),
            Some(&hash),
            now,
        )
        .await?
    };
    logins.staff.push(DemoLogin {
        who: "Morgan Reyes (owner)".into(),
        email: "owner@courtyard.example".into(),
        password: Some(staff_pw),
        note: "staff pages at /staff".into(),
    });

    let full = customers::create_permission_set(
        app,
        &set(
            "Full access",
            "Every module, every action: for the customer's main contact.",
            &[
                "quotes:view",
                "quotes:create",
                "quotes:comment",
                "quotes:sign",
                "sales_orders:view",
                "sales_orders:sign",
                "sales_orders:comment",
                "invoices:view",
                "invoices:pay",
                "invoices:comment",
                "jobs:view",
                "jobs:create",
                "jobs:comment",
                "projects:view",
                "projects:comment",
                "projects:upload",
                "tasks:view",
                "tasks:edit",
                "tasks:comment",
                "tickets:view",
                "tickets:create",
                "tickets:comment",
                "tickets:upload",
                "documents:view",
                "documents:upload",
                "knowledge_base:view",
                "my_details:view",
                "my_details:edit",
            ],
        ),
    )
    .await?;
    let finance = customers::create_permission_set(
        app,
        &set(
            "Finance",
            "Quotes, orders and invoices: for the accounts team.",
            &[
                "quotes:view",
                "sales_orders:view",
                "invoices:view",
                "invoices:pay",
                "documents:view",
                "my_details:view",
            ],
        ),
    )
    .await?;
    let collab = customers::create_permission_set(
        app,
        &set(
            "Project collaborator",
            "Projects, tasks, tickets and documents, no financial documents.",
            &[
                "projects:view",
                "projects:comment",
                "projects:upload",
                "tasks:view",
                "tasks:edit",
                "tasks:comment",
                "tickets:view",
                "tickets:create",
                "tickets:comment",
                "documents:view",
                "documents:upload",
                "knowledge_base:view",
                "my_details:view",
            ],
        ),
    )
    .await?;

    struct Person<'a> {
        first: &'a str,
        last: &'a str,
        title: &'a str,
        set: Option<(&'a str, &'a str)>,
        /// awaiting, pending, active, inactive
        state: &'a str,
    }
    let companies = [
        (
            "Harbour Lane Architects",
            "studio@harbourlane.example",
            "+44 20 7946 0321",
            "harbourlane.example",
            "14 Wharf Street\nLondon SE1 9PG",
            "architecture, vip",
            "all",
            vec![
                Person {
                    first: "Amelia",
                    last: "Hart",
                    title: "Managing partner",
                    set: Some((&full.id, "company")),
                    state: "active",
                },
                Person {
                    first: "Tom",
                    last: "Okafor",
                    title: "Finance manager",
                    set: Some((&finance.id, "company")),
                    state: "active",
                },
                Person {
                    first: "Priya",
                    last: "Shah",
                    title: "Project architect",
                    set: Some((&collab.id, "own")),
                    state: "pending",
                },
                Person {
                    first: "Luca",
                    last: "Bianchi",
                    title: "Former site lead",
                    set: Some((&collab.id, "own")),
                    state: "inactive",
                },
            ],
        ),
        (
            "Northwind Dental Group",
            "admin@northwind-dental.example",
            "+1 415 555 0142",
            "northwind-dental.example",
            "220 Mission Street\nSan Francisco, CA 94105",
            "healthcare",
            "selected",
            vec![
                Person {
                    first: "Grace",
                    last: "Kim",
                    title: "Practice manager",
                    set: Some((&full.id, "company")),
                    state: "active",
                },
                Person {
                    first: "Daniel",
                    last: "Reyes",
                    title: "Receptionist",
                    set: Some((&finance.id, "own")),
                    state: "awaiting",
                },
                Person {
                    first: "Sofia",
                    last: "Lindqvist",
                    title: "Dentist",
                    set: None,
                    state: "",
                },
            ],
        ),
        (
            "Copperleaf Bakery",
            "hello@copperleaf.example",
            "+61 2 9555 0199",
            "copperleaf.example",
            "3 Crown Street\nSydney NSW 2010",
            "retail, trade",
            "all",
            vec![Person {
                first: "Noah",
                last: "Williams",
                title: "Owner",
                set: Some((&full.id, "company")),
                state: "active",
            }],
        ),
        (
            "Blue Fern Logistics",
            "ops@bluefern.example",
            "+49 30 5555 0177",
            "bluefern.example",
            "Lagerstraße 8\n10115 Berlin",
            "prospect",
            "off",
            vec![Person {
                first: "Jonas",
                last: "Becker",
                title: "Operations lead",
                set: None,
                state: "",
            }],
        ),
    ];

    let mut first_company = None;
    for (name, email, phone, website, address, tags, access, people) in companies {
        let company = customers::create_company(
            app,
            &CompanyForm {
                name: name.into(),
                email: email.into(),
                phone: phone.into(),
                website: website.into(),
                address: address.into(),
                tags: tags.into(),
                portal_access: access.into(),
            },
        )
        .await?;
        first_company.get_or_insert_with(|| company.id.clone());
        let domain = email.split('@').nth(1).unwrap_or("example.com");
        for p in people {
            let person_email = format!(
                "{}.{}@{domain}",
                p.first.to_lowercase(),
                p.last.to_lowercase()
            );
            // In a "selected people" company, the people given access are switched on.
            let contact_access = if access == "selected" && p.set.is_some() {
                "on"
            } else {
                "inherit"
            };
            let contact = customers::create_contact(
                app,
                &ContactForm {
                    company_id: company.id.clone(),
                    first_name: p.first.into(),
                    last_name: p.last.into(),
                    email: person_email.clone(),
                    phone: String::new(),
                    job_title: p.title.into(),
                    tags: String::new(),
                    portal_access: contact_access.into(),
                },
            )
            .await?;
            let Some((set_id, scope)) = p.set else {
                continue;
            };
            let form = PortalUserForm {
                email: person_email.clone(),
                permission_set_id: set_id.into(),
                record_scope: scope.into(),
                access_from: String::new(),
                access_until: String::new(),
            };
            let invite = matches!(p.state, "pending" | "active" | "inactive");
            let id =
                courtyard_app::portal_users::give_access(app, &contact.id, &form, invite).await?;
            let mut password = None;
            if matches!(p.state, "active" | "inactive") {
                // Accept the invitation as the person would.
                let pw = demo_password();
                let hash = app.hasher.hash(&pw).await?;
                let mut conn = app.db.conn().await?;
                portal_users::set_password(&mut conn, &id, &hash, now).await?;
                portal_users::set_state(&mut conn, &id, "pending", "active", now).await?;
                courtyard_db::tokens::revoke_for_user(&mut conn, "invite", "portal", &id, now)
                    .await?;
                drop(conn);
                if p.state == "inactive" {
                    courtyard_app::portal_users::deactivate(app, &id).await?;
                }
                password = Some(pw);
            }
            let note = match p.state {
                "active" => format!(
                    "active, {} ({})",
                    set_name(set_id, &full.id, &finance.id),
                    if scope == "own" {
                        "own records"
                    } else {
                        "all company records"
                    }
                ),
                "pending" => "pending: invitation email in the mail folder".into(),
                "inactive" => "inactive: login is refused".into(),
                _ => "awaiting: saved, not invited yet".into(),
            };
            logins.customers.push(DemoLogin {
                who: format!("{} {}, {}", p.first, p.last, name),
                email: person_email,
                password: password.filter(|_| p.state == "active"),
                note,
            });
        }
    }
    demo_records(app, &owner, first_company.as_deref().unwrap_or_default()).await?;
    demo_documents(app, &owner, first_company.as_deref().unwrap_or_default()).await?;
    Ok(logins)
}

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
async fn demo_documents(app: &App, owner: &staff::StaffUser, first_company: &str) -> AppResult<()> {
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
    let invoice = courtyard_db::sales::list(&mut conn, SalesKind::Invoice, None, &q)
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

fn set_name(id: &str, full: &str, finance: &str) -> &'static str {
    if id == full {
        "Full access"
    } else if id == finance {
        "Finance"
    } else {
        "Project collaborator"
    }
}

/// Invoices for every company with people: enough to page through, in every
/// status, some addressed to a particular contact, some still drafts.
/// Records for every company; the first company (that of the first printed
/// login) gets enough of each type to page through.
async fn demo_records(app: &App, owner: &staff::StaffUser, first_company: &str) -> AppResult<()> {
    let mut conn = app.db.conn().await?;
    let people = contacts::list(
        &mut conn,
        &courtyard_db::contacts::ContactFilter {
            limit: 1000,
            ..Default::default()
        },
    )
    .await?;
    drop(conn);
    let mut companies: Vec<(String, Vec<String>)> = Vec::new();
    for p in &people {
        let Some(co) = &p.company_id else { continue };
        match companies.iter_mut().find(|(c, _)| c == co) {
            Some((_, v)) => v.push(p.id.clone()),
            None => companies.push((co.clone(), vec![p.id.clone()])),
        }
    }
    companies.sort_by_key(|(c, _)| c != first_company);
    let work = [
        (
            "Design phase",
            "Concept design, 3 options",
            "1",
            "2400",
            "20",
        ),
        (
            "Site survey",
            "Measured survey and report",
            "1",
            "850",
            "20",
        ),
        ("Monthly retainer", "Support retainer", "1", "1200", "20"),
        (
            "Planning application",
            "Drawings and submission",
            "1",
            "1750",
            "20",
        ),
        ("Hosting", "Hosting, 12 months", "12", "45", "0"),
        ("Workshop", "Half-day workshop", "2", "650", "20"),
    ];
    let statuses = [
        "paid",
        "paid",
        "unpaid",
        "overdue",
        "partially_paid",
        "paid",
        "void",
        "draft",
    ];
    let today = app.clock.today();
    for (ci, (company, contacts)) in companies.iter().enumerate() {
        let count = if ci == 0 { 32 } else { 9 };
        for i in 0..count {
            let (subject, line, qty, price, tax) = work[(i + ci) % work.len()];
            let status = statuses[(i * 3 + ci) % statuses.len()];
            let issued = today - time::Duration::days((i as i64) * 11 + 3);
            let due = issued + time::Duration::days(30);
            let paid = matches!(status, "paid");
            let lines = vec![
                LineForm {
                    description: line.into(),
                    quantity: qty.into(),
                    unit_price: price.into(),
                    tax_rate: tax.into(),
                    discount: String::new(),
                },
                LineForm {
                    description: "Travel and expenses".into(),
                    quantity: "1".into(),
                    unit_price: "95.50".into(),
                    tax_rate: "20".into(),
                    discount: String::new(),
                },
            ];
            // A paid invoice's amount paid is its total, computed by the same rule as on save.
            let total =
                courtyard_domain::money::totals(&lines.iter().map(demo_line).collect::<Vec<_>>())
                    .total;
            let form = SalesForm {
                version: String::new(),
                company_id: company.clone(),
                owner_staff_id: owner.id.clone(),
                contact_id: if i.is_multiple_of(3) { contacts[i % contacts.len()].clone() } else { String::new() },
                subject: subject.into(),
                status: status.into(),
                currency: "GBP".into(),
                issued_on: issued.to_string(),
                due_on: due.to_string(),
                paid_on: if paid { (issued + time::Duration::days(12)).to_string() } else { String::new() },
                amount_paid: match status {
                    "paid" => format!("{}.{:02}", total / 100, total % 100),
                    "partially_paid" => "200".into(),
                    _ => String::new(),
                },
                terms: "Payment within 30 days by bank transfer.\nSort code 12-34-56, account 12345678.".into(),
                lines: lines.clone(),
            };
            courtyard_app::sales::create(app, SalesKind::Invoice, &form).await?;
            // The first company gets a quote and an order with every invoice
            // (enough to page through); the others a few of each.
            let kinds: &[bool] = match (ci, i.is_multiple_of(2)) {
                (0, _) => &[true, false],
                (_, even) if i < 6 => {
                    if even {
                        &[true]
                    } else {
                        &[false]
                    }
                }
                _ => &[],
            };
            for &quote in kinds {
                let (kind, statuses) = if quote {
                    (
                        SalesKind::Quote,
                        &["sent", "accepted", "sent", "declined", "expired", "draft"][..],
                    )
                } else {
                    (
                        SalesKind::Order,
                        &["open", "confirmed", "e_signed", "completed", "cancelled"][..],
                    )
                };
                let status = statuses[(i / 2 + ci + usize::from(!quote)) % statuses.len()];
                // Quotes awaiting an answer are still valid.
                let issued = if status == "sent" {
                    today - time::Duration::days(i as i64 + 1)
                } else {
                    issued
                };
                courtyard_app::sales::create(
                    app,
                    kind,
                    &SalesForm {
                        status: status.into(),
                        issued_on: issued.to_string(),
                        due_on: (issued + time::Duration::days(30)).to_string(),
                        paid_on: String::new(),
                        amount_paid: String::new(),
                        terms: if kind == SalesKind::Quote {
                            "This quote is valid for 30 days. Prices exclude VAT where shown."
                                .into()
                        } else {
                            "Delivery as agreed. Invoiced on completion.".into()
                        },
                        ..form.clone()
                    },
                )
                .await?;
            }
        }
        demo_work(app, owner, company, contacts, ci).await?;
    }
    Ok(())
}

/// Jobs, projects with members, milestones and tasks, tickets with a
/// conversation, and comments, for one demo company.
async fn demo_work(
    app: &App,
    owner: &staff::StaffUser,
    company: &str,
    contacts: &[String],
    ci: usize,
) -> AppResult<()> {
    let today = app.clock.today();
    let users = {
        let mut conn = app.db.conn().await?;
        portal_users::list(
            &mut conn,
            &portal_users::PortalUserFilter {
                company_id: Some(company.to_owned()),
                limit: 100,
                ..Default::default()
            },
        )
        .await?
    };
    let active: Vec<&portal_users::PortalUser> =
        users.iter().filter(|u| u.state == "active").collect();
    // Comments a minute apart, in the order written; customers' lines only
    // where the company has an active portal user to write them.
    let clock = std::cell::Cell::new(app.now() - 3 * 3600);
    let comment = |record_type: &'static str,
                   id: String,
                   staff_side: bool,
                   body: &'static str,
                   internal: bool| {
        let user = active.first().map(|u| (u.id.clone(), u.full_name()));
        clock.set(clock.get() + 60);
        let at = clock.get();
        async move {
            let (kind, author_id, author_name) = match (staff_side, user) {
                (false, Some((id, name))) => ("portal", id, name),
                (false, None) => return AppResult::Ok(()),
                _ => ("staff", owner.id.clone(), owner.name.clone()),
            };
            let mut conn = app.db.conn().await?;
            rec::add_comment(
                &mut conn,
                &NewComment {
                    record_type,
                    record_id: &id,
                    author_kind: kind,
                    author_id: &author_id,
                    author_name: &author_name,
                    body,
                    internal,
                },
                at,
            )
            .await?;
            AppResult::Ok(())
        }
    };
    let sites = [
        "14 Wharf Street, London SE1 9PG",
        "Unit 3, Mill Lane, Leeds LS2 7EY",
        "2 Station Road, Bath BA1 1SU",
    ];
    let job_titles = [
        ("Boiler service", "scheduled"),
        ("Replace kitchen extractor", "requested"),
        ("Quarterly fire alarm test", "completed"),
        ("Roof inspection after storm", "in_progress"),
        ("Repaint stairwell", "scheduled"),
        ("Fix leaking radiator valve", "completed"),
        ("Install EV charger", "cancelled"),
    ];
    for (i, (title, status)) in
        job_titles
            .iter()
            .cycle()
            .enumerate()
            .take(if ci == 0 { 30 } else { 4 })
    {
        let requested = today - time::Duration::days(i as i64 * 6 + 1);
        let id = courtyard_app::work::create_job(
            app,
            &JobForm {
                version: String::new(),
                company_id: company.into(),
                contact_id: contacts
                    .get(i % contacts.len().max(1))
                    .cloned()
                    .unwrap_or_default(),
                owner_staff_id: owner.id.clone(),
                subject: (*title).into(),
                status: (*status).into(),
                site_address: sites[i % sites.len()].into(),
                requested_on: requested.to_string(),
                scheduled_on: if *status == "requested" {
                    String::new()
                } else {
                    (requested + time::Duration::days(7)).to_string()
                },
                description: "Access via the side gate; parking in the visitor bays.".into(),
            },
        )
        .await?;
        if i == 0 {
            comment(
                "job",
                id.clone(),
                false,
                "Could the engineer call 30 minutes before arriving?",
                false,
            )
            .await?;
            comment(
                "job",
                id,
                true,
                "Of course — we have added that to the job sheet.",
                false,
            )
            .await?;
        }
    }

    let projects = [
        ("Office refurbishment", "active", 60, true),
        ("Website relaunch", "active", 35, true),
        ("Warehouse extension study", "planned", 0, false),
    ];
    for (pi, (name, status, progress, shown)) in
        projects
            .iter()
            .enumerate()
            .take(if ci == 0 { 3 } else { 1 })
    {
        let start = today - time::Duration::days(40 - pi as i64 * 10);
        let members: Vec<String> = active.iter().map(|u| u.id.clone()).collect();
        let id = courtyard_app::work::create_project(
            app,
            &ProjectForm {
                version: String::new(),
                company_id: company.into(),
                contact_id: contacts.first().cloned().unwrap_or_default(),
                owner_staff_id: owner.id.clone(),
                subject: (*name).into(),
                status: (*status).into(),
                progress: progress.to_string(),
                start_on: start.to_string(),
                end_on: (start + time::Duration::days(120)).to_string(),
                show_on_portal: *shown,
                show_documents: *shown,
                description: "Scope, schedule and budget as agreed in the kick-off meeting.".into(),
                members: members.clone(),
                milestones: vec![
                    ("Kick-off".into(), start.to_string(), true),
                    (
                        "Design sign-off".into(),
                        (start + time::Duration::days(30)).to_string(),
                        *progress > 40,
                    ),
                    (
                        "Build complete".into(),
                        (start + time::Duration::days(90)).to_string(),
                        false,
                    ),
                    (
                        "Handover".into(),
                        (start + time::Duration::days(120)).to_string(),
                        false,
                    ),
                ],
            },
        )
        .await?;
        let tasks = [
            ("Approve the floor plan", "open"),
            ("Choose finishes from the sample board", "open"),
            ("Confirm delivery access times", "in_progress"),
            ("Sign off the schedule", "done"),
            ("Review the lighting proposal", "open"),
        ];
        // The first project of the first company has enough tasks to page through.
        let task_count = if ci == 0 && pi == 0 { 30 } else { tasks.len() };
        for (ti, (t, st)) in tasks.iter().cycle().take(task_count).enumerate() {
            courtyard_app::work::create_task(
                app,
                &TaskForm {
                    version: String::new(),
                    project_id: id.clone(),
                    owner_staff_id: owner.id.clone(),
                    subject: (*t).into(),
                    status: (*st).into(),
                    due_on: (today + time::Duration::days(ti as i64 * 5 + 3)).to_string(),
                    description: "Reply here with any questions.".into(),
                    assignee_id: members
                        .get(ti % members.len().max(1))
                        .cloned()
                        .filter(|_| ti != 4)
                        .unwrap_or_default(),
                },
            )
            .await?;
        }
        if pi == 0 {
            comment(
                "project",
                id.clone(),
                true,
                "Weekly update: demolition is finished and the electricians start on Monday.",
                false,
            )
            .await?;
            comment(
                "project",
                id.clone(),
                false,
                "Thanks! Will the lift be usable during the works?",
                false,
            )
            .await?;
            comment(
                "project",
                id,
                true,
                "Internal: check the lift isolation plan with the contractor.",
                true,
            )
            .await?;
        }
    }

    let tickets = [
        (
            "Cannot download last month's invoice",
            "awaiting_customer",
            "high",
        ),
        ("Question about the project schedule", "open", "normal"),
        ("Please update our billing address", "resolved", "low"),
        ("Access card for the new starter", "closed", "normal"),
    ];
    for (i, (subject, status, priority)) in
        tickets
            .iter()
            .cycle()
            .enumerate()
            .take(if ci == 0 { 30 } else { 2 })
    {
        let mut conn = app.db.conn().await?;
        let number = rec::next_number(
            &mut conn,
            RecordKind::Ticket.as_str(),
            RecordKind::Ticket.default_prefix(),
        )
        .await?;
        let id = courtyard_db::work::insert_ticket(
            &mut conn,
            &number,
            &courtyard_db::work::TicketInput {
                company_id: company.into(),
                contact_id: active
                    .first()
                    .map(|u| u.contact_id.clone())
                    .or_else(|| contacts.first().cloned()),
                subject: (*subject).into(),
                status: (*status).into(),
                priority: (*priority).into(),
                opened_on: (today - time::Duration::days(i as i64 * 3)).to_string(),
                owner_staff_id: Some(owner.id.clone()),
            },
            app.now() - i as i64 * 3600,
        )
        .await?;
        drop(conn);
        if active.is_empty() {
            comment(
                "ticket",
                id.clone(),
                true,
                "We opened this ticket for you after your phone call.",
                false,
            )
            .await?;
        }
        comment(
            "ticket",
            id.clone(),
            false,
            "Hello, could you help us with this please?",
            false,
        )
        .await?;
        comment(
            "ticket",
            id.clone(),
            true,
            "Internal: customer is on the premium support plan.",
            true,
        )
        .await?;
        if *status != "open" {
            comment(
                "ticket",
                id,
                true,
                "Thanks for getting in touch. Could you tell us which browser you are using?",
                false,
            )
            .await?;
        }
    }
    Ok(())
}

/// A demo line as the domain sees it (demo values always parse).
fn demo_line(l: &LineForm) -> courtyard_domain::money::Line {
    let num = |s: &str, digits| courtyard_domain::money::parse_decimal(s, digits).unwrap_or(0);
    courtyard_domain::money::Line {
        description: l.description.clone(),
        quantity_milli: num(&l.quantity, 3),
        unit_price: num(&l.unit_price, 2),
        tax_rate_bp: num(&l.tax_rate, 2),
        discount_bp: 0,
    }
}
