//! Black-box helpers: the real router, a fresh database per backend, memory
//! mail, and a small browser-like client with a cookie jar.

use std::collections::HashMap;
use std::future::Future;
use std::net::SocketAddr;

use axum::body::Body;
use axum::extract::ConnectInfo;
use axum::http::{header, Request, StatusCode};
use axum::Router;
use courtyard_app::config::Config;
use courtyard_app::customers::{self, CompanyForm, ContactForm, PermissionSetForm};
use courtyard_app::domain::records::SalesKind;
use courtyard_app::portal_users::{self, PortalUserForm};
use courtyard_app::{worker, App, Mailer};
use courtyard_db_testing::each_backend;
use http_body_util::BodyExt;
use tower::ServiceExt;

pub const PASSWORD: &str = "quiet-harbour-lantern-42";

pub struct TestApp {
    pub app: App,
    pub router: Router,
}

/// The PDF child for staff templates: courtyard-pdf's binary, which cargo
/// builds beside this test binary (`cargo test --workspace`).
pub fn pdf_child_program() -> String {
    let exe = std::env::current_exe().expect("the test binary's path");
    let dir = exe
        .parent()
        .and_then(|deps| deps.parent())
        .expect("target/<profile>/deps");
    let child = dir.join("courtyard-pdf-render");
    assert!(
        child.exists(),
        "{} is missing: run the tests with `cargo test --workspace` (or build it with \
         `cargo build -p courtyard-pdf --bin courtyard-pdf-render`)",
        child.display()
    );
    child.display().to_string()
}

/// Run `test` on SQLite, and on PostgreSQL when configured.
pub async fn on_each_backend<F, Fut>(test: F)
where
    F: Fn(TestApp) -> Fut,
    Fut: Future<Output = ()>,
{
    on_each_backend_with(|_| {}, test).await;
}

/// The same, with the test's own changes to the configuration.
pub async fn on_each_backend_with<F, Fut>(tweak: impl Fn(&mut Config), test: F)
where
    F: Fn(TestApp) -> Fut,
    Fut: Future<Output = ()>,
{
    each_backend(|db| {
        let mut config = Config {
            public_url: Some("http://portal.test".into()),
            business_name: "Harbour Studio".into(),
            max_body_bytes: 64 * 1024,
            ..Default::default()
        };
        config.mail.transport = "memory".into();
        config.files.store = "memory".into();
        config.files.max_upload_bytes = 64 * 1024;
        config.pdf.render_program = pdf_child_program();
        tweak(&mut config);
        let app = App::new(db, Mailer::memory(), config);
        let router = courtyard_web::router(app.clone());
        let test = &test;
        async move {
            test(TestApp {
                app: app.clone(),
                router,
            })
            .await;
            assert_outbox_empty(&app).await;
        }
    })
    .await;
}

/// Every test ends with nothing left in the outbox: work a test caused and
/// did not look at is a job nobody checked (crates.io's test harness does
/// the same). Deliver with [`TestApp::deliver`], or look at what is queued.
async fn assert_outbox_empty(app: &App) {
    let mut conn = app.db.conn().await.expect("a connection");
    let left = courtyard_db::outbox::pending(&mut conn)
        .await
        .expect("the outbox");
    assert!(
        left.is_empty(),
        "the test left {} job(s) in the outbox: {:?}",
        left.len(),
        left.iter().map(|i| i.kind.as_str()).collect::<Vec<_>>()
    );
}

#[derive(Debug)]
pub struct Resp {
    pub status: StatusCode,
    pub headers: axum::http::HeaderMap,
    pub body: String,
    /// The body as sent, for files and PDFs.
    pub raw: Vec<u8>,
}

impl Resp {
    pub fn location(&self) -> &str {
        self.headers
            .get(header::LOCATION)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
    }

    #[track_caller]
    pub fn assert_status(&self, s: u16) -> &Self {
        assert_eq!(
            self.status.as_u16(),
            s,
            "unexpected status; body:\n{}",
            self.body
        );
        self
    }

    #[track_caller]
    pub fn assert_contains(&self, needle: &str) -> &Self {
        assert!(
            self.body.contains(needle),
            "expected {needle:?} in body:\n{}",
            self.body
        );
        self
    }
}

/// A browser: keeps cookies, fills the CSRF field like a rendered form would.
#[derive(Clone)]
pub struct Browser {
    router: Router,
    pub jar: HashMap<String, String>,
    pub ip: SocketAddr,
}

impl TestApp {
    pub fn browser(&self) -> Browser {
        Browser {
            router: self.router.clone(),
            jar: HashMap::new(),
            ip: "203.0.113.7:40000".parse().unwrap(),
        }
    }

