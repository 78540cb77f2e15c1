//! A small realistic demo: companies, people, permission sets and portal
//! users in every state. Passwords are generated per run and printed once.

use courtyard_db::{portal_users, staff};
use courtyard_domain::StaffRole;

use courtyard_app::customers::{self, CompanyForm, ContactForm, PermissionSetForm};
use courtyard_app::portal_users::PortalUserForm;
use courtyard_app::security::random_token;
use courtyard_app::{App, AppResult};

mod documents;
mod records;
mod work;

use documents::demo_documents;
use records::demo_records;

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
                "sales_orders:comment",
                "invoices:view",
                "invoices:comment",
                "jobs:view",
                "jobs:create",
                "jobs:comment",
                "projects:view",
                "projects:comment",
                "projects:upload",
                "tasks:view",
                "tasks:comment",
                "tickets:view",
                "tickets:create",
                "tickets:comment",
                "tickets:upload",
                "documents:view",
                "documents:upload",
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
                "tasks:comment",
                "tickets:view",
                "tickets:create",
                "tickets:comment",
                "documents:view",
                "documents:upload",
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

fn set_name(id: &str, full: &str, finance: &str) -> &'static str {
    if id == full {
        "Full access"
    } else if id == finance {
        "Finance"
    } else {
        "Project collaborator"
    }
}
