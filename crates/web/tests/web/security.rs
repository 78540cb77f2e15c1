//! CSRF, headers, body limits, and 404 for what is not yours.

use axum::body::Body;
use axum::http::{header, Request};

use crate::support::{on_each_backend, PASSWORD};

#[tokio::test]
async fn every_response_carries_security_headers_and_a_request_id() {
    on_each_backend(|t| async move {
        let mut b = t.browser();
        for path in ["/login", "/no/such-page", "/healthz", "/staff/login"] {
            let r = b.get(path).await;
            let csp = r
                .headers
                .get("content-security-policy")
                .expect("CSP")
                .to_str()
                .unwrap();
            assert!(
                csp.contains("script-src 'self'") && !csp.contains("unsafe-inline"),
                "{path}: {csp}"
            );
            assert_eq!(r.headers.get("x-content-type-options").unwrap(), "nosniff");
            assert_eq!(r.headers.get("x-frame-options").unwrap(), "DENY");
            assert!(r.headers.get("x-request-id").is_some(), "{path}");
        }
        let r = t.browser().get("/login").await;
        let cookie = r
            .headers
            .get_all(header::SET_COOKIE)
            .iter()
            .map(|v| v.to_str().unwrap().to_owned())
            .collect::<Vec<_>>()
            .join("\n");
        assert!(
            cookie.contains("HttpOnly") && cookie.contains("SameSite=Strict"),
            "{cookie}"
        );
        b.get("/readyz").await.assert_status(200);
    })
    .await;
}

#[tokio::test]
async fn session_cookie_is_httponly_lax_and_renewed_at_login() {
    on_each_backend(|t| async move {
        let set = t.permission_set("Basic", &["invoices:view"]).await;
        let co = t.company("Acme", "all").await;
        t.active(&co, "Ada", "ada@acme.example", &set).await;
        let mut b = t.browser();
        b.get("/login").await;
        let csrf_before = b.jar.get("cy_csrf").cloned().unwrap();
        let r = b
            .post(
                "/login",
                &[("email", "ada@acme.example"), ("password", PASSWORD)],
            )
            .await;
        let cookies: Vec<String> = r
            .headers
            .get_all(header::SET_COOKIE)
            .iter()
            .map(|v| v.to_str().unwrap().to_owned())
            .collect();
        let session = cookies
            .iter()
            .find(|c| c.starts_with("cy_portal="))
            .expect("session cookie");
        assert!(
            session.contains("HttpOnly") && session.contains("SameSite=Lax"),
            "{session}"
        );
        assert_ne!(
            b.jar.get("cy_csrf").unwrap(),
            &csrf_before,
            "CSRF token rotates at login"
        );
        let first = b.jar.get("cy_portal").cloned().unwrap();
        b.login("ada@acme.example", PASSWORD).await;
        assert_ne!(
            b.jar.get("cy_portal").unwrap(),
            &first,
            "a new session id at every login"
        );
    })
    .await;
}

#[tokio::test]
async fn a_state_change_without_the_right_csrf_token_is_refused_and_writes_nothing() {
    on_each_backend(|t| async move {
        let mut staff = t
            .staff_browser(
                "owner@harbour.example",
                courtyard_app::domain::StaffRole::Owner,
            )
            .await;
        // Missing token.
        staff
            .post_raw("/staff/companies", "name=Evil+Corp&portal_access=off")
            .await
            .assert_status(403)
            .assert_contains("nothing was saved");
        // Forged token.
        staff
            .post_raw(
                "/staff/companies",
                "csrf=AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA&name=Evil+Corp&portal_access=off",
            )
            .await
            .assert_status(403);
        // A cross-site form post, even with the right token.
        let token = staff.csrf_for("/staff/companies");
        let req = Request::post("/staff/companies")
            .header(header::HOST, "portal.test")
            .header(header::ORIGIN, "https://evil.example")
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .body(Body::from(format!(
                "csrf={token}&name=Evil+Corp&portal_access=off"
            )))
            .unwrap();
        staff.send(req).await.assert_status(403);
        // Fetch metadata decides when present: a same-origin post with "Origin: null"
        // (what browsers send under some referrer policies) is fine; cross-site is not.
        for (site, origin, status) in [
            ("cross-site", "https://portal.test", 403),
            ("same-site", "https://a.portal.test", 403),
            ("same-origin", "null", 303),
        ] {
            let name = format!("Fetch {site}");
            let body = serde_urlencoded::to_string([
                ("csrf", token.as_str()),
                ("name", name.as_str()),
                ("portal_access", "off"),
            ])
            .unwrap();
            let req = Request::post("/staff/companies")
                .header(header::HOST, "portal.test")
                .header(header::ORIGIN, origin)
                .header("sec-fetch-site", site)
                .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
                .body(Body::from(body))
                .unwrap();
            staff.send(req).await.assert_status(status);
        }
        let page = staff.get("/staff/companies").await;
        assert!(!page.body.contains("Evil Corp"));
        assert!(!page.body.contains("Fetch cross-site") && page.body.contains("Fetch same-origin"));
        // The same form with the token works.
        staff
            .post(
                "/staff/companies",
                &[("name", "Good Corp"), ("portal_access", "off")],
            )
            .await
            .assert_status(303);
        staff
            .get("/staff/companies")
            .await
            .assert_contains("Good Corp");
    })
    .await;
}