    /// Deliver every queued email now.
    pub async fn deliver(&self) {
        worker::drain(&self.app).await.expect("drain outbox");
    }

    pub fn sent(&self) -> Vec<courtyard_app::Email> {
        self.app.mailer.sent()
    }

    /// The last link to `prefix` mailed to `to`.
    pub fn link_for(&self, to: &str, prefix: &str) -> String {
        let mail = self
            .sent()
            .into_iter()
            .rev()
            .find(|m| m.to == to && m.text.contains(prefix))
            .unwrap_or_else(|| panic!("no mail to {to} with {prefix}"));
        let start = mail.text.find("http://portal.test").unwrap();
        let rest = &mail.text[start + "http://portal.test".len()..];
        rest.split_whitespace().next().unwrap().to_owned()
    }

    pub async fn permission_set(&self, name: &str, grants: &[&str]) -> String {
        customers::create_permission_set(
            &self.app,
            &PermissionSetForm {
                name: name.into(),
                description: String::new(),
                grants: grants.iter().map(|g| g.to_string()).collect(),
            },
        )
        .await
        .unwrap()
        .id
    }

    pub async fn company(&self, name: &str, access: &str) -> String {
        customers::create_company(
            &self.app,
            &CompanyForm {
                name: name.into(),
                portal_access: access.into(),
                ..Default::default()
            },
        )
        .await
        .unwrap()
        .id
    }

    pub async fn contact(&self, company_id: &str, first: &str, email: &str) -> String {
        customers::create_contact(
            &self.app,
            &ContactForm {
                company_id: company_id.into(),
                first_name: first.into(),
                last_name: "Tester".into(),
                email: email.into(),
                portal_access: "inherit".into(),
                ..Default::default()
            },
        )
        .await
        .unwrap()
        .id
    }

    pub fn user_form(&self, email: &str, set_id: &str) -> PortalUserForm {
        PortalUserForm {
            email: email.into(),
            permission_set_id: set_id.into(),
            record_scope: "company".into(),
            ..Default::default()
        }
    }

    /// A pending portal user with an invitation in the mailbox; returns (user id, invitation path).
    pub async fn invited(
        &self,
        company_id: &str,
        first: &str,
        email: &str,
        set_id: &str,
    ) -> (String, String) {
        let contact = self.contact(company_id, first, email).await;
        let id =
            portal_users::give_access(&self.app, &contact, &self.user_form(email, set_id), true)
                .await
                .unwrap();
        self.deliver().await;
        (id, self.link_for(email, "/invitation/"))
    }

    /// An active portal user who accepted their invitation with [`PASSWORD`].
    pub async fn active(&self, company_id: &str, first: &str, email: &str, set_id: &str) -> String {
        let (id, link) = self.invited(company_id, first, email, set_id).await;
        let mut b = self.browser();
        b.get(&link).await.assert_status(200);
        b.post(&link, &[("password", PASSWORD), ("confirm", PASSWORD)])
            .await
            .assert_status(303);
        id
    }

    /// A staff member with [`PASSWORD`] and a browser logged in as them.
    pub async fn staff_browser(
        &self,
        email: &str,
        role: courtyard_app::domain::StaffRole,
    ) -> Browser {
        courtyard_app::auth::create_staff(&self.app, email, "Sam Staff", role, Some(PASSWORD))
            .await
            .unwrap();
        let mut b = self.browser();
        b.get("/staff/login").await;
        b.post("/staff/login", &[("email", email), ("password", PASSWORD)])
            .await
            .assert_status(303);
        b
    }

    pub async fn portal_browser(&self, email: &str) -> Browser {
        let mut b = self.browser();
        b.login(email, PASSWORD).await.assert_status(303);
        b
    }
}

impl Browser {
    fn cookie_header(&self) -> String {
        self.jar
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect::<Vec<_>>()
            .join("; ")
    }

    pub async fn send(&mut self, mut req: Request<Body>) -> Resp {
        if !self.jar.is_empty() {
            req.headers_mut()
                .insert(header::COOKIE, self.cookie_header().parse().unwrap());
        }
        req.extensions_mut().insert(ConnectInfo(self.ip));
        let resp = self.router.clone().oneshot(req).await.unwrap();
        for c in resp.headers().get_all(header::SET_COOKIE) {
            let c = c.to_str().unwrap();
            let (kv, attrs) = c.split_once(';').unwrap_or((c, ""));
            let (k, v) = kv.split_once('=').unwrap();
            if attrs.contains("Max-Age=0") {
                self.jar.remove(k);
            } else {
                self.jar.insert(k.to_owned(), v.to_owned());
            }
        }
        let status = resp.status();
        let headers = resp.headers().clone();
        let bytes = resp.into_body().collect().await.unwrap().to_bytes();
        Resp {
            status,
            headers,
            body: String::from_utf8_lossy(&bytes).into_owned(),
            raw: bytes.to_vec(),
        }
    }

