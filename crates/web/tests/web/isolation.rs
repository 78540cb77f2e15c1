//! The isolation test: every portal route from the router's own table × every
//! record of another company (and every draft, and colleagues' records for
//! own-scope users) × every kind of portal user. It must find zero leaks.

use axum::body::Body;
use axum::http::{header, Method, Request};
use courtyard_app::portal_users;
use courtyard_db::portal_users::PortalUserFilter;
use courtyard_domain::records::SalesKind;
use courtyard_domain::Module;
use courtyard_web::{portal_route_table, Exposure};

use crate::support::{on_each_backend, Browser, TestApp};

/// A record a given viewer must never reach, with text that identifies it.
struct Foreign {
    module: Module,
    id: String,
    marker: String,
}

struct Role {
    email: &'static str,
    foreign: Vec<Foreign>,
    /// Files this person must not download: (file id, display name).
    files: Vec<(String, String)>,
}

/// Two lists of records as one.
fn with<'a>(a: &[&'a (Module, String)], b: &[&'a (Module, String)]) -> Vec<&'a (Module, String)> {
    a.iter().chain(b.iter()).copied().collect()
}

async fn foreign(t: &TestApp, ids: &[&(Module, String)]) -> Vec<Foreign> {
    let mut v = Vec::new();
    for (module, id) in ids {
        v.push(Foreign {
            module: *module,
            id: id.clone(),
            marker: t.number_of(*module, id).await,
        });
    }
    v
}

#[tokio::test]
async fn no_portal_route_leaks_another_company_s_records_or_drafts_or_colleagues_own_records() {
    on_each_backend(|t| async move {
        let full = t
            .permission_set(
                "Full",
                &[
                    "invoices:view",
                    "invoices:comment",
                    "quotes:view",
                    "quotes:create",
                    "quotes:comment",
                    "quotes:sign",
                    "sales_orders:view",
                    "sales_orders:comment",
                    "jobs:view",
                    "jobs:create",
                    "jobs:comment",
                    "projects:view",
                    "projects:comment",
                    "tasks:view",
                    "tasks:comment",
                    "tickets:create",
                    "tickets:comment",
                    "documents:view",
                    "my_details:edit",
                ],
            )
            .await;
        let none = t
            .permission_set("Tickets only", &["tickets:view", "my_details:view"])
            .await;
        let acme = t.company("Acme", "all").await;
        let rival = t.company("Rival", "all").await;
        let ada_u = t.active(&acme, "Ada", "ada@acme.example", &full).await;
        let olly = t.active(&acme, "Olly", "olly@acme.example", &full).await;
        let mut f = t.user_form("olly@acme.example", &full);
        f.record_scope = "own".into();
        portal_users::update(&t.app, &olly, &f).await.unwrap();
        t.active(&acme, "Nia", "nia@acme.example", &none).await;
        let eve_u = t.active(&rival, "Eve", "eve@rival.example", &full).await;
        let users = portal_users::list(
            &t.app,
            &PortalUserFilter {
                limit: 10,
                ..Default::default()
            },
        )
        .await
        .unwrap();
        let contact = |email: &str| {
            users
                .iter()
                .find(|u| u.email == email)
                .unwrap()
                .contact_id
                .clone()
        };
        let (ada_c, olly_c) = (contact("ada@acme.example"), contact("olly@acme.example"));

        use Module::*;
        use SalesKind::{Order, Quote};
        let m = |module: Module, id: String| (module, id);
        // Acme's records: Ada's, Olly's, drafts, and a project Olly is not a member of.
        let acme_open = m(
            Invoices,
            t.invoice(&acme, Some(&ada_c), "unpaid", "2026-01-01", "11")
                .await,
        );
        let acme_olly = m(
            Invoices,
            t.invoice(&acme, Some(&olly_c), "paid", "2026-01-02", "12")
                .await,
        );
        let acme_draft = m(
            Invoices,
            t.invoice(&acme, None, "draft", "2026-01-03", "13").await,
        );
        let acme_quote = m(
            Quotes,
            t.sales_doc(Quote, &acme, Some(&ada_c), "sent", "2099-01-04", "21")
                .await,
        );
        let acme_quote_draft = m(
            Quotes,
            t.sales_doc(Quote, &acme, Some(&ada_c), "draft", "2026-01-04", "22")
                .await,
        );
        let acme_order = m(
            SalesOrders,
            t.sales_doc(Order, &acme, Some(&ada_c), "open", "2026-01-05", "23")
                .await,
        );
        let acme_job = m(Jobs, t.job(&acme, Some(&ada_c), "Acme boiler").await);
        let acme_ticket = m(
            Tickets,
            t.ticket(&acme, Some(&ada_c), "Acme login help").await,
        );
        let acme_project = m(
            Projects,
            t.project(&acme, &[&ada_u], true, "Acme refit").await,
        );
        let acme_hidden = m(
            Projects,
            t.project(&acme, &[&ada_u, &olly], false, "Acme secret")
                .await,
        );
        let acme_task = m(
            Tasks,
            t.task(&acme_project.1, Some(&ada_u), "Acme approve plan")
                .await,
        );
        let acme_hidden_task = m(
            Tasks,
            t.task(&acme_hidden.1, Some(&ada_u), "Acme hidden task")
                .await,
        );
        // A project both share: Olly (own scope) sees only the task assigned to him.
        let acme_shared = t
            .project(&acme, &[&ada_u, &olly], true, "Acme shared")
            .await;
        let acme_shared_ada = m(
            Tasks,
            t.task(&acme_shared, Some(&ada_u), "Acme task of Ada").await,
        );
        let olly_task = t.task(&acme_shared, Some(&olly), "Acme task of Olly").await;
        // Rival's records.
        let rival_open = m(
            Invoices,
            t.invoice(&rival, None, "unpaid", "2026-01-04", "14").await,
        );
        let rival_draft = m(
            Invoices,
            t.invoice(&rival, None, "draft", "2026-01-05", "15").await,
        );
        let rival_quote = m(
            Quotes,
            t.sales_doc(Quote, &rival, None, "sent", "2026-01-06", "31")
                .await,
        );
        let rival_order = m(
            SalesOrders,
            t.sales_doc(Order, &rival, None, "confirmed", "2026-01-06", "32")
                .await,
        );
        let rival_job = m(Jobs, t.job(&rival, None, "Rival roof").await);
        let rival_ticket = m(Tickets, t.ticket(&rival, None, "Rival question").await);
        let rival_project = m(
            Projects,
            t.project(&rival, &[&eve_u], true, "Rival move").await,
        );
        let rival_task = m(
            Tasks,
            t.task(&rival_project.1, Some(&eve_u), "Rival sign lease")
                .await,
        );

        // Files on tickets: one hidden, one shared at Acme; one shared at Rival.
        let staff = {
            let b = t
                .staff_browser(
                    "sam@harbour.example",
                    courtyard_app::domain::StaffRole::Owner,
                )
                .await;
            let raw = b.jar.get("cy_staff").unwrap().clone();
            courtyard_app::auth::staff_session(&t.app, &raw)
                .await
                .unwrap()
                .unwrap()
        };
        let pdf = bytes::Bytes::from_static(b"%PDF-1.7 test");
        let file = |ticket: String, name: &'static str, shared: bool| {
            let (staff, pdf) = (&staff, pdf.clone());
            let t = &t;
            async move {
                let id = courtyard_app::files::staff_upload(
                    &t.app,
                    &staff.staff,
                    "ticket",
                    &ticket,
                    name,
                    pdf,
                )
                .await
                .unwrap();
                courtyard_app::files::set_shared(&t.app, &id, shared)
                    .await
                    .unwrap();
                (id, name.to_owned())
            }
        };
        // Documents: hidden, Olly's own, the company's, a hidden project's, Rival's.
        let doc = |title: &'static str, audience: &'static str, target: String, shared: bool| {
            let (staff, pdf) = (&staff, pdf.clone());
            let t = &t;
            async move {
                let mut form = courtyard_app::documents::DocumentForm {
                    title: title.into(),
                    audience: audience.into(),
                    shared,
                    ..Default::default()
                };
                match audience {
                    "company" => form.company_id = target,
                    "contact" => form.contact_id = target,
                    _ => form.project_id = target,
                }
                let id = courtyard_app::documents::staff_upload(
                    &t.app,
                    &staff.staff,
                    &form,
                    &format!("{title}.pdf"),
                    pdf,
                )
                .await
                .unwrap();
                let file = courtyard_app::documents::staff_find(&t.app, &id)
                    .await
                    .unwrap()
                    .file_id;
                ((Documents, id), (file, format!("{title}.pdf")))
            }
        };
        let (acme_doc_hidden, acme_doc_hidden_file) =
            doc("Acme unshared doc", "company", acme.clone(), false).await;
        let (acme_doc_olly, acme_doc_olly_file) =
            doc("Acme doc for Olly", "contact", olly_c.clone(), true).await;
        let (acme_doc_company, acme_doc_company_file) =
            doc("Acme company doc", "company", acme.clone(), true).await;
        let (acme_doc_secret, acme_doc_secret_file) = doc(
            "Acme secret project doc",
            "project",
            acme_hidden.1.clone(),
            true,
        )
        .await;
        let (rival_doc, rival_doc_file) =
            doc("Rival company doc", "company", rival.clone(), true).await;
        let acme_hidden_file = file(acme_ticket.1.clone(), "acme-hidden.pdf", false).await;
        let acme_shared_file = file(acme_ticket.1.clone(), "acme-shared.pdf", true).await;
        let rival_file = file(rival_ticket.1.clone(), "rival-shared.pdf", true).await;

        let rival_all = [
            &rival_open,
            &rival_draft,
            &rival_quote,
            &rival_order,
            &rival_job,
            &rival_ticket,
            &rival_project,
            &rival_task,
            &rival_doc,
        ];
        let acme_hidden_all = [
            &acme_draft,
            &acme_quote_draft,
            &acme_hidden,
            &acme_hidden_task,
            &acme_doc_hidden,
            &acme_doc_secret,
        ];
        let roles = vec![
            Role {
                email: "ada@acme.example",
                foreign: foreign(
                    &t,
                    &with(&with(&acme_hidden_all, &rival_all), &[&acme_doc_olly]),
                )
                .await,
                files: vec![
                    acme_hidden_file.clone(),
                    rival_file.clone(),
                    acme_doc_hidden_file.clone(),
                    acme_doc_olly_file.clone(),
                    acme_doc_secret_file.clone(),
                    rival_doc_file.clone(),
                ],
            },
            Role {
                // Own scope: colleagues' records, and a project she is not a member of.
                email: "olly@acme.example",
                foreign: foreign(
                    &t,
                    &with(
                        &with(&acme_hidden_all, &rival_all),
                        &[
                            &acme_open,
                            &acme_quote,
                            &acme_order,
                            &acme_job,
                            &acme_ticket,
                            &acme_project,
                            &acme_task,
                            &acme_shared_ada,
                        ],
                    ),
                )
                .await,
                files: vec![
                    acme_hidden_file.clone(),
                    acme_shared_file.clone(),
                    rival_file.clone(),
                    acme_doc_hidden_file.clone(),
                    acme_doc_secret_file.clone(),
                    rival_doc_file.clone(),
                ],
            },
            Role {
                // Only tickets: every other module's records, and the rival's tickets.
                email: "nia@acme.example",
                foreign: foreign(
                    &t,
                    &with(
                        &with(&acme_hidden_all, &rival_all),
                        &[
                            &acme_open,
                            &acme_olly,
                            &acme_quote,
                            &acme_order,
                            &acme_job,
                            &acme_project,
                            &acme_task,
                            &acme_doc_company,
                            &acme_doc_olly,
                        ],
                    ),
                )
                .await,
                files: vec![
                    acme_hidden_file.clone(),
                    rival_file.clone(),
                    acme_doc_hidden_file.clone(),
                    acme_doc_olly_file.clone(),
                    acme_doc_company_file.clone(),
                    acme_doc_secret_file.clone(),
                    rival_doc_file.clone(),
                ],
            },
            Role {
                email: "eve@rival.example",
                foreign: foreign(
                    &t,
                    &with(
                        &with(&acme_hidden_all, &[&rival_draft]),
                        &[
                            &acme_open,
                            &acme_olly,
                            &acme_quote,
                            &acme_order,
                            &acme_job,
                            &acme_ticket,
                            &acme_project,
                            &acme_task,
                            &acme_doc_company,
                            &acme_doc_olly,
                        ],
                    ),
                )
                .await,
                files: vec![
                    acme_hidden_file.clone(),
                    acme_shared_file.clone(),
                    acme_doc_hidden_file.clone(),
                    acme_doc_olly_file.clone(),
                    acme_doc_company_file.clone(),
                    acme_doc_secret_file.clone(),
                ],
            },
        ];

        let mut requests = 0usize;
        let mut leaks = Vec::new();
        let mut browsers = Vec::new();
        for role in &roles {
            browsers.push(t.portal_browser(role.email).await);
        }
        let session_ids: Vec<String> = browsers
            .iter()
            .map(|b| courtyard_app::security::token_hash(b.jar.get("cy_portal").unwrap()))
            .collect();
        for (i, role) in roles.iter().enumerate() {
            let b: &mut Browser = &mut browsers[i];
            // Account routes take ids in forms: other people's sessions are not found.
            for (j, sid) in session_ids.iter().enumerate() {
                if i != j {
                    let r = b.post("/me/sessions/end", &[("id", sid)]).await;
                    requests += 1;
                    if r.status.as_u16() != 404 {
                        leaks.push(format!(
                            "{} ended another user's session: {}",
                            role.email, r.status
                        ));
                    }
                }
            }
            let not_found = b.get("/invoices/no-such-record").await.body;
            for route in portal_route_table() {
                match route.exposure {
                    Exposure::Public => {}
                    // Account pages (home's "waiting for you", request forms)
                    // show nothing of anyone else either.
                    Exposure::Account => {
                        if route.path.contains('{') || !route.methods.contains(&"GET") {
                            continue;
                        }
                        let r = b.get(route.path).await;
                        requests += 1;
                        for fo in &role.foreign {
                            if r.body.contains(&fo.marker) || r.body.contains(&fo.id) {
                                leaks.push(format!(
                                    "{} GET {} shows {}",
                                    role.email, route.path, fo.marker
                                ));
                            }
                        }
                    }
                    Exposure::List(module) => {
                        // Documents: each of the portal's folders.
                        let pages: &[&str] = if module == Documents {
                            &["", "?folder=private", "?folder=project"]
                        } else {
                            &[""]
                        };
                        for q in pages {
                            let path = format!("{}{q}", route.path);
                            let r = b.get(&path).await;
                            requests += 1;
                            for fo in role.foreign.iter().filter(|f| f.module == module) {
                                if r.body.contains(&fo.marker) || r.body.contains(&fo.id) {
                                    leaks.push(format!(
                                        "{} GET {path} shows {}",
                                        role.email, fo.marker
                                    ));
                                }
                            }
                        }
                    }
                    Exposure::File => {
                        for (id, name) in &role.files {
                            let path = route.path.replace("{id}", id);
                            let r = b.get(&path).await;
                            requests += 1;
                            if r.status.as_u16() != 404
                                || r.body != not_found
                                || r.body.contains(name.as_str())
                            {
                                leaks.push(format!(
                                    "{} GET {path} answered {} for {name}",
                                    role.email, r.status
                                ));
                            }
                        }
                    }
                    Exposure::Record(module) => {
                        for fo in role.foreign.iter().filter(|f| f.module == module) {
                            for method in route.methods {
                                let path = route.path.replace("{id}", &fo.id);
                                let r = if *method == "GET" {
                                    b.get(&path).await
                                } else {
                                    let token = b.csrf_for(&path);
                                    let req = Request::builder()
                                        .method(Method::from_bytes(method.as_bytes()).unwrap())
                                        .uri(&path)
                                        .header(header::HOST, "portal.test")
                                        .header(
                                            header::CONTENT_TYPE,
                                            "application/x-www-form-urlencoded",
                                        )
                                        .body(Body::from(format!("csrf={token}")))
                                        .unwrap();
                                    b.send(req).await
                                };
                                requests += 1;
                                if r.status.as_u16() != 404
                                    || r.body != not_found
                                    || r.body.contains(&fo.marker)
                                {
                                    leaks.push(format!(
                                        "{} {method} {path} answered {} for {}",
                                        role.email, r.status, fo.marker
                                    ));
                                }
                            }
                        }
                    }
                }
            }
        }
        // The same users do see what is theirs, so the test can fail.
        let mut ada = t.portal_browser("ada@acme.example").await;
        for (module, id) in [
            &acme_olly,
            &acme_quote,
            &acme_order,
            &acme_job,
            &acme_ticket,
            &acme_project,
            &acme_task,
        ] {
            ada.get(&format!("{}/{id}", module.portal_path()))
                .await
                .assert_status(200);
        }
        ada.get("/")
            .await
            .assert_contains(&t.number_of(Quotes, &acme_quote.1).await);
        let mut olly_b = t.portal_browser("olly@acme.example").await;
        olly_b
            .get(&format!("/invoices/{}", acme_olly.1))
            .await
            .assert_status(200);
        olly_b
            .get(&format!("/tasks/{olly_task}"))
            .await
            .assert_status(200);
        ada.get(&format!("/tasks/{}", acme_shared_ada.1))
            .await
            .assert_status(200);
        ada.get(&format!("/files/{}", acme_shared_file.0))
            .await
            .assert_status(200);
        ada.get("/documents?folder=private")
            .await
            .assert_contains("Acme company doc");
        ada.get(&format!("/files/{}", acme_doc_company_file.0))
            .await
            .assert_status(200);
        olly_b
            .get("/documents?folder=private")
            .await
            .assert_contains("Acme doc for Olly");
        let mut eve_b = t.portal_browser("eve@rival.example").await;
        eve_b
            .get(&format!("/files/{}", rival_file.0))
            .await
            .assert_status(200);
        let mut nia = t.portal_browser("nia@acme.example").await;
        nia.get(&format!("/tickets/{}", acme_ticket.1))
            .await
            .assert_status(200);
        eprintln!(
            "isolation: {} portal routes, {requests} requests, {} leaks",
            portal_route_table().len(),
            leaks.len()
        );
        let lists: usize = portal_route_table()
            .iter()
            .map(|r| match r.exposure {
                Exposure::List(Module::Documents) => 3,
                Exposure::List(_) => 1,
                _ => 0,
            })
            .sum();
        let accounts = portal_route_table()
            .iter()
            .filter(|r| {
                r.exposure == Exposure::Account
                    && !r.path.contains('{')
                    && r.methods.contains(&"GET")
            })
            .count();
        let expected: usize = roles
            .iter()
            .map(|r| {
                let records: usize = portal_route_table()
                    .iter()
                    .map(|route| match route.exposure {
                        Exposure::Record(m) => {
                            route.methods.len() * r.foreign.iter().filter(|f| f.module == m).count()
                        }
                        _ => 0,
                    })
                    .sum();
                let files = portal_route_table()
                    .iter()
                    .filter(|route| route.exposure == Exposure::File)
                    .count()
                    * r.files.len();
                lists + accounts + records + files + (roles.len() - 1)
            })
            .sum();
        assert_eq!(requests, expected, "every classified route was tried");
        assert!(leaks.is_empty(), "leaks:\n{}", leaks.join("\n"));
    })
    .await;
}
