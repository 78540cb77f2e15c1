//! The isolation test: every portal route from the router's own table × every
//! record of another company (and every draft, and colleagues' records for
//! own-scope users) × every kind of portal user. It must find zero leaks.

use axum::body::Body;
use axum::http::{header, Method, Request};
use courtyard_app::db::portal_users::PortalUserFilter;
use courtyard_app::portal_users;
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
}

async fn number_of(t: &TestApp, id: &str) -> String {
    courtyard_app::invoices::staff_find(&t.app, id)
        .await
        .unwrap()
        .invoice
        .number
}

async fn foreign(t: &TestApp, ids: &[&String]) -> Vec<Foreign> {
    let mut v = Vec::new();
    for id in ids {
        v.push(Foreign {
            module: Module::Invoices,
            id: (*id).clone(),
            marker: number_of(t, id).await,
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
                    "quotes:view",
                    "tickets:create",
                    "my_details:edit",
                ],
            )
            .await;
        let none = t
            .permission_set("No invoices", &["tickets:view", "my_details:view"])
            .await;
        let acme = t.company("Acme", "all").await;
        let rival = t.company("Rival", "all").await;
        t.active(&acme, "Ada", "ada@acme.example", &full).await;
        let olly = t.active(&acme, "Olly", "olly@acme.example", &full).await;
        let mut f = t.user_form("olly@acme.example", &full);
        f.record_scope = "own".into();
        portal_users::update(&t.app, &olly, &f).await.unwrap();
        t.active(&acme, "Nia", "nia@acme.example", &none).await;
        t.active(&rival, "Eve", "eve@rival.example", &full).await;
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

        let acme_open = t
            .invoice(
                &acme,
                Some(&contact("ada@acme.example")),
                "unpaid",
                "2026-01-01",
                "11",
            )
            .await;
        let acme_olly = t
            .invoice(
                &acme,
                Some(&contact("olly@acme.example")),
                "paid",
                "2026-01-02",
                "12",
            )
            .await;
        let acme_draft = t.invoice(&acme, None, "draft", "2026-01-03", "13").await;
        let rival_open = t.invoice(&rival, None, "overdue", "2026-01-04", "14").await;
        let rival_draft = t.invoice(&rival, None, "draft", "2026-01-05", "15").await;

        let roles = vec![
            Role {
                email: "ada@acme.example",
                foreign: foreign(&t, &[&acme_draft, &rival_open, &rival_draft]).await,
            },
            Role {
                email: "olly@acme.example",
                foreign: foreign(&t, &[&acme_open, &acme_draft, &rival_open, &rival_draft]).await,
            },
            Role {
                email: "nia@acme.example",
                foreign: foreign(
                    &t,
                    &[
                        &acme_open,
                        &acme_olly,
                        &acme_draft,
                        &rival_open,
                        &rival_draft,
                    ],
                )
                .await,
            },
            Role {
                email: "eve@rival.example",
                foreign: foreign(&t, &[&acme_open, &acme_olly, &acme_draft, &rival_draft]).await,
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
                    Exposure::Public | Exposure::Account => {}
                    Exposure::List(module) => {
                        let r = b.get(route.path).await;
                        requests += 1;
                        for fo in role.foreign.iter().filter(|f| f.module == module) {
                            if r.body.contains(&fo.marker) || r.body.contains(&fo.id) {
                                leaks.push(format!(
                                    "{} GET {} shows {}",
                                    role.email, route.path, fo.marker
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
                                    let token = b.jar.get("cy_csrf").cloned().unwrap_or_default();
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
        ada.get(&format!("/invoices/{acme_olly}"))
            .await
            .assert_status(200);
        let mut olly_b = t.portal_browser("olly@acme.example").await;
        olly_b
            .get(&format!("/invoices/{acme_olly}"))
            .await
            .assert_status(200);
        eprintln!(
            "isolation: {} portal routes, {requests} requests, {} leaks",
            portal_route_table().len(),
            leaks.len()
        );
        let lists = portal_route_table()
            .iter()
            .filter(|r| matches!(r.exposure, Exposure::List(_)))
            .count();
        let records: usize = portal_route_table()
            .iter()
            .filter(|r| matches!(r.exposure, Exposure::Record(_)))
            .map(|r| r.methods.len())
            .sum();
        let expected: usize = roles
            .iter()
            .map(|r| lists + records * r.foreign.len() + (roles.len() - 1))
            .sum();
        assert_eq!(requests, expected, "every classified route was tried");
        assert!(leaks.is_empty(), "leaks:\n{}", leaks.join("\n"));
    })
    .await;
}