    pub async fn get(&mut self, path: &str) -> Resp {
        self.send(
            Request::get(path)
                .header(header::HOST, "portal.test")
                .body(Body::empty())
                .unwrap(),
        )
        .await
    }

    /// The token a page at `path` puts in its forms: derived from the
    /// session cookie when signed in there, else the anonymous cookie's.
    pub fn csrf_for(&self, path: &str) -> String {
        let session = if path == "/staff" || path.starts_with("/staff/") {
            "cy_staff"
        } else {
            "cy_portal"
        };
        match self.jar.get(session) {
            Some(raw) => courtyard_web::session_csrf_token(raw),
            None => self.jar.get("cy_csrf").cloned().unwrap_or_default(),
        }
    }

    /// Post a form the way the page would: with the page's CSRF token.
    pub async fn post(&mut self, path: &str, fields: &[(&str, &str)]) -> Resp {
        if !self.jar.contains_key("cy_csrf") {
            self.get("/login").await;
        }
        let token = self.csrf_for(path);
        let mut all: Vec<(&str, &str)> = vec![("csrf", token.as_str())];
        all.extend_from_slice(fields);
        self.post_raw(path, &serde_urlencoded::to_string(&all).unwrap())
            .await
    }

    pub async fn post_raw(&mut self, path: &str, body: &str) -> Resp {
        self.send(
            Request::post(path)
                .header(header::HOST, "portal.test")
                .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
                .body(Body::from(body.to_owned()))
                .unwrap(),
        )
        .await
    }

    pub async fn login(&mut self, email: &str, password: &str) -> Resp {
        self.get("/login").await;
        self.post("/login", &[("email", email), ("password", password)])
            .await
    }
}

impl TestApp {
    /// An invoice with one line of `price` (major units) at 20 % tax.
    pub async fn invoice(
        &self,
        company_id: &str,
        contact_id: Option<&str>,
        status: &str,
        issued: &str,
        price: &str,
    ) -> String {
        self.sales_doc(
            SalesKind::Invoice,
            company_id,
            contact_id,
            status,
            issued,
            price,
        )
        .await
    }

    /// A quote, order or invoice with one line of `price` at 20 % tax.
    pub async fn sales_doc(
        &self,
        kind: SalesKind,
        company_id: &str,
        contact_id: Option<&str>,
        status: &str,
        issued: &str,
        price: &str,
    ) -> String {
        courtyard_app::sales::create(
            &self.app,
            kind,
            &courtyard_app::sales::SalesForm {
                company_id: company_id.into(),
                contact_id: contact_id.unwrap_or("").into(),
                subject: format!("Work {issued}"),
                status: status.into(),
                currency: "GBP".into(),
                issued_on: issued.into(),
                due_on: issued.into(),
                lines: vec![courtyard_app::sales::LineForm {
                    description: "Consulting".into(),
                    quantity: "1".into(),
                    unit_price: price.into(),
                    tax_rate: "20".into(),
                    discount: String::new(),
                }],
                ..Default::default()
            },
        )
        .await
        .unwrap()
    }

    /// A job at a site for a company (and contact).
    pub async fn job(&self, company_id: &str, contact_id: Option<&str>, subject: &str) -> String {
        courtyard_app::work::create_job(
            &self.app,
            &courtyard_app::work::JobForm {
                company_id: company_id.into(),
                contact_id: contact_id.unwrap_or("").into(),
                subject: subject.into(),
                status: "scheduled".into(),
                site_address: "1 High Street".into(),
                requested_on: "2026-01-10".into(),
                scheduled_on: "2026-01-20".into(),
                ..Default::default()
            },
        )
        .await
        .unwrap()
    }

    /// A ticket opened for a company (and contact), with no messages.
    pub async fn ticket(
        &self,
        company_id: &str,
        contact_id: Option<&str>,
        subject: &str,
    ) -> String {
        let mut conn = self.app.db.conn().await.unwrap();
        let number = courtyard_db::records::next_number(&mut conn, "ticket", "TKT-")
            .await
            .unwrap();
        courtyard_db::work::insert_ticket(
            &mut conn,
            &number,
            &courtyard_db::work::TicketInput {
                company_id: company_id.into(),
                contact_id: contact_id.map(str::to_owned),
                subject: subject.into(),
                status: "open".into(),
                priority: "normal".into(),
                opened_on: "2026-01-11".into(),
                owner_staff_id: None,
            },
            self.app.now(),
        )
        .await
        .unwrap()
    }