#[tokio::test]
async fn an_oversized_body_gets_413_and_nothing_is_saved() {
    on_each_backend(|t| async move {
        let mut staff = t
            .staff_browser(
                "owner@harbour.example",
                courtyard_app::domain::StaffRole::Owner,
            )
            .await;
        let big = "x".repeat(70 * 1024);
        staff
            .post(
                "/staff/companies",
                &[
                    ("name", "Huge"),
                    ("portal_access", "off"),
                    ("address", &big),
                ],
            )
            .await
            .assert_status(413)
            .assert_contains("larger than we accept");
        assert!(!staff.get("/staff/companies").await.body.contains("Huge"));
    })
    .await;
}

#[tokio::test]
async fn portal_pages_need_a_login_and_staff_pages_need_a_staff_login() {
    on_each_backend(|t| async move {
        let mut b = t.browser();
        for path in ["/", "/me", "/me/sessions", "/invoices"] {
            let r = b.get(path).await;
            r.assert_status(303);
            assert!(
                r.location().starts_with("/login"),
                "{path} -> {}",
                r.location()
            );
        }
        let r = b.get("/me").await;
        assert_eq!(r.location(), "/login?next=%2Fme");
        for path in [
            "/staff",
            "/staff/companies",
            "/staff/portal-users",
            "/staff/settings",
        ] {
            let r = b.get(path).await;
            assert!(r.location().starts_with("/staff/login"), "{path}");
        }
        // A portal session is not a staff session.
        let set = t.permission_set("Basic", &["invoices:view"]).await;
        let co = t.company("Acme", "all").await;
        t.active(&co, "Ada", "ada@acme.example", &set).await;
        let mut ada = t.portal_browser("ada@acme.example").await;
        ada.get("/staff").await.assert_status(303);
        // next= only follows local paths.
        let mut c = t.browser();
        c.get("/login").await;
        let r = c
            .post(
                "/login",
                &[
                    ("email", "ada@acme.example"),
                    ("password", PASSWORD),
                    ("next", "//evil.example/x"),
                ],
            )
            .await;
        assert_eq!(r.location(), "/");
    })
    .await;
}

#[tokio::test]
async fn errors_are_a_branded_page_for_people_and_a_json_envelope_for_api_clients() {
    on_each_backend(|t| async move {
        let mut b = t.browser();
        let page = b.get("/no/such-page").await;
        page.assert_status(404)
            .assert_contains("Page not found")
            .assert_contains("Harbour Studio");
        assert!(page
            .headers
            .get("content-type")
            .unwrap()
            .to_str()
            .unwrap()
            .starts_with("text/html"));
        let req = Request::get("/no/such-page")
            .header(header::HOST, "portal.test")
            .header(header::ACCEPT, "application/json")
            .body(Body::empty())
            .unwrap();
        let json = b.send(req).await;
        json.assert_status(404);
        assert_eq!(
            json.headers.get("content-type").unwrap(),
            "application/json"
        );
        let v: serde_json::Value = serde_json::from_str(&json.body).unwrap();
        assert_eq!(v["error"]["status"], 404);
        assert_eq!(v["error"]["code"], "not_found");
        assert!(v["error"]["message"]
            .as_str()
            .unwrap()
            .contains("does not exist"));
        // A forged form post from an API client gets JSON too.
        let req = Request::post("/staff/companies")
            .header(header::HOST, "portal.test")
            .header(header::ACCEPT, "application/json")
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .body(Body::from("name=x"))
            .unwrap();
        let r = b.send(req).await;
        r.assert_status(403);
        let v: serde_json::Value = serde_json::from_str(&r.body).unwrap();
        assert_eq!(v["error"]["status"], 403, "{}", r.body);
        assert_eq!(v["error"]["code"], "csrf", "{}", r.body);
    })
    .await;
}