    /// A project of a company with these portal members.
    pub async fn project(
        &self,
        company_id: &str,
        members: &[&str],
        shown: bool,
        name: &str,
    ) -> String {
        courtyard_app::work::create_project(
            &self.app,
            &courtyard_app::work::ProjectForm {
                company_id: company_id.into(),
                subject: name.into(),
                status: "active".into(),
                progress: "40".into(),
                start_on: "2026-01-01".into(),
                show_on_portal: shown,
                members: members.iter().map(|m| m.to_string()).collect(),
                milestones: vec![("Kick-off".into(), "2026-01-02".into(), true)],
                ..Default::default()
            },
        )
        .await
        .unwrap()
    }

    /// A task in a project, optionally assigned to a member.
    pub async fn task(&self, project_id: &str, assignee: Option<&str>, name: &str) -> String {
        courtyard_app::work::create_task(
            &self.app,
            &courtyard_app::work::TaskForm {
                project_id: project_id.into(),
                subject: name.into(),
                status: "open".into(),
                assignee_id: assignee.unwrap_or("").into(),
                ..Default::default()
            },
        )
        .await
        .unwrap()
    }

    /// The human number of any record, for finding it in page bodies.
    pub async fn number_of(&self, module: courtyard_domain::Module, id: &str) -> String {
        use courtyard_domain::Module as M;
        let mut conn = self.app.db.conn().await.unwrap();
        let kind = match module {
            M::Quotes => Some(SalesKind::Quote),
            M::SalesOrders => Some(SalesKind::Order),
            M::Invoices => Some(SalesKind::Invoice),
            _ => None,
        };
        if let Some(kind) = kind {
            return courtyard_db::sales::find(&mut conn, kind, id)
                .await
                .unwrap()
                .number;
        }
        use courtyard_db::work;
        match module {
            M::Jobs => work::find_job(&mut conn, id, None).await.unwrap().number,
            M::Tickets => work::find_ticket(&mut conn, id, None).await.unwrap().number,
            M::Projects => {
                work::find_project(&mut conn, id, None)
                    .await
                    .unwrap()
                    .number
            }
            M::Tasks => work::find_task(&mut conn, id, None).await.unwrap().number,
            // Documents have no number: their title identifies them.
            M::Documents => {
                courtyard_db::documents::find(&mut conn, id, None)
                    .await
                    .unwrap()
                    .title
            }
            other => panic!("no records in {other:?}"),
        }
    }
}

/// A multipart form as a browser sends it: CSRF field, text fields, file.
pub async fn multipart(
    b: &mut Browser,
    path: &str,
    fields: &[(&str, &str)],
    file: Option<(&str, &[u8])>,
) -> Resp {
    multipart_with(b, path, true, fields, file).await
}

/// The same, with or without the CSRF field.
pub async fn multipart_with(
    b: &mut Browser,
    path: &str,
    with_csrf: bool,
    fields: &[(&str, &str)],
    file: Option<(&str, &[u8])>,
) -> Resp {
    let token = b.csrf_for(path);
    let boundary = "----courtyard-doc-boundary";
    let mut data = Vec::new();
    let mut all = if with_csrf {
        vec![("csrf", token.as_str())]
    } else {
        vec![]
    };
    all.extend_from_slice(fields);
    for (k, v) in all {
        data.extend_from_slice(
            format!("--{boundary}\r\nContent-Disposition: form-data; name=\"{k}\"\r\n\r\n{v}\r\n")
                .as_bytes(),
        );
    }
    if let Some((name, body)) = file {
        data.extend_from_slice(
            format!(
                "--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{name}\"\r\n\
                 Content-Type: application/octet-stream\r\n\r\n"
            )
            .as_bytes(),
        );
        data.extend_from_slice(body);
        data.extend_from_slice(b"\r\n");
    }
    data.extend_from_slice(format!("--{boundary}--\r\n").as_bytes());
    let req = axum::http::Request::builder()
        .method("POST")
        .uri(path)
        .header(axum::http::header::HOST, "portal.test")
        .header(
            axum::http::header::CONTENT_TYPE,
            format!("multipart/form-data; boundary={boundary}"),
        )
        .header(axum::http::header::CONTENT_LENGTH, data.len())
        .body(axum::body::Body::from(data))
        .unwrap();
    b.send(req).await
}
